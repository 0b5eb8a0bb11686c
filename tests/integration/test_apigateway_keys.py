"""API Gateway API keys, usage plans, the keys of a plan and usage through boto3: generated and
given values, includeValue(s), list filters, CSV import, plan stages, throttles and quotas
through patch operations, and what deleting a stage or an API does to the plans naming it."""

from __future__ import annotations

import datetime
import re

import pytest

from apigateway_helpers import (REGION, ag, add, assert_recent, body, call_error, deployed_stage,  # noqa: F401
                                remove, replace, signed_json, status, unique)

NO_KEY = ("NotFoundException", "Invalid API Key identifier specified", 404)
NO_PLAN = ("NotFoundException", "Invalid Usage Plan ID specified", 404)


@pytest.fixture(scope="module")
def stage(ag):
    """(api id, "prod") deployed, for plans to name."""
    api, _ = deployed_stage(ag, "prod", "plans")
    return api, "prod"


def plan_with_stage(ag, api, stage_name="prod", **kw):
    return ag.create_usage_plan(name=unique("plan"), apiStages=[{"apiId": api, "stage": stage_name}],
                                **kw)


# -- API keys -------------------------------------------------------------------------------------

def test_create_api_key_defaults(ag):
    name = unique("key")
    r = ag.create_api_key(name=name)
    assert status(r) == 201
    key = body(r)
    assert re.fullmatch(r"[a-z0-9]{10}", key["id"]), key["id"]
    assert re.fullmatch(r"[A-Za-z0-9]{40}", key["value"]), key["value"]
    assert (key["name"], key["enabled"], key["stageKeys"]) == (name, False, [])
    assert_recent(key["createdDate"])
    assert_recent(key["lastUpdatedDate"])
    got = body(ag.get_api_key(apiKey=key["id"]))
    assert "value" not in got
    assert got == {k: v for k, v in key.items() if k != "value"}
    assert body(ag.get_api_key(apiKey=key["id"], includeValue=True)) == key


@pytest.mark.parametrize("length", [20, 128])
def test_create_api_key_given_value(ag, length):
    value = (unique("v") + "x" * length)[:length]
    r = ag.create_api_key(name=unique("given"), value=value, enabled=True, description="d",
                          customerId="cust-1")
    assert (r["value"], r["enabled"], r["description"], r["customerId"]) == (value, True, "d", "cust-1")


@pytest.mark.parametrize("value", ["x" * 19, "y" * 129])
def test_create_api_key_bad_length(ag, value):
    code, msg, st = call_error(ag.create_api_key, name=unique("short"), value=value)
    assert (code, st) == ("BadRequestException", 400) and "20" in msg, msg


def test_create_api_key_duplicate_value(ag):
    value = unique("dupvalue") + "0123456789abcdefghij"
    ag.create_api_key(name=unique("a"), value=value)
    assert call_error(ag.create_api_key, name=unique("b"), value=value) == (
        "ConflictException", "API Key already exists", 409)


def test_create_api_key_with_stage_keys(ag, stage):
    api, name = stage
    r = ag.create_api_key(name=unique("staged"), stageKeys=[{"restApiId": api, "stageName": name}])
    assert r["stageKeys"] == [f"{api}/{name}"]


def test_list_api_keys_filters(ag):
    prefix = unique("listed")
    a = ag.create_api_key(name=prefix + "-a", customerId=prefix + "-cust")
    b = ag.create_api_key(name=prefix + "-b")
    ag.create_api_key(name=unique("other"), customerId=prefix + "-cust-x")
    r = ag.get_api_keys(nameQuery=prefix, limit=500)
    assert status(r) == 200
    assert sorted(k["id"] for k in r["items"]) == sorted([a["id"], b["id"]])
    assert all("value" not in k for k in r["items"])
    with_values = ag.get_api_keys(nameQuery=prefix, includeValues=True, limit=500)["items"]
    assert sorted(k["value"] for k in with_values) == sorted([a["value"], b["value"]])
    assert [k["id"] for k in ag.get_api_keys(customerId=prefix + "-cust", limit=500)["items"]] == [a["id"]]
    page = ag.get_api_keys(nameQuery=prefix, limit=1)
    rest = ag.get_api_keys(nameQuery=prefix, limit=1, position=page["position"])
    assert "position" not in rest
    assert sorted(k["id"] for k in page["items"] + rest["items"]) == sorted([a["id"], b["id"]])


