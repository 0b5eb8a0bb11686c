// REST APIs (create, get, list, update through patch operations, delete), the account's
// settings, tags on any taggable entity, and the SDK types.
#include "gateway/api/call.h"

namespace portcullis::gateway::api {

namespace {

const char* const kEmptySchema =
    "{\n  \"$schema\": \"http://json-schema.org/draft-04/schema#\",\n  \"title\" : \"Empty "
    "Schema\",\n  \"type\" : \"object\"\n}";
const char* const kErrorSchema =
    "{\n  \"$schema\" : \"http://json-schema.org/draft-04/schema#\",\n  \"title\" : \"Error "
    "Schema\",\n  \"type\" : \"object\",\n  \"properties\" : {\n    \"message\" : { \"type\" : "
    "\"string\" }\n  }\n}";

json::object default_model(std::string_view name, std::string_view description,
                           std::string_view schema) {
  return {{"id", new_id(6)},
          {"name", name},
          {"description", description},
          {"schema", schema},
          {"contentType", "application/json"}};
}

Status check_endpoint_configuration(const json::object& api, std::string_view input) {
  auto it = api.find("endpointConfiguration");
  if (it == api.end()) return {};
  if (!it->value().is_object())
    return std::unexpected(bad_request("endpointConfiguration must be a structure"));
  const json::object& ec = it->value().get_object();
  auto types = PC_TRY(opt_list(ec, "types"));
  if (!types || types->size() != 1)
    return std::unexpected(bad_request(
        "A REST API must have exactly one endpoint type: EDGE, REGIONAL or PRIVATE"));
  PC_CHECK(check_enum((*types)[0].get_string(),  // opt_list: strings
                      input.empty() ? "endpointConfiguration.types"
                                    : std::string(input) + ".endpointConfiguration.types.member",
                      {"EDGE", "REGIONAL", "PRIVATE"}, !input.empty()));
  auto vpce = PC_TRY(opt_list(ec, "vpcEndpointIds"));
  if (vpce && !vpce->empty() && (*types)[0].get_string() != "PRIVATE")
    return std::unexpected(
        bad_request("VPC endpoint IDs can only be associated with PRIVATE endpoint types"));
  return {};
}

}  // namespace

// Checks what a RestApi document holds, after a create or a patch.
Status check_api(const json::object& api, std::string_view input) {
  if (sv(api, "name").empty())
    return std::unexpected(bad_request("Invalid REST API name specified: the name is empty"));
  PC_CHECK(check_enum(sv(api, "apiKeySource"),
                      input.empty() ? "apiKeySource" : std::string(input) + ".apiKeySource",
                      {"HEADER", "AUTHORIZER"}, !input.empty()));
  PC_CHECK(check_endpoint_configuration(api, input));
  if (auto size = PC_TRY(opt_int(api, "minimumCompressionSize")); size && (*size < 0 || *size > 10485760))
    return std::unexpected(bad_request(
        "Invalid minimum compression size, must be between 0 and 10485760 (10M) bytes"));
  if (auto policy = sv(api, "policy"); !policy.empty()) {
    if (!parse_json(policy).is_object())
      return std::unexpected(bad_request(
          "Invalid policy document. Please check the policy syntax and ensure that Principals "
          "are valid."));
  }
  return {};
}

namespace {

Status create_rest_api(Call& c) {
  json::object api;
  api["id"] = "";
  api["name"] = PC_TRY(req_str(c.body, "name"));
  for (std::string_view k : {"description", "version", "policy", "cloneFrom"}) PC_TRY(opt_str(c.body, k));
  PC_TRY(opt_list(c.body, "binaryMediaTypes"));
  PC_TRY(opt_int(c.body, "minimumCompressionSize"));
  PC_TRY(opt_bool(c.body, "disableExecuteApiEndpoint"));
  copy_members(api, c.body, {"description", "version", "binaryMediaTypes", "minimumCompressionSize",
                             "apiKeySource", "endpointConfiguration", "policy",
                             "disableExecuteApiEndpoint"});
  PC_TRY(opt_str(c.body, "apiKeySource"));
  if (!api.contains("apiKeySource")) api["apiKeySource"] = "HEADER";
  if (!api.contains("endpointConfiguration"))
    api["endpointConfiguration"] = json::object{{"types", json::array{"EDGE"}}};
  if (!api.contains("disableExecuteApiEndpoint")) api["disableExecuteApiEndpoint"] = false;
  if (auto d = c.body.if_contains("description"); d && d->is_string() && d->get_string().empty())
    return std::unexpected(bad_request("Description cannot be an empty string"));
  PC_CHECK(check_api(api, "createRestApiInput"));
  if (auto tags = PC_TRY(opt_tags(c.body)); tags && !tags->empty()) api["tags"] = *tags;
  api["createdDate"] = c.epoch();

  json::object doc;
  if (auto from = sv(c.body, "cloneFrom"); !from.empty()) {
    // A clone holds the source's resources, methods and models, not its stages or deployments.
    doc = PC_TRY(load_api(c, from));
    doc.erase("stages");
    api["rootResourceId"] = sv(obj(doc, "api"), "rootResourceId");
  } else {
    std::string root = new_id(10);
    api["rootResourceId"] = root;
    section(doc, "resources")[root] = json::object{{"id", root}, {"path", "/"}};
    json::object& models = section(doc, "models");
    models["Empty"] = default_model("Empty", "This is a default empty schema model", kEmptySchema);
    models["Error"] = default_model("Error", "This is a default error schema model", kErrorSchema);
  }
  api["id"] = PC_TRY(unused_id(c, kApis, 10));
  doc["api"] = api;
  PC_CHECK(save_api(c, doc));
  c.out = std::move(api);
  return {};
}

Status get_rest_api(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  c.out = std::move(doc["api"]);
  return {};
}

Status get_rest_apis(Call& c) {
  auto rows = PC_TRY(c.txn.scan(kApis));
  std::vector<json::value> items;
  for (auto& [key, text] : rows) items.push_back(obj(parse_row(text), "api"));
  std::sort(items.begin(), items.end(), [](const json::value& a, const json::value& b) {
    return num(obj(a), "createdDate") < num(obj(b), "createdDate");
  });
  return write_items(c, items);
}

// replace /endpointConfiguration/types/{0 or the current type}.
Status set_endpoint_type(json::object& api, const PatchOperation& op,
                         const std::vector<std::string>&) {
  if (!op.value) return std::unexpected(bad_request("Invalid endpoint type: null"));
  PC_CHECK(check_enum(*op.value, "endpointConfiguration.types", {"EDGE", "REGIONAL", "PRIVATE"}));
  json::object& ec = *member_at(api, "endpointConfiguration", true)->if_object();
  ec["types"] = json::array{json::string(*op.value)};
  if (*op.value != "PRIVATE") ec.erase("vpcEndpointIds");
  return {};
}

// An empty minimum compression size turns compression off.
Status set_compression_size(json::object& api, const PatchOperation& op,
                            const std::vector<std::string>&) {
  if (!op.value || op.value->empty()) api.erase("minimumCompressionSize");
  else api["minimumCompressionSize"] = PC_TRY(patch_int(op));
  return {};
}

// add, remove or replace /endpointConfiguration/vpcEndpointIds with the endpoint as the value.
Status set_vpc_endpoint(json::object& api, const PatchOperation& op,
                        const std::vector<std::string>&) {
  if (!op.value || op.value->empty())
    return std::unexpected(bad_request("Invalid VPC endpoint id: the value is empty"));
  json::array& a =
      ensure_array(ensure_object(*member_at(api, "endpointConfiguration", true))["vpcEndpointIds"]);
  if (op.verb == kReplace) a.clear();
  erase_where(a, [&](const json::value& v) { return sv(v) == *op.value; });
  if (op.verb != kRemove) a.emplace_back(*op.value);
  if (a.empty()) ensure_object(api["endpointConfiguration"]).erase("vpcEndpointIds");
  return {};
}

Status update_rest_api(Call& c) {
  static constexpr PatchRule kRules[] = {
      {"/name", kReplace, PatchKind::kString},
      {"/description", kReplace, PatchKind::kString},
      {"/version", kReplace, PatchKind::kString},
      {"/policy", kReplace, PatchKind::kString},
      {"/apiKeySource", kReplace, PatchKind::kString},
      {"/minimumCompressionSize", kReplace, PatchKind::kCustom, {}, set_compression_size},
      {"/disableExecuteApiEndpoint", kReplace, PatchKind::kBool},
      {"/binaryMediaTypes/*", kEntryOps, PatchKind::kSet, "binaryMediaTypes"},
      {"/endpointConfiguration/types/*", kReplace, PatchKind::kCustom, {}, set_endpoint_type},
      {"/endpointConfiguration/vpcEndpointIds", kEntryOps, PatchKind::kCustom, {},
       set_vpc_endpoint},
      {"/endpointConfiguration/vpcEndpointIds/*", kAdd | kRemove, PatchKind::kSet,
       "endpointConfiguration/vpcEndpointIds"},
  };
  json::object doc = PC_TRY(load_api(c));
  json::object api = obj(doc, "api");
  PC_CHECK(apply_patch(api, PC_TRY(patch_operations(c.body)), kRules));
  PC_CHECK(check_api(api));
  doc["api"] = api;
  PC_CHECK(save_api(c, doc));
  c.out = std::move(api);
  return {};
}

Status delete_rest_api(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  const std::string& id = c.label("restapi_id");
  for (auto& [key, _] : PC_TRY(c.txn.scan(kDeployments, id + "/")))
    PC_CHECK(c.txn.erase(kDeployments, key));
  PC_CHECK(forget_stage(c, id, {}));
  return c.txn.erase(kApis, id);
}

// --- Account --------------------------------------------------------------------------------

Result<json::object> load_account(Call& c) {
  json::object account;
  if (auto text = PC_TRY(c.txn.get(kAccount, "account"))) account = parse_row(*text);
  account["throttleSettings"] = json::object{{"burstLimit", 5000}, {"rateLimit", 10000.0}};
  account["features"] = json::array{"UsagePlans"};
  account["apiKeyVersion"] = "4";
  return account;
}

Status get_account(Call& c) {
  c.out = PC_TRY(load_account(c));
  return {};
}

Status update_account(Call& c) {
  static constexpr PatchRule kRules[] = {{"/cloudwatchRoleArn", kReplace, PatchKind::kString}};
  json::object account = PC_TRY(load_account(c));
  PC_CHECK(apply_patch(account, PC_TRY(patch_operations(c.body)), kRules));
  if (auto arn = sv(account, "cloudwatchRoleArn"); !arn.empty() && !arn.starts_with("arn:aws:iam::"))
    return std::unexpected(bad_request("The role ARN does not have required permissions set to "
                                       "API Gateway."));
  json::object stored;
  copy_members(stored, account, {"cloudwatchRoleArn"});
  PC_CHECK(c.txn.put(kAccount, "account", json::serialize(stored)));
  c.out = std::move(account);
  return {};
}

// --- Tags -----------------------------------------------------------------------------------

// Where the tags of the entity an ARN names are kept.
struct Tagged {
  std::string_view table;
  std::string key;
  std::string stage;  // for a stage's tags
  json::object doc;
  // The tagged entity, inside doc.
  json::object& entity() {
    if (table == kDomainNames) return ensure_object(doc["domain"]);
    if (table == kClientCertificates) return ensure_object(doc["certificate"]);
    if (table != kApis) return doc;
    if (stage.empty()) return ensure_object(doc["api"]);
    return ensure_object(section(doc, "stages")[stage]);
  }
};

Result<Tagged> find_tagged(Call& c, std::string_view arn) {
  std::string prefix = "arn:aws:apigateway:" + c.region() + "::/";
  auto invalid = [&] {
    return std::unexpected(bad_request("Invalid resource ARN specified: " + std::string(arn)));
  };
  if (!arn.starts_with(prefix)) return invalid();
  std::string_view rest = arn.substr(prefix.size());
  std::vector<std::string_view> parts;
  for (size_t i = 0; i <= rest.size();) {
    size_t slash = rest.find('/', i);
    if (slash == std::string_view::npos) slash = rest.size();
    parts.push_back(rest.substr(i, slash - i));
    i = slash + 1;
  }
  Tagged t;
  static constexpr std::pair<std::string_view, std::string_view> kTables[] = {
      {"apikeys", kApiKeys}, {"usageplans", kUsagePlans}, {"domainnames", kDomainNames},
      {"clientcertificates", kClientCertificates}};
  auto table = std::find_if(std::begin(kTables), std::end(kTables),
                            [&](const auto& t) { return t.first == parts[0]; });
  if (parts.size() == 2 && table != std::end(kTables)) {
    t.table = table->second;
    t.key = parts[1];
    auto text = PC_TRY(c.txn.get(t.table, t.key));
    if (!text) return std::unexpected(not_found("Invalid resource identifier specified"));
    t.doc = parse_row(*text);
    return t;
  }
  if (parts[0] != "restapis" || (parts.size() != 2 && (parts.size() != 4 || parts[2] != "stages")))
    return invalid();
  t.table = kApis;
  t.key = parts[1];
  t.doc = PC_TRY(load_api(c, parts[1]));
  if (parts.size() == 4) {
    PC_TRY(find_in(t.doc, "stages", parts[3], "Invalid Stage identifier specified"));
    t.stage = parts[3];
  }
  return t;
}

Status get_tags(Call& c) {
  Tagged t = PC_TRY(find_tagged(c, c.label("resource_arn")));
  json::value* tags = t.entity().if_contains("tags");
  c.out = json::object{{"tags", tags ? *tags : json::object()}};
  return {};
}

Status tag_resource(Call& c) {
  Tagged t = PC_TRY(find_tagged(c, c.label("resource_arn")));
  auto add = PC_TRY(opt_tags(c.body));
  if (!add) return std::unexpected(bad_request("1 validation error detected: Value null at "
                                               "'tags' failed to satisfy constraint: Member "
                                               "must not be null"));
  json::object& tags = section(t.entity(), "tags");
  for (const auto& kv : *add) tags[kv.key()] = kv.value();
  if (tags.size() > 50) return std::unexpected(bad_request("Too many tags: at most 50 are allowed"));
  return c.txn.put(t.table, t.key, json::serialize(t.doc));
}

Status untag_resource(Call& c) {
  Tagged t = PC_TRY(find_tagged(c, c.label("resource_arn")));
  json::object& tags = section(t.entity(), "tags");
  for (const std::string& key : c.query_all("tagKeys")) tags.erase(key);
  if (tags.empty()) t.entity().erase("tags");
  return c.txn.put(t.table, t.key, json::serialize(t.doc));
}

// --- SDK types ------------------------------------------------------------------------------

json::object javascript_sdk() {
  return {{"id", "javascript"},
          {"friendlyName", "JavaScript"},
          {"description", "A JavaScript client for the API, signing calls with SigV4 when the "
                          "method requires AWS_IAM"},
          {"configurationProperties", json::array()}};
}

Status get_sdk_types(Call& c) { return write_items(c, {javascript_sdk()}); }

Status get_sdk_type(Call& c) {
  if (c.label("sdktype_id") != "javascript")
    return std::unexpected(not_found("Invalid SDK type specified: " + c.label("sdktype_id")));
  c.out = javascript_sdk();
  return {};
}

constexpr Op kOps[] = {
    {"CreateRestApi", create_rest_api},   {"GetRestApi", get_rest_api},
    {"GetRestApis", get_rest_apis},       {"UpdateRestApi", update_rest_api},
    {"DeleteRestApi", delete_rest_api},   {"GetAccount", get_account},
    {"UpdateAccount", update_account},    {"GetTags", get_tags},
    {"TagResource", tag_resource},        {"UntagResource", untag_resource},
    {"GetSdkTypes", get_sdk_types},       {"GetSdkType", get_sdk_type},
};

}  // namespace

std::span<const Op> restapi_ops() { return kOps; }

}  // namespace portcullis::gateway::api
