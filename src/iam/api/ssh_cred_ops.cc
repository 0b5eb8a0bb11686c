// Users' SSH public keys (RSA, OpenSSH or PEM, at most five each) and service-specific
// credentials (CodeCommit, Keyspaces): a generated password shown once and kept sealed.
#include "core/crypto.h"
#include "core/encoding.h"
#include "core/ids.h"
#include "core/seal.h"
#include "core/x509.h"
#include "iam/api/user_credentials.h"

namespace portcullis::iam::api {

namespace {

bool pem_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return c == '\t' || c == '\n' || c == '\r' || u >= 0x20;
}
const Constraint kKeyBody{1, 16384, "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+", pem_char};

constexpr size_t kSshKeysPerUser = 5;
constexpr size_t kCredentialsPerUserPerService = 2;
constexpr std::string_view kServices[] = {"codecommit.amazonaws.com", "cassandra.amazonaws.com"};

// --- SSH public keys -----------------------------------------------------------------------

Result<json::object> owned_key(Call& c, const json::object& user, const std::string& id) {
  auto doc = PC_TRY(load(c.txn, kSshPublicKeys, user_row_key(user, id)));
  if (!doc)
    return fail(ErrorCode::kNoSuchEntity, "The Public Key with id " + id + " cannot be found.");
  return std::move(*doc);
}

void write_key(Call& c, const json::object& user, const json::object& key, std::string_view body) {
  c.out.open("SSHPublicKey");
  c.out.element("UserName", str(user, "UserName"));
  write_fields(c.out, key, {"SSHPublicKeyId", "Fingerprint"});
  c.out.element("SSHPublicKeyBody", body);
  write_fields(c.out, key, {"Status", "UploadDate"});
  c.out.close();
}

Status upload_ssh(Call& c) {
  auto text = PC_TRY(required(c.params, "SSHPublicKeyBody", kKeyBody));
  auto user = PC_TRY(credential_owner(c, false));
  auto key = PC_TRY(crypto::parse_ssh_public_key(text));
  const std::string blob = base64_encode(key.blob);
  auto mine = PC_TRY(user_rows(c, kSshPublicKeys, user));
  // The same key in the other encoding is the same key.
  for (const json::object& k : mine)
    if (str(k, "Blob") == blob)
      return fail(ErrorCode::kDuplicateSshPublicKey,
                  "The SSH public key is already associated with the specified IAM user.");
  if (mine.size() >= kSshKeysPerUser)
    return fail(ErrorCode::kLimitExceeded, "Cannot exceed quota for SSHPublicKeysPerUser: 5");
  const std::string id = ids::access_key_id("APKA");
  json::object doc{{"UserId", str(user, "UserId")},
                   {"SSHPublicKeyId", id},
                   {"Fingerprint", crypto::md5_fingerprint(key)},
                   {"SSHPublicKeyBody", text},
                   {"Encoding", text.find("-----BEGIN") == std::string::npos ? "SSH" : "PEM"},
                   {"Blob", blob},
                   {"Status", "Active"},
                   {"UploadDate", iso_now(c)}};
  PC_CHECK(save(c.txn, kSshPublicKeys, user_row_key(user, id), doc));
  write_key(c, user, doc, text);
  return {};
}

Status get_ssh(Call& c) {
  auto id = PC_TRY(id_param(c, "SSHPublicKeyId", 20));
  auto encoding = c.params.get("Encoding");
  if (!encoding)
    return fail(ErrorCode::kValidationError,
                "1 validation error detected: Value null at 'encoding' failed to satisfy "
                "constraint: Member must not be null");
  if (*encoding != "SSH" && *encoding != "PEM")
    return fail(ErrorCode::kValidationError,
                "1 validation error detected: Value '" + std::string(*encoding) +
                    "' at 'encoding' failed to satisfy constraint: Member must satisfy enum "
                    "value set: [SSH, PEM]");
  auto user = PC_TRY(credential_owner(c, false));
  auto doc = PC_TRY(owned_key(c, user, id));
  // The body as uploaded when asked for in its own encoding, converted otherwise.
  std::string body(str(doc, "SSHPublicKeyBody"));
  if (*encoding != str(doc, "Encoding")) {
    auto blob = base64_decode(str(doc, "Blob"));
    if (!blob) return fail(ErrorCode::kInternal, "store: corrupt SSH public key " + id);
    crypto::SshPublicKey key{std::move(*blob), 0};
    body = *encoding == "SSH" ? crypto::ssh_encoding(key) : PC_TRY(crypto::pem_encoding(key));
  }
  write_key(c, user, doc, body);
  return {};
}

Status update_ssh(Call& c) {
  auto id = PC_TRY(id_param(c, "SSHPublicKeyId", 20));
  auto status = PC_TRY(status_param(c));
  auto user = PC_TRY(credential_owner(c, false));
  auto doc = PC_TRY(owned_key(c, user, id));
  c.has_result = false;
  doc["Status"] = status;
  return save(c.txn, kSshPublicKeys, user_row_key(user, id), doc);
}

Status delete_ssh(Call& c) {
  auto id = PC_TRY(id_param(c, "SSHPublicKeyId", 20));
  auto user = PC_TRY(credential_owner(c, false));
  PC_TRY(owned_key(c, user, id));
  c.has_result = false;
  return c.txn.erase(kSshPublicKeys, user_row_key(user, id));
}

Status list_ssh(Call& c) {
  auto page = PC_TRY(page_param(c.params));
  // UserName is optional here: the caller's own keys without it.
  auto user = PC_TRY(credential_owner(c, true));
  auto keys = PC_TRY(user_rows(c, kSshPublicKeys, user));
  write_page(
      c.out, "SSHPublicKeys", page, keys,
      [](const json::object& d) { return std::string(str(d, "SSHPublicKeyId")); },
      [&](const json::object& d) {
        c.out.element("UserName", str(user, "UserName"));
        write_fields(c.out, d, {"SSHPublicKeyId", "Status", "UploadDate"});
      });
  return {};
}

// --- Service-specific credentials -----------------------------------------------------------

Result<std::string> service_param(Call& c, bool needed) {
  auto name = c.params.get("ServiceName");
  if (!name) {
    if (!needed) return std::string();
    return fail(ErrorCode::kValidationError,
                "1 validation error detected: Value null at 'serviceName' failed to satisfy "
                "constraint: Member must not be null");
  }
  for (std::string_view s : kServices)
    if (*name == s) return std::string(*name);
  return fail(
      ErrorCode::kServiceNotSupported,
      "No such service " + std::string(*name) + " is supported for Service-Specific Credentials");
}

Result<json::object> owned_credential(Call& c, const json::object& user, const std::string& id) {
  auto doc = PC_TRY(load(c.txn, kServiceCredentials, user_row_key(user, id)));
  if (!doc)
    return fail(ErrorCode::kNoSuchEntity,
                "The Service Specific Credential with id " + id + " cannot be found.");
  return std::move(*doc);
}

// The credential with its password: only CreateServiceSpecificCredential and
// ResetServiceSpecificCredential answer it, and the password is not kept in the clear.
void write_credential(Call& c, const json::object& user, const json::object& cred,
                      std::string& password) {
  c.out.open("ServiceSpecificCredential");
  write_fields(c.out, cred, {"CreateDate", "ServiceName", "ServiceUserName"});
  c.out.element("ServicePassword", password);
  write_fields(c.out, cred, {"ServiceSpecificCredentialId"});
  c.out.element("UserName", str(user, "UserName"));
  write_fields(c.out, cred, {"Status"});
  c.out.close();
  crypto::secure_zero(password.data(), password.size());
}

// A new password (as AWS's: 32 random bytes in base64, 44 characters), sealed into `cred`.
std::string new_password(Call& c, json::object& cred) {
  std::string raw = crypto::random_bytes(32);
  std::string password = base64_encode(raw);
  crypto::secure_zero(raw.data(), raw.size());
  cred["PasswordSealed"] = base64_encode(
      crypto::seal(c.service.master_key(), password, str(cred, "ServiceSpecificCredentialId")));
  return password;
}

Status create_credential(Call& c) {
  auto service = PC_TRY(service_param(c, true));
  auto user = PC_TRY(credential_owner(c, false));
  auto mine = PC_TRY(user_rows(c, kServiceCredentials, user));
  size_t same = 0;
  for (const json::object& cred : mine) same += str(cred, "ServiceName") == service;
  if (same >= kCredentialsPerUserPerService)
    return fail(ErrorCode::kLimitExceeded,
                "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: 2");
  const std::string id = new_id("ACCA");
  json::object cred{{"UserId", str(user, "UserId")},
                    {"ServiceSpecificCredentialId", id},
                    {"ServiceName", service},
                    {"ServiceUserName", std::string(str(user, "UserName")) + "-at-" + c.account()},
                    {"Status", "Active"},
                    {"CreateDate", iso_now(c)}};
  std::string password = new_password(c, cred);
  PC_CHECK(save(c.txn, kServiceCredentials, user_row_key(user, id), cred));
  write_credential(c, user, cred, password);
  return {};
}

Status reset_credential(Call& c) {
  auto id = PC_TRY(id_param(c, "ServiceSpecificCredentialId", 20));
  auto user = PC_TRY(credential_owner(c, true));
  auto cred = PC_TRY(owned_credential(c, user, id));
  std::string password = new_password(c, cred);
  PC_CHECK(save(c.txn, kServiceCredentials, user_row_key(user, id), cred));
  write_credential(c, user, cred, password);
  return {};
}

Status list_credentials(Call& c) {
  auto service = PC_TRY(service_param(c, false));
  auto user = PC_TRY(credential_owner(c, true));
  auto creds = PC_TRY(user_rows(c, kServiceCredentials, user));
  c.out.open("ServiceSpecificCredentials");
  for (const json::object& cred : creds) {
    if (!service.empty() && str(cred, "ServiceName") != service) continue;
    c.out.open("member");
    c.out.element("UserName", str(user, "UserName"));
    write_fields(
        c.out, cred,
        {"Status", "ServiceUserName", "CreateDate", "ServiceSpecificCredentialId", "ServiceName"});
    c.out.close();
  }
  c.out.close();
  return {};
}

Status update_credential(Call& c) {
  auto id = PC_TRY(id_param(c, "ServiceSpecificCredentialId", 20));
  auto status = PC_TRY(status_param(c));
  auto user = PC_TRY(credential_owner(c, true));
  auto cred = PC_TRY(owned_credential(c, user, id));
  c.has_result = false;
  cred["Status"] = status;
  return save(c.txn, kServiceCredentials, user_row_key(user, id), cred);
}

Status delete_credential(Call& c) {
  auto id = PC_TRY(id_param(c, "ServiceSpecificCredentialId", 20));
  auto user = PC_TRY(credential_owner(c, true));
  PC_TRY(owned_credential(c, user, id));
  c.has_result = false;
  return c.txn.erase(kServiceCredentials, user_row_key(user, id));
}

constexpr Op kOps[] = {
    {"UploadSSHPublicKey", true, upload_ssh},
    {"GetSSHPublicKey", false, get_ssh},
    {"UpdateSSHPublicKey", true, update_ssh},
    {"DeleteSSHPublicKey", true, delete_ssh},
    {"ListSSHPublicKeys", false, list_ssh},
    {"CreateServiceSpecificCredential", true, create_credential},
    {"ResetServiceSpecificCredential", true, reset_credential},
    {"ListServiceSpecificCredentials", false, list_credentials},
    {"UpdateServiceSpecificCredential", true, update_credential},
    {"DeleteServiceSpecificCredential", true, delete_credential},
};

}  // namespace

std::span<const Op> ssh_credential_ops() { return kOps; }

}  // namespace portcullis::iam::api
