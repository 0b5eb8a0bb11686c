// ImportRestApi, PutRestApi (merge or overwrite) and GetExport: REST APIs to and from OpenAPI.
#include <map>

#include "core/encoding.h"
#include "gateway/api/call.h"
#include "gateway/openapi/openapi.h"

namespace portcullis::gateway::api {

namespace {

std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += "\n\t" + l;
  return out;
}

Error import_errors(const std::vector<std::string>& errors,
                    const std::vector<std::string>& warnings = {}) {
  std::string message = "Errors found during import:" + join(errors);
  if (!warnings.empty()) message += "\nAdditionally, these warnings were found:" + join(warnings);
  return bad_request(std::move(message));
}

// Reads the document; errors, or warnings when the caller fails on them, refuse the import.
Result<openapi::Imported> read_document(Call& c, const std::string& api_id) {
  openapi::ImportOptions opt;
  opt.api_id = api_id;
  opt.region = c.region();
  opt.account = c.account();
  opt.basepath = c.query("basepath").value_or("ignore");
  PC_CHECK(check_enum(opt.basepath, "basepath", {"ignore", "prepend", "split"}));
  openapi::Imported im = PC_TRY(openapi::import_document(c.body, opt));
  if (!im.errors.empty()) return std::unexpected(import_errors(im.errors, im.warnings));
  if (!im.warnings.empty() && c.query("failonwarnings") == "true")
    return std::unexpected(bad_request("Warnings found during import:" + join(im.warnings)));
  return im;
}

// Copies the RestApi members the document sets onto `api`.
void apply_api_members(json::object& api, const json::object& from) {
  for (const auto& kv : from) {
    if (kv.key() == "endpointConfiguration") {
      json::object& ec = section(api, "endpointConfiguration");
      for (const auto& e : obj(kv.value())) ec[e.key()] = e.value();
    } else {
      api[kv.key()] = kv.value();
    }
  }
}

json::object with_warnings(json::object api, const std::vector<std::string>& warnings) {
  if (!warnings.empty()) {
    json::array w;
    for (const std::string& s : warnings) w.emplace_back(s);
    api["warnings"] = std::move(w);
  }
  return api;
}

std::string root_of(json::object& doc) {
  for (const auto& kv : section(doc, "resources"))
    if (!obj(kv.value()).contains("parentId")) return std::string(kv.key());
  return {};
}

Status import_rest_api(Call& c) {
  std::string id = PC_TRY(unused_id(c, kApis, 10));
  openapi::Imported im = PC_TRY(read_document(c, id));
  json::object api{{"id", id}, {"apiKeySource", "HEADER"}};
  std::string type = c.query("endpointConfigurationTypes").value_or("EDGE");
  api["endpointConfiguration"] = json::object{{"types", json::array{json::string(type)}}};
  api["disableExecuteApiEndpoint"] = false;
  apply_api_members(api, im.api);
  api["createdDate"] = c.epoch();
  api["rootResourceId"] = root_of(im.doc);
  PC_CHECK(check_api(api));
  json::object doc = std::move(im.doc);
  doc["api"] = api;
  PC_CHECK(save_api(c, doc));
  c.out = with_warnings(std::move(api), im.warnings);
  return {};
}

// Renames ids in methods after parts of the import were matched to existing ones.
void remap_method_refs(json::object& resources, const std::map<std::string, std::string>& ids) {
  for (auto& kv : resources)
    if (auto* r = kv.value().if_object())
      if (auto* methods = r->if_contains("resourceMethods"); methods && methods->is_object())
        for (auto& m : methods->get_object())
          for (std::string_view k : {"authorizerId", "requestValidatorId"})
            if (auto* v = m.value().is_object() ? m.value().get_object().if_contains(k) : nullptr)
              if (auto it = ids.find(std::string(sv(*v))); it != ids.end()) *v = it->second;
}

// Merges the imported parts keyed by id (validators, authorizers) into `doc` by name.
void merge_named(json::object& doc, json::object& imported, std::string_view name,
                 std::map<std::string, std::string>& ids) {
  json::object& mine = section(doc, name);
  for (auto& kv : section(imported, name)) {
    json::object part = obj(kv.value());
    std::string id(kv.key());
    for (const auto& old : mine)
      if (sv(obj(old.value()), "name") == sv(part, "name")) id = old.key();
    // A new part keeps its id unless the API already uses it for another.
    if (id == kv.key() && mine.contains(id)) id = unused_key(mine);
    ids[std::string(kv.key())] = id;
    part["id"] = id;
    mine[id] = std::move(part);
  }
}

Status merge(json::object& doc, json::object& imported) {
  std::map<std::string, std::string> ids;
  merge_named(doc, imported, "validators", ids);
  merge_named(doc, imported, "authorizers", ids);
  for (std::string_view name : {"models", "responses"})
    for (auto& kv : section(imported, name)) section(doc, name)[kv.key()] = kv.value();
  // Documentation parts replace those of the same location.
  for (auto& kv : section(imported, "docparts")) put_documentation_part(doc, obj(kv.value()));
  json::object& theirs = section(imported, "resources");
  remap_method_refs(theirs, ids);
  json::object& mine = section(doc, "resources");
  // Imported resources in path order, so that parents come first.
  std::vector<json::object*> order;
  for (auto& kv : theirs) order.push_back(&ensure_object(kv.value()));
  std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return sv(*a, "path") < sv(*b, "path"); });
  std::map<std::string, std::string> resource_ids;  // theirs → mine
  for (json::object* r : order) {
    std::string found;
    for (const auto& kv : mine)
      if (sv(obj(kv.value()), "path") == sv(*r, "path")) found = kv.key();
    if (found.empty()) {
      json::object added = *r;
      added["parentId"] = resource_ids[std::string(sv(*r, "parentId"))];
      json::object parent = obj(mine[sv(added, "parentId")]);
      if (auto st = check_placement(doc, parent, sv(added, "pathPart"), {}); !st)
        return std::unexpected(import_errors({"Unable to create resource at path '" +
                                              std::string(sv(*r, "path")) + "': " + st.error().message}));
      found = mine.contains(sv(added, "id")) ? unused_key(mine) : std::string(sv(added, "id"));
      added["id"] = found;
      mine[found] = std::move(added);
    } else if (auto* methods = r->if_contains("resourceMethods")) {
      json::object& target = section(ensure_object(mine[found]), "resourceMethods");
      for (auto& m : obj(*methods)) target[m.key()] = m.value();
    }
    resource_ids[std::string(sv(*r, "id"))] = found;
  }
  return {};
}

