// Unit tests of the account-level IAM rules: service-linked role names, the account alias
// pattern, and the condition keys a policy document names.
#include "iam/api/account_rules.h"

#include <gtest/gtest.h>

namespace portcullis::iam::api {
namespace {

std::string role_name(std::string_view service, std::optional<std::string> suffix = {}) {
  auto r = service_linked_role_name(service, suffix);
  return r ? *r : "error: " + r.error().message;
}

TEST(ServiceLinkedRoleName, KnownServicesUseAwsNames) {
  EXPECT_EQ(role_name("elasticbeanstalk.amazonaws.com"), "AWSServiceRoleForElasticBeanstalk");
  EXPECT_EQ(role_name("spot.amazonaws.com"), "AWSServiceRoleForEC2Spot");
  EXPECT_EQ(role_name("dynamodb.application-autoscaling.amazonaws.com"),
            "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable");
  EXPECT_EQ(role_name("autoscaling.amazonaws.com", "web"), "AWSServiceRoleForAutoScaling_web");
}

TEST(ServiceLinkedRoleName, OthersAreDerivedInCamelCase) {
  EXPECT_EQ(role_name("widgets.amazonaws.com"), "AWSServiceRoleForWidgets");
  EXPECT_EQ(role_name("replication.my-store.amazonaws.com"), "AWSServiceRoleForMyStoreReplication");
  EXPECT_EQ(role_name("a-b.amazonaws.com", "x"), "AWSServiceRoleForAB_x");
}

TEST(ServiceLinkedRoleName, Refusals) {
  EXPECT_EQ(role_name("ecs.amazonaws.com", "x"),
            "error: Custom suffix is not allowed for ecs.amazonaws.com");
  for (std::string_view bad : {"ec2.amazonaws.com", "example.com", ".amazonaws.com",
                               "UPPER.amazonaws.com", "lambda.amazonaws.com", "a_b.amazonaws.com"})
    EXPECT_TRUE(role_name(bad).starts_with("error: Unrecognized service principal")) << bad;
  EXPECT_TRUE(role_name("autoscaling.amazonaws.com", std::string(40, 'x'))
                  .starts_with("error: Role name AWSServiceRoleForAutoScaling_xxx"));
}

TEST(AccountAlias, Pattern) {
  for (std::string_view ok : {"abc", "a-b", "a1-2-3", "0aa", "my-company"})
    EXPECT_TRUE(valid_account_alias(ok)) << ok;
  for (std::string_view bad : {"", "-ab", "ab-", "a--b", "Abc", "a_b", "a.b", "a b"})
    EXPECT_FALSE(valid_account_alias(bad)) << bad;
}

std::vector<std::string> keys(std::string_view doc) {
  std::vector<std::string> out;
  policy_context_keys(doc, out);
  return out;
}

TEST(ContextKeys, ConditionKeysAndVariablesInOrder) {
  EXPECT_EQ(keys(R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::b/${aws:username}/${*}"],
       "Condition":{"StringLike":{"s3:prefix":["${aws:PrincipalTag/team, 'x'}/*"]},
                    "Bool":{"aws:SecureTransport":true}}},
      {"Effect":"Deny","NotAction":"iam:*","NotResource":"arn:aws:s3:::${ aws:userid }"}]})"),
            (std::vector<std::string>{"aws:username", "s3:prefix", "aws:PrincipalTag/team",
                                      "aws:SecureTransport", "aws:userid"}));
}

TEST(ContextKeys, NoVariablesBeforeVersion2012) {
  EXPECT_EQ(keys(R"({"Statement":{"Effect":"Allow","Action":"s3:*",
      "Resource":"arn:aws:s3:::${aws:username}",
      "Condition":{"StringEquals":{"aws:SourceVpc":"${aws:username}"}}}})"),
            (std::vector<std::string>{"aws:SourceVpc"}));
  EXPECT_TRUE(keys("not json").empty());
}

}  // namespace
}  // namespace portcullis::iam::api
