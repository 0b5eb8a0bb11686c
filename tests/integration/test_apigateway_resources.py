"""API Gateway resources, methods, method responses, integrations and integration responses
through boto3: the resource tree and its rules, embedding, moving and deleting subtrees, every
integration type with its URI rules, and AWS's errors."""

from __future__ import annotations

import re

import pytest

from apigateway_helpers import (LAMBDA_URI, REGION, ag, add, add_resource, api_not_found, body,  # noqa: F401
                                call_error, mock_method, new_api, remove, replace, root_id, status)
from portcullis_helpers import DEFAULT_ACCOUNT

PATH_PART_RULE = ("Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning "
                  "and the end and an optional plus sign before the closing brace.")
BAD_VERB = ("BadRequestException", "Invalid HttpMethod specified. Valid options are "
            "GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY", 400)
NO_RESOURCE = ("NotFoundException", "Invalid Resource identifier specified", 404)
NO_METHOD = ("NotFoundException", "Invalid Method identifier specified", 404)
NO_INTEGRATION = ("NotFoundException", "Invalid Integration identifier specified", 404)
NO_RESPONSE = ("NotFoundException", "Invalid Response status code specified", 404)
ROLE = f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/apigw"


@pytest.fixture
def api(ag):
    """(api id, root resource id) of a fresh API."""
    a = new_api(ag, "res")
    return a, root_id(ag, a)


def method_on(ag, api_id, resource, verb="GET", **kw):
    return ag.put_method(restApiId=api_id, resourceId=resource, httpMethod=verb,
                         authorizationType="NONE", **kw)


# -- the resource tree ----------------------------------------------------------------------------

def test_create_nested_resources(ag, api):
    a, root = api
    r = ag.create_resource(restApiId=a, parentId=root, pathPart="pets")
    assert status(r) == 201
    pets = body(r)
    assert re.fullmatch(r"[a-z0-9]{6}", pets["id"]), pets["id"]
    assert pets == {"id": pets["id"], "parentId": root, "pathPart": "pets", "path": "/pets"}
    pet = body(ag.create_resource(restApiId=a, parentId=pets["id"], pathPart="{petId}"))
    assert pet["path"] == "/pets/{petId}"
    toys = body(ag.create_resource(restApiId=a, parentId=pet["id"], pathPart="toys"))
    assert toys["path"] == "/pets/{petId}/toys"
    proxy = body(ag.create_resource(restApiId=a, parentId=root, pathPart="{proxy+}"))
    assert proxy["path"] == "/{proxy+}"
    assert body(ag.get_resource(restApiId=a, resourceId=toys["id"])) == toys
    listed = ag.get_resources(restApiId=a)["items"]
    assert sorted(r["path"] for r in listed) == ["/", "/pets", "/pets/{petId}",
                                                 "/pets/{petId}/toys", "/{proxy+}"]
    assert next(r for r in listed if r["path"] == "/") == {"id": root, "path": "/"}


def test_duplicate_sibling(ag, api):
    a, root = api
    pets = add_resource(ag, a, root, "pets")
    assert call_error(ag.create_resource, restApiId=a, parentId=root, pathPart="pets") == (
        "ConflictException", "Another resource with the same parent already has this name: pets", 409)
    # The same name under another parent is fine.
    assert ag.create_resource(restApiId=a, parentId=pets, pathPart="pets")["path"] == "/pets/pets"


def test_two_variable_siblings(ag, api):
    a, root = api
    add_resource(ag, a, root, "{a}")
    message = "A sibling ({a}) of this resource already has a variable path part -- only one is allowed"
    for part in ("{b}", "{proxy+}"):
        assert call_error(ag.create_resource, restApiId=a, parentId=root, pathPart=part) == (
            "BadRequestException", message, 400)
    assert ag.create_resource(restApiId=a, parentId=root, pathPart="static")["path"] == "/static"


