#include "gateway/api/patch.h"

#include <gtest/gtest.h>

namespace portcullis::gateway::api {
namespace {

json::object body(std::initializer_list<json::object> ops) {
  json::array a;
  for (const json::object& o : ops) a.push_back(o);
  return json::object{{"patchOperations", std::move(a)}};
}

json::object op(std::string_view verb, std::string_view path, std::string_view value = {}) {
  json::object o{{"op", verb}, {"path", path}};
  if (!value.empty()) o["value"] = value;
  return o;
}

constexpr PatchRule kRules[] = {
    {"/name", kReplace, PatchKind::kString},
    {"/enabled", kReplace, PatchKind::kBool},
    {"/size", kReplace, PatchKind::kInt},
    {"/rate", kReplace, PatchKind::kNumber},
    {"/variables/*", kEntryOps, PatchKind::kMapString, "variables"},
    {"/params/*", kEntryOps, PatchKind::kMapBool, "params"},
    {"/types/*", kAdd | kRemove, PatchKind::kSet, "types"},
    {"/log/format", kReplace, PatchKind::kString},
};

Status apply(json::object& doc, const json::object& b) {
  auto ops = patch_operations(b);
  if (!ops) return std::unexpected(ops.error());
  return apply_patch(doc, *ops, kRules);
}

TEST(Patch, AppliesEveryKind) {
  json::object doc{{"name", "a"}};
  ASSERT_TRUE(apply(doc, body({op("replace", "/name", "b"), op("replace", "/enabled", "true"),
                               op("replace", "/size", "42"), op("replace", "/rate", "1.5"),
                               op("add", "/variables/host", "x.example"),
                               op("add", "/params/method.request.querystring.q", "true"),
                               op("add", "/types/image~1png"), op("add", "/types/image~1png"),
                               op("replace", "/log/format", "$context.requestId")})));
  EXPECT_EQ(json::serialize(doc),
            R"({"name":"b","enabled":true,"size":42,"rate":1.5E0,"variables":{"host":"x.example"},)"
            R"("params":{"method.request.querystring.q":true},"types":["image/png"],)"
            R"("log":{"format":"$context.requestId"}})");
  ASSERT_TRUE(apply(doc, body({op("remove", "/variables/host"), op("remove", "/types/image~1png"),
                               op("replace", "/name")})));
  EXPECT_FALSE(doc.contains("name"));  // replace without a value removes
  EXPECT_TRUE(doc["variables"].as_object().empty());
  EXPECT_FALSE(doc.contains("types"));  // the last member gone, the list goes
}

TEST(Patch, RefusesUnknownPathsNamingTheValidOnes) {
  json::object doc{{"name", "a"}};
  auto st = apply(doc, body({op("replace", "/nope", "x")}));
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(st.error().message,
            "Invalid patch path '/nope' specified for op 'replace'. Must be one of: [/name, "
            "/enabled, /size, /rate, /variables/*, /params/*, /log/format]");
  // A known path with an op it does not take.
  st = apply(doc, body({op("add", "/name", "x")}));
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message,
            "Invalid patch path '/name' specified for op 'add'. Must be one of: [/variables/*, "
            "/params/*, /types/*]");
}

TEST(Patch, RefusesBadValuesAndOps) {
  json::object doc;
  EXPECT_FALSE(apply(doc, body({op("replace", "/enabled", "yes")})));
  EXPECT_FALSE(apply(doc, body({op("replace", "/size", "4x")})));
  EXPECT_FALSE(apply(doc, body({op("replace", "/rate", "inf")})));
  EXPECT_FALSE(apply(doc, body({op("add", "/variables/x")})));  // no value
  EXPECT_FALSE(apply(doc, body({op("frobnicate", "/name", "x")})));
  EXPECT_FALSE(apply(doc, body({op("replace", "name", "x")})));  // not a pointer
  EXPECT_FALSE(apply(doc, json::object{{"patchOperations", "x"}}));
}

TEST(Patch, KeysAreUnescaped) {
  EXPECT_EQ(unescape_key("~1pets~1{id}"), "/pets/{id}");
  EXPECT_EQ(unescape_key("a~0b"), "a~b");
  EXPECT_EQ(escape_key("/pets/~x"), "~1pets~1~0x");
}

}  // namespace
}  // namespace portcullis::gateway::api
