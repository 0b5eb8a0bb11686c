#include "core/crypto.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstdlib>

#include "core/encoding.h"

namespace portcullis::crypto {

namespace {

EVP_MD* fetched_sha256() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

EVP_MAC* fetched_hmac() {
  static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  return mac;
}

struct ThreadContexts {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  EVP_MAC_CTX* mac = nullptr;
  ThreadContexts() {
    mac = EVP_MAC_CTX_new(fetched_hmac());
    char digest_name[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                           OSSL_PARAM_construct_end()};
    if (!md || !mac || EVP_MAC_CTX_set_params(mac, params) != 1) std::abort();
  }
  ~ThreadContexts() {
    EVP_MD_CTX_free(md);
    EVP_MAC_CTX_free(mac);
  }
};

ThreadContexts& contexts() {
  thread_local ThreadContexts ctx;
  return ctx;
}

}  // namespace

Digest sha256(std::string_view data) {
  Digest out;
  EVP_MD_CTX* ctx = contexts().md;
  unsigned int len = 0;
  if (EVP_DigestInit_ex2(ctx, fetched_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, out.data(), &len) != 1)
    std::abort();
  return out;
}

std::string sha256_hex(std::string_view data) { return hex_encode(sha256(data)); }

std::array<unsigned char, 20> sha1(std::string_view data) {
  std::array<unsigned char, 20> out;
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha1(), nullptr) != 1)
    std::abort();
  return out;
}

Digest hmac_sha256(std::string_view key, std::string_view data) {
  Digest out;
  EVP_MAC_CTX* ctx = contexts().mac;
  size_t len = 0;
  if (EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(), nullptr) !=
          1 ||
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
      EVP_MAC_final(ctx, out.data(), &len, out.size()) != 1)
    std::abort();
  return out;
}

std::array<unsigned char, 20> hmac_sha1(std::string_view key, std::string_view data) {
  std::array<unsigned char, 20> out;
  unsigned int len = 0;
  if (!HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len) ||
      len != out.size())
    std::abort();
  return out;
}

Hmac::Hmac(std::string_view key) {
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(contexts().mac);
  if (!ctx || EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                           nullptr) != 1)
    std::abort();
  ctx_ = ctx;
}

Hmac::~Hmac() { EVP_MAC_CTX_free(static_cast<EVP_MAC_CTX*>(ctx_)); }

Digest Hmac::mac(std::string_view data) {
  EVP_MAC_CTX* ctx = static_cast<EVP_MAC_CTX*>(ctx_);
  Digest out;
  size_t len = 0;
  // A null key re-initialises with the key already set.
  if (EVP_MAC_init(ctx, nullptr, 0, nullptr) != 1 ||
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
      EVP_MAC_final(ctx, out.data(), &len, out.size()) != 1)
    std::abort();
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
    std::abort();
  return out;
}

std::string random_string(size_t n, std::string_view alphabet) {
  std::string out;
  out.reserve(n);
  const unsigned limit = 256 - (256 % alphabet.size());
  while (out.size() < n) {
    for (unsigned char c : random_bytes(n)) {
      if (c >= limit) continue;
      out.push_back(alphabet[c % alphabet.size()]);
      if (out.size() == n) break;
    }
  }
  return out;
}

void secure_zero(void* p, size_t n) { OPENSSL_cleanse(p, n); }

}  // namespace portcullis::crypto
