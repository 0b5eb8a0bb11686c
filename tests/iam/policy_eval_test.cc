// Evaluation: actions, resources, principals, every condition operator with missing keys,
// multi-valued keys, set qualifiers and negation, policy variables, and the combination of
// identity, resource, boundary and session policies.
#include <gtest/gtest.h>

#include "iam/policy/evaluate.h"
#include "iam/policy/wildcard.h"

namespace portcullis::iam {
namespace {

Policy must_parse(std::string_view doc, PolicyKind kind = PolicyKind::kIdentity) {
  auto p = parse_policy(doc, kind);
  EXPECT_TRUE(p.has_value()) << (p ? "" : p.error().message) << "\n" << doc;
  return p ? *p : Policy{};
}

// A one-statement identity policy allowing a:b on * under one condition block.
Policy with_condition(std::string_view condition) {
  return must_parse(
      std::string(
          R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"a:b","Resource":"*","Condition":)") +
      std::string(condition) + "}}");
}

RequestContext ctx_for(std::string action = "a:b", std::string resource = "*") {
  RequestContext c;
  c.action = std::move(action);
  c.resource = std::move(resource);
  return c;
}

bool allows(const Policy& p, const RequestContext& c) { return evaluate(p, c) == Decision::kAllow; }

TEST(Wildcard, Basics) {
  EXPECT_TRUE(wildcard_match("*", ""));
  EXPECT_TRUE(wildcard_match("a*c", "abbbc"));
  EXPECT_TRUE(wildcard_match("a?c", "abc"));
  EXPECT_FALSE(wildcard_match("a?c", "ac"));
  EXPECT_TRUE(wildcard_match("*a*b*", "xxaxxbxx"));
  EXPECT_FALSE(wildcard_match("abc", "ABC"));
  EXPECT_TRUE(wildcard_match("abc", "ABC", true));
  EXPECT_TRUE(wildcard_match("a\\*", "a*", false, true));
  EXPECT_FALSE(wildcard_match("a\\*", "ab", false, true));
}

TEST(Wildcard, ArnsMatchSegmentBySegment) {
  EXPECT_TRUE(arn_match("arn:aws:iam::*:user/*", "arn:aws:iam::123456789012:user/a/b"));
  EXPECT_TRUE(arn_match("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a:b/c"));
  // A '*' in the service segment does not swallow the following segments.
  EXPECT_FALSE(arn_match("arn:aws:*:user/x", "arn:aws:iam::123456789012:user/x"));
  EXPECT_TRUE(arn_match("arn:aws:*:*:*:user/x", "arn:aws:iam::123456789012:user/x"));
  EXPECT_FALSE(arn_match("arn:aws:iam::123456789012:user/x", "*"));
  EXPECT_TRUE(arn_match("*", "*"));
  EXPECT_FALSE(arn_match("arn:aws:iam::1:user/x", "arn:aws:iam::1:user/x:y:z"));
}

TEST(Evaluate, ActionsAreCaseInsensitiveResourcesAreNot) {
  Policy p = must_parse(
      R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"IAM:Get*","Resource":"arn:aws:iam::1:user/Bob"}})");
  EXPECT_TRUE(allows(p, ctx_for("iam:getuser", "arn:aws:iam::1:user/Bob")));
  EXPECT_FALSE(allows(p, ctx_for("iam:GetUser", "arn:aws:iam::1:user/bob")));
  EXPECT_FALSE(allows(p, ctx_for("iam:ListUsers", "arn:aws:iam::1:user/Bob")));
}