def test_child_of_greedy_resource(ag, api):
    a, root = api
    proxy = add_resource(ag, a, root, "{proxy+}")
    assert call_error(ag.create_resource, restApiId=a, parentId=proxy, pathPart="x") == (
        "BadRequestException",
        "Cannot create a child of a resource with a greedy path variable: {proxy+}", 400)


@pytest.mark.parametrize("part", ["a b", "a/b", "{}", "{a", "a}", "{a+b}", "caf\u00e9", "a*"])
def test_invalid_path_part(ag, api, part):
    a, root = api
    assert call_error(ag.create_resource, restApiId=a, parentId=root, pathPart=part) == (
        "BadRequestException", PATH_PART_RULE, 400)


def test_resource_not_found(ag, api):
    a, _ = api
    assert call_error(ag.create_resource, restApiId=a, parentId="nope12", pathPart="x") == NO_RESOURCE
    assert call_error(ag.get_resource, restApiId=a, resourceId="nope12") == NO_RESOURCE
    assert call_error(ag.delete_resource, restApiId=a, resourceId="nope12") == NO_RESOURCE
    assert call_error(ag.get_resources, restApiId="nope123456") == api_not_found("nope123456")


def test_get_resources_embed_methods(ag, api):
    a, root = api
    pets = add_resource(ag, a, root, "pets")
    mock_method(ag, a, pets, "GET")
    method_on(ag, a, pets, "POST")
    plain = {r["path"]: r for r in ag.get_resources(restApiId=a)["items"]}
    assert plain["/pets"]["resourceMethods"] == {"GET": {}, "POST": {}}
    assert "resourceMethods" not in plain["/"]
    embedded = {r["path"]: r for r in ag.get_resources(restApiId=a, embed=["methods"])["items"]}
    get = embedded["/pets"]["resourceMethods"]["GET"]
    assert get["httpMethod"] == "GET" and get["authorizationType"] == "NONE"
    assert get["methodIntegration"]["type"] == "MOCK"
    assert embedded["/pets"]["resourceMethods"]["POST"] == body(
        ag.get_method(restApiId=a, resourceId=pets, httpMethod="POST"))
    one = ag.get_resource(restApiId=a, resourceId=pets, embed=["methods"])
    assert one["resourceMethods"]["GET"]["methodIntegration"]["type"] == "MOCK"


def test_get_resources_pagination(ag, api):
    a, root = api
    for part in ("a", "b", "c", "d"):
        add_resource(ag, a, root, part)
    first = ag.get_resources(restApiId=a, limit=2)
    assert len(first["items"]) == 2 and first["position"]
    second = ag.get_resources(restApiId=a, limit=2, position=first["position"])
    third = ag.get_resources(restApiId=a, limit=2, position=second["position"])
    assert "position" not in third
    paths = [r["path"] for page in (first, second, third) for r in page["items"]]
    assert sorted(paths) == ["/", "/a", "/b", "/c", "/d"]


def test_update_resource_rename_and_move(ag, api):
    a, root = api
    pets = add_resource(ag, a, root, "pets")
    pet = add_resource(ag, a, pets, "{id}")
    toys = add_resource(ag, a, pet, "toys")
    r = ag.update_resource(restApiId=a, resourceId=pets, patchOperations=[replace("/pathPart", "animals")])
    assert status(r) == 200
    assert (r["pathPart"], r["path"]) == ("animals", "/animals")
    assert ag.get_resource(restApiId=a, resourceId=toys)["path"] == "/animals/{id}/toys"
    # Move /animals/{id} under a new /v2.
    v2 = add_resource(ag, a, root, "v2")
    r = ag.update_resource(restApiId=a, resourceId=pet, patchOperations=[replace("/parentId", v2)])
    assert (r["parentId"], r["path"]) == (v2, "/v2/{id}")
    assert ag.get_resource(restApiId=a, resourceId=toys)["path"] == "/v2/{id}/toys"
    paths = sorted(x["path"] for x in ag.get_resources(restApiId=a)["items"])
    assert paths == ["/", "/animals", "/v2", "/v2/{id}", "/v2/{id}/toys"]


