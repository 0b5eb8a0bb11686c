#include "core/seal.h"

#include <sodium.h>

#include <cstdlib>

namespace portcullis::crypto {

namespace {
void init() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) std::abort();
}
constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;
}  // namespace

std::string seal(std::string_view key, std::string_view plaintext, std::string_view aad) {
  init();
  if (key.size() != kSealKeyBytes) std::abort();
  std::string out(kNonce + plaintext.size() + kTag, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(o, kNonce);
  unsigned long long len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      o + kNonce, &len, reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
      reinterpret_cast<const unsigned char*>(aad.data()), aad.size(), nullptr, o,
      reinterpret_cast<const unsigned char*>(key.data()));
  return out;
}

Result<std::string> open(std::string_view key, std::string_view sealed, std::string_view aad) {
  init();
  if (key.size() != kSealKeyBytes || sealed.size() < kNonce + kTag)
    return fail(ErrorCode::kInternal, "sealed data is malformed");
  std::string out(sealed.size() - kNonce - kTag, '\0');
  const auto* s = reinterpret_cast<const unsigned char*>(sealed.data());
  unsigned long long len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(out.data()), &len, nullptr, s + kNonce,
          sealed.size() - kNonce, reinterpret_cast<const unsigned char*>(aad.data()), aad.size(), s,
          reinterpret_cast<const unsigned char*>(key.data())) != 0)
    return fail(ErrorCode::kInternal, "sealed data failed authentication");
  out.resize(len);
  return out;
}

}  // namespace portcullis::crypto
