// Reading uploaded certificates, private keys and SSH public keys with OpenSSL 3: parse, check,
// convert. Every failure clears OpenSSL's error queue so nothing leaks into the next call.
#include "core/x509.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <ctime>
#include <memory>

#include "core/encoding.h"
#include "core/openssl_ptr.h"

namespace portcullis::crypto {

namespace {

using ossl::Bio;
using ossl::Cert;
using ossl::Key;
using ossl::Bn;

constexpr std::string_view kUnparsable =
    "Unable to parse certificate. Please ensure the certificate is in PEM format.";

// Never prompts for a passphrase (OpenSSL's default callback reads the terminal): an encrypted
// key simply does not parse.
int no_passphrase(char*, int, int, void*) { return -1; }

Bio memory(std::string_view text) {
  return Bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

Cert read_certificate(BIO* bio) {
  Cert c(PEM_read_bio_X509(bio, nullptr, no_passphrase, nullptr));
  if (!c) ERR_clear_error();
  return c;
}

SystemTime to_time(const ASN1_TIME* t) {
  std::tm tm{};
  ASN1_TIME_to_tm(t, &tm);
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::unexpected<Error> malformed(std::string message) {
  ERR_clear_error();
  return fail(ErrorCode::kMalformedCertificate, std::move(message));
}

size_t count(std::string_view text, std::string_view what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != text.npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

// --- SSH wire form (RFC 4253 section 6.6) -----------------------------------------------------

void put_string(std::string& out, std::string_view s) {
  uint32_t n = static_cast<uint32_t>(s.size());
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((n >> shift) & 0xff));
  out.append(s);
}

void put_mpint(std::string& out, const BIGNUM* bn) {
  std::string bytes(static_cast<size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(bytes.data()));
  if (!bytes.empty() && (static_cast<unsigned char>(bytes[0]) & 0x80)) bytes.insert(0, 1, '\0');
  put_string(out, bytes);
}

bool get_string(std::string_view& in, std::string_view& out) {
  if (in.size() < 4) return false;
  uint32_t n = 0;
  for (int i = 0; i < 4; ++i) n = (n << 8) | static_cast<unsigned char>(in[i]);
  if (in.size() - 4 < n) return false;
  out = in.substr(4, n);
  in.remove_prefix(4 + n);
  return true;
}

std::string rsa_blob(const BIGNUM* e, const BIGNUM* n) {
  std::string blob;
  put_string(blob, "ssh-rsa");
  put_mpint(blob, e);
  put_mpint(blob, n);
  return blob;
}

struct RsaNumbers {
  Bn e, n;
};

// e and n of a blob, which must be exactly the canonical encoding of a positive e and n.
std::optional<RsaNumbers> blob_numbers(std::string_view blob) {
  std::string_view in = blob, type, e, n;
  if (!get_string(in, type) || type != "ssh-rsa" || !get_string(in, e) || !get_string(in, n) ||
      !in.empty())
    return std::nullopt;
  RsaNumbers r{Bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()),
                            static_cast<int>(e.size()), nullptr)),
               Bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()),
                            static_cast<int>(n.size()), nullptr))};
  if (!r.e || !r.n || BN_is_zero(r.e.get()) || BN_is_zero(r.n.get())) return std::nullopt;
  if (rsa_blob(r.e.get(), r.n.get()) != blob) return std::nullopt;  // negative or padded
  return r;
}

Key numbers_key(const RsaNumbers& r) {
  std::unique_ptr<OSSL_PARAM_BLD, ossl::Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>> bld(
      OSSL_PARAM_BLD_new());
  if (!bld || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, r.n.get()) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, r.e.get()))
    return nullptr;
  std::unique_ptr<OSSL_PARAM, ossl::Deleter<OSSL_PARAM, OSSL_PARAM_free>> params(
      OSSL_PARAM_BLD_to_param(bld.get()));
  std::unique_ptr<EVP_PKEY_CTX, ossl::Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0) {
    ERR_clear_error();
    return nullptr;
  }
  return Key(key);
}

std::unexpected<Error> invalid_key(std::string message = "Unable to parse the public key.") {
  ERR_clear_error();
  return fail(ErrorCode::kInvalidPublicKey, std::move(message));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

Result<RsaNumbers> pem_numbers(std::string_view text) {
  // A public key only: a private key's PEM would yield its public half, and the upload would
  // then keep the private key as the key's "body".
  if (!text.starts_with("-----BEGIN PUBLIC KEY-----") &&
      !text.starts_with("-----BEGIN RSA PUBLIC KEY-----"))
    return invalid_key();
  EVP_PKEY* raw = nullptr;
  std::unique_ptr<OSSL_DECODER_CTX, ossl::Deleter<OSSL_DECODER_CTX, OSSL_DECODER_CTX_free>> dctx(
      OSSL_DECODER_CTX_new_for_pkey(&raw, "PEM", nullptr, "RSA", EVP_PKEY_PUBLIC_KEY, nullptr,
                                    nullptr));
  const auto* data = reinterpret_cast<const unsigned char*>(text.data());
  size_t len = text.size();
  if (!dctx || !OSSL_DECODER_from_data(dctx.get(), &data, &len) || !raw) return invalid_key();
  Key key(raw);
  BIGNUM* n = nullptr;
  BIGNUM* e = nullptr;
  if (!EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_RSA_N, &n) ||
      !EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_RSA_E, &e)) {
    BN_free(n);
    BN_free(e);
    return invalid_key();
  }
  return RsaNumbers{Bn(e), Bn(n)};
}

}  // namespace