def test_update_resource_rules(ag, api):
    a, root = api
    pets = add_resource(ag, a, root, "pets")
    child = add_resource(ag, a, pets, "child")
    add_resource(ag, a, root, "cats")
    assert call_error(ag.update_resource, restApiId=a, resourceId=pets,
                      patchOperations=[replace("/pathPart", "cats")]) == (
        "ConflictException", "Another resource with the same parent already has this name: cats", 409)
    code, _, st = call_error(ag.update_resource, restApiId=a, resourceId=pets,
                             patchOperations=[replace("/parentId", child)])
    assert (code, st) == ("BadRequestException", 400)
    code, _, st = call_error(ag.update_resource, restApiId=a, resourceId=root,
                             patchOperations=[replace("/pathPart", "x")])
    assert (code, st) == ("BadRequestException", 400)
    assert call_error(ag.update_resource, restApiId=a, resourceId=pets,
                      patchOperations=[replace("/parentId", "nope12")]) == NO_RESOURCE
    assert ag.get_resource(restApiId=a, resourceId=child)["path"] == "/pets/child"


def test_delete_subtree(ag, api):
    a, root = api
    pets = add_resource(ag, a, root, "pets")
    pet = add_resource(ag, a, pets, "{id}")
    toys = add_resource(ag, a, pet, "toys")
    keep = add_resource(ag, a, root, "keep")
    r = ag.delete_resource(restApiId=a, resourceId=pets)
    assert status(r) == 202
    for gone in (pets, pet, toys):
        assert call_error(ag.get_resource, restApiId=a, resourceId=gone) == NO_RESOURCE
    assert {x["id"] for x in ag.get_resources(restApiId=a)["items"]} == {root, keep}
    code, _, st = call_error(ag.delete_resource, restApiId=a, resourceId=root)
    assert (code, st) == ("BadRequestException", 400)


# -- methods --------------------------------------------------------------------------------------

def test_put_get_method(ag, api):
    a, root = api
    params = {"method.request.querystring.page": True, "method.request.header.X-Id": False}
    r = method_on(ag, a, root, "GET", requestParameters=params, operationName="ListThings")
    assert status(r) == 201
    assert body(r) == {"httpMethod": "GET", "authorizationType": "NONE", "apiKeyRequired": False,
                       "requestParameters": params, "operationName": "ListThings"}
    assert body(ag.get_method(restApiId=a, resourceId=root, httpMethod="GET")) == body(r)
    r = ag.put_method(restApiId=a, resourceId=root, httpMethod="ANY", authorizationType="AWS_IAM",
                      apiKeyRequired=True)
    assert (r["authorizationType"], r["apiKeyRequired"]) == ("AWS_IAM", True)


def test_put_method_errors(ag, api):
    a, root = api
    method_on(ag, a, root, "GET")
    assert call_error(method_on, ag, a, root, "GET") == (
        "ConflictException", "Method already exists for this resource", 409)
    assert call_error(method_on, ag, a, root, "FETCH") == BAD_VERB
    assert call_error(method_on, ag, "nope123456", root) == api_not_found("nope123456")
    assert call_error(method_on, ag, a, "nope12") == NO_RESOURCE
    code, msg, st = call_error(ag.put_method, restApiId=a, resourceId=root, httpMethod="POST",
                               authorizationType="BOGUS")
    assert (code, st) == ("BadRequestException", 400) and "BOGUS" in msg, msg
    code, msg, st = call_error(method_on, ag, a, root, "PUT",
                               requestParameters={"querystring.page": True})
    assert (code, st) == ("BadRequestException", 400) and "querystring.page" in msg, msg


