// Writing a deployed REST API as an OpenAPI 2.0 or 3.0 document, with the extensions asked
// for: integrations, authorizers, or all of API Gateway's (apigateway).
#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "core/clock.h"
#include "core/encoding.h"
#include "gateway/api/call.h"
#include "gateway/openapi/openapi.h"

namespace portcullis::gateway::openapi {

using api::arr;
using api::num;
using api::obj;
using api::sv;

namespace {

// The deployed API is our own document: a member of another type reads as absent.
const json::object& section_of(const json::object& d, std::string_view name) { return obj(d, name); }
// A member copied as it is stored; null when absent.
json::value member(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v ? *v : json::value();
}

class Exporter {
 public:
  Exporter(const json::object& d, const ExportOptions& o) : d_(d), o_(o) {
    integrations_ = o.integrations || o.apigateway;
    authorizers_ = o.authorizers || o.apigateway;
    for (const auto& kv : section_of(d, "validators"))
      validator_names_[std::string(kv.key())] = std::string(sv(obj(kv.value()), "name"));
    for (const auto& kv : section_of(d, "authorizers"))
      authorizer_names_[std::string(kv.key())] = std::string(sv(obj(kv.value()), "name"));
  }

  json::object run() {
    const json::object& api = section_of(d_, "api");
    const json::object& stage = section_of(d_, "stage");
    json::object doc;
    if (o_.oas30) doc["openapi"] = "3.0.1";
    else doc["swagger"] = "2.0";
    json::object info;
    if (auto desc = sv(api, "description"); !desc.empty()) info["description"] = desc;
    info["title"] = sv(api, "name");
    std::string version(sv(api, "version"));
    if (version.empty() && api.contains("createdDate"))
      version = format_iso8601(SystemTime(std::chrono::seconds(num(api, "createdDate"))));
    info["version"] = version;
    doc["info"] = std::move(info);
    std::string base = "/" + std::string(sv(stage, "stageName"));
    if (o_.oas30) {
      doc["servers"] = json::array{json::object{
          {"url", "https://" + o_.host + "/{basePath}"},
          {"variables", json::object{{"basePath", json::object{{"default", base}}}}}}};
    } else {
      doc["host"] = o_.host;
      doc["basePath"] = base;
      doc["schemes"] = json::array{"https"};
    }
    doc["paths"] = paths();
    json::object schemas = models();
    json::object schemes = security_schemes();
    if (o_.oas30) {
      json::object components;
      if (!schemas.empty()) components["schemas"] = std::move(schemas);
      if (!schemes.empty()) components["securitySchemes"] = std::move(schemes);
      if (!components.empty()) doc["components"] = std::move(components);
    } else {
      if (!schemes.empty()) doc["securityDefinitions"] = std::move(schemes);
      if (!schemas.empty()) doc["definitions"] = std::move(schemas);
    }
    if (integrations_) api_extensions(doc, api);
    documentation(doc);
    return doc;
  }

 private:
  json::object paths() {
    std::vector<const json::object*> resources;
    for (const auto& kv : section_of(d_, "resources")) resources.push_back(&obj(kv.value()));
    std::sort(resources.begin(), resources.end(),
              [](auto* a, auto* b) { return sv(*a, "path") < sv(*b, "path"); });
    json::object out;
    for (const json::object* r : resources) {
      const json::object& methods = obj(*r, "resourceMethods");
      if (methods.empty()) continue;
      json::object item;
      std::vector<std::string> verbs;
      for (const auto& m : methods) verbs.emplace_back(m.key());
      std::sort(verbs.begin(), verbs.end());
      for (const std::string& verb : verbs)
        item[verb == "ANY" ? "x-amazon-apigateway-any-method" : to_lower(verb)] =
            operation(obj(methods, verb));
      out[sv(*r, "path")] = std::move(item);
    }
    return out;
  }

  json::object schema_ref(std::string_view model) {
    return {{"$ref", std::string(o_.oas30 ? "#/components/schemas/" : "#/definitions/") + std::string(model)}};
  }

