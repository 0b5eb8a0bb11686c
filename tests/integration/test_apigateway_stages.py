"""API Gateway deployments, stages, models, request validators, authorizers and gateway
responses through boto3: what a deployment freezes, stages and their patch paths (variables,
method settings, access logs), and AWS's errors for each."""

from __future__ import annotations

import json

import pytest

from apigateway_helpers import (LAMBDA_URI, ag, add, assert_recent, body, call_error,  # noqa: F401
                                deployable_api, deployed_stage, mock_method, new_api, remove,
                                replace, root_id, status)
from portcullis_helpers import DEFAULT_ACCOUNT

NO_DEPLOYMENT = ("NotFoundException", "Invalid Deployment identifier specified", 404)
NO_STAGE = ("NotFoundException", "Invalid Stage identifier specified", 404)
GATEWAY_RESPONSE_TYPES = {
    "ACCESS_DENIED": "403", "API_CONFIGURATION_ERROR": "500", "AUTHORIZER_CONFIGURATION_ERROR": "500",
    "AUTHORIZER_FAILURE": "500", "BAD_REQUEST_BODY": "400", "BAD_REQUEST_PARAMETERS": "400",
    "DEFAULT_4XX": None, "DEFAULT_5XX": None, "EXPIRED_TOKEN": "403", "INTEGRATION_FAILURE": "504",
    "INTEGRATION_TIMEOUT": "504", "INVALID_API_KEY": "403", "INVALID_SIGNATURE": "403",
    "MISSING_AUTHENTICATION_TOKEN": "403", "QUOTA_EXCEEDED": "429", "REQUEST_TOO_LARGE": "413",
    "RESOURCE_NOT_FOUND": "404", "THROTTLED": "429", "UNAUTHORIZED": "401",
    "UNSUPPORTED_MEDIA_TYPE": "415", "WAF_FILTERED": "403",
}


def enum_error(value: str, member: str, allowed) -> callable:
    prefix = (f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
              "constraint: Member must satisfy enum value set: [")

    def check(err):
        code, msg, st = err
        assert (code, st) == ("ValidationException", 400), err
        assert msg.startswith(prefix) and msg.endswith("]"), msg
        assert sorted(msg[len(prefix):-1].split(", ")) == sorted(allowed), msg
    return check


# -- deployments ----------------------------------------------------------------------------------

def test_deployment_needs_methods_with_integrations(ag):
    api = new_api(ag, "empty")
    assert call_error(ag.create_deployment, restApiId=api, stageName="prod") == (
        "BadRequestException", "The REST API doesn't contain any methods", 400)
    ag.put_method(restApiId=api, resourceId=root_id(ag, api), httpMethod="GET",
                  authorizationType="NONE")
    assert call_error(ag.create_deployment, restApiId=api, stageName="prod") == (
        "BadRequestException", "No integration defined for method", 400)
    assert ag.get_stages(restApiId=api)["item"] == []
    assert ag.get_deployments(restApiId=api)["items"] == []


def test_create_deployment_with_stage(ag):
    api, _, _ = deployable_api(ag)
    r = ag.create_deployment(restApiId=api, stageName="prod", description="first",
                             stageDescription="the prod stage", variables={"color": "blue"})
    assert status(r) == 201
    dep = body(r)
    assert set(dep) == {"id", "description", "createdDate"} and dep["description"] == "first"
    assert_recent(dep["createdDate"])
    stage = ag.get_stage(restApiId=api, stageName="prod")
    assert (stage["deploymentId"], stage["description"], stage["variables"]) == (
        dep["id"], "the prod stage", {"color": "blue"})
    # A second deployment to the same stage moves it.
    dep2 = ag.create_deployment(restApiId=api, stageName="prod")["id"]
    stage = ag.get_stage(restApiId=api, stageName="prod")
    assert stage["deploymentId"] == dep2 and stage["variables"] == {"color": "blue"}
    listed = ag.get_deployments(restApiId=api)["items"]
    assert sorted(d["id"] for d in listed) == sorted([dep["id"], dep2])
    assert body(ag.get_deployment(restApiId=api, deploymentId=dep["id"])) == dep


