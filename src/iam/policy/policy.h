// IAM policy documents: parsed, validated with AWS's messages and compiled once into this form,
// which the evaluator reads without allocating in the common case.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "iam/policy/context.h"

namespace portcullis::iam {

// Which rules a document is validated with.
enum class PolicyKind {
  kIdentity,  // inline and managed policies, boundaries, session policies: no Principal
  kResource,  // resource-based policies: Principal required
  kTrust,     // role trust policies: Principal required, no Resource
};

enum class Effect : uint8_t { kAllow, kDeny };

// Text that may hold policy variables (${aws:username}, ${aws:PrincipalTag/team, 'none'},
// ${*}, ${?}, ${$}); compiled once.
class Template {
 public:
  static Template compile(std::string_view text, bool variables);
  const std::string& text() const { return text_; }
  bool dynamic() const { return !parts_.empty(); }
  // Substitutes the variables; false when one has no single value and no default. With
  // `glob`, substituted text is escaped so that it never acts as a wildcard.
  bool expand(const RequestContext& context, std::string& out, bool glob) const;

 private:
  enum class PartKind : uint8_t { kLiteral, kVariable, kEscape };
  struct Part {
    PartKind kind = PartKind::kLiteral;
    std::string text;  // literal text, the lower-case key, or the escaped character
    std::optional<std::string> fallback;
  };
  std::string text_;
  std::vector<Part> parts_;  // empty when there is nothing to substitute
};

enum class ConditionOp : uint8_t {
  kStringEquals,
  kStringNotEquals,
  kStringEqualsIgnoreCase,
  kStringNotEqualsIgnoreCase,
  kStringLike,
  kStringNotLike,
  kNumericEquals,
  kNumericNotEquals,
  kNumericLessThan,
  kNumericLessThanEquals,
  kNumericGreaterThan,
  kNumericGreaterThanEquals,
  kDateEquals,
  kDateNotEquals,
  kDateLessThan,
  kDateLessThanEquals,
  kDateGreaterThan,
  kDateGreaterThanEquals,
  kBool,
  kBinaryEquals,
  kIpAddress,
  kNotIpAddress,
  kArnEquals,
  kArnLike,
  kArnNotEquals,
  kArnNotLike,
  kNull,
};

enum class SetQualifier : uint8_t { kNone, kForAllValues, kForAnyValue };

struct IpNetwork {
  int family = 0;  // AF_INET or AF_INET6
  std::array<unsigned char, 16> bytes{};
  int prefix = 0;
};

struct ConditionValue {
  Template text;
  double number = 0;
  int64_t epoch_ms = 0;
  bool boolean = false;
  IpNetwork network;
};

struct Condition {
  ConditionOp op;
  SetQualifier set = SetQualifier::kNone;
  bool if_exists = false;
  std::string operator_name;  // as written, for explanations
  std::string key;            // lower-case
  std::vector<ConditionValue> values;
};

struct PrincipalSet {
  bool any = false;  // "Principal": "*" or {"AWS": "*"}
  std::vector<std::string> aws, federated, service, canonical_user;
};

struct Statement {
  std::string sid;
  Effect effect = Effect::kAllow;
  bool not_action = false;
  std::vector<std::string> actions;  // lower-case patterns
  bool has_resource = false;
  bool not_resource = false;
  std::vector<Template> resources;
  bool has_principal = false;
  bool not_principal = false;
  PrincipalSet principals;
  std::vector<Condition> conditions;
  size_t index = 0;  // position in the document
};

struct Policy {
  std::string version;  // "2012-10-17", "2008-10-17", or empty
  std::string id;
  bool variables = false;  // policy variables are substituted only in version 2012-10-17
  std::vector<Statement> statements;
};

// Parses and validates; errors carry AWS's MalformedPolicyDocument messages.
Result<Policy> parse_policy(std::string_view json, PolicyKind kind);

// Helpers shared with the evaluator.
std::optional<ConditionOp> condition_op(std::string_view name);
bool is_negated(ConditionOp op);
std::optional<int64_t> parse_policy_date(std::string_view text);  // ISO 8601 or epoch seconds
std::optional<IpNetwork> parse_ip_network(std::string_view text);
bool ip_in_network(const IpNetwork& net, const IpNetwork& addr);

}  // namespace portcullis::iam
