// Deployments (immutable snapshots of an API) and stages (a name, a deployment, variables and
// method settings).
#include <algorithm>

#include "gateway/api/call.h"

namespace portcullis::gateway::api {

namespace {

// What a deployment freezes of the API document.
constexpr std::string_view kFrozen[] = {"resources", "models", "validators", "authorizers",
                                        "responses"};

Result<json::object> load_deployment(Call& c, std::string_view api_id, std::string_view id) {
  return load_row(c, kDeployments, std::string(api_id) + "/" + std::string(id),
                  "Invalid Deployment identifier specified");
}

// {"/pets": {"GET": {"authorizationType": "NONE", "apiKeyRequired": false}}}
json::object api_summary(const json::object& snapshot) {
  json::object out;
  auto member = [](const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    return v ? *v : json::value();
  };
  for (const auto& kv : obj(snapshot, "resources")) {
    const json::object& r = obj(kv.value());
    if (!r.contains("resourceMethods")) continue;
    json::object& entry = out[sv(r, "path")].emplace_object();
    for (const auto& m : obj(r, "resourceMethods"))
      entry[m.key()] = json::object{{"authorizationType", member(obj(m.value()), "authorizationType")},
                                    {"apiKeyRequired", member(obj(m.value()), "apiKeyRequired")}};
  }
  return out;
}

Status check_stage_name(std::string_view name) {
  if (name.empty() || name.size() > 128 || !only_chars(name, "_-"))
    return std::unexpected(bad_request("Stage name only allows a-zA-Z0-9_-, at most 128 characters"));
  return {};
}

Status check_variables(const json::object& vars) {
  for (const auto& kv : vars) {
    std::string_view k = kv.key();
    if (k.empty() || k.size() > 64 || !only_chars(k, "_"))
      return std::unexpected(bad_request(
          "Stage variable name '" + std::string(k) +
          "' must be alphanumeric and underscores only, at most 64 characters"));
    std::string_view v = sv(kv.value());  // opt_map or a patch made it a string
    if (v.empty() || v.size() > 512 || !only_chars(v, "-._~:/?#&=,"))
      return std::unexpected(bad_request(
          "Stage variable value '" + std::string(v) +
          "' must be alphanumeric and the characters -._~:/?#&=, only, at most 512 characters"));
  }
  return {};
}

Status check_canary(const json::value& v) {
  if (!v.is_object()) return std::unexpected(bad_request("canarySettings must be a structure"));
  const json::object& canary = v.get_object();
  auto percent = PC_TRY(opt_number(canary, "percentTraffic"));
  if (percent && (*percent < 0 || *percent > 100))
    return std::unexpected(bad_request("Canary percentTraffic must be between 0.0 and 100.0"));
  PC_TRY(opt_str(canary, "deploymentId"));
  PC_TRY(opt_map(canary, "stageVariableOverrides"));
  PC_TRY(opt_bool(canary, "useStageCache"));
  return {};
}

// A stage may name only a documentation version the API has.
Status check_documentation_version(json::object& doc, const json::object& s) {
  if (auto v = sv(s, "documentationVersion"); !v.empty() && !section(doc, "docversions").contains(v))
    return std::unexpected(bad_request("Invalid documentation version specified: " + std::string(v)));
  return {};
}

Status check_stage(const json::object& s) {
  if (auto* canary = s.if_contains("canarySettings")) PC_CHECK(check_canary(*canary));
  if (auto size = sv(s, "cacheClusterSize"); !size.empty())
    PC_CHECK(check_enum(size, "cacheClusterSize",
                        {"0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237"}));
  if (auto* vars = s.if_contains("variables")) PC_CHECK(check_variables(obj(*vars)));
  return {};
}

// Reads the stage members a CreateStage or CreateDeployment body may carry.
Status read_stage_members(const json::object& body, json::object& s, bool from_deployment) {
  PC_TRY(opt_str(body, from_deployment ? "stageDescription" : "description"));
  PC_TRY(opt_str(body, "cacheClusterSize"));
  PC_TRY(opt_str(body, "documentationVersion"));
  PC_TRY(opt_bool(body, "cacheClusterEnabled"));
  PC_TRY(opt_bool(body, "tracingEnabled"));
  PC_TRY(opt_map(body, "variables"));
  if (auto d = sv(body, from_deployment ? "stageDescription" : "description"); !d.empty())
    s["description"] = d;
  copy_members(s, body, {"cacheClusterEnabled", "cacheClusterSize", "variables", "tracingEnabled"});
  // (A deployment's body carries neither: the model has no such members there.)
  if (!from_deployment) copy_members(s, body, {"canarySettings", "documentationVersion"});
  if (auto* cache = s.if_contains("cacheClusterEnabled"); cache && cache->is_bool() && cache->get_bool()) {
    s["cacheClusterStatus"] = "AVAILABLE";
    if (!s.contains("cacheClusterSize")) s["cacheClusterSize"] = "0.5";
  }
  return check_stage(s);
}

json::object new_stage(const Call& c, std::string_view name, std::string_view deployment) {
  return {{"deploymentId", deployment},
          {"stageName", name},
          {"cacheClusterEnabled", false},
          {"cacheClusterStatus", "NOT_AVAILABLE"},
          {"methodSettings", json::object()},
          {"tracingEnabled", false},
          {"createdDate", c.epoch()},
          {"lastUpdatedDate", c.epoch()}};
}

// --- Deployments ----------------------------------------------------------------------------

Status create_deployment(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  bool any_method = false;
  for (const auto& kv : section(doc, "resources")) {
    for (const auto& m : obj(obj(kv.value()), "resourceMethods")) {
      any_method = true;
      if (!obj(m.value()).contains("methodIntegration"))
        return std::unexpected(bad_request("No integration defined for method"));
    }
  }
  if (!any_method) return std::unexpected(bad_request("The REST API doesn't contain any methods"));
  PC_TRY(opt_str(c.body, "description"));
  auto stage_name = PC_TRY(opt_str(c.body, "stageName"));
  const std::string& api_id = c.label("restapi_id");
  json::object deployment{{"id", PC_TRY(unused_id(c, kDeployments, 6, api_id + "/"))},
                          {"createdDate", c.epoch()}};
  copy_members(deployment, c.body, {"description"});

  if (stage_name) {
    PC_CHECK(check_stage_name(*stage_name));
    json::object& stages = section(doc, "stages");
    json::object s = stages.contains(*stage_name)
                         ? obj(stages[*stage_name])
                         : new_stage(c, *stage_name, sv(deployment, "id"));
    if (auto* canary = c.body.if_contains("canarySettings"); canary && !canary->is_null()) {
      // A canary release: the stage keeps its deployment and sends a share of its traffic to
      // the new one.
      if (!stages.contains(*stage_name))
        return std::unexpected(bad_request("A canary deployment needs an existing stage: " + *stage_name));
      PC_CHECK(check_canary(*canary));
      json::object settings = canary->get_object();  // check_canary: an object
      settings["deploymentId"] = sv(deployment, "id");
      s["canarySettings"] = std::move(settings);
    } else {
      s["deploymentId"] = sv(deployment, "id");
    }
    s["lastUpdatedDate"] = c.epoch();
    PC_CHECK(read_stage_members(c.body, s, true));
    stages[*stage_name] = std::move(s);
  }
  json::object frozen{{"api", doc["api"]}};
  for (std::string_view k : kFrozen) frozen[k] = section(doc, k);
  json::object stored{{"deployment", deployment}, {"snapshot", std::move(frozen)}};
  PC_CHECK(c.txn.put(kDeployments, api_id + "/" + std::string(sv(deployment, "id")),
                     json::serialize(stored)));
  PC_CHECK(save_api(c, doc));
  c.out = std::move(deployment);
  return {};
}

json::object deployment_view(const Call& c, json::object& stored) {
  json::object d = obj(stored, "deployment");
  for (const std::string& e : c.query_all("embed"))
    if (e == "apisummary") d["apiSummary"] = api_summary(obj(stored, "snapshot"));
  return d;
}

Status get_deployment(Call& c) {
  PC_TRY(load_api(c));
  json::object stored = PC_TRY(load_deployment(c, c.label("restapi_id"), c.label("deployment_id")));
  c.out = deployment_view(c, stored);
  return {};
}

Status get_deployments(Call& c) {
  PC_TRY(load_api(c));
  std::vector<json::value> items;
  for (auto& [key, text] : PC_TRY(c.txn.scan(kDeployments, c.label("restapi_id") + "/"))) {
    json::object stored = parse_row(text);
    items.push_back(deployment_view(c, stored));
  }
  std::stable_sort(items.begin(), items.end(), [](const json::value& a, const json::value& b) {
    return num(obj(a), "createdDate") < num(obj(b), "createdDate");
  });
  return write_items(c, items);
}

Status update_deployment(Call& c) {
  static constexpr PatchRule kRules[] = {{"/description", kReplace, PatchKind::kString}};
  PC_TRY(load_api(c));
  const std::string key = c.label("restapi_id") + "/" + c.label("deployment_id");
  json::object stored = PC_TRY(load_deployment(c, c.label("restapi_id"), c.label("deployment_id")));
  // Only the description changes: what was deployed never does.
  PC_CHECK(apply_patch(ensure_object(stored["deployment"]), PC_TRY(patch_operations(c.body)), kRules));
  PC_CHECK(c.txn.put(kDeployments, key, json::serialize(stored)));
  c.out = stored["deployment"];
  return {};
}

Status delete_deployment(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  const std::string& id = c.label("deployment_id");
  PC_TRY(load_deployment(c, c.label("restapi_id"), id));
  for (const auto& kv : section(doc, "stages"))
    if (sv(obj(kv.value()), "deploymentId") == id)
      return std::unexpected(
          bad_request("Active stages pointing to this deployment must be moved or deleted"));
  return c.txn.erase(kDeployments, c.label("restapi_id") + "/" + id);
}

// --- Stages ---------------------------------------------------------------------------------

Result<json::object*> find_stage(Call& c, json::object& doc) {
  return find_in(doc, "stages", c.label("stage_name"), "Invalid Stage identifier specified");
}

Status create_stage(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  std::string name = PC_TRY(req_str(c.body, "stageName"));
  std::string deployment = PC_TRY(req_str(c.body, "deploymentId"));
  PC_CHECK(check_stage_name(name));
  PC_TRY(load_deployment(c, c.label("restapi_id"), deployment));
  if (section(doc, "stages").contains(name))
    return std::unexpected(conflict("Stage already exists"));
  json::object s = new_stage(c, name, deployment);
  PC_CHECK(read_stage_members(c.body, s, false));
  PC_CHECK(check_documentation_version(doc, s));
  if (auto tags = PC_TRY(opt_tags(c.body)); tags && !tags->empty()) s["tags"] = *tags;
  section(doc, "stages")[name] = s;
  PC_CHECK(save_api(c, doc));
  c.out = std::move(s);
  return {};
}

Status get_stage(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  c.out = *PC_TRY(find_stage(c, doc));
  return {};
}

Status get_stages(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  json::array items;
  auto deployment = c.query("deploymentId");
  for (const auto& kv : section(doc, "stages"))
    if (!deployment || sv(obj(kv.value()), "deploymentId") == *deployment)
      items.push_back(kv.value());
  c.out = json::object{{"item", std::move(items)}};
  return {};
}

// Method settings: /{resource path, ~1-escaped, or *}/{method or *}/{group}/{setting}.
struct Setting {
  std::string_view group, name, member;
  PatchKind kind;
};
constexpr Setting kSettings[] = {
    {"metrics", "enabled", "metricsEnabled", PatchKind::kBool},
    {"logging", "loglevel", "loggingLevel", PatchKind::kString},
    {"logging", "dataTrace", "dataTraceEnabled", PatchKind::kBool},
    {"throttling", "burstLimit", "throttlingBurstLimit", PatchKind::kInt},
    {"throttling", "rateLimit", "throttlingRateLimit", PatchKind::kNumber},
    {"caching", "enabled", "cachingEnabled", PatchKind::kBool},
    {"caching", "ttlInSeconds", "cacheTtlInSeconds", PatchKind::kInt},
    {"caching", "dataEncrypted", "cacheDataEncrypted", PatchKind::kBool},
    {"caching", "requireAuthorizationForCacheControl", "requireAuthorizationForCacheControl",
     PatchKind::kBool},
    {"caching", "unauthorizedCacheControlHeaderStrategy", "unauthorizedCacheControlHeaderStrategy",
     PatchKind::kString},
};

// A method setting as API Gateway starts one: no loggingLevel until one is set.
json::object default_method_setting() {
  return {{"metricsEnabled", false},
          {"dataTraceEnabled", false},
          {"throttlingBurstLimit", 5000},
          {"throttlingRateLimit", 10000.0},
          {"cachingEnabled", false},
          {"cacheTtlInSeconds", 300},
          {"cacheDataEncrypted", false},
          {"requireAuthorizationForCacheControl", true},
          {"unauthorizedCacheControlHeaderStrategy", "SUCCEED_WITH_RESPONSE_HEADER"}};
}

// The key of a method setting: its resource path as the patch path addresses it ("*",
// "~1pets" or "pets/toys"), then the method.
std::string setting_key(const std::vector<std::string>& keys) { return keys[0] + "/" + keys[1]; }

Status set_method_setting(json::object& stage, const PatchOperation& op,
                          const std::vector<std::string>& keys) {
  const Setting* setting = nullptr;
  for (const Setting& s : kSettings)
    if (keys[2] == s.group && keys[3] == s.name) setting = &s;
  if (!setting) return std::unexpected(bad_request("Invalid method setting path: " + op.path));
  if (keys[1] != "*" && !is_http_method(keys[1]))
    return std::unexpected(bad_request("Invalid method setting path: " + op.path));
  json::object& settings = section(stage, "methodSettings");
  json::value& entry = settings[setting_key(keys)];
  if (!entry.is_object()) entry = default_method_setting();
  json::object& ms = entry.get_object();
  switch (setting->kind) {
    case PatchKind::kBool: ms[setting->member] = PC_TRY(patch_bool(op)); break;
    case PatchKind::kInt: ms[setting->member] = PC_TRY(patch_int(op)); break;
    case PatchKind::kNumber: ms[setting->member] = PC_TRY(patch_number(op)); break;
    default:
      if (setting->member == "loggingLevel")
        PC_CHECK(check_enum(op.value.value_or(""), "loggingLevel", {"OFF", "ERROR", "INFO"}));
      else
        PC_CHECK(check_enum(op.value.value_or(""), "unauthorizedCacheControlHeaderStrategy",
                            {"FAIL_WITH_403", "SUCCEED_WITH_RESPONSE_HEADER",
                             "SUCCEED_WITHOUT_RESPONSE_HEADER"}));
      ms[setting->member] = *op.value;
  }
  return {};
}

Status remove_method_setting(json::object& stage, const PatchOperation&,
                             const std::vector<std::string>& keys) {
  std::string key = setting_key(keys);
  if (!section(stage, "methodSettings").erase(key))
    return std::unexpected(bad_request("Cannot remove method setting " + key +
                                       " because there is no method setting for this method "));
  return {};
}

Status update_stage(Call& c) {
  static constexpr PatchRule kRules[] = {
      {"/description", kReplace, PatchKind::kString},
      {"/deploymentId", kReplace, PatchKind::kString},
      {"/cacheClusterEnabled", kReplace, PatchKind::kBool},
      {"/cacheClusterSize", kReplace, PatchKind::kString},
      {"/tracingEnabled", kReplace, PatchKind::kBool},
      {"/clientCertificateId", kReplace, PatchKind::kString},
      {"/documentationVersion", kReplace, PatchKind::kString},
      {"/webAclArn", kReplace, PatchKind::kString},
      {"/variables/*", kEntryOps, PatchKind::kMapString, "variables"},
      {"/accessLogSettings/format", kReplace, PatchKind::kString},
      {"/accessLogSettings/destinationArn", kReplace, PatchKind::kString},
      {"/accessLogSettings", kRemove, PatchKind::kString},
      // A canary release: its share of the traffic, its deployment (promotion), its end.
      {"/canarySettings/percentTraffic", kReplace, PatchKind::kNumber},
      {"/canarySettings/deploymentId", kReplace, PatchKind::kString},
      {"/canarySettings/useStageCache", kReplace, PatchKind::kBool},
      {"/canarySettings", kRemove, PatchKind::kString},
      {"/**/*", kRemove, PatchKind::kCustom, {}, remove_method_setting},
      {"/**/*/*/*", kReplace, PatchKind::kCustom, {}, set_method_setting},
  };
  auto find = [&](json::object& doc) { return find_stage(c, doc); };
  return patch_part(c, find, kRules, [&](json::object& doc, json::object& s) -> Status {
    PC_TRY(load_deployment(c, c.label("restapi_id"), sv(s, "deploymentId")));
    PC_CHECK(check_documentation_version(doc, s));
    if (auto cert = sv(s, "clientCertificateId"); !cert.empty() && !PC_TRY(c.txn.get(kClientCertificates, cert)))
      return std::unexpected(bad_request("Invalid client certificate identifier specified"));
    if (auto* cache = s.if_contains("cacheClusterEnabled"))
      s["cacheClusterStatus"] = cache->is_bool() && cache->get_bool() ? "AVAILABLE" : "NOT_AVAILABLE";
    s["lastUpdatedDate"] = c.epoch();
    return check_stage(s);
  });
}

Status delete_stage(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  PC_TRY(find_stage(c, doc));
  section(doc, "stages").erase(c.label("stage_name"));
  PC_CHECK(forget_stage(c, c.label("restapi_id"), c.label("stage_name")));
  return save_api(c, doc);
}

Status flush_cache(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  PC_TRY(find_stage(c, doc));
  return {};  // Portcullis keeps no response or authorizer cache to flush yet.
}

constexpr Op kOps[] = {
    {"CreateDeployment", create_deployment},
    {"GetDeployment", get_deployment},
    {"GetDeployments", get_deployments},
    {"UpdateDeployment", update_deployment},
    {"DeleteDeployment", delete_deployment},
    {"CreateStage", create_stage},
    {"GetStage", get_stage},
    {"GetStages", get_stages},
    {"UpdateStage", update_stage},
    {"DeleteStage", delete_stage},
    {"FlushStageCache", flush_cache},
    {"FlushStageAuthorizersCache", flush_cache},
};

}  // namespace

Status forget_stage(Call& c, std::string_view api_id, std::string_view stage) {
  auto names = [&](std::string_view api, std::string_view s) {
    return api == api_id && (stage.empty() || s == stage);
  };
  for (auto& [key, text] : PC_TRY(c.txn.scan(kUsagePlans))) {
    json::object plan = parse_row(text);
    json::value* stages = plan.if_contains("apiStages");
    if (!stages || !stages->is_array()) continue;
    json::array& a = stages->get_array();
    size_t before = a.size();
    erase_where(a, [&](const json::value& v) {
      return names(sv(obj(v), "apiId"), sv(obj(v), "stage"));
    });
    if (a.size() != before) PC_CHECK(c.txn.put(kUsagePlans, key, json::serialize(plan)));
  }
  for (auto& [key, text] : PC_TRY(c.txn.scan(kDomainNames))) {
    json::object domain = parse_row(text);
    json::object& mappings = section(domain, "mappings");
    size_t before = mappings.size();
    for (auto it = mappings.begin(); it != mappings.end();) {
      const json::object& m = obj(it->value());
      // (A mapping without a stage follows its API, not a stage: only the API's end ends it.)
      bool gone = sv(m, "restApiId") == api_id && (stage.empty() || sv(m, "stage") == stage);
      it = gone ? mappings.erase(it) : it + 1;
    }
    if (mappings.size() != before) PC_CHECK(c.txn.put(kDomainNames, key, json::serialize(domain)));
  }
  return {};
}

// The deployment a stage serves: the frozen API, for the invoke path and exports.
Result<json::object> deployed_api(Call& c, std::string_view api_id, std::string_view stage) {
  json::object doc = PC_TRY(load_api(c, api_id));
  json::object* s = PC_TRY(find_in(doc, "stages", stage, "Invalid Stage identifier specified"));
  json::object stored = PC_TRY(load_deployment(c, api_id, sv(*s, "deploymentId")));
  json::object snapshot = std::move(ensure_object(stored["snapshot"]));
  snapshot["stage"] = *s;
  if (auto version = sv(*s, "documentationVersion"); !version.empty())
    if (auto* v = section(doc, "docversions").if_contains(version); v && v->is_object())
      snapshot["documentation"] = json::object{{"version", version},
                                               {"createdDate", num(v->get_object(), "createdDate")},
                                               {"parts", obj(v->get_object(), "parts")}};
  return snapshot;
}

std::span<const Op> stage_ops() { return kOps; }

}  // namespace portcullis::gateway::api
