#include "gateway/compile/deployment.h"

#include <algorithm>
#include <boost/json.hpp>

#include "core/log.h"

namespace portcullis::gateway {

namespace json = boost::json;

namespace {

constexpr std::string_view kVerbNames[kVerbCount] = {"DELETE", "GET",  "HEAD", "OPTIONS",
                                                     "PATCH",  "POST", "PUT",  "ANY"};

std::string_view str(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  const json::string* s = v ? v->if_string() : nullptr;
  return s ? std::string_view(*s) : std::string_view();
}

const json::object& object_member(const json::object& o, std::string_view key) {
  static const json::object kEmpty;
  const json::value* v = o.if_contains(key);
  const json::object* p = v ? v->if_object() : nullptr;
  return p ? *p : kEmpty;
}

bool flag(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_bool() && v->get_bool();
}

std::vector<MappingTemplate> templates_of(const json::object& o) {
  std::vector<MappingTemplate> out;
  for (const auto& kv : o) {
    const json::string* t = kv.value().if_string();
    if (!t) continue;
    MappingTemplate m{std::string(kv.key()), std::string(*t), false};
    m.literal = m.text.find_first_of("$#\\") == std::string::npos;
    out.push_back(std::move(m));
  }
  return out;
}

Integration compile_integration(const json::object& i) {
  Integration out;
  std::string_view type = str(i, "type");
  out.type = type == "HTTP"         ? IntegrationType::kHttp
             : type == "HTTP_PROXY" ? IntegrationType::kHttpProxy
             : type == "AWS"        ? IntegrationType::kAws
             : type == "AWS_PROXY"  ? IntegrationType::kAwsProxy
                                    : IntegrationType::kMock;
  out.passthrough_behavior = str(i, "passthroughBehavior");
  out.request_templates = templates_of(object_member(i, "requestTemplates"));
  for (const auto& kv : object_member(i, "integrationResponses")) {
    const json::object* r = kv.value().if_object();
    if (!r) continue;
    IntegrationResponse ir;
    ir.status_code = str(*r, "statusCode");
    if (ir.status_code.empty()) ir.status_code = kv.key();
    ir.selection_pattern = str(*r, "selectionPattern");
    for (const auto& p : object_member(*r, "responseParameters")) {
      constexpr std::string_view kPrefix = "method.response.header.";
      const json::string* expr = p.value().if_string();
      if (!p.key().starts_with(kPrefix) || !expr) continue;
      if (auto source = parse_value_source(*expr))
        ir.headers.emplace_back(std::string(p.key().substr(kPrefix.size())), std::move(*source));
    }
    ir.templates = templates_of(object_member(*r, "responseTemplates"));
    out.responses.push_back(std::move(ir));
  }
  // The response without a selection pattern is the default; ".*" acts as one too (§5.4).
  for (size_t k = 0; k < out.responses.size() && out.default_response < 0; ++k)
    if (out.responses[k].selection_pattern.empty()) out.default_response = static_cast<int>(k);
  for (size_t k = 0; k < out.responses.size() && out.default_response < 0; ++k)
    if (out.responses[k].selection_pattern == ".*") out.default_response = static_cast<int>(k);
  return out;
}

Authorization authorization_of(std::string_view type) {
  if (type == "AWS_IAM") return Authorization::kAwsIam;
  if (type == "CUSTOM") return Authorization::kCustom;
  if (type == "COGNITO_USER_POOLS") return Authorization::kCognitoUserPools;
  return Authorization::kNone;
}

void expand_resource(json::value& v, std::string_view prefix) {
  constexpr std::string_view kShort = "execute-api:/";
  auto fix = [&](json::value& s) {
    if (const json::string* text = s.if_string(); text && text->starts_with(kShort))
      s = std::string(prefix) + std::string(std::string_view(*text).substr(kShort.size()));
  };
  if (json::array* a = v.if_array())
    for (json::value& e : *a) fix(e);
  else
    fix(v);
}

}  // namespace

std::optional<Verb> verb_from_name(std::string_view name) {
  for (size_t i = 0; i < kVerbCount; ++i)
    if (kVerbNames[i] == name) return static_cast<Verb>(i);
  return std::nullopt;
}

bool Resource::has_methods() const {
  return std::any_of(methods.begin(), methods.end(), [](int32_t m) { return m >= 0; });
}

std::string expand_policy_shorthand(std::string_view policy, std::string_view region,
                                    std::string_view account, std::string_view api_id) {
  boost::system::error_code ec;
  json::value doc = json::parse(policy, ec);
  if (ec || !doc.is_object()) return std::string(policy);
  std::string prefix = "arn:aws:execute-api:" + std::string(region) + ":" + std::string(account) +
                       ":" + std::string(api_id) + "/";
  json::value* statements = doc.get_object().if_contains("Statement");
  if (!statements) return std::string(policy);
  auto each = [&](json::value& s) {
    if (json::object* st = s.if_object()) {
      for (std::string_view key : {"Resource", "NotResource"})
        if (json::value* r = st->if_contains(key)) expand_resource(*r, prefix);
    }
  };
  if (json::array* a = statements->if_array())
    for (json::value& s : *a) each(s);
  else
    each(*statements);
  return json::serialize(doc);
}

const std::string* Deployment::variable(std::string_view name) const {
  for (const auto& [k, v] : source_.variables)
    if (k == name) return &v;
  return nullptr;
}

const Method* Deployment::method_for(int32_t resource, std::string_view verb) const {
  if (resource < 0 || static_cast<size_t>(resource) >= resources_.size()) return nullptr;
  auto v = verb_from_name(verb);
  if (!v || *v == Verb::kAny) return nullptr;
  const Resource& r = resources_[resource];
  int32_t m = r.methods[static_cast<size_t>(*v)];
  if (m < 0) m = r.methods[static_cast<size_t>(Verb::kAny)];
  return m >= 0 ? &methods_[m] : nullptr;
}

Result<std::shared_ptr<const Deployment>> Deployment::compile(DeploymentSource source,
                                                              const json::object& snapshot,
                                                              const PolicyCompiler& policies) {
  auto d = std::make_shared<Deployment>();
  d->source_ = std::move(source);
  const DeploymentSource& s = d->source_;
  d->arn_prefix_ =
      "arn:aws:execute-api:" + s.region + ":" + s.account + ":" + s.api_id + "/" + s.stage + "/";
  const json::object& api = object_member(snapshot, "api");
  d->disable_execute_api_endpoint_ = flag(api, "disableExecuteApiEndpoint");

  for (const auto& kv : object_member(snapshot, "resources")) {
    const json::object* r = kv.value().if_object();
    if (!r) continue;
    Resource res;
    res.id = str(*r, "id");
    if (res.id.empty()) res.id = kv.key();
    res.path = str(*r, "path");
    if (res.path.empty()) res.path = "/";
    res.methods.fill(-1);
    const auto index = static_cast<int32_t>(d->resources_.size());
    for (const auto& m : object_member(*r, "resourceMethods")) {
      const json::object* mo = m.value().if_object();
      auto verb = verb_from_name(m.key());
      if (!mo || !verb) continue;
      Method method;
      method.http_method = m.key();
      method.resource = index;
      method.authorization = authorization_of(str(*mo, "authorizationType"));
      method.api_key_required = flag(*mo, "apiKeyRequired");
      method.integration = compile_integration(object_member(*mo, "methodIntegration"));
      for (const auto& mr : object_member(*mo, "methodResponses"))
        method.response_statuses.emplace_back(mr.key());
      res.methods[static_cast<size_t>(*verb)] = static_cast<int32_t>(d->methods_.size());
      d->methods_.push_back(std::move(method));
    }
    d->router_.add(res.path, index);
    d->resources_.push_back(std::move(res));
  }
  d->router_.finish();
  d->responses_ = GatewayResponses::compile(object_member(snapshot, "responses"));

  if (std::string_view policy = str(api, "policy"); !policy.empty()) {
    auto compiled = policies
                        ? policies(expand_policy_shorthand(policy, s.region, s.account, s.api_id))
                        : Result<std::shared_ptr<const CompiledPolicy>>(nullptr);
    if (compiled && *compiled) {
      d->policy_ = std::move(*compiled);
    } else {
      // Fail closed: a policy that cannot be evaluated denies every call.
      d->policy_broken_ = true;
      log::error("apigateway: the resource policy of API " + s.api_id + " (" + s.region +
                 ") does not compile; every call to it is denied: " +
                 (compiled ? std::string("no policy engine") : compiled.error().message));
    }
  }
  return std::shared_ptr<const Deployment>(std::move(d));
}

}  // namespace portcullis::gateway
