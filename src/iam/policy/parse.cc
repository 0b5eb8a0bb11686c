// Parsing and validation of policy documents. Messages follow AWS's MalformedPolicyDocument
// texts; docs/iam-policy.md lists them and the choices made where AWS's are not documented.
#include <arpa/inet.h>

#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <set>

#include "core/clock.h"
#include "core/encoding.h"
#include "iam/policy/policy.h"

namespace portcullis::iam {

namespace json = boost::json;

namespace {

constexpr std::pair<std::string_view, ConditionOp> kOps[] = {
    {"StringEquals", ConditionOp::kStringEquals},
    {"StringNotEquals", ConditionOp::kStringNotEquals},
    {"StringEqualsIgnoreCase", ConditionOp::kStringEqualsIgnoreCase},
    {"StringNotEqualsIgnoreCase", ConditionOp::kStringNotEqualsIgnoreCase},
    {"StringLike", ConditionOp::kStringLike},
    {"StringNotLike", ConditionOp::kStringNotLike},
    {"NumericEquals", ConditionOp::kNumericEquals},
    {"NumericNotEquals", ConditionOp::kNumericNotEquals},
    {"NumericLessThan", ConditionOp::kNumericLessThan},
    {"NumericLessThanEquals", ConditionOp::kNumericLessThanEquals},
    {"NumericGreaterThan", ConditionOp::kNumericGreaterThan},
    {"NumericGreaterThanEquals", ConditionOp::kNumericGreaterThanEquals},
    {"DateEquals", ConditionOp::kDateEquals},
    {"DateNotEquals", ConditionOp::kDateNotEquals},
    {"DateLessThan", ConditionOp::kDateLessThan},
    {"DateLessThanEquals", ConditionOp::kDateLessThanEquals},
    {"DateGreaterThan", ConditionOp::kDateGreaterThan},
    {"DateGreaterThanEquals", ConditionOp::kDateGreaterThanEquals},
    {"Bool", ConditionOp::kBool},
    {"BinaryEquals", ConditionOp::kBinaryEquals},
    {"IpAddress", ConditionOp::kIpAddress},
    {"NotIpAddress", ConditionOp::kNotIpAddress},
    {"ArnEquals", ConditionOp::kArnEquals},
    {"ArnLike", ConditionOp::kArnLike},
    {"ArnNotEquals", ConditionOp::kArnNotEquals},
    {"ArnNotLike", ConditionOp::kArnNotLike},
    {"Null", ConditionOp::kNull},
};

Error malformed(std::string message) {
  return Error{ErrorCode::kMalformedPolicyDocument, std::move(message)};
}

const Error kSyntax{ErrorCode::kMalformedPolicyDocument, "Syntax errors in policy."};

// A policy element that may be one string or an array of strings.
Result<std::vector<std::string>> strings(const json::value& v) {
  std::vector<std::string> out;
  if (v.is_string()) {
    out.emplace_back(v.get_string());
    return out;
  }
  if (!v.is_array()) return std::unexpected(kSyntax);
  for (const json::value& e : v.get_array()) {
    if (!e.is_string()) return std::unexpected(kSyntax);
    out.emplace_back(e.get_string());
  }
  return out;
}

// Condition values may also be numbers and booleans, written without quotes.
Result<std::vector<std::string>> condition_strings(const json::value& v) {
  auto one = [](const json::value& e) -> std::optional<std::string> {
    if (e.is_string()) return std::string(e.get_string());
    if (e.is_bool()) return e.get_bool() ? "true" : "false";
    if (e.is_int64()) return std::to_string(e.get_int64());
    if (e.is_uint64()) return std::to_string(e.get_uint64());
    if (e.is_double()) {
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof buf, e.get_double());  // shortest form: 1.5
      return std::string(buf, r.ptr);
    }
    return std::nullopt;
  };
  std::vector<std::string> out;
  if (v.is_array()) {
    for (const json::value& e : v.get_array()) {
      auto s = one(e);
      if (!s) return std::unexpected(kSyntax);
      out.push_back(std::move(*s));
    }
  } else {
    auto s = one(v);
    if (!s) return std::unexpected(kSyntax);
    out.push_back(std::move(*s));
  }
  return out;
}

bool valid_action(std::string_view a) {
  if (a == "*") return true;
  size_t colon = a.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon + 1 == a.size()) return false;
  for (char c : a.substr(0, colon))
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '*' || c == '?'))
      return false;
  return true;
}

