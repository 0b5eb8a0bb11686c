#include "iam/policy/evaluate.h"

#include <algorithm>
#include <cstdlib>

#include "core/encoding.h"
#include "iam/policy/wildcard.h"

namespace portcullis::iam {

namespace {

// The positive operator a negated one inverts.
ConditionOp positive(ConditionOp op) {
  switch (op) {
    case ConditionOp::kStringNotEquals:
      return ConditionOp::kStringEquals;
    case ConditionOp::kStringNotEqualsIgnoreCase:
      return ConditionOp::kStringEqualsIgnoreCase;
    case ConditionOp::kStringNotLike:
      return ConditionOp::kStringLike;
    case ConditionOp::kNumericNotEquals:
      return ConditionOp::kNumericEquals;
    case ConditionOp::kDateNotEquals:
      return ConditionOp::kDateEquals;
    case ConditionOp::kNotIpAddress:
      return ConditionOp::kIpAddress;
    case ConditionOp::kArnNotEquals:
      return ConditionOp::kArnEquals;
    case ConditionOp::kArnNotLike:
      return ConditionOp::kArnLike;
    default:
      return op;
  }
}

bool uses_glob(ConditionOp op) {
  return op == ConditionOp::kStringLike || op == ConditionOp::kArnEquals ||
         op == ConditionOp::kArnLike;
}

// The policy value's text with variables substituted (a scratch buffer avoids allocating).
const std::string* value_text(const ConditionValue& v, ConditionOp op, const RequestContext& ctx,
                              std::string& scratch) {
  if (!v.text.dynamic()) return &v.text.text();
  if (!v.text.expand(ctx, scratch, uses_glob(op))) return nullptr;
  return &scratch;
}

enum class Match : uint8_t { kNo, kYes, kUnresolved };

// An ARN value whose variables cannot be resolved cannot match an ARN its fixed first five
// segments already differ from; otherwise whether it matches is unknown.
Match unresolved_arn(const Template& t, std::string_view cv) {
  std::string_view p = t.text(), a = cv;
  for (int i = 0; i < 5; ++i) {
    size_t pc = p.find(':'), ac = a.find(':');
    if (pc == std::string_view::npos || ac == std::string_view::npos) return Match::kNo;
    std::string_view ps = p.substr(0, pc);
    if (ps.find("${") != std::string_view::npos) return Match::kUnresolved;
    if (!wildcard_match(ps, a.substr(0, ac))) return Match::kNo;
    p.remove_prefix(pc + 1);
    a.remove_prefix(ac + 1);
  }
  return Match::kUnresolved;
}

Match value_matches(ConditionOp op, const ConditionValue& pv, std::string_view cv,
                    const RequestContext& ctx, std::string& scratch) {
  switch (op) {
    case ConditionOp::kStringEquals:
    case ConditionOp::kStringEqualsIgnoreCase:
    case ConditionOp::kStringLike:
    case ConditionOp::kBinaryEquals:
    case ConditionOp::kArnEquals:
    case ConditionOp::kArnLike: {
      const std::string* t = value_text(pv, op, ctx, scratch);
      if (!t) {
        bool arn = op == ConditionOp::kArnEquals || op == ConditionOp::kArnLike;
        return arn ? unresolved_arn(pv.text, cv) : Match::kUnresolved;
      }
      bool m;
      if (op == ConditionOp::kStringEquals || op == ConditionOp::kBinaryEquals)
        m = *t == cv;
      else if (op == ConditionOp::kStringEqualsIgnoreCase)
        m = equals_ignore_case(*t, cv);
      else if (op == ConditionOp::kStringLike)
        m = wildcard_match(*t, cv, false, pv.text.dynamic());
      else
        m = arn_match(*t, cv, pv.text.dynamic(), false);
      return m ? Match::kYes : Match::kNo;
    }
    case ConditionOp::kNumericEquals:
    case ConditionOp::kNumericLessThan:
    case ConditionOp::kNumericLessThanEquals:
    case ConditionOp::kNumericGreaterThan:
    case ConditionOp::kNumericGreaterThanEquals: {
      char buf[64];
      if (cv.empty() || cv.size() >= sizeof buf) return Match::kNo;
      std::copy(cv.begin(), cv.end(), buf);
      buf[cv.size()] = '\0';
      char* end = nullptr;
      double n = std::strtod(buf, &end);
      if (*end != '\0') return Match::kNo;
      switch (op) {
        case ConditionOp::kNumericEquals:
          return (n == pv.number) ? Match::kYes : Match::kNo;
        case ConditionOp::kNumericLessThan:
          return (n < pv.number) ? Match::kYes : Match::kNo;
        case ConditionOp::kNumericLessThanEquals:
          return (n <= pv.number) ? Match::kYes : Match::kNo;
        case ConditionOp::kNumericGreaterThan:
          return (n > pv.number) ? Match::kYes : Match::kNo;
        default:
          return (n >= pv.number) ? Match::kYes : Match::kNo;
      }
    }
    case ConditionOp::kDateEquals:
    case ConditionOp::kDateLessThan:
    case ConditionOp::kDateLessThanEquals:
    case ConditionOp::kDateGreaterThan:
    case ConditionOp::kDateGreaterThanEquals: {
      auto t = parse_policy_date(cv);
      if (!t) return Match::kNo;
      switch (op) {
        case ConditionOp::kDateEquals:
          return (*t == pv.epoch_ms) ? Match::kYes : Match::kNo;
        case ConditionOp::kDateLessThan:
          return (*t < pv.epoch_ms) ? Match::kYes : Match::kNo;
        case ConditionOp::kDateLessThanEquals:
          return (*t <= pv.epoch_ms) ? Match::kYes : Match::kNo;
        case ConditionOp::kDateGreaterThan:
          return (*t > pv.epoch_ms) ? Match::kYes : Match::kNo;
        default:
          return (*t >= pv.epoch_ms) ? Match::kYes : Match::kNo;
      }
    }
    case ConditionOp::kBool:
      if (iequals(cv, "true")) return (pv.boolean) ? Match::kYes : Match::kNo;
      if (iequals(cv, "false")) return (!pv.boolean) ? Match::kYes : Match::kNo;
      return Match::kNo;
    case ConditionOp::kIpAddress: {
      auto addr = parse_ip_network(cv);
      return (addr && ip_in_network(pv.network, *addr)) ? Match::kYes : Match::kNo;
    }
    default:
      return Match::kNo;
  }
}

bool condition_holds(const Condition& c, const RequestContext& ctx, Trace* trace) {
  const RequestContext::Key* key = ctx.find(c.key);
  // A list is present even when empty; a single value when it has one.
  const bool present = key && (key->list || !key->values.empty());
  if (c.op == ConditionOp::kNull) {
    // "true": the key must be absent; "false": present. Several values are alternatives.
    for (const ConditionValue& v : c.values)
      if (v.boolean != present) return true;
    return false;
  }
  if (!present) {
    if (trace) trace->missing_keys.push_back(c.key);
    if (c.set == SetQualifier::kForAllValues) return true;
    if (c.set == SetQualifier::kForAnyValue) return false;
    if (c.if_exists) return true;
    return is_negated(c.op);
  }
  // An operator without ForAllValues/ForAnyValue never matches a multi-valued key, negated or
  // not: a set operator is required.
  if (c.set == SetQualifier::kNone && key->list) return false;
  const ConditionOp op = positive(c.op);
  const bool negated = is_negated(c.op);
  thread_local std::string scratch;
  // Whether one request value matches the policy's values: yes if any does; unresolved if one
  // could not be resolved and none matched. A negated operator holds for a request value only
  // when the answer is a clear no: a value it cannot resolve fails it.
  auto judge = [&](const std::string& cv) {
    Match result = Match::kNo;
    for (const ConditionValue& pv : c.values) {
      Match m = value_matches(op, pv, cv, ctx, scratch);
      if (m == Match::kYes) return Match::kYes;
      if (m == Match::kUnresolved) result = Match::kUnresolved;
    }
    return result;
  };
  auto holds = [&](const std::string& cv) {
    Match m = judge(cv);
    return negated ? m == Match::kNo : m == Match::kYes;
  };
  const std::vector<std::string>& values = key->values;
  switch (c.set) {
    case SetQualifier::kForAllValues:
      return std::all_of(values.begin(), values.end(), holds);
    case SetQualifier::kForAnyValue:
      return std::any_of(values.begin(), values.end(), holds);
    case SetQualifier::kNone:
    default:
      return holds(values.front());
  }
}

bool action_matches(const Statement& s, std::string_view action) {
  bool any = false;
  for (const std::string& a : s.actions) {
    if (wildcard_match(a, action, true)) {
      any = true;
      break;
    }
  }
  return s.not_action ? !any : any;
}

bool resource_matches(const Statement& s, const RequestContext& ctx) {
  if (!s.has_resource) return true;
  thread_local std::string scratch;
  bool any = false;
  for (const Template& r : s.resources) {
    bool m;
    if (!r.dynamic()) {
      m = arn_match(r.text(), ctx.resource);
    } else {
      // An entry whose variables cannot be resolved matches nothing.
      m = r.expand(ctx, scratch, true) && arn_match(scratch, ctx.resource, true);
    }
    if (m) {
      any = true;
      break;
    }
  }
  return s.not_resource ? !any : any;
}

bool is_root_of(std::string_view entry, std::string_view account) {
  // "123456789012" or "arn:aws:iam::123456789012:root"
  if (entry == account) return true;
  return entry.starts_with("arn:") && entry.ends_with(":root") &&
         entry.size() == std::string_view("arn:aws:iam::").size() + account.size() + 5 &&
         entry.substr(entry.size() - 5 - account.size(), account.size()) == account;
}

}  // namespace

PrincipalMatch match_principal(const PrincipalSet& set, const PrincipalRef& caller) {
  if (set.any) return PrincipalMatch::kExact;
  PrincipalMatch best = PrincipalMatch::kNone;
  for (const std::string& a : set.aws) {
    if (!caller.arn.empty() && a == caller.arn) return PrincipalMatch::kExact;
    if (!caller.role_arn.empty() && a == caller.role_arn) best = PrincipalMatch::kRole;
    if (best == PrincipalMatch::kNone && !caller.account.empty() && is_root_of(a, caller.account))
      best = PrincipalMatch::kAccount;
  }
  if (!caller.federated.empty())
    for (const std::string& f : set.federated)
      if (f == caller.federated) return PrincipalMatch::kExact;
  if (!caller.service.empty())
    for (const std::string& s : set.service)
      if (s == caller.service || s == "*") return PrincipalMatch::kExact;
  return best;
}

bool statement_applies(const Statement& s, const Policy& p, const RequestContext& ctx, Trace* trace,
                       PrincipalMatch* how, bool caller_has_boundary) {
  (void)p;
  if (!action_matches(s, ctx.action)) return false;
  if (!resource_matches(s, ctx)) return false;
  if (s.has_principal) {
    PrincipalMatch m = match_principal(s.principals, ctx.principal);
    if (s.not_principal) {
      // Only the caller's own ARN exempts it: listing its account or its role does not. A Deny
      // with NotPrincipal denies a principal with a permissions boundary even when it is listed
      // (AWS, "IAM JSON policy elements: NotPrincipal").
      bool exempt =
          m == PrincipalMatch::kExact && !(s.effect == Effect::kDeny && caller_has_boundary);
      if (exempt) return false;
      m = PrincipalMatch::kExact;
    } else if (m == PrincipalMatch::kNone) {
      return false;
    }
    if (how) *how = std::max(*how, m);
  }
  bool all = true;
  for (const Condition& c : s.conditions) {
    if (condition_holds(c, ctx, trace)) continue;
    all = false;
    if (!trace) break;  // with a trace, every missing key is reported
  }
  return all;
}

Decision evaluate(const Policy& policy, const RequestContext& ctx, Trace* trace) {
  Decision d = Decision::kNotApplicable;
  for (const Statement& s : policy.statements) {
    if (!statement_applies(s, policy, ctx, trace)) continue;
    if (trace) trace->matched.push_back({&policy, &s});
    if (s.effect == Effect::kDeny) {
      d = Decision::kDeny;
      if (!trace) return d;
    } else if (d == Decision::kNotApplicable) {
      d = Decision::kAllow;
    }
  }
  return d;
}

namespace {
Decision combine(std::span<const Policy* const> policies, const RequestContext& ctx, Trace* trace) {
  Decision d = Decision::kNotApplicable;
  for (const Policy* p : policies) {
    Decision e = evaluate(*p, ctx, trace);
    if (e == Decision::kDeny) {
      d = e;
      if (!trace) return d;
    } else if (e == Decision::kAllow && d == Decision::kNotApplicable) {
      d = e;
    }
  }
  return d;
}
}  // namespace

DecisionDetail decide(const PolicySet& set, const RequestContext& ctx, Trace* trace) {
  DecisionDetail r;
  r.identity = combine(set.identity, ctx, trace);
  if (set.has_boundary) r.boundary = combine(set.boundary, ctx, trace);
  if (set.has_session) r.session = combine(set.session, ctx, trace);
  PrincipalMatch how = PrincipalMatch::kNone;
  if (set.resource) {
    bool allow = false, deny = false;
    for (const Statement& s : set.resource->statements) {
      PrincipalMatch m = PrincipalMatch::kNone;
      if (!statement_applies(s, *set.resource, ctx, trace, &m, set.has_boundary)) continue;
      if (trace) trace->matched.push_back({set.resource, &s});
      if (s.effect == Effect::kDeny) {
        deny = true;
      } else {
        allow = true;
        how = std::max(how, m);
      }
    }
    r.resource = deny ? Decision::kDeny : allow ? Decision::kAllow : Decision::kNotApplicable;
  }
  if (r.identity == Decision::kDeny || r.resource == Decision::kDeny ||
      r.boundary == Decision::kDeny || r.session == Decision::kDeny) {
    r.outcome = Outcome::kExplicitDeny;
    return r;
  }
  const bool identity_allows = r.identity == Decision::kAllow;
  const bool boundary_ok = !set.has_boundary || r.boundary == Decision::kAllow;
  const bool session_ok = !set.has_session || r.session == Decision::kAllow;
  const bool resource_allows = r.resource == Decision::kAllow;
  bool allowed;
  if (set.cross_account) {
    allowed = identity_allows && resource_allows && boundary_ok && session_ok;
  } else if (resource_allows && how == PrincipalMatch::kExact) {
    // A grant naming the caller itself is not limited by its boundary or session policy.
    allowed = true;
  } else {
    bool resource_counts = resource_allows && how == PrincipalMatch::kRole;
    allowed = (identity_allows || resource_counts) && boundary_ok && session_ok;
  }
  r.outcome = allowed ? Outcome::kAllowed : Outcome::kImplicitDeny;
  return r;
}

}  // namespace portcullis::iam
