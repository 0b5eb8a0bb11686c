"""Input from outside that once slipped through: documents and bodies of the wrong shape get a
400 and change nothing; the server never falls over. Plus canary deployments, quoted CSV, and
the rule that a key reaches an API stage through one plan only."""

from __future__ import annotations

import json

import pytest

from apigateway_helpers import (ag, body, call_error, deployed_stage, new_api,  # noqa: F401
                                replace, signed_json, unique)


def api_count(ag) -> int:
    return len(ag.get_rest_apis(limit=500)["items"])


def doc(paths: dict, **top) -> bytes:
    return json.dumps({"openapi": "3.0.1", "info": {"title": unique("h"), "version": "1"},
                       "paths": paths, **top}).encode()


MOCK = {"type": "mock", "requestTemplates": {"application/json": '{"statusCode": 200}'}}


@pytest.mark.parametrize("document, fragment", [
    (b"a: &x [1, *x]\n", "Invalid OpenAPI input"),
    (b"openapi: 3.0.1\ninfo: {title: t}\npaths: " + b"[" * 200000, "nests deeper than 200"),
    (doc({"/a": {"get": {"responses": {"200": {"description": "ok"}},
                         "x-amazon-apigateway-integration": {**MOCK, "timeoutInMillis": 1.5}}}}),
     "timeoutInMillis"),
    (doc({"/a": {"get": {"responses": {"200": {"description": "ok"}},
                         "x-amazon-apigateway-integration": {
                             **MOCK, "requestParameters": {"integration.request.header.x": 5}}}}}),
     "requestParameters"),
    (doc({"/a": {"get": {"responses": {"2XX": {"description": "ok"}}}}}), "Invalid status code"),
    (doc({}, **{"x-amazon-apigateway-binary-media-types": "image/png"}),
     "In the document: the member 'x-amazon-apigateway-binary-media-types' must be a list"),
    (doc({}, **{"x-amazon-apigateway-gateway-responses": {"NOT_A_TYPE": {"statusCode": "400"}}}),
     "NOT_A_TYPE"),
    (doc({}, **{"x-amazon-apigateway-minimum-compression-size": 1e30}),
     "the member 'x-amazon-apigateway-minimum-compression-size' must be an integer"),
])
def test_bad_documents_are_refused(ag, document, fragment):
    before = api_count(ag)
    code, message, status = call_error(ag.import_rest_api, body=document)
    assert (code, status) == ("BadRequestException", 400), message
    assert fragment in message, message
    assert api_count(ag) == before


def test_swagger_consumes_as_numbers_is_an_error_not_a_crash(ag):
    swagger = {"swagger": "2.0", "info": {"title": unique("s"), "version": "1"}, "consumes": [1],
               "definitions": {"M": {"type": "object"}},
               "paths": {"/a": {"post": {"parameters": [{"in": "body", "name": "M", "schema": {"$ref": "#/definitions/M"}}],
                                         "responses": {"200": {"description": "ok"}}}}}}
    api = ag.import_rest_api(body=json.dumps(swagger).encode())
    # Not a content type: the default one is used.
    items = ag.get_resources(restApiId=api["id"], embed=["methods"])["items"]
    post = [r for r in items if r["path"] == "/a"][0]["resourceMethods"]["POST"]
    assert post["requestModels"] == {"application/json": "M"}


def test_unquoted_versions_read_as_written(ag):
    api = ag.import_rest_api(body=b"swagger: 2.0\ninfo: {title: v, version: 1.0}\npaths: {}\n")
    assert api["version"] == "1.0"


def test_long_input_is_refused_not_fatal(ag, server):
    api = new_api(ag, "long")
    code, _, status = call_error(ag.create_model, restApiId=api, name="M" * 60000 + "!",
                                 contentType="application/json")
    assert (code, status) == ("BadRequestException", 400)
    code, _, status = call_error(ag.create_deployment, restApiId=api, stageName="s" * 60000)
    assert status == 400
    # A description that starts like a date, exported as YAML.
    api, _ = deployed_stage(ag, "prod")
    ag.update_rest_api(restApiId=api, patchOperations=[replace("/description", "2024-01-01 " + "x" * 60000)])
    ag.create_deployment(restApiId=api, stageName="prod")
    out = ag.get_export(restApiId=api, stageName="prod", exportType="oas30", accepts="application/yaml")
    assert out["body"].read().decode().count("x" * 60000) == 1
    assert ag.get_rest_api(restApiId=api)["id"] == api  # still serving


def test_patch_values_must_be_strings(ag, server):
    api = new_api(ag, "patchval", description="kept")
    r = signed_json(server, "PATCH", f"/restapis/{api}",
                    {"patchOperations": [{"op": "replace", "path": "/description", "value": 123}]})
    assert r.status == 400 and r.header("x-amzn-errortype") == "BadRequestException", r.text
    assert ag.get_rest_api(restApiId=api)["description"] == "kept"
    r = signed_json(server, "PATCH", f"/restapis/{api}",
                    {"patchOperations": [{"op": "copy", "from": "/name", "path": "/description"}]})
    assert r.status == 400, r.text