bool valid_resource(std::string_view r) {
  if (r == "*") return true;
  if (!r.starts_with("arn:")) return false;
  size_t colons = 0;
  for (char c : r) colons += c == ':';
  return colons >= 5;
}

bool is_account_id(std::string_view s) {
  return s.size() == 12 && s.find_first_not_of("0123456789") == std::string_view::npos;
}

Status parse_principal(const json::value& v, PrincipalSet& out) {
  auto invalid = [](std::string_view type, std::string_view value) {
    return std::unexpected(malformed("Invalid principal in policy: \"" + std::string(type) +
                                     "\":\"" + std::string(value) + "\""));
  };
  if (v.is_string()) {
    if (v.get_string() != "*") return invalid("AWS", v.get_string());
    out.any = true;
    return {};
  }
  if (!v.is_object() || v.get_object().empty()) return std::unexpected(kSyntax);
  for (const auto& [type, value] : v.get_object()) {
    auto list = PC_TRY(strings(value));
    for (std::string& p : list) {
      if (type == "AWS") {
        if (p == "*") {
          out.any = true;
        } else if (is_account_id(p) || (p.starts_with("arn:") && p.find('*') == std::string::npos &&
                                        valid_resource(p))) {
          out.aws.push_back(std::move(p));
        } else {
          return invalid(type, p);
        }
      } else if (type == "Federated") {
        if (p.empty()) return invalid(type, p);
        out.federated.push_back(std::move(p));
      } else if (type == "Service") {
        if (p.empty()) return invalid(type, p);
        out.service.push_back(std::move(p));  // "*": any service principal
      } else if (type == "CanonicalUser") {
        out.canonical_user.push_back(std::move(p));
      } else {
        return invalid(type, p);
      }
    }
  }
  return {};
}

Result<ConditionValue> compile_value(ConditionOp op, const std::string& text, bool variables,
                                     std::string_view op_name, std::string_view key) {
  ConditionValue v;
  v.text = Template::compile(text, variables);
  auto bad = [&]() {
    return std::unexpected(malformed("Invalid value for Condition operator " +
                                     std::string(op_name) + " on key " + std::string(key) + ": '" +
                                     text + "'"));
  };
  switch (op) {
    case ConditionOp::kNumericEquals:
    case ConditionOp::kNumericNotEquals:
    case ConditionOp::kNumericLessThan:
    case ConditionOp::kNumericLessThanEquals:
    case ConditionOp::kNumericGreaterThan:
    case ConditionOp::kNumericGreaterThanEquals: {
      char* end = nullptr;
      v.number = std::strtod(text.c_str(), &end);
      if (text.empty() || *end != '\0' || !std::isfinite(v.number)) return bad();
      break;
    }
    case ConditionOp::kDateEquals:
    case ConditionOp::kDateNotEquals:
    case ConditionOp::kDateLessThan:
    case ConditionOp::kDateLessThanEquals:
    case ConditionOp::kDateGreaterThan:
    case ConditionOp::kDateGreaterThanEquals: {
      auto t = parse_policy_date(text);
      if (!t) return bad();
      v.epoch_ms = *t;
      break;
    }
    case ConditionOp::kBool:
    case ConditionOp::kNull:
      if (iequals(text, "true"))
        v.boolean = true;
      else if (iequals(text, "false"))
        v.boolean = false;
      else
        return bad();
      break;
    case ConditionOp::kIpAddress:
    case ConditionOp::kNotIpAddress: {
      auto n = parse_ip_network(text);
      if (!n) return bad();
      v.network = *n;
      break;
    }
    default:
      break;
  }
  return v;
}

