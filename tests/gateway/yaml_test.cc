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

namespace portcullis::gateway::openapi {
namespace {

TEST(Yaml, RefusesWhatWouldNotEnd) {
  // An alias inside what it names: a cycle.
  auto v = parse_document("a: &x [1, *x]\n");
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, ErrorCode::kBadRequest);
  // Aliases that double at each level: 2^30 nodes from a few lines.
  std::string laughs = "a0: &a0 [x, x]\n";
  for (int i = 1; i <= 30; ++i)
    laughs += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [*a" +
              std::to_string(i - 1) + ", *a" + std::to_string(i - 1) + "]\n";
  EXPECT_FALSE(parse_document(laughs));
  // Deep flow nesting, which yaml-cpp's parser would recurse into.
  EXPECT_FALSE(parse_document("a: " + std::string(100000, '[')));
  EXPECT_FALSE(parse_document(std::string(100000, '{')));  // JSON
}

TEST(Yaml, LongAndOutOfRangeScalarsStayStrings) {
  std::string digits(40000, '7');
  auto v = parse_document("a: " + digits + "\nb: 1e999\nc: 1.0\nd: 2.0\n");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->at("a"), json::value(digits));
  EXPECT_EQ(v->at("b"), json::value("1e999"));
  EXPECT_EQ(v->at("c"), json::value(1.0));
  EXPECT_EQ(format_double(1.0), "1.0");
  EXPECT_EQ(format_double(2.5), "2.5");
  // A long string that starts like a date is written and read back.
  json::value s = json::value("2024-01-01 " + std::string(40000, 'x'));
  auto back = parse_document(to_yaml(json::object{{"s", s}}));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->at("s"), s);
}

}  // namespace
}  // namespace portcullis::gateway::openapi
