// Hashing, MACs and randomness on OpenSSL 3, with the digest and MAC algorithms fetched once
// and contexts reused per thread (a provider lookup per call costs about a microsecond).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace portcullis::crypto {

using Digest = std::array<unsigned char, 32>;

Digest sha256(std::string_view data);
std::string sha256_hex(std::string_view data);
// SHA-1, only where a protocol defines a value with it (SAML NameQualifier); never for security.
std::array<unsigned char, 20> sha1(std::string_view data);
Digest hmac_sha256(std::string_view key, std::string_view data);
// HMAC-SHA1, only where a protocol defines a value with it (TOTP, RFC 6238).
std::array<unsigned char, 20> hmac_sha1(std::string_view key, std::string_view data);
inline Digest hmac_sha256(const Digest& key, std::string_view data) {
  return hmac_sha256(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()), data);
}

// HMAC-SHA256 with a key set once and reused (keying costs as much as a short MAC).
class Hmac {
 public:
  explicit Hmac(std::string_view key);
  ~Hmac();
  Hmac(const Hmac&) = delete;
  Hmac& operator=(const Hmac&) = delete;
  Digest mac(std::string_view data);

 private:
  void* ctx_;  // EVP_MAC_CTX
};

// Compares without leaking, through timing, where the first difference is.
bool constant_time_equal(std::string_view a, std::string_view b);

// Cryptographically secure random bytes; aborts if the system RNG fails.
std::string random_bytes(size_t n);
// Random characters drawn uniformly from alphabet (rejection sampling, no modulo bias).
std::string random_string(size_t n, std::string_view alphabet);

// Overwrites memory the optimiser may not elide.
void secure_zero(void* p, size_t n);

}  // namespace portcullis::crypto
