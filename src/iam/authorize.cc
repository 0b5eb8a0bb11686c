#include "iam/authorize.h"

#include <array>
#include <chrono>

namespace portcullis::iam {

RequestContext request_context(const PrincipalEntry& caller, const http::Request& request,
                               SystemTime now, std::string_view region) {
  RequestContext ctx;
  const Principal& p = *caller.principal;
  ctx.principal.arn = p.arn;
  ctx.principal.account = p.account_id;
  std::string_view remote = request.remote_address;
  if (size_t colon = remote.rfind(':'); colon != std::string_view::npos)
    remote = remote.substr(0, colon);
  if (!remote.empty()) ctx.set("aws:SourceIp", std::string(remote));
  ctx.set("aws:CurrentTime", format_iso8601(now));
  ctx.set("aws:EpochTime",
          std::to_string(
              std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count()));
  ctx.set("aws:SecureTransport", "false");
  ctx.set("aws:RequestedRegion", std::string(region));
  ctx.set("aws:PrincipalArn", p.arn);
  ctx.set("aws:PrincipalAccount", p.account_id);
  ctx.set("aws:userid", p.user_id);
  if (p.type == PrincipalType::kUser) {
    ctx.set("aws:PrincipalType", "User");
    ctx.set("aws:username", p.name);
  } else {
    ctx.set("aws:PrincipalType", "AssumedRole");
  }
  for (const auto& [k, v] : caller.tags) ctx.set("aws:PrincipalTag/" + k, v);
  if (caller.session) {
    const auto& s = *caller.session;
    ctx.set("aws:TokenIssueTime", format_iso8601(s.issued));
    if (!s.source_identity.empty()) ctx.set("aws:SourceIdentity", s.source_identity);
    if (!s.role_arn.empty()) {
      // For a role session, aws:PrincipalArn is the role's ARN.
      ctx.set("aws:PrincipalArn", s.role_arn);
      ctx.principal.role_arn = s.role_arn;
    }
  }
  return ctx;
}

void add_request_tags(RequestContext& ctx,
                      const std::vector<std::pair<std::string, std::string>>& tags) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : tags) {
    ctx.set("aws:RequestTag/" + k, v);
    keys.push_back(k);
  }
  ctx.set_list("aws:TagKeys", std::move(keys));
}

Status authorize(const PrincipalEntry& caller, const RequestContext& ctx) {
  // No allocation for the common case of a principal with up to 32 policies.
  std::array<const Policy*, 32> small;
  std::vector<const Policy*> large;
  std::span<const Policy*> identity;
  if (caller.identity.size() <= small.size()) {
    identity = std::span<const Policy*>(small.data(), caller.identity.size());
  } else {
    large.resize(caller.identity.size());
    identity = large;
  }
  for (size_t i = 0; i < caller.identity.size(); ++i) identity[i] = caller.identity[i].policy.get();
  const Policy* boundary[] = {caller.boundary.get()};
  PolicySet set;
  set.identity = identity;
  if (caller.boundary) {
    set.has_boundary = true;
    set.boundary = boundary;
  }
  std::vector<const Policy*> session;
  if (caller.session && caller.session->has_policies) {
    for (const auto& p : caller.session->policies) session.push_back(p.get());
    set.has_session = true;
    set.session = session;
  }
  DecisionDetail d = decide(set, ctx);
  if (d.outcome == Outcome::kAllowed) return {};
  std::string who = "User: ";  // AWS writes it for users and role sessions alike
  std::string msg = who + caller.principal->arn + " is not authorized to perform: " + ctx.action +
                    " on resource: " + ctx.resource;
  if (d.outcome == Outcome::kExplicitDeny) {
    msg += d.identity == Decision::kDeny  ? " with an explicit deny in an identity-based policy"
           : d.session == Decision::kDeny ? " with an explicit deny in a session policy"
                                          : " with an explicit deny in a permissions boundary";
  } else if (d.identity != Decision::kAllow) {
    msg += " because no identity-based policy allows the " + ctx.action + " action";
  } else if (set.has_boundary && d.boundary != Decision::kAllow) {
    msg += " because no permissions boundary allows the " + ctx.action + " action";
  } else {
    msg += " because no session policy allows the " + ctx.action + " action";
  }
  return fail(ErrorCode::kAccessDenied, msg);
}

}  // namespace portcullis::iam
