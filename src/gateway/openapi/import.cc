// Reading an OpenAPI document into the stored form of a REST API: the path tree, methods and
// their integrations, models, validators, authorizers and gateway responses. Every part goes
// through the same checks as the operations that create it one by one.
#include <algorithm>
#include <map>

#include "core/encoding.h"
#include "gateway/api/call.h"
#include "gateway/openapi/openapi.h"

namespace portcullis::gateway::openapi {

using namespace api;

namespace {

constexpr std::string_view kVerbs[] = {"get", "put", "post", "delete", "patch", "options", "head"};

const json::object* obj(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_object() ? &v->get_object() : nullptr;
}
const json::array* arr(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_array() ? &v->get_array() : nullptr;
}
// A member as it is, null when absent.
const json::value& member(const json::object& o, std::string_view key) {
  static const json::value kNull;
  auto* v = o.if_contains(key);
  return v ? *v : kNull;
}
// A member that is present, not null and not of the type wanted (`is`): an error of the import.
bool wrongly_typed(const json::object& o, std::string_view key, bool (json::value::*is)() const noexcept) {
  auto* v = o.if_contains(key);
  return v && !v->is_null() && !((*v).*is)();
}
// A scalar member as text (an unquoted YAML 1.0 is "1.0", not JSON's "1E0").
std::string text(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v || v->is_null() || v->is_structured()) return {};
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_double()) return format_double(v->get_double());
  return json::serialize(*v);
}

// Replaces ${AWS::Region}-style pseudo parameters in every string of the document.
void substitute(json::value& v, const ImportOptions& opt, std::vector<std::string>& warnings) {
  if (v.is_string()) {
    std::string s(v.get_string());
    size_t pos = 0;
    bool changed = false;
    while ((pos = s.find("${AWS::", pos)) != std::string::npos) {
      size_t end = s.find('}', pos);
      if (end == std::string::npos) break;
      std::string name = s.substr(pos + 7, end - pos - 7), value;
      if (name == "Region") value = opt.region;
      else if (name == "AccountId") value = opt.account;
      else if (name == "Partition") value = "aws";
      else if (name == "URLSuffix") value = "amazonaws.com";
      else {
        warnings.push_back("Unknown pseudo parameter ${AWS::" + name + "} left as is");
        pos = end;
        continue;
      }
      s.replace(pos, end - pos + 1, value);
      pos += value.size();
      changed = true;
    }
    if (changed) v = json::string(s);
  } else if (v.is_object()) {
    for (auto& kv : v.get_object()) substitute(kv.value(), opt, warnings);
  } else if (v.is_array()) {
    for (auto& e : v.get_array()) substitute(e, opt, warnings);
  }
}

class Importer {
 public:
  Importer(json::value root, const ImportOptions& opt)
      : root_value_(std::move(root)), root_(root_value_.get_object()), opt_(opt) {
    oas3_ = root_.contains("openapi");
  }

  Result<Imported> run() {
    if (!root_.contains("openapi") && text(root_, "swagger") != "2.0")
      return fail(ErrorCode::kBadRequest,
                  "Invalid OpenAPI input: the document declares neither 'swagger: \"2.0\"' nor "
                  "'openapi: 3.x'");
    read_api();
    read_models();
    read_validators();
    read_authorizers();
    read_gateway_responses();
    read_documentation();
    std::string root_id = new_id(10);
    section(out_.doc, "resources")[root_id] = json::object{{"id", root_id}, {"path", "/"}};
    root_id_ = root_id;
    if (wrongly_typed(root_, "paths", &json::value::is_object))
      out_.errors.push_back("Invalid OpenAPI input: paths must be a map of paths to path items");
    if (const json::object* paths = obj(root_, "paths")) {
      std::vector<std::string> keys;
      for (const auto& kv : *paths) keys.emplace_back(kv.key());
      std::sort(keys.begin(), keys.end());
      for (const std::string& p : keys) {
        if (wrongly_typed(*paths, p, &json::value::is_object))
          out_.errors.push_back("Invalid path item '" + p + "': it must be a map of operations");
        if (const json::object* item = obj(*paths, p)) read_path(p, *item);
      }
    }
    return std::move(out_);
  }

