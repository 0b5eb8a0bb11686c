// Instance profiles as other IAM operations see them: the table they are kept in, the profiles
// holding a role (DeleteRole refuses while there is one) and how a profile is written.
#pragma once

#include <string_view>
#include <vector>

#include "iam/api/call.h"

namespace portcullis::iam::api {

// Key: the lower-case name. Document: Path, InstanceProfileName, InstanceProfileId, Arn,
// CreateDate, Roles (role names), Tags.
inline constexpr std::string_view kInstanceProfiles = "iam.instanceprofiles";

// The instance profiles whose Roles hold `role_name` (any case), in name order.
Result<std::vector<json::object>> profiles_of_role(store::Transaction& txn,
                                                   std::string_view role_name);

// What DeleteRole refuses before anything else: a service-linked role (UnmodifiableEntity) and
// a role still in an instance profile (DeleteConflict).
Status check_role_deletable(Call& c, const json::object& role);

// Writes a profile's members in the model's order, its roles as Role elements.
Status write_instance_profile(Call& c, const json::object& profile);

}  // namespace portcullis::iam::api
