"""OpenAPI import and export: ImportRestApi and PutRestApi read OpenAPI 2.0 and 3.0 documents
(JSON and YAML) with API Gateway's extensions; GetExport writes them back. Round trips over the
documents in tests/data/openapi and examples/pets: importing an export gives the same API."""

from __future__ import annotations

import json

import pytest
import yaml
from botocore.exceptions import ClientError

from portcullis_helpers import REPO

DATA = REPO / "tests" / "data" / "openapi"
DOCUMENTS = [DATA / "petstore-oas30.yaml", DATA / "extensions-oas30.yaml",
             DATA / "extensions-swagger.json", REPO / "examples" / "pets" / "pets-openapi.yaml",
             REPO / "examples" / "pets" / "pets-swagger.json"]


@pytest.fixture(scope="module")
def apigw(server):
    return server.client("apigateway")


def error(e: ClientError) -> tuple[int, str, str]:
    return (e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"],
            e.response["Error"]["Message"])


def api_model(apigw, api_id: str) -> dict:
    """Everything an API defines, ids replaced by what they name, for comparing two APIs."""
    validators = {v["id"]: v["name"] for v in apigw.get_request_validators(restApiId=api_id)["items"]}
    authorizers = {a["id"]: a["name"] for a in apigw.get_authorizers(restApiId=api_id)["items"]}
    resources = {}
    for r in apigw.get_resources(restApiId=api_id, embed=["methods"], limit=500)["items"]:
        methods = {}
        for verb, m in r.get("resourceMethods", {}).items():
            m = dict(m)
            if "requestValidatorId" in m:
                m["requestValidator"] = validators[m.pop("requestValidatorId")]
            if "authorizerId" in m:
                m["authorizer"] = authorizers[m.pop("authorizerId")]
            if "methodIntegration" in m:
                m["methodIntegration"] = {k: v for k, v in m["methodIntegration"].items()
                                          if k != "cacheNamespace"}
            methods[verb] = m
        resources[r["path"]] = methods
    api = apigw.get_rest_api(restApiId=api_id)
    models = {}
    for m in apigw.get_models(restApiId=api_id)["items"]:
        schema = json.loads(m["schema"])
        # References point into the API they belong to.
        models[m["name"]] = json.loads(json.dumps(schema).replace(api_id, "API"))
    return {
        "api": {k: api.get(k) for k in ("name", "description", "version", "binaryMediaTypes",
                                        "apiKeySource", "policy", "minimumCompressionSize")},
        "resources": resources,
        "models": models,
        "validators": sorted((v["name"], v["validateRequestBody"], v["validateRequestParameters"])
                             for v in apigw.get_request_validators(restApiId=api_id)["items"]),
        "authorizers": {a.pop("name"): {k: v for k, v in a.items() if k != "id"}
                        for a in apigw.get_authorizers(restApiId=api_id)["items"]},
        "responses": {r["responseType"]: r for r in
                      apigw.get_gateway_responses(restApiId=api_id, limit=500)["items"]},
    }


def export(apigw, api_id: str, kind: str, accept: str, extensions: str = "apigateway") -> str:
    out = apigw.get_export(restApiId=api_id, stageName="rt", exportType=kind,
                           parameters={"extensions": extensions}, accepts=accept)
    ext = "yaml" if "yaml" in accept else "json"
    assert out["contentType"] == f"application/{ext}"
    assert out["contentDisposition"] == f'attachment; filename="{api_id}-rt-{kind}.{ext}"'
    return out["body"].read().decode()


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
@pytest.mark.parametrize("kind,accept", [("oas30", "application/yaml"), ("swagger", "application/json"),
                                         ("oas30", "application/json")])
def test_importing_an_export_gives_the_same_api(apigw, path, kind, accept):
    first = apigw.import_rest_api(body=path.read_bytes())["id"]
    apigw.create_deployment(restApiId=first, stageName="rt")
    text = export(apigw, first, kind, accept)
    doc = yaml.safe_load(text) if "yaml" in accept else json.loads(text)
    assert ("openapi" in doc) == (kind == "oas30") and ("swagger" in doc) == (kind == "swagger")
    second = apigw.import_rest_api(body=text.encode(), failOnWarnings=True)
    assert "warnings" not in second
    assert api_model(apigw, second["id"]) == api_model(apigw, first)
    # And its export is the first export, but for the API's id.
    apigw.create_deployment(restApiId=second["id"], stageName="rt")
    again = export(apigw, second["id"], kind, accept)
    assert again.replace(second["id"], first) == text