 private:
  // --- API-level members ------------------------------------------------------------------
  void read_api() {
    json::object& api = out_.api;
    const json::object* info = obj(root_, "info");
    std::string title = info ? text(*info, "title") : "";
    if (title.empty()) out_.errors.push_back("Invalid OpenAPI input: info.title is required");
    api["name"] = title;
    if (info && !text(*info, "description").empty()) api["description"] = text(*info, "description");
    if (info && !text(*info, "version").empty()) api["version"] = text(*info, "version");
    copy(api, root_, "x-amazon-apigateway-binary-media-types", Kind::kList, "the document", "binaryMediaTypes");
    if (auto s = text(root_, "x-amazon-apigateway-api-key-source"); !s.empty()) api["apiKeySource"] = to_upper(s);
    if (auto* p = root_.if_contains("x-amazon-apigateway-policy"))
      api["policy"] = p->is_string() ? json::string(p->get_string()) : json::string(json::serialize(*p));
    copy(api, root_, "x-amazon-apigateway-minimum-compression-size", Kind::kInt, "the document",
         "minimumCompressionSize");
    if (const json::object* ec = obj(root_, "x-amazon-apigateway-endpoint-configuration")) {
      if (auto* vpce = arr(*ec, "vpcEndpointIds"))
        api["endpointConfiguration"] = json::object{{"vpcEndpointIds", *vpce}};
      if (auto* d = ec->if_contains("disableExecuteApiEndpoint"); d && d->is_bool())
        api["disableExecuteApiEndpoint"] = d->get_bool();
    }
    base_path_ = read_base_path();
  }

  std::string read_base_path() {
    std::string path;
    if (!oas3_) {
      path = text(root_, "basePath");
    } else if (auto* servers = arr(root_, "servers"); servers && !servers->empty() && (*servers)[0].is_object()) {
      const json::object& s = (*servers)[0].get_object();
      std::string url = text(s, "url");
      if (size_t scheme = url.find("://"); scheme != std::string::npos) {
        size_t slash = url.find('/', scheme + 3);
        url = slash == std::string::npos ? "" : url.substr(slash);
      }
      if (url.find("{basePath}") != std::string::npos) {
        std::string def;
        if (auto* vars = obj(s, "variables"))
          if (auto* bp = obj(*vars, "basePath")) def = text(*bp, "default");
        if (!def.starts_with('/')) def = "/" + def;
        url.replace(url.find("{basePath}"), 10, def);
      }
      path = url;
    }
    while (path.find("//") != std::string::npos) path.replace(path.find("//"), 2, "/");
    if (path == "/") path.clear();
    if (opt_.basepath == "prepend") return path;
    if (opt_.basepath == "split") {
      size_t second = path.find('/', 1);
      return second == std::string::npos ? "" : path.substr(second);
    }
    return "";
  }

  std::string ref_name(std::string_view ref) {
    for (std::string_view prefix : {"#/definitions/", "#/components/schemas/"})
      if (ref.starts_with(prefix)) return std::string(ref.substr(prefix.size()));
    return {};
  }

  // Points a schema's references at the API's models, as API Gateway stores them.
  void rewrite_refs(json::value& v) {
    if (v.is_object()) {
      for (auto& kv : v.get_object()) {
        if (kv.key() == "$ref" && kv.value().is_string()) {
          std::string name = ref_name(kv.value().get_string());
          if (!name.empty())
            kv.value() = "https://apigateway.amazonaws.com/restapis/" + opt_.api_id + "/models/" + name;
        } else {
          rewrite_refs(kv.value());
        }
      }
    } else if (v.is_array()) {
      for (auto& e : v.get_array()) rewrite_refs(e);
    }
  }

