#include "gateway/compile/gateway_responses.h"

#include <boost/json.hpp>

namespace portcullis::gateway {

namespace json = boost::json;

namespace {

struct TypeInfo {
  std::string_view name;
  int status;
};
constexpr TypeInfo kTypes[kResponseTypeCount] = {
    {"ACCESS_DENIED", 403},
    {"API_CONFIGURATION_ERROR", 500},
    {"AUTHORIZER_CONFIGURATION_ERROR", 500},
    {"AUTHORIZER_FAILURE", 500},
    {"BAD_REQUEST_BODY", 400},
    {"BAD_REQUEST_PARAMETERS", 400},
    {"DEFAULT_4XX", 0},
    {"DEFAULT_5XX", 0},
    {"EXPIRED_TOKEN", 403},
    {"INTEGRATION_FAILURE", 504},
    {"INTEGRATION_TIMEOUT", 504},
    {"INVALID_API_KEY", 403},
    {"INVALID_SIGNATURE", 403},
    {"MISSING_AUTHENTICATION_TOKEN", 403},
    {"QUOTA_EXCEEDED", 429},
    {"REQUEST_TOO_LARGE", 413},
    {"RESOURCE_NOT_FOUND", 404},
    {"THROTTLED", 429},
    {"UNAUTHORIZED", 401},
    {"UNSUPPORTED_MEDIA_TYPE", 415},
    {"WAF_FILTERED", 403},
};

constexpr std::string_view kDefaultTemplate = "{\"message\":$context.error.messageString}";

bool is_5xx(ResponseType t) {
  if (t == ResponseType::kDefault5xx) return true;
  if (t == ResponseType::kDefault4xx) return false;
  return default_status(t) >= 500;
}

std::string_view str(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) return {};
  const json::string* s = v->if_string();
  return s ? std::string_view(*s) : std::string_view();
}

const json::object* object_member(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v ? v->if_object() : nullptr;
}

int parse_status(std::string_view s) {
  if (s.size() != 3) return 0;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return 0;
    v = v * 10 + (c - '0');
  }
  return v;
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

}  // namespace

std::string_view response_type_name(ResponseType type) {
  return kTypes[static_cast<size_t>(type)].name;
}

std::optional<ResponseType> response_type_from_name(std::string_view name) {
  for (size_t i = 0; i < kResponseTypeCount; ++i)
    if (kTypes[i].name == name) return static_cast<ResponseType>(i);
  return std::nullopt;
}

int default_status(ResponseType type) { return kTypes[static_cast<size_t>(type)].status; }

std::optional<ValueSource> parse_value_source(std::string_view e) {
  ValueSource v;
  if (e.size() >= 2 && e.front() == '\'' && e.back() == '\'') {
    v.kind = ValueSource::kLiteral;
    v.value = e.substr(1, e.size() - 2);
    return v;
  }
  struct Prefix {
    std::string_view text;
    ValueSource::Kind kind;
  };
  static constexpr Prefix kPrefixes[] = {
      {"method.request.header.", ValueSource::kRequestHeader},
      {"method.request.path.", ValueSource::kRequestPath},
      {"method.request.querystring.", ValueSource::kRequestQuery},
      {"stageVariables.", ValueSource::kStageVariable},
      {"context.", ValueSource::kContext},
  };
  for (const Prefix& p : kPrefixes) {
    if (e.starts_with(p.text) && e.size() > p.text.size()) {
      v.kind = p.kind;
      v.value = e.substr(p.text.size());
      return v;
    }
  }
  return std::nullopt;
}

GatewayResponses::GatewayResponses() {
  for (size_t i = 0; i < kResponseTypeCount; ++i) {
    GatewayResponse& r = responses_[i];
    r.status = kTypes[i].status;
    r.templates = {{"application/json", std::string(kDefaultTemplate)}};
  }
}

