// The parts of an API other than its resources: models, request validators, authorizers
// (stored and validated; enforced on invoke) and gateway responses.
#include <algorithm>

#include "gateway/api/call.h"

namespace portcullis::gateway::api {

namespace {

// One kind of part, kept in a section of the API document.
struct Part {
  std::string_view section;
  std::string_view label;      // the path label naming one
  std::string_view not_found;  // AWS's message for an unknown one
  std::string_view sort_key;
};

constexpr Part kModel{"models", "model_name", "Invalid model name specified: ", "name"};
constexpr Part kValidator{"validators", "requestvalidator_id",
                          "Invalid Request Validator identifier specified", "name"};
constexpr Part kAuthorizer{"authorizers", "authorizer_id", "Invalid authorizer ID specified",
                           "name"};

Result<json::object*> find_part(Call& c, json::object& doc, const Part& p) {
  const std::string& key = c.label(p.label);
  std::string message(p.not_found);
  if (message.ends_with(": ")) message += key;
  return find_in(doc, p.section, key, std::move(message));
}

Status get_part(Call& c, const Part& p) {
  json::object doc = PC_TRY(load_api(c));
  c.out = *PC_TRY(find_part(c, doc, p));
  return {};
}

Status list_parts(Call& c, const Part& p) {
  json::object doc = PC_TRY(load_api(c));
  std::vector<json::value> items;
  for (const auto& kv : section(doc, p.section)) items.push_back(kv.value());
  std::sort(items.begin(), items.end(), [&](const json::value& a, const json::value& b) {
    return sv(obj(a), p.sort_key) < sv(obj(b), p.sort_key);
  });
  return write_items(c, items);
}

// Patches a part, checks it with `check`, stores it.
Status update_part(Call& c, const Part& p, std::span<const PatchRule> rules,
                   Status (*check)(json::object& doc, const json::object& part)) {
  auto find = [&](json::object& doc) { return find_part(c, doc, p); };
  return patch_part(c, find, rules, check);
}

// Whether any method of the API satisfies `uses`; its "/path/VERB" if so.
template <typename Pred>
std::optional<std::string> method_using(json::object& doc, Pred uses) {
  for (const auto& kv : section(doc, "resources")) {
    const json::object& r = obj(kv.value());
    for (const auto& m : obj(r, "resourceMethods"))
      if (uses(obj(m.value())))
          return std::string(sv(r, "path")) + "/" + std::string(m.key());
  }
  return std::nullopt;
}

Status delete_part(Call& c, const Part& p, std::string_view used_member) {
  json::object doc = PC_TRY(load_api(c));
  json::object part = *PC_TRY(find_part(c, doc, p));
  std::string key(c.label(p.label));
  auto user = method_using(doc, [&](const json::object& m) {
    if (used_member == "requestModels") {
      const json::object& models = obj(m, "requestModels");
      bool used = std::any_of(models.begin(), models.end(),
                              [&](const auto& kv) { return sv(kv.value()) == key; });
      for (const auto& r : obj(m, "methodResponses"))
        for (const auto& kv : obj(obj(r.value()), "responseModels"))
          used = used || sv(kv.value()) == key;
      return used;
    }
    return sv(m, used_member) == key;
  });
  if (user)
    return std::unexpected(conflict("Cannot delete " + std::string(p.section.substr(0, p.section.size() - 1)) +
                                    " '" + key + "', it is referenced by method " + *user));
  section(doc, p.section).erase(key);
  return save_api(c, doc);
}

// --- Models ---------------------------------------------------------------------------------

}  // namespace

Status check_model(json::object&, const json::object& m) {
  if (auto schema = sv(m, "schema"); !schema.empty()) {
    if (!parse_json(schema).is_object())
      return std::unexpected(bad_request(
          "Invalid model specified: Validation Result: warnings : [], errors : [Invalid model "
          "schema specified. Unsupported keyword(s): [] ... the schema is not a JSON object]"));
  }
  return {};
}

namespace {

Status create_model(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  std::string name = PC_TRY(req_str(c.body, "name"));
  std::string content_type = PC_TRY(req_str(c.body, "contentType"));
  if (name.empty() || !only_chars(name))
    return std::unexpected(bad_request("Model name must be alphanumeric: " + name));
  PC_TRY(opt_str(c.body, "description"));
  PC_TRY(opt_str(c.body, "schema"));
  if (section(doc, "models").contains(name))
    return std::unexpected(conflict("Model name already exists for this REST API"));
  json::object m{{"id", new_id(6)}, {"name", name}};
  copy_members(m, c.body, {"description", "schema"});
  m["contentType"] = content_type;
  PC_CHECK(check_model(doc, m));
  section(doc, "models")[name] = m;
  PC_CHECK(save_api(c, doc));
  c.out = std::move(m);
  return {};
}

// --- Mapping templates from models ----------------------------------------------------------

// Writes, for the schema `s`, the template of a value read from `path` ($inputRoot.a or $elem),
// following references to the API's models. `depth` bounds cycles between models.
void write_template(json::object& doc, const json::value& schema, const std::string& path,
                    const std::string& indent, int depth, std::string& out) {
  const json::object* s = schema.if_object();
  if (s && s->contains("$ref") && depth < 8) {
    std::string_view ref = sv(*s, "$ref");
    std::string name(ref.substr(ref.rfind('/') + 1));
    if (auto* m = section(doc, "models").if_contains(name)) {
      json::value target = parse_json(sv(obj(*m), "schema"));
      if (!target.is_null()) return write_template(doc, target, path, indent, depth + 1, out);
    }
  }
  std::string_view type = s ? sv(*s, "type") : std::string_view();
  const json::value* props = s ? s->if_contains("properties") : nullptr;
  if (type == "object" && props && props->is_object()) {
    out += "{";
    bool first = true;
    for (const auto& kv : props->get_object()) {
      out += first ? "\n" : ",\n";
      first = false;
      out += indent + "  \"" + std::string(kv.key()) + "\" : ";
      write_template(doc, kv.value(), path + "." + std::string(kv.key()), indent + "  ", depth,
                     out);
    }
    out += "\n" + indent + "}";
  } else if (type == "object") {
    out += "{ }";
  } else if (type == "array") {
    std::string elem = "$elem" + std::to_string(depth);
    out += "[\n#foreach(" + elem + " in " + path + ")\n" + indent + "  ";
    const json::value* items = s->if_contains("items");
    write_template(doc, items ? *items : json::value(), elem,
                   indent + "  ", depth + 1, out);
    out += "#if($foreach.hasNext),#end\n#end\n" + indent + "]";
  } else if (type == "string") {
    out += "\"" + path + "\"";
  } else {
    out += path;
  }
}

// A mapping template that copies a value of the model's shape from the request body.
Status get_model_template(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  json::object model = *PC_TRY(find_part(c, doc, kModel));
  json::value schema = parse_json(sv(model, "schema"));
  if (schema.is_null()) return std::unexpected(bad_request("The model's schema is not JSON"));
  std::string out = "#set($inputRoot = $input.path('$'))\n";
  write_template(doc, schema, "$inputRoot", "", 0, out);
  c.out = json::object{{"value", out + "\n"}};
  return {};
}

Status get_model(Call& c) { return get_part(c, kModel); }
Status get_models(Call& c) { return list_parts(c, kModel); }
Status update_model(Call& c) {
  static constexpr PatchRule kRules[] = {{"/schema", kReplace, PatchKind::kString},
                                         {"/description", kReplace, PatchKind::kString}};
  return update_part(c, kModel, kRules, check_model);
}
Status delete_model(Call& c) { return delete_part(c, kModel, "requestModels"); }

// --- Request validators ---------------------------------------------------------------------

Status check_validator(json::object&, const json::object&) { return {}; }

Status create_validator(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  PC_TRY(opt_str(c.body, "name"));
  json::object v;
  copy_members(v, c.body, {"name"});
  v["validateRequestBody"] = PC_TRY(opt_bool(c.body, "validateRequestBody")).value_or(false);
  v["validateRequestParameters"] =
      PC_TRY(opt_bool(c.body, "validateRequestParameters")).value_or(false);
  return add_part(c, doc, "validators", v);
}

Status get_validator(Call& c) { return get_part(c, kValidator); }
Status get_validators(Call& c) { return list_parts(c, kValidator); }
Status update_validator(Call& c) {
  static constexpr PatchRule kRules[] = {
      {"/name", kReplace, PatchKind::kString},
      {"/validateRequestBody", kReplace, PatchKind::kBool},
      {"/validateRequestParameters", kReplace, PatchKind::kBool}};
  return update_part(c, kValidator, kRules, check_validator);
}
Status delete_validator(Call& c) { return delete_part(c, kValidator, "requestValidatorId"); }

// --- Authorizers ----------------------------------------------------------------------------

}  // namespace

Status check_authorizer(json::object&, const json::object& a, std::string_view input) {
  std::string_view type = sv(a, "type");
  PC_CHECK(check_enum(type, input.empty() ? "type" : std::string(input) + ".type",
                      {"TOKEN", "REQUEST", "COGNITO_USER_POOLS"}, !input.empty()));
  if (sv(a, "name").empty()) return std::unexpected(bad_request("Authorizer name must be non-empty"));
  if (type == "COGNITO_USER_POOLS") {
    if (arr(a, "providerARNs").empty())
      return std::unexpected(bad_request(
          "ProviderARNs need to be specified for an authorizer of type COGNITO_USER_POOLS"));
  } else {
    std::string_view uri = sv(a, "authorizerUri");
    if (uri.empty())
      return std::unexpected(bad_request("Authorizer URI is required for authorizer type " +
                                         std::string(type)));
    if (!uri.starts_with("arn:") || uri.find(":lambda:path/") == std::string_view::npos)
      return std::unexpected(bad_request("Invalid authorizer URI specified: " + std::string(uri)));
  }
  std::string_view source = sv(a, "identitySource");
  if (type == "TOKEN") {
    if (!source.starts_with("method.request.header.") || source.size() <= 22)
      return std::unexpected(bad_request(
          "Invalid identity source specified: a TOKEN authorizer takes one header, "
          "method.request.header.<name>"));
  }
  auto ttl = PC_TRY(opt_int(a, "authorizerResultTtlInSeconds"));
  if (ttl && (*ttl < 0 || *ttl > 3600))
    return std::unexpected(bad_request("Invalid authorizer TTL specified: must be between 0 "
                                       "and 3600 seconds"));
  return {};
}

namespace {

Status create_authorizer(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  json::object a{{"name", PC_TRY(req_str(c.body, "name"))},
                 {"type", PC_TRY(req_str(c.body, "type"))}};
  for (std::string_view k : {"authType", "authorizerUri", "authorizerCredentials",
                             "identitySource", "identityValidationExpression"})
    PC_TRY(opt_str(c.body, k));
  PC_TRY(opt_list(c.body, "providerARNs"));
  PC_TRY(opt_int(c.body, "authorizerResultTtlInSeconds"));
  copy_members(a, c.body, {"providerARNs", "authType", "authorizerUri", "authorizerCredentials",
                           "identitySource", "identityValidationExpression",
                           "authorizerResultTtlInSeconds"});
  if (!a.contains("authorizerResultTtlInSeconds")) a["authorizerResultTtlInSeconds"] = 300;
  PC_CHECK(check_authorizer(doc, a, "createAuthorizerInput"));
  return add_part(c, doc, "authorizers", a);
}

Status get_authorizer(Call& c) { return get_part(c, kAuthorizer); }
Status get_authorizers(Call& c) { return list_parts(c, kAuthorizer); }
Status update_authorizer(Call& c) {
  static constexpr PatchRule kRules[] = {
      {"/name", kReplace, PatchKind::kString},
      {"/type", kReplace, PatchKind::kString},
      {"/authType", kReplace, PatchKind::kString},
      {"/authorizerUri", kReplace, PatchKind::kString},
      {"/authorizerCredentials", kReplace, PatchKind::kString},
      {"/identitySource", kReplace, PatchKind::kString},
      {"/identityValidationExpression", kReplace, PatchKind::kString},
      {"/authorizerResultTtlInSeconds", kReplace, PatchKind::kInt},
      {"/providerARNs/*", kAdd | kRemove, PatchKind::kSet, "providerARNs"}};
  return update_part(c, kAuthorizer, kRules, [](json::object& doc, const json::object& a) {
    return check_authorizer(doc, a);
  });
}
Status delete_authorizer(Call& c) { return delete_part(c, kAuthorizer, "authorizerId"); }

// --- Gateway responses ----------------------------------------------------------------------

struct ResponseType {
  std::string_view type, status;  // empty status: DEFAULT_4XX and DEFAULT_5XX
};
constexpr ResponseType kResponseTypes[] = {
    {"ACCESS_DENIED", "403"},          {"API_CONFIGURATION_ERROR", "500"},
    {"AUTHORIZER_CONFIGURATION_ERROR", "500"}, {"AUTHORIZER_FAILURE", "500"},
    {"BAD_REQUEST_BODY", "400"},       {"BAD_REQUEST_PARAMETERS", "400"},
    {"DEFAULT_4XX", ""},               {"DEFAULT_5XX", ""},
    {"EXPIRED_TOKEN", "403"},          {"INTEGRATION_FAILURE", "504"},
    {"INTEGRATION_TIMEOUT", "504"},    {"INVALID_API_KEY", "403"},
    {"INVALID_SIGNATURE", "403"},      {"MISSING_AUTHENTICATION_TOKEN", "403"},
    {"QUOTA_EXCEEDED", "429"},         {"REQUEST_TOO_LARGE", "413"},
    {"RESOURCE_NOT_FOUND", "404"},     {"THROTTLED", "429"},
    {"UNAUTHORIZED", "401"},           {"UNSUPPORTED_MEDIA_TYPE", "415"},
    {"WAF_FILTERED", "403"},
};

// A response type, or the ValidationException of a value outside the enumeration.
Result<const ResponseType*> response_type(std::string_view type, bool validation = true) {
  for (const ResponseType& t : kResponseTypes)
    if (t.type == type) return &t;
  std::string set;
  for (const ResponseType& t : kResponseTypes) set += (set.empty() ? "" : ", ") + std::string(t.type);
  return fail(validation ? ErrorCode::kValidationException : ErrorCode::kBadRequest,
              "1 validation error detected: Value '" + std::string(type) +
                  "' at 'responseType' failed to satisfy constraint: Member must satisfy enum "
                  "value set: [" + set + "]");
}

json::object default_response(const ResponseType& t) {
  json::object r{{"responseType", t.type}};
  if (!t.status.empty()) r["statusCode"] = t.status;
  r["responseParameters"] = json::object();
  r["responseTemplates"] =
      json::object{{"application/json", "{\"message\":$context.error.messageString}"}};
  r["defaultResponse"] = true;
  return r;
}

// The response of a type as the API has it: put, or the default.
json::object effective_response(json::object& doc, const ResponseType& t) {
  json::object& put = section(doc, "responses");
  if (auto* r = put.if_contains(t.type); r && r->is_object()) return r->get_object();
  return default_response(t);
}

}  // namespace

Status check_gateway_response(const json::object& r) {
  PC_TRY(response_type(sv(r, "responseType"), false));
  if (auto code = sv(r, "statusCode"); !code.empty()) PC_CHECK(check_status_code(code));
  if (auto* params = r.if_contains("responseParameters"))
    PC_CHECK(check_parameter_names(obj(*params), "gatewayresponse.", {"header"},
                                   "gateway response parameter name"));
  return {};
}

namespace {

Status put_gateway_response(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  const ResponseType* t = PC_TRY(response_type(c.label("response_type")));
  json::object r{{"responseType", t->type}};
  PC_TRY(opt_str(c.body, "statusCode"));
  PC_TRY(opt_map(c.body, "responseParameters"));
  PC_TRY(opt_map(c.body, "responseTemplates"));
  copy_members(r, c.body, {"statusCode", "responseParameters", "responseTemplates"});
  if (!r.contains("responseParameters")) r["responseParameters"] = json::object();
  if (!r.contains("responseTemplates")) r["responseTemplates"] = json::object();
  r["defaultResponse"] = false;
  PC_CHECK(check_gateway_response(r));
  section(doc, "responses")[t->type] = r;
  PC_CHECK(save_api(c, doc));
  c.out = std::move(r);
  return {};
}

Status get_gateway_response(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  const ResponseType* t = PC_TRY(response_type(c.label("response_type")));
  c.out = effective_response(doc, *t);
  return {};
}

Status get_gateway_responses(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  std::vector<json::value> items;
  for (const ResponseType& t : kResponseTypes) items.push_back(effective_response(doc, t));
  return write_items(c, items);
}

Status update_gateway_response(Call& c) {
  static constexpr PatchRule kRules[] = {
      {"/statusCode", kReplace, PatchKind::kString},
      {"/responseParameters/*", kEntryOps, PatchKind::kMapString, "responseParameters"},
      {"/responseTemplates/*", kEntryOps, PatchKind::kMapString, "responseTemplates"}};
  json::object doc = PC_TRY(load_api(c));
  const ResponseType* t = PC_TRY(response_type(c.label("response_type")));
  json::object r = effective_response(doc, *t);
  PC_CHECK(apply_patch(r, PC_TRY(patch_operations(c.body)), kRules));
  r["defaultResponse"] = false;
  PC_CHECK(check_gateway_response(r));
  section(doc, "responses")[t->type] = r;
  PC_CHECK(save_api(c, doc));
  c.out = std::move(r);
  return {};
}

Status delete_gateway_response(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  const ResponseType* t = PC_TRY(response_type(c.label("response_type")));
  if (!section(doc, "responses").erase(t->type))
    return std::unexpected(not_found("Invalid Gateway Response identifier specified"));
  return save_api(c, doc);
}

constexpr Op kOps[] = {
    {"CreateModel", create_model},
    {"GetModel", get_model},
    {"GetModels", get_models},
    {"UpdateModel", update_model},
    {"DeleteModel", delete_model},
    {"GetModelTemplate", get_model_template},
    {"CreateRequestValidator", create_validator},
    {"GetRequestValidator", get_validator},
    {"GetRequestValidators", get_validators},
    {"UpdateRequestValidator", update_validator},
    {"DeleteRequestValidator", delete_validator},
    {"CreateAuthorizer", create_authorizer},
    {"GetAuthorizer", get_authorizer},
    {"GetAuthorizers", get_authorizers},
    {"UpdateAuthorizer", update_authorizer},
    {"DeleteAuthorizer", delete_authorizer},
    {"PutGatewayResponse", put_gateway_response},
    {"GetGatewayResponse", get_gateway_response},
    {"GetGatewayResponses", get_gateway_responses},
    {"UpdateGatewayResponse", update_gateway_response},
    {"DeleteGatewayResponse", delete_gateway_response},
};

}  // namespace

std::span<const Op> part_ops() { return kOps; }

}  // namespace portcullis::gateway::api
