// The AWS SigV4 test suite (aws-c-auth, Apache-2.0; tests/data/sigv4/aws-c-auth): every case
// signed in the header and the query form, compared with the expected canonical request,
// string to sign and signature; then the signed requests are checked by the verifier.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/encoding.h"
#include "sigv4/canonical.h"
#include "sigv4/signer.h"
#include "sigv4/verifier.h"

namespace portcullis::sigv4 {
namespace {

namespace fs = std::filesystem;
const fs::path kSuite = fs::path(PORTCULLIS_TEST_DATA) / "sigv4/aws-c-auth/v4";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct RawRequest {
  std::string method, path, query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// The suite's request files: "METHOD target HTTP/1.1", "Name:value" lines (continuation lines
// start with whitespace), an empty line, the body.
RawRequest read_request(const std::string& text) {
  RawRequest r;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  r.method = line.substr(0, line.find(' '));
  std::string target = line.substr(line.find(' ') + 1, line.rfind(' ') - line.find(' ') - 1);
  size_t q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string::npos) r.query = target.substr(q + 1);
  while (std::getline(in, line)) {
    if (line.empty()) break;
    if (line[0] == ' ' || line[0] == '\t') {
      r.headers.back().second += " " + line.substr(line.find_first_not_of(" \t"));
      continue;
    }
    size_t colon = line.find(':');
    r.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  std::ostringstream rest;
  rest << in.rdbuf();
  r.body = rest.str();
  return r;
}

struct Case {
  std::string name;
  boost::json::object context;
  RawRequest request;
  Credentials creds;
  SigningParams params;
};

Case load(const std::string& name) {
  Case c;
  c.name = name;
  c.context = boost::json::parse(slurp(kSuite / name / "context.json")).as_object();
  c.request = read_request(slurp(kSuite / name / "request.txt"));
  const auto& cr = c.context.at("credentials").as_object();
  c.creds.access_key_id = cr.at("access_key_id").as_string().c_str();
  c.creds.secret_access_key = cr.at("secret_access_key").as_string().c_str();
  if (cr.contains("token")) c.creds.session_token = cr.at("token").as_string().c_str();
  c.params.region = c.context.at("region").as_string().c_str();
  c.params.service = c.context.at("service").as_string().c_str();
  c.params.time = *parse_iso8601(c.context.at("timestamp").as_string().c_str());
  c.params.normalize_path = c.context.at("normalize").as_bool();
  c.params.content_sha256_header = c.context.at("sign_body").as_bool();
  c.params.expires = std::chrono::seconds(c.context.at("expiration_in_seconds").as_int64());
  if (c.context.contains("omit_session_token"))
    c.params.sign_session_token = !c.context.at("omit_session_token").as_bool();
  return c;
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(kSuite)) names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

class SuiteTest : public ::testing::TestWithParam<std::string> {};

void expect_signing(const Case& c, bool presign) {
  const std::string prefix = presign ? "query-" : "header-";
  OutgoingRequest req{c.request.method, c.request.path, c.request.query, c.request.headers,
                      c.request.body};
  SigningParams params = c.params;
  params.presign = presign;
  SigningResult r = sign(req, c.creds, params);
  EXPECT_EQ(r.canonical_request, slurp(kSuite / c.name / (prefix + "canonical-request.txt")));
  EXPECT_EQ(r.string_to_sign, slurp(kSuite / c.name / (prefix + "string-to-sign.txt")));
  EXPECT_EQ(r.signature, slurp(kSuite / c.name / (prefix + "signature.txt")));

  RawRequest expected = read_request(slurp(kSuite / c.name / (prefix + "signed-request.txt")));
  EXPECT_EQ(req.query, expected.query);
  std::vector<std::pair<std::string, std::string>> got_headers = req.headers;
  std::sort(got_headers.begin(), got_headers.end());
  std::sort(expected.headers.begin(), expected.headers.end());
  EXPECT_EQ(got_headers, expected.headers);
}

TEST_P(SuiteTest, HeaderForm) { expect_signing(load(GetParam()), false); }
TEST_P(SuiteTest, QueryForm) { expect_signing(load(GetParam()), true); }

// The signed requests of the suite, sent as a client would send them (path percent-encoded),
// pass the verifier. The suite's unnormalized cases are S3-style paths, which the services
// Portcullis serves always normalize: they must fail. So must a presigned URL whose session
// token was added after signing: every query parameter of a presigned URL is signed.
TEST_P(SuiteTest, VerifierAcceptsSignedRequests) {
  Case c = load(GetParam());
  std::vector<std::string> regions{c.params.region};
  VerifyOptions opt;
  opt.service = c.params.service;
  opt.regions = regions;
  for (const char* form : {"header-", "query-"}) {
    RawRequest s =
        read_request(slurp(kSuite / c.name / (std::string(form) + "signed-request.txt")));
    std::string target = uri_encode(s.path, true) + (s.query.empty() ? "" : "?" + s.query);
    http::Request req = http::Request::make(s.method, target, s.headers, s.body);
    auto parsed = parse(req, opt, c.params.time);
    ASSERT_TRUE(parsed.has_value()) << form << ": " << parsed.error().message;
    auto st = verify(req, *parsed, c.creds.secret_access_key, opt);
    bool already_normal = normalize_path(c.request.path) == c.request.path;
    bool unsigned_query_token = std::string(form) == "query-" && !c.params.sign_session_token;
    if ((c.params.normalize_path || already_normal) && !unsigned_query_token) {
      EXPECT_TRUE(st.has_value()) << form << ": " << st.error().message;
    } else {
      EXPECT_FALSE(st.has_value()) << form;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AwsCAuth, SuiteTest, ::testing::ValuesIn(case_names()),
                         [](const auto& info) {
                           std::string n = info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

TEST(SuiteData, HasAllCases) { EXPECT_EQ(case_names().size(), 38u); }

}  // namespace
}  // namespace portcullis::sigv4
