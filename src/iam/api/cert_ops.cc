// X.509 certificates in IAM: users' signing certificates (at most two each, one certificate per
// account) and the account's server certificates, whose private keys are kept sealed.
#include "core/crypto.h"
#include "core/encoding.h"
#include "core/ids.h"
#include "core/seal.h"
#include "core/x509.h"
#include "iam/api/resource_tags.h"
#include "iam/api/user_credentials.h"

namespace portcullis::iam::api {

namespace {

bool pem_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return c == '\t' || c == '\n' || c == '\r' || u >= 0x20;
}
bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '-';
}
constexpr std::string_view kPemPattern = "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+";
const Constraint kCertificateBody{1, 16384, kPemPattern, pem_char};
const Constraint kPrivateKey{1, 16384, kPemPattern, pem_char, true};
const Constraint kCertificateChain{1, 2097152, kPemPattern, pem_char};
const Constraint kServerCertificateName{1, 128, "[\\w+=,.@-]+", name_char};

constexpr size_t kCertificatesPerUser = 2;
constexpr size_t kServerCertificatesPerAccount = 20;

const char kAlnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

Status check_not_expired(Call& c, const crypto::CertificateInfo& info) {
  if (info.not_after < c.now)
    return fail(ErrorCode::kMalformedCertificate,
                "Certificate is no longer valid. The 'Not After' date restriction on the "
                "certificate has passed.");
  return {};
}

// --- Signing certificates ------------------------------------------------------------------

void write_signing(Call& c, const json::object& user, const json::object& cert) {
  c.out.element("UserName", str(user, "UserName"));
  write_fields(c.out, cert, {"CertificateId", "CertificateBody", "Status", "UploadDate"});
}

Result<json::object> owned_certificate(Call& c, const json::object& user, const std::string& id) {
  auto doc = PC_TRY(load(c.txn, kSigningCertificates, user_row_key(user, id)));
  if (!doc)
    return fail(ErrorCode::kNoSuchEntity, "The Certificate with id " + id + " cannot be found.");
  return std::move(*doc);
}

Status upload_signing(Call& c) {
  auto body = PC_TRY(required(c.params, "CertificateBody", kCertificateBody));
  auto user = PC_TRY(credential_owner(c, true, 128));
  auto info = PC_TRY(crypto::parse_certificate(body));
  PC_CHECK(check_not_expired(c, info));
  // One certificate belongs to one user of the account: compared by its DER, not its text.
  const std::string digest = crypto::sha256_hex(info.der);
  auto all = PC_TRY(c.txn.scan(kSigningCertificates));
  for (const auto& [k, v] : all) {
    boost::system::error_code ec;
    json::value doc = json::parse(v, ec);
    if (!ec && doc.is_object() && str(doc.get_object(), "DerSha256") == digest)
      return fail(ErrorCode::kDuplicateCertificate,
                  "The Certificate with id " + std::string(str(doc.get_object(), "CertificateId")) +
                      " already exists.");
  }
  auto mine = PC_TRY(user_rows(c, kSigningCertificates, user));
  if (mine.size() >= kCertificatesPerUser)
    return fail(ErrorCode::kLimitExceeded, "Cannot exceed quota for CertificatesPerUser: 2");
  const std::string id = crypto::random_string(28, kAlnum);
  json::object cert{{"UserId", str(user, "UserId")}, {"CertificateId", id},
                    {"CertificateBody", body},       {"Status", "Active"},
                    {"UploadDate", iso_now(c)},      {"DerSha256", digest}};
  PC_CHECK(save(c.txn, kSigningCertificates, user_row_key(user, id), cert));
  c.out.open("Certificate");
  write_signing(c, user, cert);
  c.out.close();
  return {};
}

Status update_signing(Call& c) {
  auto id = PC_TRY(id_param(c, "CertificateId", 24));
  auto status = PC_TRY(status_param(c));
  auto user = PC_TRY(credential_owner(c, true, 128));
  auto cert = PC_TRY(owned_certificate(c, user, id));
  c.has_result = false;
  cert["Status"] = status;
  return save(c.txn, kSigningCertificates, user_row_key(user, id), cert);
}

