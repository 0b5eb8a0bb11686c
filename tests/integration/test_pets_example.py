"""examples/pets: build-api.sh builds the tutorial's Pets API with the aws CLI against a fresh
server, and the API it leaves (read back with boto3) is exactly the one the tutorial's console
steps make, and the one examples/pets/pets-openapi.yaml and pets-swagger.json describe."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from portcullis_helpers import ADMIN_KEY, ADMIN_SECRET, AWS_CLI, REPO, base_env, run_aws

EXAMPLE = REPO / "examples" / "pets"
SCRIPT = EXAMPLE / "build-api.sh"
SCRIPT_TIMEOUT = 240.0

BACKEND = "http://petstore-demo-endpoint.execute-api.com/petstore/pets"
ALLOW_HEADERS = "'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token'"
HDR = "method.response.header."


def http_method(verb: str, auth: str) -> dict:
    """A method with an HTTP integration to the pet store and "Enable CORS"'s origin header."""
    return {
        "authorizationType": auth,
        "integration": {"type": "HTTP", "httpMethod": verb, "uri": BACKEND,
                        "requestTemplates": None, "passthroughBehavior": "WHEN_NO_MATCH"},
        "methodResponse": {"statusCode": "200",
                           "responseParameters": {HDR + "Access-Control-Allow-Origin": False},
                           "responseModels": {"application/json": "Empty"}},
        "integrationResponse": {"statusCode": "200", "selectionPattern": None,
                                "responseParameters": {HDR + "Access-Control-Allow-Origin": "'*'"},
                                "responseTemplates": None},
    }


def preflight(methods: str) -> dict:
    """The OPTIONS method the console's "Enable CORS" creates."""
    return {
        "authorizationType": "NONE",
        "integration": {"type": "MOCK", "httpMethod": None, "uri": None,
                        "requestTemplates": {"application/json": '{"statusCode": 200}'},
                        "passthroughBehavior": "WHEN_NO_MATCH"},
        "methodResponse": {"statusCode": "200",
                           "responseParameters": {HDR + "Access-Control-Allow-Headers": False,
                                                  HDR + "Access-Control-Allow-Methods": False,
                                                  HDR + "Access-Control-Allow-Origin": False},
                           "responseModels": {"application/json": "Empty"}},
        "integrationResponse": {"statusCode": "200", "selectionPattern": None,
                                "responseParameters": {HDR + "Access-Control-Allow-Headers": ALLOW_HEADERS,
                                                       HDR + "Access-Control-Allow-Methods": f"'{methods}'",
                                                       HDR + "Access-Control-Allow-Origin": "'*'"},
                                "responseTemplates": {"application/json": ""}},
    }


# The whole API, path by path and method by method.
EXPECTED = {
    "/": {},
    "/pets": {
        "GET": http_method("GET", "AWS_IAM"),
        "POST": http_method("POST", "NONE"),
        "OPTIONS": preflight("GET,OPTIONS,POST"),
    },
    "/pets/purchase": {
        "POST": http_method("POST", "AWS_IAM"),
        "OPTIONS": preflight("OPTIONS,POST"),
    },
}


# -- running the script ---------------------------------------------------------------------------

def run_script(server, home: Path, extra: dict | None = None) -> subprocess.CompletedProcess:
    home.mkdir(parents=True, exist_ok=True)
    env = base_env(home, admin=False, extra={
        "PORTCULLIS_ENDPOINT": server.endpoint,
        "AWS": AWS_CLI,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(home / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CLI_AUTO_PROMPT": "off",
        "AWS_MAX_ATTEMPTS": "1",
    })
    env.update(extra or {})
    return subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True,
                          timeout=SCRIPT_TIMEOUT, stdin=subprocess.DEVNULL, cwd=home)


@pytest.fixture(scope="module")
def built(server, tmp_path_factory):
    """The script's run with the administrator's key in the environment: (process, API id)."""
    p = run_script(server, tmp_path_factory.mktemp("pets-home"),
                   {"AWS_ACCESS_KEY_ID": ADMIN_KEY, "AWS_SECRET_ACCESS_KEY": ADMIN_SECRET})
    assert p.returncode == 0, f"build-api.sh failed ({p.returncode}): {p.stderr}"
    return p, p.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def apigw(server):
    return server.client("apigateway")


# -- reading an API back, in EXPECTED's shape ------------------------------------------------------

