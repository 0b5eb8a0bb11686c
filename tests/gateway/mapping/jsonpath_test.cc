#include "gateway/mapping/jsonpath.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "gateway/mapping/input.h"

namespace portcullis::gateway::mapping {
namespace {
namespace json = boost::json;

const char* kDoc = R"({"store":{"book":[{"title":"A","price":8},{"title":"B","price":12},
  {"title":"C","price":9,"isbn":"x"}],"bicycle":{"color":"red","price":19}},"a b":1,"q'":2})";

// The selected values as one compact JSON array, for comparing.
std::string sel(std::string_view path, const char* doc = kDoc) {
  auto p = JsonPath::compile(path);
  if (!p) return "ERR: " + p.error().message;
  json::value v = json::parse(doc);
  auto r = p->select(v);
  if (!r) return "ERR: " + r.error().message;
  json::array a;
  for (const json::value* m : *r) a.push_back(*m);
  return json_text(a);
}

TEST(JsonPath, RootAndNames) {
  EXPECT_EQ(sel("$"), "[" + json_text(json::parse(kDoc)) + "]");
  EXPECT_EQ(sel("$.store.bicycle.color"), R"(["red"])");
  EXPECT_EQ(sel("$['store']['bicycle'][\"color\"]"), R"(["red"])");
  EXPECT_EQ(sel("$['a b']"), "[1]");
  EXPECT_EQ(sel(R"($['q\''])"), "[2]");
  EXPECT_EQ(sel("store.bicycle.price"), "[19]");  // no `$`: read as `$.`
  EXPECT_EQ(sel("$.missing"), "[]");
  EXPECT_EQ(sel("$.store.book.title"), "[]");  // a name on a list selects nothing
}

TEST(JsonPath, Indexes) {
  EXPECT_EQ(sel("$.store.book[0].title"), R"(["A"])");
  EXPECT_EQ(sel("$.store.book[-1].title"), R"(["C"])");
  EXPECT_EQ(sel("$.store.book[3]"), "[]");
  EXPECT_EQ(sel("$.store.book[-4]"), "[]");
  EXPECT_EQ(sel("$.store.book[0,2].title"), R"(["A","C"])");
  EXPECT_EQ(sel("$.store.book[ 1 , 0 ].title"), R"(["B","A"])");
}

TEST(JsonPath, WildcardsSlicesUnions) {
  EXPECT_EQ(sel("$.store.book[*].price"), "[8,12,9]");
  EXPECT_EQ(sel("$.store.bicycle.*"), R"(["red",19])");
  EXPECT_EQ(sel("$.store.book[1:].title"), R"(["B","C"])");
  EXPECT_EQ(sel("$.store.book[:2].title"), R"(["A","B"])");
  EXPECT_EQ(sel("$.store.book[-2:].title"), R"(["B","C"])");
  EXPECT_EQ(sel("$.store.book[0:-1].title"), R"(["A","B"])");
  EXPECT_EQ(sel("$.store.book[5:9]"), "[]");
  EXPECT_EQ(sel("$.store.bicycle['color','price']"), R"(["red",19])");
}

TEST(JsonPath, DeepScanInDocumentOrder) {
  EXPECT_EQ(sel("$..price"), "[8,12,9,19]");
  EXPECT_EQ(sel("$..isbn"), R"(["x"])");
  EXPECT_EQ(sel("$..book[1].title"), R"(["B"])");
  EXPECT_EQ(sel("$..a", R"({"a":{"a":1},"b":[{"a":2}]})"), R"([{"a":1},1,2])");
  EXPECT_EQ(sel("$..*", R"({"a":{"b":1},"c":[2]})"), R"([{"b":1},[2],1,2])");
}

TEST(JsonPath, Filters) {
  EXPECT_EQ(sel("$.store.book[?(@.price < 10)].title"), R"(["A","C"])");
  EXPECT_EQ(sel("$.store.book[?(@.price >= 9 && @.price <= 12)].title"), R"(["B","C"])");
  EXPECT_EQ(sel("$.store.book[?(@.title == 'A' || @.title == \"B\")].price"), "[8,12]");
  EXPECT_EQ(sel("$.store.book[?(@.isbn)].title"), R"(["C"])");
  EXPECT_EQ(sel("$.store.book[?(@.title != 'A')].title"), R"(["B","C"])");
  EXPECT_EQ(sel("$.store.book[?((@.price > 100 || @.price == 8) && @.title)].title"), R"(["A"])");
  EXPECT_EQ(sel("$.store.book[?(@.price == 8.0)].title"), R"(["A"])");  // numbers by value
  EXPECT_EQ(sel("$.store.book[?(@.price == '8')].title"), "[]");        // not a string
  EXPECT_EQ(sel("$.store.book[?(@.nosuch != 1)].title"), "[]");         // missing matches nothing
  EXPECT_EQ(sel("$..book[?(@.price > 10)].title"), R"(["B"])");
  EXPECT_EQ(sel("$.store.bicycle[?(@.color == 'red')].price"), "[19]");  // an object: itself
  EXPECT_EQ(sel("$[?(@.a[0] == true)].b", R"([{"a":[true],"b":1},{"a":[false],"b":2}])"), "[1]");
  EXPECT_EQ(sel("$[?(@.a == null)].b", R"([{"a":null,"b":1},{"b":2}])"), "[1]");
  EXPECT_FALSE(JsonPath::compile("$[?(@.a)]")->definite());
  // Nesting is bounded, whether by parentheses or filters inside filters' paths.
  std::string deep = "$[?(" + std::string(100, '(') + "@.a" + std::string(100, ')') + ")]";
  EXPECT_FALSE(JsonPath::compile(deep));
  std::string nested = "$";
  for (int i = 0; i < 100; ++i) nested += "[?(@";
  EXPECT_FALSE(JsonPath::compile(nested));
}

