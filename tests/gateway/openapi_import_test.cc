// OpenAPI import, one x-amazon-apigateway-* extension at a time: each small document is read
// into the stored form of a REST API, and the members each extension sets are checked.
#include <gtest/gtest.h>

#include <map>

#include "gateway/api/call.h"
#include "gateway/openapi/openapi.h"

namespace portcullis::gateway::openapi {
namespace {

constexpr std::string_view kSwagger = "swagger: '2.0'\ninfo: {title: t, version: '1'}\n";
constexpr std::string_view kOas30 = "openapi: 3.0.1\ninfo: {title: t, version: '1'}\n";
constexpr std::string_view kLambda =
    "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/"
    "arn:aws:lambda:eu-west-1:123456789012:function:auth/invocations";

Imported import(std::string_view head, std::string_view rest) {
  std::string text = std::string(head) + std::string(rest);
  auto v = parse_document(text);
  EXPECT_TRUE(v && v->is_object()) << text;
  if (!v || !v->is_object()) return {};
  ImportOptions opt;
  opt.api_id = "api1234567";
  opt.region = "eu-west-1";
  opt.account = "123456789012";
  auto r = import_document(v->as_object(), opt);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? std::move(*r) : Imported{};
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += s + "\n";
  return out;
}

const json::object* section_of(Imported& im, std::string_view name) {
  auto* s = im.doc.if_contains(name);
  return s && s->is_object() ? &s->as_object() : nullptr;
}

// The only entry of a section (validators, authorizers, …), or an empty object.
json::object only(Imported& im, std::string_view name) {
  const json::object* s = section_of(im, name);
  EXPECT_TRUE(s && s->size() == 1) << name << ": " << (s ? json::serialize(*s) : "none");
  return s && s->size() == 1 ? s->begin()->value().as_object() : json::object{};
}

// The resource at `path`, or an empty object.
json::object resource(Imported& im, std::string_view path) {
  if (const json::object* s = section_of(im, "resources"))
    for (const auto& kv : *s)
      if (api::sv(kv.value().as_object(), "path") == path) return kv.value().as_object();
  ADD_FAILURE() << "no resource " << path;
  return {};
}

json::object method(Imported& im, std::string_view path, std::string_view verb) {
  json::object r = resource(im, path);
  auto* methods = r.if_contains("resourceMethods");
  auto* m = methods && methods->is_object() ? methods->as_object().if_contains(verb) : nullptr;
  if (!m || !m->is_object()) {
    ADD_FAILURE() << "no method " << verb << " " << path << ": " << json::serialize(r);
    return {};
  }
  return m->as_object();
}

// --- API-level extensions --------------------------------------------------------------------

TEST(OpenApiImport, BinaryMediaTypes) {
  Imported im = import(kSwagger, "x-amazon-apigateway-binary-media-types: [image/png, '*/*']\n");
  EXPECT_EQ(json::serialize(im.api["binaryMediaTypes"]), R"(["image/png","*/*"])");
  EXPECT_TRUE(im.errors.empty()) << joined(im.errors);
  im = import(kSwagger, "x-amazon-apigateway-binary-media-types: image/png\n");
  EXPECT_FALSE(im.api.contains("binaryMediaTypes"));
  EXPECT_EQ(joined(im.errors),
            "In the document: the member 'x-amazon-apigateway-binary-media-types' must be a "
            "list\n");
}

TEST(OpenApiImport, ApiKeySource) {
  Imported im = import(kSwagger, "x-amazon-apigateway-api-key-source: authorizer\n");
  EXPECT_EQ(im.api["apiKeySource"], "AUTHORIZER");
  im = import(kSwagger, "x-amazon-apigateway-api-key-source: HEADER\n");
  EXPECT_EQ(im.api["apiKeySource"], "HEADER");
}

TEST(OpenApiImport, PolicyAsAnObjectOrAsText) {
  Imported im =
      import(kOas30,
             "x-amazon-apigateway-policy:\n"
             "  Version: '2012-10-17'\n"
             "  Statement:\n"
             "  - {Effect: Allow, Principal: '*', Action: 'execute-api:Invoke',\n"
             "     Resource: 'arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:*'}\n");
  ASSERT_TRUE(im.api["policy"].is_string());
  json::value policy = json::parse(im.api["policy"].as_string());
  EXPECT_EQ(policy.at("Statement").at(0).at("Resource"),
            "arn:aws:execute-api:eu-west-1:123456789012:*");
  EXPECT_EQ(policy.at("Version"), "2012-10-17");
  im = import(kOas30, "x-amazon-apigateway-policy: '{\"Version\": \"2012-10-17\"}'\n");
  EXPECT_EQ(im.api["policy"], R"({"Version": "2012-10-17"})");  // kept as written
}

TEST(OpenApiImport, MinimumCompressionSize) {
  Imported im = import(kSwagger, "x-amazon-apigateway-minimum-compression-size: 1024\n");
  EXPECT_EQ(im.api["minimumCompressionSize"], json::value(1024));
  im = import(kSwagger, "x-amazon-apigateway-minimum-compression-size: '1024'\n");
  EXPECT_FALSE(im.api.contains("minimumCompressionSize"));
  EXPECT_EQ(joined(im.errors),
            "In the document: the member 'x-amazon-apigateway-minimum-compression-size' must be "
            "an integer\n");
}

TEST(OpenApiImport, EndpointConfiguration) {
  Imported im = import(kOas30,
                       "x-amazon-apigateway-endpoint-configuration:\n"
                       "  vpcEndpointIds: [vpce-0123456789abcdef0]\n"
                       "  disableExecuteApiEndpoint: true\n");
  EXPECT_EQ(json::serialize(im.api["endpointConfiguration"]),
            R"({"vpcEndpointIds":["vpce-0123456789abcdef0"]})");
  EXPECT_EQ(im.api["disableExecuteApiEndpoint"], json::value(true));
  // Only a boolean disables the endpoint.
  im = import(kOas30,
              "x-amazon-apigateway-endpoint-configuration: {disableExecuteApiEndpoint: 'yes'}\n");
  EXPECT_FALSE(im.api.contains("disableExecuteApiEndpoint"));
  EXPECT_FALSE(im.api.contains("endpointConfiguration"));
}

// --- Validators ----------------------------------------------------------------------------------

TEST(OpenApiImport, RequestValidatorsAndTheDefaultOne) {
  Imported im = import(kSwagger,
                       "x-amazon-apigateway-request-validators:\n"
                       "  all: {validateRequestBody: true, validateRequestParameters: true}\n"
                       "  params: {validateRequestParameters: true}\n"
                       "x-amazon-apigateway-request-validator: all\n"
                       "paths:\n"
                       "  /a: {get: {responses: {'200': {description: ok}}}}\n"
                       "  /b:\n"
                       "    get:\n"
                       "      x-amazon-apigateway-request-validator: params\n"
                       "      responses: {'200': {description: ok}}\n");
  EXPECT_TRUE(im.errors.empty()) << joined(im.errors);
  const json::object* validators = section_of(im, "validators");
  ASSERT_TRUE(validators);
  ASSERT_EQ(validators->size(), 2u);
  std::map<std::string, json::object> by_name;
  for (const auto& kv : *validators) {
    const json::object& v = kv.value().as_object();
    EXPECT_EQ(v.at("id"), json::value(kv.key()));
    by_name[std::string(v.at("name").as_string())] = v;
  }
  EXPECT_EQ(by_name["all"]["validateRequestBody"], json::value(true));
  EXPECT_EQ(by_name["all"]["validateRequestParameters"], json::value(true));
  EXPECT_EQ(by_name["params"]["validateRequestBody"], json::value(false));
  EXPECT_EQ(by_name["params"]["validateRequestParameters"], json::value(true));
  EXPECT_EQ(method(im, "/a", "GET")["requestValidatorId"], by_name["all"]["id"]);
  EXPECT_EQ(method(im, "/b", "GET")["requestValidatorId"], by_name["params"]["id"]);
}

TEST(OpenApiImport, AnUndefinedRequestValidatorIsAnError) {
  Imported im = import(kSwagger,
                       "paths:\n"
                       "  /a:\n"
                       "    get:\n"
                       "      x-amazon-apigateway-request-validator: nope\n"
                       "      responses: {'200': {description: ok}}\n");
  EXPECT_EQ(joined(im.errors), "Request validator 'nope' of 'GET /a' is not defined\n");
  EXPECT_FALSE(method(im, "/a", "GET").contains("requestValidatorId"));
}

// --- Authorizers and how methods use them ----------------------------------------------------

TEST(OpenApiImport, TokenAuthorizerWithItsAuthType) {
  Imported im = import(kSwagger,
                       "securityDefinitions:\n"
                       "  tok:\n"
                       "    type: apiKey\n"
                       "    name: Authorization\n"
                       "    in: header\n"
                       "    x-amazon-apigateway-authtype: custom\n"
                       "    x-amazon-apigateway-authorizer:\n"
                       "      type: token\n"
                       "      authorizerUri: " +
                           std::string(kLambda) +
                           "\n"
                           "      authorizerResultTtlInSeconds: 60\n"
                           "      identityValidationExpression: '^Bearer .+$'\n"
                           "paths:\n"
                           "  /a:\n"
                           "    get:\n"
                           "      security: [{tok: []}]\n"
                           "      responses: {'200': {description: ok}}\n");
  EXPECT_TRUE(im.errors.empty()) << joined(im.errors);
  json::object a = only(im, "authorizers");
  EXPECT_EQ(a["name"], "tok");
  EXPECT_EQ(a["type"], "TOKEN");
  EXPECT_EQ(a["authType"], "custom");
  EXPECT_EQ(a["authorizerUri"], json::value(kLambda));
  // The header the scheme names is the identity source.
  EXPECT_EQ(a["identitySource"], "method.request.header.Authorization");
  EXPECT_EQ(a["identityValidationExpression"], "^Bearer .+$");
  EXPECT_EQ(a["authorizerResultTtlInSeconds"], json::value(60));
  json::object m = method(im, "/a", "GET");
  EXPECT_EQ(m["authorizationType"], "CUSTOM");
  EXPECT_EQ(m["authorizerId"], a["id"]);
}

TEST(OpenApiImport, RequestAuthorizerTakesTheDefaultTtl) {
  Imported im =
      import(kOas30,
             "components:\n"
             "  securitySchemes:\n"
             "    req:\n"
             "      type: apiKey\n"
             "      name: Unused\n"
             "      in: header\n"
             "      x-amazon-apigateway-authorizer:\n"
             "        type: request\n"
             "        identitySource: method.request.header.A, method.request.querystring.b\n"
             "        authorizerUri: " +
                 std::string(kLambda) + "\n");
  EXPECT_TRUE(im.errors.empty()) << joined(im.errors);
  json::object a = only(im, "authorizers");
  EXPECT_EQ(a["type"], "REQUEST");
  EXPECT_EQ(a["identitySource"], "method.request.header.A, method.request.querystring.b");
  EXPECT_EQ(a["authorizerResultTtlInSeconds"], json::value(300));
  EXPECT_FALSE(a.contains("authType"));
}

TEST(OpenApiImport, CognitoAuthorizerAndTheScopesOfAMethod) {
  Imported im =
      import(kOas30,
             "components:\n"
             "  securitySchemes:\n"
             "    pool:\n"
             "      type: apiKey\n"
             "      name: Authorization\n"
             "      in: header\n"
             "      x-amazon-apigateway-authtype: cognito_user_pools\n"
             "      x-amazon-apigateway-authorizer:\n"
             "        type: cognito_user_pools\n"
             "        providerARNs:\n"
             "        - arn:aws:cognito-idp:${AWS::Region}:${AWS::AccountId}:userpool/eu-west-1_x\n"
             "paths:\n"
             "  /a:\n"
             "    get:\n"
             "      security: [{pool: [email, openid]}]\n"
             "      responses: {'200': {description: ok}}\n");
  EXPECT_TRUE(im.errors.empty()) << joined(im.errors);
  json::object a = only(im, "authorizers");
  EXPECT_EQ(a["type"], "COGNITO_USER_POOLS");
  EXPECT_EQ(json::serialize(a["providerARNs"]),
            R"(["arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_x"])");
  json::object m = method(im, "/a", "GET");
  EXPECT_EQ(m["authorizationType"], "COGNITO_USER_POOLS");
  EXPECT_EQ(m["authorizerId"], a["id"]);
  EXPECT_EQ(json::serialize(m["authorizationScopes"]), R"(["email","openid"])");
}

TEST(OpenApiImport, AnAuthorizerThatFailsItsChecksIsAnError) {
  Imported im =
      import(kSwagger,
             "securityDefinitions:\n"
             "  bad:\n"
             "    type: apiKey\n"
             "    name: Authorization\n"
             "    in: header\n"
             "    x-amazon-apigateway-authorizer: {type: token, authorizerUri: 'http://x'}\n");
  EXPECT_EQ(joined(im.errors),
            "Unable to create authorizer 'bad': Invalid authorizer URI specified: http://x\n");
  const json::object* authorizers = section_of(im, "authorizers");
  EXPECT_TRUE(!authorizers || authorizers->empty()) << json::serialize(*authorizers);
}

TEST(OpenApiImport, SigV4AuthTypeMakesMethodsAwsIam) {
  Imported im = import(kSwagger,
                       "securityDefinitions:\n"
                       "  sigv4: {type: apiKey, name: Authorization, in: header,\n"
                       "          x-amazon-apigateway-authtype: awsSigv4}\n"
                       "security: [{sigv4: []}]\n"
                       "paths:\n"
                       "  /a: {get: {responses: {'200': {description: ok}}}}\n"
                       "  /open: {get: {security: [], responses: {'200': {description: ok}}}}\n");
  EXPECT_TRUE(im.errors.empty()) << joined(im.errors);
  EXPECT_EQ(method(im, "/a", "GET")["authorizationType"], "AWS_IAM");  // the document's default
  EXPECT_EQ(method(im, "/open", "GET")["authorizationType"], "NONE");  // its own: none
  EXPECT_EQ(section_of(im, "authorizers"), nullptr);
}

TEST(OpenApiImport, AuthOnAnOperation) {
  Imported im = import(kSwagger,
                       "paths:\n"
                       "  /a:\n"
                       "    get:\n"
                       "      x-amazon-apigateway-auth: {type: aws_iam}\n"
                       "      responses: {'200': {description: ok}}\n"
                       "    put:\n"
                       "      x-amazon-apigateway-auth: {type: NONE}\n"
                       "      responses: {'200': {description: ok}}\n");
  EXPECT_TRUE(im.errors.empty()) << joined(im.errors);
  EXPECT_EQ(method(im, "/a", "GET")["authorizationType"], "AWS_IAM");
  EXPECT_EQ(method(im, "/a", "PUT")["authorizationType"], "NONE");
}

// --- Gateway responses and documentation -------------------------------------------------------

TEST(OpenApiImport, GatewayResponses) {
  Imported im = import(kSwagger,
                       "x-amazon-apigateway-gateway-responses:\n"
                       "  DEFAULT_4XX:\n"
                       "    statusCode: 418\n"
                       "    responseParameters:\n"
                       "      gatewayresponse.header.Access-Control-Allow-Origin: \"'*'\"\n"
                       "    responseTemplates:\n"
                       "      application/json: '{\"message\": $context.error.messageString}'\n"
                       "  MISSING_AUTHENTICATION_TOKEN: {}\n");
  EXPECT_TRUE(im.errors.empty()) << joined(im.errors);
  const json::object* responses = section_of(im, "responses");
  ASSERT_TRUE(responses);
  ASSERT_EQ(responses->size(), 2u);
  const json::object& d = responses->at("DEFAULT_4XX").as_object();
  EXPECT_EQ(d.at("responseType"), "DEFAULT_4XX");
  EXPECT_EQ(d.at("statusCode"), "418");  // a YAML number, kept as the code it is
  EXPECT_EQ(d.at("defaultResponse"), json::value(false));
  EXPECT_EQ(json::serialize(d.at("responseParameters")),
            R"({"gatewayresponse.header.Access-Control-Allow-Origin":"'*'"})");
  EXPECT_EQ(json::serialize(d.at("responseTemplates")),
            R"({"application/json":"{\"message\": $context.error.messageString}"})");
  const json::object& m = responses->at("MISSING_AUTHENTICATION_TOKEN").as_object();
  EXPECT_FALSE(m.contains("statusCode"));
  EXPECT_EQ(m.at("responseParameters"), json::object{});
  EXPECT_EQ(m.at("responseTemplates"), json::object{});
}

TEST(OpenApiImport, AGatewayResponseOfAnUnknownTypeIsAnError) {
  Imported im =
      import(kSwagger,
             "x-amazon-apigateway-gateway-responses:\n"
             "  NOT_A_TYPE: {statusCode: 400}\n"
             "  DEFAULT_5XX: {responseParameters: {method.response.header.x: \"'y'\"}}\n");
  ASSERT_EQ(im.errors.size(), 2u) << joined(im.errors);
  // In the document's order.
  EXPECT_TRUE(
      im.errors[0].starts_with("Invalid gateway response 'NOT_A_TYPE': 1 validation "
                               "error detected: Value 'NOT_A_TYPE' at 'responseType'"))
      << im.errors[0];
  EXPECT_EQ(im.errors[1],
            "Invalid gateway response 'DEFAULT_5XX': Invalid gateway response parameter name "
            "specified: method.response.header.x");
  EXPECT_EQ(section_of(im, "responses"), nullptr);
}

TEST(OpenApiImport, DocumentationParts) {
  Imported im = import(kSwagger,
                       "x-amazon-apigateway-documentation:\n"
                       "  version: v1\n"
                       "  documentationParts:\n"
                       "  - location: {type: API}\n"
                       "    properties: {description: the API}\n"
                       "  - location: {type: METHOD, path: /pets, method: GET}\n"
                       "    properties: {summary: list}\n"
                       "  - location: {type: API}\n"
                       "    properties: {description: again}\n");
  EXPECT_TRUE(im.errors.empty()) << joined(im.errors);
  const json::object* parts = section_of(im, "docparts");
  ASSERT_TRUE(parts);
  ASSERT_EQ(parts->size(), 2u);  // the second API part replaces the first
  std::map<std::string, json::object> by_type;
  for (const auto& kv : *parts) {
    const json::object& p = kv.value().as_object();
    EXPECT_EQ(p.at("id"), json::value(kv.key()));
    by_type[std::string(p.at("location").at("type").as_string())] = p;
  }
  EXPECT_EQ(json::parse(by_type["API"]["properties"].as_string()),
            json::parse(R"({"description":"again"})"));
  const json::object& loc = by_type["METHOD"]["location"].as_object();
  EXPECT_EQ(loc.at("path"), "/pets");
  EXPECT_EQ(loc.at("method"), "GET");
  EXPECT_EQ(json::parse(by_type["METHOD"]["properties"].as_string()),
            json::parse(R"({"summary":"list"})"));
}

TEST(OpenApiImport, DocumentationNeedsItsPartsAndEachPartItsProperties) {
  Imported im = import(kSwagger, "x-amazon-apigateway-documentation: {version: v1}\n");
  EXPECT_EQ(joined(im.errors),
            "Invalid x-amazon-apigateway-documentation: it needs documentationParts, a list\n");
  im = import(kSwagger,
              "x-amazon-apigateway-documentation:\n"
              "  documentationParts:\n"
              "  - location: {type: API}\n"
              "    properties: 'not an object'\n");
  EXPECT_EQ(im.errors.size(), 1u) << joined(im.errors);
  EXPECT_EQ(section_of(im, "docparts"), nullptr);
}

// --- Methods and integrations
// ---------------------------------------------------------------------

TEST(OpenApiImport, AnyMethod) {
  Imported im = import(
      kSwagger,
      "paths:\n"
      "  /{proxy+}:\n"
      "    x-amazon-apigateway-any-method:\n"
      "      parameters: [{name: proxy, in: path, required: true, type: string}]\n"
      "      responses: {}\n"
      "      x-amazon-apigateway-integration:\n"
      "        type: http_proxy\n"
      "        httpMethod: ANY\n"
      "        uri: https://backend.example/{proxy}\n"
      "        requestParameters: {integration.request.path.proxy: method.request.path.proxy}\n");
  EXPECT_TRUE(im.errors.empty()) << joined(im.errors);
  json::object r = resource(im, "/{proxy+}");
  EXPECT_EQ(r["pathPart"], "{proxy+}");
  json::object m = method(im, "/{proxy+}", "ANY");
  EXPECT_EQ(m["httpMethod"], "ANY");
  EXPECT_EQ(json::serialize(m["requestParameters"]), R"({"method.request.path.proxy":true})");
  json::object i = m["methodIntegration"].as_object();
  EXPECT_EQ(i["type"], "HTTP_PROXY");
  EXPECT_EQ(i["httpMethod"], "ANY");
  EXPECT_EQ(i["uri"], "https://backend.example/{proxy}");
  EXPECT_EQ(i["connectionType"], "INTERNET");
  EXPECT_EQ(i["cacheNamespace"], r["id"]);
}

TEST(OpenApiImport, HttpIntegrationWithItsResponses) {
  Imported im = import(kSwagger,
                       "paths:\n"
                       "  /a:\n"
                       "    post:\n"
                       "      responses: {'200': {description: ok}}\n"
                       "      x-amazon-apigateway-integration:\n"
                       "        type: http\n"
                       "        httpMethod: post\n"
                       "        uri: https://backend.${AWS::Region}.example/a\n"
                       "        passthroughBehavior: when_no_templates\n"
                       "        contentHandling: convert_to_text\n"
                       "        timeoutInMillis: 5000\n"
                       "        cacheKeyParameters: [method.request.header.k]\n"
                       "        tlsConfig: {insecureSkipVerification: true}\n"
                       "        requestTemplates: {application/json: '{\"a\": 1}'}\n"
                       "        responses:\n"
                       "          default: {statusCode: '200'}\n"
                       "          '4\\d{2}':\n"
                       "            statusCode: '400'\n"
                       "            contentHandling: convert_to_binary\n"
                       "            responseTemplates: {application/json: '{}'}\n");
  EXPECT_TRUE(im.errors.empty()) << joined(im.errors);
  // The 400 had no method response: one was added, and said so.
  EXPECT_NE(joined(im.warnings)
                .find("Integration response 400 of 'POST /a' has no method "
                      "response of that status; one was added"),
            std::string::npos)
      << joined(im.warnings);
  json::object m = method(im, "/a", "POST");
  EXPECT_EQ(json::serialize(m["methodResponses"]),
            R"({"200":{"statusCode":"200"},"400":{"statusCode":"400"}})");
  json::object i = m["methodIntegration"].as_object();
  EXPECT_EQ(i["type"], "HTTP");
  EXPECT_EQ(i["httpMethod"], "POST");
  EXPECT_EQ(i["uri"], "https://backend.eu-west-1.example/a");
  EXPECT_EQ(i["passthroughBehavior"], "WHEN_NO_TEMPLATES");
  EXPECT_EQ(i["contentHandling"], "CONVERT_TO_TEXT");
  EXPECT_EQ(i["timeoutInMillis"], json::value(5000));
  EXPECT_EQ(json::serialize(i["cacheKeyParameters"]), R"(["method.request.header.k"])");
  EXPECT_EQ(json::serialize(i["tlsConfig"]), R"({"insecureSkipVerification":true})");
  EXPECT_EQ(json::serialize(i["requestTemplates"]), R"({"application/json":"{\"a\": 1}"})");
  const json::object& irs = i["integrationResponses"].as_object();
  ASSERT_EQ(irs.size(), 2u);
  const json::object& ok = irs.at("200").as_object();
  EXPECT_FALSE(ok.contains("selectionPattern"));  // the default response
  const json::object& err = irs.at("400").as_object();
  EXPECT_EQ(err.at("selectionPattern"), "4\\d{2}");
  EXPECT_EQ(err.at("contentHandling"), "CONVERT_TO_BINARY");
  EXPECT_EQ(json::serialize(err.at("responseTemplates")), R"({"application/json":"{}"})");
}

TEST(OpenApiImport, MockIntegrationTakesTheDefaults) {
  Imported im = import(kOas30,
                       "paths:\n"
                       "  /m:\n"
                       "    get:\n"
                       "      responses: {'200': {description: ok}}\n"
                       "      x-amazon-apigateway-integration:\n"
                       "        type: mock\n"
                       "        httpMethod: POST\n"
                       "        requestTemplates: {application/json: '{\"statusCode\": 200}'}\n");
  EXPECT_TRUE(im.errors.empty()) << joined(im.errors);
  json::object r = resource(im, "/m");
  json::object i = method(im, "/m", "GET")["methodIntegration"].as_object();
  EXPECT_EQ(i["type"], "MOCK");
  EXPECT_FALSE(i.contains("httpMethod"));
  EXPECT_FALSE(i.contains("connectionType"));
  EXPECT_EQ(i["passthroughBehavior"], "WHEN_NO_MATCH");
  EXPECT_EQ(i["timeoutInMillis"], json::value(29000));
  EXPECT_EQ(i["cacheNamespace"], r["id"]);
  EXPECT_EQ(i["cacheKeyParameters"], json::array{});
}

TEST(OpenApiImport, AnIntegrationThatFailsItsChecksIsAnError) {
  Imported im =
      import(kSwagger,
             "paths:\n"
             "  /a:\n"
             "    get:\n"
             "      responses: {'200': {description: ok}}\n"
             "      x-amazon-apigateway-integration: {type: bogus}\n"
             "  /b:\n"
             "    get:\n"
             "      responses: {'200': {description: ok}}\n"
             "      x-amazon-apigateway-integration: {type: mock, timeoutInMillis: soon}\n");
  ASSERT_EQ(im.errors.size(), 2u) << joined(im.errors);
  EXPECT_TRUE(im.errors[0].starts_with("Invalid integration of 'GET /a': ")) << im.errors[0];
  EXPECT_EQ(im.errors[1], "In 'GET /b': the member 'timeoutInMillis' must be an integer");
  EXPECT_FALSE(method(im, "/a", "GET").contains("methodIntegration"));
}

TEST(OpenApiImport, UnknownPseudoParametersStayAndAreWarnedOf) {
  Imported im =
      import(kSwagger,
             "paths:\n"
             "  /a:\n"
             "    get:\n"
             "      responses: {'200': {description: ok}}\n"
             "      x-amazon-apigateway-integration:\n"
             "        type: http\n"
             "        httpMethod: GET\n"
             "        uri: 'https://${AWS::StackName}.${AWS::URLSuffix}/${AWS::Partition}'\n");
  EXPECT_TRUE(im.errors.empty()) << joined(im.errors);
  EXPECT_EQ(method(im, "/a", "GET")["methodIntegration"].as_object()["uri"],
            "https://${AWS::StackName}.amazonaws.com/aws");
  ASSERT_FALSE(im.warnings.empty());
  EXPECT_EQ(im.warnings[0], "Unknown pseudo parameter ${AWS::StackName} left as is");
}

}  // namespace
}  // namespace portcullis::gateway::openapi
