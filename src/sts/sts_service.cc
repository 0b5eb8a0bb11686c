#include "sts/sts_service.h"

#include <array>

#include "core/ids.h"
#include "iam/api/call.h"
#include "iam/authorize.h"
#include "iam/entities.h"
#include "iam/validate.h"
#include "protocol/errors.h"
#include "protocol/xml.h"

namespace portcullis::sts {

namespace {

using iam::Constraint;
using iam::PrincipalEntry;

// Every action of the STS model, so that one not implemented yet is named as such.
constexpr std::array<std::string_view, 9> kModelActions = {
    "AssumeRole",        "AssumeRoleWithSAML",         "AssumeRoleWithWebIdentity",
    "AssumeRoot",        "DecodeAuthorizationMessage", "GetAccessKeyInfo",
    "GetCallerIdentity", "GetFederationToken",         "GetSessionToken"};

constexpr size_t kPackedPolicyLimit = 2048;

bool session_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '-';
}
bool external_id_char(char c) { return session_name_char(c) || c == ':' || c == '/'; }
const Constraint kRoleSessionName{2, 64, "[\\w+=,.@-]*", session_name_char};
const Constraint kSourceIdentity{2, 64, "[\\w+=,.@-]*", session_name_char};
const Constraint kExternalId{2, 1224, "[\\w+=,.@:\\/-]*", external_id_char};
const Constraint kSessionPolicy{1, 2048, "", nullptr};

int64_t epoch(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
SystemTime from_epoch(int64_t s) { return SystemTime(std::chrono::seconds(s)); }

struct Writer {
  protocol::XmlWriter x;
  const http::Request& req;
  std::string action;
  explicit Writer(const http::Request& r, std::string_view a) : req(r), action(a) {
    x.open(action + "Response", protocol::kStsXmlns);
    x.open(action + "Result");
  }
  void finish(http::Response& res) {
    x.close();
    x.open("ResponseMetadata");
    x.element("RequestId", req.request_id);
    res.status = 200;
    res.set_header("x-amzn-RequestId", req.request_id);
    res.set_header("Content-Type", "text/xml");
    res.body = x.take();
  }
};

void write_error(http::Response& res, const http::Request& req, const Error& e) {
  protocol::write_error(res, protocol::Protocol::kQuery, e, req.request_id, protocol::kStsXmlns);
}

void write_credentials(protocol::XmlWriter& x, const SessionClaims& c, const std::string& token) {
  x.open("Credentials");
  x.element("AccessKeyId", c.access_key_id);
  x.element("SecretAccessKey", c.secret_access_key);
  x.element("SessionToken", token);
  x.element("Expiration", format_iso8601(from_epoch(c.expires)));
  x.close();
}

std::string session_arn(std::string_view account, std::string_view role, std::string_view session) {
  return "arn:aws:sts::" + std::string(account) + ":assumed-role/" + std::string(role) + "/" +
         std::string(session);
}

Status access_denied(const PrincipalEntry& caller, std::string_view action,
                     std::string_view resource, std::string_view why) {
  return fail(ErrorCode::kAccessDenied,
              "User: " + caller.principal->arn +
                  " is not authorized to perform: " + std::string(action) +
                  " on resource: " + std::string(resource) + std::string(why));
}

}  // namespace

StsService::StsService(iam::IamService& iam, TokenKeys keys, const Clock& clock)
    : iam_(iam), keys_(std::move(keys)), clock_(clock) {}

Result<SessionCaller> StsService::session_caller(std::string_view access_key_id,
                                                 std::string_view token,
                                                 const iam::Snapshot& snapshot) const {
  auto claims = keys_.open(token, clock_.now());
  if (!claims) return std::unexpected(claims.error());
  const Error invalid{ErrorCode::kInvalidClientTokenId, ""};
  if (claims->access_key_id != access_key_id || claims->account != snapshot.account())
    return std::unexpected(invalid);
  auto entry = std::make_shared<PrincipalEntry>();
  PrincipalEntry::Session session;
  session.issued = from_epoch(claims->issued);
  session.source_identity = claims->source_identity;
  session.chained = claims->chained;
  if (claims->role) {
    // The role as it is now: a deleted (or deleted and recreated) role ends its sessions.
    const PrincipalEntry* role = snapshot.find_role(claims->name);
    if (!role || role->principal->user_id != claims->unique_id) return std::unexpected(invalid);
    *entry = *role;
    auto p = std::make_shared<iam::Principal>();
    p->type = iam::PrincipalType::kAssumedRole;
    p->account_id = claims->account;
    p->name = role->principal->name + "/" + claims->session_name;
    p->arn = session_arn(claims->account, role->principal->name, claims->session_name);
    p->user_id = claims->unique_id + ":" + claims->session_name;
    entry->principal = std::move(p);
    session.role_arn = role->principal->arn;
    // Session tags override the role's tags of the same key.
    for (const auto& [k, v] : claims->tags) {
      std::erase_if(entry->tags,
                    [&](const auto& t) { return iam::lower(t.first) == iam::lower(k); });
      entry->tags.emplace_back(k, v);
    }
  } else {
    const PrincipalEntry* user = snapshot.find_user(claims->name);
    if (!user || user->principal->user_id != claims->unique_id) return std::unexpected(invalid);
    *entry = *user;
    session.from_session_token = true;
  }
  if (!claims->policy.empty()) {
    auto p = iam::parse_policy(claims->policy, iam::PolicyKind::kIdentity);
    if (!p) return std::unexpected(invalid);
    session.policies.push_back(std::make_shared<const iam::Policy>(std::move(*p)));
  }
  for (const std::string& arn : claims->policy_arns)
    if (auto p = snapshot.find_policy(arn)) session.policies.push_back(p);
  session.has_policies = !claims->policy.empty() || !claims->policy_arns.empty();
  entry->session = std::move(session);
  return SessionCaller{std::move(entry), std::move(claims->secret_access_key)};
}

namespace {

struct Call {
  const http::Request& req;
  const protocol::QueryParams& params;
  const PrincipalEntry& caller;
  const iam::Snapshot& snapshot;
  const TokenKeys& keys;
  iam::IamService& iam;
  SystemTime now;
  Writer& out;
};

Status assume_role(Call& c) {
  auto role_arn = iam::required(c.params, "RoleArn", iam::kArn);
  if (!role_arn) return std::unexpected(role_arn.error());
  auto session_name = iam::required(c.params, "RoleSessionName", kRoleSessionName);
  if (!session_name) return std::unexpected(session_name.error());
  auto duration = iam::optional_int(c.params, "DurationSeconds", 900, 43200);
  if (!duration) return std::unexpected(duration.error());
  auto policy = iam::optional(c.params, "Policy", kSessionPolicy);
  if (!policy) return std::unexpected(policy.error());
  auto external_id = iam::optional(c.params, "ExternalId", kExternalId);
  if (!external_id) return std::unexpected(external_id.error());
  auto source_identity = iam::optional(c.params, "SourceIdentity", kSourceIdentity);
  if (!source_identity) return std::unexpected(source_identity.error());
  auto tags = iam::api::tags_param(c.params, "Tags");
  if (!tags) return std::unexpected(tags.error());
  std::vector<std::string> transitive = iam::api::list_param(c.params, "TransitiveTagKeys");
  std::vector<std::string> policy_arns;
  for (size_t i = 1;; ++i) {
    auto arn = c.params.get("PolicyArns.member." + std::to_string(i) + ".arn");
    if (!arn) break;
    if (auto st = iam::check(*arn, iam::kArn, "policyArns"); !st) return st;
    policy_arns.emplace_back(*arn);
  }
  if (policy_arns.size() > 10)
    return fail(ErrorCode::kValidationError,
                "1 validation error detected: Value at 'policyArns' failed to satisfy constraint: "
                "Member must have length less than or equal to 10");
  if (*policy)
    if (auto p = iam::parse_policy(**policy, iam::PolicyKind::kIdentity); !p)
      return std::unexpected(p.error());
  for (const std::string& arn : policy_arns)
    if (!c.snapshot.find_policy(arn))
      return fail(ErrorCode::kInvalidParameterValue, "Policy " + arn + " does not exist.");
  for (const std::string& k : transitive) {
    bool tagged = false;
    for (const auto& [tk, tv] : *tags) tagged = tagged || iam::lower(tk) == iam::lower(k);
    if (!tagged)
      return fail(ErrorCode::kInvalidParameterValue,
                  "The specified transitive tag key must be included in the requested tags.");
  }

  // The role, if it is this account's; otherwise AssumeRole is simply not allowed.
  const std::string& account = c.snapshot.account();
  const PrincipalEntry* role = nullptr;
  std::string prefix = "arn:aws:iam::" + account + ":role/";
  if (role_arn->starts_with(prefix)) {
    role = c.snapshot.find_role(role_arn->substr(role_arn->rfind('/') + 1));
    if (role && role->principal->arn != *role_arn) role = nullptr;
  }

  // The trust policy and the caller's own policies decide, with the call's context.
  iam::RequestContext ctx = iam::request_context(c.caller, c.req, c.now, c.iam.region());
  ctx.action = "sts:AssumeRole";
  ctx.resource = *role_arn;
  ctx.set("sts:RoleSessionName", *session_name);
  if (*external_id) ctx.set("sts:ExternalId", **external_id);
  if (*source_identity) ctx.set("sts:SourceIdentity", **source_identity);
  if (!tags->empty()) iam::add_request_tags(ctx, *tags);
  if (!transitive.empty()) ctx.set_list("sts:TransitiveTagKeys", transitive);
  auto decide = [&](std::string_view action) -> Status {
    if (!role) return access_denied(c.caller, action, *role_arn, "");
    ctx.action = action;
    std::vector<const iam::Policy*> identity, boundary, session;
    for (const auto& p : c.caller.identity) identity.push_back(p.policy.get());
    iam::PolicySet set;
    set.identity = identity;
    if (c.caller.boundary) {
      boundary.push_back(c.caller.boundary.get());
      set.has_boundary = true;
      set.boundary = boundary;
    }
    if (c.caller.session && c.caller.session->has_policies) {
      for (const auto& p : c.caller.session->policies) session.push_back(p.get());
      set.has_session = true;
      set.session = session;
    }
    set.resource = role->trust.get();
    if (iam::decide(set, ctx).outcome == iam::Outcome::kAllowed) return {};
    return access_denied(c.caller, action, *role_arn, "");
  };
  if (auto st = decide("sts:AssumeRole"); !st) return st;
  // Tags and a source identity need their own grants in the trust policy.
  if (!tags->empty())
    if (auto st = decide("sts:TagSession"); !st) return st;
  if (*source_identity)
    if (auto st = decide("sts:SetSourceIdentity"); !st) return st;

  const bool chained = c.caller.session && !c.caller.session->role_arn.empty();
  long seconds = duration->value_or(3600);
  if (chained && seconds > 3600)
    return fail(ErrorCode::kValidationError,
                "The requested DurationSeconds exceeds the 1 hour session limit for roles "
                "assumed by role chaining.");
  if (seconds > role->max_session_duration)
    return fail(ErrorCode::kValidationError,
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");

  // The packed size: the session policy (without white space) and the session tags, against
  // a 2,048-character allowance.
  size_t packed = *policy ? iam::api::policy_size(**policy) : 0;
  for (const auto& [k, v] : *tags) packed += k.size() + v.size();
  packed += policy_arns.size() * 64;
  const size_t percent = (packed * 100 + kPackedPolicyLimit - 1) / kPackedPolicyLimit;
  if (packed > kPackedPolicyLimit)
    return fail(ErrorCode::kPackedPolicyTooLarge,
                "Packed policy consumes " + std::to_string(percent) +
                    "% of allotted space, please use smaller policy.");

  SessionClaims claims;
  claims.access_key_id = ids::access_key_id("ASIA");
  claims.secret_access_key = ids::secret_access_key();
  claims.role = true;
  claims.account = account;
  claims.name = role->principal->name;
  claims.session_name = *session_name;
  claims.unique_id = role->principal->user_id;
  claims.issued = epoch(c.now);
  claims.expires = claims.issued + seconds;
  claims.policy = policy->value_or("");
  claims.policy_arns = policy_arns;
  claims.tags = *tags;
  claims.transitive_tag_keys = transitive;
  claims.source_identity = source_identity->value_or("");
  claims.chained = chained;
  // Transitive tags of the calling session carry over to a chained session.
  if (chained && c.caller.session) {
    if (claims.source_identity.empty()) claims.source_identity = c.caller.session->source_identity;
  }
  std::string token = c.keys.seal(claims);

  protocol::XmlWriter& x = c.out.x;
  if (!claims.source_identity.empty()) x.element("SourceIdentity", claims.source_identity);
  x.open("AssumedRoleUser");
  x.element("AssumedRoleId", claims.unique_id + ":" + claims.session_name);
  x.element("Arn", session_arn(account, claims.name, claims.session_name));
  x.close();
  write_credentials(x, claims, token);
  if (*policy || !tags->empty() || !policy_arns.empty())
    x.element("PackedPolicySize", std::to_string(percent));
  return {};
}

Status get_session_token(Call& c) {
  auto duration = iam::optional_int(c.params, "DurationSeconds", 900, 129600);
  if (!duration) return std::unexpected(duration.error());
  if (c.caller.session)
    return fail(ErrorCode::kAccessDenied, "Cannot call GetSessionToken with session credentials");
  SessionClaims claims;
  claims.access_key_id = ids::access_key_id("ASIA");
  claims.secret_access_key = ids::secret_access_key();
  claims.role = false;
  claims.account = c.snapshot.account();
  claims.name = c.caller.principal->name;
  claims.unique_id = c.caller.principal->user_id;
  claims.issued = epoch(c.now);
  claims.expires = claims.issued + duration->value_or(43200);
  write_credentials(c.out.x, claims, c.keys.seal(claims));
  return {};
}

Status get_access_key_info(Call& c) {
  auto id = iam::required(c.params, "AccessKeyId", iam::kAccessKeyId);
  if (!id) return std::unexpected(id.error());
  iam::RequestContext ctx = iam::request_context(c.caller, c.req, c.now, c.iam.region());
  ctx.action = "sts:GetAccessKeyInfo";
  ctx.resource = "*";
  if (auto st = iam::authorize(c.caller, ctx); !st) return st;
  c.out.x.element("Account", c.snapshot.account());
  return {};
}

Status get_caller_identity(Call& c) {
  // No permission is needed, as on AWS.
  c.out.x.element("Arn", c.caller.principal->arn);
  c.out.x.element("UserId", c.caller.principal->user_id);
  c.out.x.element("Account", c.caller.principal->account_id);
  return {};
}

}  // namespace

void StsService::handle(const http::Request& req, const protocol::QueryParams& params,
                        const PrincipalEntry& caller, const iam::Snapshot& snapshot,
                        http::Response& res) const {
  auto action = params.get("Action");
  if (!action || action->empty())
    return write_error(res, req, Error{ErrorCode::kMissingAction, ""});
  auto version = params.get("Version");
  if (version && *version != kVersion)
    return write_error(
        res, req,
        Error{ErrorCode::kInvalidAction, "Could not find operation " + std::string(*action) +
                                             " for version " + std::string(*version)});
  using Fn = Status (*)(Call&);
  static constexpr std::pair<std::string_view, Fn> kOps[] = {
      {"AssumeRole", assume_role},
      {"GetSessionToken", get_session_token},
      {"GetAccessKeyInfo", get_access_key_info},
      {"GetCallerIdentity", get_caller_identity},
  };
  Fn fn = nullptr;
  for (const auto& [name, f] : kOps)
    if (name == *action) fn = f;
  if (!fn) {
    for (std::string_view a : kModelActions)
      if (a == *action)
        return write_error(res, req,
                           Error{ErrorCode::kNotImplemented, "STS action " + std::string(a) +
                                                                 " is not implemented by "
                                                                 "Portcullis yet."});
    return write_error(
        res, req,
        Error{ErrorCode::kInvalidAction, "Could not find operation " + std::string(*action) +
                                             " for version " + std::string(kVersion)});
  }
  Writer out(req, *action);
  Call call{req, params, caller, snapshot, keys_, iam_, clock_.now(), out};
  if (auto st = fn(call); !st) return write_error(res, req, st.error());
  out.finish(res);
}

}  // namespace portcullis::sts
