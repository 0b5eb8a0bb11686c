// Authorization of a routed call: execute-api:Invoke on its ARN for its caller (AWS_IAM) or
// for an anonymous caller (NONE), with the API's resource policy, through the edge's
// AccessControl; then what this slice does not build yet (authorizers, API keys) fails closed.
#pragma once

#include "gateway/invoke/access.h"
#include "gateway/invoke/invocation.h"

namespace portcullis::gateway::invoke {

StepStatus authorize(Invocation& inv, const AccessControl& access);

// An execute-api ARN with its account shown as AWS shows it in denials: "********" and the
// last four digits.
std::string mask_account(std::string_view arn);

// AWS's AccessDeniedException message for a denial of `arn` to `caller` (null: anonymous).
std::string denial_message(const Caller* caller, std::string_view arn, AccessControl::Denial why);

}  // namespace portcullis::gateway::invoke
