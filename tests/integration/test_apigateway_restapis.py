"""API Gateway REST APIs through boto3: create (defaults, root resource, default models), get,
list with pagination, update through patch operations, delete, clone, tags, the account, SDK
types, operations Portcullis does not implement, persistence across a restart, and IAM
authorization of the management API."""

from __future__ import annotations

import json
import re

import pytest

from apigateway_helpers import (REGION, ag, add, add_resource, api_not_found, assert_recent, body,  # noqa: F401
                                call_error, deployed_stage, mock_method, new_api, remove, replace,
                                root_id, status, unique, wire_json)
from portcullis_helpers import DEFAULT_ACCOUNT, access_denied, allow, create_user_with_key, make_client


def api_arn(api: str, stage: str | None = None) -> str:
    arn = f"arn:aws:apigateway:{REGION}::/restapis/{api}"
    return arn + (f"/stages/{stage}" if stage else "")


# -- create / get ---------------------------------------------------------------------------------

def test_create_rest_api_defaults(ag):
    name = unique("defaults")
    r, wire = wire_json(ag, "CreateRestApi", ag.create_rest_api, name=name)
    assert status(r) == 201
    api = body(r)
    assert re.fullmatch(r"[a-z0-9]{10}", api["id"]), api["id"]
    assert api["name"] == name
    assert api["apiKeySource"] == "HEADER"
    assert api["endpointConfiguration"] == {"types": ["EDGE"]}
    assert api["disableExecuteApiEndpoint"] is False
    assert_recent(api["createdDate"])
    for absent in ("description", "version", "binaryMediaTypes", "minimumCompressionSize",
                   "policy", "tags"):
        assert absent not in api, absent
    # The wire carries rootResourceId (this botocore does not know it): the '/' resource.
    resources = ag.get_resources(restApiId=api["id"])["items"]
    assert resources == [{"id": wire["rootResourceId"], "path": "/"}]
    assert body(ag.get_rest_api(restApiId=api["id"])) == api


def test_create_rest_api_default_models(ag):
    api = new_api(ag, "models")
    models = {m["name"]: m for m in ag.get_models(restApiId=api)["items"]}
    assert set(models) == {"Empty", "Error"}
    empty, error = models["Empty"], models["Error"]
    assert empty["description"] == "This is a default empty schema model"
    assert error["description"] == "This is a default error schema model"
    assert empty["contentType"] == error["contentType"] == "application/json"
    assert json.loads(empty["schema"]) == {"$schema": "http://json-schema.org/draft-04/schema#",
                                           "title": "Empty Schema", "type": "object"}
    assert json.loads(error["schema"])["properties"] == {"message": {"type": "string"}}
    assert re.fullmatch(r"[a-z0-9]{6}", empty["id"]) and empty["id"] != error["id"]


def test_create_rest_api_with_everything(ag):
    name = unique("full")
    pol = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "*"}]})
    r = ag.create_rest_api(name=name, description="d", version="v1",
                           binaryMediaTypes=["image/png"], minimumCompressionSize=1024,
                           apiKeySource="AUTHORIZER", endpointConfiguration={"types": ["REGIONAL"]},
                           policy=pol, tags={"team": "blue"}, disableExecuteApiEndpoint=True)
    assert status(r) == 201
    expected = {"name": name, "description": "d", "version": "v1", "binaryMediaTypes": ["image/png"],
                "minimumCompressionSize": 1024, "apiKeySource": "AUTHORIZER",
                "endpointConfiguration": {"types": ["REGIONAL"]}, "policy": pol,
                "tags": {"team": "blue"}, "disableExecuteApiEndpoint": True}
    api = body(r)
    assert {k: api[k] for k in expected} == expected
    assert body(ag.get_rest_api(restApiId=api["id"])) == api