  json::object operation(const json::object& m) {
    json::object op;
    if (auto name = sv(m, "operationName"); !name.empty()) op["operationId"] = name;
    json::array params;
    for (const auto& kv : obj(m, "requestParameters")) {
        std::string_view key = kv.key();
        std::string_view rest = key.substr(std::string_view("method.request.").size());
        size_t dot = rest.find('.');
        std::string_view where = rest.substr(0, dot), name = rest.substr(dot + 1);
        std::string in = where == "path" ? "path" : where.find("querystring") != std::string_view::npos ? "query" : "header";
        json::object p{{"name", name}, {"in", in}, {"required", in == "path" || (kv.value().is_bool() && kv.value().get_bool())}};
        if (o_.oas30) p["schema"] = json::object{{"type", "string"}};
        else p["type"] = "string";
        params.push_back(std::move(p));
      }
    if (const json::object& models = obj(m, "requestModels"); !models.empty()) {
      if (o_.oas30) {
        json::object content;
        for (const auto& kv : models)
          content[kv.key()] = json::object{{"schema", schema_ref(sv(kv.value()))}};
        op["requestBody"] = json::object{{"content", std::move(content)}, {"required", true}};
      } else {
        const auto& first = *models.begin();
        op["consumes"] = json::array{json::string(first.key())};
        params.push_back(json::object{{"in", "body"},
                                      {"name", sv(first.value())},
                                      {"required", true},
                                      {"schema", schema_ref(sv(first.value()))}});
      }
    }
    if (!params.empty()) op["parameters"] = std::move(params);
    json::object responses;
    json::array produces;  // Swagger 2.0 names the content types of responses per operation
    for (const auto& kv : obj(m, "methodResponses")) {
        responses[kv.key()] = response(obj(kv.value()));
        for (const auto& ct : obj(obj(kv.value()), "responseModels"))
            if (std::find(produces.begin(), produces.end(), json::value(ct.key())) == produces.end())
              produces.emplace_back(ct.key());
      }
    if (!o_.oas30 && !produces.empty()) op["produces"] = std::move(produces);
    op["responses"] = std::move(responses);
    json::object requirement;
    std::string type = to_upper(sv(m, "authorizationType"));
    if (type == "AWS_IAM") {
      requirement["sigv4"] = json::array();
      uses_sigv4_ = true;
    } else if (type == "CUSTOM" || type == "COGNITO_USER_POOLS") {
      std::string name = authorizer_names_[std::string(sv(m, "authorizerId"))];
      requirement[name] = m.contains("authorizationScopes") ? member(m, "authorizationScopes") : json::array();
      used_authorizers_.insert(std::string(sv(m, "authorizerId")));
    }
    if (auto* key = m.if_contains("apiKeyRequired"); key && key->is_bool() && key->get_bool()) {
      requirement["api_key"] = json::array();
      uses_api_key_ = true;
    }
    if (!requirement.empty()) op["security"] = json::array{std::move(requirement)};
    if (integrations_) {
      if (auto v = sv(m, "requestValidatorId"); !v.empty())
        op["x-amazon-apigateway-request-validator"] = validator_names_[std::string(v)];
      if (auto* i = m.if_contains("methodIntegration"))
        op["x-amazon-apigateway-integration"] = integration(obj(*i));
    }
    return op;
  }

  json::object response(const json::object& r) {
    json::object out{{"description", std::string(sv(r, "statusCode")) + " response"}};
    if (r.contains("responseParameters")) {
      json::object headers;
      for (const auto& kv : obj(r, "responseParameters")) {
        std::string_view name = std::string_view(kv.key()).substr(std::string_view("method.response.header.").size());
        headers[name] = o_.oas30 ? json::object{{"schema", json::object{{"type", "string"}}}}
                                 : json::object{{"type", "string"}};
      }
      if (!headers.empty()) out["headers"] = std::move(headers);
    }
    if (const json::object& models = obj(r, "responseModels"); !models.empty()) {
      if (o_.oas30) {
        json::object content;
        for (const auto& kv : models)
          content[kv.key()] = json::object{{"schema", schema_ref(sv(kv.value()))}};
        out["content"] = std::move(content);
      } else {
        out["schema"] = schema_ref(sv(models.begin()->value()));
      }
    }
    return out;
  }

