// Gateway responses: AWS's defaults, the DEFAULT_4XX/5XX fallback, customisation, and the
// $context / $stageVariables substitution of their templates.
#include "gateway/compile/gateway_responses.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace portcullis::gateway {
namespace {

namespace json = boost::json;

TEST(GatewayResponses, Defaults) {
  GatewayResponses r;
  EXPECT_EQ(r.get(ResponseType::kMissingAuthenticationToken).status, 403);
  EXPECT_EQ(r.get(ResponseType::kThrottled).status, 429);
  EXPECT_EQ(r.get(ResponseType::kIntegrationTimeout).status, 504);
  EXPECT_EQ(r.get(ResponseType::kUnauthorized).status, 401);
  const auto& t = r.get(ResponseType::kAccessDenied).templates;
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].first, "application/json");
  EXPECT_EQ(t[0].second, "{\"message\":$context.error.messageString}");
  EXPECT_EQ(response_type_name(ResponseType::kWafFiltered), "WAF_FILTERED");
  EXPECT_EQ(response_type_from_name("QUOTA_EXCEEDED"), ResponseType::kQuotaExceeded);
}

TEST(GatewayResponses, ClassDefaultsReachTypesNotCustomised) {
  json::object c = json::parse(R"({
    "DEFAULT_4XX": {"statusCode": "418", "responseParameters": {"gatewayresponse.header.X-A": "'a'"},
                    "responseTemplates": {"text/plain": "4xx $context.error.message"}},
    "DEFAULT_5XX": {"responseParameters": {"gatewayresponse.header.X-B": "'b'"}},
    "MISSING_AUTHENTICATION_TOKEN": {"statusCode": "404",
                                     "responseParameters": {"gatewayresponse.header.X-C": "method.request.header.Origin"},
                                     "responseTemplates": {}},
    "REQUEST_TOO_LARGE": {"statusCode": "400"}
  })")
                       .as_object();
  auto r = GatewayResponses::compile(c);
  const auto& denied = r.get(ResponseType::kAccessDenied);
  EXPECT_EQ(denied.status, 418);
  ASSERT_EQ(denied.headers.size(), 1u);
  EXPECT_EQ(denied.headers[0].first, "X-A");
  EXPECT_EQ(denied.templates[0].first, "text/plain");
  EXPECT_FALSE(r.customised(ResponseType::kAccessDenied));
  // A customised type: its own status, the class headers and its own on top, the class
  // template when it has none.
  const auto& mat = r.get(ResponseType::kMissingAuthenticationToken);
  EXPECT_TRUE(r.customised(ResponseType::kMissingAuthenticationToken));
  EXPECT_EQ(mat.status, 404);
  ASSERT_EQ(mat.headers.size(), 2u);
  EXPECT_EQ(mat.headers[1].second.kind, ValueSource::kRequestHeader);
  EXPECT_EQ(mat.templates[0].second, "4xx $context.error.message");
  // 5XX types: DEFAULT_5XX has no status, so each keeps its own.
  EXPECT_EQ(r.get(ResponseType::kApiConfigurationError).status, 500);
  EXPECT_EQ(r.get(ResponseType::kIntegrationTimeout).headers[0].first, "X-B");
  // REQUEST_TOO_LARGE cannot be customised.
  EXPECT_EQ(r.get(ResponseType::kRequestTooLarge).status, 418);
  EXPECT_FALSE(r.customised(ResponseType::kRequestTooLarge));
}

TEST(GatewayResponses, ValueSources) {
  EXPECT_EQ(parse_value_source("'x y'")->value, "x y");
  EXPECT_EQ(parse_value_source("method.request.querystring.q")->kind, ValueSource::kRequestQuery);
  EXPECT_EQ(parse_value_source("stageVariables.s")->value, "s");
  EXPECT_FALSE(parse_value_source("integration.response.header.X"));
  EXPECT_FALSE(parse_value_source("'"));
}

TEST(GatewayResponses, Substitution) {
  auto lookup = [](std::string_view name) -> std::optional<std::string> {
    if (name == "context.error.messageString") return "\"Forbidden\"";
    if (name == "context.stage") return "prod";
    if (name == "stageVariables.v") return "1";
    return std::nullopt;
  };
  EXPECT_EQ(substitute("{\"message\":$context.error.messageString}", lookup),
            "{\"message\":\"Forbidden\"}");
  EXPECT_EQ(substitute("${context.stage}-$stageVariables.v.", lookup), "prod-1.");
  EXPECT_EQ(substitute("$context.unknown|$input.body|$|${context.stage", lookup),
            "|$input.body|$|${context.stage");
  EXPECT_EQ(substitute("#if($x) $ $$", lookup), "#if($x) $ $$");
}

TEST(GatewayResponses, TemplateByAccept) {
  std::vector<std::pair<std::string, std::string>> t = {{"text/html", "h"},
                                                        {"application/json", "j"}};
  EXPECT_EQ(choose_template(t, "text/html, application/json")->second, "h");
  EXPECT_EQ(choose_template(t, "application/xml;q=0.9")->second, "j");
  EXPECT_EQ(choose_template(t, "")->second, "j");
  std::vector<std::pair<std::string, std::string>> only = {{"text/plain", "p"}};
  EXPECT_EQ(choose_template(only, "application/json")->second, "p");
  EXPECT_EQ(choose_template({}, "text/plain"), nullptr);
}

}  // namespace
}  // namespace portcullis::gateway