@pytest.mark.parametrize("kw, message", [
    ({"minimumCompressionSize": 10485761},
     "Invalid minimum compression size, must be between 0 and 10485760"),
    ({"endpointConfiguration": {"types": ["EDGE", "REGIONAL"]}}, None),
    ({"endpointConfiguration": {"types": ["EDGE"], "vpcEndpointIds": ["vpce-0123"]}},
     "VPC endpoint IDs can only be associated with PRIVATE endpoint types"),
    ({"policy": "{not json"}, None),
])
def test_create_rest_api_rejects(ag, kw, message):
    code, msg, st = call_error(ag.create_rest_api, name=unique("bad"), **kw)
    assert (code, st) == ("BadRequestException", 400), msg
    if message:
        assert msg.startswith(message), msg


def test_create_rest_api_empty_description(ag):
    # AWS refuses an empty description rather than storing "".
    assert call_error(ag.create_rest_api, name=unique("emptydesc"), description="") == (
        "BadRequestException", "Description cannot be an empty string", 400)


def test_get_missing_rest_api(ag):
    assert call_error(ag.get_rest_api, restApiId="nope123456") == api_not_found("nope123456")


# -- list -----------------------------------------------------------------------------------------

def test_get_rest_apis_pagination(ag):
    mine = {new_api(ag, "page") for _ in range(3)}
    seen, pages, position = [], 0, None
    while True:
        kw = {"position": position} if position else {}
        r = ag.get_rest_apis(limit=2, **kw)
        assert status(r) == 200
        assert 1 <= len(r["items"]) <= 2
        seen += [a["id"] for a in r["items"]]
        pages += 1
        position = r.get("position")
        if not position:
            break
        assert pages < 100
    assert len(seen) == len(set(seen)), "an API listed twice"
    assert mine <= set(seen)
    everything = ag.get_rest_apis(limit=500)
    assert "position" not in everything
    assert [a["id"] for a in everything["items"]] == seen
    listed = {a["id"]: a for a in everything["items"]}
    some = next(iter(mine))
    assert listed[some] == body(ag.get_rest_api(restApiId=some))


# -- update ---------------------------------------------------------------------------------------

def test_update_name_and_description(ag):
    api = new_api(ag, "upd")
    name = unique("renamed")
    r = ag.update_rest_api(restApiId=api, patchOperations=[replace("/name", name),
                                                           replace("/description", "new desc")])
    assert status(r) == 200
    assert r["name"] == name and r["description"] == "new desc"
    got = ag.get_rest_api(restApiId=api)
    assert got["name"] == name and got["description"] == "new desc"


def test_update_binary_media_types(ag):
    api = new_api(ag, "bin")
    r = ag.update_rest_api(restApiId=api, patchOperations=[add("/binaryMediaTypes/image~1png"),
                                                           add("/binaryMediaTypes/*~1*")])
    assert r["binaryMediaTypes"] == ["image/png", "*/*"]
    r = ag.update_rest_api(restApiId=api, patchOperations=[remove("/binaryMediaTypes/image~1png")])
    assert r["binaryMediaTypes"] == ["*/*"]
    assert ag.get_rest_api(restApiId=api)["binaryMediaTypes"] == ["*/*"]


def test_update_endpoint_type_by_index(ag):
    api = new_api(ag, "ep")
    r = ag.update_rest_api(restApiId=api,
                           patchOperations=[replace("/endpointConfiguration/types/0", "REGIONAL")])
    assert r["endpointConfiguration"]["types"] == ["REGIONAL"]
    assert ag.get_rest_api(restApiId=api)["endpointConfiguration"]["types"] == ["REGIONAL"]


def test_update_endpoint_type_by_name(ag):
    # The form AWS's documentation gives: the path names the current type.
    api = new_api(ag, "epname")
    r = ag.update_rest_api(restApiId=api,
                           patchOperations=[replace("/endpointConfiguration/types/EDGE", "REGIONAL")])
    assert r["endpointConfiguration"]["types"] == ["REGIONAL"]


