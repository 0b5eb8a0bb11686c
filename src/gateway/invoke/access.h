// What the invoke path asks of IAM, which this module does not link: the edge implements it
// with the same SigV4 authentication as the control plane and the IAM policy engine.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "gateway/compile/deployment.h"
#include "gateway/invoke/invocation.h"
#include "http/message.h"

namespace portcullis::gateway::invoke {

class AccessControl {
 public:
  virtual ~AccessControl() = default;

  struct Authenticated {
    Caller caller;
    std::string covered_path;  // the path the signature covers (sigv4::verify)
  };
  // Verifies a SigV4-signed call for service execute-api, scoped to `region`: the access key
  // (long-term or a session's), the signature, the time window. Errors carry SigV4's codes
  // and AWS's messages.
  virtual Result<Authenticated> authenticate(const http::Request& request,
                                             std::string_view region) const = 0;

  // Why a call is not allowed, as the policy engine decided it.
  enum class Denial : uint8_t {
    kNone,              // allowed
    kImplicit,          // no identity-based (nor resource-based) policy allows
    kNoBoundaryAllow,   // the permissions boundary does not allow
    kNoSessionAllow,    // the session policy does not allow
    kExplicitIdentity,  // an explicit deny, by the kind of policy it is in
    kExplicitResource,
    kExplicitBoundary,
    kExplicitSession,
  };
  // Decides execute-api:Invoke on `arn` for `caller` (null: an anonymous call) with the API's
  // resource policy (null: none), the request's global condition keys included.
  virtual Denial authorize(const Caller* caller, const CompiledPolicy* policy, std::string_view arn,
                           const http::Request& request, std::string_view region) const = 0;

  // Compiles a resource policy (kept in the compiled deployment).
  virtual Result<std::shared_ptr<const CompiledPolicy>> compile_policy(
      std::string_view document) const = 0;
};

}  // namespace portcullis::gateway::invoke
