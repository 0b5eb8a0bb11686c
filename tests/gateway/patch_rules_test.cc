// The patch engine's edges: how rule paths match ("*" one segment, "**" one or more), escaped
// keys, which rule wins, the operations and values a request may carry, and each kind's
// remove and replace.
#include <gtest/gtest.h>

#include "gateway/api/patch.h"

namespace portcullis::gateway::api {
namespace {

json::object op(std::string_view verb, std::string_view path) {
  return json::object{{"op", verb}, {"path", path}};
}
json::object op(std::string_view verb, std::string_view path, json::value value) {
  json::object o = op(verb, path);
  o["value"] = std::move(value);
  return o;
}

Result<std::vector<PatchOperation>> parse(std::initializer_list<json::object> ops) {
  json::array a;
  for (const json::object& o : ops) a.push_back(o);
  return patch_operations(json::object{{"patchOperations", std::move(a)}});
}

Status apply(json::object& doc, std::span<const PatchRule> rules,
             std::initializer_list<json::object> ops) {
  auto parsed = parse(ops);
  if (!parsed) return std::unexpected(parsed.error());
  return apply_patch(doc, *parsed, rules);
}

std::string message(const Status& st) { return st ? "" : st.error().message; }
// The message a request's list of operations is refused with ("" when it is taken).
std::string refusal(std::initializer_list<json::object> ops) {
  auto parsed = parse(ops);
  return parsed ? "" : parsed.error().message;
}

// A custom rule that records what it was given.
std::vector<std::string> g_keys;
std::string g_path;
Status record(json::object&, const PatchOperation& op, const std::vector<std::string>& keys) {
  g_keys = keys;
  g_path = op.path;
  return {};
}
Status refuse(json::object&, const PatchOperation&, const std::vector<std::string>&) {
  return fail(ErrorCode::kBadRequest, "refused by the rule");
}

// --- Matching ---------------------------------------------------------------------------------

TEST(PatchMatch, AGlobstarTakesOneOrMoreSegmentsAsWritten) {
  constexpr PatchRule rules[] = {{"/a/**", kReplace, PatchKind::kCustom, {}, record}};
  json::object doc;
  ASSERT_TRUE(apply(doc, rules, {op("replace", "/a/b")}));
  EXPECT_EQ(g_keys, std::vector<std::string>{"b"});
  ASSERT_TRUE(apply(doc, rules, {op("replace", "/a/b~1c/d")}));
  EXPECT_EQ(g_keys, std::vector<std::string>{"b~1c/d"});  // not unescaped
  EXPECT_FALSE(apply(doc, rules, {op("replace", "/a")}));
  EXPECT_FALSE(apply(doc, rules, {op("replace", "/b/c")}));
}

TEST(PatchMatch, AGlobstarBeforeOtherSegments) {
  // The shape of a stage's method settings: {resource path}/{method}/{group}/{setting}.
  constexpr PatchRule rules[] = {{"/**/*/*/*", kReplace, PatchKind::kCustom, {}, record}};
  json::object doc;
  ASSERT_TRUE(apply(doc, rules, {op("replace", "/~1pets~1{id}/GET/throttling/burstLimit")}));
  EXPECT_EQ(g_keys, (std::vector<std::string>{"~1pets~1{id}", "GET", "throttling", "burstLimit"}));
  ASSERT_TRUE(apply(doc, rules, {op("replace", "/pets/x/GET/metrics/enabled")}));
  EXPECT_EQ(g_keys, (std::vector<std::string>{"pets/x", "GET", "metrics", "enabled"}));
  ASSERT_TRUE(apply(doc, rules, {op("replace", "/*/*/logging/loglevel")}));
  EXPECT_EQ(g_keys, (std::vector<std::string>{"*", "*", "logging", "loglevel"}));
  EXPECT_FALSE(apply(doc, rules, {op("replace", "/GET/metrics/enabled")}));  // no resource path
}

TEST(PatchMatch, AStarIsExactlyOneNonEmptySegmentUnescaped) {
  constexpr PatchRule rules[] = {{"/x/*/y/*", kAdd, PatchKind::kCustom, {}, record}};
  json::object doc;
  ASSERT_TRUE(apply(doc, rules, {op("add", "/x/a~1b/y/c~0d~01")}));
  EXPECT_EQ(g_keys, (std::vector<std::string>{"a/b", "c~d~1"}));
  EXPECT_FALSE(apply(doc, rules, {op("add", "/x//y/c")}));
  EXPECT_FALSE(apply(doc, rules, {op("add", "/x/a/y/")}));
  EXPECT_FALSE(apply(doc, rules, {op("add", "/x/a/b/y/c")}));
  EXPECT_FALSE(apply(doc, rules, {op("add", "/x/a/y")}));
}

TEST(PatchMatch, UnescapingLeavesOtherTildesAlone) {
  EXPECT_EQ(unescape_key("~"), "~");
  EXPECT_EQ(unescape_key("a~"), "a~");
  EXPECT_EQ(unescape_key("~2"), "~2");
  EXPECT_EQ(unescape_key("~~1"), "~/");
  EXPECT_EQ(unescape_key("~01"), "~1");  // "~0" first: the result is not read again
  EXPECT_EQ(escape_key("~1"), "~01");
  EXPECT_EQ(unescape_key(escape_key("a/~b~1/")), "a/~b~1/");
}

TEST(PatchMatch, TheFirstRuleTakingTheVerbWins) {
  constexpr PatchRule rules[] = {
      {"/name", kReplace, PatchKind::kString},
      {"/*", kAdd | kReplace, PatchKind::kCustom, {}, record},
  };
  json::object doc;
  g_path.clear();
  ASSERT_TRUE(apply(doc, rules, {op("replace", "/name", "n")}));
  EXPECT_EQ(doc["name"], "n");
  EXPECT_EQ(g_path, "");
  ASSERT_TRUE(apply(doc, rules, {op("add", "/name", "m")}));  // the first does not add
  EXPECT_EQ(g_path, "/name");
  EXPECT_EQ(doc["name"], "n");
}

TEST(PatchMatch, AnUnknownPathNamesThePathsOfItsVerb) {
  constexpr PatchRule rules[] = {
      {"/name", kReplace, PatchKind::kString},
      {"/tags/*", kAdd | kRemove, PatchKind::kMapString, "tags"},
  };
  json::object doc;
  auto st = apply(doc, rules, {op("remove", "/name")});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(message(st),
            "Invalid patch path '/name' specified for op 'remove'. Must be one of: [/tags/*]");
  constexpr PatchRule only_replace[] = {{"/name", kReplace, PatchKind::kString}};
  EXPECT_EQ(message(apply(doc, only_replace, {op("add", "/name", "x")})),
            "Invalid patch path '/name' specified for op 'add'. Must be one of: []");
  EXPECT_EQ(message(apply(doc, only_replace, {op("replace", "/Name", "x")})),
            "Invalid patch path '/Name' specified for op 'replace'. Must be one of: [/name]");
  EXPECT_EQ(message(apply(doc, only_replace, {op("replace", "/name/x", "x")})),
            "Invalid patch path '/name/x' specified for op 'replace'. Must be one of: [/name]");
  EXPECT_FALSE(apply(doc, only_replace, {op("replace", "/")}));
  EXPECT_TRUE(doc.empty());
}

// --- The request's operations -------------------------------------------------------------------

TEST(PatchOperations, TheOperationsAWSNames) {
  auto ops = parse({op("add", "/a", "1"), op("remove", "/b"), op("replace", "/c", "3")});
  ASSERT_TRUE(ops);
  ASSERT_EQ(ops->size(), 3u);
  EXPECT_EQ((*ops)[0].verb, kAdd);
  EXPECT_EQ((*ops)[1].verb, kRemove);
  EXPECT_EQ((*ops)[1].value, std::nullopt);
  EXPECT_EQ((*ops)[2].verb, kReplace);
  EXPECT_EQ((*ops)[2].value, std::optional<std::string>("3"));
  const std::string unknown =
      "Invalid patch operation specified. Must be one of: [add, remove, replace, move, copy, "
      "test]";
  for (std::string_view verb : {"frobnicate", "Replace", "ADD", ""})
    EXPECT_EQ(refusal({op(verb, "/a", "1")}), unknown) << verb;
  EXPECT_EQ(refusal({json::object{{"path", "/a"}}}), unknown);
  // JSON Patch's other three are known, and refused.
  for (std::string_view verb : {"move", "copy", "test"})
    EXPECT_EQ(refusal({op(verb, "/a", "1")}), "Invalid patch operation '" + std::string(verb) +
                                                  "': Portcullis takes add, remove and replace");
}

TEST(PatchOperations, PathsArePointers) {
  auto error = [](json::object o) { return refusal({std::move(o)}); };
  EXPECT_EQ(error(op("replace", "", "x")), "Invalid patch path ''");
  EXPECT_EQ(error(op("replace", "name", "x")), "Invalid patch path 'name'");
  EXPECT_EQ(error(json::object{{"op", "replace"}}), "Invalid patch path ''");
  EXPECT_EQ(error(json::object{{"op", "replace"}, {"path", 7}}), "Invalid patch path ''");
}

TEST(PatchOperations, ValuesAreStringsOrNothing) {
  auto error = [](json::value v) { return refusal({op("replace", "/size", std::move(v))}); };
  for (json::value v : {json::value(5), json::value(true), json::value(1.5),
                        json::value(json::array{"a"}), json::value(json::object{{"a", "b"}})})
    EXPECT_EQ(error(v), "Invalid patch value for path '/size': a patch value is a string")
        << json::serialize(v);
  auto ops = parse({op("replace", "/size", nullptr), op("replace", "/size", "")});
  ASSERT_TRUE(ops);
  EXPECT_EQ((*ops)[0].value, std::nullopt);  // null: no value
  EXPECT_EQ((*ops)[1].value, std::optional<std::string>(""));
}

TEST(PatchOperations, TheListItself) {
  EXPECT_EQ(patch_operations(json::object{})->size(), 0u);
  EXPECT_EQ(patch_operations(json::object{{"patchOperations", nullptr}})->size(), 0u);
  EXPECT_EQ(patch_operations(json::object{{"patchOperations", json::array{}}})->size(), 0u);
  auto st = patch_operations(json::object{{"patchOperations", json::object{}}});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message, "patchOperations must be a list");
  st = patch_operations(json::object{{"patchOperations", json::array{"replace"}}});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message, "A patch operation must be an object");
}