Result<CertificateInfo> parse_certificate(std::string_view pem) {
  Bio bio = memory(pem);
  Cert cert = bio ? read_certificate(bio.get()) : nullptr;
  if (!cert) return malformed(std::string(kUnparsable));
  int n = i2d_X509(cert.get(), nullptr);
  if (n <= 0) return malformed(std::string(kUnparsable));
  CertificateInfo info;
  info.der.resize(static_cast<size_t>(n));
  auto* p = reinterpret_cast<unsigned char*>(info.der.data());
  i2d_X509(cert.get(), &p);
  info.not_before = to_time(X509_get0_notBefore(cert.get()));
  info.not_after = to_time(X509_get0_notAfter(cert.get()));
  return info;
}

Status check_server_certificate(std::string_view body_pem, std::string_view private_key_pem,
                                std::string_view chain_pem) {
  Bio body_bio = memory(body_pem);
  Cert body = body_bio ? read_certificate(body_bio.get()) : nullptr;
  if (!body) return malformed(std::string(kUnparsable));

  Bio key_bio = memory(private_key_pem);
  Key key(key_bio ? PEM_read_bio_PrivateKey(key_bio.get(), nullptr, no_passphrase, nullptr)
                  : nullptr);
  if (!key)
    return malformed(
        "Unable to parse private key. Please ensure the private key is in PEM "
        "format.");
  if (EVP_PKEY_eq(X509_get0_pubkey(body.get()), key.get()) != 1) {
    ERR_clear_error();
    return fail(ErrorCode::kKeyPairMismatch,
                "The private key did not match the public key provided.");
  }

  if (chain_pem.empty()) return {};
  const size_t n = count(chain_pem, "-----BEGIN CERTIFICATE-----");
  Bio chain_bio = memory(chain_pem);
  std::vector<Cert> chain;
  for (size_t i = 0; i < n && chain_bio; ++i) {
    Cert c = read_certificate(chain_bio.get());
    if (!c) break;
    chain.push_back(std::move(c));
  }
  if (n == 0 || chain.size() != n)
    return malformed(
        "Unable to parse certificate chain. Please ensure the certificate chain is "
        "in PEM format.");
  // Index -1 is the body: the certificate whose issuer is not the one that follows it.
  for (size_t i = 0; i < chain.size(); ++i) {
    X509* child = i == 0 ? body.get() : chain[i - 1].get();
    X509* parent = chain[i].get();
    if (X509_check_issued(parent, child) != X509_V_OK ||
        X509_verify(child, X509_get0_pubkey(parent)) != 1)
      return malformed(
          "Unable to validate certificate chain. The certificate chain must start with the "
          "immediate signing certificate, followed by any intermediaries in order. The index "
          "within the chain of the invalid certificate is: " +
          std::to_string(static_cast<long>(i) - 1));
  }
  return {};
}

Result<SshPublicKey> parse_ssh_public_key(std::string_view text) {
  text = trim(text);
  SshPublicKey out;
  if (text.starts_with("-----BEGIN ")) {
    auto numbers = PC_TRY(pem_numbers(text));
    out.blob = rsa_blob(numbers.e.get(), numbers.n.get());
    out.bits = BN_num_bits(numbers.n.get());
  } else if (text.starts_with("ssh-rsa ") || text.starts_with("ssh-rsa\t")) {
    std::string_view rest = trim(text.substr(7));
    std::string_view b64 = rest.substr(0, rest.find_first_of(" \t\r\n"));
    auto blob = base64_decode(b64);
    if (!blob) return invalid_key();
    auto numbers = blob_numbers(*blob);
    if (!numbers) return invalid_key();
    out.blob = std::move(*blob);
    out.bits = BN_num_bits(numbers->n.get());
  } else {
    return fail(ErrorCode::kUnrecognizedPublicKeyEncoding,
                "The public key encoding format is unsupported or unrecognized. The key must be "
                "in ssh-rsa or PEM format.");
  }
  if (out.bits < 2048)
    return invalid_key("The public key must be an RSA key of at least 2048 bits.");
  return out;
}

std::string ssh_encoding(const SshPublicKey& key) { return "ssh-rsa " + base64_encode(key.blob); }

Result<std::string> pem_encoding(const SshPublicKey& key) {
  auto numbers = blob_numbers(key.blob);
  Key pkey = numbers ? numbers_key(*numbers) : nullptr;
  Bio bio(BIO_new(BIO_s_mem()));
  if (!pkey || !bio || !PEM_write_bio_PUBKEY(bio.get(), pkey.get())) {
    ERR_clear_error();
    return fail(ErrorCode::kInternal, "public key encoding failed");
  }
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, n > 0 ? static_cast<size_t>(n) : 0);
}

std::string md5_fingerprint(const SshPublicKey& key) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(key.blob.data(), key.blob.size(), md, &len, EVP_md5(), nullptr);
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    if (i) out += ':';
    out += hex_encode(std::string_view(reinterpret_cast<const char*>(md + i), 1));
  }
  return out;
}

}  // namespace portcullis::crypto
