#include "core/ids.h"

#include <cstdint>
#include <cstring>

#include "core/crypto.h"
#include "core/encoding.h"

namespace portcullis::ids {

namespace {
constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::string_view kSecret =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}  // namespace

std::string request_id() {
  // Request ids need to be unique, not secret: a per-thread generator seeded once from the
  // system RNG (splitmix64) instead of the CSPRNG on every request.
  thread_local uint64_t state = [] {
    uint64_t seed = 0;
    std::string r = crypto::random_bytes(sizeof seed);
    std::memcpy(&seed, r.data(), sizeof seed);
    return seed;
  }();
  auto next = [] {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  std::string b(16, '\0');
  uint64_t hi = next(), lo = next();
  std::memcpy(b.data(), &hi, 8);
  std::memcpy(b.data() + 8, &lo, 8);
  b[6] = static_cast<char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<char>((b[8] & 0x3f) | 0x80);
  std::string h = hex_encode(b);
  return h.substr(0, 8) + '-' + h.substr(8, 4) + '-' + h.substr(12, 4) + '-' + h.substr(16, 4) +
         '-' + h.substr(20);
}

std::string access_key_id(std::string_view prefix) {
  return std::string(prefix) + crypto::random_string(16, kBase32);
}

std::string unique_id(std::string_view prefix) {
  return std::string(prefix) + crypto::random_string(17, kBase32);
}

std::string secret_access_key() { return crypto::random_string(40, kSecret); }

}  // namespace portcullis::ids
