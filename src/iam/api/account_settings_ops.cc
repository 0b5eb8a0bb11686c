// The account's own settings and figures: its alias, the STS global endpoint token version, and
// GetAccountSummary's counts and quotas computed from the store.
#include "iam/api/account_rules.h"
#include "iam/api/entity.h"
#include "iam/api/instance_profile.h"

namespace portcullis::iam::api {

namespace {

// Key "alias": {"AccountAlias"}; key "sts": {"GlobalEndpointTokenVersion"}.
constexpr std::string_view kAccount = "iam.account";

// The other parts of IAM whose figures the summary reports (kept by their own operations).

const Constraint kAliasLength{3, 63, "", nullptr};
constexpr std::string_view kAliasPattern = "^[a-z0-9](([a-z0-9]|-(?!-))*[a-z0-9])?$";

Result<std::string> alias_param(Call& c) {
  std::string alias = PC_TRY(required(c.params, "AccountAlias", kAliasLength));
  bool ok = valid_account_alias(alias);
  if (!ok)
    return fail(ErrorCode::kValidationError,
                "1 validation error detected: Value '" + alias +
                    "' at 'accountAlias' failed to satisfy constraint: Member must satisfy "
                    "regular expression pattern: " +
                    std::string(kAliasPattern));
  return alias;
}

// One alias per account: creating another replaces it, as AWS does; the name the account
// already has is taken.
Status create_alias(Call& c) {
  std::string alias = PC_TRY(alias_param(c));
  PC_CHECK(c.authorize("*"));
  c.has_result = false;
  auto current = PC_TRY(load(c.txn, kAccount, "alias"));
  if (current && str(*current, "AccountAlias") == alias)
    return fail(ErrorCode::kEntityAlreadyExists, "The account alias " + alias + " already exists.");
  return save(c.txn, kAccount, "alias", json::object{{"AccountAlias", alias}});
}

Status delete_alias(Call& c) {
  std::string alias = PC_TRY(alias_param(c));
  PC_CHECK(c.authorize("*"));
  c.has_result = false;
  auto current = PC_TRY(load(c.txn, kAccount, "alias"));
  if (!current || str(*current, "AccountAlias") != alias)
    return fail(ErrorCode::kNoSuchEntity, "The account alias " + alias + " cannot be found.");
  return c.txn.erase(kAccount, "alias");
}

Status list_aliases(Call& c) {
  Page page = PC_TRY(page_param(c.params));
  PC_CHECK(c.authorize("*"));
  auto current = PC_TRY(load(c.txn, kAccount, "alias"));
  std::vector<json::object> items;
  if (current) items.push_back(*current);
  write_page(c.out, "AccountAliases", page, items, nullptr,
             [&](const json::object& d) { c.out.text(str(d, "AccountAlias")); });
  return {};
}

Status set_sts_preferences(Call& c) {
  std::string version = PC_TRY(required(c.params, "GlobalEndpointTokenVersion", kDescription));
  if (version != "v1Token" && version != "v2Token")
    return fail(ErrorCode::kValidationError,
                "1 validation error detected: Value '" + version +
                    "' at 'globalEndpointTokenVersion' failed to satisfy constraint: Member must "
                    "satisfy enum value set: [v1Token, v2Token]");
  PC_CHECK(c.authorize("*"));
  c.has_result = false;
  return save(c.txn, kAccount, "sts", json::object{{"GlobalEndpointTokenVersion", version}});
}

// --- GetAccountSummary ----------------------------------------------------------------------

size_t array_size(const json::object& doc, std::string_view key) {
  auto it = doc.find(key);
  return it != doc.end() && it->value().is_array() ? it->value().get_array().size() : 0;
}

// An MFA device counts as in use when it is assigned to a user.
bool device_in_use(const json::object& d) {
  if (!str(d, "UserName").empty() || !str(d, "EnableDate").empty()) return true;
  auto user = d.find("User");
  return user != d.end() && user->value().is_object();
}

Status summary(Call& c) {
  PC_CHECK(c.authorize("*"));
  long users = 0, groups = 0, roles = 0, policies = 0, attachments = 0;
  auto count_attachments = [&](const json::object& d) {
    attachments += static_cast<long>(array_size(d, "AttachedPolicies"));
  };
  for (const json::object& u : PC_TRY(rows_of(c.txn, kUsers))) ++users, count_attachments(u);
  for (const json::object& g : PC_TRY(rows_of(c.txn, kGroups))) ++groups, count_attachments(g);
  for (const json::object& r : PC_TRY(rows_of(c.txn, kRoles))) ++roles, count_attachments(r);
  policies = static_cast<long>(PC_TRY(rows_of(c.txn, kPolicies)).size());
  long profiles = static_cast<long>(PC_TRY(rows_of(c.txn, kInstanceProfiles)).size());
  long providers = static_cast<long>(PC_TRY(rows_of(c.txn, kSamlProviders)).size());
  providers += static_cast<long>(PC_TRY(rows_of(c.txn, kOidcProviders)).size());
  long server_certs = static_cast<long>(PC_TRY(rows_of(c.txn, kServerCertificates)).size());
  long mfa = 0, mfa_in_use = 0;
  for (const json::object& d : PC_TRY(rows_of(c.txn, kMfaDevices))) {
    ++mfa;
    if (device_in_use(d)) ++mfa_in_use;
  }
  auto sts = PC_TRY(load(c.txn, kAccount, "sts"));
  long token_version = sts && str(*sts, "GlobalEndpointTokenVersion") == "v2Token" ? 2 : 1;

  // AWS's keys (the model's and those AWS adds), with the default quotas of an account.
  const std::pair<std::string_view, long> entries[] = {
      {"GroupPolicySizeQuota", 5120},
      {"InstanceProfilesQuota", 1000},
      {"Policies", policies},
      {"GroupsPerUserQuota", 10},
      {"InstanceProfiles", profiles},
      {"AttachedPoliciesPerUserQuota", 10},
      {"Users", users},
      {"PoliciesQuota", 1500},
      {"Providers", providers},
      {"AccountMFAEnabled", 0},
      {"AccessKeysPerUserQuota", 2},
      {"AssumeRolePolicySizeQuota", 2048},
      {"PolicyVersionsInUseQuota", 10000},
      {"GlobalEndpointTokenVersion", token_version},
      {"VersionsPerPolicyQuota", 5},
      {"AttachedPoliciesPerGroupQuota", 10},
      {"PolicySizeQuota", 6144},
      {"Groups", groups},
      {"AccountSigningCertificatesPresent", 0},
      {"UsersQuota", 5000},
      {"ServerCertificatesQuota", 20},
      {"MFADevices", mfa},
      {"UserPolicySizeQuota", 2048},
      {"PolicyVersionsInUse", attachments},
      {"ServerCertificates", server_certs},
      {"Roles", roles},
      {"RolesQuota", 1000},
      {"SigningCertificatesPerUserQuota", 2},
      {"MFADevicesInUse", mfa_in_use},
      {"RolePolicySizeQuota", 10240},
      {"AttachedPoliciesPerRoleQuota", 10},
      {"AccountAccessKeysPresent", 0},
      {"GroupsQuota", 300},
  };
  c.out.open("SummaryMap");
  for (const auto& [key, value] : entries) {
    c.out.open("entry");
    c.out.element("key", key);
    c.out.element("value", std::to_string(value));
    c.out.close();
  }
  c.out.close();
  return {};
}

constexpr Op kOps[] = {
    {"CreateAccountAlias", true, create_alias},
    {"DeleteAccountAlias", true, delete_alias},
    {"ListAccountAliases", false, list_aliases},
    {"SetSecurityTokenServicePreferences", true, set_sts_preferences},
    {"GetAccountSummary", false, summary},
};

}  // namespace

std::span<const Op> account_settings_ops() { return kOps; }

}  // namespace portcullis::iam::api