TEST(Evaluate, NotActionAndNotResource) {
  Policy p = must_parse(
      R"({"Statement":{"Effect":"Allow","NotAction":"iam:*","NotResource":"arn:aws:s3:::secret/*"}})");
  EXPECT_TRUE(allows(p, ctx_for("s3:GetObject", "arn:aws:s3:::public/x")));
  EXPECT_FALSE(allows(p, ctx_for("s3:GetObject", "arn:aws:s3:::secret/x")));
  EXPECT_FALSE(allows(p, ctx_for("iam:GetUser", "arn:aws:s3:::public/x")));
}

TEST(Evaluate, ExplicitDenyWins) {
  Policy p = must_parse(R"({"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
                                          {"Effect":"Deny","Action":"iam:Delete*","Resource":"*"}]})");
  EXPECT_EQ(evaluate(p, ctx_for("iam:DeleteUser")), Decision::kDeny);
  EXPECT_EQ(evaluate(p, ctx_for("iam:GetUser")), Decision::kAllow);
  Policy none = must_parse(R"({"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}})");
  EXPECT_EQ(evaluate(none, ctx_for("iam:GetUser")), Decision::kNotApplicable);
}

struct OpCase {
  const char* condition;
  std::vector<std::string> values;  // empty: the key is absent
  bool expected;
};

void check_cases(const char* key, const std::vector<OpCase>& cases) {
  for (const OpCase& c : cases) {
    Policy p = with_condition(c.condition);
    RequestContext ctx = ctx_for();
    if (c.values.size() == 1) ctx.set(key, c.values[0]);
    if (c.values.size() > 1) ctx.set_list(key, c.values);
    std::string vals;
    for (auto& v : c.values) vals += v + ",";
    EXPECT_EQ(allows(p, ctx), c.expected) << c.condition << " with [" << vals << "]";
  }
}

TEST(Conditions, StringOperators) {
  check_cases(
      "k:s", {
                 {R"({"StringEquals":{"k:s":"abc"}})", {"abc"}, true},
                 {R"({"StringEquals":{"k:s":"abc"}})", {"ABC"}, false},
                 {R"({"StringEquals":{"k:s":"abc"}})", {}, false},
                 {R"({"StringEquals":{"k:s":["x","abc"]}})", {"abc"}, true},
                 {R"({"StringEquals":{"K:S":"abc"}})", {"abc"}, true},  // keys are case-insensitive
                 {R"({"StringNotEquals":{"k:s":"abc"}})", {"abd"}, true},
                 {R"({"StringNotEquals":{"k:s":"abc"}})", {"abc"}, false},
                 {R"({"StringNotEquals":{"k:s":["x","abc"]}})", {"abc"}, false},
                 {R"({"StringNotEquals":{"k:s":"abc"}})", {}, true},
                 {R"({"StringEqualsIgnoreCase":{"k:s":"abc"}})", {"ABC"}, true},
                 {R"({"StringNotEqualsIgnoreCase":{"k:s":"abc"}})", {"ABC"}, false},
                 {R"({"StringLike":{"k:s":"a*c"}})", {"abbc"}, true},
                 {R"({"StringLike":{"k:s":"a?c"}})", {"abbc"}, false},
                 {R"({"StringLike":{"k:s":"a*"}})", {}, false},
                 {R"({"StringNotLike":{"k:s":"a*"}})", {"ba"}, true},
                 {R"({"StringNotLike":{"k:s":"a*"}})", {}, true},
                 {R"({"StringEqualsIfExists":{"k:s":"abc"}})", {}, true},
                 {R"({"StringEqualsIfExists":{"k:s":"abc"}})", {"abd"}, false},
                 {R"({"StringNotLikeIfExists":{"k:s":"a*"}})", {"abc"}, false},
             });
}

TEST(Conditions, NumericOperators) {
  check_cases(
      "k:n", {
                 {R"({"NumericEquals":{"k:n":"10"}})", {"10.0"}, true},
                 {R"({"NumericEquals":{"k:n":10}})", {"11"}, false},
                 {R"({"NumericNotEquals":{"k:n":"10"}})", {"11"}, true},
                 {R"({"NumericNotEquals":{"k:n":"10"}})", {}, true},
                 {R"({"NumericLessThan":{"k:n":"10"}})", {"9"}, true},
                 {R"({"NumericLessThan":{"k:n":"10"}})", {"10"}, false},
                 {R"({"NumericLessThanEquals":{"k:n":"10"}})", {"10"}, true},
                 {R"({"NumericGreaterThan":{"k:n":"10"}})", {"10.5"}, true},
                 {R"({"NumericGreaterThanEquals":{"k:n":"10"}})", {"9.99"}, false},
                 {R"({"NumericLessThan":{"k:n":"10"}})", {"abc"}, false},  // not a number: no match
                 {R"({"NumericLessThan":{"k:n":"10"}})", {}, false},
                 {R"({"NumericLessThanIfExists":{"k:n":"10"}})", {}, true},
             });
}

TEST(Conditions, DateOperators) {
  check_cases("aws:currenttime",
              {
                  {R"({"DateLessThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}})",
                   {"2025-12-31T23:59:59Z"},
                   true},
                  {R"({"DateLessThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}})",
                   {"2026-01-01T00:00:00Z"},
                   false},
                  {R"({"DateLessThanEquals":{"aws:CurrentTime":"2026-01-01"}})",
                   {"2026-01-01T00:00:00Z"},
                   true},
                  {R"({"DateGreaterThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}})",
                   {"1767225601"},
                   true},
                  {R"({"DateGreaterThanEquals":{"aws:CurrentTime":"1767225600"}})",
                   {"2026-01-01T00:00:00Z"},
                   true},
                  {R"({"DateEquals":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}})",
                   {"2026-01-01T00:00:00.000Z"},
                   true},
                  {R"({"DateNotEquals":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}})",
                   {"2026-01-02T00:00:00Z"},
                   true},
                  {R"({"DateNotEquals":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}})", {}, true},
                  {R"({"DateLessThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}})", {}, false},
              });
}

TEST(Conditions, BoolBinaryIpArnNull) {
  check_cases("aws:securetransport",
              {
                  {R"({"Bool":{"aws:SecureTransport":"true"}})", {"true"}, true},
                  {R"({"Bool":{"aws:SecureTransport":"true"}})", {"TRUE"}, true},
                  {R"({"Bool":{"aws:SecureTransport":"false"}})", {"true"}, false},
                  {R"({"Bool":{"aws:SecureTransport":"false"}})", {}, false},
                  {R"({"BoolIfExists":{"aws:SecureTransport":"false"}})", {}, true},
              });
  check_cases("k:bin", {
                           {R"({"BinaryEquals":{"k:bin":"QmluYXJ5"}})", {"QmluYXJ5"}, true},
                           {R"({"BinaryEquals":{"k:bin":"QmluYXJ5"}})", {"QmluYXJ6"}, false},
                       });
  check_cases("aws:sourceip",
              {
                  {R"({"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}})", {"10.1.2.3"}, true},
                  {R"({"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}})", {"11.1.2.3"}, false},
                  {R"({"IpAddress":{"aws:SourceIp":["192.168.0.0/16","10.0.0.0/8"]}})",
                   {"192.168.7.1"},
                   true},
                  {R"({"IpAddress":{"aws:SourceIp":"2001:db8::/32"}})", {"2001:db8::1"}, true},
                  {R"({"IpAddress":{"aws:SourceIp":"2001:db8::/32"}})", {"10.0.0.1"}, false},
                  {R"({"IpAddress":{"aws:SourceIp":"203.0.113.7"}})", {"203.0.113.7"}, true},
                  {R"({"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}})", {"11.1.2.3"}, true},
                  {R"({"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}})", {"10.1.2.3"}, false},
                  {R"({"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}})", {}, true},
                  {R"({"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}})", {"not-an-ip"}, false},
              });
  check_cases(
      "aws:sourcearn",
      {
          {R"({"ArnLike":{"aws:SourceArn":"arn:aws:s3:::b/*"}})", {"arn:aws:s3:::b/x"}, true},
          {R"({"ArnEquals":{"aws:SourceArn":"arn:aws:s3:::b/*"}})", {"arn:aws:s3:::b/x"}, true},
          {R"({"ArnLike":{"aws:SourceArn":"arn:aws:*:us-east-1:*:*"}})",
           {"arn:aws:sns:us-east-1:1:t"},
           true},
          {R"({"ArnNotLike":{"aws:SourceArn":"arn:aws:s3:::b/*"}})", {"arn:aws:s3:::c/x"}, true},
          {R"({"ArnNotEquals":{"aws:SourceArn":"arn:aws:s3:::b/x"}})", {"arn:aws:s3:::b/x"}, false},
          {R"({"ArnNotLike":{"aws:SourceArn":"arn:aws:s3:::b/*"}})", {}, true},
      });
  check_cases("k:maybe", {
                             {R"({"Null":{"k:maybe":"true"}})", {}, true},
                             {R"({"Null":{"k:maybe":"true"}})", {"x"}, false},
                             {R"({"Null":{"k:maybe":"false"}})", {"x"}, true},
                             {R"({"Null":{"k:maybe":"false"}})", {}, false},
                         });
}

TEST(Conditions, SetQualifiersAndMultiValuedKeys) {
  check_cases(
      "aws:tagkeys",
      {
          {R"({"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}})", {"a"}, true},
          {R"({"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}})", {"a", "b"}, true},
          {R"({"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}})", {"a", "c"}, false},
          {R"({"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}})", {}, true},  // empty set
          {R"({"ForAnyValue:StringEquals":{"aws:TagKeys":["a","b"]}})", {"c", "b"}, true},
          {R"({"ForAnyValue:StringEquals":{"aws:TagKeys":["a","b"]}})", {"c"}, false},
          {R"({"ForAnyValue:StringEquals":{"aws:TagKeys":["a","b"]}})", {}, false},
          {R"({"ForAllValues:StringNotEquals":{"aws:TagKeys":["a","b"]}})", {"c", "d"}, true},
          {R"({"ForAllValues:StringNotEquals":{"aws:TagKeys":["a","b"]}})", {"c", "a"}, false},
          {R"({"ForAnyValue:StringNotEquals":{"aws:TagKeys":["a","b"]}})", {"a", "c"}, true},
          {R"({"ForAnyValue:StringNotEquals":{"aws:TagKeys":["a","b"]}})", {"a", "b"}, false},
          {R"({"ForAllValues:StringLike":{"aws:TagKeys":["team-*"]}})", {"team-a", "team-b"}, true},
          {R"({"ForAnyValue:StringLike":{"aws:TagKeys":["team-*"]}})", {"x", "team-b"}, true},
          // Without a qualifier an operator never matches a multi-valued key, negated or not.
          {R"({"StringEquals":{"aws:TagKeys":"a"}})", {"b", "a"}, false},
          {R"({"StringNotEquals":{"aws:TagKeys":"a"}})", {"b", "c"}, false},
      });
}

TEST(Conditions, EmptyListsAndListVariables) {
  RequestContext c = ctx_for();
  c.set_list("aws:tagkeys", {});  // present, with no values
  EXPECT_TRUE(allows(with_condition(R"({"ForAllValues:StringEquals":{"aws:TagKeys":"a"}})"), c));
  EXPECT_FALSE(allows(with_condition(R"({"ForAnyValue:StringEquals":{"aws:TagKeys":"a"}})"), c));
  EXPECT_TRUE(allows(with_condition(R"({"Null":{"aws:TagKeys":"false"}})"), c));
  // A list is never substituted for a variable, even with one value.
  c.set_list("aws:tagkeys", {"a"});
  c.set("k:x", "a");
  EXPECT_FALSE(allows(with_condition(R"({"StringEquals":{"k:x":"${aws:TagKeys}"}})"), c));
  // A negated comparison with an unresolvable variable does not hold.
  EXPECT_FALSE(allows(with_condition(R"({"StringNotEquals":{"k:x":"${aws:username}"}})"), c));
}

TEST(Wildcard, UnicodeAndArnPrefixCase) {
  EXPECT_TRUE(wildcard_match("caf?", "caf\xc3\xa9"));  // ? is one code point
  EXPECT_FALSE(wildcard_match("caf??", "caf\xc3\xa9"));
  EXPECT_TRUE(equals_ignore_case("\xc3\x89T\xc3\x89", "\xc3\xa9t\xc3\xa9"));  // ÉTÉ = été
  EXPECT_TRUE(equals_ignore_case("\xd0\x9f\xd0\xb5", "\xd0\xbf\xd0\x95"));    // Пе = пЕ
  EXPECT_TRUE(arn_match("ARN:AWS:S3:::bucket/*", "arn:aws:s3:::bucket/x"));
  EXPECT_FALSE(arn_match("arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/x"));
}

TEST(Conditions, BlocksAreAndedValuesAreOred) {
  Policy p =
      with_condition(R"({"StringEquals":{"k:a":["1","2"],"k:b":"3"},"Bool":{"k:c":"true"}})");
  RequestContext c = ctx_for();
  c.set("k:a", "2");
  c.set("k:b", "3");
  c.set("k:c", "true");
  EXPECT_TRUE(allows(p, c));
  c.set("k:b", "4");
  EXPECT_FALSE(allows(p, c));
  c.set("k:b", "3");
  c.erase("k:c");
  EXPECT_FALSE(allows(p, c));
}

TEST(Variables, SubstitutedInResourcesAndConditions) {
  Policy p = must_parse(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*",
      "Resource":"arn:aws:s3:::home/${aws:username}/*",
      "Condition":{"StringEquals":{"s3:prefix":"${aws:username}/"}}}})");
  RequestContext c = ctx_for("s3:GetObject", "arn:aws:s3:::home/alice/notes");
  c.set("aws:username", "alice");
  c.set("s3:prefix", "alice/");
  EXPECT_TRUE(allows(p, c));
  c.set("aws:username", "bob");
  EXPECT_FALSE(allows(p, c));
  c.erase("aws:username");  // no value and no default: no match
  EXPECT_FALSE(allows(p, c));
}

TEST(Variables, SubstitutedValuesAreNeverWildcards) {
  Policy p = must_parse(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*",
      "Resource":"arn:aws:s3:::home/${aws:username}/*"}})");
  RequestContext c = ctx_for("s3:GetObject", "arn:aws:s3:::home/alice/notes");
  c.set("aws:username", "*");
  EXPECT_FALSE(allows(p, c));
  c.resource = "arn:aws:s3:::home/*/notes";
  EXPECT_TRUE(allows(p, c));
}

TEST(Variables, DefaultsAndEscapes) {
  Policy p = must_parse(
      R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"a:b","Resource":"*",
      "Condition":{"StringEquals":{"k:team":"${aws:PrincipalTag/team, 'none'}"},
                   "StringLike":{"k:lit":"x${*}y${?}z${$}"}}}})");
  RequestContext c = ctx_for();
  c.set("k:team", "none");
  c.set("k:lit", "x*y?z$");
  EXPECT_TRUE(allows(p, c));
  c.set("k:lit", "xAyBz$");  // ${*} and ${?} are literal characters
  EXPECT_FALSE(allows(p, c));
  c.set("k:lit", "x*y?z$");
  c.set("aws:principaltag/team", "blue");
  EXPECT_FALSE(allows(p, c));
  c.set("k:team", "blue");
  EXPECT_TRUE(allows(p, c));
}

