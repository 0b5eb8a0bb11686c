// What outside the password and MFA operations needs of a user's login profile and devices:
// deletion and rename bookkeeping, sealed seeds, and checking one-time codes.
#include "iam/credentials.h"

#include <boost/json.hpp>

#include "core/crypto.h"
#include "core/encoding.h"
#include "core/seal.h"
#include "core/totp.h"
#include "iam/entities.h"

namespace portcullis::iam {

namespace {

// The devices enabled for a user (their store keys and documents).
Result<std::vector<std::pair<std::string, json::object>>> devices_of(store::Transaction& txn,
                                                                     std::string_view user) {
  auto rows = PC_TRY(txn.scan(kMfaDevices));
  std::vector<std::pair<std::string, json::object>> out;
  for (const auto& [key, text] : rows) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec || !v.is_object()) continue;
    if (lower(str(v.get_object(), "UserName")) == lower(user) &&
        !str(v.get_object(), "UserName").empty())
      out.emplace_back(key, std::move(v.get_object()));
  }
  return out;
}

}  // namespace

Status user_credentials_deletable(store::Transaction& txn, std::string_view user_name) {
  if (PC_TRY(load(txn, kLoginProfiles, lower(user_name))))
    return fail(ErrorCode::kDeleteConflict,
                "Cannot delete entity, must delete login profile first.");
  if (!PC_TRY(devices_of(txn, user_name)).empty())
    return fail(ErrorCode::kDeleteConflict, "Cannot delete entity, must delete MFA device first.");
  return {};
}

Status rename_user_credentials(store::Transaction& txn, std::string_view old_name,
                               std::string_view new_name) {
  if (auto profile = PC_TRY(load(txn, kLoginProfiles, lower(old_name)))) {
    (*profile)["UserName"] = new_name;
    PC_CHECK(txn.erase(kLoginProfiles, lower(old_name)));
    PC_CHECK(save(txn, kLoginProfiles, lower(new_name), *profile));
  }
  for (auto& [key, device] : PC_TRY(devices_of(txn, old_name))) {
    device["UserName"] = new_name;
    PC_CHECK(save(txn, kMfaDevices, key, device));
  }
  return {};
}

std::string mfa_key(std::string_view serial) { return lower(serial); }

std::string seal_mfa_seed(std::string_view master_key, std::string_view key,
                          std::string_view seed) {
  return base64_encode(crypto::seal(master_key, seed, "mfa:" + std::string(key)));
}

Result<std::string> open_mfa_seed(std::string_view master_key, const json::object& device) {
  auto sealed = base64_decode(str(device, "SeedSealed"));
  if (!sealed) return fail(ErrorCode::kInternal, "store: corrupt MFA device");
  auto seed = crypto::open(master_key, *sealed, "mfa:" + mfa_key(str(device, "SerialNumber")));
  if (!seed)
    return fail(ErrorCode::kInternal, "cannot decrypt an MFA seed: the master key does not match");
  return seed;
}

std::optional<int64_t> consecutive_codes(std::string_view seed, std::string_view code1,
                                         std::string_view code2, int64_t now_step, int window) {
  std::optional<int64_t> found;
  for (int64_t s = now_step - window - 1; s <= now_step + window; ++s) {
    bool first = crypto::constant_time_equal(totp::code(seed, s), code1);
    bool second = crypto::constant_time_equal(totp::code(seed, s + 1), code2);
    if (first && second && !found) found = s + 1;
  }
  return found;
}

Result<MfaCheck> use_mfa_code(store::Store& store, std::string_view master_key,
                              std::string_view user_name, std::string_view serial,
                              std::string_view code, SystemTime now, bool consume) {
  MfaCheck result = MfaCheck::kNoDevice;
  auto number = [](const json::object& o, std::string_view k, int64_t otherwise) {
    auto it = o.find(k);
    return it != o.end() && it->value().is_int64() ? it->value().get_int64() : otherwise;
  };
  PC_CHECK(store.write([&](store::Transaction& txn) -> Status {
    const std::string key = mfa_key(serial);
    auto device = PC_TRY(load(txn, kMfaDevices, key));
    if (!device || str(*device, "SerialNumber") != serial || str(*device, "UserName").empty() ||
        lower(str(*device, "UserName")) != lower(user_name))
      return {};
    const int64_t epoch = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    if (number(*device, "LockedUntil", 0) > epoch) {
      result = MfaCheck::kLocked;
      return {};
    }
    std::string seed = PC_TRY(open_mfa_seed(master_key, *device));
    int64_t drift = number(*device, "Drift", 0);
    auto step = totp::match(seed, code, totp::step_of(now) + drift, kMfaWindow);
    crypto::secure_zero(seed.data(), seed.size());
    if (!step || *step <= number(*device, "LastStep", INT64_MIN)) {
      result = MfaCheck::kInvalidCode;
      int64_t failures = number(*device, "Failures", 0) + 1;
      if (failures >= kMfaMaxFailures) {
        (*device)["LockedUntil"] = epoch + kMfaLockout.count();
        failures = 0;
      }
      (*device)["Failures"] = failures;
      return save(txn, kMfaDevices, key, *device);
    }
    result = MfaCheck::kOk;
    if (!consume && !device->contains("Failures")) return {};
    device->erase("Failures");
    if (consume) (*device)["LastStep"] = *step;
    return save(txn, kMfaDevices, key, *device);
  }));
  return result;
}

}  // namespace portcullis::iam
