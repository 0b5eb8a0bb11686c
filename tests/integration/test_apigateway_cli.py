"""The API Gateway management API through the real aws CLI v2: one REST API built from scratch
(resource listing, method, HTTP integration, deployment, stage settings through the patch
shorthand) and an error as the CLI prints it. Few invocations: each costs about half a second."""

from __future__ import annotations

import pytest

from portcullis_helpers import aws_json, unique

PATH_PART_RULE = ("Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning "
                  "and the end and an optional plus sign before the closing brace.")


@pytest.fixture
def cli(server, tmp_path):
    def run(*args):
        return aws_json(server, ["apigateway", *args], tmp_path)
    return run


def test_cli_build_and_deploy(cli):
    name = unique("cli")
    rc, api, err = cli("create-rest-api", "--name", name, "--description", "from the CLI")
    assert rc == 0, err
    assert (api["name"], api["description"], api["apiKeySource"]) == (name, "from the CLI", "HEADER")
    assert api["endpointConfiguration"] == {"types": ["EDGE"]}
    api_id = api["id"]

    rc, out, err = cli("get-resources", "--rest-api-id", api_id)
    assert rc == 0, err
    assert [r["path"] for r in out["items"]] == ["/"]
    root = out["items"][0]["id"]

    rc, out, err = cli("put-method", "--rest-api-id", api_id, "--resource-id", root,
                       "--http-method", "GET", "--authorization-type", "NONE",
                       "--request-parameters", "method.request.querystring.page=true")
    assert rc == 0, err
    assert out == {"httpMethod": "GET", "authorizationType": "NONE", "apiKeyRequired": False,
                   "requestParameters": {"method.request.querystring.page": True}}

    rc, out, err = cli("put-integration", "--rest-api-id", api_id, "--resource-id", root,
                       "--http-method", "GET", "--type", "HTTP", "--integration-http-method", "POST",
                       "--uri", "https://example.com/backend")
    assert rc == 0, err
    assert (out["type"], out["httpMethod"], out["uri"]) == ("HTTP", "POST", "https://example.com/backend")

    rc, dep, err = cli("create-deployment", "--rest-api-id", api_id, "--stage-name", "prod",
                       "--description", "first")
    assert rc == 0, err
    assert dep["description"] == "first"

    rc, out, err = cli("update-stage", "--rest-api-id", api_id, "--stage-name", "prod",
                       "--patch-operations", "op=replace,path=/*/*/logging/loglevel,value=INFO",
                       "op=replace,path=/variables/color,value=blue")
    assert rc == 0, err
    assert out["methodSettings"]["*/*"]["loggingLevel"] == "INFO"
    assert out["variables"] == {"color": "blue"}

    rc, out, err = cli("get-stages", "--rest-api-id", api_id)
    assert rc == 0, err
    assert [(s["stageName"], s["deploymentId"]) for s in out["item"]] == [("prod", dep["id"])]

    rc, out, err = cli("create-resource", "--rest-api-id", api_id, "--parent-id", root,
                       "--path-part", "bad part")
    assert rc == 254 and out is None, (rc, err)
    assert "An error occurred (BadRequestException) when calling the CreateResource operation" in err
    assert err.rstrip().endswith(": " + PATH_PART_RULE), err
