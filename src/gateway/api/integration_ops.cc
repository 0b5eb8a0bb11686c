// Integrations (every type, with URI validation) and integration responses.
#include "core/encoding.h"
#include "gateway/api/call.h"

namespace portcullis::gateway::api {

namespace {

bool is_http_url(std::string_view uri) {
  std::string_view rest;
  if (uri.starts_with("http://")) rest = uri.substr(7);
  else if (uri.starts_with("https://")) rest = uri.substr(8);
  else return false;
  size_t end = rest.find_first_of("/?#");
  return end != 0 && !rest.empty();
}

// arn:aws:apigateway:{region}:{service}:{path|action}/…
Status check_aws_uri(std::string_view type, std::string_view uri) {
  if (!uri.starts_with("arn:"))
    return std::unexpected(bad_request("Invalid ARN specified in the request"));
  std::vector<std::string_view> parts;
  size_t pos = 0;
  for (int i = 0; i < 5; ++i) {
    size_t colon = uri.find(':', pos);
    if (colon == std::string_view::npos)
      return std::unexpected(bad_request("Invalid ARN specified in the request"));
    parts.push_back(uri.substr(pos, colon - pos));
    pos = colon + 1;
  }
  std::string_view rest = uri.substr(pos);
  if (parts[2] != "apigateway")
    return std::unexpected(bad_request("AWS ARN for integration must contain path or action"));
  if (!rest.starts_with("path/") && !rest.starts_with("action/"))
    return std::unexpected(bad_request("AWS ARN for integration must contain path or action"));
  if (type == "AWS_PROXY" && parts[4] != "lambda")
    return std::unexpected(bad_request(
        "Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose "
        "stream invocations."));
  return {};
}

// Request parameter mappings may read only the method request parameters the method declares.
Status check_mappings(const json::object& i, const json::object& method) {
  auto* params = i.if_contains("requestParameters");
  if (!params) return {};
  const json::object& declared = obj(method, "requestParameters");
  for (const auto& kv : obj(*params)) {
    std::string_view source = sv(kv.value());
    if (!source.starts_with("method.request.") || source.starts_with("method.request.body"))
      continue;
    if (!declared.contains(source))
      return std::unexpected(bad_request(
          "Invalid mapping expression specified: Validation Result: warnings : [], errors : "
          "[Invalid mapping expression specified: " + std::string(source) + "]"));
  }
  return {};
}

}  // namespace

// Checks an integration document, after a put or a patch.
Status check_integration(const json::object& i, const json::object& method,
                         std::string_view input) {
  bool validation = !input.empty();
  auto member = [&](std::string_view m) {
    return validation ? std::string(input) + "." + std::string(m) : std::string(m);
  };
  std::string_view type = sv(i, "type");
  PC_CHECK(check_enum(type, member("type"), {"HTTP", "AWS", "MOCK", "HTTP_PROXY", "AWS_PROXY"},
                      validation));
  if (type != "MOCK") {
    std::string_view verb = sv(i, "httpMethod");
    if (verb.empty())
      return std::unexpected(bad_request("Enumeration value for HttpMethod must be non-empty"));
    if (!is_http_method(verb))
      return std::unexpected(bad_request(
          "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY"));
    std::string_view uri = sv(i, "uri");
    if (uri.empty())
      return std::unexpected(bad_request(type.starts_with("HTTP")
                                             ? "Invalid HTTP endpoint specified for URI"
                                             : "Invalid ARN specified in the request"));
    if (type.starts_with("HTTP") && !is_http_url(uri) && sv(i, "connectionType") != "VPC_LINK")
      return std::unexpected(bad_request("Invalid HTTP endpoint specified for URI"));
    if (type.starts_with("AWS")) PC_CHECK(check_aws_uri(type, uri));
  }
  if (auto ct = sv(i, "connectionType"); !ct.empty()) {
    PC_CHECK(check_enum(ct, member("connectionType"), {"INTERNET", "VPC_LINK"}, validation));
    if (ct == "VPC_LINK" && sv(i, "connectionId").empty())
      return std::unexpected(bad_request("ConnectionId required when connectionType is VPC_LINK"));
  }
  // A string in the model (not an enumeration), taken in any letter case like authorizationType.
  PC_CHECK(check_enum(to_upper(sv(i, "passthroughBehavior")), "passthroughBehavior",
                      {"WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER"}));
  if (auto ch = sv(i, "contentHandling"); !ch.empty())
    PC_CHECK(check_enum(ch, member("contentHandling"), {"CONVERT_TO_BINARY", "CONVERT_TO_TEXT"},
                        validation));
  auto timeout = PC_TRY(opt_int(i, "timeoutInMillis"));
  if (timeout && (*timeout < 50 || *timeout > 29000))
    return std::unexpected(bad_request("Timeout should be between 50 ms and 29000 ms"));
  if (auto* params = i.if_contains("requestParameters")) {
    PC_CHECK(check_parameter_names(obj(*params), "integration.request.",
                                   {"path", "querystring", "multivaluequerystring", "header",
                                    "multivalueheader"},
                                   "mapping expression parameter"));
  }
  return check_mappings(i, method);
}

void integration_defaults(json::object& i, std::string_view resource_id) {
  if (sv(i, "type") == "MOCK") i.erase("httpMethod");
  if (!i.contains("passthroughBehavior")) i["passthroughBehavior"] = "WHEN_NO_MATCH";
  if (!i.contains("timeoutInMillis")) i["timeoutInMillis"] = 29000;
  if (!i.contains("cacheNamespace")) i["cacheNamespace"] = resource_id;
  if (!i.contains("cacheKeyParameters")) i["cacheKeyParameters"] = json::array();
  if (sv(i, "type") != "MOCK" && !i.contains("connectionType")) i["connectionType"] = "INTERNET";
}

namespace {

Result<json::object*> find_integration(Call& c, json::object& doc) {
  json::object* m = PC_TRY(find_method(c, doc));
  auto it = m->find("methodIntegration");
  if (it == m->end())
    return std::unexpected(not_found("Invalid Integration identifier specified"));
  return &ensure_object(it->value());
}

Status put_integration(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  PC_TRY(find_method(c, doc));
  json::object i{{"type", PC_TRY(req_str(c.body, "type"))}};
  for (std::string_view k : {"httpMethod", "uri", "connectionType", "connectionId", "credentials",
                             "passthroughBehavior", "cacheNamespace", "contentHandling"})
    PC_TRY(opt_str(c.body, k));
  PC_TRY(opt_map(c.body, "requestParameters"));
  PC_TRY(opt_map(c.body, "requestTemplates"));
  PC_TRY(opt_list(c.body, "cacheKeyParameters"));
  PC_TRY(opt_int(c.body, "timeoutInMillis"));
  // The body's "httpMethod" is the integration's (integrationHttpMethod in the SDKs).
  copy_members(i, c.body, {"httpMethod", "uri", "connectionType", "connectionId", "credentials",
                           "requestParameters", "requestTemplates", "passthroughBehavior",
                           "contentHandling", "timeoutInMillis", "cacheNamespace",
                           "cacheKeyParameters"});
  if (auto tls = PC_TRY(opt_tls_config(c.body, "tlsConfig"))) i["tlsConfig"] = std::move(*tls);
  integration_defaults(i, c.label("resource_id"));
  json::object* m = PC_TRY(find_method(c, doc));
  PC_CHECK(check_integration(i, *m, "putIntegrationInput"));
  (*m)["methodIntegration"] = i;
  PC_CHECK(save_api(c, doc));
  c.out = std::move(i);
  return {};
}

Status get_integration(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  c.out = *PC_TRY(find_integration(c, doc));
  return {};
}

Status update_integration(Call& c) {
  static constexpr PatchRule kRules[] = {
      {"/type", kReplace, PatchKind::kString},
      {"/httpMethod", kReplace, PatchKind::kString},
      {"/uri", kReplace, PatchKind::kString},
      {"/connectionType", kReplace, PatchKind::kString},
      {"/connectionId", kReplace, PatchKind::kString},
      {"/credentials", kReplace, PatchKind::kString},
      {"/passthroughBehavior", kReplace, PatchKind::kString},
      {"/contentHandling", kReplace, PatchKind::kString},
      {"/timeoutInMillis", kReplace, PatchKind::kInt},
      {"/cacheNamespace", kReplace, PatchKind::kString},
      {"/cacheKeyParameters/*", kAdd | kRemove, PatchKind::kSet, "cacheKeyParameters"},
      {"/requestParameters/*", kEntryOps, PatchKind::kMapString, "requestParameters"},
      {"/requestTemplates/*", kEntryOps, PatchKind::kMapString, "requestTemplates"},
      {"/tlsConfig/insecureSkipVerification", kReplace, PatchKind::kBool},
  };
  auto find = [&](json::object& doc) { return find_integration(c, doc); };
  return patch_part(c, find, kRules, [&](json::object& doc, json::object& i) -> Status {
    return check_integration(i, *PC_TRY(find_method(c, doc)));
  });
}

Status delete_integration(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  PC_TRY(find_integration(c, doc));
  PC_TRY(find_method(c, doc))->erase("methodIntegration");
  return save_api(c, doc);
}

// --- Integration responses ------------------------------------------------------------------

}  // namespace

Status check_integration_response(json::object& method, const json::object& r) {
  if (auto ch = sv(r, "contentHandling"); !ch.empty())
    PC_CHECK(check_enum(ch, "contentHandling", {"CONVERT_TO_BINARY", "CONVERT_TO_TEXT"}));
  if (auto* params = r.if_contains("responseParameters")) {
    PC_CHECK(check_parameter_names(obj(*params), "method.response.", {"header"},
                                   "mapping expression parameter"));
    // A mapped header must be declared by the method response.
    json::object* mr = PC_TRY(find_in(method, "methodResponses", sv(r, "statusCode"),
                                      "Invalid Response status code specified"));
    const json::object& declared = obj(*mr, "responseParameters");
    for (const auto& kv : obj(*params))
      if (!declared.contains(kv.key()))
        return std::unexpected(bad_request(
            "Invalid mapping expression specified: Validation Result: warnings : [], errors : "
            "[Invalid mapping expression parameter specified: " + std::string(kv.key()) + "]"));
  }
  return {};
}

namespace {

Result<json::object*> find_integration_response(Call& c, json::object& doc) {
  json::object* i = PC_TRY(find_integration(c, doc));
  return find_in(*i, "integrationResponses", c.label("status_code"),
                 "Invalid Response status code specified");
}

Status put_integration_response(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  const std::string& code = c.label("status_code");
  PC_CHECK(check_status_code(code));
  json::object method = *PC_TRY(find_method(c, doc));
  PC_TRY(find_integration(c, doc));
  PC_TRY(find_in(method, "methodResponses", code, "Invalid Response status code specified"));
  json::object r{{"statusCode", code}};
  PC_TRY(opt_str(c.body, "selectionPattern"));
  PC_TRY(opt_str(c.body, "contentHandling"));
  PC_TRY(opt_map(c.body, "responseParameters"));
  PC_TRY(opt_map(c.body, "responseTemplates"));
  copy_members(r, c.body, {"selectionPattern", "responseParameters", "responseTemplates",
                           "contentHandling"});
  PC_CHECK(check_integration_response(method, r));
  section(*PC_TRY(find_integration(c, doc)), "integrationResponses")[code] = r;
  PC_CHECK(save_api(c, doc));
  c.out = std::move(r);
  return {};
}

Status get_integration_response(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  c.out = *PC_TRY(find_integration_response(c, doc));
  return {};
}

Status update_integration_response(Call& c) {
  static constexpr PatchRule kRules[] = {
      {"/selectionPattern", kReplace, PatchKind::kString},
      {"/contentHandling", kReplace, PatchKind::kString},
      {"/responseParameters/*", kEntryOps, PatchKind::kMapString, "responseParameters"},
      {"/responseTemplates/*", kEntryOps, PatchKind::kMapString, "responseTemplates"},
  };
  auto find = [&](json::object& doc) { return find_integration_response(c, doc); };
  return patch_part(c, find, kRules, [&](json::object& doc, json::object& r) -> Status {
    return check_integration_response(*PC_TRY(find_method(c, doc)), r);
  });
}

Status delete_integration_response(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  PC_TRY(find_integration_response(c, doc));
  json::object* i = PC_TRY(find_integration(c, doc));
  json::object& responses = section(*i, "integrationResponses");
  responses.erase(c.label("status_code"));
  if (responses.empty()) i->erase("integrationResponses");
  return save_api(c, doc);
}

constexpr Op kOps[] = {
    {"PutIntegration", put_integration},
    {"GetIntegration", get_integration},
    {"UpdateIntegration", update_integration},
    {"DeleteIntegration", delete_integration},
    {"PutIntegrationResponse", put_integration_response},
    {"GetIntegrationResponse", get_integration_response},
    {"UpdateIntegrationResponse", update_integration_response},
    {"DeleteIntegrationResponse", delete_integration_response},
};

}  // namespace

std::span<const Op> integration_ops() { return kOps; }

}  // namespace portcullis::gateway::api