def test_put_method_custom_without_authorizer(ag, api):
    a, root = api
    assert call_error(ag.put_method, restApiId=a, resourceId=root, httpMethod="GET",
                      authorizationType="CUSTOM") == (
        "BadRequestException", "Invalid authorizer ID specified. Setting the authorization type to "
        "CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.", 400)


@pytest.mark.parametrize("kw, message", [
    ({"requestValidatorId": "nope12"}, "Invalid Request Validator identifier specified"),
    ({"requestModels": {"application/json": "Nope"}}, "Invalid model identifier specified: Nope"),
])
def test_put_method_unknown_reference(ag, api, kw, message):
    # A reference to something the API lacks is a bad request, not a missing method.
    a, root = api
    assert call_error(method_on, ag, a, root, "GET", **kw) == ("BadRequestException", message, 400)


def test_put_method_response_unknown_model(ag, api):
    a, root = api
    method_on(ag, a, root, "GET")
    assert call_error(ag.put_method_response, restApiId=a, resourceId=root, httpMethod="GET",
                      statusCode="200", responseModels={"application/json": "Nope"}) == (
        "BadRequestException", "Invalid model identifier specified: Nope", 400)


def test_update_method(ag, api):
    a, root = api
    method_on(ag, a, root, "GET")
    r = ag.update_method(restApiId=a, resourceId=root, httpMethod="GET", patchOperations=[
        add("/requestParameters/method.request.querystring.x", "true"),
        replace("/apiKeyRequired", "true"), replace("/operationName", "GetRoot")])
    assert status(r) == 200
    assert r["requestParameters"] == {"method.request.querystring.x": True}
    assert (r["apiKeyRequired"], r["operationName"]) == (True, "GetRoot")
    r = ag.update_method(restApiId=a, resourceId=root, httpMethod="GET", patchOperations=[
        replace("/requestParameters/method.request.querystring.x", "false"),
        add("/requestParameters/method.request.header.H", "true")])
    assert r["requestParameters"] == {"method.request.querystring.x": False,
                                      "method.request.header.H": True}
    r = ag.update_method(restApiId=a, resourceId=root, httpMethod="GET",
                         patchOperations=[remove("/requestParameters/method.request.querystring.x")])
    assert r["requestParameters"] == {"method.request.header.H": True}
    assert body(ag.get_method(restApiId=a, resourceId=root, httpMethod="GET")) == body(r)
    code, _, st = call_error(ag.update_method, restApiId=a, resourceId=root, httpMethod="GET",
                             patchOperations=[replace("/httpMethod", "POST")])
    assert (code, st) == ("BadRequestException", 400)
    assert call_error(ag.update_method, restApiId=a, resourceId=root, httpMethod="PUT",
                      patchOperations=[replace("/operationName", "x")]) == NO_METHOD


def test_delete_method(ag, api):
    a, root = api
    mock_method(ag, a, root, "GET")
    r = ag.delete_method(restApiId=a, resourceId=root, httpMethod="GET")
    assert status(r) == 204
    assert call_error(ag.get_method, restApiId=a, resourceId=root, httpMethod="GET") == NO_METHOD
    assert call_error(ag.delete_method, restApiId=a, resourceId=root, httpMethod="GET") == NO_METHOD
    assert "resourceMethods" not in ag.get_resource(restApiId=a, resourceId=root)


