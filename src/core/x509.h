// Reading what users upload to IAM (OpenSSL): X.509 certificates and chains in PEM, private keys
// checked against a certificate, and RSA public keys in OpenSSH or PEM form for SSH.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace portcullis::crypto {

struct CertificateInfo {
  std::string der;  // the certificate's DER encoding: two uploads are the same when equal
  SystemTime not_before, not_after;
};

// The first certificate of a PEM text; MalformedCertificate with AWS's message otherwise.
Result<CertificateInfo> parse_certificate(std::string_view pem);

// A server certificate's parts, all PEM: the key must parse and be the certificate's, and each
// certificate of the chain must be signed by the next one, the first having signed the body.
// Errors: MalformedCertificate, KeyPairMismatch. The key is read from the caller's buffer only.
Status check_server_certificate(std::string_view body_pem, std::string_view private_key_pem,
                                std::string_view chain_pem);

// An RSA public key for SSH. `blob` is its OpenSSH wire form (string "ssh-rsa", mpint e, n).
struct SshPublicKey {
  std::string blob;
  int bits = 0;
};

// "ssh-rsa AAAA… [comment]" or a PEM public key (SubjectPublicKeyInfo or PKCS#1).
// Errors: UnrecognizedPublicKeyEncoding (neither form), InvalidPublicKey (the form is right but
// the key does not parse, is not RSA, or is shorter than 2048 bits).
Result<SshPublicKey> parse_ssh_public_key(std::string_view text);
// "ssh-rsa " + base64(blob).
std::string ssh_encoding(const SshPublicKey& key);
// "-----BEGIN PUBLIC KEY-----…" (SubjectPublicKeyInfo).
Result<std::string> pem_encoding(const SshPublicKey& key);
// MD5 of the blob, as colon-separated lower-case hex pairs (ssh-keygen -l -E md5).
std::string md5_fingerprint(const SshPublicKey& key);

}  // namespace portcullis::crypto
