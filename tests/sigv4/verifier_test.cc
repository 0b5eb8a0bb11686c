// Every error path of the SigV4 verifier, with an injected time.
#include "sigv4/verifier.h"

#include <gtest/gtest.h>

#include "core/encoding.h"
#include "sigv4/canonical.h"
#include "sigv4/signer.h"

namespace portcullis::sigv4 {
namespace {

using std::chrono::seconds;

const Credentials kCreds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
const SystemTime kT = *parse_amz_date("20260301T120000Z");

struct Signed {
  OutgoingRequest out;
  SigningResult result;
  http::Request request() const {
    return http::Request::make(out.method, out.path + (out.query.empty() ? "" : "?" + out.query),
                               out.headers, out.body);
  }
};

Signed make_signed(SigningParams p = {"us-east-1", "sts", kT}, std::string path = "/",
                   std::string body = "Action=GetCallerIdentity", Credentials creds = kCreds) {
  Signed s;
  s.out.method = "POST";
  s.out.path = std::move(path);
  s.out.headers = {{"Host", "localhost:4566"},
                   {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  s.out.body = std::move(body);
  s.result = sign(s.out, creds, p);
  return s;
}

class VerifierTest : public ::testing::Test {
 protected:
  VerifierTest() {
    opt.service = "sts";
    opt.regions = regions;
    opt.max_skew = seconds(900);
  }
  Status check(const http::Request& r, SystemTime now,
               std::string_view secret = kCreds.secret_access_key) {
    auto parsed = parse(r, opt, now);
    if (!parsed) return std::unexpected(parsed.error());
    PC_TRY(verify(r, *parsed, secret, opt));
    return {};
  }
  std::vector<std::string> regions{"us-east-1"};
  VerifyOptions opt;
};

http::Request with_header(const http::Request& r, std::string_view name, std::string value) {
  std::vector<std::pair<std::string, std::string>> fields;
  bool replaced = false;
  for (size_t i = 0; i < r.field_count(); ++i) {
    if (iequals(r.field_name(i), name)) {
      if (!replaced && !value.empty()) fields.emplace_back(std::string(r.field_name(i)), value);
      replaced = true;
    } else {
      fields.emplace_back(std::string(r.field_name(i)), std::string(r.field_value(i)));
    }
  }
  if (!replaced && !value.empty()) fields.emplace_back(std::string(name), std::move(value));
  return http::Request::make(r.method(), r.target(), fields, r.body);
}

TEST_F(VerifierTest, AcceptsAValidRequest) {
  EXPECT_TRUE(check(make_signed().request(), kT).has_value());
}

TEST_F(VerifierTest, SkewBoundaries) {
  http::Request r = make_signed().request();
  EXPECT_TRUE(check(r, kT + seconds(900)).has_value());
  EXPECT_TRUE(check(r, kT - seconds(900)).has_value());
  auto late = check(r, kT + seconds(901));
  ASSERT_FALSE(late.has_value());
  EXPECT_EQ(late.error().code, ErrorCode::kSignatureExpired);
  EXPECT_EQ(late.error().message,
            "Signature expired: 20260301T120000Z is now earlier than 20260301T120001Z "
            "(20260301T121501Z - 15 min.)");
  auto early = check(r, kT - seconds(901));
  ASSERT_FALSE(early.has_value());
  EXPECT_EQ(early.error().message,
            "Signature not yet current: 20260301T120000Z is still later than 20260301T115959Z "
            "(20260301T114459Z + 15 min.)");
  opt.max_skew = seconds(300);
  auto api = check(r, kT + seconds(301));
  ASSERT_FALSE(api.has_value());
  EXPECT_NE(api.error().message.find("- 5 min.)"), std::string::npos);
}

TEST_F(VerifierTest, PresignedExpiry) {
  SigningParams p{"us-east-1", "sts", kT};
  p.presign = true;
  p.expires = seconds(60);
  http::Request r = make_signed(p).request();
  EXPECT_TRUE(check(r, kT + seconds(60)).has_value());
  auto expired = check(r, kT + seconds(61));
  ASSERT_FALSE(expired.has_value());
  EXPECT_EQ(expired.error().code, ErrorCode::kSignatureExpired);
  EXPECT_TRUE(expired.error().message.starts_with("Signature expired: 20260301T120000Z"));

  p.expires = seconds(604800);
  EXPECT_TRUE(check(make_signed(p).request(), kT).has_value());
  p.expires = seconds(604801);
  auto week = check(make_signed(p).request(), kT);
  ASSERT_FALSE(week.has_value());
  EXPECT_EQ(week.error().code, ErrorCode::kIncompleteSignature);
  EXPECT_EQ(week.error().message,
            "X-Amz-Expires must be less than a week (in seconds) that is 604800");
}

TEST_F(VerifierTest, PresignedMissingParameters) {
  http::Request r = http::Request::make(
      "GET", "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=abc", {{"Host", "h"}});
  auto st = check(r, kT);
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code, ErrorCode::kIncompleteSignature);
  http::Request alg = http::Request::make(
      "GET",
      "/?X-Amz-Algorithm=AWS4-HMAC-SHA1&X-Amz-Credential=a%2Fb%2Fc%2Fd%2Fe&X-Amz-Signature=abc"
      "&X-Amz-Date=20260301T120000Z&X-Amz-SignedHeaders=host&X-Amz-Expires=60",
      {{"Host", "h"}});
  auto st2 = check(alg, kT);
  ASSERT_FALSE(st2.has_value());
  EXPECT_NE(st2.error().message.find("X-Amz-Algorithm"), std::string::npos);
}

TEST_F(VerifierTest, MissingAuthentication) {
  http::Request r = http::Request::make("POST", "/", {{"Host", "h"}}, "Action=GetCallerIdentity");
  EXPECT_FALSE(has_authentication(r));
  auto st = check(r, kT);
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code, ErrorCode::kMissingAuthenticationToken);
}

TEST_F(VerifierTest, IncompleteAuthorizationHeader) {
  http::Request base = make_signed().request();
  auto st = check(with_header(base, "Authorization", "Bearer abc"), kT);
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code, ErrorCode::kIncompleteSignature);
  EXPECT_EQ(st.error().message,
            "Authorization header requires 'Credential' parameter. Authorization header requires "
            "'Signature' parameter. Authorization header requires 'SignedHeaders' parameter.");
  // The secret of the bearer token is not echoed.
  EXPECT_EQ(st.error().message.find("abc"), std::string::npos);