  json::object integration(const json::object& i) {
    json::object x{{"type", to_lower(sv(i, "type"))}};
    for (std::string_view k : {"httpMethod", "uri", "credentials", "connectionId", "contentHandling", "cacheNamespace"})
      if (auto v = sv(i, k); !v.empty()) x[k] = v;
    if (sv(i, "connectionType") == "VPC_LINK") x["connectionType"] = "VPC_LINK";
    for (std::string_view k : {"requestParameters", "requestTemplates", "tlsConfig"})
      if (auto* v = i.if_contains(k); v && !(v->is_object() && v->get_object().empty())) x[k] = *v;
    if (auto* keys = i.if_contains("cacheKeyParameters"); keys && !arr(*keys).empty()) x["cacheKeyParameters"] = *keys;
    x["passthroughBehavior"] = to_lower(sv(i, "passthroughBehavior"));
    if (auto* t = i.if_contains("timeoutInMillis")) x["timeoutInMillis"] = *t;
    if (i.contains("integrationResponses")) {
      json::object out;
      for (const auto& kv : obj(i, "integrationResponses")) {
        const json::object& r = obj(kv.value());
        json::object rx{{"statusCode", sv(r, "statusCode")}};
        for (std::string_view k : {"responseParameters", "responseTemplates"})
          if (auto* v = r.if_contains(k)) rx[k] = *v;
        if (auto ch = sv(r, "contentHandling"); !ch.empty()) rx["contentHandling"] = ch;
        std::string_view pattern = sv(r, "selectionPattern");
        out[pattern.empty() ? std::string_view("default") : pattern] = std::move(rx);
      }
      x["responses"] = std::move(out);
    }
    return x;
  }

  // Models' schemas, their references pointing back into the document.
  json::object models() {
    json::object out;
    std::string prefix = "https://apigateway.amazonaws.com/restapis/";
    std::function<void(json::value&)> unref = [&](json::value& v) {
      if (v.is_object()) {
        for (auto& kv : v.get_object()) {
          if (kv.key() == "$ref" && sv(kv.value()).starts_with(prefix)) {
            std::string_view ref = sv(kv.value());
            kv.value() = schema_ref(ref.substr(ref.rfind('/') + 1))["$ref"];
          } else {
            unref(kv.value());
          }
        }
      } else if (v.is_array()) {
        for (auto& e : v.get_array()) unref(e);
      }
    };
    for (const auto& kv : section_of(d_, "models")) {
      json::value schema = api::parse_json(sv(obj(kv.value()), "schema"));
      if (!schema.is_object()) schema = json::object();
      schema.get_object().erase("$schema");
      unref(schema);
      out[kv.key()] = std::move(schema);
    }
    return out;
  }

  json::object security_schemes() {
    json::object out;
    if (uses_api_key_) out["api_key"] = json::object{{"type", "apiKey"}, {"name", "x-api-key"}, {"in", "header"}};
    if (uses_sigv4_)
      out["sigv4"] = json::object{{"type", "apiKey"}, {"name", "Authorization"}, {"in", "header"},
                                  {"x-amazon-apigateway-authtype", "awsSigv4"}};
    for (const auto& kv : section_of(d_, "authorizers")) {
      const json::object& a = obj(kv.value());
      if (!authorizers_ && !used_authorizers_.contains(std::string(kv.key()))) continue;
      std::string header = "Unused";
      if (auto src = sv(a, "identitySource"); src.starts_with("method.request.header.") && src.find(',') == std::string_view::npos)
        header = std::string(src.substr(22));
      json::object scheme{{"type", "apiKey"}, {"name", header}, {"in", "header"}};
      scheme["x-amazon-apigateway-authtype"] =
          sv(a, "type") == "COGNITO_USER_POOLS" ? "cognito_user_pools" : sv(a, "authType").empty() ? "custom" : sv(a, "authType");
      if (authorizers_) {
        json::object x{{"type", to_lower(sv(a, "type"))}};
        for (std::string_view k : {"authorizerUri", "authorizerCredentials", "identitySource", "identityValidationExpression"})
          if (auto v = sv(a, k); !v.empty()) x[k] = v;
        if (auto* arns = a.if_contains("providerARNs")) x["providerARNs"] = *arns;
        if (auto* ttl = a.if_contains("authorizerResultTtlInSeconds")) x["authorizerResultTtlInSeconds"] = *ttl;
        scheme["x-amazon-apigateway-authorizer"] = std::move(x);
      }
      out[sv(a, "name")] = std::move(scheme);
    }
    return out;
  }

