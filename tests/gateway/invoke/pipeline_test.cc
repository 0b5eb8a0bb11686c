// The invoke pipeline over a real management API and store: the snapshot each write
// publishes (and what it reuses), routing to the deployed version, the ARN a call is
// authorized on (the covered path's), canary draws, and the stages' small pieces.
#include "gateway/invoke/pipeline.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <map>
#include <set>

#include "gateway/api/management_api.h"
#include "gateway/invoke/authenticate.h"
#include "gateway/invoke/authorize.h"
#include "gateway/invoke/integrate.h"
#include "gateway/invoke/respond.h"

namespace portcullis::gateway::invoke {
namespace {

namespace json = boost::json;

// Callers named by their Credential's key id; Invoke allowed on the ARNs listed.
class FakeAccess final : public AccessControl {
 public:
  Result<Authenticated> authenticate(const http::Request& req, std::string_view) const override {
    std::string_view a = req.header("authorization").value_or("");
    size_t at = a.find("Credential=");
    std::string key(a.substr(at + 11, a.find('/', at) - at - 11));
    if (key == "unknown") return fail(ErrorCode::kInvalidClientTokenId, "");
    Authenticated out;
    out.caller.arn = "arn:aws:iam::000000000000:user/" + key;
    out.covered_path = covered.empty() ? std::string(req.path()) : covered;
    return out;
  }
  Denial authorize(const Caller* caller, const CompiledPolicy*, std::string_view arn,
                   const http::Request&, std::string_view) const override {
    asked.emplace_back(arn);
    if (!caller) return anonymous_allowed ? Denial::kNone : Denial::kImplicit;
    return allowed.contains(std::string(arn)) ? Denial::kNone : Denial::kImplicit;
  }
  Result<std::shared_ptr<const CompiledPolicy>> compile_policy(std::string_view) const override {
    return std::shared_ptr<const CompiledPolicy>(std::make_shared<CompiledPolicy>());
  }
  std::set<std::string> allowed;
  std::string covered;
  bool anonymous_allowed = true;
  mutable std::vector<std::string> asked;
};

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pc-invoke-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto s = store::open_sqlite((dir_ / "t.db").string());
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
    publisher_ = std::make_unique<Publisher>(
        std::vector<std::string>{"us-east-1", "eu-west-1"}, "000000000000",
        [this](std::string_view d) { return access_.compile_policy(d); });
    ASSERT_TRUE(publisher_->load(*store_));
    api_ = std::make_unique<ManagementApi>(*store_, "000000000000", std::string(32, 'k'), clock_);
    api_->set_publisher(publisher_.get());
    Pipeline::Options o;
    o.canary_draw = [this] { return draw_; };
    pipeline_ = std::make_unique<Pipeline>(*publisher_, access_, clock_, o);
  }
  void TearDown() override {
    pipeline_.reset();
    api_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  json::object call(std::string_view method, std::string path, json::object body, int want,
                    std::string_view region = "us-east-1") {
    auto req = http::Request::make(method, path, {{"content-type", "application/json"}},
                                   body.empty() ? "" : json::serialize(body));
    http::Response res;
    api_->handle(
        req, region, [](std::string_view, std::string_view) { return Status{}; }, res);
    EXPECT_EQ(res.status, want) << method << " " << path << ": " << res.body;
    if (res.body.empty()) return {};
    json::value v = json::parse(res.body);
    return v.is_object() ? v.as_object() : json::object{};
  }
  // An API with GET / (NONE) and GET /secure/{item} (AWS_IAM), each a MOCK answering its name.
  std::string make_api(std::string_view region = "us-east-1") {
    json::object a = call("POST", "/restapis", {{"name", "t"}}, 201, region);
    std::string id(a["id"].as_string());
    std::string root(a["rootResourceId"].as_string());
    method(id, root, "NONE", "root", region);
    json::object secure = call("POST", "/restapis/" + id + "/resources/" + root,
                               {{"pathPart", "secure"}}, 201, region);
    json::object item =
        call("POST", "/restapis/" + id + "/resources/" + std::string(secure["id"].as_string()),
             {{"pathPart", "{item}"}}, 201, region);
    method(id, std::string(item["id"].as_string()), "AWS_IAM", "item", region);
    return id;
  }
  void method(const std::string& api, const std::string& res, std::string_view auth,
              std::string_view name, std::string_view region = "us-east-1") {
    std::string base = "/restapis/" + api + "/resources/" + res + "/methods/GET";
    call("PUT", base, {{"authorizationType", auth}}, 201, region);
    call("PUT", base + "/integration", {{"type", "MOCK"}}, 201, region);
    call("PUT", base + "/responses/200", {}, 201, region);
    call("PUT", base + "/integration/responses/200",
         {{"responseTemplates", {{"application/json", std::string(name)}}}}, 201, region);
  }
  http::Response invoke(std::string_view method, std::string_view path, std::string_view host,
                        std::vector<std::pair<std::string, std::string>> headers = {}) {
    headers.emplace_back("host", std::string(host));
    auto req = http::Request::make(method, path, headers);
    req.request_id = "rid";
    http::Response res;
    EXPECT_TRUE(pipeline_->is_invocation(req));
    pipeline_->handle(req, res);
    return res;
  }
  static std::vector<std::pair<std::string, std::string>> signed_as(std::string_view who) {
    return {{"authorization", "AWS4-HMAC-SHA256 Credential=" + std::string(who) +
                                  "/20260101/us-east-1/execute-api/aws4_request, "
                                  "SignedHeaders=host;x-amz-date, Signature=00"},
            {"x-amz-date", "20260101T000000Z"}};
  }

  std::filesystem::path dir_;
  FakeClock clock_{SystemTime(std::chrono::seconds(1'767'225'600))};
  std::unique_ptr<store::Store> store_;
  FakeAccess access_;
  std::unique_ptr<Publisher> publisher_;
  std::unique_ptr<ManagementApi> api_;
  std::unique_ptr<Pipeline> pipeline_;
  double draw_ = 50;
};

TEST_F(PipelineTest, DeploymentsArePublishedAndUnchangedApisReused) {
  std::string a = make_api();
  EXPECT_EQ(publisher_->current()->api_count(), 0u);  // no stage yet
  call("POST", "/restapis/" + a + "/deployments", {{"stageName", "prod"}}, 201);
  const ApiEntry* entry = publisher_->current()->find_api("us-east-1", a);
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(publisher_->current()->find_api("eu-west-1", a), nullptr);
  EXPECT_EQ(publisher_->current()->find_api(a), entry);
  // Another API's write rebuilds the snapshot but reuses this API's compiled entry.
  std::string b = make_api("eu-west-1");
  call("POST", "/restapis/" + b + "/deployments", {{"stageName", "s"}}, 201, "eu-west-1");
  EXPECT_EQ(publisher_->current()->find_api("us-east-1", a), entry);
  EXPECT_NE(publisher_->current()->find_api("eu-west-1", b), nullptr);
  // Editing the API (not deployed yet) keeps its compiled stages.
  const StageEntry* prod = entry->find_stage("prod");
  json::object res = call("GET", "/restapis/" + a + "/resources", {}, 200);
  std::string root;
  for (const json::value& v : res["item"].as_array())
    if (v.as_object().at("path") == "/") root = std::string(v.as_object().at("id").as_string());
  call("POST", "/restapis/" + a + "/resources/" + root, {{"pathPart", "more"}}, 201);
  const ApiEntry* edited = publisher_->current()->find_api("us-east-1", a);
  EXPECT_NE(edited, entry);
  EXPECT_EQ(edited->find_stage("prod"), prod);
  // A stage change recompiles that stage.
  json::object op{{"op", "replace"}, {"path", "/variables/x"}, {"value", "1"}};
  call("PATCH", "/restapis/" + a + "/stages/prod", {{"patchOperations", json::array{op}}}, 200);
  const StageEntry* changed = publisher_->current()->find_api(a)->find_stage("prod");
  EXPECT_NE(changed, prod);
  EXPECT_EQ(*changed->primary->variable("x"), "1");
  entry = publisher_->current()->find_api(a);
  // A refused write publishes nothing.
  auto before = publisher_->current();
  call("POST", "/restapis/" + a + "/deployments", {{"stageName", "bad name!"}}, 400);
  EXPECT_EQ(publisher_->current(), before);
  // The region in the host picks the region; without one, the API is looked up everywhere.
  EXPECT_EQ(invoke("GET", "/s", b + ".execute-api.eu-west-1.amazonaws.com").body, "root");
  EXPECT_EQ(invoke("GET", "/s", b + ".execute-api.localhost").body, "root");
  EXPECT_EQ(invoke("GET", "/s", b + ".execute-api.us-east-1.amazonaws.com").status, 404);
}

TEST_F(PipelineTest, CallsReachTheDeployedVersion) {
  std::string a = make_api();
  call("POST", "/restapis/" + a + "/deployments", {{"stageName", "prod"}}, 201);
  std::string host = a + ".execute-api.us-east-1.amazonaws.com";
  http::Response r = invoke("GET", "/prod", host);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "root");
  EXPECT_EQ(*r.find_header("x-amzn-RequestId"), "rid");
  EXPECT_EQ(r.find_header("x-amz-apigw-id")->size(), 16u);
  // Changed after the deployment: still the deployed text until the next one.
  json::object res = call("GET", "/restapis/" + a + "/resources", {}, 200);
  std::string root;
  for (const json::value& v : res["item"].as_array())
    if (v.as_object().at("path") == "/") root = std::string(v.as_object().at("id").as_string());
  call("PUT", "/restapis/" + a + "/resources/" + root + "/methods/GET/integration/responses/200",
       {{"responseTemplates", {{"application/json", "v2"}}}}, 201);
  EXPECT_EQ(invoke("GET", "/prod", host).body, "root");
  call("POST", "/restapis/" + a + "/deployments", {{"stageName", "prod"}}, 201);
  EXPECT_EQ(invoke("GET", "/prod", host).body, "v2");
}

TEST_F(PipelineTest, AuthorizesTheRoutedArn) {
  std::string a = make_api();
  call("POST", "/restapis/" + a + "/deployments", {{"stageName", "prod"}}, 201);
  std::string host = a + ".execute-api.us-east-1.amazonaws.com";
  std::string arn = "arn:aws:execute-api:us-east-1:000000000000:" + a + "/prod/GET/secure/x";
  access_.allowed.insert(arn);
  EXPECT_EQ(invoke("GET", "/prod//secure/x/", host, signed_as("alice")).body, "item");
  ASSERT_FALSE(access_.asked.empty());
  EXPECT_EQ(access_.asked.back(), arn);
  http::Response r = invoke("GET", "/prod/secure/y", host, signed_as("alice"));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body,
            "{\"Message\":\"User: arn:aws:iam::000000000000:user/alice is not authorized to "
            "perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:********0000:" +
                a +
                "/prod/GET/secure/y because no identity-based policy allows the "
                "execute-api:Invoke action\"}");
  // The signature covers /prod/secure/x although the request says /prod/secure/x%2Fz: the
  // call goes where the covered path leads, under its ARN.
  access_.covered = "/prod/secure/x";
  access_.asked.clear();
  EXPECT_EQ(invoke("GET", "/prod/secure/x%2Fz", host, signed_as("alice")).body, "item");
  EXPECT_EQ(access_.asked.back(), arn);
  // A covered path in another stage leads nowhere.
  access_.covered = "/dev/secure/x";
  EXPECT_EQ(invoke("GET", "/prod/secure/x", host, signed_as("alice")).status, 403);
  // An unknown key.
  access_.covered.clear();
  r = invoke("GET", "/prod/secure/x", host, signed_as("unknown"));
  EXPECT_EQ(r.body, "{\"message\":\"The security token included in the request is invalid.\"}");
  EXPECT_EQ(*r.find_header("x-amzn-ErrorType"), "UnrecognizedClientException");
}

TEST_F(PipelineTest, CanaryShare) {
  std::string a = make_api();
  call("POST", "/restapis/" + a + "/deployments",
       {{"stageName", "prod"}, {"variables", {{"v", "main"}}}}, 201);
  call("POST", "/restapis/" + a + "/deployments",
       {{"stageName", "prod"},
        {"canarySettings",
         {{"percentTraffic", 30.0}, {"stageVariableOverrides", {{"v", "canary"}}}}}},
       201);
  const StageEntry* s = publisher_->current()->find_api(a)->find_stage("prod");
  ASSERT_TRUE(s && s->canary);
  EXPECT_EQ(s->canary_percent, 30.0);
  EXPECT_TRUE(s->canary->canary());
  EXPECT_EQ(*s->canary->variable("v"), "canary");
  EXPECT_EQ(*s->primary->variable("v"), "main");
  EXPECT_NE(s->canary->deployment_id(), s->primary->deployment_id());
  // Which deployment a call reaches follows the draw: below the share, the canary.
  auto deployment_of = [&](double draw) {
    draw_ = draw;
    auto req = http::Request::make("GET", "/prod", {{"host", a + ".execute-api.x"}});
    Invocation i2(req);
    EXPECT_TRUE(locate(*publisher_->current(), "/prod", i2, [&] { return draw_; }));
    return i2.deployment;
  };
  EXPECT_EQ(deployment_of(29.9), s->canary.get());
  EXPECT_EQ(deployment_of(30.0), s->primary.get());
  EXPECT_EQ(deployment_of(0.0), s->canary.get());
}

TEST_F(PipelineTest, WhatIsAnInvocation) {
  std::string a = make_api();
  call("POST", "/domainnames",
       {{"domainName", "api.example.com"},
        {"regionalCertificateArn", "arn:aws:acm:us-east-1:000000000000:certificate/x"},
        {"endpointConfiguration", {{"types", json::array{"REGIONAL"}}}}},
       201);
  auto is = [&](std::string_view path, std::string_view host) {
    return pipeline_->is_invocation(
        http::Request::make("GET", path, {{"host", std::string(host)}}));
  };
  EXPECT_TRUE(is("/prod", "x.execute-api.localhost:4566"));
  EXPECT_TRUE(is("/_aws/execute-api/x/prod", "localhost"));
  EXPECT_TRUE(is("//_aws//execute-api/x/prod", "localhost"));
  EXPECT_TRUE(is("/restapis/x/prod/_user_request_", "localhost"));
  EXPECT_TRUE(is("/v1/pets", "API.example.com:443"));
  EXPECT_FALSE(is("/restapis/x/resources", "localhost"));
  // The legacy form is ambiguous with GetStage of a stage named _user_request_: signed for
  // apigateway, it is a control-plane call.
  EXPECT_TRUE(is("/restapis/x/stages/_user_request_", "localhost"));
  EXPECT_FALSE(pipeline_->is_invocation(
      http::Request::make("GET", "/restapis/x/stages/_user_request_",
                          {{"host", "localhost"},
                           {"authorization",
                            "AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/apigateway/"
                            "aws4_request, SignedHeaders=host, Signature=00"}})));
  EXPECT_FALSE(is("/_aws/other", "localhost"));
  EXPECT_FALSE(is("/v1/pets", "other.example.com"));
  EXPECT_FALSE(is("/", "execute-api.us-east-1.amazonaws.com"));
}

TEST(InvokePieces, AuthorizationShape) {
  auto shape = [](std::string value, bool date = true) {
    std::vector<std::pair<std::string, std::string>> h = {{"authorization", value}};
    if (date) h.emplace_back("x-amz-date", "20260101T000000Z");
    auto f = authorization_shape(http::Request::make("GET", "/", h));
    return f ? f->message : std::string("sigv4");
  };
  EXPECT_EQ(shape("AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=00"),
            "sigv4");
  EXPECT_EQ(shape("Bearer tok"),
            "'tok' not a valid key=value pair (missing equal-sign) in Authorization header: "
            "'Bearer tok'.");
  EXPECT_EQ(shape("token", false),
            "Authorization header requires 'Credential' parameter. Authorization header requires "
            "'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. "
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
            "Authorization=token");
  EXPECT_EQ(shape("AWS4-HMAC-SHA256 Credential=a, Signature=b"),
            "Authorization header requires 'SignedHeaders' parameter. "
            "Authorization=AWS4-HMAC-SHA256 Credential=a, Signature=b");
}

TEST(InvokePieces, MaskAndMessages) {
  EXPECT_EQ(mask_account("arn:aws:execute-api:us-west-2:123456782543:vd2gh6uqw3/api/GET/"),
            "arn:aws:execute-api:us-west-2:********2543:vd2gh6uqw3/api/GET/");
  EXPECT_EQ(mask_account("nonsense"), "nonsense");
  EXPECT_EQ(denial_message(nullptr, "arn:aws:execute-api:r:123456789012:a/s/GET/",
                           AccessControl::Denial::kExplicitResource),
            "User: anonymous is not authorized to perform: execute-api:Invoke on resource: "
            "arn:aws:execute-api:r:********9012:a/s/GET/");
  Caller c;
  c.arn = "arn:aws:iam::123456789012:user/u";
  EXPECT_EQ(denial_message(&c, "arn:aws:execute-api:r:123456789012:a/s/GET/x",
                           AccessControl::Denial::kExplicitIdentity),
            "User: arn:aws:iam::123456789012:user/u is not authorized to perform: "
            "execute-api:Invoke on resource: arn:aws:execute-api:r:********9012:a/s/GET/x with an "
            "explicit deny in an identity-based policy");
  EXPECT_EQ(json_quote("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
  std::string id = extended_request_id();
  EXPECT_EQ(id.size(), 16u);
  EXPECT_EQ(id.back(), '=');
  EXPECT_NE(id, extended_request_id());
}

TEST(InvokePieces, MockStatusAndSelection) {
  EXPECT_EQ(mock_status("{\"statusCode\": 200}"), 200);
  EXPECT_EQ(mock_status("{statusCode: 404}"), 404);
  EXPECT_EQ(mock_status("{ 'statusCode' :500 }"), 500);
  EXPECT_FALSE(mock_status("{\"statusCode\": \"200\"}"));
  EXPECT_FALSE(mock_status("{\"statusCode\": 2000}"));
  EXPECT_FALSE(mock_status("{}"));
  EXPECT_TRUE(selection_matches("2\\d\\d", "201"));
  EXPECT_FALSE(selection_matches("2\\d", "201"));  // the whole status must match
  EXPECT_TRUE(selection_matches(".*", "500"));
  EXPECT_FALSE(selection_matches("(", "500"));  // does not compile: matches nothing
}

TEST(InvokePieces, PolicyShorthand) {
  std::string p = expand_policy_shorthand(
      R"({"Statement":[{"Effect":"Allow","Resource":["execute-api:/*","arn:aws:x"]},{"NotResource":"execute-api:/s/GET/"}]})",
      "eu-west-1", "123456789012", "abc");
  EXPECT_EQ(
      p,
      R"({"Statement":[{"Effect":"Allow","Resource":["arn:aws:execute-api:eu-west-1:123456789012:abc/*","arn:aws:x"]},{"NotResource":"arn:aws:execute-api:eu-west-1:123456789012:abc/s/GET/"}]})");
  EXPECT_EQ(expand_policy_shorthand("not json", "r", "a", "i"), "not json");
}

}  // namespace
}  // namespace portcullis::gateway::invoke
