// Resources (the path tree and its rules), methods and method responses.
#include <algorithm>

#include "core/encoding.h"
#include "gateway/api/call.h"

namespace portcullis::gateway::api {

Result<json::object*> find_resource(json::object& doc, std::string_view id) {
  return find_in(doc, "resources", id, "Invalid Resource identifier specified");
}

Result<json::object*> find_method(json::object& doc, std::string_view resource_id,
                                  std::string_view http_method) {
  json::object* resource = PC_TRY(find_resource(doc, resource_id));
  return find_in(*resource, "resourceMethods", http_method, "Invalid Method identifier specified");
}

Result<json::object*> find_method(Call& c, json::object& doc) {
  return find_method(doc, c.label("resource_id"), c.label("http_method"));
}

Status check_parameter_names(const json::object& params, std::string_view prefix,
                             std::initializer_list<std::string_view> locations,
                             std::string_view what) {
  for (const auto& kv : params) {
    std::string_view key = kv.key();
    bool ok = false;
    if (key.starts_with(prefix)) {
      std::string_view rest = key.substr(prefix.size());
      for (std::string_view loc : locations)
        if (rest.starts_with(loc) && rest.size() > loc.size() + 1 && rest[loc.size()] == '.')
          ok = true;
    }
    if (!ok)
      return std::unexpected(bad_request("Invalid " + std::string(what) + " specified: " +
                                         std::string(key)));
  }
  return {};
}

Status check_status_code(std::string_view code) {
  if (code.size() != 3 || code[0] < '1' || code[0] > '5' || !isdigit(code[1]) || !isdigit(code[2]))
    return std::unexpected(bad_request("Invalid status code specified: " + std::string(code)));
  return {};
}

namespace {

// --- Resources ------------------------------------------------------------------------------

// The models a map of content types names exist.
Status check_models(json::object& doc, const json::object& models) {
  for (const auto& kv : models)
    if (!section(doc, "models").contains(sv(kv.value())))
      return std::unexpected(bad_request("Invalid model identifier specified: " +
                                         std::string(sv(kv.value()))));
  return {};
}

bool is_variable(std::string_view part) { return part.starts_with('{'); }
bool is_greedy(std::string_view part) { return part.ends_with("+}"); }

Status check_path_part(std::string_view part) {
  auto plain = [](char ch) { return isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '_' || ch == '-'; };
  std::string_view inner = part;
  bool ok = !part.empty();
  if (ok && part.front() == '{') {
    ok = part.size() > 2 && part.back() == '}';
    inner = part.substr(1, part.size() - 2);
    if (ok && inner.back() == '+') inner.remove_suffix(1);
    ok = ok && !inner.empty();
  }
  ok = ok && std::all_of(inner.begin(), inner.end(), plain);
  if (!ok)
    return std::unexpected(bad_request(
        "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the "
        "end and an optional plus sign before the closing brace."));
  return {};
}

}  // namespace

// The rules of the tree for a resource `part` placed under `parent` (skipping `self` when a
// resource is renamed or moved).
Status check_placement(json::object& doc, const json::object& parent, std::string_view part,
                       std::string_view self) {
  PC_CHECK(check_path_part(part));
  if (is_greedy(sv(parent, "pathPart")))
    return std::unexpected(bad_request(
        "Cannot create a child of a resource with a greedy path variable: " +
        std::string(sv(parent, "pathPart"))));
  // A rename must not put a greedy path variable above children the create rule kept out.
  if (!self.empty() && is_greedy(part))
    for (const auto& kv : section(doc, "resources"))
      if (sv(obj(kv.value()), "parentId") == self)
        return std::unexpected(bad_request(
            "A resource with children cannot have a greedy path variable: " + std::string(part)));
  for (const auto& kv : section(doc, "resources")) {
    const json::object& r = obj(kv.value());
    if (sv(r, "parentId") != sv(parent, "id") || sv(r, "id") == self) continue;
    std::string_view sibling = sv(r, "pathPart");
    if (sibling == part)
      return std::unexpected(
          conflict("Another resource with the same parent already has this name: " +
                   std::string(part)));
    if (is_variable(sibling) && is_variable(part))
      return std::unexpected(bad_request("A sibling (" + std::string(sibling) +
                                         ") of this resource already has a variable path part "
                                         "-- only one is allowed"));
  }
  return {};
}

namespace {

std::string child_path(const json::object& parent, std::string_view part) {
  std::string p(sv(parent, "path"));
  if (p != "/") p += "/";
  return p + std::string(part);
}

// Sets the paths of every resource under `id` from its parent's.
void repath_children(json::object& resources, std::string_view id) {
  std::string parent_path(sv(obj(resources[id]), "path"));
  for (auto& kv : resources) {
    if (sv(obj(kv.value()), "parentId") != id) continue;
    json::object& r = kv.value().get_object();  // an object: it has a parentId
    r["path"] = (parent_path == "/" ? "" : parent_path) + "/" + std::string(sv(r, "pathPart"));
    repath_children(resources, sv(r, "id"));
  }
}

// A resource as listed: methods summarized unless embedded.
json::object resource_view(const json::object& r, bool embed) {
  json::object out = r;
  if (!embed) {
    if (auto* methods = out.if_contains("resourceMethods")) {
      json::object summary;
      for (const auto& kv : obj(*methods)) summary[kv.key()] = json::object();
      *methods = std::move(summary);
    }
  }
  return out;
}

bool wants_methods(const Call& c) {
  for (const std::string& e : c.query_all("embed"))
    if (e == "methods") return true;
  return false;
}

Status create_resource(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  json::object parent = *PC_TRY(find_resource(doc, c.label("parent_id")));
  std::string part = PC_TRY(req_str(c.body, "pathPart"));
  PC_CHECK(check_placement(doc, parent, part, {}));
  return add_part(c, doc, "resources",
                  json::object{{"parentId", sv(parent, "id")},
                               {"pathPart", part},
                               {"path", child_path(parent, part)}});
}

Status get_resource(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  c.out = resource_view(*PC_TRY(find_resource(doc, c.label("resource_id"))), wants_methods(c));
  return {};
}

Status get_resources(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  std::vector<json::value> items;
  bool embed = wants_methods(c);
  for (const auto& kv : section(doc, "resources")) items.push_back(resource_view(obj(kv.value()), embed));
  std::sort(items.begin(), items.end(), [](const json::value& a, const json::value& b) {
    return sv(obj(a), "path") < sv(obj(b), "path");
  });
  return write_items(c, items);
}

Status update_resource(Call& c) {
  static constexpr PatchRule kRules[] = {
      {"/pathPart", kReplace, PatchKind::kString},
      {"/parentId", kReplace, PatchKind::kString},
  };
  json::object doc = PC_TRY(load_api(c));
  const std::string& id = c.label("resource_id");
  json::object r = *PC_TRY(find_resource(doc, id));
  if (!r.contains("parentId"))
    return std::unexpected(bad_request("The root resource cannot be updated"));
  PC_CHECK(apply_patch(r, PC_TRY(patch_operations(c.body)), kRules));
  json::object& resources = section(doc, "resources");
  json::object parent = *PC_TRY(find_resource(doc, sv(r, "parentId")));
  // A resource cannot move under itself or its descendants.
  for (std::string_view up = sv(parent, "id"); !up.empty();) {
    if (up == id) return std::unexpected(bad_request("A resource cannot be moved under itself"));
    auto it = resources.find(up);
    up = it == resources.end() ? std::string_view() : sv(obj(it->value()), "parentId");
  }
  PC_CHECK(check_placement(doc, parent, sv(r, "pathPart"), id));
  r["path"] = child_path(parent, sv(r, "pathPart"));
  resources[id] = r;
  repath_children(resources, id);
  PC_CHECK(save_api(c, doc));
  c.out = resource_view(r, false);
  return {};
}

Status delete_resource(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  const std::string& id = c.label("resource_id");
  json::object r = *PC_TRY(find_resource(doc, id));
  if (!r.contains("parentId"))
    return std::unexpected(bad_request("The root resource cannot be deleted"));
  json::object& resources = section(doc, "resources");
  std::vector<std::string> doomed{id};
  for (size_t i = 0; i < doomed.size(); ++i)
    for (const auto& kv : resources)
      if (sv(obj(kv.value()), "parentId") == doomed[i]) doomed.emplace_back(kv.key());
  for (const std::string& d : doomed) resources.erase(d);
  return save_api(c, doc);
}

// --- Methods --------------------------------------------------------------------------------

Status check_http_method(std::string_view m) {
  if (is_http_method(m)) return {};
  return std::unexpected(bad_request(
      "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY"));
}

}  // namespace

// Checks a method's members against the API (authorizer, validator, models exist).
Status check_method(json::object& doc, const json::object& m) {
  // A string in the model, not an enumeration: AWS takes it in any letter case (Zappa sends
  // "none") and keeps it as sent; what it means is its upper-case form.
  std::string type = to_upper(sv(m, "authorizationType"));
  PC_CHECK(check_enum(type, "authorizationType", {"NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"}));
  std::string_view authorizer = sv(m, "authorizerId");
  if ((type == "CUSTOM" || type == "COGNITO_USER_POOLS") && authorizer.empty())
    return std::unexpected(bad_request(
        "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or "
        "COGNITO_USER_POOLS requires a valid authorizer."));
  if (!authorizer.empty()) {
    json::object* a = PC_TRY(find_in(doc, "authorizers", authorizer,
                                     "Invalid authorizer ID specified"));
    std::string_view atype = sv(*a, "type");
    bool cognito = atype == "COGNITO_USER_POOLS";
    if ((type == "COGNITO_USER_POOLS") != cognito || (type != "CUSTOM" && !cognito))
      return std::unexpected(bad_request("Unable to set authorizer " + std::string(authorizer) +
                                         " of type " + std::string(atype) +
                                         " for authorization type " +
                                         std::string(sv(m, "authorizationType"))));
  }
  // What a method refers to must exist: a bad request, not a missing method.
  if (auto v = sv(m, "requestValidatorId"); !v.empty() && !section(doc, "validators").contains(v))
    return std::unexpected(bad_request("Invalid Request Validator identifier specified"));
  if (auto* models = m.if_contains("requestModels")) PC_CHECK(check_models(doc, obj(*models)));
  if (auto* params = m.if_contains("requestParameters"))
    PC_CHECK(check_parameter_names(obj(*params), "method.request.",
                                   {"path", "querystring", "multivaluequerystring", "header",
                                    "multivalueheader"},
                                   "method request parameter name"));
  return {};
}

namespace {

Status put_method(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  const std::string& verb = c.label("http_method");
  PC_CHECK(check_http_method(verb));
  json::object* resource = PC_TRY(find_resource(doc, c.label("resource_id")));
  if (section(*resource, "resourceMethods").contains(verb))
    return std::unexpected(conflict("Method already exists for this resource"));
  json::object m{{"httpMethod", verb}, {"authorizationType", PC_TRY(req_str(c.body, "authorizationType"))}};
  for (std::string_view k : {"authorizerId", "operationName", "requestValidatorId"}) PC_TRY(opt_str(c.body, k));
  m["apiKeyRequired"] = PC_TRY(opt_bool(c.body, "apiKeyRequired")).value_or(false);
  PC_TRY(opt_map(c.body, "requestParameters", true));
  PC_TRY(opt_map(c.body, "requestModels"));
  PC_TRY(opt_list(c.body, "authorizationScopes"));
  copy_members(m, c.body, {"authorizerId", "operationName", "requestValidatorId",
                           "requestParameters", "requestModels", "authorizationScopes"});
  PC_CHECK(check_method(doc, m));
  resource = PC_TRY(find_resource(doc, c.label("resource_id")));
  section(*resource, "resourceMethods")[verb] = m;
  PC_CHECK(save_api(c, doc));
  c.out = std::move(m);
  return {};
}

Status get_method(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  c.out = *PC_TRY(find_method(c, doc));
  return {};
}

Status update_method(Call& c) {
  static constexpr PatchRule kRules[] = {
      {"/authorizationType", kReplace, PatchKind::kString},
      {"/authorizerId", kReplace, PatchKind::kString},
      {"/apiKeyRequired", kReplace, PatchKind::kBool},
      {"/operationName", kReplace, PatchKind::kString},
      {"/requestValidatorId", kReplace, PatchKind::kString},
      {"/requestParameters/*", kEntryOps, PatchKind::kMapBool, "requestParameters"},
      {"/requestModels/*", kEntryOps, PatchKind::kMapString, "requestModels"},
      {"/authorizationScopes/*", kAdd | kRemove, PatchKind::kSet, "authorizationScopes"},
  };
  auto find = [&](json::object& doc) { return find_method(c, doc); };
  return patch_part(c, find, kRules, [](json::object& doc, json::object& m) {
    // Leaving a custom authorizer type drops the authorizer, as AWS does.
    if (std::string t = to_upper(sv(m, "authorizationType")); t == "NONE" || t == "AWS_IAM")
      m.erase("authorizerId");
    return check_method(doc, m);
  });
}

Status delete_method(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  PC_TRY(find_method(c, doc));
  json::object* resource = PC_TRY(find_resource(doc, c.label("resource_id")));
  json::object& methods = section(*resource, "resourceMethods");
  methods.erase(c.label("http_method"));
  if (methods.empty()) resource->erase("resourceMethods");
  return save_api(c, doc);
}

// --- Method responses -----------------------------------------------------------------------

}  // namespace

Status check_method_response(json::object& doc, const json::object& r) {
  if (auto* params = r.if_contains("responseParameters"))
    PC_CHECK(check_parameter_names(obj(*params), "method.response.", {"header"},
                                   "method response parameter name"));
  if (auto* models = r.if_contains("responseModels")) PC_CHECK(check_models(doc, obj(*models)));
  return {};
}

namespace {

Result<json::object*> find_method_response(Call& c, json::object& doc) {
  json::object* m = PC_TRY(find_method(c, doc));
  return find_in(*m, "methodResponses", c.label("status_code"),
                 "Invalid Response status code specified");
}

Status put_method_response(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  const std::string& code = c.label("status_code");
  PC_CHECK(check_status_code(code));
  json::object* m = PC_TRY(find_method(c, doc));
  if (section(*m, "methodResponses").contains(code))
    return std::unexpected(conflict("Response already exists for this resource"));
  json::object r{{"statusCode", code}};
  PC_TRY(opt_map(c.body, "responseParameters", true));
  PC_TRY(opt_map(c.body, "responseModels"));
  copy_members(r, c.body, {"responseParameters", "responseModels"});
  PC_CHECK(check_method_response(doc, r));
  m = PC_TRY(find_method(c, doc));
  section(*m, "methodResponses")[code] = r;
  PC_CHECK(save_api(c, doc));
  c.out = std::move(r);
  return {};
}

Status get_method_response(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  c.out = *PC_TRY(find_method_response(c, doc));
  return {};
}

Status update_method_response(Call& c) {
  static constexpr PatchRule kRules[] = {
      {"/responseParameters/*", kEntryOps, PatchKind::kMapBool, "responseParameters"},
      {"/responseModels/*", kEntryOps, PatchKind::kMapString, "responseModels"},
  };
  auto find = [&](json::object& doc) { return find_method_response(c, doc); };
  return patch_part(c, find, kRules, [](json::object& doc, json::object& r) {
    return check_method_response(doc, r);
  });
}

Status delete_method_response(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  PC_TRY(find_method_response(c, doc));
  json::object* m = PC_TRY(find_method(c, doc));
  json::object& responses = section(*m, "methodResponses");
  responses.erase(c.label("status_code"));
  if (responses.empty()) m->erase("methodResponses");
  // The integration response of that status goes with it: it would map into nothing.
  if (auto* i = m->if_contains("methodIntegration"))
    if (auto* io = i->if_object(); io && io->contains("integrationResponses")) {
      json::object& irs = section(*io, "integrationResponses");
      irs.erase(c.label("status_code"));
      if (irs.empty()) io->erase("integrationResponses");
    }
  return save_api(c, doc);
}

constexpr Op kOps[] = {
    {"CreateResource", create_resource},
    {"GetResource", get_resource},
    {"GetResources", get_resources},
    {"UpdateResource", update_resource},
    {"DeleteResource", delete_resource},
    {"PutMethod", put_method},
    {"GetMethod", get_method},
    {"UpdateMethod", update_method},
    {"DeleteMethod", delete_method},
    {"PutMethodResponse", put_method_response},
    {"GetMethodResponse", get_method_response},
    {"UpdateMethodResponse", update_method_response},
    {"DeleteMethodResponse", delete_method_response},
};

}  // namespace

std::span<const Op> resource_ops() { return kOps; }

}  // namespace portcullis::gateway::api
