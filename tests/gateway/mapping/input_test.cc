#include "gateway/mapping/input.h"

#include <gtest/gtest.h>

namespace portcullis::gateway::mapping {
namespace {

struct InputTest : ::testing::Test {
  std::shared_ptr<vtl::Object> input(std::string body, Params params = {}) {
    return make_input(std::move(body), std::move(params));
  }
  static Result<vtl::Value> call(vtl::Object& o, std::string_view name,
                                 std::vector<vtl::Value> args) {
    auto r = o.call(name, args);
    if (!r) return fail(ErrorCode::kInternal, "no such method");
    return *r;
  }
  static std::string text(vtl::Object& o, std::string_view name, std::string path) {
    auto r = call(o, name, {vtl::Value(path)});
    if (!r) return "ERR: " + r.error().message;
    const std::string* s = r->string();
    return s ? *s : "<not a string>";
  }
};

TEST_F(InputTest, Body) {
  EXPECT_EQ(*input(R"({"a":1})")->property("body")->string(), R"({"a":1})");
  EXPECT_EQ(*input("")->property("body")->string(), "{}");  // AWS-recorded: empty body → {}
  EXPECT_EQ(*input("not json")->property("body")->string(), "not json");
  EXPECT_FALSE(input("")->property("nosuch"));
}

TEST_F(InputTest, Json) {
  auto in = input(R"({"a":{"b":[1,2.5,"x"]},"n":null,"s":"q\"uote"})");
  EXPECT_EQ(text(*in, "json", "$"), R"({"a":{"b":[1,2.5,"x"]},"n":null,"s":"q\"uote"})");
  EXPECT_EQ(text(*in, "json", "$.a"), R"({"b":[1,2.5,"x"]})");
  EXPECT_EQ(text(*in, "json", "$.a.b[1]"), "2.5");
  EXPECT_EQ(text(*in, "json", "$.s"), R"("q\"uote")");
  EXPECT_EQ(text(*in, "json", "$.n"), "null");
  EXPECT_EQ(text(*in, "json", "$.missing"), R"("")");
  EXPECT_EQ(text(*in, "json", "$.a.b[*]"), R"([1,2.5,"x"])");
  EXPECT_EQ(text(*in, "json", "$..nothing"), "[]");
  EXPECT_EQ(text(*input(""), "json", "$"), R"("")");
  EXPECT_EQ(text(*input("a=b&c=d"), "json", "$"), R"("")");
  EXPECT_EQ(text(*in, "json", "$["), "ERR: Invalid JSONPath '$[' at position 2: unclosed '['");
  EXPECT_FALSE(call(*in, "json", {vtl::Value(int64_t{1})}));
}

TEST_F(InputTest, Path) {
  auto in = input(R"({"a":{"b":[{"foo":"bar"}]},"n":null,"i":7})");
  auto a = call(*in, "path", {vtl::Value("$.a")});
  ASSERT_TRUE(a && a->map());
  vtl::List* b = a->map()->find("b")->list();
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->json);  // prints as JSON: [{"foo":"bar"}]
  EXPECT_EQ(*call(*in, "path", {vtl::Value("$.i")})->integer(), 7);
  EXPECT_TRUE(call(*in, "path", {vtl::Value("$.nonExisting")})->is_null());
  EXPECT_TRUE(call(*in, "path", {vtl::Value("$.n")})->is_null());
  auto all = call(*in, "path", {vtl::Value("$..foo")});
  ASSERT_TRUE(all && all->list());
  EXPECT_EQ(all->list()->items.size(), 1u);
  EXPECT_TRUE(call(*input(""), "path", {vtl::Value("$")})->is_null());
  // Not JSON: `$` is the raw body (forms split it on '&'); anything deeper is null.
  EXPECT_EQ(*call(*input("a=b&c=d"), "path", {vtl::Value("$")})->string(), "a=b&c=d");
  EXPECT_TRUE(call(*input("a=b&c=d"), "path", {vtl::Value("$.a")})->is_null());
  EXPECT_FALSE(call(*in, "path", {vtl::Value("$.a[")}));
}

TEST_F(InputTest, BodyParsedOncePathsCached) {
  auto in = input(R"({"a":1})");
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(text(*in, "json", "$.a"), "1");
  // More distinct paths than the cache holds still evaluate.
  for (int i = 0; i < 300; ++i)
    EXPECT_EQ(text(*in, "json", "$['k" + std::to_string(i) + "']"), R"("")");
}

TEST_F(InputTest, NestedMatchesAreBounded) {
  // 400 nested arrays with 2,000 numbers at each level: `$..*` selects 800,400 nodes, but copying
  // each match (every level holds all below it) would make about 160 million values.
  std::string body;
  for (int i = 0; i < 400; ++i) {
    body += "[";
    for (int j = 0; j < 2000; ++j) body += "0,";
  }
  body += "0" + std::string(400, ']');
  auto in = input(body);
  auto path = call(*in, "path", {vtl::Value("$..*")});
  ASSERT_FALSE(path);
  EXPECT_NE(path.error().message.find("selects more than"), std::string::npos);
  auto json = call(*in, "json", {vtl::Value("$..*")});
  ASSERT_FALSE(json);
  EXPECT_NE(json.error().message.find("selects more than"), std::string::npos);
  // The whole body is one copy: fine.
  EXPECT_TRUE(call(*in, "path", {vtl::Value("$")}));
  EXPECT_EQ(call(*in, "json", {vtl::Value("$")})->string()->size(), body.size());
}

TEST_F(InputTest, Params) {
  Params p;
  p.path = {{"id", "p1"}, {"both", "from-path"}};
  p.querystring = {{"q", "v"}, {"both", "from-query"}, {"Host", "from-query"}};
  p.header = {{"Content-Type", "application/json"}, {"X-Id", "h1"}};
  auto in = input("", p);
  auto one = [&](const char* name) { return call(*in, "params", {vtl::Value(name)}); };
  EXPECT_EQ(*one("id")->string(), "p1");
  EXPECT_EQ(*one("both")->string(), "from-path");
  EXPECT_EQ(*one("q")->string(), "v");
  EXPECT_EQ(*one("content-type")->string(), "application/json");  // headers ignore case
  EXPECT_TRUE(one("Q")->is_null());                               // the others do not
  EXPECT_TRUE(one("nosuch")->is_null());
  auto all = call(*in, "params", {});
  ASSERT_TRUE(all && all->map());
  const vtl::Map& m = *all->map();
  ASSERT_EQ(m.entries.size(), 3u);
  EXPECT_EQ(m.entries[0].first, "path");
  EXPECT_EQ(m.entries[1].first, "querystring");
  EXPECT_EQ(m.entries[2].first, "header");
  EXPECT_EQ(*m.find("header")->map()->find("X-Id")->string(), "h1");
  // The same map each time, as a Java object would be.
  EXPECT_EQ(call(*in, "params", {})->map(), all->map());
}

}  // namespace
}  // namespace portcullis::gateway::mapping
