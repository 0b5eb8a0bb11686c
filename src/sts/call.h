// Inside STS: one call's context, the result writer, and what the AssumeRole* operations
// share (session policy parameters, issuing a role session).
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "iam/api/call.h"
#include "iam/policy/evaluate.h"
#include "iam/snapshot.h"
#include "iam/validate.h"
#include "protocol/xml.h"
#include "sts/session_token.h"
#include "sts/sts_service.h"

namespace portcullis::sts::detail {

using iam::PrincipalEntry;

extern const iam::Constraint kRoleSessionName;
extern const iam::Constraint kSourceIdentity;

int64_t epoch(SystemTime t);
SystemTime from_epoch(int64_t s);

// Writes <ActionResponse><ActionResult>…</ActionResult><ResponseMetadata>…
struct Writer {
  protocol::XmlWriter x;
  const http::Request& req;
  std::string action;
  Writer(const http::Request& r, std::string_view a);
  void finish(http::Response& res);
};

struct Call {
  const http::Request& req;
  const protocol::QueryParams& params;
  const PrincipalEntry* caller;  // null for the unsigned federation calls
  const iam::Snapshot& snapshot;
  const StsService::Settings& settings;
  const TokenKeys& keys;
  iam::IamService& iam;
  AssertionLog& assertions;
  KeySetCache& key_sets;
  SystemTime now;
  std::string_view region;  // the call's, from its credential scope
  Writer& out;
};

Status access_denied(std::string_view who, std::string_view action, std::string_view resource);
std::string session_arn(std::string_view account, std::string_view role, std::string_view session);
void write_credentials(protocol::XmlWriter& x, const SessionClaims& c, const std::string& token);

// Policy, PolicyArns and DurationSeconds, validated.
struct SessionRequest {
  std::optional<std::string> policy;
  std::vector<std::string> policy_arns;
  std::optional<long> duration;
};
Result<SessionRequest> session_request(Call& c);

// Whether `role`'s trust policy, with the caller's own policies (none for a federated caller),
// allows `action`.
bool trusted(const PrincipalEntry* caller, const PrincipalEntry& role, iam::RequestContext& ctx,
             std::string_view action);

// The role a RoleArn names in this account, or null.
const PrincipalEntry* find_role(const iam::Snapshot& snapshot, std::string_view role_arn);

struct RoleSession {
  const PrincipalEntry* role;
  std::string session_name;
  SessionRequest request;
  long seconds;
  std::optional<SystemTime> not_after;  // SAML SessionNotOnOrAfter
  iam::api::Tags tags;
  std::vector<std::string> transitive;
  std::string source_identity;
  bool chained = false;
  int64_t mfa_time = 0;  // when an MFA code was checked (epoch seconds); 0: never
};
// Checks the duration and the packed size, seals the session, and writes Credentials,
// AssumedRoleUser, PackedPolicySize and SourceIdentity.
Status issue_role_session(Call& c, const RoleSession& s);

// NameQualifier = base64(SHA-1(issuer + account id + "/" + provider name)), as AWS computes it.
std::string name_qualifier(std::string_view issuer, std::string_view account,
                           std::string_view provider_name);

// SerialNumber and TokenCode: false when neither is given; AccessDenied when the code is not that
// of an enabled device of the calling user, or was used already. With `consume`, a valid code
// is spent; without, it is only checked (spend it once the call is allowed).
Result<bool> mfa_request(Call& c, bool consume = true);

Status assume_role(Call& c);
Status assume_role_with_saml(Call& c);
Status assume_role_with_web_identity(Call& c);

}  // namespace portcullis::sts::detail