def test_extensions_are_read(apigw):
    api = apigw.import_rest_api(body=(DATA / "extensions-oas30.yaml").read_bytes(),
                                failOnWarnings=True)
    assert api["binaryMediaTypes"] == ["image/png", "application/octet-stream"]
    assert api["minimumCompressionSize"] == 1024
    assert json.loads(api["policy"])["Statement"][0]["Action"] == "execute-api:Invoke"
    model = api_model(apigw, api["id"])
    items = model["resources"]["/items"]
    # ${AWS::Region} and ${AWS::AccountId} are substituted.
    assert items["GET"]["methodIntegration"]["uri"] == (
        "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
        "arn:aws:lambda:us-east-1:000000000000:function:items/invocations")
    assert items["GET"]["authorizationType"] == "AWS_IAM"
    assert items["GET"]["requestValidator"] == "params-only"
    assert items["GET"]["requestParameters"] == {"method.request.querystring.limit": True,
                                                 "method.request.header.X-Trace": False}
    post = items["POST"]
    assert (post["authorizationType"], post["authorizer"], post["apiKeyRequired"]) == \
        ("CUSTOM", "tokenAuth", True)
    assert post["requestValidator"] == "all" and post["requestModels"] == {"application/json": "Item"}
    assert post["methodIntegration"]["integrationResponses"]["400"]["selectionPattern"] == \
        ".*ValidationException.*"
    assert "selectionPattern" not in post["methodIntegration"]["integrationResponses"]["201"]
    delete = model["resources"]["/items/{id}"]["DELETE"]
    assert (delete["authorizationType"], delete["authorizer"], delete["authorizationScopes"]) == \
        ("COGNITO_USER_POOLS", "cognito", ["items/write"])
    anything = model["resources"]["/files/{proxy+}"]["ANY"]
    assert anything["authorizationType"] == "AWS_IAM"
    assert anything["methodIntegration"]["type"] == "HTTP_PROXY"
    auth = model["authorizers"]
    assert auth["tokenAuth"]["type"] == "TOKEN"
    assert auth["tokenAuth"]["identitySource"] == "method.request.header.Authorization"
    assert auth["tokenAuth"]["authorizerResultTtlInSeconds"] == 60
    assert auth["requestAuth"]["identitySource"] == \
        "method.request.header.X-User, method.request.querystring.tenant"
    assert auth["cognito"]["providerARNs"] == [
        "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_abc123"]
    responses = model["responses"]
    assert responses["MISSING_AUTHENTICATION_TOKEN"]["statusCode"] == "404"
    assert responses["MISSING_AUTHENTICATION_TOKEN"]["defaultResponse"] is False
    assert responses["THROTTLED"]["defaultResponse"] is True
    # Model references point at the API's models.
    assert model["models"]["Items"]["items"]["$ref"] == \
        "https://apigateway.amazonaws.com/restapis/API/models/Item"


def test_swagger_body_parameters_and_path_level_parameters(apigw):
    api = apigw.import_rest_api(body=(DATA / "extensions-swagger.json").read_bytes())
    assert api["apiKeySource"] == "AUTHORIZER"
    model = api_model(apigw, api["id"])
    assert set(model["resources"]) == {"/", "/orders", "/orders/{orderId}"}
    post = model["resources"]["/orders"]["POST"]
    assert post["requestModels"] == {"application/json": "Order"}
    assert post["requestParameters"] == {"method.request.header.Idempotency-Key": True}
    assert post["methodResponses"]["200"]["responseModels"] == {"application/json": "Order"}
    get = model["resources"]["/orders/{orderId}"]["GET"]
    assert get["requestParameters"] == {"method.request.path.orderId": True}


@pytest.mark.parametrize("mode,paths", [
    ("ignore", {"/", "/orders", "/orders/{orderId}"}),
    ("prepend", {"/", "/v1", "/v1/shop", "/v1/shop/orders", "/v1/shop/orders/{orderId}"}),
    ("split", {"/", "/shop", "/shop/orders", "/shop/orders/{orderId}"}),
])
def test_basepath_modes(apigw, mode, paths):
    api = apigw.import_rest_api(body=(DATA / "extensions-swagger.json").read_bytes(),
                                parameters={"basepath": mode})
    got = {r["path"] for r in apigw.get_resources(restApiId=api["id"], limit=500)["items"]}
    assert got == paths