Status put_rest_api(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  std::string mode = c.query("mode").value_or("merge");
  PC_CHECK(check_enum(mode, "mode", {"merge", "overwrite"}));
  openapi::Imported im = PC_TRY(read_document(c, c.label("restapi_id")));
  json::object api = obj(doc, "api");
  if (mode == "overwrite") {
    // The document replaces the API's definition; its id, root, stages and tags stay.
    std::string root = std::string(sv(api, "rootResourceId")), their_root = root_of(im.doc);
    json::object& resources = section(im.doc, "resources");
    json::object root_resource = obj(resources[their_root]);
    root_resource["id"] = root;
    resources.erase(their_root);
    for (auto& kv : resources)
      if (sv(obj(kv.value()), "parentId") == their_root) ensure_object(kv.value())["parentId"] = root;
    resources[root] = std::move(root_resource);
    for (std::string_view k : {"description", "version", "binaryMediaTypes", "policy", "minimumCompressionSize"})
      api.erase(k);
    for (std::string_view name : {"resources", "models", "validators", "authorizers", "responses", "docparts"})
      doc[name] = section(im.doc, name);
  } else {
    PC_CHECK(merge(doc, im.doc));
  }
  apply_api_members(api, im.api);
  PC_CHECK(check_api(api));
  doc["api"] = api;
  PC_CHECK(save_api(c, doc));
  c.out = with_warnings(std::move(api), im.warnings);
  return {};
}

Status get_export(Call& c) {
  const std::string& api_id = c.label("restapi_id");
  const std::string& type = c.label("export_type");
  json::object deployed = PC_TRY(deployed_api(c, api_id, c.label("stage_name")));
  if (type != "swagger" && type != "oas30")
    return std::unexpected(bad_request("Invalid export type specified: " + type +
                                       ". Valid values are swagger and oas30"));
  openapi::ExportOptions opt;
  opt.oas30 = type == "oas30";
  opt.region = c.region();
  opt.host = api_id + ".execute-api." + c.region() + ".amazonaws.com";
  for (const std::string& list : c.query_all("extensions")) {
    for (size_t i = 0; i <= list.size();) {
      size_t comma = list.find(',', i);
      if (comma == std::string::npos) comma = list.size();
      std::string e = list.substr(i, comma - i);
      i = comma + 1;
      // (postman, which adds Postman's own annotations to a Swagger export, adds nothing here.)
      if (e == "integrations") opt.integrations = true;
      else if (e == "documentation") continue;  // the stage's documentation is always written
      else if (e == "authorizers") opt.authorizers = true;
      else if (e == "apigateway") opt.apigateway = true;
      else if (!e.empty() && e != "postman")
        return std::unexpected(bad_request("Invalid extensions specified: " + e +
                                           ". Valid values are integrations, authorizers, apigateway, documentation and postman"));
    }
  }
  std::string accept = to_lower(c.request.header("accept").value_or("application/json"));
  bool yaml = accept.find("yaml") != std::string::npos;
  json::object document = openapi::export_document(deployed, opt);
  c.raw_out = yaml ? openapi::to_yaml(document) : json::serialize(document);
  std::string ext = yaml ? "yaml" : "json";
  c.headers.emplace_back("Content-Type", yaml ? "application/yaml" : "application/json");
  c.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + api_id + "-" +
                                                    c.label("stage_name") + "-" + type + "." + ext + "\"");
  return {};
}

constexpr Op kOps[] = {
    {"ImportRestApi", import_rest_api, Body::kDocument},
    {"PutRestApi", put_rest_api, Body::kDocument},
    {"GetExport", get_export},
};

}  // namespace

std::span<const Op> openapi_ops() { return kOps; }

}  // namespace portcullis::gateway::api
