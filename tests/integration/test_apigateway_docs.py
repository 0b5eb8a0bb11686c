"""Documentation parts and versions: locations checked per type with their defaults, properties
as JSON, versions as snapshots a stage names, import from an OpenAPI document, and export."""

from __future__ import annotations

import json

import pytest

from apigateway_helpers import (ag, body, call_error, deployed_stage, new_api, replace,  # noqa: F401
                                status, unique)


def props(**kw) -> str:
    return json.dumps(kw)


def test_parts_create_get_list_update_delete(ag):
    api = new_api(ag, "docs")
    r = ag.create_documentation_part(restApiId=api, location={"type": "API"},
                                     properties=props(description="The API"))
    assert status(r) == 201
    assert body(r)["location"] == {"type": "API"}
    method = ag.create_documentation_part(restApiId=api, location={"type": "METHOD", "path": "/pets"},
                                          properties=props(summary="pets"))
    # Defaults filled in: every method of /pets.
    assert method["location"] == {"type": "METHOD", "path": "/pets", "method": "*"}
    resp = ag.create_documentation_part(restApiId=api, location={"type": "RESPONSE_HEADER",
                                        "path": "/pets", "method": "GET", "name": "X-Total"},
                                        properties=props(description="count"))
    assert resp["location"]["statusCode"] == "*"
    got = body(ag.get_documentation_part(restApiId=api, documentationPartId=method["id"]))
    assert got == body(method)
    assert len(ag.get_documentation_parts(restApiId=api)["items"]) == 3
    assert [p["id"] for p in ag.get_documentation_parts(restApiId=api, type="METHOD")["items"]] == [method["id"]]
    assert [p["id"] for p in ag.get_documentation_parts(restApiId=api, nameQuery="Total")["items"]] == [resp["id"]]
    r = ag.update_documentation_part(restApiId=api, documentationPartId=method["id"], patchOperations=[
        replace("/properties", props(summary="all pets"))])
    assert json.loads(r["properties"]) == {"summary": "all pets"}
    assert status(ag.delete_documentation_part(restApiId=api, documentationPartId=method["id"])) == 202
    assert call_error(ag.get_documentation_part, restApiId=api, documentationPartId=method["id"]) == (
        "NotFoundException", "Invalid Documentation part identifier specified", 404)


@pytest.mark.parametrize("location, properties, code, fragment", [
    ({"type": "MODEL"}, props(a=1), "BadRequestException", "type MODEL needs a name"),
    ({"type": "API", "path": "/x"}, props(a=1), "BadRequestException", "path does not apply to type API"),
    ({"type": "RESOURCE"}, "not json", "BadRequestException", "Invalid documentation content specified"),
    ({"type": "RESOURCE"}, "[1]", "BadRequestException", "Invalid documentation content specified"),
    ({"type": "METHOD", "path": "/", "method": "FETCH"}, props(a=1), "BadRequestException",
     "Invalid documentation part location: method FETCH"),
    ({"type": "RESPONSE", "path": "/", "statusCode": "2XX"}, props(a=1), "BadRequestException",
     "Invalid documentation part location: statusCode 2XX"),
    ({"type": "WIDGET"}, props(a=1), "ValidationException",
     "1 validation error detected: Value 'WIDGET' at 'createDocumentationPartInput.location.type'"),
])
def test_parts_refused(ag, location, properties, code, fragment):
    api = new_api(ag, "baddocs")
    got_code, message, st = call_error(ag.create_documentation_part, restApiId=api,
                                       location=location, properties=properties)
    assert (got_code, st) == (code, 400)
    assert fragment in message, message
    assert ag.get_documentation_parts(restApiId=api)["items"] == []


def test_one_part_per_location(ag):
    api = new_api(ag, "dupdocs")
    ag.create_documentation_part(restApiId=api, location={"type": "RESOURCE", "path": "/a"}, properties="{}")
    assert call_error(ag.create_documentation_part, restApiId=api,
                      location={"type": "RESOURCE", "path": "/a"}, properties="{}") == (
        "ConflictException", "Documentation part already exists for the specified location", 409)


