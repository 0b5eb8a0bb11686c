// TOTP as RFC 6238 defines it (HOTP's dynamic truncation of an HMAC-SHA1 over the step count),
// and RFC 4648 base32 for the seeds.
#include "core/totp.h"

#include <chrono>

#include "core/crypto.h"

namespace portcullis::totp {

namespace {
constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
}

std::string base32_encode(std::string_view bytes) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 31]);
  return out;
}

std::optional<std::string> base32_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char ch : text) {
    int v;
    if (ch >= 'A' && ch <= 'Z')
      v = ch - 'A';
    else if (ch >= 'a' && ch <= 'z')
      v = ch - 'a';
    else if (ch >= '2' && ch <= '7')
      v = ch - '2' + 26;
    else
      return std::nullopt;
    buffer = (buffer << 5) | static_cast<uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<char>((buffer >> (bits - 8)) & 0xff));
      bits -= 8;
    }
  }
  return out;
}

int64_t step_of(SystemTime t) {
  int64_t s = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  return s >= 0 ? s / kStepSeconds : (s - kStepSeconds + 1) / kStepSeconds;
}

std::string code(std::string_view seed, int64_t counter, int digits) {
  char msg[8];
  uint64_t c = static_cast<uint64_t>(counter);
  for (int i = 7; i >= 0; --i) {
    msg[i] = static_cast<char>(c & 0xff);
    c >>= 8;
  }
  auto mac = crypto::hmac_sha1(seed, std::string_view(msg, sizeof msg));
  // Dynamic truncation (RFC 4226, section 5.3).
  int offset = mac[19] & 0x0f;
  uint32_t bin = (static_cast<uint32_t>(mac[offset] & 0x7f) << 24) |
                 (static_cast<uint32_t>(mac[offset + 1]) << 16) |
                 (static_cast<uint32_t>(mac[offset + 2]) << 8) | mac[offset + 3];
  uint32_t mod = 1;
  for (int i = 0; i < digits; ++i) mod *= 10;
  std::string out = std::to_string(bin % mod);
  if (out.size() < static_cast<size_t>(digits)) out.insert(0, digits - out.size(), '0');
  return out;
}

std::optional<int64_t> match(std::string_view seed, std::string_view given, int64_t now_step,
                             int window) {
  std::optional<int64_t> found;
  // Every step in the window is computed, so the time taken does not tell which one matched.
  for (int64_t s = now_step - window; s <= now_step + window; ++s)
    if (crypto::constant_time_equal(code(seed, s), given) && !found) found = s;
  return found;
}

}  // namespace portcullis::totp
