// A user's passwords and MFA devices as other parts need them: DeleteUser's and UpdateUser's
// bookkeeping, and STS checking a one-time code against the caller's enabled device.
#pragma once

#include <chrono>

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "store/store.h"

namespace portcullis::iam {

// Codes are accepted this many 30-second steps either side of the server's time (plus the
// device's drift, which ResyncMFADevice measures).
inline constexpr int kMfaWindow = 2;

// DeleteConflict while the user still has a login profile or an MFA device.
Status user_credentials_deletable(store::Transaction& txn, std::string_view user_name);
// UpdateUser's rename: the login profile and the MFA devices follow the user.
Status rename_user_credentials(store::Transaction& txn, std::string_view old_name,
                               std::string_view new_name);

// The store key of a device by its serial number (ARN).
std::string mfa_key(std::string_view serial);
// A device's seed, sealed under the master key with its key as associated data.
std::string seal_mfa_seed(std::string_view master_key, std::string_view key, std::string_view seed);
Result<std::string> open_mfa_seed(std::string_view master_key, const boost::json::object& device);
// The step of `code2` when `code1` and `code2` are the codes of two consecutive steps within
// `window` steps of `now_step`.
std::optional<int64_t> consecutive_codes(std::string_view seed, std::string_view code1,
                                         std::string_view code2, int64_t now_step, int window);

enum class MfaCheck { kOk, kNoDevice, kInvalidCode, kLocked };
// After this many wrong codes in a row a device takes no code for kMfaLockout: with five codes
// valid at any time, guessing one would otherwise take about 200,000 tries.
inline constexpr int kMfaMaxFailures = 10;
inline constexpr std::chrono::seconds kMfaLockout{600};
// Checks `code` against the enabled device `serial` of user `user_name`, in one write: a wrong
// code counts towards the lockout; a code of a step later than the last one used is valid, and
// with `consume` that step is recorded (a code is good once).
Result<MfaCheck> use_mfa_code(store::Store& store, std::string_view master_key,
                              std::string_view user_name, std::string_view serial,
                              std::string_view code, SystemTime now, bool consume = true);

}  // namespace portcullis::iam
