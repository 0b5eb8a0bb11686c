// Signs outgoing requests with SigV4, in the header form or the presigned query form.
// Used by `portcullis curl`, by tests, and later by integrations that call AWS-style services.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"

namespace portcullis::sigv4 {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
};

struct SigningParams {
  std::string region;
  std::string service;
  SystemTime time;
  bool presign = false;
  std::chrono::seconds expires{3600};  // presigned form only
  bool normalize_path = true;          // false for S3-style services
  bool content_sha256_header = false;  // add x-amz-content-sha256 (header form)
  bool unsigned_payload = false;
  bool sign_session_token = true;  // false: the token is added after signing
};

// A request about to be sent. `path` and `query` are as they will appear on the wire
// (already percent-encoded); header names keep their case.
struct OutgoingRequest {
  std::string method = "GET";
  std::string path = "/";
  std::string query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct SigningResult {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;
};

// Adds the date, token and signature (as headers or query parameters) to `request`. Every
// header already present (Host included, which must be) is signed.
SigningResult sign(OutgoingRequest& request, const Credentials& credentials,
                   const SigningParams& params);

}  // namespace portcullis::sigv4