def test_method_responses(ag, api):
    a, root = api
    method_on(ag, a, root, "GET")
    kw = dict(restApiId=a, resourceId=root, httpMethod="GET", statusCode="200")
    r = ag.put_method_response(**kw, responseParameters={"method.response.header.X-Req": False},
                               responseModels={"application/json": "Empty"})
    assert status(r) == 201
    expected = {"statusCode": "200", "responseParameters": {"method.response.header.X-Req": False},
                "responseModels": {"application/json": "Empty"}}
    assert body(r) == expected
    assert body(ag.get_method_response(**kw)) == expected
    assert ag.get_method(restApiId=a, resourceId=root, httpMethod="GET")["methodResponses"] == {
        "200": expected}
    r = ag.update_method_response(**kw, patchOperations=[
        add("/responseParameters/method.response.header.X-Other", "true")])
    assert status(r) == 201  # UpdateMethodResponse answers 201, as the service model says
    assert r["responseParameters"] == {"method.response.header.X-Req": False,
                                       "method.response.header.X-Other": True}
    code, _, st = call_error(ag.put_method_response, **{**kw, "statusCode": "99"})
    assert (code, st) == ("BadRequestException", 400)
    r = ag.delete_method_response(**kw)
    assert status(r) == 204
    assert call_error(ag.get_method_response, **kw) == NO_RESPONSE
    assert call_error(ag.delete_method_response, **kw) == NO_RESPONSE


# -- integrations ---------------------------------------------------------------------------------

def test_mock_integration(ag, api):
    a, root = api
    method_on(ag, a, root, "GET")
    r = ag.put_integration(restApiId=a, resourceId=root, httpMethod="GET", type="MOCK",
                           requestTemplates={"application/json": '{"statusCode": 200}'})
    assert status(r) == 201
    assert body(r) == {"type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'},
                       "passthroughBehavior": "WHEN_NO_MATCH", "timeoutInMillis": 29000,
                       "cacheNamespace": root, "cacheKeyParameters": []}
    assert body(ag.get_integration(restApiId=a, resourceId=root, httpMethod="GET")) == body(r)
    assert ag.get_method(restApiId=a, resourceId=root, httpMethod="GET")["methodIntegration"] == body(r)


def test_http_integration_method_is_on_the_wire_as_httpMethod(ag, api):
    # boto3's integrationHttpMethod travels (and comes back) as "httpMethod": the integration's
    # own verb, not the method's.
    a, root = api
    method_on(ag, a, root, "GET")
    r = ag.put_integration(restApiId=a, resourceId=root, httpMethod="GET", type="HTTP",
                           integrationHttpMethod="POST", uri="https://example.com/pets",
                           timeoutInMillis=5000)
    assert status(r) == 201
    assert r["httpMethod"] == "POST" and "integrationHttpMethod" not in r
    assert (r["type"], r["uri"], r["connectionType"], r["timeoutInMillis"]) == (
        "HTTP", "https://example.com/pets", "INTERNET", 5000)
    got = ag.get_integration(restApiId=a, resourceId=root, httpMethod="GET")
    assert got["httpMethod"] == "POST"
    assert ag.get_method(restApiId=a, resourceId=root, httpMethod="GET")["httpMethod"] == "GET"


@pytest.mark.parametrize("kw", [
    {"type": "HTTP_PROXY", "integrationHttpMethod": "ANY", "uri": "http://backend.internal:8080/{proxy}",
     "requestParameters": {"integration.request.path.proxy": "method.request.path.proxy"}},
    {"type": "AWS", "integrationHttpMethod": "GET", "credentials": ROLE,
     "uri": f"arn:aws:apigateway:{REGION}:s3:path/my-bucket/{{key}}"},
    {"type": "AWS", "integrationHttpMethod": "POST", "credentials": ROLE,
     "uri": f"arn:aws:apigateway:{REGION}:sqs:action/SendMessage"},
    {"type": "AWS_PROXY", "integrationHttpMethod": "POST", "uri": LAMBDA_URI},
], ids=["http_proxy", "aws_path", "aws_action", "aws_proxy_lambda"])
def test_integration_types(ag, api, kw):
    a, root = api
    proxy = add_resource(ag, a, root, "{proxy+}")
    method_on(ag, a, proxy, "ANY", requestParameters={"method.request.path.proxy": True})
    r = ag.put_integration(restApiId=a, resourceId=proxy, httpMethod="ANY", **kw)
    assert status(r) == 201
    expected = {k: v for k, v in kw.items() if k != "integrationHttpMethod"}
    expected["httpMethod"] = kw["integrationHttpMethod"]
    assert {k: r[k] for k in expected} == expected
    assert body(ag.get_integration(restApiId=a, resourceId=proxy, httpMethod="ANY")) == body(r)