  auto no_date = check(with_header(base, "X-Amz-Date", ""), kT);
  ASSERT_FALSE(no_date.has_value());
  EXPECT_EQ(no_date.error().message,
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
            "header.");

  auto four = check(with_header(base, "Authorization",
                                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260301/us-east-1/sts, "
                                "SignedHeaders=host;x-amz-date, Signature=00"),
                    kT);
  ASSERT_FALSE(four.has_value());
  EXPECT_EQ(four.error().message,
            "Credential must have exactly 5 slash-delimited elements, e.g. "
            "keyid/date/region/service/term, got 'AKIDEXAMPLE/20260301/us-east-1/sts'");

  auto bad_date = check(with_header(base, "X-Amz-Date", "2026-03-01T12:00:00Z"), kT);
  ASSERT_FALSE(bad_date.has_value());
  EXPECT_EQ(bad_date.error().code, ErrorCode::kIncompleteSignature);
  EXPECT_TRUE(bad_date.error().message.starts_with("Date must be in ISO-8601 'basic format'."));
}

TEST_F(VerifierTest, WrongScopeReportsEveryProblem) {
  http::Request r = make_signed({"eu-west-1", "iam", kT + std::chrono::hours(24)}).request();
  // Re-date the request so that only the scope date is off.
  std::string auth(*r.header("authorization"));
  auth.replace(auth.find("aws4_request"), 12, "aws4_reqXest");
  r = with_header(r, "Authorization", auth);
  r = with_header(r, "X-Amz-Date", "20260301T120000Z");
  auto st = check(r, kT);
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code, ErrorCode::kSignatureDoesNotMatch);
  EXPECT_EQ(st.error().message,
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
            "HTTP: '20260302' != '20260301', from '20260301T120000Z'. Credential should be scoped "
            "to a valid region. Credential should be scoped to correct service: 'sts'. Credential "
            "should be scoped with a valid terminator: 'aws4_request', not 'aws4_reqXest'.");
}

TEST_F(VerifierTest, HostAndDateMustBeSigned) {
  Signed s;
  s.out.method = "GET";
  s.out.headers = {{"Host", "h"}};
  sign(s.out, kCreds, {"us-east-1", "sts", kT});
  http::Request r = s.request();
  std::string auth(*r.header("authorization"));
  std::string no_host = auth;
  no_host.replace(no_host.find("host;x-amz-date"), 15, "x-amz-date");
  auto st = check(with_header(r, "Authorization", no_host), kT);
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().message, "'Host' must be a 'SignedHeader' in the AWS Authorization.");
  std::string no_date = auth;
  no_date.replace(no_date.find("host;x-amz-date"), 15, "host");
  auto st2 = check(with_header(r, "Authorization", no_date), kT);
  ASSERT_FALSE(st2.has_value());
  EXPECT_EQ(st2.error().message, "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.");
}

TEST_F(VerifierTest, SignatureMismatchEchoesTheCanonicalRequestWhenAsked) {
  http::Request r = make_signed().request();
  auto wrong = check(r, kT, "wrong-secret-wrong-secret-wrong-secret00");
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().code, ErrorCode::kSignatureDoesNotMatch);
  EXPECT_EQ(wrong.error().message.find("Canonical String"), std::string::npos);

  opt.echo_canonical = true;
  Signed s = make_signed();
  auto echoed = check(s.request(), kT, "wrong-secret-wrong-secret-wrong-secret00");
  ASSERT_FALSE(echoed.has_value());
  EXPECT_NE(echoed.error().message.find("\n\nThe Canonical String for this request should have "
                                        "been\n'" +
                                        s.result.canonical_request +
                                        "'\n\nThe "
                                        "String-to-Sign should have been\n'" +
                                        s.result.string_to_sign + "'\n"),
            std::string::npos);
}

