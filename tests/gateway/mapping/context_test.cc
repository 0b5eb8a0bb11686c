#include "gateway/mapping/context.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace portcullis::gateway::mapping {
namespace {

const vtl::Value* at(const vtl::Value& v, std::initializer_list<const char*> path) {
  const vtl::Value* cur = &v;
  for (const char* k : path) {
    if (!cur->map()) return nullptr;
    cur = cur->map()->find(k);
    if (!cur) return nullptr;
  }
  return cur;
}

TEST(Context, ClfTime) {
  EXPECT_EQ(clf_time(0), "01/Jan/1970:00:00:00 +0000");
  EXPECT_EQ(clf_time(1700000000123), "14/Nov/2023:22:13:20 +0000");
}

TEST(Context, BuildsEveryVariable) {
  RequestContext c;
  c.account_id = "123456789012";
  c.api_id = "abc123";
  c.request_id = "req-1";
  c.http_method = "POST";
  c.resource_path = "/pets/{id}";
  c.path = "/prod/pets/1";
  c.stage = "prod";
  c.request_time_epoch = 1700000000123;
  c.identity.source_ip = "10.0.0.1";
  c.identity.user_arn = "arn:aws:sts::123456789012:assumed-role/r/s";
  c.authorizer.principal_id = "user-1";
  c.authorizer.context = {{"tier", "gold"}};
  vtl::Value v = build_context(c);
  ASSERT_TRUE(v.map());
  EXPECT_EQ(*at(v, {"accountId"})->string(), "123456789012");
  EXPECT_EQ(*at(v, {"identity", "sourceIp"})->string(), "10.0.0.1");
  EXPECT_TRUE(at(v, {"identity", "apiKey"})->is_null());  // empty → null
  EXPECT_TRUE(at(v, {"identity", "clientCert"})->is_null());
  EXPECT_EQ(*at(v, {"authorizer", "principalId"})->string(), "user-1");
  EXPECT_EQ(*at(v, {"authorizer", "tier"})->string(), "gold");
  EXPECT_EQ(at(v, {"authorizer", "claims"}), nullptr);
  EXPECT_EQ(*at(v, {"requestTime"})->string(), "14/Nov/2023:22:13:20 +0000");
  EXPECT_EQ(*at(v, {"requestTimeEpoch"})->integer(), 1700000000123);
  EXPECT_FALSE(*at(v, {"isCanaryRequest"})->boolean());
  EXPECT_TRUE(at(v, {"requestOverride", "header"})->map());
  EXPECT_TRUE(at(v, {"requestOverride", "path"})->map());
  EXPECT_TRUE(at(v, {"requestOverride", "querystring"})->map());
  EXPECT_TRUE(at(v, {"responseOverride", "header"})->map());
  for (const char* k : {"accountId",
                        "apiId",
                        "authorizer",
                        "awsEndpointRequestId",
                        "deploymentId",
                        "domainName",
                        "domainPrefix",
                        "error",
                        "extendedRequestId",
                        "httpMethod",
                        "identity",
                        "isCanaryRequest",
                        "path",
                        "protocol",
                        "requestId",
                        "requestOverride",
                        "responseOverride",
                        "requestTime",
                        "requestTimeEpoch",
                        "resourceId",
                        "resourcePath",
                        "stage",
                        "wafResponseCode",
                        "webaclArn"})
    EXPECT_TRUE(v.map()->find(k)) << k;
  EXPECT_EQ(v.map()->entries.size(), 24u);
  for (const char* k : {"message", "messageString", "responseType", "validationErrorString"})
    EXPECT_TRUE(at(v, {"error", k})) << k;
  EXPECT_EQ(at(v, {"identity"})->map()->entries.size(), 16u);
}

TEST(Context, ReadsOverrides) {
  vtl::Value v = build_context({});
  vtl::Map& ctx = *v.map();
  ctx.find("responseOverride")->map()->put("status", vtl::Value(int64_t{444}));
  ctx.find("responseOverride")->map()->find("header")->map()->put("foo", vtl::Value("bar"));
  vtl::Map& req = *ctx.find("requestOverride")->map();
  req.find("querystring")->map()->put("q", vtl::Value(int64_t{5}));
  req.find("header")->map()->put("X-A", vtl::Value(true));
  req.find("header")->map()->put("X-List", vtl::Value(vtl::make_list()));  // skipped
  req.find("path")->map()->put("body", vtl::Value(R"({"a":1})"));
  Overrides o = read_overrides(v);
  EXPECT_EQ(o.response_status, 444);
  EXPECT_EQ(o.response_header, (StringPairs{{"foo", "bar"}}));
  EXPECT_EQ(o.request_querystring, (StringPairs{{"q", "5"}}));
  EXPECT_EQ(o.request_header, (StringPairs{{"X-A", "true"}}));
  EXPECT_EQ(o.request_path, (StringPairs{{"body", R"({"a":1})"}}));
}

TEST(Context, StatusOnlyAnIntegerIn100To599) {
  auto status = [](vtl::Value s) {
    vtl::Value v = build_context({});
    v.map()->find("responseOverride")->map()->put("status", std::move(s));
    return read_overrides(v).response_status;
  };
  EXPECT_EQ(status(int64_t{100}), 100);
  EXPECT_EQ(status(int64_t{599}), 599);
  EXPECT_EQ(status("201"), 201);
  EXPECT_EQ(status(int64_t{99}), std::nullopt);
  EXPECT_EQ(status(int64_t{600}), std::nullopt);
  EXPECT_EQ(status("20x"), std::nullopt);
  EXPECT_EQ(status(" 201"), std::nullopt);
  EXPECT_EQ(status(404.0), std::nullopt);
  EXPECT_EQ(status(vtl::Value()), std::nullopt);
  EXPECT_EQ(read_overrides(vtl::Value("not a map")).response_status, std::nullopt);
}

TEST(Context, FromJson) {
  auto c = context_from_json(boost::json::parse(R"({
    "requestId": "r1", "stage": "dev", "isCanaryRequest": true, "requestTimeEpoch": 5000,
    "identity": {"sourceIp": "1.2.3.4", "clientCert": {"subjectDN": "CN=x",
                 "validity": {"notBefore": "a", "notAfter": "b"}}},
    "authorizer": {"principalId": "me", "claims": {"sub": "u", "n": 3}, "num": 1},
    "error": {"message": "m"}})"));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->request_id, "r1");
  EXPECT_TRUE(c->is_canary_request);
  EXPECT_EQ(c->request_time_epoch, 5000);
  EXPECT_EQ(c->identity.source_ip, "1.2.3.4");
  ASSERT_TRUE(c->identity.client_cert);
  EXPECT_EQ(c->identity.client_cert->validity.not_after, "b");
  EXPECT_EQ(c->authorizer.principal_id, "me");
  EXPECT_EQ(*c->authorizer.claims, (StringPairs{{"sub", "u"}, {"n", "3"}}));
  EXPECT_EQ(c->authorizer.context, (StringPairs{{"num", "1"}}));
  EXPECT_EQ(c->error.message, "m");
  for (const char* bad : {R"([])", R"({"nosuch": 1})", R"({"stage": 1})",
                          R"({"identity": {"bad": "x"}})", R"({"requestTime": "x"})",
                          R"({"requestTimeEpoch": "5"})", R"({"authorizer": {"claims": [1]}})"})
    EXPECT_FALSE(context_from_json(boost::json::parse(bad))) << bad;
}

}  // namespace
}  // namespace portcullis::gateway::mapping