  void read_models() {
    const json::object* schemas = oas3_ ? (obj(root_, "components") ? obj(*obj(root_, "components"), "schemas") : nullptr)
                                        : obj(root_, "definitions");
    if (!schemas) return;
    for (const auto& kv : *schemas) {
      json::value schema = kv.value();
      rewrite_refs(schema);
      json::object m{{"id", new_id(6)}, {"name", kv.key()}, {"contentType", "application/json"}};
      if (schema.is_object()) schema.get_object()["$schema"] = "http://json-schema.org/draft-04/schema#";
      m["schema"] = json::serialize(schema);
      json::object& models = section(out_.doc, "models");
      std::string name(kv.key());
      bool alnum = !name.empty() && std::all_of(name.begin(), name.end(), [](char ch) { return isalnum(static_cast<unsigned char>(ch)); });
      if (!alnum) {
        out_.errors.push_back("Model name must be alphanumeric: " + name);
        continue;
      }
      if (auto st = check_model(out_.doc, m); !st) {
        out_.errors.push_back("Unable to create model '" + name + "': " + st.error().message);
        continue;
      }
      models[name] = std::move(m);
    }
  }

  void read_validators() {
    if (const json::object* validators = obj(root_, "x-amazon-apigateway-request-validators"))
      for (const auto& kv : *validators) {
        if (!kv.value().is_object()) continue;
        const json::object& v = kv.value().get_object();
        json::object r{{"id", unused_key(section(out_.doc, "validators"))}, {"name", kv.key()}};
        auto flag = [&](std::string_view k) {
          auto* b = v.if_contains(k);
          return b && b->is_bool() && b->get_bool();
        };
        r["validateRequestBody"] = flag("validateRequestBody");
        r["validateRequestParameters"] = flag("validateRequestParameters");
        validator_ids_[std::string(kv.key())] = std::string(sv(r, "id"));
        section(out_.doc, "validators")[sv(r, "id")] = std::move(r);
      }
    default_validator_ = text(root_, "x-amazon-apigateway-request-validator");
  }

  const json::object* security_schemes() {
    if (oas3_) {
      const json::object* c = obj(root_, "components");
      return c ? obj(*c, "securitySchemes") : nullptr;
    }
    return obj(root_, "securityDefinitions");
  }

  void read_authorizers() {
    const json::object* schemes = security_schemes();
    if (!schemes) return;
    for (const auto& kv : *schemes) {
      if (!kv.value().is_object()) continue;
      const json::object* a = obj(kv.value().get_object(), "x-amazon-apigateway-authorizer");
      if (!a) continue;
      const json::object& scheme = kv.value().get_object();
      json::object r{{"id", unused_key(section(out_.doc, "authorizers"))},
                     {"name", kv.key()},
                     {"type", to_upper(text(*a, "type"))}};
      for (std::string_view k : {"authorizerUri", "authorizerCredentials", "identityValidationExpression", "identitySource"})
        if (auto t = text(*a, k); !t.empty()) r[k] = t;
      if (sv(r, "type") == "TOKEN" && !r.contains("identitySource") && text(scheme, "in") == "header")
        r["identitySource"] = "method.request.header." + text(scheme, "name");
      std::string where = "authorizer '" + std::string(kv.key()) + "'";
      copy(r, *a, "providerARNs", Kind::kList, where);
      copy(r, *a, "authorizerResultTtlInSeconds", Kind::kInt, where);
      if (!r.contains("authorizerResultTtlInSeconds")) r["authorizerResultTtlInSeconds"] = 300;
      if (auto t = text(scheme, "x-amazon-apigateway-authtype"); !t.empty()) r["authType"] = t;
      if (auto st = check_authorizer(out_.doc, r); !st) {
        out_.errors.push_back("Unable to create authorizer '" + std::string(kv.key()) + "': " + st.error().message);
        continue;
      }
      authorizer_ids_[std::string(kv.key())] = std::string(sv(r, "id"));
      section(out_.doc, "authorizers")[sv(r, "id")] = std::move(r);
    }
  }

