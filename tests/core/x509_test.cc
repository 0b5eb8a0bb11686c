// Reading uploaded certificates, private keys and SSH public keys: parsing, the key-pair and
// chain checks, OpenSSH <-> PEM conversion and MD5 fingerprints (checked against ssh-keygen).
#include "core/x509.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "core/certificate.h"

namespace portcullis::crypto {
namespace {

// ssh-keygen -t rsa -b 2048; its fingerprint from ssh-keygen -l -E md5, its PEM forms from
// ssh-keygen -e -m PKCS8 and -m PEM.
constexpr std::string_view kSsh =
    "ssh-rsa "
    "AAAAB3NzaC1yc2EAAAADAQABAAABAQC9DrckSmv9Y8NnBDDkmlEN+Lvepml2ouiyziYL9Pp94Oq78baIX5TNF3CAB/"
    "Gzh8wRgRkVXMYuk5Q6u7Eb6maf5ZULZfKi4StC0jz1Tm45ycjWbMj+Bm9bypJjW82TkSK5otPGBIZll/"
    "aQBdCAEl5GcCFITBe1ZWHRwNqTRR3fd3RYntZTwWHbrt311W9HfEUcqKhja7KMeJmlrxs94FKqcOu2Ixd9qbOs/"
    "GUNAxrdAu5/"
    "SkE8ipOUodFEt6JEoOpOJFncgLTbPjZijby71izlBDT96quXSTBworATmIgv3HgjaYdh9ICM8LVVpNnAvjeQOfeMNmR8WT"
    "yYf5HyRzcZ";
constexpr std::string_view kFingerprint = "93:f4:d7:d1:8d:e1:16:38:e8:5d:35:44:b1:ff:01:1f";
constexpr std::string_view kSpki = R"(-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAvQ63JEpr/WPDZwQw5JpR
Dfi73qZpdqLoss4mC/T6feDqu/G2iF+UzRdwgAfxs4fMEYEZFVzGLpOUOruxG+pm
n+WVC2XyouErQtI89U5uOcnI1mzI/gZvW8qSY1vNk5EiuaLTxgSGZZf2kAXQgBJe
RnAhSEwXtWVh0cDak0Ud33d0WJ7WU8Fh267d9dVvR3xFHKioY2uyjHiZpa8bPeBS
qnDrtiMXfamzrPxlDQMa3QLuf0pBPIqTlKHRRLeiRKDqTiRZ3IC02z42Yo28u9Ys
5QQ0/eqrl0kwcKKwE5iIL9x4I2mHYfSAjPC1VaTZwL43kDn3jDZkfFk8mH+R8kc3
GQIDAQAB
-----END PUBLIC KEY-----
)";
constexpr std::string_view kPkcs1 = R"(-----BEGIN RSA PUBLIC KEY-----
MIIBCgKCAQEAvQ63JEpr/WPDZwQw5JpRDfi73qZpdqLoss4mC/T6feDqu/G2iF+U
zRdwgAfxs4fMEYEZFVzGLpOUOruxG+pmn+WVC2XyouErQtI89U5uOcnI1mzI/gZv
W8qSY1vNk5EiuaLTxgSGZZf2kAXQgBJeRnAhSEwXtWVh0cDak0Ud33d0WJ7WU8Fh
267d9dVvR3xFHKioY2uyjHiZpa8bPeBSqnDrtiMXfamzrPxlDQMa3QLuf0pBPIqT
lKHRRLeiRKDqTiRZ3IC02z42Yo28u9Ys5QQ0/eqrl0kwcKKwE5iIL9x4I2mHYfSA
jPC1VaTZwL43kDn3jDZkfFk8mH+R8kc3GQIDAQAB
-----END RSA PUBLIC KEY-----
)";
constexpr std::string_view kShort =
    "ssh-rsa "
    "AAAAB3NzaC1yc2EAAAADAQABAAAAgQDChacrEQnL30OL6LQL/e3FZvkUMudOvqO9ToYfOpk+WJgE/uDNdpX491+F/"
    "Cj8IJ36hYq1EtBucbSc1weWgk+X26+u3beWmr4JrT7hEf/ubRm/"
    "8IivMOv4wm3GLFZXapylwK1KZrKdNq5Nj+mtuxPwAMvLNhaL8R2o8BflwKhuBQ==";
constexpr std::string_view kEd25519 =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGVi6L5Css6MaVt5PT7g1jCYgOBqCgWKBYIGvrLbAJeg";

SystemTime day(int y, unsigned m, unsigned d) {
  return std::chrono::sys_days(std::chrono::year(y) / m / d);
}

TEST(SshPublicKey, FingerprintIsMd5OfTheBlobAsSshKeygenPrintsIt) {
  auto k = parse_ssh_public_key(std::string(kSsh) + " fixture@test\n");
  ASSERT_TRUE(k) << k.error().message;
  EXPECT_EQ(k->bits, 2048);
  EXPECT_EQ(md5_fingerprint(*k), kFingerprint);
  EXPECT_EQ(ssh_encoding(*k), kSsh);
}

TEST(SshPublicKey, PemFormsGiveTheSameKey) {
  auto spki = parse_ssh_public_key(kSpki);
  ASSERT_TRUE(spki) << spki.error().message;
  auto pkcs1 = parse_ssh_public_key(kPkcs1);
  ASSERT_TRUE(pkcs1) << pkcs1.error().message;
  EXPECT_EQ(ssh_encoding(*spki), kSsh);
  EXPECT_EQ(ssh_encoding(*pkcs1), kSsh);
  EXPECT_EQ(md5_fingerprint(*spki), kFingerprint);
}