// --- Kinds ------------------------------------------------------------------------------------

constexpr PatchRule kKinds[] = {
    {"/name", kReplace | kRemove, PatchKind::kString},
    {"/enabled", kReplace | kRemove, PatchKind::kBool},
    {"/size", kReplace | kRemove, PatchKind::kInt},
    {"/rate", kReplace | kRemove, PatchKind::kNumber},
    {"/vars/*", kEntryOps, PatchKind::kMapString, "variables"},
    {"/flags/*", kEntryOps, PatchKind::kMapBool, "deep/flags"},
    {"/types/*", kEntryOps, PatchKind::kSet, "types"},
    {"/log/format", kReplace, PatchKind::kString},
    {"/alias", kReplace, PatchKind::kString, "settings/alias"},
};

TEST(PatchKinds, IntegersAreWholeAndInRange) {
  json::object doc;
  for (std::string_view ok : {"0", "-5", "9223372036854775807", "-9223372036854775808"}) {
    ASSERT_TRUE(apply(doc, kKinds, {op("replace", "/size", json::string(ok))})) << ok;
    EXPECT_EQ(json::serialize(doc["size"]), ok);
  }
  for (std::string_view bad :
       {"", "+5", " 5", "5 ", "1.0", "1e3", "0x10", "9223372036854775808", "five"})
    EXPECT_EQ(message(apply(doc, kKinds, {op("replace", "/size", json::string(bad))})),
              "Invalid integer value '" + std::string(bad) + "' for path '/size'")
        << bad;
  EXPECT_EQ(message(apply(doc, kKinds, {op("replace", "/size")})),
            "Invalid integer value '' for path '/size'");
}

