// Session credentials that any node can verify without a lookup: the session token is the
// session itself (principal, expiry, session policy, tags, the secret), sealed with
// XChaCha20-Poly1305 under a server key named, in the token's authenticated header, by its id.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "store/store.h"

namespace portcullis::sts {

struct SessionClaims {
  std::string access_key_id;  // ASIA…
  std::string secret_access_key;
  bool role = true;  // a role session (AssumeRole*), or a user's (GetSessionToken)
  std::string account;
  std::string name;          // the role's or the user's name
  std::string session_name;  // role sessions
  std::string unique_id;     // the role's (AROA…) or the user's (AIDA…) id
  int64_t issued = 0;        // epoch seconds
  int64_t expires = 0;
  std::string policy;  // the session policy document, if any
  std::vector<std::string> policy_arns;
  std::vector<std::pair<std::string, std::string>> tags;
  std::vector<std::string> transitive_tag_keys;
  std::string source_identity;
  bool chained = false;
  int64_t mfa_time = 0;  // epoch seconds of the MFA authentication; 0: none
};

// The server keys, newest first. Sealing uses the newest; opening finds the key by id, so keys
// rotate with old tokens valid until they expire.
class TokenKeys {
 public:
  // Loads the keys from the store (sealed there under the master key), adding a new key when
  // there is none or the newest is older than `rotate_after`, and dropping keys older than
  // that plus the longest session.
  static Result<TokenKeys> load(store::Store& store, std::string_view master_key, SystemTime now,
                                std::chrono::seconds rotate_after = std::chrono::hours(24 * 30));

  std::string seal(const SessionClaims& claims) const;
  // InvalidClientTokenId for a token that is malformed, tampered with, or sealed by a key this
  // server does not have; ExpiredToken once past its expiry.
  Result<SessionClaims> open(std::string_view token, SystemTime now) const;

  // Tests.
  static TokenKeys with_key(std::string id, std::string key);
  size_t size() const { return keys_.size(); }

 private:
  struct Key {
    std::string id;     // 8 bytes
    std::string bytes;  // 32 bytes
    int64_t created = 0;
  };
  std::vector<Key> keys_;
};

}  // namespace portcullis::sts
