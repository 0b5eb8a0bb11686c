// Authentication of a call to an AWS_IAM method (§3): the Authorization header's shape as
// execute-api words its faults, then SigV4 through the edge's AccessControl.
#pragma once

#include <optional>

#include "gateway/invoke/access.h"
#include "gateway/invoke/invocation.h"

namespace portcullis::gateway::invoke {

// The IncompleteSignatureException an Authorization header that is not SigV4 at all gets
// ("Authorization header requires 'Credential' parameter. … Authorization=<value>", or
// "'tok' not a valid key=value pair (missing equal-sign) in Authorization header: '…'."); none
// when the header has SigV4's shape.
std::optional<Failure> authorization_shape(const http::Request& request);

// A SigV4 error (sigv4::parse/verify, an unknown key or token) as the invoke path answers it.
Failure from_auth_error(const Error& error);

// Authenticates the call; sets inv.caller. Answers the path the signature covers.
Step<std::string> authenticate(Invocation& inv, const AccessControl& access);

}  // namespace portcullis::gateway::invoke
