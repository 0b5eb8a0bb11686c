// Verification of signed SAML responses with the hardened profile. The fixture
// (tests/data/saml/response-signed.xml) is response-template.xml signed by xmlsec1 with the
// test IdP key; the attacks below are built from it.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/encoding.h"
#include "federation/saml/metadata.h"
#include "federation/saml/response.h"

namespace portcullis::federation::saml {
namespace {

std::string read(const std::string& name) {
  std::ifstream in(std::string(PORTCULLIS_TEST_DATA) + "/saml/" + name);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

VerifyRules rules() {
  auto m = parse_metadata(read("idp-metadata.xml"));
  VerifyRules r;
  r.certificates = m->signing_certificates;
  r.issuer = m->entity_id;
  r.audiences = {"https://signin.aws.amazon.com/saml", "urn:amazon:webservices"};
  r.recipient = "https://signin.aws.amazon.com/saml";
  return r;
}

const SystemTime kInside = *parse_iso8601("2026-01-01T00:01:00Z");

Result<Assertion> verify_xml(const std::string& xml, SystemTime now = kInside) {
  return verify_response(base64_encode(xml), rules(), now);
}

std::string replace(std::string s, std::string_view from, std::string_view to) {
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

TEST(SamlResponse, AcceptsTheSignedResponse) {
  auto a = verify_xml(read("response-signed.xml"));
  ASSERT_TRUE(a.has_value()) << a.error().message;
  EXPECT_EQ(a->id, "_assert1");
  EXPECT_EQ(a->subject, "alice");
  EXPECT_EQ(a->issuer, "https://idp.example.test/saml");
  EXPECT_EQ(a->audience, "https://signin.aws.amazon.com/saml");
  ASSERT_EQ(a->attributes["https://aws.amazon.com/SAML/Attributes/Role"].size(), 1u);
  EXPECT_EQ(a->attributes["https://aws.amazon.com/SAML/Attributes/RoleSessionName"][0],
            "alice@example.test");
}

TEST(SamlResponse, TimeWindows) {
  std::string xml = read("response-signed.xml");
  auto late = verify_xml(xml, *parse_iso8601("2026-01-01T00:11:00Z"));
  ASSERT_FALSE(late.has_value());
  auto early = verify_xml(xml, *parse_iso8601("2025-12-31T23:50:00Z"));
  ASSERT_FALSE(early.has_value());
  EXPECT_EQ(early.error().code, ErrorCode::kExpiredIdentityToken);
  // Within the 5-minute skew on either side.
  EXPECT_TRUE(verify_xml(xml, *parse_iso8601("2025-12-31T23:56:00Z")).has_value());
  EXPECT_TRUE(verify_xml(xml, *parse_iso8601("2026-01-01T00:09:00Z")).has_value());
}

TEST(SamlResponse, RejectsTamperingAndAttacks) {
  const std::string good = read("response-signed.xml");
  const std::string assertion_start = "<saml:Assertion ";
  const size_t a0 = good.find(assertion_start);
  const size_t a1 = good.find("</saml:Assertion>") + 17;
  const std::string signed_assertion = good.substr(a0, a1 - a0);
  const std::string evil_assertion =
      replace(replace(signed_assertion, ">alice<", ">mallory<"), "ID=\"_assert1\"", "ID=\"_evil\"");
  const std::string unsigned_evil =
      evil_assertion.substr(0, evil_assertion.find("<ds:Signature")) +
      evil_assertion.substr(evil_assertion.find("</ds:Signature>") + 15);

  struct Attack {
    const char* name;
    std::string xml;
  };
  std::vector<Attack> attacks = {
      {"changed NameID", replace(good, ">alice<", ">mallory<")},
      {"changed role", replace(good, "role/reader", "role/admin")},
      {"signature stripped",
       good.substr(0, good.find("<ds:Signature")) + good.substr(good.find("</ds:Signature>") + 15)},
      {"XSW: unsigned assertion beside the signed one",
       good.substr(0, a0) + unsigned_evil + good.substr(a0)},
      {"XSW: signed assertion wrapped in Extensions, evil one in place",
       good.substr(0, a0) + "<samlp:Extensions>" + signed_assertion + "</samlp:Extensions>" +
           unsigned_evil + good.substr(a1)},
      {"XSW: evil assertion inside the signed one",
       replace(good, "<saml:Subject>", unsigned_evil + "<saml:Subject>")},
      {"comment in NameID", replace(good, ">alice<", ">alice<!--x-->.evil<")},
      {"processing instruction", replace(good, "<saml:Subject>", "<?pi x?><saml:Subject>")},
      {"CDATA", replace(good, ">alice<", "><![CDATA[alice]]><")},
      {"DOCTYPE", "<!DOCTYPE r [<!ENTITY e \"x\">]>" + good},
      {"billion laughs",
       "<!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>" + good},
      {"duplicate IDs", replace(good, "ID=\"_resp1\"", "ID=\"_assert1\"")},
      {"signature referencing another element",
       replace(good, "URI=\"#_assert1\"", "URI=\"#_resp1\"")},
      {"wrong audience", replace(good, "<saml:Audience>https://signin.aws.amazon.com/saml<",
                                 "<saml:Audience>https://other.example<")},
      {"wrong recipient", replace(good, "Recipient=\"https://signin.aws.amazon.com/saml\"",
                                  "Recipient=\"https://other.example/\"")},
      {"wrong issuer", replace(good, "<saml:Issuer>https://idp.example.test/saml</saml:Issuer><ds:",
                               "<saml:Issuer>https://evil.example</saml:Issuer><ds:")},
      {"not a Response", "<x/>"},
      {"not XML", "garbage"},
      {"weak digest", replace(good, "http://www.w3.org/2001/04/xmlenc#sha256",
                              "http://www.w3.org/2000/09/xmldsig#sha1")},
      {"dangerous transform",
       replace(good, "<ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>",
               "<ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xslt-19991116\"/>")},
  };
  for (const Attack& attack : attacks) {
    auto r = verify_xml(attack.xml);
    EXPECT_FALSE(r.has_value()) << attack.name;
  }
  // A certificate carried in KeyInfo is never trusted: another key fails.
  VerifyRules other = rules();
  other.certificates = {};
  EXPECT_FALSE(verify_response(base64_encode(good), other, kInside).has_value());
  // Oversized input is refused before parsing.
  EXPECT_FALSE(verify_response(std::string(200000, 'A'), rules(), kInside).has_value());
}

}  // namespace
}  // namespace portcullis::federation::saml