def test_update_flags_and_sizes(ag):
    api = new_api(ag, "flags")
    r = ag.update_rest_api(restApiId=api, patchOperations=[
        replace("/apiKeySource", "AUTHORIZER"), replace("/disableExecuteApiEndpoint", "true"),
        replace("/minimumCompressionSize", "2048")])
    assert (r["apiKeySource"], r["disableExecuteApiEndpoint"], r["minimumCompressionSize"]) == (
        "AUTHORIZER", True, 2048)


def test_update_minimum_compression_size_empty_turns_it_off(ag):
    api = new_api(ag, "compress", minimumCompressionSize=1024)
    r = ag.update_rest_api(restApiId=api, patchOperations=[replace("/minimumCompressionSize", "")])
    assert status(r) == 200
    assert "minimumCompressionSize" not in r
    assert "minimumCompressionSize" not in ag.get_rest_api(restApiId=api)


def test_update_replace_binary_media_type(ag):
    api = new_api(ag, "binrep", binaryMediaTypes=["image/png"])
    r = ag.update_rest_api(restApiId=api,
                           patchOperations=[replace("/binaryMediaTypes/image~1png", "image/gif")])
    assert r["binaryMediaTypes"] == ["image/gif"]


def test_update_vpc_endpoint_ids(ag):
    # The value names the endpoint to add, as AWS's own examples do.
    api = new_api(ag, "vpce", endpointConfiguration={"types": ["PRIVATE"]})
    r = ag.update_rest_api(restApiId=api,
                           patchOperations=[add("/endpointConfiguration/vpcEndpointIds", "vpce-0abc")])
    assert r["endpointConfiguration"] == {"types": ["PRIVATE"], "vpcEndpointIds": ["vpce-0abc"]}


def test_update_invalid_api_key_source(ag):
    api = new_api(ag, "aks")
    code, msg, st = call_error(ag.update_rest_api, restApiId=api,
                               patchOperations=[replace("/apiKeySource", "BOGUS")])
    assert (code, st) == ("BadRequestException", 400)
    assert "BOGUS" in msg, msg
    assert ag.get_rest_api(restApiId=api)["apiKeySource"] == "HEADER"


def test_update_invalid_patch_path(ag):
    api = new_api(ag, "path")
    code, msg, st = call_error(ag.update_rest_api, restApiId=api,
                               patchOperations=[replace("/bogus", "x")])
    assert (code, st) == ("BadRequestException", 400)
    assert msg.startswith("Invalid patch path") and "'/bogus'" in msg, msg


def test_update_is_all_or_nothing(ag):
    api = new_api(ag, "atomic")
    before = body(ag.get_rest_api(restApiId=api))
    code, _, _ = call_error(ag.update_rest_api, restApiId=api, patchOperations=[
        replace("/description", "changed"), replace("/minimumCompressionSize", "-5")])
    assert code == "BadRequestException"
    assert body(ag.get_rest_api(restApiId=api)) == before


def test_update_missing_rest_api(ag):
    assert call_error(ag.update_rest_api, restApiId="nope123456",
                      patchOperations=[replace("/name", "x")]) == api_not_found("nope123456")


# -- delete ---------------------------------------------------------------------------------------

def test_delete_rest_api(ag):
    api = new_api(ag, "del")
    r = ag.delete_rest_api(restApiId=api)
    assert status(r) == 202
    assert body(r) == {}
    assert call_error(ag.get_rest_api, restApiId=api) == api_not_found(api)
    assert call_error(ag.get_resources, restApiId=api) == api_not_found(api)
    assert call_error(ag.delete_rest_api, restApiId=api) == api_not_found(api)
    assert api not in [a["id"] for a in ag.get_rest_apis(limit=500)["items"]]


# -- clone ----------------------------------------------------------------------------------------