TEST(Variables, NotSubstitutedInVersion2008) {
  Policy p = must_parse(R"({"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:*",
      "Resource":"arn:aws:s3:::home/${aws:username}/*"}})");
  RequestContext c = ctx_for("s3:GetObject", "arn:aws:s3:::home/alice/x");
  c.set("aws:username", "alice");
  EXPECT_FALSE(allows(p, c));
  c.resource = "arn:aws:s3:::home/${aws:username}/x";
  EXPECT_TRUE(allows(p, c));
}

// Combination of policy types.
struct Fixture {
  Policy allow_all = must_parse(R"({"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}})");
  Policy allow_s3 =
      must_parse(R"({"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}})");
  Policy deny_s3_put =
      must_parse(R"({"Statement":{"Effect":"Deny","Action":"s3:Put*","Resource":"*"}})");
};

TEST(Decide, IdentityBoundaryAndSession) {
  Fixture f;
  RequestContext c = ctx_for("s3:GetObject", "arn:aws:s3:::b/k");
  const Policy* id[] = {&f.allow_all};
  const Policy* s3[] = {&f.allow_s3};
  const Policy* deny[] = {&f.deny_s3_put};
  PolicySet set;
  set.identity = id;
  EXPECT_EQ(decide(set, c).outcome, Outcome::kAllowed);
  set.has_boundary = true;
  set.boundary = s3;
  EXPECT_EQ(decide(set, c).outcome, Outcome::kAllowed);
  c.action = "iam:GetUser";
  EXPECT_EQ(decide(set, c).outcome, Outcome::kImplicitDeny);  // outside the boundary
  c.action = "s3:PutObject";
  set.has_session = true;
  set.session = deny;
  EXPECT_EQ(decide(set, c).outcome, Outcome::kExplicitDeny);
  set.session = s3;
  EXPECT_EQ(decide(set, c).outcome, Outcome::kAllowed);
  set.identity = {};
  EXPECT_EQ(decide(set, c).outcome, Outcome::kImplicitDeny);  // nothing grants
}