  void read_gateway_responses() {
    const json::object* responses = obj(root_, "x-amazon-apigateway-gateway-responses");
    if (!responses) return;
    for (const auto& kv : *responses) {
      if (!kv.value().is_object()) continue;
      const json::object& g = kv.value().get_object();
      json::object r{{"responseType", kv.key()}};
      if (auto code = text(g, "statusCode"); !code.empty()) r["statusCode"] = code;
      std::string where = "gateway response '" + std::string(kv.key()) + "'";
      copy(r, g, "responseParameters", Kind::kMap, where);
      copy(r, g, "responseTemplates", Kind::kMap, where);
      if (!r.contains("responseParameters")) r["responseParameters"] = json::object();
      if (!r.contains("responseTemplates")) r["responseTemplates"] = json::object();
      r["defaultResponse"] = false;
      if (auto st = check_gateway_response(r); !st) {
        out_.errors.push_back("Invalid gateway response '" + std::string(kv.key()) + "': " + st.error().message);
        continue;
      }
      section(out_.doc, "responses")[kv.key()] = std::move(r);
    }
  }

  // Copies a member of the document after checking its type as the operations do; a member of
  // the wrong type is an error of the import.
  enum class Kind { kMap, kList, kInt, kTls };
  void copy(json::object& to, const json::object& from, std::string_view key, Kind kind,
            const std::string& where, std::string_view as = {}) {
    if (!from.contains(key)) return;
    std::string_view target = as.empty() ? key : as;
    auto wrong = [&](const Error& e) {
      std::string_view m = e.message;
      if (size_t colon = m.find(": the member"); colon != std::string_view::npos) m.remove_prefix(colon + 2);
      out_.errors.push_back("In " + where + ": " + std::string(m));
    };
    switch (kind) {
      case Kind::kMap:
        if (auto v = opt_map(from, key); !v) wrong(v.error());
        else if (*v) to[target] = std::move(**v);
        break;
      case Kind::kList:
        if (auto v = opt_list(from, key); !v) wrong(v.error());
        else if (*v) to[target] = std::move(**v);
        break;
      case Kind::kInt:
        if (auto v = opt_int(from, key); !v) wrong(v.error());
        else if (*v) to[target] = **v;
        break;
      case Kind::kTls:
        if (auto v = opt_tls_config(from, key); !v) wrong(v.error());
        else if (*v) to[target] = std::move(**v);
        break;
    }
  }

  // x-amazon-apigateway-documentation: parts, each a location and its properties.
  void read_documentation() {
    const json::value* d = root_.if_contains("x-amazon-apigateway-documentation");
    if (!d) return;
    const json::value* parts = d->is_object() ? d->get_object().if_contains("documentationParts") : nullptr;
    if (!parts || !parts->is_array()) {
      out_.errors.push_back("Invalid x-amazon-apigateway-documentation: it needs documentationParts, a list");
      return;
    }
    for (const json::value& p : parts->get_array()) {
      if (auto part = documentation_part(p)) put_documentation_part(out_.doc, std::move(*part));
      else out_.errors.push_back(part.error().message);
    }
  }

  // --- Paths ------------------------------------------------------------------------------
  // The resource for `path`, created with its ancestors as needed.
  std::optional<std::string> resource_for(const std::string& path) {
    json::object& resources = section(out_.doc, "resources");
    std::string id = root_id_, current;
    size_t i = 0;
    while (i < path.size()) {
      if (path[i] == '/') { ++i; continue; }
      size_t end = path.find('/', i);
      if (end == std::string::npos) end = path.size();
      std::string part = path.substr(i, end - i);
      i = end;
      current += "/" + part;
      std::string found;
      for (const auto& kv : resources)
        if (sv(api::obj(kv.value()), "parentId") == id && sv(api::obj(kv.value()), "pathPart") == part)
          found = kv.key();
      if (found.empty()) {
        json::object parent = api::obj(resources[id]);
        if (auto st = check_placement(out_.doc, parent, part, {}); !st) {
          out_.errors.push_back("Unable to create resource at path '" + current + "': " + st.error().message);
          return std::nullopt;
        }
        found = unused_key(resources);
        resources[found] = json::object{{"id", found}, {"parentId", id}, {"pathPart", part}, {"path", current}};
      }
      id = found;
    }
    return id;
  }