Status parse_conditions(const json::value& v, bool variables, std::vector<Condition>& out) {
  if (!v.is_object()) return std::unexpected(kSyntax);
  for (const auto& [op_text, block] : v.get_object()) {
    std::string_view name = op_text;
    Condition base;
    base.operator_name = name;
    if (name.starts_with("ForAllValues:")) {
      base.set = SetQualifier::kForAllValues;
      name.remove_prefix(13);
    } else if (name.starts_with("ForAnyValue:")) {
      base.set = SetQualifier::kForAnyValue;
      name.remove_prefix(12);
    }
    if (name.ends_with("IfExists") && name != "Null") {
      base.if_exists = true;
      name.remove_suffix(8);
    }
    auto op = condition_op(name);
    if (!op || (*op == ConditionOp::kNull && base.if_exists))
      return std::unexpected(malformed("Invalid Condition type : " + std::string(op_text) + "."));
    base.op = *op;
    if (!block.is_object() || block.get_object().empty()) return std::unexpected(kSyntax);
    for (const auto& [key, values] : block.get_object()) {
      if (key.empty() || key.find(':') == json::string_view::npos || key.find(':') == 0)
        return std::unexpected(malformed(
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."));
      auto texts = PC_TRY(condition_strings(values));
      if (texts.empty())
        return std::unexpected(malformed("Condition " + std::string(op_text) + " on key " +
                                         std::string(key) + " has no values."));
      Condition c = base;
      c.key = to_lower(key);
      for (const std::string& t : texts) {
        auto cv = PC_TRY(compile_value(c.op, t, variables, op_text, key));
        c.values.push_back(std::move(cv));
      }
      out.push_back(std::move(c));
    }
  }
  return {};
}

Status parse_statement(const json::value& v, PolicyKind kind, bool variables, Statement& s) {
  if (!v.is_object()) return std::unexpected(kSyntax);
  const json::object& o = v.get_object();
  static const std::set<std::string_view> kFields = {"Sid",       "Effect",       "Action",
                                                     "NotAction", "Resource",     "NotResource",
                                                     "Principal", "NotPrincipal", "Condition"};
  for (const auto& [k, unused] : o)
    if (!kFields.contains(k)) return std::unexpected(kSyntax);

  if (auto it = o.find("Sid"); it != o.end()) {
    if (!it->value().is_string()) return std::unexpected(kSyntax);
    s.sid = it->value().get_string();
  }
  auto effect = o.find("Effect");
  if (effect == o.end() || !effect->value().is_string()) return std::unexpected(kSyntax);
  if (effect->value().get_string() == "Allow")
    s.effect = Effect::kAllow;
  else if (effect->value().get_string() == "Deny")
    s.effect = Effect::kDeny;
  else
    return std::unexpected(
        malformed("Invalid effect: " + std::string(effect->value().get_string())));

  auto action = o.find("Action"), not_action = o.find("NotAction");
  if (action != o.end() && not_action != o.end()) return std::unexpected(kSyntax);
  if (action == o.end() && not_action == o.end())
    return std::unexpected(malformed("Policy statement must contain actions."));
  s.not_action = not_action != o.end();
  auto actions = PC_TRY(strings(s.not_action ? not_action->value() : action->value()));
  if (actions.empty()) return std::unexpected(malformed("Policy statement must contain actions."));
  for (const std::string& a : actions) {
    if (!valid_action(a))
      return std::unexpected(
          malformed("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."));
    s.actions.push_back(to_lower(a));
  }

  auto resource = o.find("Resource"), not_resource = o.find("NotResource");
  if (resource != o.end() && not_resource != o.end()) return std::unexpected(kSyntax);
  s.has_resource = resource != o.end() || not_resource != o.end();
  if (kind == PolicyKind::kTrust && s.has_resource)
    return std::unexpected(malformed("Has prohibited field Resource"));
  if (kind != PolicyKind::kTrust && !s.has_resource)
    return std::unexpected(malformed("Policy statement must contain resources."));
  if (s.has_resource) {
    s.not_resource = not_resource != o.end();
    auto resources = PC_TRY(strings(s.not_resource ? not_resource->value() : resource->value()));
    if (resources.empty())
      return std::unexpected(malformed("Policy statement must contain resources."));
    for (const std::string& r : resources) {
      if (!valid_resource(r))
        return std::unexpected(malformed("Resource " + r + " must be in ARN format or \"*\"."));
      s.resources.push_back(Template::compile(r, variables));
    }
  }

  auto principal = o.find("Principal"), not_principal = o.find("NotPrincipal");
  if (principal != o.end() && not_principal != o.end()) return std::unexpected(kSyntax);
  s.has_principal = principal != o.end() || not_principal != o.end();
  if (kind == PolicyKind::kIdentity && s.has_principal)
    return std::unexpected(malformed("Policy document should not specify a principal."));
  if (kind != PolicyKind::kIdentity && !s.has_principal)
    return std::unexpected(malformed("Missing required field Principal"));
  if (s.has_principal) {
    s.not_principal = not_principal != o.end();
    // AWS supports NotPrincipal only with Deny, and not in role trust policies.
    if (s.not_principal && (s.effect == Effect::kAllow || kind == PolicyKind::kTrust))
      return std::unexpected(malformed(kind == PolicyKind::kTrust
                                           ? "NotPrincipal is not supported in trust policies."
                                           : "NotPrincipal can only be used with Deny."));
    PC_CHECK(parse_principal(s.not_principal ? not_principal->value() : principal->value(), s.principals));
  }

  if (auto it = o.find("Condition"); it != o.end())
    PC_CHECK(parse_conditions(it->value(), variables, s.conditions));
  return {};
}

}  // namespace

Template Template::compile(std::string_view text, bool variables) {
  Template t;
  t.text_ = text;
  if (!variables || text.find("${") == std::string_view::npos) return t;
  std::string literal;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find("${", pos);
    size_t close = open == text.npos ? text.npos : text.find('}', open + 2);
    if (open == text.npos || close == text.npos) {
      literal += text.substr(pos);
      break;
    }
    literal += text.substr(pos, open - pos);
    std::string_view body = text.substr(open + 2, close - open - 2);
    pos = close + 1;
    if (body == "*" || body == "?" || body == "$") {
      // Escapes: always literal characters, never wildcards.
      if (!literal.empty())
        t.parts_.push_back({PartKind::kLiteral, std::exchange(literal, {}), std::nullopt});
      t.parts_.push_back({PartKind::kEscape, std::string(body), std::nullopt});
      continue;
    }
    Part var{PartKind::kVariable, {}, std::nullopt};
    size_t comma = body.find(',');
    std::string_view key = body.substr(0, comma);
    while (!key.empty() && key.back() == ' ') key.remove_suffix(1);
    if (comma != body.npos) {
      std::string_view d = body.substr(comma + 1);
      while (!d.empty() && d.front() == ' ') d.remove_prefix(1);
      while (!d.empty() && d.back() == ' ') d.remove_suffix(1);
      if (d.size() < 2 || d.front() != '\'' || d.back() != '\'') {
        literal += text.substr(open, close + 1 - open);  // not a variable: keep the text
        continue;
      }
      var.fallback = std::string(d.substr(1, d.size() - 2));
    }
    if (key.empty()) {
      literal += text.substr(open, close + 1 - open);
      continue;
    }
    if (!literal.empty())
      t.parts_.push_back({PartKind::kLiteral, std::exchange(literal, {}), std::nullopt});
    var.text = to_lower(key);
    t.parts_.push_back(std::move(var));
  }
  if (!literal.empty()) t.parts_.push_back({PartKind::kLiteral, std::move(literal), std::nullopt});
  return t;
}