def method_view(apigw, api_id: str, resource_id: str, verb: str) -> dict:
    """One method as read with GetMethod, GetIntegration, GetMethodResponse and
    GetIntegrationResponse, checked against what GetMethod embeds."""
    m = apigw.get_method(restApiId=api_id, resourceId=resource_id, httpMethod=verb)
    i = apigw.get_integration(restApiId=api_id, resourceId=resource_id, httpMethod=verb)
    mr = apigw.get_method_response(restApiId=api_id, resourceId=resource_id, httpMethod=verb,
                                   statusCode="200")
    ir = apigw.get_integration_response(restApiId=api_id, resourceId=resource_id, httpMethod=verb,
                                        statusCode="200")
    for r in (m, i, mr, ir):
        r.pop("ResponseMetadata")
    assert m["httpMethod"] == verb
    assert m["apiKeyRequired"] is False
    assert "authorizerId" not in m
    assert list(m["methodResponses"]) == ["200"] and m["methodResponses"]["200"] == mr
    assert list(i["integrationResponses"]) == ["200"] and i["integrationResponses"]["200"] == ir
    assert m["methodIntegration"] == i
    assert i["timeoutInMillis"] == 29000
    assert i["cacheNamespace"] == resource_id and i["cacheKeyParameters"] == []
    assert i.get("connectionType") == (None if i["type"] == "MOCK" else "INTERNET")
    return {
        "authorizationType": m["authorizationType"],
        "integration": {k: i.get(k) for k in ("type", "httpMethod", "uri", "requestTemplates",
                                              "passthroughBehavior")},
        "methodResponse": mr,
        "integrationResponse": {"statusCode": ir["statusCode"],
                                "selectionPattern": ir.get("selectionPattern"),
                                "responseParameters": ir.get("responseParameters"),
                                "responseTemplates": ir.get("responseTemplates")},
    }


def resources_by_path(apigw, api_id: str) -> dict:
    items = apigw.get_resources(restApiId=api_id, embed=["methods"], limit=500)["items"]
    paths = {r["path"]: r for r in items}
    assert len(paths) == len(items)
    return paths


# -- the documents, in EXPECTED's shape ----------------------------------------------------------

def integration_view(x: dict) -> tuple[dict, dict]:
    """(integration, integration response 200) of an x-amazon-apigateway-integration."""
    responses = x["responses"]
    assert list(responses) == ["default"]
    r = responses["default"]
    assert set(r) <= {"statusCode", "responseParameters", "responseTemplates"}
    integration = {"type": x["type"].upper(), "httpMethod": x.get("httpMethod"), "uri": x.get("uri"),
                   "requestTemplates": x.get("requestTemplates"),
                   "passthroughBehavior": x["passthroughBehavior"].upper()}
    response = {"statusCode": r["statusCode"], "selectionPattern": None,
                "responseParameters": r.get("responseParameters"),
                "responseTemplates": r.get("responseTemplates")}
    return integration, response


def auth_view(op: dict, schemes: dict) -> str:
    """The authorization type an operation declares, both ways it may (which must agree)."""
    sigv4 = [name for req in op.get("security", []) for name in req
             if schemes[name].get("x-amazon-apigateway-authtype") == "awsSigv4"]
    by_security = "AWS_IAM" if sigv4 else "NONE"
    # Exports say it with `security` only; a document may say it with the extension too.
    by_extension = op.get("x-amazon-apigateway-auth", {}).get("type", by_security).upper()
    assert by_extension == by_security, op
    return by_security


def ref_name(schema: dict, prefix: str) -> str:
    assert schema["$ref"].startswith(prefix)
    return schema["$ref"][len(prefix):]


def openapi_view(doc: dict) -> dict:
    schemes = doc["components"]["securitySchemes"]
    out = {"/": {}}
    for path, ops in doc["paths"].items():
        methods = out.setdefault(path, {})
        for verb, op in ops.items():
            (status, resp), = op["responses"].items()
            integration, ir = integration_view(op["x-amazon-apigateway-integration"])
            methods[verb.upper()] = {
                "authorizationType": auth_view(op, schemes),
                "integration": integration,
                "methodResponse": {
                    "statusCode": status,
                    "responseParameters": {HDR + h: bool(v.get("required", False))
                                           for h, v in resp["headers"].items()},
                    "responseModels": {ct: ref_name(c["schema"], "#/components/schemas/")
                                       for ct, c in resp["content"].items()}},
                "integrationResponse": ir,
            }
    return out