  json::value resolve(const json::value& v) {
    if (!v.is_object()) return v;
    std::string_view ref = sv(v.get_object(), "$ref");
    if (!ref.starts_with("#/")) return v;
    const json::value* cur = &root_value_;
    std::string_view rest = ref.substr(2);
    while (!rest.empty() && cur && cur->is_object()) {
      size_t slash = rest.find('/');
      std::string key = unescape_key(rest.substr(0, slash));
      cur = cur->get_object().if_contains(key);
      rest = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
    }
    return cur ? *cur : json::value();
  }

  void read_path(const std::string& raw_path, const json::object& item) {
    std::string path = base_path_ + raw_path;
    auto resource_id = resource_for(path);
    if (!resource_id) return;
    json::array shared;
    if (auto* p = arr(item, "parameters")) shared = *p;
    for (const auto& kv : item) {
      std::string verb;
      if (kv.key() == "x-amazon-apigateway-any-method") verb = "ANY";
      else if (std::find(std::begin(kVerbs), std::end(kVerbs), kv.key()) != std::end(kVerbs)) verb = to_upper(kv.key());
      else continue;
      if (kv.value().is_null()) continue;
      if (!kv.value().is_object()) {
        out_.errors.push_back("Invalid operation '" + verb + " " + path +
                              "': it must be a map of the operation's members");
        continue;
      }
      read_method(path, *resource_id, verb, kv.value().get_object(), shared);
    }
  }

  std::string model_of(const json::value& schema) {
    return schema.is_object() ? ref_name(sv(schema.get_object(), "$ref")) : std::string();
  }

  // Swagger's content types: the operation's, else the document's, else JSON.
  std::vector<std::string> media_types(const json::object& op, std::string_view key) {
    const json::array* list = arr(op, key);
    if (!list) list = arr(root_, key);
    std::vector<std::string> out;
    if (list)
      for (const json::value& v : *list)
        if (v.is_string()) out.emplace_back(v.get_string());
    if (out.empty()) out.emplace_back("application/json");
    return out;
  }

  void read_parameters(json::object& m, const json::object& op, const json::array& params,
                       const std::string& where) {
    for (const json::value& raw : params) {
      json::value pv = resolve(raw);
      if (!pv.is_object()) continue;
      const json::object& p = pv.get_object();
      std::string in = text(p, "in"), name = text(p, "name");
      auto* req = p.if_contains("required");
      bool required = req && req->is_bool() && req->get_bool();
      std::string location = in == "path" ? "path" : in == "query" ? "querystring" : in == "header" ? "header" : "";
      if (!location.empty()) {
        section(m, "requestParameters")["method.request." + location + "." + name] = in == "path" || required;
      } else if (in == "body") {
        if (auto model = model_of(member(p, "schema")); !model.empty()) {
          for (const std::string& ct : media_types(op, "consumes")) section(m, "requestModels")[ct] = model;
        }
      } else {
        out_.warnings.push_back("Parameter '" + name + "' in " + in + " of " + where + " is not supported and was ignored");
      }
    }
  }

  // Applies a security requirement list to a method.
  void read_security(json::object& m, const json::array& requirements, const std::string& where) {
    const json::object* schemes = security_schemes();
    for (const json::value& req : requirements) {
      if (!req.is_object()) continue;
      for (const auto& kv : req.get_object()) {
        const json::object* scheme = schemes ? obj(*schemes, kv.key()) : nullptr;
        if (!scheme) {
          out_.warnings.push_back("Security scheme '" + std::string(kv.key()) + "' used by " + where + " is not defined");
          continue;
        }
        std::string authtype = text(*scheme, "x-amazon-apigateway-authtype");
        authtype = to_lower(authtype);
        if (auto it = authorizer_ids_.find(std::string(kv.key())); it != authorizer_ids_.end()) {
          std::string type(sv(api::obj(section(out_.doc, "authorizers")[it->second]), "type"));
          m["authorizationType"] = type == "COGNITO_USER_POOLS" ? type : std::string("CUSTOM");
          m["authorizerId"] = it->second;
          if (type == "COGNITO_USER_POOLS" && kv.value().is_array() && !kv.value().get_array().empty())
            copy(m, req.get_object(), kv.key(), Kind::kList, where, "authorizationScopes");
        } else if (authtype == "awssigv4") {
          m["authorizationType"] = "AWS_IAM";
        } else if (text(*scheme, "type") == "apiKey" && text(*scheme, "in") == "header" &&
                   to_upper(text(*scheme, "name")) == "X-API-KEY") {
          m["apiKeyRequired"] = true;
        } else {
          out_.warnings.push_back("Security scheme '" + std::string(kv.key()) + "' of " + where +
                                  " is not supported by API Gateway and was ignored");
        }
      }
    }
  }

