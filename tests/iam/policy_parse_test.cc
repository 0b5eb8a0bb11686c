// Parsing and validation of policy documents, with AWS's messages.
#include <gtest/gtest.h>

#include "iam/policy/policy.h"

namespace portcullis::iam {
namespace {

std::string error_of(std::string_view doc, PolicyKind kind = PolicyKind::kIdentity) {
  auto p = parse_policy(doc, kind);
  if (p) return "";
  EXPECT_EQ(p.error().code, ErrorCode::kMalformedPolicyDocument);
  return p.error().message;
}

TEST(PolicyParse, StatementAsObjectOrArray) {
  auto a = parse_policy(
      R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}})",
      PolicyKind::kIdentity);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->statements.size(), 1u);
  EXPECT_TRUE(a->variables);
  auto b = parse_policy(
      R"({"Statement":[{"Sid":"A1","Effect":"Deny","NotAction":["iam:*","S3:Get*"],"NotResource":"arn:aws:s3:::b/*"}]})",
      PolicyKind::kIdentity);
  ASSERT_TRUE(b.has_value());
  EXPECT_FALSE(b->variables);  // no Version: the 2008-10-17 rules, no variables
  EXPECT_TRUE(b->statements[0].not_action);
  EXPECT_EQ(b->statements[0].actions[1], "s3:get*");
  EXPECT_TRUE(b->statements[0].not_resource);
}

TEST(PolicyParse, Errors) {
  EXPECT_EQ(error_of("{"), "Syntax errors in policy.");
  EXPECT_EQ(error_of("[]"), "Syntax errors in policy.");
  EXPECT_EQ(error_of(R"({"Version":"2012-10-17"})"), "Syntax errors in policy.");
  EXPECT_EQ(error_of(R"({"Version":"2012-10-17","Statement":[]})"), "Syntax errors in policy.");
  EXPECT_EQ(
      error_of(
          R"({"Version":"2013-01-01","Statement":{"Effect":"Allow","Action":"a:b","Resource":"*"}})"),
      "The policy must contain a valid version string");
  EXPECT_EQ(error_of(R"({"Statement":{"Effect":"Allow","Action":"a:b","Resource":"*","Foo":1}})"),
            "Syntax errors in policy.");
  EXPECT_EQ(error_of(R"({"Statement":{"Effect":"Allow","Resource":"*"}})"),
            "Policy statement must contain actions.");
  EXPECT_EQ(error_of(R"({"Statement":{"Effect":"Allow","Action":"a:b"}})"),
            "Policy statement must contain resources.");
  EXPECT_EQ(error_of(R"({"Statement":{"Effect":"Allow","Action":"ab","Resource":"*"}})"),
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
  EXPECT_EQ(error_of(R"({"Statement":{"Effect":"Allowed","Action":"a:b","Resource":"*"}})"),
            "Invalid effect: Allowed");
  EXPECT_EQ(error_of(R"({"Statement":{"Effect":"Allow","Action":"a:b","Resource":"bucket"}})"),
            "Resource bucket must be in ARN format or \"*\".");
  EXPECT_EQ(
      error_of(R"({"Statement":{"Effect":"Allow","Action":"a:b","Resource":"*","Principal":"*"}})"),
      "Policy document should not specify a principal.");
  EXPECT_EQ(
      error_of(R"({"Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}})", PolicyKind::kTrust),
      "Missing required field Principal");
  EXPECT_EQ(
      error_of(
          R"({"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*","Principal":"*"}})",
          PolicyKind::kTrust),
      "Has prohibited field Resource");
  EXPECT_EQ(
      error_of(
          R"({"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"AWS":"bob"}}})",
          PolicyKind::kTrust),
      "Invalid principal in policy: \"AWS\":\"bob\"");
  EXPECT_EQ(
      error_of(R"({"Statement":{"Sid":"a-b","Effect":"Allow","Action":"a:b","Resource":"*"}})"),
      "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the "
      "regular expression [0-9A-Za-z]*");
  EXPECT_EQ(error_of(R"({"Statement":[{"Sid":"a","Effect":"Allow","Action":"a:b","Resource":"*"},
                                      {"Sid":"a","Effect":"Deny","Action":"a:b","Resource":"*"}]})"),
            "Statement IDs (SID) in a single policy must be unique.");
  EXPECT_EQ(
      error_of(
          R"({"Statement":{"Effect":"Allow","Action":"a:b","Resource":"*","Condition":{"StringEqualz":{"a:b":"c"}}}})"),
      "Invalid Condition type : StringEqualz.");
  EXPECT_EQ(
      error_of(
          R"({"Statement":{"Effect":"Allow","Action":"a:b","Resource":"*","Condition":{"NullIfExists":{"a:b":"true"}}}})"),
      "Invalid Condition type : NullIfExists.");
  EXPECT_EQ(
      error_of(
          R"({"Statement":{"Effect":"Allow","Action":"a:b","Resource":"*","Condition":{"NumericLessThan":{"a:b":"ten"}}}})"),
      "Invalid value for Condition operator NumericLessThan on key a:b: 'ten'");
  EXPECT_EQ(
      error_of(
          R"({"Statement":{"Effect":"Allow","Action":"a:b","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}}})"),
      "Invalid value for Condition operator IpAddress on key aws:SourceIp: '10.0.0.0/33'");
  EXPECT_EQ(
      error_of(
          R"({"Statement":{"Effect":"Allow","Action":"a:b","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"tomorrow"}}}})"),
      "Invalid value for Condition operator DateLessThan on key aws:CurrentTime: 'tomorrow'");
  EXPECT_EQ(
      error_of(
          R"({"Statement":{"Effect":"Allow","Action":"a:b","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"yes"}}}})"),
      "Invalid value for Condition operator Bool on key aws:SecureTransport: 'yes'");
  EXPECT_EQ(
      error_of(
          R"({"Statement":{"Effect":"Allow","Action":"a:b","NotAction":"c:d","Resource":"*"}})"),
      "Syntax errors in policy.");
}

TEST(PolicyParse, ConditionValuesMayBeScalars) {
  auto p = parse_policy(
      R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"a:b","Resource":"*",
          "Condition":{"NumericLessThan":{"s3:max-keys":10},"Bool":{"aws:SecureTransport":true},
                       "ForAnyValue:StringLike":{"aws:TagKeys":["a*","b"]}}}})",
      PolicyKind::kIdentity);
  ASSERT_TRUE(p.has_value()) << p.error().message;
  const auto& c = p->statements[0].conditions;
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0].values[0].number, 10);
  EXPECT_TRUE(c[1].values[0].boolean);
  EXPECT_EQ(c[2].set, SetQualifier::kForAnyValue);
  EXPECT_EQ(c[2].key, "aws:tagkeys");
}

TEST(PolicyParse, Principals) {
  auto p = parse_policy(
      R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRoleWithSAML",
          "Principal":{"Federated":"arn:aws:iam::123456789012:saml-provider/idp",
                       "AWS":["123456789012","arn:aws:iam::123456789012:role/r"],
                       "Service":"lambda.amazonaws.com"}}})",
      PolicyKind::kTrust);
  ASSERT_TRUE(p.has_value()) << p.error().message;
  const PrincipalSet& s = p->statements[0].principals;
  EXPECT_EQ(s.federated.size(), 1u);
  EXPECT_EQ(s.aws.size(), 2u);
  EXPECT_EQ(s.service[0], "lambda.amazonaws.com");
  EXPECT_FALSE(s.any);
}

}  // namespace
}  // namespace portcullis::iam