TEST(PatchKinds, NumbersAreFinite) {
  json::object doc;
  ASSERT_TRUE(apply(doc, kKinds, {op("replace", "/rate", "1e3")}));
  EXPECT_EQ(doc["rate"], json::value(1000.0));
  ASSERT_TRUE(apply(doc, kKinds, {op("replace", "/rate", "-0.25")}));
  EXPECT_EQ(doc["rate"], json::value(-0.25));
  ASSERT_TRUE(apply(doc, kKinds, {op("replace", "/rate", "7")}));
  EXPECT_EQ(doc["rate"], json::value(7.0));
  for (std::string_view bad : {"", "1e400", "nan", "inf", "-inf", "1.5x", "0x1p3", " 1"})
    EXPECT_EQ(message(apply(doc, kKinds, {op("replace", "/rate", json::string(bad))})),
              "Invalid number value '" + std::string(bad) + "' for path '/rate'")
        << bad;
}

TEST(PatchKinds, BooleansAreLowerCaseWords) {
  json::object doc;
  ASSERT_TRUE(apply(doc, kKinds, {op("replace", "/enabled", "false")}));
  EXPECT_EQ(doc["enabled"], json::value(false));
  for (std::string_view bad : {"True", "1", "yes", ""})
    EXPECT_EQ(message(apply(doc, kKinds, {op("replace", "/enabled", json::string(bad))})),
              "Invalid boolean value '" + std::string(bad) + "' for path '/enabled'")
        << bad;
  EXPECT_EQ(message(apply(doc, kKinds, {op("replace", "/enabled")})),
            "Invalid boolean value '' for path '/enabled'");
  EXPECT_EQ(doc["enabled"], json::value(false));
}

