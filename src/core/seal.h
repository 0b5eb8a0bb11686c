// Authenticated encryption of small secrets with XChaCha20-Poly1305 (libsodium): secrets at
// rest under the master key, and sealed tokens. Random 192-bit nonces are safe at any volume.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace portcullis::crypto {

inline constexpr size_t kSealKeyBytes = 32;

// Returns nonce || ciphertext || tag. `aad` is authenticated but not encrypted.
std::string seal(std::string_view key, std::string_view plaintext, std::string_view aad = {});
// Fails when the key is wrong or a single bit of `sealed` or `aad` changed.
Result<std::string> open(std::string_view key, std::string_view sealed, std::string_view aad = {});

}  // namespace portcullis::crypto