GatewayResponses GatewayResponses::compile(const json::object& customised) {
  GatewayResponses out;
  // What one stored response says; `inherit` is the class default (DEFAULT_4XX/5XX) it falls
  // back to member by member, as a customised DEFAULT_4XX reaches every 4XX type not itself
  // customised.
  auto read = [](const json::object& stored, GatewayResponse& r) {
    if (int s = parse_status(str(stored, "statusCode"))) r.status = s;
    if (const json::object* params = object_member(stored, "responseParameters")) {
      for (const auto& kv : *params) {
        std::string_view key = kv.key();
        constexpr std::string_view kPrefix = "gatewayresponse.header.";
        const json::string* expr = kv.value().if_string();
        if (!key.starts_with(kPrefix) || !expr) continue;
        auto source = parse_value_source(*expr);
        if (!source) continue;
        std::string name(key.substr(kPrefix.size()));
        bool replaced = false;
        for (auto& [n, v] : r.headers)
          if (n == name) {
            v = *source;
            replaced = true;
          }
        if (!replaced) r.headers.emplace_back(std::move(name), std::move(*source));
      }
    }
    if (const json::object* templates = object_member(stored, "responseTemplates");
        templates && !templates->empty()) {
      r.templates.clear();
      for (const auto& kv : *templates)
        if (const json::string* t = kv.value().if_string())
          r.templates.emplace_back(std::string(kv.key()), std::string(*t));
    }
  };
  auto stored_of = [&](ResponseType t) -> const json::object* {
    return object_member(customised, response_type_name(t));
  };
  // The class defaults first, then every type over its class default.
  for (ResponseType d : {ResponseType::kDefault4xx, ResponseType::kDefault5xx})
    if (const json::object* s = stored_of(d)) {
      read(*s, out.responses_[static_cast<size_t>(d)]);
      out.customised_[static_cast<size_t>(d)] = true;
    }
  for (size_t i = 0; i < kResponseTypeCount; ++i) {
    auto t = static_cast<ResponseType>(i);
    if (t == ResponseType::kDefault4xx || t == ResponseType::kDefault5xx) continue;
    GatewayResponse& r = out.responses_[i];
    const GatewayResponse& cls = out.responses_[static_cast<size_t>(
        is_5xx(t) ? ResponseType::kDefault5xx : ResponseType::kDefault4xx)];
    if (cls.status) r.status = cls.status;
    r.headers = cls.headers;
    r.templates = cls.templates;
    // REQUEST_TOO_LARGE cannot be customised (§3.3).
    if (t == ResponseType::kRequestTooLarge) continue;
    if (const json::object* s = stored_of(t)) {
      if (parse_status(str(*s, "statusCode")) == 0) r.status = default_status(t);
      read(*s, r);
      out.customised_[i] = true;
    }
  }
  return out;
}

const std::pair<std::string, std::string>* choose_template(
    const std::vector<std::pair<std::string, std::string>>& templates, std::string_view accept) {
  if (templates.empty()) return nullptr;
  // The first media type of Accept, without its parameters.
  std::string_view first = accept.substr(0, accept.find(','));
  first = first.substr(0, first.find(';'));
  while (!first.empty() && first.front() == ' ') first.remove_prefix(1);
  while (!first.empty() && first.back() == ' ') first.remove_suffix(1);
  if (!first.empty())
    for (const auto& t : templates)
      if (t.first == first) return &t;
  for (const auto& t : templates)
    if (t.first == "application/json") return &t;
  return &templates.front();
}

std::string substitute(std::string_view text, const Lookup& lookup) {
  std::string out;
  out.reserve(text.size() + 32);
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c != '$') {
      out += c;
      ++i;
      continue;
    }
    // $name.path or ${name.path}
    bool braced = i + 1 < text.size() && text[i + 1] == '{';
    size_t start = i + (braced ? 2 : 1);
    size_t end = start;
    while (end < text.size() && is_name_char(text[end])) ++end;
    std::string_view name = text.substr(start, end - start);
    if (!braced)
      while (!name.empty() && name.back() == '.') {
        name.remove_suffix(1);
        --end;
      }
    bool known = name.starts_with("context.") || name.starts_with("stageVariables.");
    if (!known || (braced && (end >= text.size() || text[end] != '}'))) {
      out += c;
      ++i;
      continue;
    }
    if (auto v = lookup(name)) out += *v;
    i = end + (braced ? 1 : 0);
  }
  return out;
}

}  // namespace portcullis::gateway
