#include "core/ids.h"

#include "core/crypto.h"
#include "core/encoding.h"

namespace portcullis::ids {

namespace {
constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::string_view kSecret =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}  // namespace

std::string request_id() {
  std::string b = crypto::random_bytes(16);
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