  void read_responses(json::object& m, const json::object& op, const json::object& responses,
                      const std::string& where) {
    for (const auto& kv : responses) {
      std::string code(kv.key());
      if (code == "default") {
        out_.warnings.push_back("Default response of " + where + " is not supported and was ignored");
        continue;
      }
      if (auto st = check_status_code(code); !st) {
        out_.errors.push_back("Invalid response of " + where + ": " + st.error().message);
        continue;
      }
      json::value rv = resolve(kv.value());
      json::object r{{"statusCode", code}};
      if (rv.is_object()) {
        const json::object& resp = rv.get_object();
        if (const json::object* headers = obj(resp, "headers"))
          for (const auto& h : *headers) section(r, "responseParameters")["method.response.header." + std::string(h.key())] = false;
        if (oas3_) {
          if (const json::object* content = obj(resp, "content"))
            for (const auto& ct : *content)
              if (ct.value().is_object())
                if (auto model = model_of(member(ct.value().get_object(), "schema")); !model.empty())
                  section(r, "responseModels")[ct.key()] = model;
        } else if (auto* schema = resp.if_contains("schema")) {
          if (auto model = model_of(*schema); !model.empty()) {
            for (const std::string& ct : media_types(op, "produces")) section(r, "responseModels")[ct] = model;
          }
        }
      }
      if (auto st = check_method_response(out_.doc, r); !st) {
        out_.errors.push_back("Invalid response " + code + " of " + where + ": " + st.error().message);
        continue;
      }
      section(m, "methodResponses")[code] = std::move(r);
    }
  }

  std::optional<json::object> read_integration(const json::object& x, json::object& method,
                                               const std::string& resource_id, const std::string& where) {
    json::object i{{"type", to_upper(text(x, "type"))}};
    if (auto v = text(x, "httpMethod"); !v.empty()) i["httpMethod"] = to_upper(v);
    for (std::string_view k : {"uri", "credentials", "connectionId", "cacheNamespace"})
      if (auto v = text(x, k); !v.empty()) i[k] = v;
    for (std::string_view k : {"connectionType", "passthroughBehavior", "contentHandling"})
      if (auto v = text(x, k); !v.empty()) i[k] = to_upper(v);
    copy(i, x, "requestParameters", Kind::kMap, where);
    copy(i, x, "requestTemplates", Kind::kMap, where);
    copy(i, x, "cacheKeyParameters", Kind::kList, where);
    copy(i, x, "timeoutInMillis", Kind::kInt, where);
    copy(i, x, "tlsConfig", Kind::kTls, where);
    integration_defaults(i, resource_id);
    if (auto st = check_integration(i, method); !st) {
      out_.errors.push_back("Invalid integration of " + where + ": " + st.error().message);
      return std::nullopt;
    }
    if (const json::object* responses = obj(x, "responses"))
      for (const auto& kv : *responses) {
        if (!kv.value().is_object()) continue;
        const json::object& rx = kv.value().get_object();
        std::string code = text(rx, "statusCode");
        json::object r{{"statusCode", code}};
        if (kv.key() != "default") r["selectionPattern"] = kv.key();
        copy(r, rx, "responseParameters", Kind::kMap, where);
        copy(r, rx, "responseTemplates", Kind::kMap, where);
        if (auto v = text(rx, "contentHandling"); !v.empty()) r["contentHandling"] = to_upper(v);
        if (auto st = check_status_code(code); !st) {
          out_.errors.push_back("Invalid integration response of " + where + ": " + st.error().message);
          continue;
        }
        if (!obj(method, "methodResponses") || !obj(*obj(method, "methodResponses"), code)) {
          out_.warnings.push_back("Integration response " + code + " of " + where +
                                  " has no method response of that status; one was added");
          section(method, "methodResponses")[code] = json::object{{"statusCode", code}};
        }
        if (auto st = check_integration_response(method, r); !st) {
          out_.errors.push_back("Invalid integration response of " + where + ": " + st.error().message);
          continue;
        }
        section(i, "integrationResponses")[code] = std::move(r);
      }
    return i;
  }

