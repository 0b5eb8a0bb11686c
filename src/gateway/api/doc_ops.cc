// Documentation: parts (properties attached to a location of the API: the API, a resource, a
// method, a parameter, a response, a model, an authorizer), versions (snapshots of the parts,
// which a stage may name), and importing parts from an OpenAPI document.
#include <algorithm>

#include "gateway/api/call.h"

namespace portcullis::gateway::api {

namespace {

Error bad_properties() {
  return bad_request("Invalid documentation content specified: the properties must be a JSON object");
}

// Which location members a type of part takes; the others must be absent.
struct LocationType {
  std::string_view type;
  bool path, method, status, name;
};
constexpr LocationType kLocationTypes[] = {
    {"API", false, false, false, false},
    {"AUTHORIZER", false, false, false, true},
    {"MODEL", false, false, false, true},
    {"RESOURCE", true, false, false, false},
    {"METHOD", true, true, false, false},
    {"PATH_PARAMETER", true, true, false, true},
    {"QUERY_PARAMETER", true, true, false, true},
    {"REQUEST_HEADER", true, true, false, true},
    {"REQUEST_BODY", true, true, false, false},
    {"RESPONSE", true, true, true, false},
    {"RESPONSE_HEADER", true, true, true, true},
    {"RESPONSE_BODY", true, true, true, false},
};

// A type outside DocumentationPartType, in the words of AWS's request validation.
Error unknown_type(std::string_view type, bool validation,
                   std::string_view member = "createDocumentationPartInput.location.type") {
  std::string set;
  for (const LocationType& t : kLocationTypes) set += (set.empty() ? "" : ", ") + std::string(t.type);
  return Error{validation ? ErrorCode::kValidationException : ErrorCode::kBadRequest,
               "1 validation error detected: Value '" + std::string(type) + "' at '" +
                   std::string(validation ? member : "location.type") +
                   "' failed to satisfy constraint: Member must satisfy enum value set: [" + set + "]"};
}

}  // namespace

Result<json::object> documentation_location(const json::value& v, bool validation) {
  if (!v.is_object()) return std::unexpected(bad_request("location must be a structure"));
  const json::object& in = v.get_object();
  std::string type = PC_TRY(req_str(in, "type"));
  const LocationType* t = nullptr;
  for (const LocationType& lt : kLocationTypes)
    if (lt.type == type) t = &lt;
  if (!t) return std::unexpected(unknown_type(type, validation));
  json::object out{{"type", type}};
  struct Member {
    std::string_view key;
    bool applies;
    std::string_view fallback;
  };
  // (REQUEST_BODY may carry a name, which is not required.)
  bool optional_name = type == "REQUEST_BODY";
  for (const Member& m : {Member{"path", t->path, "/"}, Member{"method", t->method, "*"},
                          Member{"statusCode", t->status, "*"},
                          Member{"name", t->name || optional_name, ""}}) {
    auto value = PC_TRY(opt_str(in, m.key));
    if (m.key == "name" && optional_name && (!value || value->empty())) continue;
    if (value && !m.applies)
      return std::unexpected(bad_request("Invalid documentation part location: " + std::string(m.key) +
                                         " does not apply to type " + type));
    if (!m.applies) continue;
    if (!value || value->empty()) {
      if (m.fallback.empty())
        return std::unexpected(bad_request("Invalid documentation part location: type " + type +
                                           " needs a " + std::string(m.key)));
      value = std::string(m.fallback);
    }
    if (m.key == "method" && *value != "*" && !is_http_method(*value))
      return std::unexpected(bad_request("Invalid documentation part location: method " + *value));
    if (m.key == "statusCode" && *value != "*" && !check_status_code(*value))
      return std::unexpected(bad_request("Invalid documentation part location: statusCode " + *value));
    out[m.key] = *value;
  }
  return out;
}

Result<json::object> documentation_part(const json::value& entry) {
  const json::object* e = entry.if_object();
  if (!e || !e->contains("location"))
    return std::unexpected(bad_request("Invalid documentation part: it needs a location and properties"));
  json::object location = PC_TRY(documentation_location(*e->if_contains("location"), false));
  const json::value* props = e->if_contains("properties");
  if (!props || !props->is_object()) return std::unexpected(bad_properties());
  return json::object{{"location", std::move(location)}, {"properties", json::serialize(*props)}};
}

std::string put_documentation_part(json::object& doc, json::object part) {
  json::object& parts = section(doc, "docparts");
  std::string id;
  for (auto it = parts.begin(); it != parts.end();) {
    if (obj(obj(it->value()), "location") == obj(part, "location")) {
      id = it->key();
      it = parts.erase(it);
    } else {
      ++it;
    }
  }
  if (id.empty()) id = unused_key(parts);
  part["id"] = id;
  parts[id] = std::move(part);
  return id;
}

namespace {

// Properties are a JSON object, kept as the text the caller sent.
Status check_properties(std::string_view properties) {
  if (!parse_json(properties).is_object()) return std::unexpected(bad_properties());
  return {};
}

const json::object* part_at(json::object& doc, const json::object& location) {
  for (const auto& kv : section(doc, "docparts"))
    if (kv.value().is_object() && obj(kv.value().get_object(), "location") == location)
      return &kv.value().get_object();
  return nullptr;
}

Status create_part(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  json::object location = PC_TRY(documentation_location(
      c.body.contains("location") ? *c.body.if_contains("location") : json::value(), true));
  std::string properties = PC_TRY(req_str(c.body, "properties"));
  PC_CHECK(check_properties(properties));
  if (part_at(doc, location))
    return std::unexpected(conflict("Documentation part already exists for the specified location"));
  json::object part{{"location", location}, {"properties", properties}};
  std::string id = put_documentation_part(doc, part);
  PC_CHECK(save_api(c, doc));
  c.out = section(doc, "docparts")[id];
  return {};
}

Result<json::object*> find_part(json::object& doc, std::string_view id) {
  return find_in(doc, "docparts", id, "Invalid Documentation part identifier specified");
}

Status get_part(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  c.out = *PC_TRY(find_part(doc, c.label("part_id")));
  return {};
}

Status get_parts(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  if (auto status = c.query("locationStatus"); status && *status != "DOCUMENTED")
    return std::unexpected(bad_request(
        "Portcullis lists documented locations only (locationStatus=DOCUMENTED)"));
  auto type = c.query("type"), name = c.query("name"), path = c.query("path");
  if (type && std::none_of(std::begin(kLocationTypes), std::end(kLocationTypes),
                           [&](const LocationType& t) { return t.type == *type; }))
    return std::unexpected(unknown_type(*type, true, "getDocumentationPartsInput.type"));
  std::vector<json::value> items;
  for (const auto& kv : section(doc, "docparts")) {
    const json::object& loc = obj(obj(kv.value()), "location");
    if (type && sv(loc, "type") != *type) continue;
    if (name && sv(loc, "name").find(*name) == std::string_view::npos) continue;
    if (path && sv(loc, "path") != *path) continue;
    items.push_back(kv.value());
  }
  return write_items(c, items);
}

Status update_part(Call& c) {
  static constexpr PatchRule kRules[] = {{"/properties", kReplace, PatchKind::kString}};
  auto find = [&](json::object& doc) { return find_part(doc, c.label("part_id")); };
  return patch_part(c, find, kRules, [](json::object&, json::object& part) {
    return check_properties(sv(part, "properties"));
  });
}

Status delete_part(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  PC_TRY(find_part(doc, c.label("part_id")));
  section(doc, "docparts").erase(c.label("part_id"));
  return save_api(c, doc);
}

// PUT …/documentation/parts?mode=merge|overwrite with an OpenAPI document's
// x-amazon-apigateway-documentation.
Status import_parts(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  std::string mode = c.query("mode").value_or("merge");
  PC_CHECK(check_enum(mode, "mode", {"merge", "overwrite"}));
  const json::value* ext = c.body.if_contains("x-amazon-apigateway-documentation");
  const json::value* list = ext && ext->is_object() ? ext->get_object().if_contains("documentationParts") : nullptr;
  if (!list || !list->is_array())
    return std::unexpected(bad_request(
        "Invalid documentation input: the document has no x-amazon-apigateway-documentation "
        "with documentationParts"));
  if (mode == "overwrite") section(doc, "docparts").clear();
  json::array ids, warnings;
  for (const json::value& entry : list->get_array()) {
    auto part = documentation_part(entry);
    if (!part) {
      if (c.query("failonwarnings") == "true") return std::unexpected(part.error());
      warnings.emplace_back(part.error().message);
      continue;
    }
    // Merging replaces the properties of a location already documented.
    ids.emplace_back(put_documentation_part(doc, std::move(*part)));
  }
  PC_CHECK(save_api(c, doc));
  c.out = json::object{{"ids", std::move(ids)}, {"warnings", std::move(warnings)}};
  return {};
}

// --- Versions: {version, createdDate, description}, with the parts as they were -------------

json::object version_view(const json::object& v) {
  json::object out = v;
  out.erase("parts");
  return out;
}

Result<json::object*> find_version(json::object& doc, std::string_view version) {
  return find_in(doc, "docversions", version, "Invalid Documentation version identifier specified");
}

Status create_version(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  std::string version = PC_TRY(req_str(c.body, "documentationVersion"));
  if (version.empty() || version.size() > 64)
    return std::unexpected(bad_request("Invalid documentation version specified: " + version));
  PC_TRY(opt_str(c.body, "description"));
  auto stage = PC_TRY(opt_str(c.body, "stageName"));
  if (section(doc, "docversions").contains(version))
    return std::unexpected(conflict("Documentation version already exists"));
  json::object v{{"version", version}, {"createdDate", c.epoch()}};
  copy_members(v, c.body, {"description"});
  if (stage) {
    json::object* s = PC_TRY(find_in(doc, "stages", *stage, "Invalid Stage identifier specified"));
    (*s)["documentationVersion"] = version;
  }
  json::object stored = v;
  stored["parts"] = section(doc, "docparts");
  section(doc, "docversions")[version] = std::move(stored);
  PC_CHECK(save_api(c, doc));
  c.out = std::move(v);
  return {};
}

Status get_version(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  c.out = version_view(*PC_TRY(find_version(doc, c.label("doc_version"))));
  return {};
}

Status get_versions(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  std::vector<json::value> items;
  for (const auto& kv : section(doc, "docversions")) items.push_back(version_view(obj(kv.value())));
  return write_items(c, items);
}

Status update_version(Call& c) {
  static constexpr PatchRule kRules[] = {{"/description", kReplace, PatchKind::kString}};
  auto find = [&](json::object& doc) { return find_version(doc, c.label("doc_version")); };
  PC_CHECK(patch_part(c, find, kRules, [](json::object&, json::object&) -> Status { return {}; }));
  c.out = version_view(obj(c.out));
  return {};
}

Status delete_version(Call& c) {
  json::object doc = PC_TRY(load_api(c));
  const std::string& version = c.label("doc_version");
  PC_TRY(find_version(doc, version));
  for (const auto& kv : section(doc, "stages"))
    if (sv(obj(kv.value()), "documentationVersion") == version)
      return std::unexpected(bad_request("Documentation version " + version +
                                         " is used by stage " + std::string(kv.key())));
  section(doc, "docversions").erase(version);
  return save_api(c, doc);
}

constexpr Op kOps[] = {
    {"CreateDocumentationPart", create_part},
    {"GetDocumentationPart", get_part},
    {"GetDocumentationParts", get_parts},
    {"UpdateDocumentationPart", update_part},
    {"DeleteDocumentationPart", delete_part},
    {"ImportDocumentationParts", import_parts, Body::kDocument},
    {"CreateDocumentationVersion", create_version},
    {"GetDocumentationVersion", get_version},
    {"GetDocumentationVersions", get_versions},
    {"UpdateDocumentationVersion", update_version},
    {"DeleteDocumentationVersion", delete_version},
};

}  // namespace

std::span<const Op> doc_ops() { return kOps; }

}  // namespace portcullis::gateway::api