def test_deployment_is_immutable(ag):
    api, root, pets = deployable_api(ag)
    dep = ag.create_deployment(restApiId=api)["id"]
    summary = {"/": {"GET": {"authorizationType": "NONE", "apiKeyRequired": False}},
               "/pets": {"GET": {"authorizationType": "NONE", "apiKeyRequired": False}}}
    r = ag.get_deployment(restApiId=api, deploymentId=dep, embed=["apisummary"])
    assert r["apiSummary"] == summary
    assert "apiSummary" not in ag.get_deployment(restApiId=api, deploymentId=dep)
    # Change the API after deploying.
    ag.delete_method(restApiId=api, resourceId=root, httpMethod="GET")
    mock_method(ag, api, pets, "POST", apiKeyRequired=True)
    ag.update_method(restApiId=api, resourceId=pets, httpMethod="GET",
                     patchOperations=[replace("/authorizationType", "AWS_IAM")])
    assert ag.get_deployment(restApiId=api, deploymentId=dep, embed=["apisummary"])["apiSummary"] == summary
    dep2 = ag.create_deployment(restApiId=api)["id"]
    assert ag.get_deployment(restApiId=api, deploymentId=dep2, embed=["apisummary"])["apiSummary"] == {
        "/pets": {"GET": {"authorizationType": "AWS_IAM", "apiKeyRequired": False},
                  "POST": {"authorizationType": "NONE", "apiKeyRequired": True}}}


def test_delete_and_update_deployment(ag):
    api, dep = deployed_stage(ag, "prod")
    assert call_error(ag.delete_deployment, restApiId=api, deploymentId=dep) == (
        "BadRequestException", "Active stages pointing to this deployment must be moved or deleted", 400)
    r = ag.update_deployment(restApiId=api, deploymentId=dep,
                             patchOperations=[replace("/description", "renamed")])
    assert status(r) == 200 and r["description"] == "renamed"
    assert ag.get_deployment(restApiId=api, deploymentId=dep)["description"] == "renamed"
    spare = ag.create_deployment(restApiId=api)["id"]
    r = ag.delete_deployment(restApiId=api, deploymentId=spare)
    assert status(r) == 202
    assert call_error(ag.get_deployment, restApiId=api, deploymentId=spare) == NO_DEPLOYMENT
    assert call_error(ag.delete_deployment, restApiId=api, deploymentId=spare) == NO_DEPLOYMENT
    # Once the stage is gone, its deployment can go too.
    ag.delete_stage(restApiId=api, stageName="prod")
    assert status(ag.delete_deployment(restApiId=api, deploymentId=dep)) == 202


def test_deployment_bad_stage_name(ag):
    api, _, _ = deployable_api(ag)
    code, msg, st = call_error(ag.create_deployment, restApiId=api, stageName="bad name!")
    assert (code, st) == ("BadRequestException", 400) and msg.startswith("Stage name only allows"), msg


# -- stages ---------------------------------------------------------------------------------------

def test_create_get_list_stages(ag):
    api, dep = deployed_stage(ag, "prod")
    dep2 = ag.create_deployment(restApiId=api)["id"]
    r = ag.create_stage(restApiId=api, stageName="beta", deploymentId=dep2, description="b",
                        variables={"v": "1"}, tags={"t": "x"})
    assert status(r) == 201
    stage = body(r)
    assert_recent(stage.pop("createdDate"))
    assert_recent(stage.pop("lastUpdatedDate"))
    assert stage == {"deploymentId": dep2, "stageName": "beta", "description": "b",
                     "cacheClusterEnabled": False, "cacheClusterStatus": "NOT_AVAILABLE",
                     "methodSettings": {}, "tracingEnabled": False, "variables": {"v": "1"},
                     "tags": {"t": "x"}}
    assert body(ag.get_stage(restApiId=api, stageName="beta")) == body(r)
    assert {s["stageName"] for s in ag.get_stages(restApiId=api)["item"]} == {"prod", "beta"}
    assert [s["stageName"] for s in ag.get_stages(restApiId=api, deploymentId=dep)["item"]] == ["prod"]
    assert [s["stageName"] for s in ag.get_stages(restApiId=api, deploymentId=dep2)["item"]] == ["beta"]


