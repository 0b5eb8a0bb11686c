// The request context a policy is evaluated against: the action, the resource, the principal
// making the call, and the condition keys with their (possibly many) values.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace portcullis::iam {

// The caller, as a Principal element in a resource-based or trust policy sees it.
struct PrincipalRef {
  std::string arn;        // user, assumed-role session, root, federated user
  std::string account;    // 12 digits
  std::string role_arn;   // for an assumed-role session: the role's ARN
  std::string federated;  // AssumeRoleWithSAML / WithWebIdentity: the provider
  std::string service;    // a service principal, e.g. lambda.amazonaws.com
  bool anonymous = false;
};

class RequestContext {
 public:
  std::string action;    // "iam:CreateUser"
  std::string resource;  // an ARN, or "*"
  PrincipalRef principal;

  // A condition key: single-valued, or multi-valued (a list, possibly empty). Operators without
  // ForAllValues/ForAnyValue never match a list, and a list is never a policy variable.
  struct Key {
    std::string name;  // lower-case
    std::vector<std::string> values;
    bool list = false;
  };

  // Condition keys are case-insensitive; values keep their case.
  void set(std::string_view key, std::string value);
  void set_list(std::string_view key, std::vector<std::string> values);
  void erase(std::string_view key);
  // The key (lower-case name), or null when the request does not have it.
  const Key* find(std::string_view lower_key) const;
  const std::vector<Key>& keys() const { return keys_; }

 private:
  void put(std::string_view key, std::vector<std::string> values, bool list);
  std::vector<Key> keys_;
};

}  // namespace portcullis::iam