def test_versions_snapshot_the_parts_and_stages_name_them(ag):
    api, _ = deployed_stage(ag, "prod")
    part = ag.create_documentation_part(restApiId=api, location={"type": "API"},
                                        properties=props(description="v1 text"))
    v = ag.create_documentation_version(restApiId=api, documentationVersion="1.0",
                                        stageName="prod", description="first")
    assert status(v) == 201 and v["version"] == "1.0" and v["description"] == "first"
    assert ag.get_stage(restApiId=api, stageName="prod")["documentationVersion"] == "1.0"
    assert call_error(ag.create_documentation_version, restApiId=api, documentationVersion="1.0") == (
        "ConflictException", "Documentation version already exists", 409)
    # The version keeps the parts as they were: the export of the stage shows them, with or
    # without other extensions.
    ag.update_documentation_part(restApiId=api, documentationPartId=part["id"], patchOperations=[
        replace("/properties", props(description="later text"))])
    for extensions in ("integrations", "documentation", ""):
        out = ag.get_export(restApiId=api, stageName="prod", exportType="oas30",
                            parameters={"extensions": extensions}, accepts="application/json")
        documentation = json.loads(out["body"].read())["x-amazon-apigateway-documentation"]
        assert documentation.pop("createdDate").endswith("Z")
        assert documentation == {"version": "1.0", "documentationParts": [
            {"location": {"type": "API"}, "properties": {"description": "v1 text"}}]}
    r = ag.update_documentation_version(restApiId=api, documentationVersion="1.0",
                                        patchOperations=[replace("/description", "renamed")])
    assert r["description"] == "renamed" and "parts" not in r
    assert [x["version"] for x in ag.get_documentation_versions(restApiId=api)["items"]] == ["1.0"]
    assert call_error(ag.delete_documentation_version, restApiId=api, documentationVersion="1.0")[2] == 400
    assert call_error(ag.update_stage, restApiId=api, stageName="prod",
                      patchOperations=[replace("/documentationVersion", "9.9")])[2] == 400
    ag.update_stage(restApiId=api, stageName="prod", patchOperations=[replace("/documentationVersion")])
    assert status(ag.delete_documentation_version(restApiId=api, documentationVersion="1.0")) == 202


DOCUMENTED = {
    "openapi": "3.0.1", "info": {"title": "documented", "version": "1"},
    "paths": {"/pets": {"get": {"responses": {"200": {"description": "ok"}},
                                "x-amazon-apigateway-integration": {"type": "mock"}}}},
    "x-amazon-apigateway-documentation": {"version": "1", "documentationParts": [
        {"location": {"type": "API"}, "properties": {"description": "An API"}},
        {"location": {"type": "METHOD", "path": "/pets", "method": "GET"},
         "properties": {"summary": "List pets"}}]},
}


def test_import_parts_merge_and_overwrite(ag):
    api = new_api(ag, "impdocs")
    ag.create_documentation_part(restApiId=api, location={"type": "RESOURCE", "path": "/old"}, properties="{}")
    r = ag.import_documentation_parts(restApiId=api, mode="merge", body=json.dumps(DOCUMENTED).encode())
    assert len(r["ids"]) == 2 and r.get("warnings", []) == []
    assert len(ag.get_documentation_parts(restApiId=api)["items"]) == 3
    r = ag.import_documentation_parts(restApiId=api, mode="overwrite", body=json.dumps(DOCUMENTED).encode())
    items = ag.get_documentation_parts(restApiId=api)["items"]
    assert sorted(p["location"]["type"] for p in items) == ["API", "METHOD"]
    code, _, st = call_error(ag.import_documentation_parts, restApiId=api,
                             body=b'{"openapi": "3.0.1"}')
    assert (code, st) == ("BadRequestException", 400)


def test_import_rest_api_reads_documentation(ag):
    api = ag.import_rest_api(body=json.dumps(DOCUMENTED).encode(), failOnWarnings=True)
    items = ag.get_documentation_parts(restApiId=api["id"])["items"]
    assert {json.dumps(p["location"], sort_keys=True): json.loads(p["properties"]) for p in items} == {
        json.dumps({"type": "API"}): {"description": "An API"},
        json.dumps({"method": "GET", "path": "/pets", "type": "METHOD"}, sort_keys=True): {"summary": "List pets"}}


def test_a_document_documents_each_location_once(ag):
    twice = json.loads(json.dumps(DOCUMENTED))
    twice["x-amazon-apigateway-documentation"]["documentationParts"].append(
        {"location": {"type": "API"}, "properties": {"description": "second"}})
    api = ag.import_rest_api(body=json.dumps(twice).encode())
    items = ag.get_documentation_parts(restApiId=api["id"], type="API")["items"]
    assert [json.loads(p["properties"]) for p in items] == [{"description": "second"}]
    assert call_error(ag.get_documentation_parts, restApiId=api["id"], type="WIDGET")[::2] == (
        "ValidationException", 400)