def test_endpoint_type_parameter(apigw):
    api = apigw.import_rest_api(body=(DATA / "petstore-oas30.yaml").read_bytes(),
                                parameters={"endpointConfigurationTypes": "REGIONAL"})
    assert api["endpointConfiguration"]["types"] == ["REGIONAL"]


WARNED = """
openapi: 3.0.1
info: {title: Warned, version: "1"}
paths:
  /a:
    get:
      responses:
        default: {description: anything}
      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}}
"""


def test_warnings_and_failonwarnings(apigw):
    before = len(apigw.get_rest_apis(limit=500)["items"])
    with pytest.raises(ClientError) as e:
        apigw.import_rest_api(body=WARNED.encode(), failOnWarnings=True)
    status, code, message = error(e.value)
    assert (status, code) == (400, "BadRequestException")
    assert message.startswith("Warnings found during import:\n\t")
    assert "Default response of 'GET /a' is not supported" in message
    assert "No responses specified for 'GET /a'" in message
    assert len(apigw.get_rest_apis(limit=500)["items"]) == before  # nothing created
    api = apigw.import_rest_api(body=WARNED.encode())
    assert "No responses specified for 'GET /a'" in api["warnings"]


CONFLICT = """
swagger: "2.0"
info: {title: Conflict, version: "1"}
paths:
  /user/{bizId}/complaint:
    get: {responses: {"200": {description: ok}}}
  /user/{userId}/fans:
    get: {responses: {"200": {description: ok}}}
"""


@pytest.mark.parametrize("body,expected", [
    (CONFLICT, "Errors found during import:\n\tUnable to create resource at path '/user/{userId}': "
               "A sibling ({bizId}) of this resource already has a variable path part -- only one is allowed"),
    ("not: [valid", "Invalid OpenAPI input: the YAML does not parse"),
    ('{"info": {"title": "x"}, "paths": {}}', "Invalid OpenAPI input: the document declares neither"),
    ("openapi: 3.0.1\npaths: {}\n", "Errors found during import:\n\tInvalid OpenAPI input: info.title is required"),
    ("openapi: 3.0.1\ninfo: {title: t}\npaths:\n  /x:\n    get:\n      responses: {'200': {description: ok}}\n"
     "      x-amazon-apigateway-integration: {type: http, httpMethod: GET, uri: not-a-url}\n",
     "Errors found during import:\n\tInvalid integration of 'GET /x': Invalid HTTP endpoint specified for URI"),
])
def test_errors_refuse_the_import(apigw, body, expected):
    before = len(apigw.get_rest_apis(limit=500)["items"])
    with pytest.raises(ClientError) as e:
        apigw.import_rest_api(body=body.encode())
    status, code, message = error(e.value)
    assert (status, code) == (400, "BadRequestException")
    assert message.startswith(expected), message
    assert len(apigw.get_rest_apis(limit=500)["items"]) == before


def test_put_rest_api_overwrite_and_merge(apigw):
    api = apigw.import_rest_api(body=(DATA / "petstore-oas30.yaml").read_bytes())
    api_id = api["id"]
    apigw.create_deployment(restApiId=api_id, stageName="keep")
    root = [r for r in apigw.get_resources(restApiId=api_id)["items"] if r["path"] == "/"][0]["id"]
    # Merge: the document's definitions are added; what the API had stays.
    merged = apigw.put_rest_api(restApiId=api_id, mode="merge",
                                body=(DATA / "extensions-swagger.json").read_bytes())
    assert merged["id"] == api_id and merged["name"] == "Extensions2"
    model = api_model(apigw, api_id)
    assert {"/pets", "/pets/{petId}", "/orders", "/orders/{orderId}"} <= set(model["resources"])
    assert {"Pet", "Order"} <= set(model["models"])
    # Overwrite: the API is the document's, under the same id, root and stages.
    apigw.put_rest_api(restApiId=api_id, mode="overwrite",
                       body=(DATA / "extensions-swagger.json").read_bytes())
    model = api_model(apigw, api_id)
    assert set(model["resources"]) == {"/", "/orders", "/orders/{orderId}"}
    assert "Pet" not in model["models"]
    assert [r for r in apigw.get_resources(restApiId=api_id)["items"] if r["path"] == "/"][0]["id"] == root
    assert [s["stageName"] for s in apigw.get_stages(restApiId=api_id)["item"]] == ["keep"]
    fresh = apigw.import_rest_api(body=(DATA / "extensions-swagger.json").read_bytes())
    assert api_model(apigw, api_id) == api_model(apigw, fresh["id"])
    with pytest.raises(ClientError) as e:
        apigw.put_rest_api(restApiId=api_id, mode="replace", body=b"{}")
    assert error(e.value)[:2] == (400, "BadRequestException")