TEST(PatchKinds, RemovingScalarsAndWhatIsNotThere) {
  json::object doc{{"name", "n"}, {"enabled", true}, {"size", 1}, {"rate", 1.5}};
  ASSERT_TRUE(apply(doc, kKinds,
                    {op("remove", "/name"), op("remove", "/enabled"), op("remove", "/size"),
                     op("remove", "/rate")}));
  EXPECT_TRUE(doc.empty());
  // Nothing to remove is no error, and creates nothing.
  ASSERT_TRUE(apply(doc, kKinds,
                    {op("remove", "/name"), op("remove", "/vars/a"), op("remove", "/flags/b"),
                     op("remove", "/types/c")}));
  EXPECT_TRUE(doc.empty()) << json::serialize(doc);
}

TEST(PatchKinds, NestedMembersAreCreatedThroughWhatIsNotAnObject) {
  json::object doc{{"log", "not an object"}, {"deep", 3}};
  ASSERT_TRUE(apply(doc, kKinds,
                    {op("replace", "/log/format", "$context.requestId"),
                     op("replace", "/alias", "al"), op("add", "/flags/f", "true")}));
  EXPECT_EQ(json::serialize(doc),
            R"({"log":{"format":"$context.requestId"},"deep":{"flags":{"f":true}},)"
            R"("settings":{"alias":"al"}})");
}

