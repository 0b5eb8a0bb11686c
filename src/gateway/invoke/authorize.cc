#include "gateway/invoke/authorize.h"

#include "core/log.h"

namespace portcullis::gateway::invoke {

std::string mask_account(std::string_view arn) {
  // arn:aws:execute-api:{region}:{account}:{rest}
  size_t colons = 0, start = 0, end = 0;
  for (size_t i = 0; i < arn.size(); ++i) {
    if (arn[i] != ':') continue;
    ++colons;
    if (colons == 4) start = i + 1;
    if (colons == 5) {
      end = i;
      break;
    }
  }
  if (colons < 5 || end - start < 4) return std::string(arn);
  std::string out(arn.substr(0, start));
  out.append(end - start - 4, '*');
  out += arn.substr(end - 4);
  return out;
}

std::string denial_message(const Caller* caller, std::string_view arn, AccessControl::Denial why) {
  using D = AccessControl::Denial;
  std::string msg = "User: ";
  msg += caller ? std::string_view(caller->arn) : std::string_view("anonymous");
  msg += " is not authorized to perform: execute-api:Invoke on resource: ";
  msg += mask_account(arn);
  // An anonymous caller's denial reads as recorded (§3.1), without a reason.
  if (!caller) return msg;
  switch (why) {
    case D::kExplicitIdentity:
      msg += " with an explicit deny in an identity-based policy";
      break;
    case D::kExplicitResource:
      msg += " with an explicit deny in a resource-based policy";
      break;
    case D::kExplicitBoundary:
      msg += " with an explicit deny in a permissions boundary";
      break;
    case D::kExplicitSession:
      msg += " with an explicit deny in a session policy";
      break;
    case D::kNoBoundaryAllow:
      msg += " because no permissions boundary allows the execute-api:Invoke action";
      break;
    case D::kNoSessionAllow:
      msg += " because no session policy allows the execute-api:Invoke action";
      break;
    default:
      msg += " because no identity-based policy allows the execute-api:Invoke action";
  }
  return msg;
}

StepStatus authorize(Invocation& inv, const AccessControl& access) {
  const Deployment& d = *inv.deployment;
  const Method& m = *inv.method;
  if (m.authorization == Authorization::kCustom ||
      m.authorization == Authorization::kCognitoUserPools) {
    // Lambda and Cognito authorizers are not built yet: no call gets through one.
    log::warn("invoke: " + d.api_id() + " " + m.http_method + " " + inv.resource->path +
              ": authorizers are not supported yet");
    return internal_error(ResponseType::kAuthorizerConfigurationError);
  }
  const bool iam = m.authorization == Authorization::kAwsIam;
  const Caller* caller = iam && inv.caller ? &*inv.caller : nullptr;
  AccessControl::Denial why = AccessControl::Denial::kNone;
  if (d.policy_broken())
    why = AccessControl::Denial::kExplicitResource;  // fail closed
  else if (iam || d.policy())
    why = access.authorize(caller, d.policy(), inv.arn, inv.request, d.region());
  if (why != AccessControl::Denial::kNone)
    return std::unexpected(Failure{ResponseType::kAccessDenied, "AccessDeniedException",
                                   denial_message(caller, inv.arn, why), 0, true});
  if (m.api_key_required) {
    // API keys and usage plans are not enforced yet: a method that requires a key answers as
    // to a call without one, rather than letting it through.
    return failure(ResponseType::kInvalidApiKey, "ForbiddenException", "Forbidden");
  }
  return {};
}

}  // namespace portcullis::gateway::invoke
