"""Helpers shared by the API Gateway management API tests (test_apigateway_*.py)."""

from __future__ import annotations

import datetime
import json

import pytest

from portcullis_helpers import DEFAULT_ACCOUNT, call_error, exchange, raw_request, sign, unique

REGION = "us-east-1"
LAMBDA_ARN = f"arn:aws:lambda:{REGION}:{DEFAULT_ACCOUNT}:function:handler"
LAMBDA_URI = (f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{LAMBDA_ARN}"
              "/invocations")


@pytest.fixture(scope="module")
def ag(server):
    """The administrator's API Gateway client on the module's server."""
    return server.client("apigateway")


@pytest.fixture(scope="module")
def raw_ag(server):
    """An API Gateway client without botocore's parameter checks."""
    return server.client("apigateway", validate=False)


def status(r) -> int:
    return r["ResponseMetadata"]["HTTPStatusCode"]


def body(r) -> dict:
    """A response without its ResponseMetadata."""
    return {k: v for k, v in r.items() if k != "ResponseMetadata"}


def wire_json(client, operation: str, call, **kwargs):
    """(parsed response, the raw JSON body on the wire) of one call: for members this botocore
    does not know (rootResourceId) or renames."""
    seen = {}

    def grab(http_response, **_):
        seen["body"] = http_response.content

    event = f"after-call.apigateway.{operation}"
    client.meta.events.register(event, grab)
    try:
        r = call(**kwargs)
    finally:
        client.meta.events.unregister(event, grab)
    return r, json.loads(seen["body"]) if seen.get("body") else None


def signed_json(server, method: str, path: str, doc=None):
    """A raw signed API Gateway call with exactly this JSON body (what botocore will not send);
    returns the RawResponse."""
    data = json.dumps(doc).encode() if doc is not None else b""
    headers = sign(method, f"{server.endpoint}{path}", data,
                   {"Content-Type": "application/json"}, service="apigateway")
    return exchange(server.port, raw_request(method, path, headers, data))


def assert_recent(when) -> None:
    assert isinstance(when, datetime.datetime), when
    now = datetime.datetime.now(datetime.timezone.utc)
    assert abs((now - when).total_seconds()) < 120, when


def new_api(ag, prefix: str = "api", **kw) -> str:
    return ag.create_rest_api(name=unique(prefix), **kw)["id"]


def root_id(ag, api: str) -> str:
    roots = [r["id"] for r in ag.get_resources(restApiId=api, limit=500)["items"] if r["path"] == "/"]
    assert len(roots) == 1, roots
    return roots[0]


def add_resource(ag, api: str, parent: str, part: str) -> str:
    return ag.create_resource(restApiId=api, parentId=parent, pathPart=part)["id"]


def mock_method(ag, api: str, resource: str, verb: str = "GET", **method_kw) -> None:
    """A method with a MOCK integration (deployable)."""
    ag.put_method(restApiId=api, resourceId=resource, httpMethod=verb,
                  authorizationType="NONE", **method_kw)
    ag.put_integration(restApiId=api, resourceId=resource, httpMethod=verb, type="MOCK",
                       requestTemplates={"application/json": '{"statusCode": 200}'})


def deployable_api(ag, prefix: str = "dep"):
    """(api id, root id, /pets id) with GET / and GET /pets on MOCK integrations."""
    api = new_api(ag, prefix)
    root = root_id(ag, api)
    pets = add_resource(ag, api, root, "pets")
    mock_method(ag, api, root)
    mock_method(ag, api, pets)
    return api, root, pets


def deployed_stage(ag, stage: str = "prod", prefix: str = "stg"):
    """(api id, deployment id) with `stage` created by the deployment."""
    api, _, _ = deployable_api(ag, prefix)
    dep = ag.create_deployment(restApiId=api, stageName=stage)["id"]
    return api, dep


def replace(path: str, value=None) -> dict:
    op = {"op": "replace", "path": path}
    if value is not None:
        op["value"] = value
    return op


def add(path: str, value=None) -> dict:
    op = {"op": "add", "path": path}
    if value is not None:
        op["value"] = value
    return op


def remove(path: str, value=None) -> dict:
    op = {"op": "remove", "path": path}
    if value is not None:
        op["value"] = value
    return op


def api_not_found(api: str) -> tuple:
    return ("NotFoundException", f"Invalid API identifier specified {DEFAULT_ACCOUNT}:{api}", 404)


__all__ = ["REGION", "LAMBDA_ARN", "LAMBDA_URI", "ag", "raw_ag", "status", "body", "wire_json", "signed_json",
           "assert_recent", "new_api", "root_id", "add_resource", "mock_method", "deployable_api",
           "deployed_stage", "replace", "add", "remove", "api_not_found", "call_error", "unique"]