TEST(JsonPath, DefiniteOrNot) {
  EXPECT_TRUE(JsonPath::compile("$")->definite());
  EXPECT_TRUE(JsonPath::compile("$.a['b'][0][-1]")->definite());
  for (const char* p : {"$[*]", "$.*", "$..a", "$[0:1]", "$[0,1]", "$['a','b']"})
    EXPECT_FALSE(JsonPath::compile(p)->definite()) << p;
  EXPECT_TRUE(JsonPath::compile("$")->is_root());
  EXPECT_TRUE(JsonPath::compile(" $ ")->is_root());
}

TEST(JsonPath, MalformedPathsAreErrors) {
  for (const char* p : {"",
                        "   ",
                        "$.",
                        "$..",
                        "$.a.",
                        "$[",
                        "$[0",
                        "$['a",
                        "$['a']x",
                        "$[?(@.a)",
                        "$[?@.a]",
                        "$[(@.length-1)]",
                        "$[?(@.a ==)]",
                        "$[?(1)]",
                        "$[?(@.a == $.b)]",
                        "$[?(@[*] == 1)]",
                        "$[?(@.a == 'x)]",
                        "$[?((@.a)]",
                        "$.length()",
                        "$.a b",
                        "$[a]",
                        "$[0:1:2]",
                        "$[1,]",
                        "$]",
                        "$x"}) {
    auto r = JsonPath::compile(p);
    EXPECT_FALSE(r.has_value()) << p;
    if (!r) {
      EXPECT_NE(r.error().message.find("JSONPath"), std::string::npos) << p;
    }
  }
}

TEST(JsonPath, WorkIsBounded) {
  // 200,000 elements, `$..*` would select every one: a small budget fails cleanly.
  json::array a;
  for (int i = 0; i < 200000; ++i) a.push_back(json::array{i});
  json::value v(std::move(a));
  auto p = JsonPath::compile("$..*");
  ASSERT_TRUE(p);
  auto r = p->select(v, 1000);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("visits more than 1000"), std::string::npos);
  EXPECT_TRUE(p->select(v));  // the default budget (1,000,000) covers it
}

TEST(JsonPath, DeepDocumentsNeedNoRecursion) {
  // 100,000 levels of nesting, built without the parser: the deep scan walks it with its own stack.
  json::value v = json::object{{"a", 1}};
  for (int i = 0; i < 100000; ++i) {
    json::array a;
    a.push_back(std::move(v));
    v = std::move(a);
  }
  auto r = JsonPath::compile("$..a")->select(v);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(*(*r)[0], json::value(1));
  // Tear it down iteratively too: boost::json's destructor recurses.
  while (json::array* a = v.if_array()) {
    json::value inner = std::move((*a)[0]);
    v = std::move(inner);
  }
}

TEST(JsonText, JavaNumbersAndEscapes) {
  EXPECT_EQ(
      json_text(json::parse(R"({"a":1.0,"b":1.5,"c":1e20,"d":0.0001,"e":-2,"f":12345678.0})")),
      R"({"a":1.0,"b":1.5,"c":1.0E20,"d":1.0E-4,"e":-2,"f":1.2345678E7})");
  EXPECT_EQ(json_text(json::value("a\"\\\n\x01/é")), "\"a\\\"\\\\\\n\\u0001/é\"");
  EXPECT_EQ(java_double(0.001), "0.001");
  EXPECT_EQ(java_double(100.25), "100.25");
  EXPECT_EQ(java_double(-0.0), "-0.0");
  EXPECT_EQ(java_double(9999999.0), "9999999.0");
  EXPECT_EQ(java_double(10000000.0), "1.0E7");
}

}  // namespace
}  // namespace portcullis::gateway::mapping