def test_update_api_key(ag, stage):
    api, name = stage
    key = ag.create_api_key(name=unique("upd"))
    r = ag.update_api_key(apiKey=key["id"], patchOperations=[
        replace("/name", "renamed"), replace("/description", "d"), replace("/enabled", "true"),
        replace("/customerId", "c1"), add("/stages", f"{api}/{name}")])
    assert status(r) == 200
    assert "value" not in r
    assert (r["name"], r["description"], r["enabled"], r["customerId"], r["stageKeys"]) == (
        "renamed", "d", True, "c1", [f"{api}/{name}"])
    r = ag.update_api_key(apiKey=key["id"], patchOperations=[remove("/stages", f"{api}/{name}")])
    assert r["stageKeys"] == []
    assert ag.get_api_key(apiKey=key["id"])["name"] == "renamed"
    code, _, st = call_error(ag.update_api_key, apiKey=key["id"],
                             patchOperations=[replace("/value", "x" * 30)])
    assert (code, st) == ("BadRequestException", 400)
    code, _, st = call_error(ag.update_api_key, apiKey=key["id"],
                             patchOperations=[add("/stages", f"{api}/nostage")])
    assert st == 404 or st == 400
    assert call_error(ag.update_api_key, apiKey="nope123456",
                      patchOperations=[replace("/name", "x")]) == NO_KEY


def test_delete_api_key(ag):
    key = ag.create_api_key(name=unique("del"))
    r = ag.delete_api_key(apiKey=key["id"])
    assert status(r) == 202
    assert call_error(ag.get_api_key, apiKey=key["id"]) == NO_KEY
    assert call_error(ag.delete_api_key, apiKey=key["id"]) == NO_KEY


def test_import_api_keys_csv(ag):
    n1, n2 = unique("imp"), unique("imp")
    v1, v2 = unique("importedvalue") + "a" * 20, unique("importedvalue") + "b" * 20
    csv = f"name,key,description,enabled\n{n1},{v1},first,true\n{n2},{v2},second,false\n"
    r = ag.import_api_keys(body=csv.encode(), format="csv")
    assert status(r) == 201
    assert len(r["ids"]) == 2 and not r.get("warnings")
    first = ag.get_api_key(apiKey=r["ids"][0], includeValue=True)
    assert (first["name"], first["value"], first["description"], first["enabled"]) == (n1, v1, "first", True)
    second = ag.get_api_key(apiKey=r["ids"][1], includeValue=True)
    assert (second["name"], second["value"], second["enabled"]) == (n2, v2, False)
    # A line whose key already exists is a warning, or an error with failOnWarnings.
    again = f"name,key\n{unique('imp')},{v1}\n"
    r = ag.import_api_keys(body=again.encode(), format="csv")
    assert r["ids"] == [] and len(r["warnings"]) == 1
    code, _, st = call_error(ag.import_api_keys, body=again.encode(), format="csv", failOnWarnings=True)
    assert (code, st) == ("ConflictException", 409)


@pytest.mark.parametrize("kind", ["apikeys", "usageplans"])
def test_tags_on_key_and_plan(ag, kind):
    if kind == "apikeys":
        entity = ag.create_api_key(name=unique("tagged"), tags={"a": "1"})
        get = lambda: ag.get_api_key(apiKey=entity["id"])  # noqa: E731
    else:
        entity = ag.create_usage_plan(name=unique("tagged"), tags={"a": "1"})
        get = lambda: ag.get_usage_plan(usagePlanId=entity["id"])  # noqa: E731
    assert entity["tags"] == {"a": "1"}
    arn = f"arn:aws:apigateway:{REGION}::/{kind}/{entity['id']}"
    assert ag.get_tags(resourceArn=arn)["tags"] == {"a": "1"}
    assert status(ag.tag_resource(resourceArn=arn, tags={"b": "2"})) == 204
    assert ag.get_tags(resourceArn=arn)["tags"] == {"a": "1", "b": "2"}
    assert get()["tags"] == {"a": "1", "b": "2"}
    ag.untag_resource(resourceArn=arn, tagKeys=["a"])
    assert get()["tags"] == {"b": "2"}


# -- usage plans ----------------------------------------------------------------------------------

