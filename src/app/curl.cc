#include "app/curl.h"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/credentials_file.h"
#include "core/clock.h"
#include "core/encoding.h"
#include "http/client.h"
#include "sigv4/signer.h"

namespace portcullis::app {

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::optional<sigv4::Credentials> find_credentials(const std::string& profile_flag) {
  sigv4::Credentials c;
  c.access_key_id = env("AWS_ACCESS_KEY_ID");
  c.secret_access_key = env("AWS_SECRET_ACCESS_KEY");
  c.session_token = env("AWS_SESSION_TOKEN");
  if (!c.access_key_id.empty() && !c.secret_access_key.empty() && profile_flag.empty()) return c;
  std::string profile = !profile_flag.empty()         ? profile_flag
                        : !env("AWS_PROFILE").empty() ? env("AWS_PROFILE")
                                                      : "default";
  std::string file = env("AWS_SHARED_CREDENTIALS_FILE");
  if (file.empty()) file = env("HOME") + "/.aws/credentials";
  auto p = read_profile(file, profile);
  if (!p) return std::nullopt;
  c.access_key_id = (*p)["aws_access_key_id"];
  c.secret_access_key = (*p)["aws_secret_access_key"];
  c.session_token = (*p)["aws_session_token"];
  if (c.access_key_id.empty() || c.secret_access_key.empty()) return std::nullopt;
  return c;
}

}  // namespace

int curl(const CurlOptions& o) {
  auto url = http::parse_url(o.url);
  if (!url) {
    std::cerr << "portcullis curl: " << url.error().message << "\n";
    return 2;
  }
  auto creds = find_credentials(o.profile);
  if (!creds) {
    std::cerr << "portcullis curl: no credentials: set AWS_ACCESS_KEY_ID and "
                 "AWS_SECRET_ACCESS_KEY, or use --profile with ~/.aws/credentials\n";
    return 2;
  }

  sigv4::OutgoingRequest req;
  if (!o.data.empty() && o.data[0] == '@') {
    std::ifstream in(o.data.substr(1), std::ios::binary);
    if (!in) {
      std::cerr << "portcullis curl: cannot read " << o.data.substr(1) << "\n";
      return 2;
    }
    std::ostringstream s;
    s << in.rdbuf();
    req.body = s.str();
  } else {
    req.body = o.data;
  }
  req.method = !o.method.empty() ? o.method : (o.data.empty() ? "GET" : "POST");
  req.path = url->path;
  req.query = url->query;
  req.headers.emplace_back("Host", url->authority());
  for (const std::string& h : o.headers) {
    size_t colon = h.find(':');
    if (colon == std::string::npos || colon == 0) {
      std::cerr << "portcullis curl: malformed header '" << h << "' (expected 'Name: value')\n";
      return 2;
    }
    std::string name = h.substr(0, colon);
    std::string value = h.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    if (iequals(name, "host")) {
      req.headers.front().second = value;  // replaces the URL's authority
    } else {
      req.headers.emplace_back(std::move(name), std::move(value));
    }
  }
  if (!o.data.empty()) {
    bool has_type = false;
    for (const auto& [n, v] : req.headers) has_type |= iequals(n, "content-type");
    if (!has_type) req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  }

  sigv4::SigningParams params;
  params.region = !o.region.empty()                    ? o.region
                  : !env("AWS_REGION").empty()         ? env("AWS_REGION")
                  : !env("AWS_DEFAULT_REGION").empty() ? env("AWS_DEFAULT_REGION")
                                                       : "us-east-1";
  params.service = o.service;
  params.time = SystemClock::instance().now();
  sigv4::sign(req, *creds, params);

  http::ClientRequest out;
  out.method = req.method;
  out.target = req.path + (req.query.empty() ? "" : "?" + req.query);
  out.headers = req.headers;
  out.body = req.body;
  auto res = http::fetch(*url, out, std::chrono::seconds(o.timeout_seconds));
  if (!res) {
    std::cerr << "portcullis curl: " << res.error().message << "\n";
    return 7;
  }
  if (o.include_headers) {
    std::cout << res->status_line << "\r\n";
    for (const auto& [n, v] : res->headers) std::cout << n << ": " << v << "\r\n";
    std::cout << "\r\n";
  }
  std::cout << res->body << std::flush;
  if (o.fail_on_error && res->status >= 400) return 22;
  return 0;
}

}  // namespace portcullis::app
