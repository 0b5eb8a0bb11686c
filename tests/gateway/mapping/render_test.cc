#include <gtest/gtest.h>

#include "gateway/mapping/mapping.h"

namespace portcullis::gateway::mapping {
namespace {

Result<MappingOutput> run(std::string_view source, MappingInput input = {},
                          vtl::Options options = {}) {
  vtl::Template tpl = PC_TRY(vtl::Template::compile(source));
  return render(tpl, input, options);
}

MappingInput with_body(std::string body) {
  MappingInput in;
  in.body = std::move(body);
  return in;
}

std::string out(std::string_view source, std::string body = "", Params params = {}) {
  MappingInput in;
  in.body = std::move(body);
  in.params = std::move(params);
  auto r = run(source, std::move(in));
  return r ? r->body : "ERR: " + r.error().message;
}

// vtl-authorizers-federation.md §1.2/§1.3: renders recorded on AWS.
TEST(Mapping, AwsRecordedMissingPath) {
  EXPECT_EQ(out("#set($result = $input.path(\"$.nonExisting\"))\n"
                "{\"body\": $result, \"nested\": $result.nested, \"n\": #if($result == $null)1#end"
                "#if($result == \"\")2#end}",
                R"({"a":1})"),
            R"({"body": , "nested": , "n": 12})");
}

TEST(Mapping, AwsRecordedPrinting) {
  EXPECT_EQ(out("$input.path('$')", R"({"foo": "bar"})"), "{foo=bar}");
  EXPECT_EQ(out("$input.path('$')", R"({"bigger": "dict", "to": "test", "with": "separators"})"),
            "{bigger=dict, to=test, with=separators}");
  EXPECT_EQ(out("$input.path('$')", R"([{"foo": "bar"}])"), R"([{"foo":"bar"}])");
  EXPECT_EQ(out("$input.path('$')", R"({"foo": [{"nested": "bar"}]})"),
            R"({foo=[{"nested":"bar"}]})");
  EXPECT_EQ(out("$input.path('$').toString()", R"({"foo": "bar"})"), "{foo=bar}");
  EXPECT_EQ(out("#set($r = $input.path('$'))$r[0].foo", R"([{"foo": "bar"}])"), "bar");
  EXPECT_EQ(out("$input.path('$.l')", R"({"l": []})"), "[]");
}

TEST(Mapping, AwsRecordedEmptyBody) {
  EXPECT_EQ(out("$input.body|$util.urlEncode($input.body)"), "{}|%7B%7D");
  EXPECT_EQ(out("$util.urlEncode($input.body)", R"({"some": "value"})"),
            "%7B%22some%22%3A+%22value%22%7D");
}

TEST(Mapping, InputInTemplates) {
  std::string body = R"({"items":[{"id":1},{"id":2}],"name":"x"})";
  EXPECT_EQ(out("#foreach($i in $input.path('$.items'))$i.id#if($foreach.hasNext),#end#end", body),
            "1,2");
  EXPECT_EQ(out("$input.path('$.items').size()", body), "2");
  EXPECT_EQ(out("{\"n\": $input.json('$.name'), \"all\": $input.json('$')}", body),
            "{\"n\": \"x\", \"all\": " + body + "}");
  Params p;
  p.path = {{"id", "7"}};
  p.header = {{"X-Id", "h"}};
  EXPECT_EQ(out("$input.params('id')|$input.params('x-id')|$input.params().header.get('X-Id')|"
                "$input.params().path.id|$input.params('none')|",
                "", p),
            "7|h|h|7||");
}

TEST(Mapping, ContextAndStageVariables) {
  MappingInput in;
  in.context.request_id = "req-1";
  in.context.identity.source_ip = "1.2.3.4";
  in.stage_variables = {{"env", "blue"}};
  auto r =
      run("$context.requestId $context.identity.sourceIp $stageVariables.env "
          "$stageVariables['env'] [$context.identity.apiKey]",
          in);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->body, "req-1 1.2.3.4 blue blue []");
}

// AWS-recorded (§1.6): a MOCK request template setting the status and a header.
TEST(Mapping, Overrides) {
  auto r =
      run("#set($context.responseOverride.status = 444)\n"
          "#set($context.responseOverride.header.foo = \"bar\")\n"
          "#set($context.requestOverride.querystring[\"q\"] = \"1\")\n"
          "$context.requestOverride.header.put('X-A', 'a')\n"
          "#set($context.requestOverride.path.body = $input.body)\n",
          with_body(R"({"x":1})"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->overrides.response_status, 444);
  EXPECT_EQ(r->overrides.response_header, (StringPairs{{"foo", "bar"}}));
  EXPECT_EQ(r->overrides.request_querystring, (StringPairs{{"q", "1"}}));
  EXPECT_EQ(r->overrides.request_header, (StringPairs{{"X-A", "a"}}));
  EXPECT_EQ(r->overrides.request_path, (StringPairs{{"body", R"({"x":1})"}}));
  auto none = run("#set($context.responseOverride.status = 999)");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->overrides.response_status, std::nullopt);
}

TEST(Mapping, RenderErrors) {
  for (const char* t : {"$input.json('$[')", "$input.path('$..')", "$util.parseJson('{bad')",
                        "$util.urlDecode('%')", "$util.base64Decode('@@')"}) {
    auto r = run(t, with_body(R"({"a":1})"));
    EXPECT_FALSE(r) << t;
  }
}

TEST(Mapping, NullStyles) {
  EXPECT_EQ(out("[$nosuch][$nosuch.x][$!q]"), "[][][]");
  vtl::Options velocity;
  velocity.nulls = vtl::NullStyle::kVelocity;
  auto r = run("[$nosuch][$!q]", {}, velocity);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "[$nosuch][]");
}

}  // namespace
}  // namespace portcullis::gateway::mapping
