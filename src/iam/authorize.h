// Authorization of a call: the request context with the global condition keys, and the
// decision of the caller's policies, turned into AWS's AccessDenied when it is not Allow.
#pragma once

#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "http/message.h"
#include "iam/policy/evaluate.h"
#include "iam/snapshot.h"

namespace portcullis::iam {

// The global keys AWS sets for every request (aws:SourceIp, aws:CurrentTime, aws:EpochTime,
// aws:SecureTransport, aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType, aws:userid,
// aws:username, aws:PrincipalTag/*, aws:RequestedRegion).
RequestContext request_context(const PrincipalEntry& caller, const http::Request& request,
                               SystemTime now, std::string_view region);

// Adds aws:RequestTag/<key> and aws:TagKeys for the tags a call carries.
void add_request_tags(RequestContext& ctx,
                      const std::vector<std::pair<std::string, std::string>>& tags);

// Evaluates, for ctx.action on ctx.resource, the caller's identity policies, boundary and session
// policies (none without a caller: a federated principal) with an optional resource-based or
// trust policy.
DecisionDetail decide_for(const PrincipalEntry* caller, const RequestContext& ctx,
                          const Policy* resource = nullptr, bool cross_account = false);

// Evaluates the caller's identity policies and boundary for ctx.action on ctx.resource.
// Denied: AccessDenied, "User: arn:… is not authorized to perform: iam:CreateRole on resource:
// arn:… because no identity-based policy allows the iam:CreateRole action".
Status authorize(const PrincipalEntry& caller, const RequestContext& ctx);

}  // namespace portcullis::iam