def test_clone_from(ag):
    src = new_api(ag, "src")
    root = root_id(ag, src)
    pets = add_resource(ag, src, root, "pets")
    mock_method(ag, src, pets)
    ag.create_model(restApiId=src, name="Pet", contentType="application/json",
                    schema='{"type": "object"}')
    ag.create_deployment(restApiId=src, stageName="prod")
    name = unique("clone")
    clone = ag.create_rest_api(name=name, cloneFrom=src)
    assert status(clone) == 201 and clone["name"] == name and clone["id"] != src
    paths = {r["path"]: r for r in ag.get_resources(restApiId=clone["id"], embed=["methods"])["items"]}
    assert set(paths) == {"/", "/pets"}
    assert paths["/pets"]["resourceMethods"]["GET"]["methodIntegration"]["type"] == "MOCK"
    assert {m["name"] for m in ag.get_models(restApiId=clone["id"])["items"]} == {"Empty", "Error", "Pet"}
    assert ag.get_stages(restApiId=clone["id"])["item"] == []
    # The clone is independent of its source.
    add_resource(ag, clone["id"], paths["/"]["id"], "only-in-clone")
    assert "/only-in-clone" not in {r["path"] for r in ag.get_resources(restApiId=src)["items"]}


def test_clone_from_missing_api(ag):
    assert call_error(ag.create_rest_api, name=unique("clone"), cloneFrom="nope123456") == (
        api_not_found("nope123456"))


# -- tags -----------------------------------------------------------------------------------------

def test_tags_on_rest_api(ag):
    api = new_api(ag, "tags", tags={"a": "1"})
    arn = api_arn(api)
    assert ag.get_tags(resourceArn=arn)["tags"] == {"a": "1"}
    r = ag.tag_resource(resourceArn=arn, tags={"b": "2", "a": "one"})
    assert status(r) == 204
    assert ag.get_tags(resourceArn=arn)["tags"] == {"a": "one", "b": "2"}
    assert ag.get_rest_api(restApiId=api)["tags"] == {"a": "one", "b": "2"}
    r = ag.untag_resource(resourceArn=arn, tagKeys=["a", "missing"])
    assert status(r) == 204
    assert ag.get_tags(resourceArn=arn)["tags"] == {"b": "2"}
    ag.untag_resource(resourceArn=arn, tagKeys=["b"])
    assert ag.get_tags(resourceArn=arn)["tags"] == {}


def test_tags_on_stage(ag):
    api, _ = deployed_stage(ag, "prod", "stagetags")
    arn = api_arn(api, "prod")
    assert ag.get_tags(resourceArn=arn)["tags"] == {}
    ag.tag_resource(resourceArn=arn, tags={"env": "prod"})
    assert ag.get_tags(resourceArn=arn)["tags"] == {"env": "prod"}
    assert ag.get_stage(restApiId=api, stageName="prod")["tags"] == {"env": "prod"}
    # The API's own tags are separate.
    assert ag.get_tags(resourceArn=api_arn(api))["tags"] == {}
    ag.untag_resource(resourceArn=arn, tagKeys=["env"])
    assert ag.get_tags(resourceArn=arn)["tags"] == {}


def test_tags_errors(ag):
    api = new_api(ag, "tagerr")
    code, _, st = call_error(ag.tag_resource, resourceArn=api_arn(api), tags={"aws:x": "1"})
    assert (code, st) == ("BadRequestException", 400)
    assert call_error(ag.get_tags, resourceArn=api_arn("nope123456")) == api_not_found("nope123456")
    code, _, st = call_error(ag.get_tags, resourceArn=api_arn(api, "nostage"))
    assert (code, st) == ("NotFoundException", 404)
    code, _, st = call_error(ag.get_tags, resourceArn="arn:aws:s3:::bucket")
    assert (code, st) == ("BadRequestException", 400)


# -- account, SDK types, unimplemented operations -------------------------------------------------

def test_account(ag):
    r = ag.get_account()
    assert status(r) == 200
    assert r["throttleSettings"] == {"burstLimit": 5000, "rateLimit": 10000.0}
    assert r["features"] == ["UsagePlans"]
    assert r["apiKeyVersion"] == "4"
    role = f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/apigw-logs"
    r = ag.update_account(patchOperations=[replace("/cloudwatchRoleArn", role)])
    assert status(r) == 200 and r["cloudwatchRoleArn"] == role
    assert ag.get_account()["cloudwatchRoleArn"] == role
    code, _, st = call_error(ag.update_account, patchOperations=[replace("/bogus", "x")])
    assert (code, st) == ("BadRequestException", 400)


