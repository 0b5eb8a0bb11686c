// Who a caller is: principals and the access keys that authenticate them. The key directory
// answers "which principal and secret own this access key id" for the SigV4 verifier's caller.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace portcullis::iam {

enum class PrincipalType { kUser, kAssumedRole, kFederatedUser, kRoot };

struct Principal {
  PrincipalType type = PrincipalType::kUser;
  std::string account_id;
  std::string name;  // user name, or role/session for an assumed role
  std::string arn;
  std::string user_id;  // the unique id (AIDA… for users)
};

struct AccessKey {
  std::string access_key_id;
  std::string secret_access_key;
  bool active = true;
  std::shared_ptr<const Principal> principal;
};

// An immutable-after-build lookup table of long-term access keys.
class KeyDirectory {
 public:
  void add(AccessKey key);
  const AccessKey* find(std::string_view access_key_id) const;

 private:
  std::unordered_map<std::string, AccessKey> keys_;
};

std::string user_arn(std::string_view account_id, std::string_view path, std::string_view name);

}  // namespace portcullis::iam
