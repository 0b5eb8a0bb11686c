// OpenID Connect ID tokens: JWTs verified with an identity provider's published keys (JWKS,
// found through discovery). RS256, PS256 and ES256 only; "none" and HMAC algorithms are refused.
// Knows nothing of IAM or STS: issuer, audiences and TLS trust come in as arguments.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace portcullis::federation::oidc {

struct Jwk {
  std::string kid;
  std::string kty;            // RSA or EC
  std::shared_ptr<void> key;  // EVP_PKEY
};

struct Jwt {
  boost::json::object header, claims;
  std::string alg, kid;
  std::string signing_input;  // base64url(header) "." base64url(payload)
  std::string signature;      // raw bytes
};

// Splits and decodes a compact JWT without verifying it (InvalidIdentityToken when malformed).
Result<Jwt> decode(std::string_view token);

Result<std::vector<Jwk>> parse_jwks(std::string_view json);

// Verifies the signature with the key named by the token's kid (any key of the right type when
// it has none). A key the set does not have answers kNotFound, so callers can refresh the set.
Status verify_signature(const Jwt& jwt, const std::vector<Jwk>& keys);

struct ClaimRules {
  std::string issuer;
  std::vector<std::string> audiences;  // the registered client ids
  std::chrono::seconds skew{300};
};
// iss, aud (string or array), exp, nbf and iat.
Status check_claims(const Jwt& jwt, const ClaimRules& rules, SystemTime now);

// GET {issuer}/.well-known/openid-configuration, then its jwks_uri. `thumbprints` are SHA-1
// thumbprints of certificates trusted for the provider's TLS (besides the system's CAs).
Result<std::vector<Jwk>> fetch_jwks(const std::string& issuer,
                                    const std::vector<std::string>& thumbprints,
                                    std::chrono::milliseconds timeout);

}  // namespace portcullis::federation::oidc
