#include "core/json_read.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace portcullis::json_read {
namespace {

TEST(JsonRead, MembersOfAnotherTypeReadAsAbsent) {
  json::object o = boost::json::parse(
                       R"({"s":"x","n":5,"big":1e300,"b":true,"a":[1],"o":{"k":1},"f":2.5})")
                       .get_object();
  EXPECT_EQ(sv(o, "s"), "x");
  EXPECT_EQ(sv(o, "n"), "");
  EXPECT_EQ(sv(o, "missing"), "");
  EXPECT_EQ(arr(o, "a").size(), 1u);
  EXPECT_TRUE(arr(o, "o").empty());
  EXPECT_EQ(obj(o, "o").size(), 1u);
  EXPECT_TRUE(obj(o, "a").empty());
  EXPECT_EQ(num(o, "n"), 5);
  EXPECT_EQ(num(o, "s"), 0);
  EXPECT_EQ(int_member(o, "big"), std::nullopt);  // out of range
  EXPECT_EQ(int_member(o, "f"), std::nullopt);    // not integral
  EXPECT_EQ(int_member(o, "n"), 5);
  EXPECT_TRUE(flag(o, "b"));
  EXPECT_FALSE(flag(o, "n"));
  json::value v = 3;
  ensure_array(v).push_back(1);
  EXPECT_EQ(arr(v).size(), 1u);
  ensure_object(v)["k"] = 1;
  EXPECT_EQ(obj(v).size(), 1u);
}

TEST(JsonRead, TextThatIsNotAnObjectIsAnError) {
  for (std::string_view bad : {"", "not json", "[1]", "\"s\"", "{\"a\":", "{} {}"}) {
    auto r = parse_object(bad, "t/k");
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInternal);
    EXPECT_EQ(r.error().message, "store: corrupt document t/k");
  }
  EXPECT_EQ(parse_object(R"({"a":1})", "t/k")->size(), 1u);
}

}  // namespace
}  // namespace portcullis::json_read
