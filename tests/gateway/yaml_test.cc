#include <gtest/gtest.h>

#include "gateway/openapi/openapi.h"

namespace portcullis::gateway::openapi {
namespace {

TEST(Yaml, PlainScalarsAreTypedQuotedOnesAreStrings) {
  auto v = parse_document(
      "a: 1\nb: 1.5\nc: true\nd: ~\ne: '2'\nf: \"true\"\ng: text\nh: [x, 2]\n\"200\": {x: y}\n");
  ASSERT_TRUE(v);
  EXPECT_EQ(json::serialize(*v),
            R"({"a":1,"b":1.5E0,"c":true,"d":null,"e":"2","f":"true","g":"text","h":["x",2],)"
            R"("200":{"x":"y"}})");
}

TEST(Yaml, JsonIsReadAsJson) {
  auto v = parse_document("  {\"a\": [1, \"b\"]}");
  ASSERT_TRUE(v);
  EXPECT_EQ(json::serialize(*v), R"({"a":[1,"b"]})");
  EXPECT_FALSE(parse_document("{\"a\": "));
  EXPECT_FALSE(parse_document("a: [b"));
}

TEST(Yaml, WritesWhatReadsBackTheSame) {
  json::value v = json::parse(
      R"({"version":"1.0","n":3,"f":2.5,"g":10000.0,"date":"2016-10-13T23:04:43Z","yes":"yes","empty":"",)"
      R"("t":"{\"statusCode\": 200}","q":"'*'","list":[],"nested":{"200":{"ok":true}},)"
      R"("multi":"line one\nline two","null":null})");
  std::string text = to_yaml(v);
  auto back = parse_document(text);
  ASSERT_TRUE(back) << text;
  EXPECT_EQ(*back, v) << text;
}

}  // namespace
}  // namespace portcullis::gateway::openapi
