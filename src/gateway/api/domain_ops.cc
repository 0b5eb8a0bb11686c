// Custom domain names and their base path mappings: which API and stage a request to a
// domain (and the first segment of its path) reaches. Portcullis terminates TLS with its own
// configuration, so a domain name refers to a certificate by ARN and never takes a key.
#include "gateway/api/call.h"

namespace portcullis::gateway::api {

namespace {

Result<json::object> load_domain(Call& c, std::string_view name) {
  return load_row(c, kDomainNames, name, "Invalid domain name identifier specified");
}

Status save_domain(Call& c, const json::object& stored) {
  return c.txn.put(kDomainNames, sv(obj(stored, "domain"), "domainName"),
                   json::serialize(stored));
}

// A DNS name in lower case, at least two labels, optionally a wildcard ("*.example.com").
bool is_host_name(std::string_view name) {
  if (name.size() > 253) return false;
  if (name.starts_with("*.")) name.remove_prefix(2);
  size_t labels = 0;
  std::string_view last;
  while (!name.empty() || labels == 0) {
    size_t dot = name.find('.');
    std::string_view label = name.substr(0, dot);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-' ||
        !std::all_of(label.begin(), label.end(), [](char ch) {
          return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-';
        }))
      return false;
    ++labels;
    last = label;
    if (dot == std::string_view::npos) break;
    name.remove_prefix(dot + 1);
    if (name.empty()) return false;
  }
  return labels >= 2 && last.front() >= 'a' && last.front() <= 'z';
}

Status check_domain(const json::object& d, std::string_view input = {}) {
  bool validation = !input.empty();
  const json::object& ec = obj(d, "endpointConfiguration");
  auto types = PC_TRY(opt_list(ec, "types"));
  if (!types || types->size() != 1)
    return std::unexpected(bad_request("A domain name must have exactly one endpoint type: EDGE or REGIONAL"));
  std::string_view type = (*types)[0].get_string();  // opt_list: strings
  PC_CHECK(check_enum(type, validation ? std::string(input) + ".endpointConfiguration.types.member" : "endpointConfiguration.types",
                      {"REGIONAL", "EDGE", "PRIVATE"}, validation));
  if (type == "PRIVATE")
    return std::unexpected(bad_request("Portcullis has no PRIVATE custom domain names: use EDGE or REGIONAL"));
  if (auto p = sv(d, "securityPolicy"); !p.empty())
    PC_CHECK(check_enum(p, validation ? std::string(input) + ".securityPolicy" : "securityPolicy",
                        {"TLS_1_0", "TLS_1_2"}, validation));
  bool edge = type == "EDGE";
  if (edge && sv(d, "certificateArn").empty())
    return std::unexpected(bad_request("An EDGE domain name needs a certificateArn"));
  if (!edge && sv(d, "regionalCertificateArn").empty())
    return std::unexpected(bad_request("A REGIONAL domain name needs a regionalCertificateArn"));
  return {};
}

Status create_domain_name(Call& c) {
  std::string name = PC_TRY(req_str(c.body, "domainName"));
  if (!is_host_name(name))
    return std::unexpected(bad_request("Invalid domain name specified: " + name));
  for (std::string_view k : {"certificateBody", "certificatePrivateKey", "certificateChain"})
    if (c.body.contains(k))
      return std::unexpected(bad_request(
          "Portcullis does not take certificate uploads: TLS is configured on the server; give "
          "certificateArn or regionalCertificateArn"));
  for (std::string_view k : {"certificateName", "certificateArn", "regionalCertificateName",
                             "regionalCertificateArn", "securityPolicy",
                             "ownershipVerificationCertificateArn"})
    PC_TRY(opt_str(c.body, k));
  if (PC_TRY(c.txn.get(kDomainNames, name)))
    return std::unexpected(conflict("The domain name you provided already exists."));
  json::object d{{"domainName", name}};
  copy_members(d, c.body, {"certificateName", "certificateArn", "regionalCertificateName",
                           "regionalCertificateArn", "endpointConfiguration", "securityPolicy",
                           "mutualTlsAuthentication", "ownershipVerificationCertificateArn"});
  if (d.contains("certificateArn") || d.contains("certificateName")) d["certificateUploadDate"] = c.epoch();
  if (auto* mtls = d.if_contains("mutualTlsAuthentication")) {
    if (!mtls->is_object()) return std::unexpected(bad_request("mutualTlsAuthentication must be a structure"));
    PC_TRY(opt_str(mtls->get_object(), "truststoreUri"));
    PC_TRY(opt_str(mtls->get_object(), "truststoreVersion"));
  }
  if (auto* ec = d.if_contains("endpointConfiguration"); ec && !ec->is_object())
    return std::unexpected(bad_request("endpointConfiguration must be a structure"));
  if (!d.contains("endpointConfiguration"))
    d["endpointConfiguration"] = json::object{{"types", json::array{"EDGE"}}};
  d["domainNameStatus"] = "AVAILABLE";
  if (!d.contains("securityPolicy")) d["securityPolicy"] = "TLS_1_2";
  if (auto tags = PC_TRY(opt_tags(c.body)); tags && !tags->empty()) d["tags"] = *tags;
  PC_CHECK(check_domain(d, "createDomainNameInput"));
  PC_CHECK(save_domain(c, json::object{{"domain", d}, {"mappings", json::object()}}));
  c.out = std::move(d);
  return {};
}

Status get_domain_name(Call& c) {
  json::object stored = PC_TRY(load_domain(c, c.label("domain_name")));
  c.out = std::move(stored["domain"]);
  return {};
}

Status get_domain_names(Call& c) {
  std::vector<json::value> items;
  for (auto& [name, text] : PC_TRY(c.txn.scan(kDomainNames)))
    items.push_back(obj(parse_row(text), "domain"));
  return write_items(c, items);
}

Status set_domain_endpoint_type(json::object& d, const PatchOperation& op,
                                const std::vector<std::string>&) {
  d["endpointConfiguration"] = json::object{{"types", json::array{json::string(op.value.value_or(""))}}};
  return {};
}

Status update_domain_name(Call& c) {
  static constexpr PatchRule kRules[] = {
      {"/certificateName", kReplace, PatchKind::kString},
      {"/certificateArn", kReplace, PatchKind::kString},
      {"/regionalCertificateName", kReplace, PatchKind::kString},
      {"/regionalCertificateArn", kReplace, PatchKind::kString},
      {"/securityPolicy", kReplace, PatchKind::kString},
      {"/endpointConfiguration/types/*", kReplace, PatchKind::kCustom, {}, set_domain_endpoint_type},
      {"/mutualTlsAuthentication/truststoreUri", kReplace, PatchKind::kString},
      {"/mutualTlsAuthentication/truststoreVersion", kReplace, PatchKind::kString},
  };
  json::object stored = PC_TRY(load_domain(c, c.label("domain_name")));
  json::object d = obj(stored, "domain");
  PC_CHECK(apply_patch(d, PC_TRY(patch_operations(c.body)), kRules));
  PC_CHECK(check_domain(d));
  stored["domain"] = d;
  PC_CHECK(save_domain(c, stored));
  c.out = std::move(d);
  return {};
}

Status delete_domain_name(Call& c) {
  PC_TRY(load_domain(c, c.label("domain_name")));
  return c.txn.erase(kDomainNames, c.label("domain_name"));
}

// --- Base path mappings ---------------------------------------------------------------------

// "(none)" is the empty base path, as the API names it.
std::string base_path_key(std::string_view base_path) {
  return base_path.empty() ? "(none)" : std::string(base_path);
}

Status check_mapping(Call& c, const json::object& m) {
  std::string_view base = sv(m, "basePath");
  bool ok = base == "(none)";
  for (size_t i = 0; !ok && i <= base.size() && base.size() <= 1024;) {
    size_t slash = base.find('/', i);
    std::string_view segment = base.substr(i, slash == std::string_view::npos ? slash : slash - i);
    if (segment.empty() || !only_chars(segment, "._~:@!$&'()*+,;=-")) break;
    if (slash == std::string_view::npos) ok = true;
    i = slash + 1;
  }
  if (!ok)
    return std::unexpected(bad_request("Invalid base path specified: " + std::string(base)));
  auto doc = load_api(c, sv(m, "restApiId"));
  if (!doc) return std::unexpected(bad_request("Invalid REST API identifier specified"));
  if (auto stage = sv(m, "stage"); !stage.empty() && !section(*doc, "stages").contains(stage))
    return std::unexpected(bad_request("Invalid stage identifier specified"));
  return {};
}

Status create_base_path_mapping(Call& c) {
  json::object stored = PC_TRY(load_domain(c, c.label("domain_name")));
  auto base = PC_TRY(opt_str(c.body, "basePath"));
  std::string api = PC_TRY(req_str(c.body, "restApiId"));
  json::object m{{"basePath", base_path_key(base.value_or(""))}, {"restApiId", api}};
  // "(none)", like no stage: the mapping follows the API.
  if (auto stage = PC_TRY(opt_str(c.body, "stage")); stage && !stage->empty() && *stage != "(none)")
    m["stage"] = *stage;
  PC_CHECK(check_mapping(c, m));
  json::object& mappings = section(stored, "mappings");
  if (mappings.contains(sv(m, "basePath")))
    return std::unexpected(conflict("Base path already exists for this domain name"));
  mappings[sv(m, "basePath")] = m;
  PC_CHECK(save_domain(c, stored));
  c.out = std::move(m);
  return {};
}

Result<json::object*> find_mapping(Call& c, json::object& stored) {
  return find_in(stored, "mappings", base_path_key(c.label("base_path")),
                 "Invalid base path mapping identifier specified");
}

Status get_base_path_mapping(Call& c) {
  json::object stored = PC_TRY(load_domain(c, c.label("domain_name")));
  c.out = *PC_TRY(find_mapping(c, stored));
  return {};
}

Status get_base_path_mappings(Call& c) {
  json::object stored = PC_TRY(load_domain(c, c.label("domain_name")));
  std::vector<json::value> items;
  for (const auto& kv : section(stored, "mappings")) items.push_back(kv.value());
  return write_items(c, items);
}

Status update_base_path_mapping(Call& c) {
  static constexpr PatchRule kRules[] = {
      {"/basePath", kReplace, PatchKind::kString},
      {"/restapiId", kReplace, PatchKind::kString, "restApiId"},
      {"/restApiId", kReplace, PatchKind::kString},
      {"/stage", kReplace, PatchKind::kString},
  };
  json::object stored = PC_TRY(load_domain(c, c.label("domain_name")));
  json::object m = *PC_TRY(find_mapping(c, stored));
  std::string old_key(sv(m, "basePath"));
  PC_CHECK(apply_patch(m, PC_TRY(patch_operations(c.body)), kRules));
  m["basePath"] = base_path_key(sv(m, "basePath"));
  if (sv(m, "stage").empty() || sv(m, "stage") == "(none)") m.erase("stage");
  PC_CHECK(check_mapping(c, m));
  json::object& mappings = section(stored, "mappings");
  if (sv(m, "basePath") != old_key && mappings.contains(sv(m, "basePath")))
    return std::unexpected(conflict("Base path already exists for this domain name"));
  mappings.erase(old_key);
  mappings[sv(m, "basePath")] = m;
  PC_CHECK(save_domain(c, stored));
  c.out = std::move(m);
  return {};
}

Status delete_base_path_mapping(Call& c) {
  json::object stored = PC_TRY(load_domain(c, c.label("domain_name")));
  PC_TRY(find_mapping(c, stored));
  section(stored, "mappings").erase(base_path_key(c.label("base_path")));
  return save_domain(c, stored);
}

constexpr Op kOps[] = {
    {"CreateDomainName", create_domain_name},
    {"GetDomainName", get_domain_name},
    {"GetDomainNames", get_domain_names},
    {"UpdateDomainName", update_domain_name},
    {"DeleteDomainName", delete_domain_name},
    {"CreateBasePathMapping", create_base_path_mapping},
    {"GetBasePathMapping", get_base_path_mapping},
    {"GetBasePathMappings", get_base_path_mappings},
    {"UpdateBasePathMapping", update_base_path_mapping},
    {"DeleteBasePathMapping", delete_base_path_mapping},
};

}  // namespace

std::span<const Op> domain_ops() { return kOps; }

}  // namespace portcullis::gateway::api