Status delete_signing(Call& c) {
  auto id = PC_TRY(id_param(c, "CertificateId", 24));
  auto user = PC_TRY(credential_owner(c, true, 128));
  PC_TRY(owned_certificate(c, user, id));
  c.has_result = false;
  return c.txn.erase(kSigningCertificates, user_row_key(user, id));
}

Status list_signing(Call& c) {
  auto page = PC_TRY(page_param(c.params));
  auto user = PC_TRY(credential_owner(c, true, 128));
  auto certs = PC_TRY(user_rows(c, kSigningCertificates, user));
  write_page(
      c.out, "Certificates", page, certs,
      [](const json::object& d) { return std::string(str(d, "CertificateId")); },
      [&](const json::object& d) { write_signing(c, user, d); });
  return {};
}

// --- Server certificates -------------------------------------------------------------------

std::string server_arn(const Call& c, std::string_view path, std::string_view name) {
  return "arn:aws:iam::" + c.account() + ":server-certificate" + std::string(path) +
         std::string(name);
}

void write_metadata(Call& c, const json::object& doc) {
  c.out.open("ServerCertificateMetadata");
  write_fields(
      c.out, doc,
      {"Path", "ServerCertificateName", "ServerCertificateId", "Arn", "UploadDate", "Expiration"});
  c.out.close();
}

// Clears the copy of the private key a call holds, whichever way the call ends.
struct Wipe {
  std::string& s;
  ~Wipe() { crypto::secure_zero(s.data(), s.size()); }
};

struct Named {
  std::string name;
  json::object doc;
};

// The certificate named by ServerCertificateName, authorized on its ARN (the root path's when
// it does not exist), then required to exist.
Result<Named> existing_server(Call& c) {
  auto name = PC_TRY(required(c.params, "ServerCertificateName", kServerCertificateName));
  auto doc = PC_TRY(load(c.txn, kServerCertificates, lower(name)));
  if (doc) add_resource_tags(c.context, *doc);
  PC_CHECK(c.authorize(doc ? std::string(str(*doc, "Arn")) : server_arn(c, "/", name)));
  if (!doc)
    return fail(ErrorCode::kNoSuchEntity,
                "The Server Certificate with name " + name + " cannot be found.");
  return Named{name, std::move(*doc)};
}

Status upload_server(Call& c) {
  auto path = PC_TRY(optional(c.params, "Path", kPath)).value_or("/");
  auto name = PC_TRY(required(c.params, "ServerCertificateName", kServerCertificateName));
  auto body = PC_TRY(required(c.params, "CertificateBody", kCertificateBody));
  auto key = PC_TRY(required(c.params, "PrivateKey", kPrivateKey));
  Wipe wipe{key};
  auto chain = PC_TRY(optional(c.params, "CertificateChain", kCertificateChain));
  auto tags = PC_TRY(tags_param(c.params));
  const std::string arn = server_arn(c, path, name);
  if (!tags.empty()) add_request_tags(c.context, tags);
  PC_CHECK(c.authorize(arn));
  if (!tags.empty()) PC_CHECK(c.authorize_also("iam:TagServerCertificate", arn));
  auto info = PC_TRY(crypto::parse_certificate(body));
  PC_CHECK(check_not_expired(c, info));
  PC_CHECK(crypto::check_server_certificate(body, key, chain.value_or("")));
  auto clash = PC_TRY(load(c.txn, kServerCertificates, lower(name)));
  if (clash)
    return fail(ErrorCode::kEntityAlreadyExists,
                "The Server Certificate with name " + name + " already exists.");
  auto all = PC_TRY(c.txn.scan(kServerCertificates));
  if (all.size() >= kServerCertificatesPerAccount)
    return fail(ErrorCode::kLimitExceeded,
                "Cannot exceed quota for ServerCertificatesPerAccount: 20");
  const std::string id = new_id("ASCA");
  json::object doc{{"Path", path},
                   {"ServerCertificateName", name},
                   {"ServerCertificateId", id},
                   {"Arn", arn},
                   {"UploadDate", iso_now(c)},
                   {"Expiration", format_iso8601(info.not_after)},
                   {"CertificateBody", body}};
  if (chain) doc["CertificateChain"] = *chain;
  // Sealed with the id as associated data: the sealed key cannot be moved to another
  // certificate's document, and renames keep the id.
  doc["PrivateKeySealed"] = base64_encode(crypto::seal(c.service.master_key(), key, id));
  if (!tags.empty()) doc["Tags"] = tags_json(tags);
  PC_CHECK(save(c.txn, kServerCertificates, lower(name), doc));
  write_metadata(c, doc);
  write_fields(c.out, doc, {"Tags"});
  return {};
}

