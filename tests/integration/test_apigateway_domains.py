"""Custom domain names and base path mappings: create, get, list, update, delete, tags, and
what deleting a stage or an API does to the mappings that name it."""

from __future__ import annotations

import pytest

from apigateway_helpers import (ag, body, call_error, deployed_stage, replace, status,  # noqa: F401
                                unique)

CERT = "arn:aws:acm:us-east-1:000000000000:certificate/0d1e2f"


def domain(ag, **kw) -> str:
    name = f"{unique('api').lower()}.example.com"
    ag.create_domain_name(domainName=name, **({"certificateArn": CERT} | kw))
    return name


def test_create_get_list_update_delete(ag):
    name = f"{unique('d').lower()}.example.com"
    r = ag.create_domain_name(domainName=name, certificateArn=CERT, tags={"team": "edge"})
    assert status(r) == 201
    got = body(r)
    assert got.pop("certificateUploadDate")
    assert got == {"domainName": name, "certificateArn": CERT,
                   "endpointConfiguration": {"types": ["EDGE"]}, "domainNameStatus": "AVAILABLE",
                   "securityPolicy": "TLS_1_2", "tags": {"team": "edge"}}
    assert body(ag.get_domain_name(domainName=name)) == body(r)
    assert name in [d["domainName"] for d in ag.get_domain_names(limit=500)["items"]]
    r = ag.update_domain_name(domainName=name, patchOperations=[
        replace("/securityPolicy", "TLS_1_0"),
        replace("/endpointConfiguration/types/EDGE", "REGIONAL"),
        replace("/regionalCertificateArn", CERT)])
    assert (r["securityPolicy"], r["endpointConfiguration"]["types"]) == ("TLS_1_0", ["REGIONAL"])
    arn = f"arn:aws:apigateway:us-east-1::/domainnames/{name}"
    ag.tag_resource(resourceArn=arn, tags={"env": "test"})
    assert ag.get_tags(resourceArn=arn)["tags"] == {"team": "edge", "env": "test"}
    assert status(ag.delete_domain_name(domainName=name)) == 202
    assert call_error(ag.get_domain_name, domainName=name) == (
        "NotFoundException", "Invalid domain name identifier specified", 404)


@pytest.mark.parametrize("kw, code, message", [
    ({"domainName": "Not_A_Host"}, "BadRequestException", "Invalid domain name specified: Not_A_Host"),
    ({"domainName": "nocert.example.com", "certificateArn": None},
     "BadRequestException", "An EDGE domain name needs a certificateArn"),
    ({"domainName": "regional.example.com", "endpointConfiguration": {"types": ["REGIONAL"]}},
     "BadRequestException", "A REGIONAL domain name needs a regionalCertificateArn"),
    ({"domainName": "upload.example.com", "certificateBody": "-----BEGIN CERTIFICATE-----",
      "certificatePrivateKey": "-----BEGIN PRIVATE KEY-----secret"},
     "BadRequestException", "Portcullis does not take certificate uploads"),
    ({"domainName": "bad.example.com", "endpointConfiguration": {"types": ["WIDE"]}},
     "ValidationException", "1 validation error detected: Value 'WIDE' at "
                            "'createDomainNameInput.endpointConfiguration.types.member'"),
    ({"domainName": "private.example.com", "endpointConfiguration": {"types": ["PRIVATE"]}},
     "BadRequestException", "Portcullis has no PRIVATE custom domain names"),
])
def test_create_refused(ag, kw, code, message):
    kw = {"certificateArn": CERT} | kw
    kw = {k: v for k, v in kw.items() if v is not None}
    got_code, got_message, got_status = call_error(ag.create_domain_name, **kw)
    assert (got_code, got_status) == (code, 400)
    assert got_message.startswith(message), got_message
    assert "secret" not in got_message
    assert call_error(ag.get_domain_name, domainName=kw["domainName"])[0] == "NotFoundException"


def test_duplicate_domain(ag):
    name = domain(ag)
    assert call_error(ag.create_domain_name, domainName=name, certificateArn=CERT) == (
        "ConflictException", "The domain name you provided already exists.", 409)


def test_base_path_mappings(ag):
    api, _ = deployed_stage(ag, "prod")
    name = domain(ag)
    r = ag.create_base_path_mapping(domainName=name, restApiId=api, stage="prod")
    assert status(r) == 201 and body(r) == {"basePath": "(none)", "restApiId": api, "stage": "prod"}
    ag.create_base_path_mapping(domainName=name, restApiId=api, basePath="v1")
    assert call_error(ag.create_base_path_mapping, domainName=name, restApiId=api, basePath="v1") == (
        "ConflictException", "Base path already exists for this domain name", 409)
    assert call_error(ag.create_base_path_mapping, domainName=name, restApiId=api,
                      basePath="v9", stage="nostage") == (
        "BadRequestException", "Invalid stage identifier specified", 400)
    assert call_error(ag.create_base_path_mapping, domainName=name, restApiId="nope123456") == (
        "BadRequestException", "Invalid REST API identifier specified", 400)
    # A stage of "(none)" is no stage.
    assert "stage" not in ag.create_base_path_mapping(domainName=name, restApiId=api,
                                                      basePath="nostage", stage="(none)")
    ag.delete_base_path_mapping(domainName=name, basePath="nostage")
    items = ag.get_base_path_mappings(domainName=name)["items"]
    assert sorted(m["basePath"] for m in items) == ["(none)", "v1"]
    assert body(ag.get_base_path_mapping(domainName=name, basePath="(none)"))["stage"] == "prod"
    r = ag.update_base_path_mapping(domainName=name, basePath="v1", patchOperations=[
        replace("/basePath", "v2"), replace("/stage", "prod")])
    assert body(r) == {"basePath": "v2", "restApiId": api, "stage": "prod"}
    assert call_error(ag.get_base_path_mapping, domainName=name, basePath="v1") == (
        "NotFoundException", "Invalid base path mapping identifier specified", 404)
    assert status(ag.delete_base_path_mapping(domainName=name, basePath="v2")) == 202
    assert [m["basePath"] for m in ag.get_base_path_mappings(domainName=name)["items"]] == ["(none)"]


def test_deleting_a_stage_or_api_removes_its_mappings(ag):
    api, _ = deployed_stage(ag, "prod")
    name = domain(ag)
    ag.create_base_path_mapping(domainName=name, restApiId=api, stage="prod", basePath="staged")
    ag.create_base_path_mapping(domainName=name, restApiId=api, basePath="whole")
    ag.delete_stage(restApiId=api, stageName="prod")
    assert [m["basePath"] for m in ag.get_base_path_mappings(domainName=name)["items"]] == ["whole"]
    ag.delete_rest_api(restApiId=api)
    assert ag.get_base_path_mappings(domainName=name)["items"] == []
