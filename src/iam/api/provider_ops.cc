// Identity providers: SAML providers (their metadata parsed and validated; its signing
// certificates are what STS will trust) and OpenID Connect providers.
#include "federation/saml/metadata.h"
#include "iam/api/call.h"

namespace portcullis::iam::api {

namespace {

bool saml_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}
const Constraint kSamlName{1, 128, "[\\w._-]+", saml_name_char};
const Constraint kSamlMetadata{1000, 10000000, "", nullptr};
const Constraint kUrl{1, 255, "", nullptr};
const Constraint kClientId{1, 255, "", nullptr};

// --- SAML ----------------------------------------------------------------------------------

Result<json::object> checked_metadata(Call& c) {
  auto doc = PC_TRY(required(c.params, "SAMLMetadataDocument", kSamlMetadata));
  auto m = PC_TRY(federation::saml::parse_metadata(doc));
  json::object out{{"SAMLMetadataDocument", doc}, {"EntityId", m.entity_id}};
  if (m.valid_until) out["ValidUntil"] = *m.valid_until;
  return out;
}

struct Saml {
  std::string arn, key;
  std::optional<json::object> doc;
};

Result<Saml> existing_saml(Call& c) {
  auto arn = PC_TRY(required(c.params, "SAMLProviderArn", kArn));
  PC_CHECK(c.authorize(arn));
  Saml s{arn, lower(arn.substr(arn.rfind('/') + 1)), std::nullopt};
  auto doc = PC_TRY(load(c.txn, kSamlProviders, s.key));
  if (!doc || str(*doc, "Arn") != arn)
    return fail(ErrorCode::kNoSuchEntity, "Manifest not found for arn " + arn);
  s.doc = std::move(*doc);
  return s;
}

Status create_saml(Call& c) {
  auto name = PC_TRY(required(c.params, "Name", kSamlName));
  auto meta = PC_TRY(checked_metadata(c));
  auto tags = PC_TRY(tags_param(c.params));
  std::string arn = "arn:aws:iam::" + c.account() + ":saml-provider/" + name;
  if (!tags.empty()) add_request_tags(c.context, tags);
  PC_CHECK(c.authorize(arn));
  if (!tags.empty())
    PC_CHECK(c.authorize_also("iam:TagSAMLProvider", arn));
  auto clash = PC_TRY(load(c.txn, kSamlProviders, lower(name)));
  if (clash)
    return fail(ErrorCode::kEntityAlreadyExists, "SAMLProvider " + name + " already exists.");
  json::object doc = std::move(meta);
  doc["Arn"] = arn;
  doc["Name"] = name;
  doc["CreateDate"] = iso_now(c);
  if (!tags.empty()) doc["Tags"] = tags_json(tags);
  PC_CHECK(save(c.txn, kSamlProviders, lower(name), doc));
  c.out.element("SAMLProviderArn", arn);
  write_fields(c.out, doc, {"Tags"});
  return {};
}

Status get_saml(Call& c) {
  auto s = PC_TRY(existing_saml(c));
  write_fields(c.out, *s.doc, {"SAMLMetadataDocument", "CreateDate", "ValidUntil", "Tags"});
  return {};
}

Status update_saml(Call& c) {
  auto meta = PC_TRY(checked_metadata(c));
  auto s = PC_TRY(existing_saml(c));
  for (auto& [k, v] : meta) (*s.doc)[k] = v;
  if (!meta.contains("ValidUntil")) s.doc->erase("ValidUntil");
  PC_CHECK(save(c.txn, kSamlProviders, s.key, *s.doc));
  c.out.element("SAMLProviderArn", s.arn);
  return {};
}

Status delete_saml(Call& c) {
  auto s = PC_TRY(existing_saml(c));
  c.has_result = false;
  return c.txn.erase(kSamlProviders, s.key);
}

Status list_saml(Call& c) {
  PC_CHECK(c.authorize("*"));
  auto rows = PC_TRY(c.txn.scan(kSamlProviders));
  c.out.open("SAMLProviderList");
  for (const auto& [k, v] : rows) {
    json::object doc = PC_TRY(parse_doc(kSamlProviders, k, v));
    c.out.open("member");
    write_fields(c.out, doc, {"Arn", "ValidUntil", "CreateDate"});
    c.out.close();
  }
  c.out.close();
  return {};
}

// --- OpenID Connect ------------------------------------------------------------------------

// "https://host/path" → "host/path", the form ARNs and responses use.
Result<std::string> oidc_resource(std::string_view url) {
  if (!url.starts_with("https://") || url.size() <= 8)
    return fail(ErrorCode::kValidationError,
                "1 validation error detected: Value '" + std::string(url) +
                    "' at 'url' failed to satisfy constraint: Member must be an https URL");
  std::string_view rest = url.substr(8);
  if (rest.find_first_of("?#") != std::string_view::npos)
    return fail(ErrorCode::kInvalidInput, "Invalid url: it must not have a query or fragment.");
  while (rest.ends_with('/')) rest.remove_suffix(1);
  size_t slash = rest.find('/');
  std::string out = lower(rest.substr(0, slash));  // host names are case-insensitive
  if (slash != std::string_view::npos) out += rest.substr(slash);
  return out;
}

Result<std::vector<std::string>> thumbprints(const protocol::QueryParams& params) {
  std::vector<std::string> out = list_param(params, "ThumbprintList");
  for (const std::string& t : out) {
    bool hex = t.size() == 40 && t.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
    if (!hex)
      return fail(ErrorCode::kValidationError,
                  "1 validation error detected: Value '" + t +
                      "' at 'thumbprintList' failed to satisfy constraint: Member must have "
                      "length 40 and be hexadecimal");
  }
  if (out.size() > 5)
    return fail(ErrorCode::kLimitExceeded, "Thumbprint list must contain fewer than 5 entries.");
  return out;
}

json::array strings(const std::vector<std::string>& v) {
  json::array a;
  for (const std::string& s : v) a.emplace_back(s);
  return a;
}

struct Oidc {
  std::string arn, key;
  json::object doc;
};

Result<Oidc> existing_oidc(Call& c) {
  auto arn = PC_TRY(required(c.params, "OpenIDConnectProviderArn", kArn));
  PC_CHECK(c.authorize(arn));
  std::string prefix = "arn:aws:iam::" + c.account() + ":oidc-provider/";
  std::string key = arn.starts_with(prefix) ? lower(arn.substr(prefix.size())) : std::string();
  auto doc = PC_TRY(key.empty() ? Result<std::optional<json::object>>(std::nullopt)
                         : load(c.txn, kOidcProviders, key));
  if (!doc)
    return fail(ErrorCode::kNoSuchEntity, "OpenIDConnect Provider not found for arn " + arn);
  return Oidc{arn, key, std::move(*doc)};
}

Status create_oidc(Call& c) {
  auto url = PC_TRY(required(c.params, "Url", kUrl));
  auto resource = PC_TRY(oidc_resource(url));
  std::vector<std::string> clients = list_param(c.params, "ClientIDList");
  for (const std::string& id : clients)
    PC_CHECK(check(id, kClientId, "clientIDList"));
  auto prints = PC_TRY(thumbprints(c.params));
  auto tags = PC_TRY(tags_param(c.params));
  std::string arn = "arn:aws:iam::" + c.account() + ":oidc-provider/" + resource;
  if (!tags.empty()) add_request_tags(c.context, tags);
  PC_CHECK(c.authorize(arn));
  if (!tags.empty())
    PC_CHECK(c.authorize_also("iam:TagOpenIDConnectProvider", arn));
  auto clash = PC_TRY(load(c.txn, kOidcProviders, lower(resource)));
  if (clash)
    return fail(ErrorCode::kEntityAlreadyExists, "Provider with url " + url + " already exists.");
  json::object doc{{"Arn", arn},
                   {"Url", resource},
                   {"ClientIDList", strings(clients)},
                   {"ThumbprintList", strings(prints)},
                   {"CreateDate", iso_now(c)}};
  if (!tags.empty()) doc["Tags"] = tags_json(tags);
  PC_CHECK(save(c.txn, kOidcProviders, lower(resource), doc));
  c.out.element("OpenIDConnectProviderArn", arn);
  write_fields(c.out, doc, {"Tags"});
  return {};
}

Status get_oidc(Call& c) {
  auto o = PC_TRY(existing_oidc(c));
  write_fields(c.out, o.doc, {"Url", "ClientIDList", "ThumbprintList", "CreateDate", "Tags"});
  return {};
}

Status list_oidc(Call& c) {
  PC_CHECK(c.authorize("*"));
  auto rows = PC_TRY(c.txn.scan(kOidcProviders));
  c.out.open("OpenIDConnectProviderList");
  for (const auto& [k, v] : rows) {
    json::object doc = PC_TRY(parse_doc(kOidcProviders, k, v));
    c.out.open("member");
    c.out.element("Arn", str(doc, "Arn"));
    c.out.close();
  }
  c.out.close();
  return {};
}

Status delete_oidc(Call& c) {
  auto o = PC_TRY(existing_oidc(c));
  c.has_result = false;
  return c.txn.erase(kOidcProviders, o.key);
}

Status client_id(Call& c, bool add) {
  auto id = PC_TRY(required(c.params, "ClientID", kClientId));
  auto o = PC_TRY(existing_oidc(c));
  c.has_result = false;
  json::array& list = ensure_array(o.doc["ClientIDList"]);
  bool present = false;
  for (const json::value& v : list) present = present || sv(v) == id;
  if (add && !present) {
    if (list.size() >= 100)
      return fail(ErrorCode::kLimitExceeded,
                  "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100");
    list.emplace_back(id);
  }
  if (!add) erase_where(list, [&](const json::value& v) { return sv(v) == id; });
  return save(c.txn, kOidcProviders, o.key, o.doc);
}

Status add_client_id(Call& c) { return client_id(c, true); }
Status remove_client_id(Call& c) { return client_id(c, false); }

Status update_thumbprints(Call& c) {
  auto prints = PC_TRY(thumbprints(c.params));
  auto o = PC_TRY(existing_oidc(c));
  c.has_result = false;
  o.doc["ThumbprintList"] = strings(prints);
  return save(c.txn, kOidcProviders, o.key, o.doc);
}

constexpr Op kOps[] = {
    {"CreateSAMLProvider", true, create_saml},
    {"GetSAMLProvider", false, get_saml},
    {"UpdateSAMLProvider", true, update_saml},
    {"DeleteSAMLProvider", true, delete_saml},
    {"ListSAMLProviders", false, list_saml},
    {"CreateOpenIDConnectProvider", true, create_oidc},
    {"GetOpenIDConnectProvider", false, get_oidc},
    {"ListOpenIDConnectProviders", false, list_oidc},
    {"DeleteOpenIDConnectProvider", true, delete_oidc},
    {"AddClientIDToOpenIDConnectProvider", true, add_client_id},
    {"RemoveClientIDFromOpenIDConnectProvider", true, remove_client_id},
    {"UpdateOpenIDConnectProviderThumbprint", true, update_thumbprints},
};

}  // namespace

std::span<const Op> provider_ops() { return kOps; }

}  // namespace portcullis::iam::api
