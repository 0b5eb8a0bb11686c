// MFA on STS calls: the SerialNumber and TokenCode of GetSessionToken and AssumeRole, checked
// against the calling user's enabled virtual device, each code good once.
#include "iam/credentials.h"
#include "sts/call.h"

namespace portcullis::sts::detail {

namespace {
bool serial_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("_+=/:,.@-").find(c) != std::string_view::npos;
}
bool digit(char c) { return c >= '0' && c <= '9'; }
const iam::Constraint kSerialNumber{9, 256, "[\\w+=/:,.@-]*", serial_char};
const iam::Constraint kTokenCode{6, 6, "[\\d]*", digit, true};
}  // namespace

Result<bool> mfa_request(Call& c, bool consume) {
  auto serial = PC_TRY(iam::optional(c.params, "SerialNumber", kSerialNumber));
  auto code = PC_TRY(iam::optional(c.params, "TokenCode", kTokenCode));
  if (!serial && !code) return false;
  const Error unknown{ErrorCode::kAccessDenied,
                      "MultiFactorAuthentication failed, unable to validate MFA code.  Please "
                      "verify your MFA serial number is valid and associated with this user."};
  // Only an IAM user has MFA devices; a role session has none to check a code against.
  const iam::Principal& p = *c.caller->principal;
  if (!serial || !code || p.type != iam::PrincipalType::kUser) return std::unexpected(unknown);
  auto check =
      PC_TRY(iam::use_mfa_code(c.iam.store(), c.iam.master_key(), p.name, *serial, *code, c.now,
                               consume));
  switch (check) {
    case iam::MfaCheck::kOk:
      return true;
    case iam::MfaCheck::kNoDevice:
      return std::unexpected(unknown);
    case iam::MfaCheck::kInvalidCode:
    case iam::MfaCheck::kLocked:  // told apart from a wrong code by nothing a guesser could use
      break;
  }
  return fail(ErrorCode::kAccessDenied,
              "MultiFactorAuthentication failed with invalid MFA one time pass code. ");
}

}  // namespace portcullis::sts::detail
