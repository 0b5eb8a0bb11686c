#include "gateway/mapping/util.h"

#include <gtest/gtest.h>

namespace portcullis::gateway::mapping {
namespace {

TEST(EscapeJavaScript, CommonsLangRules) {
  EXPECT_EQ(escape_javascript(R"(He said "it's" a\b/c)"), R"(He said \"it\'s\" a\\b\/c)");
  EXPECT_EQ(escape_javascript("\b\n\t\f\r"), R"(\b\n\t\f\r)");
  EXPECT_EQ(escape_javascript(std::string("\x00\x01\x1f\x7f", 4)), "\\u0000\\u0001\\u001F\x7f");
  EXPECT_EQ(escape_javascript("é"), "\\u00E9");         // U+00E9
  EXPECT_EQ(escape_javascript("€"), "\\u20AC");         // U+20AC
  EXPECT_EQ(escape_javascript("😀"), "\\uD83D\\uDE00");  // U+1F600: a surrogate pair
  EXPECT_EQ(escape_javascript("\xff"), "\\uFFFD");      // not UTF-8: Java's replacement char
  EXPECT_EQ(escape_javascript(""), "");
  EXPECT_EQ(escape_javascript(R"({"a": "b"})"), R"({\"a\": \"b\"})");  // no quotes added
}

TEST(UrlEncode, JavaUrlEncoder) {
  // AWS-recorded (vtl-authorizers-federation.md §1.5).
  EXPECT_EQ(url_encode(R"({"some": "value"})"), "%7B%22some%22%3A+%22value%22%7D");
  EXPECT_EQ(url_encode("{}"), "%7B%7D");
  EXPECT_EQ(url_encode(""), "");
  EXPECT_EQ(url_encode("AZaz09.-*_ ~!'()/"), "AZaz09.-*_+%7E%21%27%28%29%2F");
  EXPECT_EQ(url_encode("é"), "%C3%A9");
}

TEST(UrlDecode, JavaUrlDecoder) {
  EXPECT_EQ(*url_decode("%7B%22some%22%3A+%22value%22%7D"), R"({"some": "value"})");
  EXPECT_EQ(*url_decode("a+b%20c%c3%a9"), "a b cé");
  EXPECT_EQ(*url_decode("%FF"), "\xEF\xBF\xBD");  // an invalid UTF-8 byte reads as U+FFFD
  for (const char* bad : {"%", "%4", "abc%", "%G1", "%1G"}) {
    auto r = url_decode(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_NE(r.error().message.find("URLDecoder"), std::string::npos);
    }
  }
}

TEST(Base64, EncodeAndDecode) {
  EXPECT_EQ(base64_encode_text("hello world"), "aGVsbG8gd29ybGQ=");
  EXPECT_EQ(base64_encode_text(""), "");
  EXPECT_EQ(*base64_decode_text("aGVsbG8gd29ybGQ="), "hello world");
  EXPECT_EQ(*base64_decode_text("aGVsbG8gd29ybGQ"), "hello world");  // padding optional
  EXPECT_EQ(*base64_decode_text(""), "");
  for (const char* bad : {"a", "aGVs bG8=", "aGVsbG8=x", "a=bc", "****"})
    EXPECT_FALSE(base64_decode_text(bad)) << bad;
}

TEST(UtilObject, Calls) {
  auto util = make_util();
  auto call = [&](std::string_view name, vtl::Value arg) {
    return util->call(name, std::span<const vtl::Value>(&arg, 1));
  };
  EXPECT_EQ(*call("escapeJavaScript", "it's")->value().string(), "it\\'s");
  EXPECT_EQ(*call("urlEncode", "a b")->value().string(), "a+b");
  EXPECT_EQ(*call("urlDecode", "a+b")->value().string(), "a b");
  EXPECT_EQ(*call("base64Encode", "hi")->value().string(), "aGk=");
  EXPECT_EQ(*call("base64Decode", "aGk=")->value().string(), "hi");
  EXPECT_EQ(*call("urlEncode", int64_t{42})->value().string(), "42");
  EXPECT_TRUE(call("urlEncode", vtl::Value())->value().is_null());
  EXPECT_FALSE(call("urlDecode", "%zz")->has_value());
  EXPECT_FALSE(call("base64Decode", "!")->has_value());
  EXPECT_FALSE(call("nosuch", "x").has_value());
  EXPECT_FALSE(call("urlEncode", vtl::Value(vtl::make_map())).has_value());
  EXPECT_FALSE(util->call("urlEncode", {}).has_value());

  auto parsed = call("parseJson", R"({"key2":{"arr":[1,2]},"s":"v"})");
  ASSERT_TRUE(parsed && parsed->has_value());
  vtl::Map* m = parsed->value().map();
  ASSERT_TRUE(m);
  vtl::List* arr = m->find("key2")->map()->find("arr")->list();
  ASSERT_TRUE(arr);
  EXPECT_TRUE(arr->json);
  EXPECT_EQ(*arr->items[0].integer(), 1);
  auto bad = call("parseJson", "{not json");
  ASSERT_TRUE(bad);
  ASSERT_FALSE(bad->has_value());
  EXPECT_NE(bad->error().message.find("parseJson"), std::string::npos);
  EXPECT_FALSE(call("parseJson", std::string(2000, '['))->has_value());  // too deep: an error
}

}  // namespace
}  // namespace portcullis::gateway::mapping
