#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "federation/saml/metadata.h"

namespace portcullis::federation::saml {
namespace {

std::string metadata() {
  std::ifstream in(std::string(PORTCULLIS_TEST_DATA) + "/saml/idp-metadata.xml");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(SamlMetadata, ParsesEntityIdAndSigningCertificate) {
  auto m = parse_metadata(metadata());
  ASSERT_TRUE(m.has_value()) << m.error().message;
  EXPECT_EQ(m->entity_id, "https://idp.example.test/saml");
  ASSERT_EQ(m->signing_certificates.size(), 1u);
  EXPECT_GT(m->signing_certificates[0].size(), 500u);
}

TEST(SamlMetadata, RejectsWhatIsNotSafeOrNotMetadata) {
  std::string good = metadata();
  std::string doctype = good;
  doctype.insert(doctype.find("<md:EntityDescriptor"),
                 "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>");
  std::string no_cert = good.substr(0, good.find("<md:KeyDescriptor")) +
                        good.substr(good.find("</md:KeyDescriptor>") + 19);
  std::string bad_cert = good;
  size_t at = bad_cert.find("<ds:X509Certificate>") + 20;
  bad_cert.replace(at, 8, "AAAAAAAA");
  for (const std::string& doc :
       {std::string("not xml"), doctype, no_cert, bad_cert,
        std::string("<x:EntityDescriptor xmlns:x=\"urn:other\" entityID=\"a\"/>")}) {
    auto m = parse_metadata(doc);
    ASSERT_FALSE(m.has_value()) << doc.substr(0, 80);
    EXPECT_EQ(m.error().code, ErrorCode::kInvalidInput);
    EXPECT_TRUE(m.error().message.starts_with("Could not parse metadata")) << m.error().message;
  }
}

}  // namespace
}  // namespace portcullis::federation::saml
