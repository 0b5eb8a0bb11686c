// A user's signing certificates, SSH public keys and service-specific credentials: the owner
// of a call, the user's rows, and the conflict they raise on DeleteUser.
#include "iam/api/user_credentials.h"

#include <utility>

namespace portcullis::iam::api {

namespace {

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '-';
}
bool word(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

std::string user_row_key(const json::object& user, std::string_view id) {
  return std::string(str(user, "UserId")) + "/" + std::string(id);
}

Result<json::object> credential_owner(Call& c, bool name_optional, size_t max_name) {
  std::string name;
  if (auto given = c.params.get("UserName")) {
    name = *given;
    const Constraint constraint{1, max_name, "[\\w+=,.@-]+", name_char};
    PC_CHECK(check(name, constraint, "userName"));
  } else if (!name_optional) {
    return fail(ErrorCode::kValidationError,
                "1 validation error detected: Value null at 'userName' failed to satisfy "
                "constraint: Member must not be null");
  } else if (c.caller.principal->type == PrincipalType::kUser) {
    name = c.caller.principal->name;
  } else {
    return fail(ErrorCode::kValidationError,
                "Must specify userName when calling with non-User credentials");
  }
  auto doc = PC_TRY(load(c.txn, kUsers, lower(name)));
  std::string arn =
      doc ? std::string(str(*doc, "Arn")) : entity_arn(c.account(), "user", "/", name);
  if (doc) add_resource_tags(c.context, *doc);
  PC_CHECK(c.authorize(arn));
  if (!doc)
    return fail(ErrorCode::kNoSuchEntity, "The user with name " + name + " cannot be found.");
  return std::move(*doc);
}

Result<std::vector<json::object>> user_rows(Call& c, std::string_view table,
                                            const json::object& user) {
  auto rows = PC_TRY(c.txn.scan(table, user_row_key(user, "")));
  std::vector<json::object> out;
  for (const auto& [k, v] : rows) {
    boost::system::error_code ec;
    json::value doc = json::parse(v, ec);
    if (ec || !doc.is_object())
      return fail(ErrorCode::kInternal, "store: corrupt document " + std::string(table) + "/" + k);
    out.push_back(std::move(doc.get_object()));
  }
  return out;
}

Result<std::string> status_param(Call& c) {
  auto status = c.params.get("Status");
  if (!status)
    return fail(ErrorCode::kValidationError,
                "1 validation error detected: Value null at 'status' failed to satisfy "
                "constraint: Member must not be null");
  if (*status != "Active" && *status != "Inactive")
    return fail(ErrorCode::kValidationError,
                "1 validation error detected: Value '" + std::string(*status) +
                    "' at 'status' failed to satisfy constraint: Member must satisfy enum value "
                    "set: [Active, Inactive]");
  return std::string(*status);
}

Result<std::string> id_param(Call& c, std::string_view name, size_t min) {
  const Constraint id{min, 128, "[\\w]+", word};
  return required(c.params, name, id);
}

Status check_no_user_credentials(Call& c, const json::object& user) {
  static constexpr std::pair<std::string_view, std::string_view> kHeld[] = {
      {kSigningCertificates, "signing certificates"},
      {kSshPublicKeys, "SSH public keys"},
      {kServiceCredentials, "service specific credentials"},
  };
  for (const auto& [table, what] : kHeld) {
    auto rows = PC_TRY(c.txn.scan(table, user_row_key(user, "")));
    if (!rows.empty())
      return fail(ErrorCode::kDeleteConflict,
                  "Cannot delete entity, must delete " + std::string(what) + " first.");
  }
  return {};
}

}  // namespace portcullis::iam::api
