// `portcullis curl`: a SigV4-signing HTTP client for calling IAM-protected APIs from a shell.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace portcullis::app {

struct CurlOptions {
  std::string url;
  std::string method;                // empty: GET, or POST when data is given
  std::vector<std::string> headers;  // "Name: value"
  std::string data;                  // -d / --data-binary; "@file" reads a file
  bool include_headers = false;      // -i
  bool fail_on_error = false;        // -f
  std::string service = "execute-api";
  std::string region;   // empty: AWS_REGION, AWS_DEFAULT_REGION, then us-east-1
  std::string profile;  // empty: AWS_PROFILE, then default
  int timeout_seconds = 30;
};

int curl(const CurlOptions& options);

}  // namespace portcullis::app
