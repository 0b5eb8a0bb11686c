// Rules of the account-level IAM operations that need no store: how service-linked roles are
// named, the account alias pattern, and which condition keys a policy document names.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace portcullis::iam::api {

// AWSServiceRoleFor… for a service principal (AWS's names for the services it documents, else
// the labels before ".amazonaws.com" in CamelCase, innermost last), with "_{suffix}".
// InvalidInput for a name that is no service principal, a service without service-linked roles,
// or a suffix the service does not take.
Result<std::string> service_linked_role_name(std::string_view service,
                                             const std::optional<std::string>& suffix);

// ^[a-z0-9](([a-z0-9]|-(?!-))*[a-z0-9])?$ (the length is checked separately).
bool valid_account_alias(std::string_view alias);

// Appends the condition keys a policy document names, as written and in document order: the
// keys of its Condition blocks and, in version 2012-10-17, those its policy variables name.
void policy_context_keys(std::string_view document, std::vector<std::string>& out);

}  // namespace portcullis::iam::api