@pytest.mark.parametrize("kw, message", [
    ({"type": "HTTP", "uri": "https://example.com"}, "Enumeration value for HttpMethod must be non-empty"),
    ({"type": "AWS_PROXY", "uri": LAMBDA_URI}, "Enumeration value for HttpMethod must be non-empty"),
    ({"type": "HTTP", "integrationHttpMethod": "GET", "uri": "not-a-url"},
     "Invalid HTTP endpoint specified for URI"),
    ({"type": "HTTP_PROXY", "integrationHttpMethod": "GET", "uri": "ftp://example.com/x"},
     "Invalid HTTP endpoint specified for URI"),
    ({"type": "AWS", "integrationHttpMethod": "GET", "uri": "not-an-arn"},
     "Invalid ARN specified in the request"),
    ({"type": "AWS", "integrationHttpMethod": "GET", "uri": f"arn:aws:apigateway:{REGION}:s3:bucket"},
     "AWS ARN for integration must contain path or action"),
    ({"type": "AWS_PROXY", "integrationHttpMethod": "POST",
      "uri": f"arn:aws:apigateway:{REGION}:s3:path/bucket/key"},
     "Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose "
     "stream invocations."),
    ({"type": "MOCK", "timeoutInMillis": 49}, "Timeout should be between 50 ms and 29000 ms"),
    ({"type": "MOCK", "timeoutInMillis": 29001}, "Timeout should be between 50 ms and 29000 ms"),
])
def test_integration_rejected(ag, api, kw, message):
    a, root = api
    method_on(ag, a, root, "GET")
    assert call_error(ag.put_integration, restApiId=a, resourceId=root, httpMethod="GET", **kw) == (
        "BadRequestException", message, 400)
    assert "methodIntegration" not in ag.get_method(restApiId=a, resourceId=root, httpMethod="GET")


def test_integration_maps_undeclared_method_parameter(ag, api):
    # A mapping from a method request parameter the method does not declare is refused.
    a, root = api
    proxy = add_resource(ag, a, root, "{proxy+}")
    method_on(ag, a, proxy, "ANY")
    code, msg, st = call_error(
        ag.put_integration, restApiId=a, resourceId=proxy, httpMethod="ANY", type="HTTP_PROXY",
        integrationHttpMethod="ANY", uri="http://backend.internal/{proxy}",
        requestParameters={"integration.request.path.proxy": "method.request.path.proxy"})
    assert (code, st) == ("BadRequestException", 400)
    assert msg.startswith("Invalid mapping expression specified") and "method.request.path.proxy" in msg, msg


def test_integration_invalid_type(ag, api):
    # An enum the service model defines: AWS's request validation answers ValidationException.
    a, root = api
    method_on(ag, a, root, "GET")
    code, msg, st = call_error(ag.put_integration, restApiId=a, resourceId=root, httpMethod="GET",
                               type="LAMBDA")
    assert (code, st) == ("ValidationException", 400)
    prefix = ("1 validation error detected: Value 'LAMBDA' at 'putIntegrationInput.type' failed to "
              "satisfy constraint: Member must satisfy enum value set: [")
    assert msg.startswith(prefix), msg
    assert sorted(msg[len(prefix):-1].split(", ")) == ["AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY", "MOCK"]


def test_get_integration_missing(ag, api):
    a, root = api
    method_on(ag, a, root, "GET")
    assert call_error(ag.get_integration, restApiId=a, resourceId=root, httpMethod="GET") == NO_INTEGRATION
    assert call_error(ag.get_integration, restApiId=a, resourceId=root, httpMethod="POST") == NO_METHOD
    assert call_error(ag.put_integration, restApiId=a, resourceId=root, httpMethod="POST",
                      type="MOCK") == NO_METHOD