bool Template::expand(const RequestContext& ctx, std::string& out, bool glob) const {
  out.clear();
  auto append_literal_value = [&](std::string_view v) {
    for (char c : v) {
      if (glob && (c == '*' || c == '?' || c == '\\')) out.push_back('\\');
      out.push_back(c);
    }
  };
  for (const Part& p : parts_) {
    if (p.kind == PartKind::kLiteral) {
      for (char c : p.text) {
        if (glob && c == '\\') out.push_back('\\');
        out.push_back(c);
      }
      continue;
    }
    if (p.kind == PartKind::kEscape) {
      append_literal_value(p.text);
      continue;
    }
    const RequestContext::Key* v = ctx.find(p.text);
    if (v && !v->list && v->values.size() == 1) {
      append_literal_value(v->values[0]);
    } else if (p.fallback) {
      append_literal_value(*p.fallback);
    } else {
      return false;
    }
  }
  return true;
}

std::optional<ConditionOp> condition_op(std::string_view name) {
  for (const auto& [n, op] : kOps)
    if (n == name) return op;
  return std::nullopt;
}

bool is_negated(ConditionOp op) {
  switch (op) {
    case ConditionOp::kStringNotEquals:
    case ConditionOp::kStringNotEqualsIgnoreCase:
    case ConditionOp::kStringNotLike:
    case ConditionOp::kNumericNotEquals:
    case ConditionOp::kDateNotEquals:
    case ConditionOp::kNotIpAddress:
    case ConditionOp::kArnNotEquals:
    case ConditionOp::kArnNotLike:
      return true;
    default:
      return false;
  }
}