TEST(PatchKinds, MapEntriesByUnescapedKey) {
  json::object doc;
  ASSERT_TRUE(apply(doc, kKinds,
                    {op("add", "/vars/a~1b", "1"), op("replace", "/vars/c~0d", "2"),
                     op("add", "/flags/method.request.path.id", "false")}));
  EXPECT_EQ(
      json::serialize(doc),
      R"({"variables":{"a/b":"1","c~d":"2"},"deep":{"flags":{"method.request.path.id":false}}})");
  ASSERT_TRUE(apply(doc, kKinds, {op("replace", "/vars/a~1b", "3"), op("remove", "/vars/c~0d")}));
  EXPECT_EQ(json::serialize(doc["variables"]), R"({"a/b":"3"})");
  // A string entry needs a value, a boolean one a boolean.
  EXPECT_EQ(message(apply(doc, kKinds, {op("add", "/vars/x")})),
            "Invalid null or empty value in patch operation for path '/vars/x'");
  EXPECT_EQ(message(apply(doc, kKinds, {op("replace", "/vars/a~1b")})),
            "Invalid null or empty value in patch operation for path '/vars/a~1b'");
  EXPECT_EQ(message(apply(doc, kKinds, {op("add", "/flags/y", "maybe")})),
            "Invalid boolean value 'maybe' for path '/flags/y'");
  EXPECT_EQ(json::serialize(doc["variables"]), R"({"a/b":"3"})");
}

TEST(PatchKinds, SetMembers) {
  json::object doc;
  ASSERT_TRUE(apply(doc, kKinds,
                    {op("add", "/types/image~1png"), op("add", "/types/text~1csv"),
                     op("add", "/types/image~1png")}));
  EXPECT_EQ(json::serialize(doc["types"]), R"(["image/png","text/csv"])");
  // Replace: the member the path names becomes the value, once.
  ASSERT_TRUE(apply(doc, kKinds, {op("replace", "/types/image~1png", "image/gif")}));
  EXPECT_EQ(json::serialize(doc["types"]), R"(["text/csv","image/gif"])");
  ASSERT_TRUE(apply(doc, kKinds, {op("replace", "/types/image~1gif", "text/csv")}));
  EXPECT_EQ(json::serialize(doc["types"]), R"(["text/csv"])");
  EXPECT_EQ(message(apply(doc, kKinds, {op("replace", "/types/text~1csv", "")})),
            "Invalid null or empty value in patch operation for path '/types/text~1csv'");
  EXPECT_EQ(message(apply(doc, kKinds, {op("replace", "/types/text~1csv")})),
            "Invalid null or empty value in patch operation for path '/types/text~1csv'");
  ASSERT_TRUE(apply(doc, kKinds, {op("remove", "/types/nothing")}));
  EXPECT_EQ(json::serialize(doc["types"]), R"(["text/csv"])");
  ASSERT_TRUE(apply(doc, kKinds, {op("remove", "/types/text~1csv")}));
  EXPECT_FALSE(doc.contains("types"));
}

TEST(PatchKinds, AStringReplacedWithoutAValueIsRemovedWithAnEmptyOneKept) {
  json::object doc{{"name", "n"}};
  ASSERT_TRUE(apply(doc, kKinds, {op("replace", "/name", "")}));
  EXPECT_EQ(doc["name"], "");
  ASSERT_TRUE(apply(doc, kKinds, {op("replace", "/name", nullptr)}));
  EXPECT_FALSE(doc.contains("name"));
}

TEST(PatchKinds, ACustomRuleSeesItsKeysAndItsRefusalIsTheCalls) {
  constexpr PatchRule rules[] = {
      {"/ok/*", kReplace, PatchKind::kCustom, {}, record},
      {"/no", kReplace, PatchKind::kCustom, {}, refuse},
  };
  json::object doc;
  ASSERT_TRUE(apply(doc, rules, {op("replace", "/ok/a~1b", "v")}));
  EXPECT_EQ(g_keys, std::vector<std::string>{"a/b"});
  auto st = apply(doc, rules, {op("replace", "/no", "v")});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message, "refused by the rule");
}

TEST(PatchKinds, TheFirstRefusedOperationStopsTheRest) {
  // The engine works on a copy the caller keeps only on success: what comes after a refused
  // operation is not applied.
  json::object doc;
  auto st = apply(doc, kKinds,
                  {op("replace", "/name", "a"), op("replace", "/size", "x"),
                   op("replace", "/enabled", "true")});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message, "Invalid integer value 'x' for path '/size'");
  EXPECT_FALSE(doc.contains("enabled"));
}

}  // namespace
}  // namespace portcullis::gateway::api