def test_create_stage_errors(ag):
    api, dep = deployed_stage(ag, "prod")
    assert call_error(ag.create_stage, restApiId=api, stageName="prod", deploymentId=dep) == (
        "ConflictException", "Stage already exists", 409)
    assert call_error(ag.create_stage, restApiId=api, stageName="other",
                      deploymentId="nope12") == NO_DEPLOYMENT
    assert call_error(ag.get_stage, restApiId=api, stageName="nostage") == NO_STAGE
    code, _, st = call_error(ag.create_stage, restApiId=api, stageName="v", deploymentId=dep,
                             variables={"bad name": "x"})
    assert (code, st) == ("BadRequestException", 400)


def test_update_stage_variables_and_fields(ag):
    api, _ = deployed_stage(ag, "prod")
    created = ag.get_stage(restApiId=api, stageName="prod")
    r = ag.update_stage(restApiId=api, stageName="prod", patchOperations=[
        replace("/variables/a", "1"), replace("/variables/b", "2"), replace("/description", "d"),
        replace("/tracingEnabled", "true")])
    assert status(r) == 200
    assert (r["variables"], r["description"], r["tracingEnabled"]) == ({"a": "1", "b": "2"}, "d", True)
    assert r["lastUpdatedDate"] >= created["lastUpdatedDate"]
    r = ag.update_stage(restApiId=api, stageName="prod", patchOperations=[remove("/variables/a")])
    assert r["variables"] == {"b": "2"}
    assert body(ag.get_stage(restApiId=api, stageName="prod")) == body(r)
    assert call_error(ag.update_stage, restApiId=api, stageName="prod",
                      patchOperations=[replace("/deploymentId", "nope12")]) == NO_DEPLOYMENT
    assert call_error(ag.update_stage, restApiId=api, stageName="nostage",
                      patchOperations=[replace("/description", "x")]) == NO_STAGE


# A method setting as AWS creates it (the update-stage example of the AWS CLI reference): no
# loggingLevel member until one is set.
SETTING_DEFAULTS = {"metricsEnabled": False, "dataTraceEnabled": False, "throttlingBurstLimit": 5000,
                    "throttlingRateLimit": 10000.0, "cachingEnabled": False, "cacheTtlInSeconds": 300,
                    "cacheDataEncrypted": False, "requireAuthorizationForCacheControl": True,
                    "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER"}


def test_update_stage_method_settings(ag):
    api, _ = deployed_stage(ag, "prod")
    r = ag.update_stage(restApiId=api, stageName="prod", patchOperations=[
        replace("/*/*/throttling/rateLimit", "100"), replace("/*/*/throttling/burstLimit", "50"),
        replace("/*/*/logging/loglevel", "INFO"), replace("/*/*/caching/ttlInSeconds", "60")])
    everything = r["methodSettings"]["*/*"]
    assert (everything["throttlingRateLimit"], everything["throttlingBurstLimit"],
            everything["loggingLevel"], everything["cacheTtlInSeconds"],
            everything["metricsEnabled"]) == (100.0, 50, "INFO", 60, False)
    assert ag.get_stage(restApiId=api, stageName="prod")["methodSettings"] == r["methodSettings"]
    code, _, st = call_error(ag.update_stage, restApiId=api, stageName="prod",
                             patchOperations=[replace("/*/*/logging/loglevel", "LOUD")])
    assert (code, st) == ("BadRequestException", 400)
    code, _, st = call_error(ag.update_stage, restApiId=api, stageName="prod",
                             patchOperations=[replace("/*/*/bogus/setting", "1")])
    assert (code, st) == ("BadRequestException", 400)
    r = ag.update_stage(restApiId=api, stageName="prod", patchOperations=[remove("/*/*")])
    assert r["methodSettings"] == {}


def test_method_setting_defaults(ag):
    api, _ = deployed_stage(ag, "prod")
    r = ag.update_stage(restApiId=api, stageName="prod",
                        patchOperations=[replace("/*/*/logging/dataTrace", "true")])
    assert r["methodSettings"] == {"*/*": {**SETTING_DEFAULTS, "dataTraceEnabled": True}}


def test_method_setting_key_is_the_addressed_path(ag):
    # AWS keys the setting by the path token as addressed: /~1pets/GET/... → "~1pets/GET".
    api, _ = deployed_stage(ag, "prod")
    r = ag.update_stage(restApiId=api, stageName="prod",
                        patchOperations=[replace("/~1pets/GET/metrics/enabled", "true")])
    assert set(r["methodSettings"]) == {"~1pets/GET"}
    assert r["methodSettings"]["~1pets/GET"]["metricsEnabled"] is True