def test_create_usage_plan(ag, stage):
    api, name = stage
    plan_name = unique("plan")
    r = ag.create_usage_plan(name=plan_name, description="gold",
                             apiStages=[{"apiId": api, "stage": name}],
                             throttle={"burstLimit": 10, "rateLimit": 5.0},
                             quota={"limit": 1000, "offset": 0, "period": "DAY"})
    assert status(r) == 201
    plan = body(r)
    assert re.fullmatch(r"[a-z0-9]{6}", plan["id"]), plan["id"]
    assert plan == {"id": plan["id"], "name": plan_name, "description": "gold",
                    "apiStages": [{"apiId": api, "stage": name}],
                    "throttle": {"burstLimit": 10, "rateLimit": 5.0},
                    "quota": {"limit": 1000, "offset": 0, "period": "DAY"}}
    assert body(ag.get_usage_plan(usagePlanId=plan["id"])) == plan
    assert plan["id"] in [p["id"] for p in ag.get_usage_plans(limit=500)["items"]]


def test_create_usage_plan_errors(ag, stage):
    api, _ = stage
    code, _, st = call_error(ag.create_usage_plan, name=unique("p"),
                             apiStages=[{"apiId": api, "stage": "nostage"}])
    assert (code, st) == ("BadRequestException", 400)
    code, _, st = call_error(ag.create_usage_plan, name=unique("p"),
                             apiStages=[{"apiId": "nope123456", "stage": "prod"}])
    assert (code, st) == ("BadRequestException", 400)
    code, _, st = call_error(ag.create_usage_plan, name=unique("p"), quota={"limit": 5, "period": "YEAR"})
    assert st == 400


@pytest.mark.parametrize("stages", [["api:prod"], [5]])
def test_create_usage_plan_malformed_stages(server, stages):
    # A malformed body is the caller's fault: 400, never a 500.
    r = signed_json(server, "POST", "/usageplans", {"name": unique("p"), "apiStages": stages})
    assert (r.status, r.header("x-amzn-ErrorType")) == (400, "BadRequestException"), r.text


def test_update_usage_plan(ag, stage):
    api, name = stage
    ag.create_deployment(restApiId=api, stageName="beta")
    plan = plan_with_stage(ag, api, quota={"limit": 100, "period": "WEEK"},
                           throttle={"burstLimit": 1, "rateLimit": 1.0})
    r = ag.update_usage_plan(usagePlanId=plan["id"], patchOperations=[
        replace("/quota/limit", "500"), replace("/throttle/rateLimit", "20"),
        replace("/name", "renamed"), add("/apiStages", f"{api}:beta")])
    assert status(r) == 200
    assert r["quota"] == {"limit": 500, "period": "WEEK"} and r["throttle"]["rateLimit"] == 20.0
    assert r["name"] == "renamed"
    assert r["apiStages"] == [{"apiId": api, "stage": name}, {"apiId": api, "stage": "beta"}]
    r = ag.update_usage_plan(usagePlanId=plan["id"], patchOperations=[
        remove("/apiStages", f"{api}:{name}"),
        replace(f"/apiStages/{api}:beta/throttle/~1pets/GET/rateLimit", "3"),
        replace(f"/apiStages/{api}:beta/throttle/~1pets/GET/burstLimit", "6")])
    assert r["apiStages"] == [{"apiId": api, "stage": "beta",
                               "throttle": {"/pets/GET": {"rateLimit": 3.0, "burstLimit": 6}}}]
    assert body(ag.get_usage_plan(usagePlanId=plan["id"])) == body(r)
    code, _, st = call_error(ag.update_usage_plan, usagePlanId=plan["id"],
                             patchOperations=[add("/apiStages", f"{api}:nostage")])
    assert (code, st) == ("BadRequestException", 400)
    assert call_error(ag.update_usage_plan, usagePlanId="nope12",
                      patchOperations=[replace("/name", "x")]) == NO_PLAN


def test_delete_usage_plan(ag):
    plan = ag.create_usage_plan(name=unique("gone"))
    r = ag.delete_usage_plan(usagePlanId=plan["id"])
    assert status(r) == 202
    assert call_error(ag.get_usage_plan, usagePlanId=plan["id"]) == NO_PLAN
    assert call_error(ag.delete_usage_plan, usagePlanId=plan["id"]) == NO_PLAN


# -- keys of a plan -------------------------------------------------------------------------------

