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
    // Absent for long-term keys; false for sessions without MFA; the age counts from the check.
    ctx.set("aws:MultiFactorAuthPresent", s.mfa_authenticated ? "true" : "false");
    if (s.mfa_authenticated)
      ctx.set("aws:MultiFactorAuthAge",
              std::to_string(
                  std::chrono::duration_cast<std::chrono::seconds>(now - *s.mfa_authenticated)
                      .count()));
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

DecisionDetail decide_for(const PrincipalEntry* caller, const RequestContext& ctx,
                          const Policy* resource, bool cross_account) {
  // No allocation for the common case of a principal with up to 32 policies of each kind.
  std::array<const Policy*, 32> identity_small, session_small;
  std::vector<const Policy*> identity_large, session_large;
  auto fill = [](auto&& policies, std::array<const Policy*, 32>& small,
                 std::vector<const Policy*>& large, auto get) {
    std::span<const Policy*> out(small.data(), std::min(policies.size(), small.size()));
    if (policies.size() > small.size()) {
      large.resize(policies.size());
      out = large;
    }
    for (size_t i = 0; i < policies.size(); ++i) out[i] = get(policies[i]);
    return out;
  };
  PolicySet set;
  const Policy* boundary[1] = {nullptr};
  if (caller) {
    set.identity = fill(caller->identity, identity_small, identity_large,
                        [](const IdentityPolicy& p) { return p.policy.get(); });
    if (caller->boundary) {
      boundary[0] = caller->boundary.get();
      set.has_boundary = true;
      set.boundary = boundary;
    }
    if (caller->session && caller->session->has_policies) {
      set.has_session = true;
      set.session = fill(caller->session->policies, session_small, session_large,
                         [](const std::shared_ptr<const Policy>& p) { return p.get(); });
    }
  }
  set.resource = resource;
  set.cross_account = cross_account;
  return decide(set, ctx);
}

Status authorize(const PrincipalEntry& caller, const RequestContext& ctx) {
  DecisionDetail d = decide_for(&caller, ctx);
  const bool has_boundary = caller.boundary != nullptr;
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
  } else if (has_boundary && d.boundary != Decision::kAllow) {
    msg += " because no permissions boundary allows the " + ctx.action + " action";
  } else {
    msg += " because no session policy allows the " + ctx.action + " action";
  }
  return fail(ErrorCode::kAccessDenied, msg);
}

}  // namespace portcullis::iam