def test_method_settings_nested_resource_path(ag):
    # The resource path may span segments (Terraform's method_path "pets/toys/GET").
    api, _ = deployed_stage(ag, "prod")
    r = ag.update_stage(restApiId=api, stageName="prod",
                        patchOperations=[replace("/pets/toys/GET/metrics/enabled", "true")])
    assert r["methodSettings"]["pets/toys/GET"]["metricsEnabled"] is True


def test_remove_missing_method_setting(ag):
    api, _ = deployed_stage(ag, "prod")
    assert call_error(ag.update_stage, restApiId=api, stageName="prod",
                      patchOperations=[remove("/*/*")]) == (
        "BadRequestException",
        "Cannot remove method setting */* because there is no method setting for this method ", 400)


def test_update_stage_access_log_settings(ag):
    api, _ = deployed_stage(ag, "prod")
    dest = f"arn:aws:logs:us-east-1:{DEFAULT_ACCOUNT}:log-group:access"
    r = ag.update_stage(restApiId=api, stageName="prod", patchOperations=[
        replace("/accessLogSettings/destinationArn", dest),
        replace("/accessLogSettings/format", "$context.requestId")])
    assert r["accessLogSettings"] == {"destinationArn": dest, "format": "$context.requestId"}
    r = ag.update_stage(restApiId=api, stageName="prod", patchOperations=[remove("/accessLogSettings")])
    assert "accessLogSettings" not in r
    assert "accessLogSettings" not in ag.get_stage(restApiId=api, stageName="prod")


def test_delete_stage(ag):
    api, _ = deployed_stage(ag, "prod")
    r = ag.delete_stage(restApiId=api, stageName="prod")
    assert status(r) == 202
    assert call_error(ag.get_stage, restApiId=api, stageName="prod") == NO_STAGE
    assert call_error(ag.delete_stage, restApiId=api, stageName="prod") == NO_STAGE
    assert ag.get_stages(restApiId=api)["item"] == []


# -- models ---------------------------------------------------------------------------------------

def test_models(ag):
    api = new_api(ag, "models")
    schema = json.dumps({"type": "object", "properties": {"name": {"type": "string"}}})
    r = ag.create_model(restApiId=api, name="Pet", contentType="application/json",
                        description="a pet", schema=schema)
    assert status(r) == 201
    model = body(r)
    assert model == {"id": model["id"], "name": "Pet", "description": "a pet", "schema": schema,
                     "contentType": "application/json"}
    assert body(ag.get_model(restApiId=api, modelName="Pet")) == model
    assert {m["name"] for m in ag.get_models(restApiId=api)["items"]} == {"Empty", "Error", "Pet"}
    assert call_error(ag.create_model, restApiId=api, name="Pet", contentType="application/json",
                      schema=schema) == ("ConflictException", "Model name already exists for this REST API", 409)
    r = ag.update_model(restApiId=api, modelName="Pet", patchOperations=[
        replace("/description", "changed"), replace("/schema", '{"type": "array"}')])
    assert status(r) == 200 and (r["description"], r["schema"]) == ("changed", '{"type": "array"}')
    r = ag.delete_model(restApiId=api, modelName="Pet")
    assert status(r) == 202
    missing = ("NotFoundException", "Invalid model name specified: Pet", 404)
    assert call_error(ag.get_model, restApiId=api, modelName="Pet") == missing
    assert call_error(ag.delete_model, restApiId=api, modelName="Pet") == missing
    assert call_error(ag.update_model, restApiId=api, modelName="Pet",
                      patchOperations=[replace("/description", "x")]) == missing


def test_model_validation(ag):
    api = new_api(ag, "modelval")
    for kw in ({"name": "my-model", "schema": "{}"}, {"name": "Bad", "schema": "not json"}):
        code, _, st = call_error(ag.create_model, restApiId=api, contentType="application/json", **kw)
        assert (code, st) == ("BadRequestException", 400), kw


def test_delete_model_in_use(ag):
    api = new_api(ag, "modeluse")
    root = root_id(ag, api)
    ag.create_model(restApiId=api, name="Pet", contentType="application/json", schema="{}")
    ag.put_method(restApiId=api, resourceId=root, httpMethod="POST", authorizationType="NONE",
                  requestModels={"application/json": "Pet"})
    code, msg, st = call_error(ag.delete_model, restApiId=api, modelName="Pet")
    assert (code, st) == ("ConflictException", 409) and "Pet" in msg, msg
    assert ag.get_model(restApiId=api, modelName="Pet")["name"] == "Pet"