std::optional<int64_t> parse_policy_date(std::string_view s) {
  if (s.empty()) return std::nullopt;
  if (s.find_first_not_of("0123456789") == std::string_view::npos) {
    int64_t n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (s.size() > 15 || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return n * 1000;
  }
  std::string t(s);
  if (t.size() == 10) t += "T00:00:00Z";  // a date alone
  auto tp = parse_iso8601(t);
  if (!tp) return std::nullopt;
  int64_t ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(tp->time_since_epoch()).count();
  // Milliseconds count; parse_iso8601 drops the fraction.
  if (t.size() > 20 && t[19] == '.') {
    int64_t frac = 0, scale = 100;
    for (size_t i = 20; i < t.size() && t[i] >= '0' && t[i] <= '9' && scale > 0; ++i, scale /= 10)
      frac += (t[i] - '0') * scale;
    ms += frac;
  }
  return ms;
}

std::optional<IpNetwork> parse_ip_network(std::string_view text) {
  IpNetwork n;
  std::string addr(text.substr(0, text.find('/')));
  int max_prefix;
  if (inet_pton(AF_INET, addr.c_str(), n.bytes.data()) == 1) {
    n.family = AF_INET;
    max_prefix = 32;
  } else if (inet_pton(AF_INET6, addr.c_str(), n.bytes.data()) == 1) {
    n.family = AF_INET6;
    max_prefix = 128;
  } else {
    return std::nullopt;
  }
  n.prefix = max_prefix;
  if (size_t slash = text.find('/'); slash != std::string_view::npos) {
    std::string_view p = text.substr(slash + 1);
    if (p.empty() || p.size() > 3 || p.find_first_not_of("0123456789") != std::string_view::npos)
      return std::nullopt;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), n.prefix);
    if (ec != std::errc() || end != p.data() + p.size() || n.prefix > max_prefix)
      return std::nullopt;
  }
  return n;
}

bool ip_in_network(const IpNetwork& net, const IpNetwork& addr) {
  if (net.family != addr.family) return false;
  int bits = net.prefix;
  for (int i = 0; bits > 0; ++i, bits -= 8) {
    unsigned char mask = bits >= 8 ? 0xff : static_cast<unsigned char>(0xff << (8 - bits));
    if ((net.bytes[i] & mask) != (addr.bytes[i] & mask)) return false;
  }
  return true;
}

Result<Policy> parse_policy(std::string_view text, PolicyKind kind) {
  boost::system::error_code ec;
  json::value root = json::parse(text, ec);
  if (ec || !root.is_object()) return std::unexpected(kSyntax);
  const json::object& o = root.get_object();
  for (const auto& [k, unused] : o)
    if (k != "Version" && k != "Id" && k != "Statement") return std::unexpected(kSyntax);
  Policy p;
  if (auto it = o.find("Version"); it != o.end()) {
    if (!it->value().is_string() ||
        (it->value().get_string() != "2012-10-17" && it->value().get_string() != "2008-10-17"))
      return std::unexpected(malformed("The policy must contain a valid version string"));
    p.version = it->value().get_string();
  }
  p.variables = p.version == "2012-10-17";
  if (auto it = o.find("Id"); it != o.end()) {
    if (!it->value().is_string()) return std::unexpected(kSyntax);
    p.id = it->value().get_string();
  }
  auto st = o.find("Statement");
  if (st == o.end()) return std::unexpected(kSyntax);
  std::vector<const json::value*> statements;
  if (st->value().is_array()) {
    for (const json::value& v : st->value().get_array()) statements.push_back(&v);
  } else {
    statements.push_back(&st->value());
  }
  if (statements.empty()) return std::unexpected(kSyntax);
  std::set<std::string> sids;
  for (const json::value* v : statements) {
    Statement s;
    PC_CHECK(parse_statement(*v, kind, p.variables, s));
    if (!s.sid.empty()) {
      for (char c : s.sid)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
          return std::unexpected(
              malformed("Statement IDs (SID) must be alpha-numeric. Check that your input "
                        "satisfies the regular expression [0-9A-Za-z]*"));
      if (!sids.insert(s.sid).second)
        return std::unexpected(malformed("Statement IDs (SID) in a single policy must be unique."));
    }
    s.index = p.statements.size();
    p.statements.push_back(std::move(s));
  }
  return p;
}

}  // namespace portcullis::iam