def test_update_and_delete_integration(ag, api):
    a, root = api
    method_on(ag, a, root, "GET")
    kw = dict(restApiId=a, resourceId=root, httpMethod="GET")
    ag.put_integration(**kw, type="HTTP", integrationHttpMethod="GET", uri="https://a.example.com/")
    r = ag.update_integration(**kw, patchOperations=[
        replace("/uri", "https://b.example.com/x"), replace("/httpMethod", "PUT"),
        replace("/timeoutInMillis", "1500"), add("/requestTemplates/application~1xml", "<x/>")])
    assert status(r) == 200
    assert (r["uri"], r["httpMethod"], r["timeoutInMillis"]) == ("https://b.example.com/x", "PUT", 1500)
    assert r["requestTemplates"] == {"application/xml": "<x/>"}
    assert body(ag.get_integration(**kw)) == body(r)
    code, _, st = call_error(ag.update_integration, **kw,
                             patchOperations=[replace("/timeoutInMillis", "30000")])
    assert (code, st) == ("BadRequestException", 400)
    assert ag.get_integration(**kw)["timeoutInMillis"] == 1500
    r = ag.delete_integration(**kw)
    assert status(r) == 204
    assert call_error(ag.get_integration, **kw)[::2] == ("NotFoundException", 404)
    assert call_error(ag.delete_integration, **kw)[::2] == ("NotFoundException", 404)
    assert "methodIntegration" not in ag.get_method(**kw)


# -- integration responses ------------------------------------------------------------------------

def test_integration_response_needs_integration(ag, api):
    a, root = api
    method_on(ag, a, root, "GET")
    ag.put_method_response(restApiId=a, resourceId=root, httpMethod="GET", statusCode="200")
    assert call_error(ag.put_integration_response, restApiId=a, resourceId=root, httpMethod="GET",
                      statusCode="200") == NO_INTEGRATION


def test_integration_responses(ag, api):
    a, root = api
    mock_method(ag, a, root, "GET")
    kw = dict(restApiId=a, resourceId=root, httpMethod="GET", statusCode="200")
    # The method response must exist first.
    assert call_error(ag.put_integration_response, **kw) == NO_RESPONSE
    ag.put_method_response(**kw, responseParameters={"method.response.header.X-Id": False})
    mapping = {"method.response.header.X-Id": "integration.response.header.id"}
    r = ag.put_integration_response(**kw, selectionPattern="2\\d{2}", responseParameters=mapping,
                                    responseTemplates={"application/json": "$input.body"})
    assert status(r) == 201
    expected = {"statusCode": "200", "selectionPattern": "2\\d{2}", "responseParameters": mapping,
                "responseTemplates": {"application/json": "$input.body"}}
    assert body(r) == expected
    assert body(ag.get_integration_response(**kw)) == expected
    assert ag.get_integration(restApiId=a, resourceId=root, httpMethod="GET")[
        "integrationResponses"] == {"200": expected}
    # A header the method response does not declare cannot be mapped.
    code, msg, st = call_error(ag.put_integration_response, **kw,
                               responseParameters={"method.response.header.Undeclared": "'x'"})
    assert (code, st) == ("BadRequestException", 400)
    assert "method.response.header.Undeclared" in msg, msg
    r = ag.update_integration_response(**kw, patchOperations=[
        replace("/selectionPattern", "200"), remove("/responseTemplates/application~1json")])
    assert status(r) == 200
    assert r["selectionPattern"] == "200" and r.get("responseTemplates", {}) == {}
    r = ag.delete_integration_response(**kw)
    assert status(r) == 204
    assert call_error(ag.get_integration_response, **kw) == NO_RESPONSE
    assert call_error(ag.delete_integration_response, **kw) == NO_RESPONSE
