// SimulateCustomPolicy and SimulatePrincipalPolicy: any decision of the engine, asked for and
// explained (matched statements, missing context keys, the boundary's part).
#include "iam/api/call.h"
#include "iam/api/account_rules.h"
#include "iam/api/entity_policies.h"

namespace portcullis::iam::api {

namespace {

struct Input {
  std::vector<Policy> identity;
  std::vector<std::string> identity_ids;    // SourcePolicyId of each
  std::vector<std::string> identity_types;  // SourcePolicyType of each
  std::vector<Policy> boundary;
  std::optional<Policy> resource;
  std::vector<std::string> actions, resources;
  std::string caller_arn, resource_owner;
  RequestContext context;
};

Status parse_policies(const protocol::QueryParams& params, std::string_view name, PolicyKind kind,
                      std::vector<Policy>& out, Input* input) {
  size_t i = 0;
  for (const std::string& doc : list_param(params, name)) {
    ++i;
    auto p = PC_TRY(parse_policy(doc, kind));
    out.push_back(std::move(p));
    if (input) {  // policies given in the call: SourcePolicyType "none"
      input->identity_ids.push_back(std::string(name) + "." + std::to_string(i));
      input->identity_types.push_back("none");
    }
  }
  return {};
}

// ContextEntries.member.N.{ContextKeyName, ContextKeyValues.member.M, ContextKeyType}
Status parse_context(const protocol::QueryParams& params, RequestContext& ctx) {
  static constexpr std::string_view kTypes[] = {"string",  "stringList",  "numeric", "numericList",
                                                "boolean", "booleanList", "ip",      "ipList",
                                                "binary",  "binaryList",  "date",    "dateList"};
  for (size_t i = 1;; ++i) {
    std::string prefix = "ContextEntries.member." + std::to_string(i);
    auto name = params.get(prefix + ".ContextKeyName");
    auto type = params.get(prefix + ".ContextKeyType");
    if (!name && !type) break;
    if (!name || name->empty() || name->size() > 256)
      return fail(ErrorCode::kValidationError,
                  "1 validation error detected: Value null at 'contextEntries." +
                      std::to_string(i) +
                      ".member.contextKeyName' failed to satisfy constraint: Member must not be "
                      "null");
    if (!type || std::find(std::begin(kTypes), std::end(kTypes), *type) == std::end(kTypes))
      return fail(ErrorCode::kValidationError,
                  "1 validation error detected: Value '" + std::string(type.value_or("null")) +
                      "' at 'contextEntries." + std::to_string(i) +
                      ".member.contextKeyType' failed to satisfy constraint: Member must satisfy "
                      "enum value set: [string, stringList, numeric, numericList, boolean, "
                      "booleanList, ip, ipList, binary, binaryList, date, dateList]");
    std::vector<std::string> values = list_param(params, prefix + ".ContextKeyValues");
    bool list = type->ends_with("List");
    if (!list && values.size() > 1)
      return fail(ErrorCode::kInvalidInput, "Context key " + std::string(*name) + " of type " +
                                                std::string(*type) +
                                                " must have exactly one value.");
    if (list)
      ctx.set_list(*name, std::move(values));
    else if (!values.empty())
      ctx.set(*name, std::move(values.front()));
  }
  return {};
}

std::string account_of(std::string_view arn) {
  // arn:aws:iam::123456789012:user/x
  size_t pos = 0;
  for (int i = 0; i < 4 && pos != std::string_view::npos; ++i) pos = arn.find(':', pos + 1);
  if (pos == std::string_view::npos) return {};
  size_t end = arn.find(':', pos + 1);
  return std::string(arn.substr(pos + 1, end - pos - 1));
}

std::string_view decision_name(Outcome o) {
  return o == Outcome::kAllowed        ? "allowed"
         : o == Outcome::kExplicitDeny ? "explicitDeny"
                                       : "implicitDeny";
}

std::string_view decision_name(Decision d) {
  return d == Decision::kAllow ? "allowed" : d == Decision::kDeny ? "explicitDeny" : "implicitDeny";
}

Status simulate(Call& c, Input& in) {
  in.actions = list_param(c.params, "ActionNames");
  if (in.actions.empty())
    return fail(ErrorCode::kValidationError,
                "1 validation error detected: Value null at 'actionNames' failed to satisfy "
                "constraint: Member must not be null");
  in.resources = list_param(c.params, "ResourceArns");
  if (in.resources.empty()) in.resources.push_back("*");
  PC_CHECK(parse_policies(c.params, "PermissionsBoundaryPolicyInputList", PolicyKind::kIdentity, in.boundary, nullptr));
  if (auto doc = c.params.get("ResourcePolicy")) {
    auto p = PC_TRY(parse_policy(*doc, PolicyKind::kResource));
    in.resource = std::move(p);
  }
  if (auto v = c.params.get("CallerArn")) in.caller_arn = *v;
  if (auto v = c.params.get("ResourceOwner")) in.resource_owner = *v;
  if (in.resource && in.caller_arn.empty())
    return fail(ErrorCode::kInvalidInput,
                "Invalid input: CallerArn is required when ResourcePolicy is given.");
  PC_CHECK(parse_context(c.params, in.context));
  auto page = PC_TRY(page_param(c.params));

  std::vector<const Policy*> identity, boundary;
  for (const Policy& p : in.identity) identity.push_back(&p);
  for (const Policy& p : in.boundary) boundary.push_back(&p);
  PolicySet set;
  set.identity = identity;
  set.has_boundary = !boundary.empty();
  set.boundary = boundary;
  set.resource = in.resource ? &*in.resource : nullptr;
  const std::string caller_account =
      in.caller_arn.empty() ? c.account() : account_of(in.caller_arn);
  // Without ResourceOwner, AWS takes the resources to be the caller's: identity policies decide.
  const std::string owner =
      in.resource_owner.empty()
          ? caller_account
          : (in.resource_owner.size() == 12 ? in.resource_owner : account_of(in.resource_owner));
  set.cross_account = owner != caller_account;

  // SourcePolicyId and SourcePolicyType (the model's PolicySourceType) of a matched statement.
  auto source = [&](const Policy* p) -> std::optional<std::pair<std::string, std::string>> {
    for (size_t i = 0; i < in.identity.size(); ++i)
      if (&in.identity[i] == p) return std::pair{in.identity_ids[i], in.identity_types[i]};
    for (size_t i = 0; i < in.boundary.size(); ++i)
      if (&in.boundary[i] == p)
        return std::pair{"PermissionsBoundaryPolicyInputList." + std::to_string(i + 1),
                         std::string("none")};
    if (p == set.resource) return std::pair{std::string("ResourcePolicy"), std::string("resource")};
    return std::nullopt;
  };

  c.out.open("EvaluationResults");
  for (const std::string& action : in.actions) {
    for (const std::string& resource : in.resources) {
      RequestContext ctx = in.context;
      ctx.action = action;
      ctx.resource = resource;
      ctx.principal.arn = in.caller_arn;
      ctx.principal.account = caller_account;
      Trace trace;
      DecisionDetail d = decide(set, ctx, &trace);
      c.out.open("member");
      c.out.element("EvalActionName", action);
      c.out.element("EvalResourceName", resource);
      c.out.element("EvalDecision", decision_name(d.outcome));
      // The statements that decided: the denies of an explicit deny, the allows of an allow.
      c.out.open("MatchedStatements");
      if (d.outcome != Outcome::kImplicitDeny) {
        Effect wanted = d.outcome == Outcome::kExplicitDeny ? Effect::kDeny : Effect::kAllow;
        for (const Trace::Match& m : trace.matched) {
          auto src = source(m.policy);
          if (!src || m.statement->effect != wanted) continue;
          c.out.open("member");
          c.out.element("SourcePolicyId", src->first);
          c.out.element("SourcePolicyType", src->second);
          c.out.close();
        }
      }
      c.out.close();
      c.out.open("MissingContextValues");
      std::sort(trace.missing_keys.begin(), trace.missing_keys.end());
      trace.missing_keys.erase(std::unique(trace.missing_keys.begin(), trace.missing_keys.end()),
                               trace.missing_keys.end());
      for (const std::string& k : trace.missing_keys) c.out.element("member", k);
      c.out.close();
      if (set.resource) {
        c.out.open("EvalDecisionDetails");
        c.out.open("entry");
        c.out.element("key", "IAM Policy");
        c.out.element("value", decision_name(d.identity));
        c.out.close();
        c.out.open("entry");
        c.out.element("key", "Resource Policy");
        c.out.element("value", decision_name(d.resource));
        c.out.close();
        c.out.close();
      }
      if (set.has_boundary) {
        c.out.open("PermissionsBoundaryDecisionDetail");
        c.out.element("AllowedByPermissionsBoundary",
                      d.boundary == Decision::kAllow ? "true" : "false");
        c.out.close();
      }
      c.out.close();
    }
  }
  c.out.close();
  c.out.element("IsTruncated", "false");
  return {};
}

Status simulate_custom(Call& c) {
  Input in;
  if (auto st =
          parse_policies(c.params, "PolicyInputList", PolicyKind::kIdentity, in.identity, &in);
      !st)
    return st;
  if (in.identity.empty())
    return fail(ErrorCode::kValidationError,
                "1 validation error detected: Value null at 'policyInputList' failed to satisfy "
                "constraint: Member must not be null");
  PC_CHECK(c.authorize("*"));
  return simulate(c, in);
}

Status simulate_principal(Call& c) {
  auto source = PC_TRY(required(c.params, "PolicySourceArn", kArn));
  PC_CHECK(c.authorize(source));
  // The principal's own policies as the snapshot compiled them, then any extra ones given.
  std::string_view resource = std::string_view(source).substr(source.find(':', 20) + 1);
  const PrincipalEntry* entry = nullptr;
  std::string name(resource.substr(resource.rfind('/') + 1));
  if (resource.starts_with("user/")) entry = c.snapshot.find_user(name);
  if (resource.starts_with("role/")) entry = c.snapshot.find_role(name);
  if (!entry || entry->principal->arn != source)
    return fail(ErrorCode::kNoSuchEntity,
                "The principal " + source + " cannot be found or is not a user or role.");
  Input in;
  for (const IdentityPolicy& p : entry->identity) {
    in.identity.push_back(*p.policy);
    in.identity_ids.push_back(p.name);
    in.identity_types.push_back(p.source);
  }
  if (auto st =
          parse_policies(c.params, "PolicyInputList", PolicyKind::kIdentity, in.identity, &in);
      !st)
    return st;
  if (entry->boundary && !c.params.get("PermissionsBoundaryPolicyInputList.member.1"))
    in.boundary.push_back(*entry->boundary);
  if (!c.params.get("CallerArn")) in.caller_arn = source;
  return simulate(c, in);
}

// --- GetContextKeysFor{Custom,Principal}Policy -------------------------------------------

// A policy given in the call: an identity policy, or failing that a resource-based one.
Status check_given_policy(std::string_view document) {
  PC_CHECK(check(document, kPolicyDocument, "policyInputList.member"));
  auto identity = parse_policy(document, PolicyKind::kIdentity);
  if (identity) return {};
  if (parse_policy(document, PolicyKind::kResource)) return {};
  return std::unexpected(identity.error());  // neither reading holds: report the identity one
}

void write_keys(Call& c, const std::vector<std::string>& keys) {
  std::vector<std::string> seen;
  c.out.open("ContextKeyNames");
  for (const std::string& k : keys) {
    if (std::find(seen.begin(), seen.end(), lower(k)) != seen.end()) continue;
    seen.push_back(lower(k));
    c.out.element("member", k);
  }
  c.out.close();
}

Status context_keys_custom(Call& c) {
  std::vector<std::string> documents = list_param(c.params, "PolicyInputList");
  if (documents.empty())
    return fail(ErrorCode::kValidationError,
                "1 validation error detected: Value null at 'policyInputList' failed to satisfy "
                "constraint: Member must not be null");
  for (const std::string& d : documents) PC_CHECK(check_given_policy(d));
  PC_CHECK(c.authorize("*"));
  std::vector<std::string> keys;
  for (const std::string& d : documents) policy_context_keys(d, keys);
  write_keys(c, keys);
  return {};
}

Status context_keys_principal(Call& c) {
  std::string arn = PC_TRY(required(c.params, "PolicySourceArn", kArn));
  std::vector<std::string> documents = list_param(c.params, "PolicyInputList");
  for (const std::string& d : documents) PC_CHECK(check_given_policy(d));
  PC_CHECK(c.authorize(arn));
  ArnTarget t = PC_TRY(resolve_arn(c, arn, false));
  std::vector<std::string> keys;
  for (const SourcePolicy& p : PC_TRY(policies_of(c, t))) policy_context_keys(p.document, keys);
  for (const std::string& d : documents) policy_context_keys(d, keys);
  write_keys(c, keys);
  return {};
}

constexpr Op kOps[] = {
    {"SimulateCustomPolicy", false, simulate_custom},
    {"SimulatePrincipalPolicy", false, simulate_principal},
    {"GetContextKeysForCustomPolicy", false, context_keys_custom},
    {"GetContextKeysForPrincipalPolicy", false, context_keys_principal},
};

}  // namespace

std::span<const Op> simulate_ops() { return kOps; }

}  // namespace portcullis::iam::api
