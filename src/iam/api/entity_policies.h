// The permission policies of a user, group, role or managed policy named by ARN, as texts:
// what access-advisor reports, ListPoliciesGrantingServiceAccess and the context-key calls read.
#pragma once

#include <string>
#include <vector>

#include "iam/api/entity.h"

namespace portcullis::iam::api {

// One policy document that applies to an entity, and where it comes from.
struct SourcePolicy {
  std::string name;
  bool managed = false;
  std::string arn;         // managed policies
  std::string owner_type;  // inline policies: USER, GROUP or ROLE (policyOwnerEntityType)
  std::string owner_name;  // inline policies: the entity holding it
  std::string document;
};

// What an ARN names: a user, group or role (with its document), or a managed policy.
struct ArnTarget {
  enum class Type { kUser, kGroup, kRole, kPolicy } type;
  std::string name;
  json::object doc;  // the entity's, or the managed policy's
};

// Resolves an IAM ARN of this account; NoSuchEntity (AWS's message for the kind) when nothing
// has that ARN, InvalidInput when it names no user, group, role or policy.
Result<ArnTarget> resolve_arn(Call& c, std::string_view arn, bool allow_policy);

// The permission policies of the target (a user's include its groups'; a policy: its default
// version). Boundaries and trust policies are not permission policies.
Result<std::vector<SourcePolicy>> policies_of(Call& c, const ArnTarget& t);

// A managed policy's default document (AWS or customer managed), if the policy exists.
Result<std::optional<std::string>> managed_document(Call& c, std::string_view arn);

std::string_view owner_type(ArnTarget::Type t);  // USER, GROUP, ROLE

}  // namespace portcullis::iam::api