def test_usage_plan_keys(ag, stage):
    api, _ = stage
    plan = plan_with_stage(ag, api)
    key = ag.create_api_key(name=unique("pk"), enabled=True)
    r = ag.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    assert status(r) == 201
    pk = body(r)
    assert pk == {"id": key["id"], "type": "API_KEY", "value": key["value"], "name": key["name"]}
    assert body(ag.get_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"])) == pk
    assert ag.get_usage_plan_keys(usagePlanId=plan["id"])["items"] == [pk]
    assert [p["id"] for p in ag.get_usage_plans(keyId=key["id"])["items"]] == [plan["id"]]
    code, _, st = call_error(ag.create_usage_plan_key, usagePlanId=plan["id"], keyId=key["id"],
                             keyType="API_KEY")
    assert (code, st) == ("ConflictException", 409)
    r = ag.delete_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"])
    assert status(r) == 202
    missing = ("NotFoundException", "Invalid Usage Plan Key identifier specified", 404)
    assert call_error(ag.get_usage_plan_key, usagePlanId=plan["id"], keyId=key["id"]) == missing
    assert call_error(ag.delete_usage_plan_key, usagePlanId=plan["id"], keyId=key["id"]) == missing
    assert ag.get_usage_plan_keys(usagePlanId=plan["id"])["items"] == []


def test_usage_plan_key_errors(ag, stage):
    api, _ = stage
    plan = plan_with_stage(ag, api)
    assert call_error(ag.create_usage_plan_key, usagePlanId=plan["id"], keyId="nope123456",
                      keyType="API_KEY") == NO_KEY
    key = ag.create_api_key(name=unique("pk"))
    assert call_error(ag.create_usage_plan_key, usagePlanId="nope12", keyId=key["id"],
                      keyType="API_KEY") == NO_PLAN
    # One key cannot reach the same API stage through two plans.
    ag.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    other = plan_with_stage(ag, api)
    code, _, st = call_error(ag.create_usage_plan_key, usagePlanId=other["id"], keyId=key["id"],
                             keyType="API_KEY")
    assert (code, st) == ("ConflictException", 409)
    # Deleting the key takes it out of its plans.
    ag.delete_api_key(apiKey=key["id"])
    assert ag.get_usage_plan_keys(usagePlanId=plan["id"])["items"] == []


# -- usage ----------------------------------------------------------------------------------------

def test_get_usage(ag, stage):
    api, _ = stage
    plan = plan_with_stage(ag, api, quota={"limit": 1000, "period": "DAY"})
    k1 = ag.create_api_key(name=unique("u"))["id"]
    k2 = ag.create_api_key(name=unique("u"))["id"]
    for k in (k1, k2):
        ag.create_usage_plan_key(usagePlanId=plan["id"], keyId=k, keyType="API_KEY")
    today = datetime.date.today()
    start = (today - datetime.timedelta(days=2)).isoformat()
    r = ag.get_usage(usagePlanId=plan["id"], startDate=start, endDate=today.isoformat())
    assert status(r) == 200
    assert (r["usagePlanId"], r["startDate"], r["endDate"]) == (plan["id"], start, today.isoformat())
    assert r["items"] == {k1: [[0, 1000]] * 3, k2: [[0, 1000]] * 3}
    only = ag.get_usage(usagePlanId=plan["id"], keyId=k1, startDate=start, endDate=start)
    assert only["items"] == {k1: [[0, 1000]]}
    code, _, st = call_error(ag.get_usage, usagePlanId=plan["id"], startDate="yesterday",
                             endDate=today.isoformat())
    assert (code, st) == ("BadRequestException", 400)
    code, _, st = call_error(ag.get_usage, usagePlanId=plan["id"], startDate=today.isoformat(),
                             endDate=start)
    assert (code, st) == ("BadRequestException", 400)


# -- stages and APIs leaving plans ----------------------------------------------------------------

def test_deleting_stage_removes_it_from_plans(ag):
    api, _ = deployed_stage(ag, "prod", "leave")
    ag.create_deployment(restApiId=api, stageName="beta")
    plan = ag.create_usage_plan(name=unique("leave"), apiStages=[
        {"apiId": api, "stage": "prod"}, {"apiId": api, "stage": "beta"}])
    ag.delete_stage(restApiId=api, stageName="prod")
    assert ag.get_usage_plan(usagePlanId=plan["id"])["apiStages"] == [{"apiId": api, "stage": "beta"}]
    ag.delete_rest_api(restApiId=api)
    assert ag.get_usage_plan(usagePlanId=plan["id"])["apiStages"] == []