  // The parts of the stage's documentation version, their properties as objects.
  void documentation(json::object& doc) {
    const json::object& d = section_of(d_, "documentation");
    if (d.empty()) return;
    json::array parts;
    for (const auto& kv : section_of(d, "parts")) {
      const json::object& p = obj(kv.value());
      json::value properties = api::parse_json(sv(p, "properties"));
      if (properties.is_null()) continue;
      parts.push_back(json::object{{"location", member(p, "location")}, {"properties", std::move(properties)}});
    }
    json::object x{{"version", member(d, "version")}};
    if (d.contains("createdDate"))
      x["createdDate"] = format_iso8601(SystemTime(std::chrono::seconds(num(d, "createdDate"))));
    x["documentationParts"] = std::move(parts);
    doc["x-amazon-apigateway-documentation"] = std::move(x);
  }

  void api_extensions(json::object& doc, const json::object& api) {
    json::object validators;
    for (const auto& kv : section_of(d_, "validators")) {
      const json::object& v = obj(kv.value());
      validators[sv(v, "name")] =
          json::object{{"validateRequestBody", member(v, "validateRequestBody")},
                       {"validateRequestParameters", member(v, "validateRequestParameters")}};
    }
    if (!validators.empty()) doc["x-amazon-apigateway-request-validators"] = std::move(validators);
    json::object responses;
    for (const auto& kv : section_of(d_, "responses")) {
      json::object r = obj(kv.value());
      r.erase("responseType");
      r.erase("defaultResponse");
      responses[kv.key()] = std::move(r);
    }
    if (!responses.empty()) doc["x-amazon-apigateway-gateway-responses"] = std::move(responses);
    if (auto* types = api.if_contains("binaryMediaTypes")) doc["x-amazon-apigateway-binary-media-types"] = *types;
    if (!o_.apigateway) return;
    if (auto policy = sv(api, "policy"); !policy.empty()) {
      if (json::value p = api::parse_json(policy); !p.is_null())
        doc["x-amazon-apigateway-policy"] = std::move(p);
    }
    if (auto src = sv(api, "apiKeySource"); !src.empty()) doc["x-amazon-apigateway-api-key-source"] = src;
    if (auto* size = api.if_contains("minimumCompressionSize")) doc["x-amazon-apigateway-minimum-compression-size"] = *size;
    json::object ec;
    if (auto* vpce = obj(api, "endpointConfiguration").if_contains("vpcEndpointIds"))
      ec["vpcEndpointIds"] = *vpce;
    if (auto* d = api.if_contains("disableExecuteApiEndpoint"); d && d->is_bool() && d->get_bool()) ec["disableExecuteApiEndpoint"] = true;
    if (!ec.empty()) doc["x-amazon-apigateway-endpoint-configuration"] = std::move(ec);
  }

  const json::object& d_;
  const ExportOptions& o_;
  bool integrations_ = false, authorizers_ = false, uses_sigv4_ = false, uses_api_key_ = false;
  std::map<std::string, std::string> validator_names_, authorizer_names_;
  std::set<std::string> used_authorizers_;
};

}  // namespace

json::object export_document(const json::object& deployed, const ExportOptions& options) {
  Exporter e(deployed, options);
  return e.run();
}

}  // namespace portcullis::gateway::openapi
