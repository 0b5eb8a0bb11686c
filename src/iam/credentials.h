// A user's passwords and MFA devices as other parts need them: DeleteUser's and UpdateUser's
// bookkeeping, and STS checking a one-time code against the caller's enabled device.
#pragma once

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

enum class MfaCheck { kOk, kNoDevice, kInvalidCode };
// Checks `code` against the enabled device `serial` of user `user_name` and, when it matches a
// step later than the last one used, records that step (a code is good once), in one write.
Result<MfaCheck> use_mfa_code(store::Store& store, std::string_view master_key,
                              std::string_view user_name, std::string_view serial,
                              std::string_view code, SystemTime now);

}  // namespace portcullis::iam
