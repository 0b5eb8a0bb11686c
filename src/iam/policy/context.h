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

  // Condition keys are case-insensitive; values keep their case.
  void set(std::string_view key, std::string value);
  void set(std::string_view key, std::vector<std::string> values);
  void add(std::string_view key, std::string value);
  void erase(std::string_view key);
  // The values of a key (lower-case name), or null when the key is not in the context.
  const std::vector<std::string>* find(std::string_view lower_key) const;
  const std::vector<std::pair<std::string, std::vector<std::string>>>& keys() const {
    return keys_;
  }

 private:
  std::vector<std::pair<std::string, std::vector<std::string>>> keys_;  // lower-case names
};

}  // namespace portcullis::iam