def test_export_errors_and_extensions(apigw):
    api_id = apigw.import_rest_api(body=(DATA / "extensions-oas30.yaml").read_bytes())["id"]
    apigw.create_deployment(restApiId=api_id, stageName="rt")
    with pytest.raises(ClientError) as e:
        apigw.get_export(restApiId=api_id, stageName="nope", exportType="oas30")
    assert error(e.value) == (404, "NotFoundException", "Invalid Stage identifier specified")
    with pytest.raises(ClientError) as e:
        apigw.get_export(restApiId=api_id, stageName="rt", exportType="postman")
    assert error(e.value)[:2] == (400, "BadRequestException")
    # Without extensions: the API's shape only.
    plain = json.loads(export(apigw, api_id, "oas30", "application/json", extensions=""))
    text = json.dumps(plain)
    # (ANY and the security schemes' auth types are said with extensions even so.)
    for ext in ("integration", "authorizer\"", "request-validator", "gateway-responses", "policy"):
        assert f"x-amazon-apigateway-{ext}" not in text, ext
    assert plain["paths"]["/items"]["get"]["security"] == [{"sigv4": []}]
    assert plain["servers"][0]["variables"]["basePath"]["default"] == "/rt"
    # Authorizers only: the authorizer extension, no integrations.
    auth = json.loads(export(apigw, api_id, "swagger", "application/json", extensions="authorizers"))
    assert "x-amazon-apigateway-integration" not in json.dumps(auth["paths"])
    assert auth["securityDefinitions"]["tokenAuth"]["x-amazon-apigateway-authorizer"]["type"] == "token"
    assert auth["basePath"] == "/rt"
    full = yaml.safe_load(export(apigw, api_id, "oas30", "application/yaml"))
    assert full["x-amazon-apigateway-policy"]["Statement"][0]["Effect"] == "Allow"
    assert full["x-amazon-apigateway-request-validators"]["all"]["validateRequestBody"] is True
    assert full["x-amazon-apigateway-gateway-responses"]["MISSING_AUTHENTICATION_TOKEN"]["statusCode"] == "404"
    assert full["info"]["version"] == "2.1"


def test_model_templates_follow_the_models(apigw):
    api_id = apigw.import_rest_api(body=(DATA / "petstore-oas30.yaml").read_bytes())["id"]
    head = "#set($inputRoot = $input.path('$'))\n"
    pet = apigw.get_model_template(restApiId=api_id, modelName="Pet")["value"]
    assert pet == head + ('{\n  "id" : $inputRoot.id,\n  "type" : "$inputRoot.type",\n'
                          '  "price" : $inputRoot.price\n}\n')
    # References to other models are followed, arrays iterated.
    pets = apigw.get_model_template(restApiId=api_id, modelName="Pets")["value"]
    assert pets.startswith(head + "[\n#foreach($elem0 in $inputRoot)\n  {\n")
    assert '"type" : "$elem0.type"' in pets and pets.endswith("#if($foreach.hasNext),#end\n#end\n]\n")
    nested = apigw.get_model_template(restApiId=api_id, modelName="NewPetResponse")["value"]
    assert '"id" : $inputRoot.pet.id' in nested and '"message" : "$inputRoot.message"' in nested
    assert apigw.get_model_template(restApiId=api_id, modelName="Empty")["value"] == head + "{ }\n"
    with pytest.raises(ClientError) as e:
        apigw.get_model_template(restApiId=api_id, modelName="Nope")
    assert error(e.value) == (404, "NotFoundException", "Invalid model name specified: Nope")
