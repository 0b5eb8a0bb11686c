#include "sts/call.h"

#include "core/ids.h"
#include "iam/authorize.h"
#include "protocol/errors.h"

namespace portcullis::sts::detail {

namespace {
bool session_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '-';
}
const iam::Constraint kSessionPolicy{1, 2048, "", nullptr};
constexpr size_t kPackedPolicyLimit = 2048;
}  // namespace

std::string session_arn(std::string_view account, std::string_view role, std::string_view session) {
  return "arn:aws:sts::" + std::string(account) + ":assumed-role/" + std::string(role) + "/" +
         std::string(session);
}

void write_credentials(protocol::XmlWriter& x, const SessionClaims& c, const std::string& token) {
  x.open("Credentials");
  x.element("AccessKeyId", c.access_key_id);
  x.element("SecretAccessKey", c.secret_access_key);
  x.element("SessionToken", token);
  x.element("Expiration", format_iso8601(from_epoch(c.expires)));
  x.close();
}

const iam::Constraint kRoleSessionName{2, 64, "[\\w+=,.@-]*", session_name_char};
const iam::Constraint kSourceIdentity{2, 64, "[\\w+=,.@-]*", session_name_char};

int64_t epoch(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
SystemTime from_epoch(int64_t s) { return SystemTime(std::chrono::seconds(s)); }

Writer::Writer(const http::Request& r, std::string_view a) : req(r), action(a) {
  x.open(action + "Response", protocol::kStsXmlns);
  x.open(action + "Result");
}

void Writer::finish(http::Response& res) {
  x.close();
  x.open("ResponseMetadata");
  x.element("RequestId", req.request_id);
  res.status = 200;
  res.set_header("x-amzn-RequestId", req.request_id);
  res.set_header("Content-Type", "text/xml");
  res.body = x.take();
}

Status access_denied(std::string_view who, std::string_view action, std::string_view resource) {
  return fail(ErrorCode::kAccessDenied,
              "User: " + std::string(who) + " is not authorized to perform: " +
                  std::string(action) + " on resource: " + std::string(resource));
}

Result<SessionRequest> session_request(Call& c) {
  SessionRequest r;
  auto duration = PC_TRY(iam::optional_int(c.params, "DurationSeconds", 900, 43200));
  r.duration = duration;
  auto policy = PC_TRY(iam::optional(c.params, "Policy", kSessionPolicy));
  r.policy = policy;
  if (r.policy)
    PC_CHECK(iam::parse_policy(*r.policy, iam::PolicyKind::kIdentity));
  for (size_t i = 1;; ++i) {
    auto arn = c.params.get("PolicyArns.member." + std::to_string(i) + ".arn");
    if (!arn) break;
    PC_CHECK(iam::check(*arn, iam::kArn, "policyArns"));
    if (!c.snapshot.find_policy(*arn))
      return fail(ErrorCode::kInvalidParameterValue,
                  "Policy " + std::string(*arn) + " does not exist.");
    r.policy_arns.emplace_back(*arn);
  }
  if (r.policy_arns.size() > 10)
    return fail(ErrorCode::kValidationError,
                "1 validation error detected: Value at 'policyArns' failed to satisfy constraint: "
                "Member must have length less than or equal to 10");
  return r;
}

bool trusted(const PrincipalEntry* caller, const PrincipalEntry& role, iam::RequestContext& ctx,
             std::string_view action) {
  ctx.action = action;
  // The trust policy itself must allow: a caller's own policies never suffice to assume a role
  // (and, when the trust policy names only the account, they must allow too).
  iam::DecisionDetail d = iam::decide_for(caller, ctx, role.trust.get());
  return d.outcome == iam::Outcome::kAllowed && d.resource == iam::Decision::kAllow;
}

const PrincipalEntry* find_role(const iam::Snapshot& snapshot, std::string_view role_arn) {
  std::string prefix = "arn:aws:iam::" + snapshot.account() + ":role/";
  if (!role_arn.starts_with(prefix)) return nullptr;
  const PrincipalEntry* role = snapshot.find_role(role_arn.substr(role_arn.rfind('/') + 1));
  return role && role->principal->arn == role_arn ? role : nullptr;
}

Status issue_role_session(Call& c, const RoleSession& s) {
  if (s.chained && s.seconds > 3600)
    return fail(ErrorCode::kValidationError,
                "The requested DurationSeconds exceeds the 1 hour session limit for roles "
                "assumed by role chaining.");
  if (s.seconds > s.role->max_session_duration)
    return fail(ErrorCode::kValidationError,
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");

  // The packed size: the session policy (without white space), the session tags and the policy
  // ARNs, against a 2,048-character allowance (docs/sts.md).
  const SessionRequest& r = s.request;
  size_t packed = r.policy ? iam::api::policy_size(*r.policy) : 0;
  for (const auto& [k, v] : s.tags) packed += k.size() + v.size();
  packed += r.policy_arns.size() * 64;
  const size_t percent = (packed * 100 + kPackedPolicyLimit - 1) / kPackedPolicyLimit;
  if (packed > kPackedPolicyLimit)
    return fail(ErrorCode::kPackedPolicyTooLarge,
                "Packed policy consumes " + std::to_string(percent) +
                    "% of allotted space, please use smaller policy.");

  SessionClaims claims;
  claims.access_key_id = ids::access_key_id("ASIA");
  claims.secret_access_key = ids::secret_access_key();
  claims.role = true;
  claims.account = c.snapshot.account();
  claims.name = s.role->principal->name;
  claims.session_name = s.session_name;
  claims.unique_id = s.role->principal->user_id;
  claims.issued = epoch(c.now);
  claims.expires = claims.issued + s.seconds;
  if (s.not_after) claims.expires = std::min(claims.expires, epoch(*s.not_after));
  claims.policy = r.policy.value_or("");
  claims.policy_arns = r.policy_arns;
  claims.tags = s.tags;
  claims.transitive_tag_keys = s.transitive;
  claims.source_identity = s.source_identity;
  claims.chained = s.chained;
  claims.mfa_time = s.mfa_time;
  const std::string token = c.keys.seal(claims);

  protocol::XmlWriter& x = c.out.x;
  if (!claims.source_identity.empty()) x.element("SourceIdentity", claims.source_identity);
  x.open("AssumedRoleUser");
  x.element("AssumedRoleId", claims.unique_id + ":" + claims.session_name);
  x.element("Arn", session_arn(claims.account, claims.name, claims.session_name));
  x.close();
  write_credentials(x, claims, token);
  if (r.policy || !s.tags.empty() || !r.policy_arns.empty())
    x.element("PackedPolicySize", std::to_string(percent));
  return {};
}

}  // namespace portcullis::sts::detail
