// Policy evaluation: one policy to a tri-state (Allow / Deny / NotApplicable), and the AWS
// combination of identity, resource-based, permissions-boundary and session policies.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "iam/policy/context.h"
#include "iam/policy/policy.h"

namespace portcullis::iam {

enum class Decision : uint8_t { kNotApplicable, kAllow, kDeny };

// How a Principal element matched the caller; a resource-based policy's grant is judged by it.
enum class PrincipalMatch : uint8_t {
  kNone,
  kAccount,  // by the caller's account: the caller's own policies must also allow
  kRole,     // by the role of an assumed-role session
  kExact,    // the caller's own ARN (user, session), "*", a service or a federated provider
};

// What an evaluation matched, for explanations (SimulatePolicy, logs). Optional: evaluation
// without a trace does not allocate.
struct Trace {
  struct Match {
    const Policy* policy;
    const Statement* statement;
  };
  std::vector<Match> matched;
  std::vector<std::string> missing_keys;  // condition keys the context did not have
};

PrincipalMatch match_principal(const PrincipalSet& set, const PrincipalRef& caller);
bool statement_applies(const Statement& s, const Policy& p, const RequestContext& ctx,
                       Trace* trace = nullptr, PrincipalMatch* how = nullptr,
                       bool caller_has_boundary = false);
Decision evaluate(const Policy& policy, const RequestContext& ctx, Trace* trace = nullptr);

struct PolicySet {
  std::span<const Policy* const> identity;
  bool has_boundary = false;
  std::span<const Policy* const> boundary;
  bool has_session = false;
  std::span<const Policy* const> session;
  const Policy* resource = nullptr;
  bool cross_account = false;  // the resource's owner is not the caller's account
};

enum class Outcome : uint8_t { kAllowed, kExplicitDeny, kImplicitDeny };

struct DecisionDetail {
  Outcome outcome = Outcome::kImplicitDeny;
  Decision identity = Decision::kNotApplicable;
  Decision resource = Decision::kNotApplicable;
  Decision boundary = Decision::kNotApplicable;
  Decision session = Decision::kNotApplicable;
};

DecisionDetail decide(const PolicySet& set, const RequestContext& ctx, Trace* trace = nullptr);

}  // namespace portcullis::iam
