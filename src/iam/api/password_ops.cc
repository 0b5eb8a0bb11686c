// Passwords: login profiles (Argon2id hashes, never returned), ChangePassword for the calling
// user, and the account password policy they are all checked against.
#include "core/crypto.h"
#include "core/password.h"
#include "iam/api/call.h"
#include "iam/credentials.h"

namespace portcullis::iam::api {

namespace {

// [\u0009\u000A\u000D\u0020-\u00FF]+; bytes of UTF-8 sequences (>= 0x80) pass, as their
// characters may be in range.
bool password_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return u == 0x09 || u == 0x0a || u == 0x0d || u >= 0x20;
}
const Constraint kPassword{1, 128, "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+", password_char, true};
constexpr std::string_view kPolicyKey = "policy";
constexpr size_t kMaxHistory = 24;

Result<std::optional<bool>> optional_bool(const protocol::QueryParams& params,
                                          std::string_view name) {
  auto v = params.get(name);
  if (!v) return std::optional<bool>();
  if (*v == "true") return std::optional<bool>(true);
  if (*v == "false") return std::optional<bool>(false);
  return fail(ErrorCode::kValidationError, "1 validation error detected: Value '" +
                                               std::string(*v) + "' at '" + member_name(name) +
                                               "' failed to satisfy constraint: Member must be a "
                                               "boolean");
}

bool flag(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_bool() && it->value().get_bool();
}
int64_t number(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_int64() ? it->value().get_int64() : 0;
}

Error no_profile(std::string_view user) {
  return Error{ErrorCode::kNoSuchEntity,
               "Login Profile for User " + std::string(user) + " cannot be found."};
}

// The symbols AWS's password policy counts (IAM User Guide, "Setting an account password
// policy").
bool is_symbol(char c) {
  return std::string_view("!@#$%^&*()_+-=[]{}|'").find(c) != std::string_view::npos;
}

Result<std::optional<json::object>> password_policy(Call& c) {
  return load(c.txn, kPasswordPolicy, kPolicyKey);
}

Status check_against_policy(const std::optional<json::object>& policy, std::string_view password) {
  if (!policy) return {};
  auto violation = [](std::string m) {
    return fail(ErrorCode::kPasswordPolicyViolation, std::move(m));
  };
  const int64_t min = number(*policy, "MinimumPasswordLength");
  if (static_cast<int64_t>(password.size()) < min)
    return violation("Password should have a minimum length of " + std::to_string(min));
  auto has = [&](auto pred) { return std::any_of(password.begin(), password.end(), pred); };
  if (flag(*policy, "RequireLowercaseCharacters") &&
      !has([](char ch) { return ch >= 'a' && ch <= 'z'; }))
    return violation("Password should have at least one lowercase letter");
  if (flag(*policy, "RequireUppercaseCharacters") &&
      !has([](char ch) { return ch >= 'A' && ch <= 'Z'; }))
    return violation("Password should have at least one uppercase letter");
  if (flag(*policy, "RequireNumbers") && !has([](char ch) { return ch >= '0' && ch <= '9'; }))
    return violation("Password should have at least one number");
  if (flag(*policy, "RequireSymbols") && !has(is_symbol))
    return violation("Password should have at least one symbol");
  return {};
}

// Refuses a password among the last PasswordReusePrevention ones (the current one included).
Status check_reuse(const std::optional<json::object>& policy, const json::object& profile,
                   std::string_view password) {
  const int64_t n = policy ? number(*policy, "PasswordReusePrevention") : 0;
  if (n <= 0) return {};
  std::vector<std::string_view> hashes{str(profile, "PasswordHash")};
  if (auto it = profile.find("PreviousPasswordHashes");
      it != profile.end() && it->value().is_array())
    for (const json::value& h : it->value().get_array())
      if (h.is_string()) hashes.push_back(h.get_string());
  for (size_t i = 0; i < hashes.size() && static_cast<int64_t>(i) < n; ++i)
    if (crypto::verify_password(hashes[i], password))
      return fail(
          ErrorCode::kPasswordPolicyViolation,
          "Password should not be one of your previous " + std::to_string(n) + " passwords");
  return {};
}

// Replaces the password, keeping the replaced hash for reuse prevention.
void set_password(Call& c, json::object& profile, std::string_view password) {
  json::array history;
  if (auto it = profile.find("PasswordHash"); it != profile.end() && it->value().is_string())
    history.push_back(it->value());
  if (auto it = profile.find("PreviousPasswordHashes");
      it != profile.end() && it->value().is_array())
    for (const json::value& h : it->value().get_array())
      if (history.size() < kMaxHistory - 1) history.push_back(h);
  profile["PasswordHash"] = crypto::hash_password(password);
  profile["PreviousPasswordHashes"] = std::move(history);
  profile["PasswordLastChanged"] = iso_now(c);
}

void write_profile(Call& c, const json::object& profile) {
  c.out.open("LoginProfile");
  write_fields(c.out, profile, {"UserName", "CreateDate", "PasswordResetRequired"});
  c.out.close();
}

// The user named by UserName, authorized and existing.
Result<json::object> named_user(Call& c) {
  std::string name = PC_TRY(required(c.params, "UserName", kUserName));
  auto doc = PC_TRY(load(c.txn, kUsers, lower(name)));
  std::string arn =
      doc ? std::string(str(*doc, "Arn")) : entity_arn(c.account(), "user", "/", name);
  PC_CHECK(c.authorize(arn));
  if (!doc)
    return fail(ErrorCode::kNoSuchEntity, "The user with name " + name + " cannot be found.");
  return std::move(*doc);
}

// AllowUsersToChangePassword grants every IAM user iam:ChangePassword on itself and
// iam:GetAccountPasswordPolicy, as if by a policy: only an explicit deny still refuses.
Status authorize_or_allowed_by_policy(Call& c, std::string_view resource) {
  Status st = c.authorize(resource);
  if (st || c.caller.principal->type != PrincipalType::kUser) return st;
  auto policy = PC_TRY(password_policy(c));
  if (!policy || !flag(*policy, "AllowUsersToChangePassword")) return st;
  if (decide_for(&c.caller, c.context).outcome == Outcome::kExplicitDeny) return st;
  return {};
}

// --- Login profiles -------------------------------------------------------------------------

Status create_login_profile(Call& c) {
  std::string password = PC_TRY(required(c.params, "Password", kPassword));
  auto reset = PC_TRY(optional_bool(c.params, "PasswordResetRequired"));
  json::object user = PC_TRY(named_user(c));
  const std::string name(str(user, "UserName"));
  if (PC_TRY(load(c.txn, kLoginProfiles, lower(name))))
    return fail(ErrorCode::kEntityAlreadyExists,
                "Login Profile for user " + name + " already exists.");
  PC_CHECK(check_against_policy(PC_TRY(password_policy(c)), password));
  json::object profile{{"UserName", name},
                       {"CreateDate", iso_now(c)},
                       {"PasswordResetRequired", reset.value_or(false)}};
  set_password(c, profile, password);
  crypto::secure_zero(password.data(), password.size());
  PC_CHECK(save(c.txn, kLoginProfiles, lower(name), profile));
  write_profile(c, profile);
  return {};
}

Status get_login_profile(Call& c) {
  json::object user = PC_TRY(named_user(c));
  auto profile = PC_TRY(load(c.txn, kLoginProfiles, lower(str(user, "UserName"))));
  if (!profile) return std::unexpected(no_profile(str(user, "UserName")));
  write_profile(c, *profile);
  return {};
}

Status update_login_profile(Call& c) {
  auto password = PC_TRY(optional(c.params, "Password", kPassword));
  auto reset = PC_TRY(optional_bool(c.params, "PasswordResetRequired"));
  json::object user = PC_TRY(named_user(c));
  c.has_result = false;
  auto profile = PC_TRY(load(c.txn, kLoginProfiles, lower(str(user, "UserName"))));
  if (!profile) return std::unexpected(no_profile(str(user, "UserName")));
  if (password) {
    auto policy = PC_TRY(password_policy(c));
    PC_CHECK(check_against_policy(policy, *password));
    PC_CHECK(check_reuse(policy, *profile, *password));
    set_password(c, *profile, *password);
    crypto::secure_zero(password->data(), password->size());
  }
  if (reset) (*profile)["PasswordResetRequired"] = *reset;
  return save(c.txn, kLoginProfiles, lower(str(user, "UserName")), *profile);
}

Status delete_login_profile(Call& c) {
  json::object user = PC_TRY(named_user(c));
  c.has_result = false;
  const std::string key = lower(str(user, "UserName"));
  if (!PC_TRY(load(c.txn, kLoginProfiles, key)))
    return std::unexpected(no_profile(str(user, "UserName")));
  return c.txn.erase(kLoginProfiles, key);
}

Status change_password(Call& c) {
  std::string old_password = PC_TRY(required(c.params, "OldPassword", kPassword));
  std::string new_password = PC_TRY(required(c.params, "NewPassword", kPassword));
  c.has_result = false;
  const Principal& p = *c.caller.principal;
  if (p.type != PrincipalType::kUser)
    return fail(ErrorCode::kInvalidUserType, "Only IAM users can change their own password.");
  PC_CHECK(authorize_or_allowed_by_policy(c, p.arn));
  const std::string key = lower(p.name);
  auto profile = PC_TRY(load(c.txn, kLoginProfiles, key));
  if (!profile) return std::unexpected(no_profile(p.name));
  bool ok = crypto::verify_password(str(*profile, "PasswordHash"), old_password);
  crypto::secure_zero(old_password.data(), old_password.size());
  if (!ok) return fail(ErrorCode::kAccessDenied, "The old password is incorrect.");
  auto policy = PC_TRY(password_policy(c));
  PC_CHECK(check_against_policy(policy, new_password));
  PC_CHECK(check_reuse(policy, *profile, new_password));
  set_password(c, *profile, new_password);
  crypto::secure_zero(new_password.data(), new_password.size());
  (*profile)["PasswordResetRequired"] = false;
  return save(c.txn, kLoginProfiles, key, *profile);
}

// --- The account password policy ------------------------------------------------------------

Status get_password_policy(Call& c) {
  PC_CHECK(authorize_or_allowed_by_policy(c, "*"));
  auto policy = PC_TRY(password_policy(c));
  if (!policy)
    return fail(ErrorCode::kNoSuchEntity,
                "The Password Policy with domain name " + c.account() + " cannot be found.");
  c.out.open("PasswordPolicy");
  write_fields(
      c.out, *policy,
      {"MinimumPasswordLength", "RequireSymbols", "RequireNumbers", "RequireUppercaseCharacters",
       "RequireLowercaseCharacters", "AllowUsersToChangePassword", "ExpirePasswords",
       "MaxPasswordAge", "PasswordReusePrevention", "HardExpiry"});
  c.out.close();
  return {};
}

Status update_password_policy(Call& c) {
  // Every call replaces the whole policy: what it leaves out takes its default, as on AWS.
  auto min = PC_TRY(optional_int(c.params, "MinimumPasswordLength", 6, 128));
  auto max_age = PC_TRY(optional_int(c.params, "MaxPasswordAge", 1, 1095));
  auto reuse = PC_TRY(optional_int(c.params, "PasswordReusePrevention", 1, 24));
  json::object policy{{"MinimumPasswordLength", min.value_or(6)}};
  for (std::string_view f : {"RequireSymbols", "RequireNumbers", "RequireUppercaseCharacters",
                             "RequireLowercaseCharacters", "AllowUsersToChangePassword"})
    policy[f] = PC_TRY(optional_bool(c.params, f)).value_or(false);
  policy["ExpirePasswords"] = max_age.has_value();
  if (max_age) policy["MaxPasswordAge"] = *max_age;
  if (reuse) policy["PasswordReusePrevention"] = *reuse;
  policy["HardExpiry"] = PC_TRY(optional_bool(c.params, "HardExpiry")).value_or(false);
  PC_CHECK(c.authorize("*"));
  c.has_result = false;
  return save(c.txn, kPasswordPolicy, kPolicyKey, policy);
}

Status delete_password_policy(Call& c) {
  PC_CHECK(c.authorize("*"));
  c.has_result = false;
  if (!PC_TRY(password_policy(c)))
    return fail(ErrorCode::kNoSuchEntity,
                "The account policy with name PasswordPolicy cannot be found.");
  return c.txn.erase(kPasswordPolicy, kPolicyKey);
}

constexpr Op kOps[] = {
    {"CreateLoginProfile", true, create_login_profile},
    {"GetLoginProfile", false, get_login_profile},
    {"UpdateLoginProfile", true, update_login_profile},
    {"DeleteLoginProfile", true, delete_login_profile},
    {"ChangePassword", true, change_password},
    {"GetAccountPasswordPolicy", false, get_password_policy},
    {"UpdateAccountPasswordPolicy", true, update_password_policy},
    {"DeleteAccountPasswordPolicy", true, delete_password_policy},
};

}  // namespace

std::span<const Op> password_ops() { return kOps; }

}  // namespace portcullis::iam::api