def test_sdk_types(ag):
    items = ag.get_sdk_types()["items"]
    ids = [t["id"] for t in items]
    assert "javascript" in ids
    js = ag.get_sdk_type(id="javascript")
    assert js["id"] == "javascript" and js["friendlyName"] == "JavaScript"
    code, _, st = call_error(ag.get_sdk_type, id="cobol")
    assert (code, st) == ("NotFoundException", 404)


@pytest.mark.parametrize("op, call", [
    ("GetSdk", lambda ag: ag.get_sdk(restApiId="abc", stageName="s", sdkType="javascript")),
    ("CreateVpcLink", lambda ag: ag.create_vpc_link(name="link", targetArns=["arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/x/1"])),
])
def test_not_implemented(ag, op, call):
    code, msg, st = call_error(call, ag)
    assert (code, st) == ("NotImplementedException", 501)
    assert op in msg, msg


# -- persistence ----------------------------------------------------------------------------------

def test_rest_api_survives_restart(start_server, tmp_path):
    state = tmp_path / "persist"
    s = start_server(state_dir=state)
    c = s.client("apigateway")
    api = c.create_rest_api(name="persisted", description="kept")
    res = add_resource(c, api["id"], root_id(c, api["id"]), "pets")
    mock_method(c, api["id"], res)
    dep = c.create_deployment(restApiId=api["id"], stageName="prod")["id"]
    key = c.create_api_key(name="persisted-key")
    plan = c.create_usage_plan(name="persisted-plan", apiStages=[{"apiId": api["id"], "stage": "prod"}])
    c.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    assert s.terminate() == 0
    s2 = start_server(state_dir=state)
    c2 = s2.client("apigateway")
    assert body(c2.get_rest_api(restApiId=api["id"])) == body(api)
    assert res in {r["id"] for r in c2.get_resources(restApiId=api["id"])["items"]}
    assert c2.get_stage(restApiId=api["id"], stageName="prod")["deploymentId"] == dep
    assert c2.get_deployment(restApiId=api["id"], deploymentId=dep)["id"] == dep
    assert c2.get_api_key(apiKey=key["id"], includeValue=True)["value"] == key["value"]
    assert c2.get_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"])["id"] == key["id"]


# -- IAM authorization ----------------------------------------------------------------------------

def test_iam_user_allowed_get_only(server, iam, ag):
    api = new_api(ag, "authz")
    user = unique("apigw-reader")
    _, key = create_user_with_key(
        iam, user, allow("apigateway:GET", f"arn:aws:apigateway:{REGION}::/restapis/*"))
    me = make_client("apigateway", server.endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    assert me.get_rest_api(restApiId=api)["id"] == api
    assert me.get_resources(restApiId=api)["items"][0]["path"] == "/"
    collection = f"arn:aws:apigateway:{REGION}::/restapis"
    assert call_error(me.create_rest_api, name=unique("denied")) == (
        "AccessDeniedException", access_denied(user, "apigateway:POST", collection), 403)
    assert call_error(me.delete_rest_api, restApiId=api) == (
        "AccessDeniedException",
        access_denied(user, "apigateway:DELETE", f"{collection}/{api}"), 403)
    # GET /restapis is not under /restapis/*.
    assert call_error(me.get_rest_apis)[0] == "AccessDeniedException"
    assert ag.get_rest_api(restApiId=api)["id"] == api
    # Authorization comes first: an operation Portcullis lacks is still denied, not 501.
    assert call_error(me.generate_client_certificate)[::2] == (
        "AccessDeniedException", 403)
    # Allowed (GET under /restapis/*), it answers 501.
    assert call_error(me.get_sdk, restApiId=api, stageName="s", sdkType="javascript")[::2] == (
        "NotImplementedException", 501)