Status get_server(Call& c) {
  auto cert = PC_TRY(existing_server(c));
  c.out.open("ServerCertificate");
  write_metadata(c, cert.doc);
  write_fields(c.out, cert.doc, {"CertificateBody", "CertificateChain", "Tags"});
  c.out.close();
  return {};
}

Status update_server(Call& c) {
  auto new_path = PC_TRY(optional(c.params, "NewPath", kPath));
  auto new_name = PC_TRY(optional(c.params, "NewServerCertificateName", kServerCertificateName));
  auto cert = PC_TRY(existing_server(c));
  c.has_result = false;
  json::object& doc = cert.doc;
  const std::string old_name(str(doc, "ServerCertificateName"));
  const std::string name = new_name.value_or(old_name);
  const std::string path = new_path.value_or(std::string(str(doc, "Path")));
  const std::string arn = server_arn(c, path, name);
  // Moving or renaming needs the permission on the new ARN as well.
  if (arn != str(doc, "Arn")) PC_CHECK(c.authorize(arn));
  if (lower(name) != lower(old_name)) {
    auto clash = PC_TRY(load(c.txn, kServerCertificates, lower(name)));
    if (clash)
      return fail(ErrorCode::kEntityAlreadyExists,
                  "The Server Certificate with name " + name + " already exists.");
  }
  doc["ServerCertificateName"] = name;
  doc["Path"] = path;
  doc["Arn"] = arn;
  PC_CHECK(c.txn.erase(kServerCertificates, lower(old_name)));
  return save(c.txn, kServerCertificates, lower(name), doc);
}

Status delete_server(Call& c) {
  auto cert = PC_TRY(existing_server(c));
  c.has_result = false;
  return c.txn.erase(kServerCertificates, lower(cert.name));
}

Status list_server(Call& c) {
  auto prefix = PC_TRY(optional(c.params, "PathPrefix", kPathPrefix));
  auto page = PC_TRY(page_param(c.params));
  PC_CHECK(c.authorize("*"));
  auto rows = PC_TRY(c.txn.scan(kServerCertificates));
  std::vector<json::object> items;
  for (const auto& [k, v] : rows) {
    boost::system::error_code ec;
    json::value doc = json::parse(v, ec);
    if (ec || !doc.is_object()) continue;
    if (!prefix || str(doc.get_object(), "Path").starts_with(*prefix))
      items.push_back(std::move(doc.get_object()));
  }
  write_page(
      c.out, "ServerCertificateMetadataList", page, items,
      [](const json::object& d) { return lower(str(d, "ServerCertificateName")); },
      [&](const json::object& d) {
        write_fields(c.out, d,
                     {"Path", "ServerCertificateName", "ServerCertificateId", "Arn", "UploadDate",
                      "Expiration"});
      });
  return {};
}

Result<Tagged> server_tagged(Call& c) {
  auto cert = PC_TRY(existing_server(c));
  return Tagged{std::string(kServerCertificates), lower(cert.name), std::move(cert.doc)};
}
Status tag_server(Call& c) { return tag_resource(c, server_tagged); }
Status untag_server(Call& c) { return untag_resource(c, server_tagged); }
Status list_server_tags(Call& c) { return list_resource_tags(c, server_tagged); }

constexpr Op kOps[] = {
    {"UploadSigningCertificate", true, upload_signing},
    {"UpdateSigningCertificate", true, update_signing},
    {"DeleteSigningCertificate", true, delete_signing},
    {"ListSigningCertificates", false, list_signing},
    {"UploadServerCertificate", true, upload_server},
    {"GetServerCertificate", false, get_server},
    {"UpdateServerCertificate", true, update_server},
    {"DeleteServerCertificate", true, delete_server},
    {"ListServerCertificates", false, list_server},
    {"TagServerCertificate", true, tag_server},
    {"UntagServerCertificate", true, untag_server},
    {"ListServerCertificateTags", false, list_server_tags},
};

}  // namespace

std::span<const Op> certificate_ops() { return kOps; }

}  // namespace portcullis::iam::api
