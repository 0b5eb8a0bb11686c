// The account's bootstrap administrator: created on first start, its key taken from
// PORTCULLIS_ADMIN_ACCESS_KEY_ID / PORTCULLIS_ADMIN_SECRET_ACCESS_KEY or generated, and kept in
// {state-dir}/admin-credentials (mode 0600, in the aws CLI's credentials-file format).
#pragma once

#include <string>

#include "core/result.h"

namespace portcullis::app {

inline constexpr std::string_view kAdminUserName = "admin";
inline constexpr std::string_view kAdminProfile = "portcullis-admin";

struct AdminCredentials {
  std::string user_id;
  std::string access_key_id;
  std::string secret_access_key;
  bool generated = false;              // made up just now: the caller prints it once
  std::string replaced_access_key_id;  // the key the environment's key replaces, if any
};

// Creates the state directory (0700) when missing.
Status ensure_state_dir(const std::string& state_dir);
// The key that seals secrets at rest: PORTCULLIS_MASTER_KEY (base64 of 32 bytes) when set,
// otherwise {state-dir}/master.key, created (mode 0600) on first start.
Result<std::string> load_or_create_master_key(const std::string& state_dir);
Result<AdminCredentials> load_or_create_admin(const std::string& state_dir);

}  // namespace portcullis::app
