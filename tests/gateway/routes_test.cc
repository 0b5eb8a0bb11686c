#include <gtest/gtest.h>

#include "gateway/api/routes.h"

namespace portcullis::gateway::api {
namespace {

// A concrete path for a template: every label replaced by "x1".
std::string concrete(std::string_view tmpl) {
  std::string out;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] == '{') {
      out += "x1";
      i = tmpl.find('}', i);
    } else {
      out += tmpl[i];
    }
  }
  return out;
}

TEST(Routes, EveryOperationOfTheModelIsFoundByItsOwnRequest) {
  EXPECT_EQ(routes().size(), 120u);  // API Gateway 2015-07-09, as botocore models it
  for (const Route& r : routes()) {
    auto m = match_route(r.method, concrete(r.path), r.query);
    ASSERT_TRUE(m) << r.op;
    EXPECT_EQ(m->route->op, r.op);
  }
}

TEST(Routes, LabelsArePercentDecoded) {
  auto m = match_route("GET", "/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Frestapis%2Fabc", "");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->route->op, "GetTags");
  ASSERT_EQ(m->labels.size(), 1u);
  EXPECT_EQ(m->labels[0].second, "arn:aws:apigateway:us-east-1::/restapis/abc");
}

TEST(Routes, QueryMarkersSelectTheImportOperations) {
  EXPECT_EQ(match_route("POST", "/restapis", "")->route->op, "CreateRestApi");
  EXPECT_EQ(match_route("POST", "/restapis", "failonwarnings=true&mode=import")->route->op,
            "ImportRestApi");
  EXPECT_EQ(match_route("POST", "/apikeys", "mode=import&format=csv")->route->op, "ImportApiKeys");
  EXPECT_EQ(match_route("PUT", "/restapis/abc", "mode=overwrite")->route->op, "PutRestApi");
}

TEST(Routes, NothingElseMatches) {
  EXPECT_FALSE(match_route("GET", "/nothing", ""));
  EXPECT_FALSE(match_route("POST", "/restapis/abc/resources", ""));  // no parent id
  EXPECT_FALSE(match_route("GET", "/restapis//resources", ""));      // an empty label
}

}  // namespace
}  // namespace portcullis::gateway::api
