#include "core/certificate.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <memory>

#include "core/openssl_ptr.h"

namespace portcullis::crypto {

namespace {

using ossl::Bio;
using ossl::Cert;
using ossl::Key;

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, n > 0 ? size_t(n) : 0);
}

}  // namespace

Result<SelfSigned> self_signed_certificate(std::string_view common_name, SystemTime now,
                                           std::chrono::seconds validity) {
  auto failed = [](const char* what) {
    return fail(ErrorCode::kInternal, std::string("certificate generation failed: ") + what);
  };
  Key key(EVP_RSA_gen(2048));
  if (!key) return failed("key");
  Cert cert(X509_new());
  if (!cert) return failed("certificate");
  X509_set_version(cert.get(), 2);  // v3
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return failed("serial");
  serial[0] &= 0x7f;  // positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  ASN1_INTEGER* sn = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  if (!sn) return failed("serial");
  time_t from = std::chrono::system_clock::to_time_t(now);
  time_t to = from + validity.count();
  if (!ASN1_TIME_set(X509_getm_notBefore(cert.get()), from) ||
      !ASN1_TIME_set(X509_getm_notAfter(cert.get()), to))
    return failed("validity");
  X509_NAME* name = X509_get_subject_name(cert.get());
  std::string cn(common_name);
  if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                  reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0) ||
      !X509_set_issuer_name(cert.get(), name) || !X509_set_pubkey(cert.get(), key.get()) ||
      !X509_sign(cert.get(), key.get(), EVP_sha256()))
    return failed("signature");
  Bio cert_bio(BIO_new(BIO_s_mem())), key_bio(BIO_new(BIO_s_mem()));
  if (!cert_bio || !key_bio || !PEM_write_bio_X509(cert_bio.get(), cert.get()) ||
      !PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr))
    return failed("encoding");
  return SelfSigned{bio_text(cert_bio.get()), bio_text(key_bio.get()),
                    std::chrono::system_clock::from_time_t(from),
                    std::chrono::system_clock::from_time_t(to)};
}

}  // namespace portcullis::crypto
