// A small blocking HTTP/1.1 client for command-line tools (`portcullis curl`): one request per
// connection, plain TCP, a timeout on every step.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace portcullis::http {

struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;    // without brackets
  uint16_t port = 80;
  std::string path = "/";         // as given (already encoded)
  std::string query;              // without '?'
  std::string authority() const;  // host[:port], as the Host header carries it
};

Result<Url> parse_url(std::string_view url);

struct ClientRequest {
  std::string method = "GET";
  std::string target = "/";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // https: a server certificate chain is trusted when one of its certificates has one of
  // these SHA-1 thumbprints (hex), or else when the system's CAs verify it.
  std::vector<std::string> tls_thumbprints;
  size_t max_response_bytes = 8 * 1024 * 1024;
};

struct ClientResponse {
  int status = 0;
  std::string status_line;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

Result<ClientResponse> fetch(const Url& url, const ClientRequest& request,
                             std::chrono::milliseconds timeout);

}  // namespace portcullis::http
