// Password hashing for IAM login profiles: Argon2id (libsodium's crypto_pwhash_str, interactive
// limits), salted and self-describing, so that a hash can be checked without other state.
#pragma once

#include <string>
#include <string_view>

namespace portcullis::crypto {

// The encoded hash ($argon2id$v=19$m=…,t=…,p=…$salt$hash) of `password`.
std::string hash_password(std::string_view password);
// Whether `password` matches `hash` (in constant time with respect to the password); false for
// a malformed hash.
bool verify_password(std::string_view hash, std::string_view password);

}  // namespace portcullis::crypto