TEST_F(VerifierTest, BodyIsCoveredByTheSignature) {
  http::Request r = make_signed().request();
  r.body = "Action=GetCallerIdentitx";
  auto st = check(r, kT);
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code, ErrorCode::kSignatureDoesNotMatch);
}

TEST_F(VerifierTest, ContentSha256Header) {
  SigningParams p{"us-east-1", "sts", kT};
  p.content_sha256_header = true;
  http::Request r = make_signed(p).request();
  EXPECT_TRUE(check(r, kT).has_value());
  r.body += "x";
  auto st = check(r, kT);
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().message,
            "The provided 'x-amz-content-sha256' header does not match what was computed.");

  p.unsigned_payload = true;
  http::Request u = make_signed(p).request();
  u.body = "anything at all";
  // Refused unless the service allows it (the Query services' body is the operation itself).
  auto refused = check(u, kT);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kSignatureDoesNotMatch);
  opt.allow_unsigned_payload = true;
  EXPECT_TRUE(check(u, kT).has_value());
}

TEST_F(VerifierTest, AcceptsDoubleAndSingleEncodedPaths) {
  // A non-S3 signer encodes the wire path once more (botocore, the SDKs).
  SigningParams p{"us-east-1", "sts", kT};
  EXPECT_TRUE(check(make_signed(p, "/pets/a%20b/%E1%88%B4").request(), kT).has_value());
  // A signer that encodes the path only once: it signed "/pets/a b", sends "/pets/a%20b".
  Signed single = make_signed(p, "/pets/a b");
  single.out.path = "/pets/a%20b";
  EXPECT_TRUE(check(single.request(), kT).has_value());
  // Dot segments and repeated slashes are normalized before signing.
  Signed dots = make_signed(p, "/pets/./x/../y//z");
  EXPECT_TRUE(check(dots.request(), kT).has_value());
}

// The verifier says which spelling of the path the signature covered: a signature over
// "/a/b" sent as "/a%2Fb" verifies, and its path is "/a/b", not the request's.
TEST_F(VerifierTest, ReportsThePathTheSignatureCovers) {
  SigningParams p{"us-east-1", "sts", kT};
  auto verified = [&](const http::Request& r) {
    auto parsed = parse(r, opt, kT);
    EXPECT_TRUE(parsed.has_value());
    return verify(r, *parsed, kCreds.secret_access_key, opt);
  };
  Signed plain = make_signed(p, "/a%2Fb");
  auto as_sent = verified(plain.request());
  ASSERT_TRUE(as_sent.has_value());
  EXPECT_EQ(*as_sent, plain.request().path());
  Signed single = make_signed(p, "/a/b");
  single.out.path = "/a%2Fb";
  auto decoded = verified(single.request());
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, "/a/b");
}

TEST_F(VerifierTest, HttpDateHeaderInsteadOfXAmzDate) {
  OutgoingRequest out;
  out.method = "GET";
  out.headers = {{"Host", "h"}, {"Date", format_http_date(kT)}};
  const std::string scope = credential_scope("20260301", "us-east-1", "sts");
  std::string creq =
      canonical_request("GET", "/", "", "date:" + format_http_date(kT) + "\nhost:h\n", "date;host",
                        std::string(kEmptySha256));
  std::string sig = signature(signing_key(kCreds.secret_access_key, "20260301", "us-east-1", "sts"),
                              string_to_sign("20260301T120000Z", scope, creq));
  out.headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/" + scope +
                                                ", SignedHeaders=date;host, Signature=" + sig);
  http::Request r = http::Request::make("GET", "/", out.headers);
  EXPECT_TRUE(check(r, kT).has_value());
}

TEST_F(VerifierTest, SessionTokenIsReported) {
  Credentials c = kCreds;
  c.session_token = "token-123";
  auto parsed = parse(make_signed({"us-east-1", "sts", kT}, "/", "", c).request(), opt, kT);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->session_token, "token-123");
  EXPECT_EQ(parsed->access_key_id, "AKIDEXAMPLE");
}

TEST_F(VerifierTest, CachedKeyIsBoundToTheSecret) {
  http::Request r = make_signed().request();
  EXPECT_TRUE(check(r, kT).has_value());
  EXPECT_FALSE(check(r, kT, "another-secret-another-secret-another-se").has_value());
  EXPECT_TRUE(check(r, kT).has_value());
}

TEST_F(VerifierTest, ScopeService) {
  EXPECT_EQ(scope_service(make_signed().request()), "sts");
  SigningParams p{"us-east-1", "execute-api", kT};
  p.presign = true;
  EXPECT_EQ(scope_service(make_signed(p).request()), "execute-api");
  EXPECT_FALSE(scope_service(http::Request::make("GET", "/", {{"Host", "h"}})).has_value());
}

}  // namespace
}  // namespace portcullis::sigv4