TEST(Decide, ResourcePolicies) {
  Fixture f;
  Policy bucket = must_parse(R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/alice"},"Action":"s3:GetObject","Resource":"*"},
      {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/reader"},"Action":"s3:ListBucket","Resource":"*"},
      {"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"s3:PutObject","Resource":"*"}]})",
                             PolicyKind::kResource);
  const Policy* s3[] = {&f.allow_s3};
  RequestContext c = ctx_for("s3:GetObject", "arn:aws:s3:::b/k");
  c.principal = {"arn:aws:iam::111111111111:user/alice", "111111111111", "", "", "", false};
  PolicySet set;
  set.resource = &bucket;
  // Same account, the grant names the user: enough on its own, even past a boundary.
  EXPECT_EQ(decide(set, c).outcome, Outcome::kAllowed);
  set.has_boundary = true;
  const Policy* none[] = {&f.deny_s3_put};
  set.boundary = none;
  EXPECT_EQ(decide(set, c).outcome, Outcome::kAllowed);
  // A grant to the role is limited by the session's boundary.
  c.action = "s3:ListBucket";
  c.principal = {"arn:aws:sts::111111111111:assumed-role/reader/s1",
                 "111111111111",
                 "arn:aws:iam::111111111111:role/reader",
                 "",
                 "",
                 false};
  EXPECT_EQ(decide(set, c).outcome, Outcome::kImplicitDeny);
  set.has_boundary = false;
  EXPECT_EQ(decide(set, c).outcome, Outcome::kAllowed);
  // Cross-account: the grant to the account needs the caller's own policies too.
  c.action = "s3:PutObject";
  c.principal = {"arn:aws:iam::222222222222:user/carol", "222222222222", "", "", "", false};
  set.cross_account = true;
  EXPECT_EQ(decide(set, c).outcome, Outcome::kImplicitDeny);
  set.identity = s3;
  EXPECT_EQ(decide(set, c).outcome, Outcome::kAllowed);
}

TEST(Decide, TrustPolicyPrincipals) {
  Policy trust = must_parse(R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::1:saml-provider/idp"},"Action":"sts:AssumeRoleWithSAML",
       "Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}]})",
                            PolicyKind::kTrust);
  RequestContext c = ctx_for("sts:AssumeRoleWithSAML", "arn:aws:iam::1:role/r");
  c.principal.federated = "arn:aws:iam::1:saml-provider/idp";
  c.set("saml:aud", "https://signin.aws.amazon.com/saml");
  EXPECT_EQ(evaluate(trust, c), Decision::kAllow);
  c.principal.federated = "arn:aws:iam::1:saml-provider/other";
  EXPECT_EQ(evaluate(trust, c), Decision::kNotApplicable);
  // NotPrincipal: only with Deny, never in a trust policy.
  EXPECT_FALSE(
      parse_policy(
          R"({"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"*"},"Action":"sts:AssumeRole"}})",
          PolicyKind::kTrust)
          .has_value());
  EXPECT_FALSE(
      parse_policy(
          R"({"Statement":{"Effect":"Allow","NotPrincipal":{"AWS":"111111111111"},"Action":"s3:*","Resource":"*"}})",
          PolicyKind::kResource)
          .has_value());
}

