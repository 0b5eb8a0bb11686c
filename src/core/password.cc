// Argon2id through libsodium; the interactive limits cost about 64 MiB and a few tens of
// milliseconds per hash, acceptable for the control-plane calls that set or check a password.
#include "core/password.h"

#include <sodium.h>

#include <cstdlib>

namespace portcullis::crypto {

namespace {
void init() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) std::abort();
}
}  // namespace

std::string hash_password(std::string_view password) {
  init();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    std::abort();  // out of memory
  return std::string(out);
}

bool verify_password(std::string_view hash, std::string_view password) {
  init();
  // crypto_pwhash_str_verify wants a NUL-terminated string of at most STRBYTES - 1 characters.
  if (hash.size() >= crypto_pwhash_STRBYTES) return false;
  std::string h(hash);
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

}  // namespace portcullis::crypto
