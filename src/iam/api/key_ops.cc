// Access keys: at most two per user; the secret is shown once, when created, and kept sealed
// under the master key.
#include "core/crypto.h"
#include "core/encoding.h"
#include "core/ids.h"
#include "core/seal.h"
#include "iam/api/call.h"

namespace portcullis::iam::api {

namespace {

// The user named by UserName, or the calling user; authorized on that user.
Result<json::object> key_owner(Call& c) {
  std::string name;
  if (auto given = c.params.get("UserName")) {
    name = *given;
    PC_CHECK(check(name, kUserName, "userName"));
  } else if (c.caller.principal->type == PrincipalType::kUser) {
    name = c.caller.principal->name;
  } else {
    return fail(ErrorCode::kValidationError,
                "Must specify userName when calling with non-User credentials");
  }
  auto doc = PC_TRY(load(c.txn, kUsers, lower(name)));
  std::string arn =
      doc ? std::string(str(*doc, "Arn")) : entity_arn(c.account(), "user", "/", name);
  PC_CHECK(c.authorize(arn));
  if (!doc)
    return fail(ErrorCode::kNoSuchEntity, "The user with name " + name + " cannot be found.");
  return std::move(*doc);
}

Result<std::vector<json::object>> keys_of(Call& c, std::string_view user) {
  auto rows = PC_TRY(c.txn.scan(kKeys));
  std::vector<json::object> out;
  for (const auto& [k, v] : rows) {
    json::object doc = PC_TRY(parse_doc(kKeys, k, v));
    if (lower(str(doc, "UserName")) == lower(user)) out.push_back(std::move(doc));
  }
  return out;
}

// The key named by AccessKeyId, which must belong to the user.
Result<json::object> owned_key(Call& c, const json::object& user) {
  auto id = PC_TRY(required(c.params, "AccessKeyId", kAccessKeyId));
  auto doc = PC_TRY(load(c.txn, kKeys, id));
  if (!doc || lower(str(*doc, "UserName")) != lower(str(user, "UserName")))
    return fail(ErrorCode::kNoSuchEntity, "The Access Key with id " + id + " cannot be found");
  return std::move(*doc);
}

Status create_key(Call& c) {
  auto user = PC_TRY(key_owner(c));
  auto existing = PC_TRY(keys_of(c, str(user, "UserName")));
  if (existing.size() >= 2)
    return fail(ErrorCode::kLimitExceeded, "Cannot exceed quota for AccessKeysPerUser: 2");
  std::string id = ids::access_key_id("AKIA");
  std::string secret = ids::secret_access_key();
  json::object key{
      {"AccessKeyId", id},
      {"UserName", str(user, "UserName")},
      {"Status", "Active"},
      {"CreateDate", iso_now(c)},
      {"SecretSealed", base64_encode(crypto::seal(c.service.master_key(), secret, id))}};
  PC_CHECK(save(c.txn, kKeys, id, key));
  c.out.open("AccessKey");
  write_fields(c.out, key, {"UserName", "AccessKeyId", "Status"});
  c.out.element("SecretAccessKey", secret);
  write_fields(c.out, key, {"CreateDate"});
  c.out.close();
  crypto::secure_zero(secret.data(), secret.size());
  return {};
}

Status list_keys(Call& c) {
  auto page = PC_TRY(page_param(c.params));
  auto user = PC_TRY(key_owner(c));
  auto keys = PC_TRY(keys_of(c, str(user, "UserName")));
  write_page(
      c.out, "AccessKeyMetadata", page, keys,
      [](const json::object& d) { return std::string(str(d, "AccessKeyId")); },
      [&](const json::object& d) {
        write_fields(c.out, d, {"UserName", "AccessKeyId", "Status", "CreateDate"});
      });
  return {};
}

Status update_key(Call& c) {
  auto status = c.params.get("Status");
  if (!status || (*status != "Active" && *status != "Inactive"))
    return fail(ErrorCode::kValidationError,
                "1 validation error detected: Value '" + std::string(status.value_or("null")) +
                    "' at 'status' failed to satisfy constraint: Member must satisfy enum value "
                    "set: [Active, Inactive]");
  auto user = PC_TRY(key_owner(c));
  auto key = PC_TRY(owned_key(c, user));
  c.has_result = false;
  (key)["Status"] = *status;
  return save(c.txn, kKeys, str(key, "AccessKeyId"), key);
}

Status delete_key(Call& c) {
  auto user = PC_TRY(key_owner(c));
  auto key = PC_TRY(owned_key(c, user));
  c.has_result = false;
  std::string id(str(key, "AccessKeyId"));
  PC_CHECK(c.txn.erase(kKeys, id));
  PC_CHECK(c.txn.erase(kKeyUse, id));
  c.service.forget_key_use(id);
  return {};
}

Status key_last_used(Call& c) {
  auto id = PC_TRY(required(c.params, "AccessKeyId", kAccessKeyId));
  auto doc = PC_TRY(load(c.txn, kKeys, id));
  std::string user = doc ? std::string(str(*doc, "UserName")) : std::string();
  std::string arn = entity_arn(c.account(), "user", "/", user.empty() ? "*" : user);
  if (!user.empty()) {
    auto owner = PC_TRY(load(c.txn, kUsers, lower(user)));
    if (owner) arn = str(*owner, "Arn");
  }
  PC_CHECK(c.authorize(arn));
  if (!doc)
    return fail(ErrorCode::kNoSuchEntity, "The Access Key with id " + id + " cannot be found");
  c.out.element("UserName", user);
  c.out.open("AccessKeyLastUsed");
  if (auto use = c.service.last_use(id)) {
    c.out.element("LastUsedDate", format_iso8601(use->when));
    c.out.element("ServiceName", use->service);
    c.out.element("Region", use->region);
  } else {
    c.out.element("ServiceName", "N/A");
    c.out.element("Region", "N/A");
  }
  c.out.close();
  return {};
}

constexpr Op kOps[] = {
    {"CreateAccessKey", true, create_key},          {"ListAccessKeys", false, list_keys},
    {"UpdateAccessKey", true, update_key},          {"DeleteAccessKey", true, delete_key},
    {"GetAccessKeyLastUsed", false, key_last_used},
};

}  // namespace

std::span<const Op> key_ops() { return kOps; }

}  // namespace portcullis::iam::api