TEST(SshPublicKey, SshToPemAndBack) {
  auto k = parse_ssh_public_key(kSsh);
  ASSERT_TRUE(k);
  auto pem = pem_encoding(*k);
  ASSERT_TRUE(pem) << pem.error().message;
  EXPECT_EQ(*pem, kSpki);
  auto again = parse_ssh_public_key(*pem);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->blob, k->blob);
}

TEST(SshPublicKey, Refusals) {
  auto code = [](std::string_view text) {
    auto k = parse_ssh_public_key(text);
    return k ? ErrorCode::kInternal : k.error().code;
  };
  EXPECT_EQ(code("hello"), ErrorCode::kUnrecognizedPublicKeyEncoding);
  EXPECT_EQ(code(kEd25519), ErrorCode::kUnrecognizedPublicKeyEncoding);
  EXPECT_EQ(code("ssh-rsa !!!notbase64"), ErrorCode::kInvalidPublicKey);
  EXPECT_EQ(code("ssh-rsa AAAAB3NzaC1yc2EAAAADAQAB"), ErrorCode::kInvalidPublicKey);  // truncated
  EXPECT_EQ(code(std::string(kSsh) + "AAAA"), ErrorCode::kInvalidPublicKey);  // trailing bytes
  EXPECT_EQ(code("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"),
            ErrorCode::kInvalidPublicKey);
  auto shorter = parse_ssh_public_key(kShort);
  ASSERT_FALSE(shorter);
  EXPECT_EQ(shorter.error().code, ErrorCode::kInvalidPublicKey);
  EXPECT_EQ(shorter.error().message, "The public key must be an RSA key of at least 2048 bits.");
  // A private key is never taken for the public key it contains.
  auto pair = self_signed_certificate("k", day(2026, 1, 1), std::chrono::hours(24));
  ASSERT_TRUE(pair);
  EXPECT_EQ(code(pair->private_key_pem), ErrorCode::kInvalidPublicKey);
}

TEST(UploadedCertificate, ParsesDatesAndDer) {
  auto pair = self_signed_certificate("c", day(2026, 3, 1), std::chrono::hours(48));
  ASSERT_TRUE(pair);
  auto info = parse_certificate(pair->certificate_pem);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->not_before, day(2026, 3, 1));
  EXPECT_EQ(info->not_after, day(2026, 3, 3));
  EXPECT_FALSE(info->der.empty());
  auto bad = parse_certificate("-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kMalformedCertificate);
  EXPECT_EQ(bad.error().message,
            "Unable to parse certificate. Please ensure the certificate is in PEM format.");
}

TEST(UploadedCertificate, PrivateKeyMustMatch) {
  auto a = self_signed_certificate("a", day(2026, 1, 1), std::chrono::hours(24));
  auto b = self_signed_certificate("b", day(2026, 1, 1), std::chrono::hours(24));
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(check_server_certificate(a->certificate_pem, a->private_key_pem, ""));
  auto mismatch = check_server_certificate(a->certificate_pem, b->private_key_pem, "");
  ASSERT_FALSE(mismatch);
  EXPECT_EQ(mismatch.error().code, ErrorCode::kKeyPairMismatch);
  auto garbage = check_server_certificate(a->certificate_pem, "not a key", "");
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().code, ErrorCode::kMalformedCertificate);
  EXPECT_EQ(garbage.error().message.find("PRIVATE"), std::string::npos);
  // A self-signed certificate is not the issuer of another one.
  auto chain = check_server_certificate(a->certificate_pem, a->private_key_pem, b->certificate_pem);
  ASSERT_FALSE(chain);
  EXPECT_TRUE(
      chain.error().message.ends_with("The index within the chain of the invalid "
                                      "certificate is: -1"));
  auto junk = check_server_certificate(a->certificate_pem, a->private_key_pem, "junk");
  ASSERT_FALSE(junk);
  EXPECT_EQ(junk.error().code, ErrorCode::kMalformedCertificate);
}

TEST(UploadedCertificate, EncryptedPrivateKeyIsRefusedWithoutPrompting) {
  auto a = self_signed_certificate("a", day(2026, 1, 1), std::chrono::hours(24));
  ASSERT_TRUE(a);
  BIO* in = BIO_new_mem_buf(a->private_key_pem.data(), int(a->private_key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
  BIO_free(in);
  ASSERT_NE(key, nullptr);
  BIO* out = BIO_new(BIO_s_mem());
  char pass[] = "secret";
  ASSERT_EQ(PEM_write_bio_PrivateKey(out, key, EVP_aes_256_cbc(), nullptr, 0, nullptr, pass), 1);
  EVP_PKEY_free(key);
  char* data = nullptr;
  long n = BIO_get_mem_data(out, &data);
  std::string encrypted(data, size_t(n));
  BIO_free(out);
  ASSERT_NE(encrypted.find("ENCRYPTED PRIVATE KEY"), std::string::npos);
  auto st = check_server_certificate(a->certificate_pem, encrypted, "");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kMalformedCertificate);
}

}  // namespace
}  // namespace portcullis::crypto
