// Verifies SigV4-signed requests in two steps, so that looking up who owns an access key stays
// outside this module: parse() checks the structure, the scope and the clock; verify()
// checks the signature with the secret the caller found for the access key.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "http/message.h"

namespace portcullis::sigv4 {

enum class Form { kHeader, kQuery };

struct VerifyOptions {
  std::string_view service;              // the scope's service must be this
  std::span<const std::string> regions;  // the scope's region must be one of these
  std::chrono::seconds max_skew{300};
  std::chrono::seconds max_presign_expiry{604800};
  bool echo_canonical = false;  // add the expected canonical request to a mismatch message
  // UNSIGNED-PAYLOAD is refused unless allowed: for the Query services the body is the whole
  // operation, and must be signed.
  bool allow_unsigned_payload = false;
};

// What the Authorization header (or the presigned query) says.
struct ParsedAuth {
  Form form = Form::kHeader;
  std::string access_key_id;
  std::string date;  // YYYYMMDD of the scope
  std::string region;
  std::string service;
  std::string amz_date;  // the request time, ISO-8601 basic
  SystemTime time;
  std::string signed_headers;  // as given, ';'-separated
  std::string signature;
  std::string session_token;   // X-Amz-Security-Token, header or query
  std::string content_sha256;  // x-amz-content-sha256, when sent
};

// The service named in the request's credential scope, if the request is signed at all.
std::optional<std::string> scope_service(const http::Request& request);
// Whether the request carries any SigV4 authentication (header or query form).
bool has_authentication(const http::Request& request);

Result<ParsedAuth> parse(const http::Request& request, const VerifyOptions& options,
                         SystemTime now);

// Checks the signature with `secret` and answers the path it covers: the request's path, or, for
// a client that signed the path encoded only once, that path percent-decoded once ("/a%2Fb"
// signed as "/a/b"). Whoever routes or authorizes on the path must use this one. Signing keys
// are cached per thread by (access key id, date, region, service).
Result<std::string> verify(const http::Request& request, const ParsedAuth& auth,
                           std::string_view secret, const VerifyOptions& options);

}  // namespace portcullis::sigv4