# -- request validators ---------------------------------------------------------------------------

def test_request_validators(ag):
    api = new_api(ag, "val")
    r = ag.create_request_validator(restApiId=api, name="body-only", validateRequestBody=True)
    assert status(r) == 201
    v = body(r)
    assert v == {"id": v["id"], "name": "body-only", "validateRequestBody": True,
                 "validateRequestParameters": False}
    assert body(ag.get_request_validator(restApiId=api, requestValidatorId=v["id"])) == v
    assert [x["id"] for x in ag.get_request_validators(restApiId=api)["items"]] == [v["id"]]
    r = ag.update_request_validator(restApiId=api, requestValidatorId=v["id"], patchOperations=[
        replace("/validateRequestParameters", "true"), replace("/name", "both")])
    assert (r["name"], r["validateRequestParameters"]) == ("both", True)
    m = ag.put_method(restApiId=api, resourceId=root_id(ag, api), httpMethod="GET",
                      authorizationType="NONE", requestValidatorId=v["id"])
    assert m["requestValidatorId"] == v["id"]
    ag.delete_method(restApiId=api, resourceId=root_id(ag, api), httpMethod="GET")
    assert status(ag.delete_request_validator(restApiId=api, requestValidatorId=v["id"])) == 202
    missing = ("NotFoundException", "Invalid Request Validator identifier specified", 404)
    assert call_error(ag.get_request_validator, restApiId=api, requestValidatorId=v["id"]) == missing
    assert call_error(ag.delete_request_validator, restApiId=api, requestValidatorId=v["id"]) == missing
    assert ag.get_request_validators(restApiId=api)["items"] == []


# -- authorizers ----------------------------------------------------------------------------------

def test_token_authorizer(ag):
    api = new_api(ag, "auth")
    r = ag.create_authorizer(restApiId=api, name="tok", type="TOKEN", authorizerUri=LAMBDA_URI,
                             identitySource="method.request.header.Authorization")
    assert status(r) == 201
    a = body(r)
    assert a == {"id": a["id"], "name": "tok", "type": "TOKEN", "authorizerUri": LAMBDA_URI,
                 "identitySource": "method.request.header.Authorization",
                 "authorizerResultTtlInSeconds": 300}
    assert body(ag.get_authorizer(restApiId=api, authorizerId=a["id"])) == a
    assert [x["id"] for x in ag.get_authorizers(restApiId=api)["items"]] == [a["id"]]
    r = ag.update_authorizer(restApiId=api, authorizerId=a["id"],
                             patchOperations=[replace("/authorizerResultTtlInSeconds", "60")])
    assert status(r) == 200 and r["authorizerResultTtlInSeconds"] == 60
    root = root_id(ag, api)
    m = ag.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="CUSTOM",
                      authorizerId=a["id"])
    assert m["authorizerId"] == a["id"]
    code, _, st = call_error(ag.delete_authorizer, restApiId=api, authorizerId=a["id"])
    assert st in (400, 409) and code in ("BadRequestException", "ConflictException")
    ag.delete_method(restApiId=api, resourceId=root, httpMethod="GET")
    assert status(ag.delete_authorizer(restApiId=api, authorizerId=a["id"])) == 202
    code, _, st = call_error(ag.get_authorizer, restApiId=api, authorizerId=a["id"])
    assert (code, st) == ("NotFoundException", 404)


@pytest.mark.parametrize("kw", [
    {"type": "TOKEN", "authorizerUri": LAMBDA_URI},  # no identity source
    {"type": "TOKEN", "authorizerUri": LAMBDA_URI, "identitySource": "method.request.querystring.t"},
    {"type": "TOKEN", "authorizerUri": "https://example.com/auth",
     "identitySource": "method.request.header.Authorization"},
    {"type": "REQUEST", "identitySource": "method.request.header.Authorization"},  # no URI
    {"type": "COGNITO_USER_POOLS"},  # no providerARNs
    {"type": "TOKEN", "authorizerUri": LAMBDA_URI, "identitySource": "method.request.header.A",
     "authorizerResultTtlInSeconds": 3601},
])
def test_authorizer_rejected(ag, kw):
    api = new_api(ag, "authbad")
    code, _, st = call_error(ag.create_authorizer, restApiId=api, name="a", **kw)
    assert (code, st) == ("BadRequestException", 400), kw
    assert ag.get_authorizers(restApiId=api)["items"] == []