TEST(Decide, NotPrincipalExemptsOnlyTheListedPrincipalItself) {
  Policy bucket = must_parse(R"({"Version":"2012-10-17","Statement":
      {"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::000000000001:root",
                                              "arn:aws:iam::000000000001:user/admin",
                                              "arn:aws:iam::000000000001:role/ops"]},
       "Action":"s3:*","Resource":"*"}})",
                             PolicyKind::kResource);
  RequestContext a = ctx_for("s3:GetObject", "arn:aws:s3:::b/k");
  a.principal.account = "000000000001";
  a.principal.arn = "arn:aws:iam::000000000001:user/bob";  // in the listed account: not exempt
  EXPECT_EQ(evaluate(bucket, a), Decision::kDeny);
  a.principal.arn = "arn:aws:sts::000000000001:assumed-role/ops/s1";  // the role's session
  a.principal.role_arn = "arn:aws:iam::000000000001:role/ops";
  EXPECT_EQ(evaluate(bucket, a), Decision::kDeny);
  a.principal.role_arn.clear();
  a.principal.arn = "arn:aws:iam::000000000001:user/admin";
  EXPECT_EQ(evaluate(bucket, a), Decision::kNotApplicable);
}

TEST(Trace, ReportsMatchesAndMissingKeys) {
  Policy p = with_condition(R"({"StringEqualsIfExists":{"k:x":"1"}})");
  RequestContext c = ctx_for();
  Trace t;
  EXPECT_EQ(evaluate(p, c, &t), Decision::kAllow);
  ASSERT_EQ(t.matched.size(), 1u);
  ASSERT_EQ(t.missing_keys.size(), 1u);
  EXPECT_EQ(t.missing_keys[0], "k:x");
}

}  // namespace
}  // namespace portcullis::iam