  void read_method(const std::string& path, const std::string& resource_id, const std::string& verb,
                   const json::object& op, const json::array& shared) {
    std::string where = "'" + verb + " " + path + "'";
    json::object m{{"httpMethod", verb}, {"authorizationType", "NONE"}, {"apiKeyRequired", false}};
    if (auto id = text(op, "operationId"); !id.empty()) m["operationName"] = id;
    read_parameters(m, op, shared, where);
    if (auto* p = arr(op, "parameters")) read_parameters(m, op, *p, where);
    if (oas3_) {
      json::value body = op.contains("requestBody") ? resolve(member(op, "requestBody")) : json::value();
      if (body.is_object())
        if (const json::object* content = obj(body.get_object(), "content"))
          for (const auto& ct : *content)
            if (ct.value().is_object())
              if (auto model = model_of(member(ct.value().get_object(), "schema")); !model.empty())
                section(m, "requestModels")[ct.key()] = model;
    }
    if (auto* security = arr(op, "security")) read_security(m, *security, where);
    else if (auto* global = arr(root_, "security")) read_security(m, *global, where);
    if (const json::object* auth = obj(op, "x-amazon-apigateway-auth"))
      m["authorizationType"] = to_upper(text(*auth, "type")) == "AWS_IAM" ? "AWS_IAM" : to_upper(text(*auth, "type"));
    std::string validator = text(op, "x-amazon-apigateway-request-validator");
    if (validator.empty()) validator = default_validator_;
    if (!validator.empty()) {
      if (auto it = validator_ids_.find(validator); it != validator_ids_.end()) m["requestValidatorId"] = it->second;
      else out_.errors.push_back("Request validator '" + validator + "' of " + where + " is not defined");
    }
    if (const json::object* responses = obj(op, "responses")) read_responses(m, op, *responses, where);
    if (!m.contains("methodResponses")) out_.warnings.push_back("No responses specified for " + where);
    if (auto st = check_method(out_.doc, m); !st) {
      out_.errors.push_back("Invalid method " + where + ": " + st.error().message);
      return;
    }
    if (wrongly_typed(op, "x-amazon-apigateway-integration", &json::value::is_object)) {
      out_.errors.push_back("Invalid x-amazon-apigateway-integration of " + where +
                            ": it must be a map of the integration's members");
      return;
    }
    if (const json::object* x = obj(op, "x-amazon-apigateway-integration"))
      if (auto i = read_integration(*x, m, resource_id, where)) m["methodIntegration"] = std::move(*i);
    json::object& resource = ensure_object(section(out_.doc, "resources")[resource_id]);
    section(resource, "resourceMethods")[verb] = std::move(m);
  }

  json::value root_value_;
  json::object& root_;
  const ImportOptions& opt_;
  bool oas3_ = false;
  std::string base_path_, root_id_, default_validator_;
  std::map<std::string, std::string> validator_ids_, authorizer_ids_;
  Imported out_;
};

}  // namespace

Result<Imported> import_document(const json::object& document, const ImportOptions& options) {
  json::value v = document;
  std::vector<std::string> warnings;
  substitute(v, options, warnings);
  Importer importer(std::move(v), options);
  Imported out = PC_TRY(importer.run());
  out.warnings.insert(out.warnings.begin(), warnings.begin(), warnings.end());
  return out;
}

}  // namespace portcullis::gateway::openapi
