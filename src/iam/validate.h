// Input validation with AWS's messages: "1 validation error detected: Value 'x' at 'userName'
// failed to satisfy constraint: …" for the constraints of the IAM model.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "protocol/query.h"

namespace portcullis::iam {

struct Constraint {
  size_t min = 0;
  size_t max = 0;
  // A character class the whole value must be made of; empty: anything printable.
  std::string_view pattern_name;  // as AWS prints it
  bool (*allowed)(char) = nullptr;
  bool secret = false;  // a credential (an assertion, a token): never echoed in messages
};

// The IAM model's string shapes.
extern const Constraint kUserName;        // [\w+=,.@-]+, 1..64
extern const Constraint kGroupName;       // [\w+=,.@-]+, 1..128
extern const Constraint kRoleName;        // [\w+=,.@-]+, 1..64
extern const Constraint kPolicyName;      // [\w+=,.@-]+, 1..128
extern const Constraint kPath;            // (\u002F)|(\u002F[\u0021-\u007E]+\u002F), 1..512
extern const Constraint kPathPrefix;      // \u002F[\u0021-\u007F]*, 1..512
extern const Constraint kDescription;     // 0..1000
extern const Constraint kPolicyDocument;  // 1..131072
extern const Constraint kArn;             // 20..2048
extern const Constraint kTagKey;          // 1..128
extern const Constraint kTagValue;        // 0..256
extern const Constraint kAccessKeyId;     // [\w]+, 16..128
extern const Constraint kMarker;          // 1..320

// Validates an optional parameter; `member` is the camel-case name AWS reports.
Status check(std::string_view value, const Constraint& c, std::string_view member);
// A required parameter: absent → ValidationError "… Member must not be null".
Result<std::string> required(const protocol::QueryParams& params, std::string_view name,
                             const Constraint& c);
Result<std::optional<std::string>> optional(const protocol::QueryParams& params,
                                            std::string_view name, const Constraint& c);
// An integer parameter within [min, max].
Result<std::optional<long>> optional_int(const protocol::QueryParams& params, std::string_view name,
                                         long min, long max);

std::string member_name(std::string_view param);  // "UserName" → "userName"

}  // namespace portcullis::iam