def test_canary_deployment_keeps_the_stage_on_its_deployment(ag):
    api, first = deployed_stage(ag, "prod")
    second = ag.create_deployment(restApiId=api, stageName="prod",
                                  canarySettings={"percentTraffic": 10.0,
                                                  "stageVariableOverrides": {"v": "2"}})["id"]
    stage = ag.get_stage(restApiId=api, stageName="prod")
    assert stage["deploymentId"] == first
    assert stage["canarySettings"] == {"percentTraffic": 10.0, "stageVariableOverrides": {"v": "2"},
                                       "deploymentId": second}
    code, message, status = call_error(ag.create_deployment, restApiId=api, stageName="nostage",
                                       canarySettings={"percentTraffic": 5.0})
    assert (code, status) == ("BadRequestException", 400)
    assert call_error(ag.create_deployment, restApiId=api, stageName="prod",
                      canarySettings={"percentTraffic": 500.0})[2] == 400


def test_import_api_keys_with_quoted_fields(ag):
    csv = ('Name,Key,Description,Enabled\r\n'
           f'"{unique("q")}","{"k" * 30}","a description, with a comma and ""quotes""",true\r\n')
    r = ag.import_api_keys(body=csv.encode(), format="csv")
    assert r.get("warnings", []) == [] and len(r["ids"]) == 1
    key = ag.get_api_key(apiKey=r["ids"][0], includeValue=True)
    assert key["description"] == 'a description, with a comma and "quotes"'
    assert (key["value"], key["enabled"]) == ("k" * 30, True)
    code, _, status = call_error(ag.import_api_keys, body=b'Name,Key\n"open,' + b"x" * 25, format="csv")
    assert (code, status) == ("BadRequestException", 400)


def test_a_key_reaches_a_stage_through_one_plan(ag):
    api, _ = deployed_stage(ag, "prod")
    key = ag.create_api_key(name=unique("k"))["id"]
    first = ag.create_usage_plan(name=unique("p"), apiStages=[{"apiId": api, "stage": "prod"}])["id"]
    second = ag.create_usage_plan(name=unique("p"))["id"]
    ag.create_usage_plan_key(usagePlanId=first, keyId=key, keyType="API_KEY")
    ag.create_usage_plan_key(usagePlanId=second, keyId=key, keyType="API_KEY")
    code, message, status = call_error(ag.update_usage_plan, usagePlanId=second, patchOperations=[
        {"op": "add", "path": "/apiStages", "value": f"{api}:prod"}])
    assert (code, status) == ("ConflictException", 409), message
    assert ag.get_usage_plan(usagePlanId=second)["apiStages"] == []


@pytest.mark.parametrize("paths, fragment", [
    ([{"/a": {}}], "paths must be a map of paths to path items"),
    ({"/a": 5}, "Invalid path item '/a'"),
    ({"/a": {"get": "nothing"}}, "Invalid operation 'GET /a'"),
    ({"/a": {"get": {"responses": {"200": {"description": "ok"}},
                     "x-amazon-apigateway-integration": [MOCK]}}},
     "Invalid x-amazon-apigateway-integration of 'GET /a'"),
])
def test_documents_of_the_wrong_shape_are_refused(ag, paths, fragment):
    before = api_count(ag)
    document = json.dumps({"openapi": "3.0.1", "info": {"title": unique("h"), "version": "1"},
                           "paths": paths}).encode()
    code, message, status = call_error(ag.import_rest_api, body=document)
    assert (code, status) == ("BadRequestException", 400), message
    assert fragment in message, message
    assert api_count(ag) == before
    # Merged into an existing API, the same.
    api = new_api(ag, "shape")
    code, message, status = call_error(ag.put_rest_api, restApiId=api, mode="merge", body=document)
    assert (code, status, fragment in message) == ("BadRequestException", 400, True), message


def bad_request(r, fragment: str) -> None:
    assert r.status == 400 and r.header("x-amzn-errortype") == "BadRequestException", r.text
    assert fragment in json.loads(r.text)["message"], r.text


def test_bodies_of_the_wrong_shape_are_refused(ag, server):
    api = new_api(ag, "bodies")
    root = ag.get_resources(restApiId=api)["items"][0]["id"]
    method = f"/restapis/{api}/resources/{root}/methods/GET"
    bad_request(signed_json(server, "PUT", method,
                            {"authorizationType": "NONE", "requestParameters": {"method.request.header.x": "yes"}}),
                "requestParameters")
    ag.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
    bad_request(signed_json(server, "PUT", method + "/integration",
                            {"type": "MOCK", "requestParameters": {"integration.request.header.x": {"a": 1}}}),
                "requestParameters")
    bad_request(signed_json(server, "POST", f"/restapis/{api}/authorizers",
                            {"name": "c", "type": "COGNITO_USER_POOLS", "providerARNs": "arn:aws:cognito-idp:x"}),
                "providerARNs")
    bad_request(signed_json(server, "POST", f"/restapis/{api}/documentation/parts",
                            {"location": "API", "properties": "{}"}), "location must be a structure")
    bad_request(signed_json(server, "POST", "/usageplans", {"name": unique("p"), "apiStages": [1]}),
                "Each API stage must be a structure")
    bad_request(signed_json(server, "POST", "/usageplans", {"name": unique("p"), "throttle": [1]}),
                "throttle must be a structure")
    ag.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
    deployment = ag.create_deployment(restApiId=api)["id"]
    bad_request(signed_json(server, "POST", f"/restapis/{api}/stages",
                            {"stageName": "s", "deploymentId": deployment, "variables": ["a"]}),
                "variables")
    ag.create_stage(restApiId=api, stageName="s", deploymentId=deployment)
    bad_request(signed_json(server, "PATCH", f"/restapis/{api}/stages/s",
                            {"patchOperations": [{"op": "replace", "path": "/variables/a", "value": {"b": 1}}]}),
                "a patch value is a string")
    assert "variables" not in ag.get_stage(restApiId=api, stageName="s")
