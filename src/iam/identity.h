// Who a caller is: the principal an authenticated request acts as.
#pragma once

#include <string>

namespace portcullis::iam {

enum class PrincipalType { kUser, kAssumedRole, kFederatedUser, kRoot };

struct Principal {
  PrincipalType type = PrincipalType::kUser;
  std::string account_id;
  std::string name;  // user name, or role/session for an assumed role
  std::string arn;
  std::string user_id;  // the unique id (AIDA… for users)
};

}  // namespace portcullis::iam