def test_cognito_authorizer(ag):
    api = new_api(ag, "cognito")
    pool = f"arn:aws:cognito-idp:us-east-1:{DEFAULT_ACCOUNT}:userpool/us-east-1_abc"
    r = ag.create_authorizer(restApiId=api, name="pool", type="COGNITO_USER_POOLS",
                             providerARNs=[pool], identitySource="method.request.header.Authorization")
    assert r["providerARNs"] == [pool] and r["type"] == "COGNITO_USER_POOLS"


def test_authorizer_invalid_type(ag):
    api = new_api(ag, "authtype")
    enum_error("JWT", "createAuthorizerInput.type", ["TOKEN", "REQUEST", "COGNITO_USER_POOLS"])(
        call_error(ag.create_authorizer, restApiId=api, name="a", type="JWT",
                   authorizerUri=LAMBDA_URI, identitySource="method.request.header.A"))


# -- gateway responses ----------------------------------------------------------------------------

def test_gateway_responses_defaults(ag):
    api = new_api(ag, "gr")
    items = ag.get_gateway_responses(restApiId=api, limit=500)["items"]
    assert len(items) == 21
    by_type = {i["responseType"]: i for i in items}
    assert set(by_type) == set(GATEWAY_RESPONSE_TYPES)
    for t, code in GATEWAY_RESPONSE_TYPES.items():
        r = by_type[t]
        assert r["defaultResponse"] is True, r
        assert r.get("statusCode") == code, r
        assert r["responseTemplates"] == {"application/json": '{"message":$context.error.messageString}'}
    assert body(ag.get_gateway_response(restApiId=api, responseType="THROTTLED")) == by_type["THROTTLED"]


def test_put_update_delete_gateway_response(ag):
    api = new_api(ag, "grput")
    kw = dict(restApiId=api, responseType="UNAUTHORIZED")
    r = ag.put_gateway_response(**kw, statusCode="401",
                                responseParameters={"gatewayresponse.header.WWW-Authenticate": "'Bearer'"},
                                responseTemplates={"application/json": '{"error":"unauthorized"}'})
    assert status(r) == 201
    put = body(r)
    assert put == {"responseType": "UNAUTHORIZED", "statusCode": "401",
                   "responseParameters": {"gatewayresponse.header.WWW-Authenticate": "'Bearer'"},
                   "responseTemplates": {"application/json": '{"error":"unauthorized"}'},
                   "defaultResponse": False}
    assert body(ag.get_gateway_response(**kw)) == put
    listed = {i["responseType"]: i for i in ag.get_gateway_responses(restApiId=api)["items"]}
    assert listed["UNAUTHORIZED"] == put and listed["THROTTLED"]["defaultResponse"] is True
    r = ag.update_gateway_response(**kw, patchOperations=[
        replace("/statusCode", "403"), add("/responseParameters/gatewayresponse.header.X-Why", "'auth'")])
    assert status(r) == 200
    assert r["statusCode"] == "403" and r["responseParameters"]["gatewayresponse.header.X-Why"] == "'auth'"
    r = ag.delete_gateway_response(**kw)
    assert status(r) == 202
    back = ag.get_gateway_response(**kw)
    assert (back["defaultResponse"], back["statusCode"]) == (True, "401")
    code, _, st = call_error(ag.delete_gateway_response, **kw)
    assert (code, st) == ("NotFoundException", 404)


def test_update_default_gateway_response(ag):
    api = new_api(ag, "grdef")
    r = ag.update_gateway_response(restApiId=api, responseType="DEFAULT_4XX",
                                   patchOperations=[replace("/statusCode", "418")])
    assert (r["defaultResponse"], r["statusCode"]) == (False, "418")


def test_gateway_response_invalid_type(ag):
    api = new_api(ag, "grbad")
    check = enum_error("BOGUS", "responseType", GATEWAY_RESPONSE_TYPES)
    check(call_error(ag.get_gateway_response, restApiId=api, responseType="BOGUS"))
    check(call_error(ag.put_gateway_response, restApiId=api, responseType="BOGUS", statusCode="400"))
