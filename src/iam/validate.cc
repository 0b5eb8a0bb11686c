#include "iam/validate.h"

#include <charconv>

namespace portcullis::iam {

namespace {
bool word_plus(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '-';
}
bool word(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
bool visible(char c) { return c >= 0x21 && c <= 0x7e; }
bool visible_or_del(char c) { return c >= 0x21 && c <= 0x7f; }
}  // namespace

const Constraint kUserName{1, 64, "[\\w+=,.@-]+", word_plus};
const Constraint kGroupName{1, 128, "[\\w+=,.@-]+", word_plus};
const Constraint kRoleName{1, 64, "[\\w+=,.@-]+", word_plus};
const Constraint kPolicyName{1, 128, "[\\w+=,.@-]+", word_plus};
const Constraint kPath{1, 512, "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)", visible};
const Constraint kPathPrefix{1, 512, "\\u002F[\\u0021-\\u007F]*", visible_or_del};
const Constraint kDescription{0, 1000, "", nullptr};
const Constraint kPolicyDocument{1, 131072, "", nullptr};
const Constraint kArn{20, 2048, "", nullptr};
const Constraint kTagKey{1, 128, "", nullptr};
const Constraint kTagValue{0, 256, "", nullptr};
const Constraint kAccessKeyId{16, 128, "[\\w]+", word};
const Constraint kMarker{1, 320, "", nullptr};

std::string member_name(std::string_view param) {
  std::string m(param);
  if (!m.empty() && m[0] >= 'A' && m[0] <= 'Z') m[0] = static_cast<char>(m[0] + 32);
  return m;
}

Status check(std::string_view value, const Constraint& c, std::string_view member) {
  auto violation = [&](const std::string& what) {
    std::string shown = c.secret ? std::string() : "'" + std::string(value) + "' ";
    return fail(ErrorCode::kValidationError, "1 validation error detected: Value " + shown +
                                                 "at '" + std::string(member) +
                                                 "' failed to satisfy constraint: " + what);
  };
  if (value.size() < c.min)
    return violation("Member must have length greater than or equal to " + std::to_string(c.min));
  if (value.size() > c.max)
    return violation("Member must have length less than or equal to " + std::to_string(c.max));
  bool ok = true;
  if (c.allowed) {
    for (char ch : value) ok = ok && c.allowed(ch);
  }
  if (&c == &kPath) ok = ok && value.front() == '/' && value.back() == '/';
  if (&c == &kPathPrefix) ok = ok && value.front() == '/';
  if (!ok)
    return violation("Member must satisfy regular expression pattern: " +
                     std::string(c.pattern_name));
  return {};
}

Result<std::string> required(const protocol::QueryParams& params, std::string_view name,
                             const Constraint& c) {
  auto v = params.get(name);
  if (!v)
    return fail(ErrorCode::kValidationError, "1 validation error detected: Value null at '" +
                                                 member_name(name) +
                                                 "' failed to satisfy constraint: Member must "
                                                 "not be null");
  PC_CHECK(check(*v, c, member_name(name)));
  return std::string(*v);
}

Result<std::optional<std::string>> optional(const protocol::QueryParams& params,
                                            std::string_view name, const Constraint& c) {
  auto v = params.get(name);
  if (!v) return std::optional<std::string>();
  PC_CHECK(check(*v, c, member_name(name)));
  return std::optional<std::string>(std::string(*v));
}

Result<std::optional<long>> optional_int(const protocol::QueryParams& params, std::string_view name,
                                         long min, long max) {
  auto v = params.get(name);
  if (!v) return std::optional<long>();
  long n = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || p != v->data() + v->size())
    return fail(ErrorCode::kValidationError, "1 validation error detected: Value '" +
                                                 std::string(*v) + "' at '" + member_name(name) +
                                                 "' failed to satisfy constraint: Member must be "
                                                 "a number");
  if (n < min)
    return fail(ErrorCode::kValidationError,
                "1 validation error detected: Value '" + std::string(*v) + "' at '" +
                    member_name(name) +
                    "' failed to satisfy constraint: Member must have value greater than or "
                    "equal to " +
                    std::to_string(min));
  if (n > max)
    return fail(ErrorCode::kValidationError,
                "1 validation error detected: Value '" + std::string(*v) + "' at '" +
                    member_name(name) +
                    "' failed to satisfy constraint: Member must have value less than or equal "
                    "to " +
                    std::to_string(max));
  return std::optional<long>(n);
}

}  // namespace portcullis::iam
