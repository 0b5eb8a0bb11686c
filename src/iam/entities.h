// How IAM entities are kept in the store: one JSON document per entity, whose fields carry
// AWS's member names so that responses are written from them directly.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/json_read.h"
#include "core/result.h"
#include "store/store.h"

namespace portcullis::iam {

namespace json = boost::json;

// Store tables; keys are lower-case names (IAM names are unique regardless of case), or the
// access key id.
inline constexpr std::string_view kUsers = "iam.users";
inline constexpr std::string_view kGroups = "iam.groups";
inline constexpr std::string_view kRoles = "iam.roles";
inline constexpr std::string_view kPolicies = "iam.policies";
inline constexpr std::string_view kKeys = "iam.keys";
inline constexpr std::string_view kSamlProviders = "iam.saml";
inline constexpr std::string_view kOidcProviders = "iam.oidc";
// A user's signing certificates, SSH public keys and service-specific credentials, keyed
// "{UserId}/{id}"; server certificates, keyed by lower-case name.
inline constexpr std::string_view kSigningCertificates = "iam.signingcerts";
inline constexpr std::string_view kSshPublicKeys = "iam.sshkeys";
inline constexpr std::string_view kServiceCredentials = "iam.servicecreds";
inline constexpr std::string_view kServerCertificates = "iam.servercerts";
// Passwords and MFA: login profiles by lower-case user name, the account's password policy (one
// row, "policy"), and virtual MFA devices by lower-case serial number.
inline constexpr std::string_view kLoginProfiles = "iam.loginprofiles";
inline constexpr std::string_view kPasswordPolicy = "iam.passwordpolicy";
inline constexpr std::string_view kMfaDevices = "iam.mfa";

// Users, groups and roles share inline policies, attachments, tags and boundaries.
enum class EntityKind { kUser, kGroup, kRole };

struct KindInfo {
  EntityKind kind;
  std::string_view table;
  std::string_view noun;       // "user", as in ARNs and messages
  std::string_view Noun;       // "User", as in member and action names
  std::string_view id_prefix;  // AIDA, AGPA, AROA
  size_t max_inline_bytes;     // the quota on the sum of inline policy sizes
  size_t max_attached;         // attached managed policies
};
const KindInfo& kind_info(EntityKind kind);

std::string lower(std::string_view s);
std::string entity_arn(std::string_view account, std::string_view noun, std::string_view path,
                       std::string_view name);

Result<std::optional<json::object>> load(store::Transaction& txn, std::string_view table,
                                         std::string_view key);
Status save(store::Transaction& txn, std::string_view table, std::string_view key,
            const json::object& doc);

// A string member of a document, or "" when absent.
std::string_view str(const json::object& o, std::string_view key);
// Reading stored documents without trusting their shape (core/json_read.h).
using json_read::arr;
using json_read::ensure_array;
using json_read::ensure_object;
using json_read::obj;
using json_read::sv;
// A stored row's text as a document; kInternal naming table and key when it is not an object.
Result<json::object> parse_doc(std::string_view table, std::string_view key,
                               std::string_view text);

// The AWS managed policies every account has (AdministratorAccess, …): name, ARN, document.
struct AwsManagedPolicy {
  std::string_view name;
  std::string_view description;
  std::string_view document;
};
std::span<const AwsManagedPolicy> aws_managed_policies();
inline constexpr std::string_view kAwsPolicyArnPrefix = "arn:aws:iam::aws:policy/";

}  // namespace portcullis::iam
