#include "app/invoke_access.h"

#include "app/signed_request.h"
#include "iam/authorize.h"

namespace portcullis::app {

namespace {

struct ResourcePolicy final : gateway::CompiledPolicy {
  explicit ResourcePolicy(iam::Policy p) : policy(std::move(p)) {}
  iam::Policy policy;
};

// The keys of an anonymous call: those of the request alone.
iam::RequestContext anonymous_context(const http::Request& req, SystemTime now,
                                      std::string_view region) {
  iam::RequestContext ctx;
  ctx.principal.anonymous = true;
  std::string_view remote = req.remote_address;
  if (size_t colon = remote.rfind(':'); colon != std::string_view::npos)
    remote = remote.substr(0, colon);
  if (!remote.empty()) ctx.set("aws:SourceIp", std::string(remote));
  ctx.set("aws:CurrentTime", format_iso8601(now));
  ctx.set("aws:EpochTime",
          std::to_string(
              std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count()));
  ctx.set("aws:SecureTransport", "false");
  ctx.set("aws:RequestedRegion", std::string(region));
  return ctx;
}

}  // namespace

InvokeAccess::InvokeAccess(const Config& config, iam::IamService& iam, const sts::StsService& sts,
                           const Clock& clock)
    : iam_(iam), sts_(sts), clock_(clock), skew_(config.skew_execute_api_seconds) {}

Result<InvokeAccess::Authenticated> InvokeAccess::authenticate(const http::Request& req,
                                                               std::string_view region) const {
  std::string regions[1] = {std::string(region)};
  sigv4::VerifyOptions opt;
  opt.service = "execute-api";
  opt.regions = regions;  // the API's region: a call signed for another is refused
  opt.max_skew = skew_;
  opt.echo_canonical = true;
  opt.allow_unsigned_payload = true;
  std::shared_ptr<const iam::Snapshot> snapshot = iam_.snapshot();
  SignedCaller sc = PC_TRY(authenticate_signed(req, opt, *snapshot, iam_, sts_, clock_.now()));
  Authenticated out;
  const iam::Principal& p = *sc.caller->principal;
  out.caller.arn = p.arn;
  out.caller.account_id = p.account_id;
  out.caller.caller_id = p.user_id;
  out.caller.access_key_id = std::move(sc.access_key_id);
  out.caller.principal = std::move(sc.caller);
  // A long-term key's principal belongs to the snapshot: kept alive with it.
  out.caller.keepalive = std::move(snapshot);
  out.covered_path = std::move(sc.covered_path);
  return out;
}

InvokeAccess::Denial InvokeAccess::authorize(const gateway::invoke::Caller* caller,
                                             const gateway::CompiledPolicy* policy,
                                             std::string_view arn, const http::Request& req,
                                             std::string_view region) const {
  const auto* entry =
      caller ? static_cast<const iam::PrincipalEntry*>(caller->principal.get()) : nullptr;
  const SystemTime now = clock_.now();
  iam::RequestContext ctx =
      entry ? iam::request_context(*entry, req, now, region) : anonymous_context(req, now, region);
  ctx.action = "execute-api:Invoke";
  ctx.resource = arn;
  const iam::Policy* resource =
      policy ? &static_cast<const ResourcePolicy*>(policy)->policy : nullptr;
  iam::DecisionDetail d = iam::decide_for(entry, ctx, resource, false);
  using iam::Decision;
  switch (d.outcome) {
    case iam::Outcome::kAllowed:
      return Denial::kNone;
    case iam::Outcome::kExplicitDeny:
      if (d.identity == Decision::kDeny) return Denial::kExplicitIdentity;
      if (d.resource == Decision::kDeny) return Denial::kExplicitResource;
      if (d.session == Decision::kDeny) return Denial::kExplicitSession;
      return Denial::kExplicitBoundary;
    case iam::Outcome::kImplicitDeny:
      break;
  }
  if (entry && (d.identity == Decision::kAllow || d.resource == Decision::kAllow)) {
    if (entry->boundary && d.boundary != Decision::kAllow) return Denial::kNoBoundaryAllow;
    if (entry->session && entry->session->has_policies && d.session != Decision::kAllow)
      return Denial::kNoSessionAllow;
  }
  return Denial::kImplicit;
}

Result<std::shared_ptr<const gateway::CompiledPolicy>> InvokeAccess::compile_policy(
    std::string_view document) const {
  iam::Policy p = PC_TRY(iam::parse_policy(document, iam::PolicyKind::kResource));
  return std::shared_ptr<const gateway::CompiledPolicy>(
      std::make_shared<ResourcePolicy>(std::move(p)));
}

}  // namespace portcullis::app
