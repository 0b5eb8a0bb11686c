#include "core/certificate.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace portcullis::crypto {
namespace {

TEST(Certificate, SelfSignedVerifiesWithItsOwnKey) {
  SystemTime now = std::chrono::sys_days(std::chrono::year(2026) / 11 / 25);
  auto c = self_signed_certificate("Portcullis test", now, std::chrono::hours(24 * 365));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_TRUE(c->certificate_pem.starts_with("-----BEGIN CERTIFICATE-----"));
  EXPECT_TRUE(c->private_key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
  EXPECT_EQ(c->not_after - c->not_before, std::chrono::hours(24 * 365));
  BIO* bio = BIO_new_mem_buf(c->certificate_pem.data(), int(c->certificate_pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  ASSERT_NE(cert, nullptr);
  EVP_PKEY* pub = X509_get0_pubkey(cert);
  EXPECT_EQ(X509_verify(cert, pub), 1);
  char cn[64] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
  EXPECT_STREQ(cn, "Portcullis test");
  EXPECT_EQ(X509_cmp_time(X509_get0_notBefore(cert), nullptr), -1);  // in the past
  X509_free(cert);
}

}  // namespace
}  // namespace portcullis::crypto