def swagger_view(doc: dict) -> dict:
    schemes = doc["securityDefinitions"]
    out = {"/": {}}
    for path, ops in doc["paths"].items():
        methods = out.setdefault(path, {})
        for verb, op in ops.items():
            (status, resp), = op["responses"].items()
            integration, ir = integration_view(op["x-amazon-apigateway-integration"])
            model = ref_name(resp["schema"], "#/definitions/")
            methods[verb.upper()] = {
                "authorizationType": auth_view(op, schemes),
                "integration": integration,
                "methodResponse": {
                    "statusCode": status,
                    "responseParameters": {HDR + h: False for h in resp["headers"]},
                    "responseModels": {ct: model for ct in op["produces"]}},
                "integrationResponse": ir,
            }
    return out


def load_openapi() -> dict:
    return yaml.safe_load((EXAMPLE / "pets-openapi.yaml").read_text())


def load_swagger() -> dict:
    return json.loads((EXAMPLE / "pets-swagger.json").read_text())


# -- the script ----------------------------------------------------------------------------------

def test_script_prints_only_the_api_id(built):
    p, api_id = built
    assert p.stdout == api_id + "\n"
    assert len(api_id) == 10 and api_id.isalnum() and api_id == api_id.lower()
    assert ADMIN_SECRET not in p.stdout + p.stderr


def test_rest_api(apigw, built):
    _, api_id = built
    api = apigw.get_rest_api(restApiId=api_id)
    assert api["name"] == "Pets"
    assert api["endpointConfiguration"]["types"] == ["EDGE"]
    assert [a["id"] for a in apigw.get_rest_apis()["items"] if a["name"] == "Pets"] == [api_id]
    models = {m["name"] for m in apigw.get_models(restApiId=api_id)["items"]}
    assert "Empty" in models


def test_resource_tree(apigw, built):
    _, api_id = built
    paths = resources_by_path(apigw, api_id)
    assert set(paths) == set(EXPECTED)
    root, pets, purchase = paths["/"], paths["/pets"], paths["/pets/purchase"]
    # (Debian's botocore predates RestApi.rootResourceId and drops it.)
    assert apigw.get_rest_api(restApiId=api_id).get("rootResourceId", root["id"]) == root["id"]
    assert "parentId" not in root and "resourceMethods" not in root
    assert (pets["parentId"], pets["pathPart"]) == (root["id"], "pets")
    assert (purchase["parentId"], purchase["pathPart"]) == (pets["id"], "purchase")
    for path, methods in EXPECTED.items():
        assert set(paths[path].get("resourceMethods", {})) == set(methods), path


def test_every_method(apigw, built):
    _, api_id = built
    paths = resources_by_path(apigw, api_id)
    for path, methods in EXPECTED.items():
        for verb, want in methods.items():
            got = method_view(apigw, api_id, paths[path]["id"], verb)
            assert got == want, f"{verb} {path}"
            # What GetResources embeds is what GetMethod returns.
            m = apigw.get_method(restApiId=api_id, resourceId=paths[path]["id"], httpMethod=verb)
            m.pop("ResponseMetadata")
            assert paths[path]["resourceMethods"][verb] == m, f"{verb} {path}"


def test_iam_and_open_methods(apigw, built):
    _, api_id = built
    paths = resources_by_path(apigw, api_id)
    auth = {(p, v): m["authorizationType"] for p, r in paths.items()
            for v, m in r.get("resourceMethods", {}).items()}
    assert auth == {("/pets", "GET"): "AWS_IAM", ("/pets", "POST"): "NONE",
                    ("/pets", "OPTIONS"): "NONE", ("/pets/purchase", "POST"): "AWS_IAM",
                    ("/pets/purchase", "OPTIONS"): "NONE"}


def test_test_stage_and_deployment(apigw, built):
    _, api_id = built
    deployments = apigw.get_deployments(restApiId=api_id)["items"]
    assert len(deployments) == 1
    deployment = deployments[0]
    stages = apigw.get_stages(restApiId=api_id)["item"]
    assert [s["stageName"] for s in stages] == ["Test"]
    stage = apigw.get_stage(restApiId=api_id, stageName="Test")
    assert stage["deploymentId"] == deployment["id"]
    assert stage["cacheClusterEnabled"] is False
    summary = apigw.get_deployment(restApiId=api_id, deploymentId=deployment["id"],
                                   embed=["apisummary"])["apiSummary"]
    assert summary == {path: {verb: {"authorizationType": m["authorizationType"],
                                     "apiKeyRequired": False}
                              for verb, m in methods.items()}
                       for path, methods in EXPECTED.items() if methods}


