// The immutable view of IAM that requests read without touching the store: access keys with
// their (decrypted) secrets, and principals with their policies compiled once.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "iam/identity.h"
#include "iam/policy/policy.h"
#include "store/store.h"

namespace portcullis::iam {

// One of a principal's identity policies, named as SimulatePrincipalPolicy reports it.
struct IdentityPolicy {
  std::shared_ptr<const Policy> policy;
  std::string name;    // the inline policy's name, or the managed policy's
  std::string source;  // user, group, role, aws-managed or user-managed (PolicySourceType)
};

// A user or role with everything that decides what it may do.
struct PrincipalEntry {
  std::shared_ptr<const Principal> principal;
  std::string path;
  std::vector<IdentityPolicy> identity;    // inline, attached, and its groups'
  std::shared_ptr<const Policy> boundary;  // null: no permissions boundary
  std::vector<std::pair<std::string, std::string>> tags;
  std::shared_ptr<const Policy> trust;  // roles: the trust policy
  long max_session_duration = 3600;     // roles

  // Callers with temporary credentials (STS): built per session from the sealed token.
  struct Session {
    std::string role_arn;                                 // role sessions: the role assumed
    std::vector<std::shared_ptr<const Policy>> policies;  // session policies (intersected)
    bool has_policies = false;
    SystemTime issued;
    std::string source_identity;
    std::vector<std::pair<std::string, std::string>> transitive_tags;  // carried when chaining
    bool chained = false;             // assumed with role credentials
    bool from_session_token = false;  // GetSessionToken credentials of a user
    std::optional<SystemTime> mfa_authenticated;  // when the session's MFA code was checked
  };
  std::optional<Session> session;
};

struct KeyEntry {
  std::string access_key_id;
  std::string secret;
  bool active = true;
  std::shared_ptr<const PrincipalEntry> owner;
};

// A SAML provider as STS trusts it: the signing certificates and entity id of its metadata.
struct SamlProvider {
  std::string arn;
  std::string name;
  std::string entity_id;
  std::vector<std::string> certificates;  // DER
};

// An OpenID Connect provider as STS trusts it.
struct OidcProvider {
  std::string arn;
  std::string url;  // host/path, as ARNs and condition keys name it
  std::vector<std::string> client_ids;
  std::vector<std::string> thumbprints;
};

class Snapshot {
 public:
  const SamlProvider* find_saml_provider(std::string_view arn) const;
  const OidcProvider* find_oidc_provider(std::string_view url) const;  // host/path
  const KeyEntry* find_key(std::string_view access_key_id) const;
  const PrincipalEntry* find_user(std::string_view name) const;  // any case
  const PrincipalEntry* find_role(std::string_view name) const;
  // A managed policy by ARN (customer or AWS managed), compiled.
  std::shared_ptr<const Policy> find_policy(std::string_view arn) const;
  const std::string& account() const { return account_; }
  // Unique among the snapshots of this process: tells caches built from one apart.
  uint64_t id() const { return id_; }

  // Reads every IAM document of the store; secrets are decrypted with `master_key`.
  static Result<std::shared_ptr<const Snapshot>> build(store::Transaction& txn,
                                                       std::string_view account,
                                                       std::string_view master_key);

 private:
  uint64_t id_ = 0;
  std::string account_;
  std::unordered_map<std::string, KeyEntry> keys_;
  std::unordered_map<std::string, std::shared_ptr<const PrincipalEntry>> users_, roles_;
  std::unordered_map<std::string, std::shared_ptr<const Policy>> policies_;  // by ARN
  std::unordered_map<std::string, SamlProvider> saml_providers_;             // by ARN
  std::unordered_map<std::string, OidcProvider> oidc_providers_;             // by URL
};

}  // namespace portcullis::iam