def test_each_run_creates_a_new_api_with_the_admin_profile(server, apigw, built, tmp_path):
    # As the README says: the admin-credentials file `portcullis serve` wrote, AWS_PROFILE, and
    # another name.
    _, first = built
    p = run_script(server, tmp_path / "home", {
        "AWS_PROFILE": "portcullis-admin",
        "AWS_SHARED_CREDENTIALS_FILE": str(server.state_dir / "admin-credentials"),
        "API_NAME": "PetsAgain"})
    assert p.returncode == 0, p.stderr
    second = p.stdout.strip()
    assert second != first
    assert apigw.get_rest_api(restApiId=second)["name"] == "PetsAgain"
    assert apigw.get_rest_api(restApiId=first)["name"] == "Pets"
    paths = resources_by_path(apigw, second)
    assert {p: set(r.get("resourceMethods", {})) for p, r in paths.items()} == \
        {p: set(m) for p, m in EXPECTED.items()}


# -- the documents ---------------------------------------------------------------------------------

def test_openapi_document_is_the_same_api():
    doc = load_openapi()
    assert doc["openapi"] == "3.0.1"
    assert doc["info"]["title"] == "Pets"
    assert doc["components"]["schemas"] == {"Empty": {"title": "Empty Schema", "type": "object"}}
    assert doc["components"]["securitySchemes"] == {"sigv4": {
        "type": "apiKey", "name": "Authorization", "in": "header",
        "x-amazon-apigateway-authtype": "awsSigv4"}}
    assert openapi_view(doc) == EXPECTED


def test_swagger_document_is_the_same_api():
    doc = load_swagger()
    assert doc["swagger"] == "2.0"
    assert doc["info"]["title"] == "Pets"
    assert doc["definitions"] == {"Empty": {"title": "Empty Schema", "type": "object"}}
    assert doc["securityDefinitions"] == load_openapi()["components"]["securitySchemes"]
    assert swagger_view(doc) == EXPECTED


def api_view(apigw, api_id: str) -> dict:
    """A whole API read back, in EXPECTED's shape."""
    return {path: {verb: method_view(apigw, api_id, r["id"], verb)
                   for verb in r.get("resourceMethods", {})}
            for path, r in resources_by_path(apigw, api_id).items()}


def test_importing_the_openapi_document_builds_the_same_api(server, apigw, built, tmp_path):
    # As the README shows, with the aws CLI.
    p = run_aws(["--endpoint-url", server.endpoint, "apigateway", "import-rest-api",
                 "--fail-on-warnings", "--body", f"fileb://{EXAMPLE / 'pets-openapi.yaml'}",
                 "--query", "id", "--output", "text"], tmp_path,
                env={"AWS_ACCESS_KEY_ID": ADMIN_KEY, "AWS_SECRET_ACCESS_KEY": ADMIN_SECRET})
    assert p.returncode == 0, p.stderr
    imported = p.stdout.strip()
    assert imported != built[1]
    assert api_view(apigw, imported) == api_view(apigw, built[1]) == EXPECTED


def test_importing_the_swagger_document_builds_the_same_api(apigw, built):
    api = apigw.import_rest_api(body=(EXAMPLE / "pets-swagger.json").read_bytes(),
                                failOnWarnings=True)
    assert api["name"] == "Pets" and "warnings" not in api
    assert api_view(apigw, api["id"]) == EXPECTED


@pytest.mark.parametrize("export_type", ["oas30", "swagger"])
def test_exporting_the_imported_api_gives_back_the_document(apigw, export_type):
    source = "pets-openapi.yaml" if export_type == "oas30" else "pets-swagger.json"
    api_id = apigw.import_rest_api(body=(EXAMPLE / source).read_bytes(), failOnWarnings=True)["id"]
    apigw.create_deployment(restApiId=api_id, stageName="Test")
    out = apigw.get_export(restApiId=api_id, stageName="Test", exportType=export_type,
                           parameters={"extensions": "integrations"},
                           accepts="application/yaml" if export_type == "oas30" else "application/json")
    body = out["body"].read().decode()
    if export_type == "oas30":
        assert out["contentType"] == "application/yaml"
        exported, original = yaml.safe_load(body), load_openapi()
        assert openapi_view(exported) == openapi_view(original) == EXPECTED
        assert exported["components"] == original["components"]
    else:
        assert out["contentType"] == "application/json"
        exported, original = json.loads(body), load_swagger()
        assert swagger_view(exported) == swagger_view(original) == EXPECTED
        assert exported["definitions"] == original["definitions"]
        assert exported["securityDefinitions"] == original["securityDefinitions"]
    assert exported["info"]["title"] == "Pets"
