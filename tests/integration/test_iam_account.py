"""IAM account-level operations: instance profiles, service-linked roles, the account alias,
GetAccountSummary, STS preferences, tags on identity providers, the credential report,
access-advisor reports, ListPoliciesGrantingServiceAccess, context keys, simulation with a caller
of another account; AccessDenied for each, and persistence across a restart."""

from __future__ import annotations

import base64
import csv
import datetime
import io
import json
import re

import pytest

from portcullis_helpers import (DEFAULT_ACCOUNT, access_denied, allow, aws_json, call_error,
                                create_user_with_key, iam_arn, make_client, policy, statement,
                                trust_policy, unique, wait_until)
from saml_helpers import IDP_METADATA
from test_iam_certificates import Pki
from test_iam_credentials import enable, new_device

IAM_READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ROLE_IN_PROFILE = ("DeleteConflict",
                   "Cannot delete entity, must remove roles from instance profile first.", 409)


def profile_arn(name: str, path: str = "/") -> str:
    return iam_arn("instance-profile", name, path)


def role_element(role: dict) -> dict:
    """A role as it appears inside an instance profile."""
    return {k: role[k] for k in ("Path", "RoleName", "RoleId", "Arn", "CreateDate",
                                 "AssumeRolePolicyDocument")}


# -- instance profiles ----------------------------------------------------------------------------

def test_instance_profile_lifecycle(iam):
    name, role_name = unique("prof"), unique("prole")
    p = iam.create_instance_profile(InstanceProfileName=name, Path="/app/")["InstanceProfile"]
    assert set(p) == {"Path", "InstanceProfileName", "InstanceProfileId", "Arn", "CreateDate",
                      "Roles"}
    assert (p["Path"], p["InstanceProfileName"], p["Arn"], p["Roles"]) == (
        "/app/", name, profile_arn(name, "/app/"), [])
    assert re.fullmatch(r"AIPA[A-Z2-7]{17}", p["InstanceProfileId"])
    assert call_error(iam.create_instance_profile, InstanceProfileName=name) == (
        "EntityAlreadyExists", f"Instance Profile {name} already exists.", 409)
    role = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=trust_policy(
        {"Service": "ec2.amazonaws.com"}))["Role"]
    iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=role_name)
    got = iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]
    assert got["Roles"] == [role_element(role)]
    assert {k: got[k] for k in p if k != "Roles"} == {k: p[k] for k in p if k != "Roles"}
    listed = iam.list_instance_profiles_for_role(RoleName=role_name)
    assert [x["InstanceProfileName"] for x in listed["InstanceProfiles"]] == [name]
    assert listed["IsTruncated"] is False

    other = unique("prole")
    iam.create_role(RoleName=other, AssumeRolePolicyDocument=trust_policy())
    for r in (role_name, other):
        assert call_error(iam.add_role_to_instance_profile, InstanceProfileName=name,
                          RoleName=r) == (
            "LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1", 409)
    assert call_error(iam.delete_instance_profile, InstanceProfileName=name) == ROLE_IN_PROFILE
    assert call_error(iam.delete_role, RoleName=role_name) == ROLE_IN_PROFILE
    assert call_error(iam.remove_role_from_instance_profile, InstanceProfileName=name,
                      RoleName=other) == (
        "NoSuchEntity", f"The role with name {other} cannot be found.", 404)
    iam.remove_role_from_instance_profile(InstanceProfileName=name, RoleName=role_name)
    assert iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]["Roles"] == []
    assert iam.list_instance_profiles_for_role(RoleName=role_name)["InstanceProfiles"] == []
    iam.delete_role(RoleName=role_name)
    iam.delete_instance_profile(InstanceProfileName=name)
    assert call_error(iam.get_instance_profile, InstanceProfileName=name) == (
        "NoSuchEntity", f"Instance Profile {name} cannot be found.", 404)


def test_instance_profile_errors(iam, raw_iam):
    name = unique("perr")
    iam.create_instance_profile(InstanceProfileName=name)
    assert call_error(iam.add_role_to_instance_profile, InstanceProfileName=name,
                      RoleName="ghost-role") == (
        "NoSuchEntity", "The role with name ghost-role cannot be found.", 404)
    assert call_error(iam.add_role_to_instance_profile, InstanceProfileName="ghost-prof",
                      RoleName="ghost-role") == (
        "NoSuchEntity", "Instance Profile ghost-prof cannot be found.", 404)
    assert call_error(iam.delete_instance_profile, InstanceProfileName="ghost-prof") == (
        "NoSuchEntity", "Instance Profile ghost-prof cannot be found.", 404)
    assert call_error(iam.list_instance_profiles_for_role, RoleName="ghost-role") == (
        "NoSuchEntity", "The role with name ghost-role cannot be found.", 404)
    assert call_error(raw_iam.create_instance_profile, InstanceProfileName="bad name") == (
        "ValidationError", "1 validation error detected: Value 'bad name' at "
        "'instanceProfileName' failed to satisfy constraint: Member must satisfy regular "
        "expression pattern: [\\w+=,.@-]+", 400)
    assert call_error(raw_iam.create_instance_profile, InstanceProfileName="x" * 129)[0:2] == (
        "ValidationError", f"1 validation error detected: Value '{'x' * 129}' at "
        "'instanceProfileName' failed to satisfy constraint: Member must have length less than "
        "or equal to 128")
    assert call_error(raw_iam.create_instance_profile, InstanceProfileName="p", Path="nope")[0] \
        == "ValidationError"


def test_list_instance_profiles_pagination_and_prefix(iam):
    prefix = "/" + unique("pg") + "/"
    names = sorted(unique("lp") for _ in range(5))
    for n in names:
        iam.create_instance_profile(InstanceProfileName=n, Path=prefix)
    deeper = unique("lp")
    iam.create_instance_profile(InstanceProfileName=deeper, Path=prefix + "sub/")
    seen, marker = [], None
    while True:
        kw = {"Marker": marker} if marker else {}
        r = iam.list_instance_profiles(PathPrefix=prefix, MaxItems=2, **kw)
        seen.append([p["InstanceProfileName"] for p in r["InstanceProfiles"]])
        if not r["IsTruncated"]:
            break
        marker = r["Marker"]
    assert [n for page in seen for n in page] == sorted(names + [deeper])
    assert [len(page) for page in seen] == [2, 2, 2]
    only = iam.list_instance_profiles(PathPrefix=prefix + "sub/")["InstanceProfiles"]
    assert len(only) == 1 and only[0]["Path"] == prefix + "sub/"


def test_instance_profile_tags(iam):
    name = unique("ptag")
    p = iam.create_instance_profile(InstanceProfileName=name,
                                    Tags=[{"Key": "team", "Value": "blue"}])["InstanceProfile"]
    assert p["Tags"] == [{"Key": "team", "Value": "blue"}]
    iam.tag_instance_profile(InstanceProfileName=name, Tags=[
        {"Key": "env", "Value": "dev"}, {"Key": "TEAM", "Value": "red"}])
    r = iam.list_instance_profile_tags(InstanceProfileName=name, MaxItems=1)
    assert (r["Tags"], r["IsTruncated"]) == ([{"Key": "team", "Value": "red"}], True)
    r = iam.list_instance_profile_tags(InstanceProfileName=name, Marker=r["Marker"])
    assert (r["Tags"], r["IsTruncated"]) == ([{"Key": "env", "Value": "dev"}], False)
    iam.untag_instance_profile(InstanceProfileName=name, TagKeys=["Team"])
    assert iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]["Tags"] == [
        {"Key": "env", "Value": "dev"}]
    assert call_error(iam.tag_instance_profile, InstanceProfileName="ghost-prof",
                      Tags=[{"Key": "a", "Value": "b"}]) == (
        "NoSuchEntity", "Instance Profile ghost-prof cannot be found.", 404)
    many = [{"Key": f"k{i}", "Value": "v"} for i in range(50)]
    assert call_error(iam.tag_instance_profile, InstanceProfileName=name, Tags=many) == (
        "LimitExceeded", "The number of tags has reached the maximum limit.", 409)


def test_add_role_to_instance_profile_needs_pass_role(server, iam):
    prof, role = unique("pp"), unique("pprole")
    iam.create_instance_profile(InstanceProfileName=prof)
    role_arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust_policy())["Role"][
        "Arn"]
    user = unique("passer")
    _, key = create_user_with_key(iam, user, allow("iam:AddRoleToInstanceProfile"))
    client = make_client("iam", server.endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    assert call_error(client.add_role_to_instance_profile, InstanceProfileName=prof,
                      RoleName=role) == (
        "AccessDenied", access_denied(user, "iam:PassRole", role_arn), 403)
    assert iam.get_instance_profile(InstanceProfileName=prof)["InstanceProfile"]["Roles"] == []
    # iam:PassedToService is ec2.amazonaws.com.
    iam.put_user_policy(UserName=user, PolicyName="pass", PolicyDocument=allow(
        "iam:PassRole", role_arn, {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}))
    client.add_role_to_instance_profile(InstanceProfileName=prof, RoleName=role)
    assert [r["RoleName"] for r in iam.get_instance_profile(
        InstanceProfileName=prof)["InstanceProfile"]["Roles"]] == [role]


def test_authorization_details_list_instance_profiles(iam):
    prof, role = unique("adp"), unique("adrole")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust_policy())
    p = iam.create_instance_profile(InstanceProfileName=prof)["InstanceProfile"]
    iam.add_role_to_instance_profile(InstanceProfileName=prof, RoleName=role)
    details = iam.get_account_authorization_details(Filter=["Role"])["RoleDetailList"]
    mine = [r for r in details if r["RoleName"] == role][0]
    assert [ip["InstanceProfileId"] for ip in mine["InstanceProfileList"]] == [
        p["InstanceProfileId"]]
    assert mine["InstanceProfileList"][0]["Roles"][0]["RoleName"] == role
    other = [r for r in details if r["RoleName"] != role]
    assert all(r["InstanceProfileList"] == [] for r in other if not r["RoleName"].startswith(
        "pprole"))


# -- service-linked roles -------------------------------------------------------------------------

def allow_trust():
    return trust_policy({"Service": "ec2.amazonaws.com"})


def test_service_linked_role_lifecycle(iam):
    r = iam.create_service_linked_role(AWSServiceName="elasticbeanstalk.amazonaws.com",
                                       Description="for beanstalk")["Role"]
    name = "AWSServiceRoleForElasticBeanstalk"
    path = "/aws-service-role/elasticbeanstalk.amazonaws.com/"
    assert (r["RoleName"], r["Path"], r["Arn"], r["Description"], r["MaxSessionDuration"]) == (
        name, path, iam_arn("role", name, path), "for beanstalk", 3600)
    assert r["AssumeRolePolicyDocument"] == {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": ["elasticbeanstalk.amazonaws.com"]},
        "Action": ["sts:AssumeRole"]}]}
    assert iam.get_role(RoleName=name)["Role"]["RoleId"] == r["RoleId"]
    assert call_error(iam.create_service_linked_role,
                      AWSServiceName="elasticbeanstalk.amazonaws.com") == (
        "InvalidInput", f"Service role name {name} has been taken in this account, please try a "
        "different suffix.", 400)
    # A role like any other: listed, and evaluated (no policy is attached to it here).
    assert [x["RoleName"] for x in iam.list_roles(PathPrefix=path)["Roles"]] == [name]
    sim = iam.simulate_principal_policy(PolicySourceArn=r["Arn"], ActionNames=["s3:GetObject"],
                                        PolicyInputList=[allow("s3:GetObject")])
    assert sim["EvaluationResults"][0]["EvalDecision"] == "allowed"
    sim = iam.simulate_principal_policy(PolicySourceArn=r["Arn"], ActionNames=["s3:GetObject"])
    assert sim["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"
    protected = ("UnmodifiableEntity", f"Cannot perform the operation on the protected role "
                 f"'{name}' - this role is only modifiable by AWS", 400)
    assert call_error(iam.delete_role, RoleName=name) == protected
    # Only AWS changes a service-linked role; its description is the user's to edit.
    for op, params in [
            (iam.put_role_policy, {"PolicyName": "p", "PolicyDocument": allow("s3:*")}),
            (iam.delete_role_policy, {"PolicyName": "p"}),
            (iam.attach_role_policy, {"PolicyArn": IAM_READ_ONLY}),
            (iam.detach_role_policy, {"PolicyArn": IAM_READ_ONLY}),
            (iam.put_role_permissions_boundary, {"PermissionsBoundary": IAM_READ_ONLY}),
            (iam.delete_role_permissions_boundary, {}),
            (iam.update_assume_role_policy, {"PolicyDocument": allow_trust()}),
            (iam.update_role, {"MaxSessionDuration": 7200})]:
        assert call_error(op, RoleName=name, **params) == protected, op
    assert iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"] == []
    iam.update_role_description(RoleName=name, Description="still for beanstalk")
    iam.update_role(RoleName=name, Description="for beanstalk again")
    assert iam.get_role(RoleName=name)["Role"]["Description"] == "for beanstalk again"
    # Its path is reserved: CreateRole may not make a look-alike.
    assert call_error(iam.create_role, RoleName="LookAlike", Path=path,
                      AssumeRolePolicyDocument=allow_trust()) == (
        "InvalidInput", "The path /aws-service-role/ is reserved for service-linked roles; use "
        "CreateServiceLinkedRole.", 400)
    task = iam.delete_service_linked_role(RoleName=name)["DeletionTaskId"]
    m = re.fullmatch(r"task/aws-service-role/elasticbeanstalk\.amazonaws\.com/"
                     r"AWSServiceRoleForElasticBeanstalk/(.+)", task)
    assert m and UUID.fullmatch(m.group(1)), task
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == \
        "SUCCEEDED"
    assert call_error(iam.get_role, RoleName=name)[0] == "NoSuchEntity"
    unknown = task[:-36] + "00000000-0000-4000-8000-000000000000"
    assert call_error(iam.get_service_linked_role_deletion_status, DeletionTaskId=unknown) == (
        "NoSuchEntity", f"Deletion task {unknown} cannot be found.", 404)
    assert call_error(iam.get_service_linked_role_deletion_status, DeletionTaskId="nonsense") == (
        "InvalidInput", "Invalid deletion task id nonsense.", 400)


def test_service_linked_role_names_and_suffixes(iam):
    r = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com",
                                       CustomSuffix="fleet")["Role"]
    assert (r["RoleName"], r["Path"]) == ("AWSServiceRoleForAutoScaling_fleet",
                                          "/aws-service-role/autoscaling.amazonaws.com/")
    assert call_error(iam.create_service_linked_role, AWSServiceName="ecs.amazonaws.com",
                      CustomSuffix="x") == (
        "InvalidInput", "Custom suffix is not allowed for ecs.amazonaws.com", 400)
    assert iam.create_service_linked_role(AWSServiceName="spot.amazonaws.com")["Role"][
        "RoleName"] == "AWSServiceRoleForEC2Spot"
    # Outside the table: the labels in CamelCase.
    assert iam.create_service_linked_role(AWSServiceName="replication.my-store.amazonaws.com")[
        "Role"]["RoleName"] == "AWSServiceRoleForMyStoreReplication"
    for bad in ("ec2.amazonaws.com", "example.com"):
        assert call_error(iam.create_service_linked_role, AWSServiceName=bad) == (
            "InvalidInput", f"Unrecognized service principal {bad}: it is not an AWS service "
            "that supports service-linked roles.", 400)
    plain = unique("plain")
    iam.create_role(RoleName=plain, AssumeRolePolicyDocument=trust_policy())
    assert call_error(iam.delete_service_linked_role, RoleName=plain) == (
        "InvalidInput", f"Role {plain} is not a service-linked role.", 400)
    assert call_error(iam.delete_service_linked_role, RoleName="ghost-slr") == (
        "NoSuchEntity", "The role with name ghost-slr cannot be found.", 404)


def test_create_service_linked_role_condition_key(server, iam):
    user = unique("slrmaker")
    _, key = create_user_with_key(iam, user, allow(
        "iam:CreateServiceLinkedRole", "*",
        {"StringEquals": {"iam:AWSServiceName": "config.amazonaws.com"}}))
    client = make_client("iam", server.endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    arn = iam_arn("role", "AWSServiceRoleForTrustedAdvisor",
                  "/aws-service-role/trustedadvisor.amazonaws.com/")
    assert call_error(client.create_service_linked_role,
                      AWSServiceName="trustedadvisor.amazonaws.com") == (
        "AccessDenied", access_denied(user, "iam:CreateServiceLinkedRole", arn), 403)
    assert client.create_service_linked_role(AWSServiceName="config.amazonaws.com")["Role"][
        "RoleName"] == "AWSServiceRoleForConfig"


# -- account alias, STS preferences, summary ------------------------------------------------------

def test_account_alias(iam, raw_iam):
    assert iam.list_account_aliases()["AccountAliases"] == []
    iam.create_account_alias(AccountAlias="my-company")
    r = iam.list_account_aliases()
    assert (r["AccountAliases"], r["IsTruncated"]) == (["my-company"], False)
    assert call_error(iam.create_account_alias, AccountAlias="my-company") == (
        "EntityAlreadyExists", "The account alias my-company already exists.", 409)
    iam.create_account_alias(AccountAlias="other-name-1")  # one alias: the new one replaces it
    assert iam.list_account_aliases()["AccountAliases"] == ["other-name-1"]
    assert call_error(iam.delete_account_alias, AccountAlias="my-company") == (
        "NoSuchEntity", "The account alias my-company cannot be found.", 404)
    pattern = "^[a-z0-9](([a-z0-9]|-(?!-))*[a-z0-9])?$"
    for bad in ("Upper", "-start", "end-", "dou--ble", "a_b"):
        assert call_error(raw_iam.create_account_alias, AccountAlias=bad) == (
            "ValidationError", f"1 validation error detected: Value '{bad}' at 'accountAlias' "
            f"failed to satisfy constraint: Member must satisfy regular expression pattern: "
            f"{pattern}", 400)
    assert call_error(raw_iam.create_account_alias, AccountAlias="ab") == (
        "ValidationError", "1 validation error detected: Value 'ab' at 'accountAlias' failed to "
        "satisfy constraint: Member must have length greater than or equal to 3", 400)
    iam.delete_account_alias(AccountAlias="other-name-1")
    assert iam.list_account_aliases()["AccountAliases"] == []


def test_account_summary_counts_the_store(start_server):
    s = start_server()
    iam = s.client("iam")
    base = iam.get_account_summary()["SummaryMap"]
    assert base["Users"] == 1 and base["Groups"] == 0 and base["Roles"] == 0
    assert {k: base[k] for k in ("UsersQuota", "GroupsQuota", "RolesQuota", "PoliciesQuota",
                                 "AccessKeysPerUserQuota", "ServerCertificatesQuota",
                                 "UserPolicySizeQuota", "GroupPolicySizeQuota",
                                 "RolePolicySizeQuota", "PolicySizeQuota",
                                 "VersionsPerPolicyQuota", "AttachedPoliciesPerUserQuota",
                                 "AttachedPoliciesPerGroupQuota", "AttachedPoliciesPerRoleQuota",
                                 "GroupsPerUserQuota", "SigningCertificatesPerUserQuota",
                                 "InstanceProfilesQuota", "AssumeRolePolicySizeQuota",
                                 "PolicyVersionsInUseQuota")} == {
        "UsersQuota": 5000, "GroupsQuota": 300, "RolesQuota": 1000, "PoliciesQuota": 1500,
        "AccessKeysPerUserQuota": 2, "ServerCertificatesQuota": 20, "UserPolicySizeQuota": 2048,
        "GroupPolicySizeQuota": 5120, "RolePolicySizeQuota": 10240, "PolicySizeQuota": 6144,
        "VersionsPerPolicyQuota": 5, "AttachedPoliciesPerUserQuota": 10,
        "AttachedPoliciesPerGroupQuota": 10, "AttachedPoliciesPerRoleQuota": 10,
        "GroupsPerUserQuota": 10, "SigningCertificatesPerUserQuota": 2,
        "InstanceProfilesQuota": 1000, "AssumeRolePolicySizeQuota": 2048,
        "PolicyVersionsInUseQuota": 10000}
    assert {k: base[k] for k in ("Policies", "PolicyVersionsInUse", "InstanceProfiles",
                                 "Providers", "ServerCertificates", "MFADevices",
                                 "MFADevicesInUse", "AccountMFAEnabled",
                                 "AccountAccessKeysPresent", "AccountSigningCertificatesPresent",
                                 "GlobalEndpointTokenVersion")} == {
        "Policies": 0, "PolicyVersionsInUse": 1, "InstanceProfiles": 0, "Providers": 0,
        "ServerCertificates": 0, "MFADevices": 0, "MFADevicesInUse": 0, "AccountMFAEnabled": 0,
        "AccountAccessKeysPresent": 0, "AccountSigningCertificatesPresent": 0,
        "GlobalEndpointTokenVersion": 1}
    iam.create_user(UserName="u1")
    iam.create_group(GroupName="g1")
    iam.create_role(RoleName="r1", AssumeRolePolicyDocument=trust_policy())
    arn = iam.create_policy(PolicyName="pol", PolicyDocument=allow("s3:*"))["Policy"]["Arn"]
    iam.attach_group_policy(GroupName="g1", PolicyArn=arn)
    iam.attach_role_policy(RoleName="r1", PolicyArn=IAM_READ_ONLY)
    iam.create_instance_profile(InstanceProfileName="ip1")
    iam.create_saml_provider(Name="idp", SAMLMetadataDocument=IDP_METADATA.read_text())
    iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v2Token")
    now = iam.get_account_summary()["SummaryMap"]
    assert {k: now[k] for k in ("Users", "Groups", "Roles", "Policies", "PolicyVersionsInUse",
                                "InstanceProfiles", "Providers",
                                "GlobalEndpointTokenVersion")} == {
        "Users": 2, "Groups": 1, "Roles": 1, "Policies": 1, "PolicyVersionsInUse": 3,
        "InstanceProfiles": 1, "Providers": 1, "GlobalEndpointTokenVersion": 2}


def test_sts_preferences_validation(raw_iam):
    assert call_error(raw_iam.set_security_token_service_preferences,
                      GlobalEndpointTokenVersion="v3Token") == (
        "ValidationError", "1 validation error detected: Value 'v3Token' at "
        "'globalEndpointTokenVersion' failed to satisfy constraint: Member must satisfy enum "
        "value set: [v1Token, v2Token]", 400)


# -- tags on identity providers -------------------------------------------------------------------

def test_saml_and_oidc_provider_tags(iam):
    name = unique("tagidp")
    saml = iam.create_saml_provider(Name=name, SAMLMetadataDocument=IDP_METADATA.read_text(),
                                    Tags=[{"Key": "a", "Value": "1"}])["SAMLProviderArn"]
    host = unique("oidc") + ".example.com"
    oidc = iam.create_open_id_connect_provider(Url=f"https://{host}", ClientIDList=["app"],
                                               ThumbprintList=["a" * 40])[
        "OpenIDConnectProviderArn"]
    for arn_param, arn, tag, untag, list_tags in (
            ("SAMLProviderArn", saml, iam.tag_saml_provider, iam.untag_saml_provider,
             iam.list_saml_provider_tags),
            ("OpenIDConnectProviderArn", oidc, iam.tag_open_id_connect_provider,
             iam.untag_open_id_connect_provider, iam.list_open_id_connect_provider_tags)):
        tag(**{arn_param: arn}, Tags=[{"Key": "b", "Value": "2"}, {"Key": "A", "Value": "3"}])
        start = [{"Key": "a", "Value": "3"}] if arn == saml else []
        expected = start + [{"Key": "b", "Value": "2"}] + (
            [] if arn == saml else [{"Key": "A", "Value": "3"}])
        assert list_tags(**{arn_param: arn})["Tags"] == expected
        page = list_tags(**{arn_param: arn}, MaxItems=1)
        assert (page["Tags"], page["IsTruncated"]) == (expected[:1], True)
        assert list_tags(**{arn_param: arn}, Marker=page["Marker"])["Tags"] == expected[1:]
        untag(**{arn_param: arn}, TagKeys=["b"])
        assert list_tags(**{arn_param: arn})["Tags"] == [t for t in expected if t["Key"] != "b"]
    assert iam.get_saml_provider(SAMLProviderArn=saml)["Tags"] == [{"Key": "a", "Value": "3"}]
    assert iam.get_open_id_connect_provider(OpenIDConnectProviderArn=oidc)["Tags"] == [
        {"Key": "A", "Value": "3"}]
    ghost = iam_arn("saml-provider", "ghost-idp")
    assert call_error(iam.tag_saml_provider, SAMLProviderArn=ghost,
                      Tags=[{"Key": "x", "Value": "y"}]) == (
        "NoSuchEntity", f"Manifest not found for arn {ghost}", 404)
    ghost = iam_arn("oidc-provider", "ghost.example.com", "/")
    assert call_error(iam.list_open_id_connect_provider_tags,
                      OpenIDConnectProviderArn=ghost) == (
        "NoSuchEntity", f"OpenIDConnect Provider not found for arn {ghost}", 404)


# -- credential report ----------------------------------------------------------------------------

HEADER = ("user,arn,user_creation_time,password_enabled,password_last_used,"
          "password_last_changed,password_next_rotation,mfa_active,access_key_1_active,"
          "access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,"
          "access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,"
          "access_key_2_last_used_date,access_key_2_last_used_region,"
          "access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,"
          "cert_2_last_rotated").split(",")


def report_time(d: datetime.datetime) -> str:
    return d.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def test_credential_report(start_server):
    s = start_server()
    iam = s.client("iam")
    assert call_error(iam.get_credential_report)[0::2] == ("ReportNotPresent", 410)
    err = call_error(iam.get_credential_report)[1]
    assert err in ("", None)  # AWS sends this error without a message
    alice = iam.create_user(UserName="alice")["User"]
    k1 = iam.create_access_key(UserName="alice")["AccessKey"]
    k2 = iam.create_access_key(UserName="alice")["AccessKey"]
    iam.update_access_key(UserName="alice", AccessKeyId=k2["AccessKeyId"], Status="Inactive")
    # Key 1 is the older (keys made in the same second: the smaller id).
    active = {k1["AccessKeyId"]: "true", k2["AccessKeyId"]: "false"}
    k1, k2 = sorted([k1, k2], key=lambda k: (k["CreateDate"], k["AccessKeyId"]))
    bob = iam.create_user(UserName="bob", Path="/ops/")["User"]
    has_password = True
    iam.create_login_profile(UserName="bob", Password="Correct-Horse-9!")
    # User names may hold commas: the report quotes such fields.
    iam.create_user(UserName="with,comma")
    r = iam.generate_credential_report()
    assert (r["State"], r["Description"]) == (
        "STARTED", "No report exists. Starting a new report generation task")
    again = iam.generate_credential_report()
    assert (again["State"], "Description" in again) == ("COMPLETE", False)
    got = iam.get_credential_report()
    assert got["ReportFormat"] == "text/csv"
    assert abs((got["GeneratedTime"] - datetime.datetime.now(datetime.timezone.utc))
               .total_seconds()) < 60
    text = got["Content"].decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == HEADER
    assert [r[0] for r in rows[1:]] == ["<root_account>", "admin", "alice", "bob", "with,comma"]
    assert all(len(r) == len(HEADER) for r in rows)
    assert '"with,comma","arn:aws:iam::000000000000:user/with,comma",' in text
    table = {r[0]: dict(zip(HEADER, r)) for r in rows[1:]}
    admin = iam.get_user(UserName="admin")["User"]
    root = table["<root_account>"]
    assert root == {
        "user": "<root_account>", "arn": f"arn:aws:iam::{DEFAULT_ACCOUNT}:root",
        "user_creation_time": report_time(admin["CreateDate"]),
        "password_enabled": "not_supported", "password_last_used": "N/A",
        "password_last_changed": "not_supported", "password_next_rotation": "not_supported",
        "mfa_active": "false", "access_key_1_active": "false",
        "access_key_1_last_rotated": "N/A", "access_key_1_last_used_date": "N/A",
        "access_key_1_last_used_region": "N/A", "access_key_1_last_used_service": "N/A",
        "access_key_2_active": "false", "access_key_2_last_rotated": "N/A",
        "access_key_2_last_used_date": "N/A", "access_key_2_last_used_region": "N/A",
        "access_key_2_last_used_service": "N/A", "cert_1_active": "false",
        "cert_1_last_rotated": "N/A", "cert_2_active": "false", "cert_2_last_rotated": "N/A"}
    no_key = {"access_key_2_active": "false", "access_key_2_last_rotated": "N/A",
              "access_key_2_last_used_date": "N/A", "access_key_2_last_used_region": "N/A",
              "access_key_2_last_used_service": "N/A"}
    no_certs = {"cert_1_active": "false", "cert_1_last_rotated": "N/A", "cert_2_active": "false",
                "cert_2_last_rotated": "N/A"}
    no_password = {"password_enabled": "false", "password_last_used": "N/A",
                   "password_last_changed": "N/A", "password_next_rotation": "N/A"}
    assert table["alice"] == {
        "user": "alice", "arn": alice["Arn"], "user_creation_time": report_time(alice["CreateDate"]),
        **no_password, "mfa_active": "false",
        "access_key_1_active": active[k1["AccessKeyId"]],
        "access_key_1_last_rotated": report_time(k1["CreateDate"]),
        "access_key_1_last_used_date": "N/A", "access_key_1_last_used_region": "N/A",
        "access_key_1_last_used_service": "N/A",
        "access_key_2_active": active[k2["AccessKeyId"]],
        "access_key_2_last_rotated": report_time(k2["CreateDate"]),
        "access_key_2_last_used_date": "N/A", "access_key_2_last_used_region": "N/A",
        "access_key_2_last_used_service": "N/A", **no_certs}
    b = table["bob"]
    assert (b["arn"], b["user_creation_time"]) == (bob["Arn"], report_time(bob["CreateDate"]))
    assert {k: b[k] for k in no_key} == no_key and {k: b[k] for k in no_certs} == no_certs
    assert (b["mfa_active"], b["access_key_1_active"], b["access_key_1_last_rotated"]) == (
        "false", "false", "N/A")
    if has_password:
        assert (b["password_enabled"], b["password_last_used"], b["password_next_rotation"]) == (
            "true", "no_information", "N/A")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", b["password_last_changed"])
    else:
        assert {k: b[k] for k in no_password} == no_password
    # The administrator's key signs these calls: its last use is N/A or a time with a region.
    a = table["admin"]
    assert a["access_key_1_active"] == "true"
    assert a["access_key_1_last_used_date"] == "N/A" or re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", a["access_key_1_last_used_date"])
    # The report is the one generated: a user made afterwards is not in it until a new one.
    iam.create_user(UserName="carol")
    assert "carol" not in iam.get_credential_report()["Content"].decode()


def test_report_and_summary_read_the_other_iam_tables(start_server, tmp_path):
    """Login profiles, MFA devices, certificates and key use, made by their own operations, show in
    the summary and the credential report, also after a restart."""
    state = tmp_path / "other-tables"
    s1 = start_server(state_dir=state)
    iam = s1.client("iam")
    iam.create_user(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    iam.put_user_policy(UserName="alice", PolicyName="ident", PolicyDocument=allow("sts:GetCallerIdentity"))
    iam.create_login_profile(UserName="alice", Password="Correct-Horse-9")
    serial, seed = new_device(iam, "alice-phone")
    enable(iam, "alice", serial, seed)
    new_device(iam, "spare")
    pki = Pki(tmp_path)
    cert, private_key = pki.pair("web.portcullis.test")
    iam.upload_server_certificate(ServerCertificateName="web", CertificateBody=cert, PrivateKey=private_key)
    signing, _ = pki.pair("alice")
    uploaded = iam.upload_signing_certificate(UserName="alice", CertificateBody=signing)["Certificate"]
    sts = s1.client("sts", key["AccessKeyId"], key["SecretAccessKey"], region="eu-west-1")
    assert wait_until(lambda: _works(sts.get_caller_identity), 5)
    assert s1.terminate() == 0

    s2 = start_server(state_dir=state)
    iam = s2.client("iam")
    summary = iam.get_account_summary()["SummaryMap"]
    assert (summary["MFADevices"], summary["MFADevicesInUse"], summary["ServerCertificates"]) == (2, 1, 1)
    iam.generate_credential_report()
    table = {r[0]: dict(zip(HEADER, r)) for r in csv.reader(io.StringIO(
        iam.get_credential_report()["Content"].decode()))}
    a = table["alice"]
    used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
    login = iam.get_login_profile(UserName="alice")["LoginProfile"]
    iso = lambda t: t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    assert {k: a[k] for k in HEADER[3:]} == {
        "password_enabled": "true", "password_last_used": "no_information",
        "password_last_changed": iso(login["CreateDate"]), "password_next_rotation": "N/A",
        "mfa_active": "true", "access_key_1_active": "true",
        "access_key_1_last_rotated": iso(key["CreateDate"]),
        "access_key_1_last_used_date": iso(used["LastUsedDate"]),
        "access_key_1_last_used_region": "eu-west-1", "access_key_1_last_used_service": "sts",
        "access_key_2_active": "false", "access_key_2_last_rotated": "N/A",
        "access_key_2_last_used_date": "N/A", "access_key_2_last_used_region": "N/A",
        "access_key_2_last_used_service": "N/A", "cert_1_active": "true",
        "cert_1_last_rotated": iso(uploaded["UploadDate"]), "cert_2_active": "false",
        "cert_2_last_rotated": "N/A"}


def _works(fn):
    try:
        fn()
        return True
    except Exception:
        return False


# -- access advisor -------------------------------------------------------------------------------

def test_service_last_accessed_details(iam, raw_iam):
    user = unique("adv")
    iam.create_user(UserName=user)
    iam.put_user_policy(UserName=user, PolicyName="s3", PolicyDocument=allow("s3:GetObject"))
    iam.attach_user_policy(UserName=user, PolicyArn=IAM_READ_ONLY)
    group = unique("advg")
    iam.create_group(GroupName=group)
    iam.put_group_policy(GroupName=group, PolicyName="q",
                         PolicyDocument=policy(statement("Allow", ["sqs:Send*", "custom-svc:Do"]),
                                               statement("Deny", "ec2:*")))
    iam.add_user_to_group(GroupName=group, UserName=user)
    job = iam.generate_service_last_accessed_details(Arn=iam_arn("user", user))["JobId"]
    assert UUID.fullmatch(job)
    r = iam.get_service_last_accessed_details(JobId=job)
    assert (r["JobStatus"], r["JobType"], r["IsTruncated"]) == ("COMPLETED", "SERVICE_LEVEL",
                                                                False)
    assert r["JobCompletionDate"] >= r["JobCreationDate"]
    assert r["ServicesLastAccessed"] == [
        {"ServiceName": "custom-svc", "ServiceNamespace": "custom-svc",
         "TotalAuthenticatedEntities": 0},
        {"ServiceName": "AWS Identity and Access Management", "ServiceNamespace": "iam",
         "TotalAuthenticatedEntities": 0},
        {"ServiceName": "Amazon S3", "ServiceNamespace": "s3", "TotalAuthenticatedEntities": 0},
        {"ServiceName": "Amazon SQS", "ServiceNamespace": "sqs", "TotalAuthenticatedEntities": 0}]
    page = iam.get_service_last_accessed_details(JobId=job, MaxItems=3)
    assert ([s["ServiceNamespace"] for s in page["ServicesLastAccessed"]], page["IsTruncated"]) \
        == (["custom-svc", "iam", "s3"], True)
    rest = iam.get_service_last_accessed_details(JobId=job, Marker=page["Marker"])
    assert [s["ServiceNamespace"] for s in rest["ServicesLastAccessed"]] == ["sqs"]

    gjob = iam.generate_service_last_accessed_details(Arn=iam_arn("group", group),
                                                      Granularity="ACTION_LEVEL")["JobId"]
    g = iam.get_service_last_accessed_details(JobId=gjob)
    assert g["JobType"] == "ACTION_LEVEL"
    assert [s["ServiceNamespace"] for s in g["ServicesLastAccessed"]] == ["custom-svc", "sqs"]
    user_doc = iam.get_user(UserName=user)["User"]
    e = iam.get_service_last_accessed_details_with_entities(JobId=gjob, ServiceNamespace="sqs")
    assert e["JobStatus"] == "COMPLETED" and e["IsTruncated"] is False
    assert e["EntityDetailsList"] == [{"EntityInfo": {
        "Arn": user_doc["Arn"], "Name": user, "Type": "USER", "Id": user_doc["UserId"],
        "Path": "/"}}]
    assert iam.get_service_last_accessed_details_with_entities(
        JobId=gjob, ServiceNamespace="s3")["EntityDetailsList"] == []

    missing = "00000000-0000-4000-8000-000000000000"
    assert call_error(iam.get_service_last_accessed_details, JobId=missing) == (
        "NoSuchEntity", f"The job with id {missing} cannot be found.", 404)
    assert call_error(iam.generate_service_last_accessed_details,
                      Arn=iam_arn("user", "ghost-adv")) == (
        "NoSuchEntity", "The user with name ghost-adv cannot be found.", 404)
    assert call_error(raw_iam.generate_service_last_accessed_details, Arn=iam_arn("user", user),
                      Granularity="FINE")[0:2] == (
        "ValidationError", "1 validation error detected: Value 'FINE' at 'granularity' failed "
        "to satisfy constraint: Member must satisfy enum value set: [SERVICE_LEVEL, "
        "ACTION_LEVEL]")


def test_policy_report_lists_who_uses_it(iam):
    arn = iam.create_policy(PolicyName=unique("advpol"),
                            PolicyDocument=allow("dynamodb:GetItem"))["Policy"]["Arn"]
    role, group, member = unique("advr"), unique("advpg"), unique("advm")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust_policy())
    iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    iam.create_group(GroupName=group)
    iam.attach_group_policy(GroupName=group, PolicyArn=arn)
    iam.create_user(UserName=member)
    iam.add_user_to_group(GroupName=group, UserName=member)
    job = iam.generate_service_last_accessed_details(Arn=arn)["JobId"]
    assert [s["ServiceNamespace"] for s in iam.get_service_last_accessed_details(
        JobId=job)["ServicesLastAccessed"]] == ["dynamodb"]
    e = iam.get_service_last_accessed_details_with_entities(JobId=job,
                                                            ServiceNamespace="dynamodb")
    assert sorted((x["EntityInfo"]["Type"], x["EntityInfo"]["Name"])
                  for x in e["EntityDetailsList"]) == [("ROLE", role), ("USER", member)]


def test_organizations_access_report_outside_an_organization(iam, raw_iam):
    assert call_error(iam.generate_organizations_access_report,
                      EntityPath="o-a1b2c3d4e5/r-f6g7h8i9") == (
        "AWSOrganizationsNotInUseException", "Your account is not a member of an organization.",
        400)
    assert call_error(raw_iam.generate_organizations_access_report,
                      EntityPath="x-a1b2c3d4e5/r-f6g7h8i9")[0] == "ValidationError"
    missing = "00000000-0000-4000-8000-000000000000"
    assert call_error(iam.get_organizations_access_report, JobId=missing) == (
        "NoSuchEntity", f"The job with id {missing} cannot be found.", 404)


def test_list_policies_granting_service_access(iam):
    user, group = unique("lpg"), unique("lpgg")
    iam.create_user(UserName=user)
    iam.put_user_policy(UserName=user, PolicyName="reads", PolicyDocument=allow("s3:Get*"))
    iam.put_user_policy(UserName=user, PolicyName="denies", PolicyDocument=policy(
        statement("Deny", "s3:*")))
    iam.attach_user_policy(UserName=user, PolicyArn=IAM_READ_ONLY)
    iam.create_group(GroupName=group)
    iam.put_group_policy(GroupName=group, PolicyName="all-but-iam", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}))
    iam.add_user_to_group(GroupName=group, UserName=user)
    r = iam.list_policies_granting_service_access(Arn=iam_arn("user", user),
                                                  ServiceNamespaces=["s3", "iam", "ec2"])
    assert r["IsTruncated"] is False
    assert r["PoliciesGrantingServiceAccess"] == [
        {"ServiceNamespace": "s3", "Policies": [
            {"PolicyName": "reads", "PolicyType": "INLINE", "EntityType": "USER",
             "EntityName": user},
            {"PolicyName": "all-but-iam", "PolicyType": "INLINE", "EntityType": "GROUP",
             "EntityName": group}]},
        {"ServiceNamespace": "iam", "Policies": [
            {"PolicyName": "IAMReadOnlyAccess", "PolicyType": "MANAGED",
             "PolicyArn": IAM_READ_ONLY}]},
        {"ServiceNamespace": "ec2", "Policies": [
            {"PolicyName": "all-but-iam", "PolicyType": "INLINE", "EntityType": "GROUP",
             "EntityName": group}]}]
    assert call_error(iam.list_policies_granting_service_access, Arn=iam_arn("role", "ghost-r"),
                      ServiceNamespaces=["s3"]) == (
        "NoSuchEntity", "The role with name ghost-r cannot be found.", 404)


# -- context keys ---------------------------------------------------------------------------------

def test_context_keys_for_custom_and_principal_policies(iam, raw_iam):
    doc = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "dynamodb:*",
         "Resource": "arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}",
         "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {
            "StringEquals": {"s3:prefix": "${aws:PrincipalTag/team, 'none'}",
                             "AWS:CurrentTime": "x"},
            "ForAnyValue:StringLike": {"aws:TagKeys": "a*"}}}]})
    assert iam.get_context_keys_for_custom_policy(PolicyInputList=[doc])["ContextKeyNames"] == [
        "aws:username", "aws:CurrentTime", "s3:prefix", "aws:PrincipalTag/team", "aws:TagKeys"]
    legacy = json.dumps({"Statement": [{"Effect": "Allow", "Action": "s3:*",
                                        "Resource": "arn:aws:s3:::${aws:username}/*"}]})
    assert iam.get_context_keys_for_custom_policy(PolicyInputList=[legacy]).get(
        "ContextKeyNames", []) == []  # without Version 2012-10-17 there are no variables
    assert call_error(iam.get_context_keys_for_custom_policy, PolicyInputList=["{"]) == (
        "MalformedPolicyDocument", "Syntax errors in policy.", 400)
    user = unique("ckeys")
    iam.create_user(UserName=user)
    iam.put_user_policy(UserName=user, PolicyName="p", PolicyDocument=allow(
        "s3:*", "*", {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
    r = iam.get_context_keys_for_principal_policy(
        PolicySourceArn=iam_arn("user", user), PolicyInputList=[allow(
            "ec2:*", "*", {"Bool": {"aws:MultiFactorAuthPresent": "true"}})])
    assert r["ContextKeyNames"] == ["aws:SourceIp", "aws:MultiFactorAuthPresent"]
    assert call_error(iam.get_context_keys_for_principal_policy,
                      PolicySourceArn=iam_arn("user", "ghost-ck")) == (
        "NoSuchEntity", "The user with name ghost-ck cannot be found.", 404)


# -- simulation with a caller of another account --------------------------------------------------

def test_simulation_with_a_caller_of_another_account(iam):
    other = "arn:aws:iam::123456789012:user/visitor"
    r = iam.simulate_custom_policy(PolicyInputList=[allow("*")], ActionNames=["s3:GetObject"],
                                   ResourceArns=["arn:aws:s3:::bucket/key"], CallerArn=other)
    assert r["EvaluationResults"][0]["EvalDecision"] == "allowed"
    # With the resources owned by another account, identity policies alone do not allow.
    r = iam.simulate_custom_policy(PolicyInputList=[allow("*")], ActionNames=["s3:GetObject"],
                                   ResourceArns=["arn:aws:s3:::bucket/key"], CallerArn=other,
                                   ResourceOwner=f"arn:aws:iam::{DEFAULT_ACCOUNT}:root")
    assert r["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"
    r = iam.simulate_principal_policy(PolicySourceArn=iam_arn("user", "admin"),
                                      ActionNames=["iam:ListUsers"], CallerArn=other)
    assert r["EvaluationResults"][0]["EvalDecision"] == "allowed"
    deny = iam.simulate_custom_policy(PolicyInputList=[policy(statement("Deny", "s3:*"))],
                                      ActionNames=["s3:GetObject"], CallerArn=other)
    assert deny["EvaluationResults"][0]["EvalDecision"] == "explicitDeny"


# -- AccessDenied for each operation --------------------------------------------------------------

SLR = iam_arn("role", "AWSServiceRoleForElasticBeanstalk",
              "/aws-service-role/elasticbeanstalk.amazonaws.com/")
TASK = ("task/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk/"
        "00000000-0000-4000-8000-000000000000")
JOB = "00000000-0000-4000-8000-000000000000"
SAML = iam_arn("saml-provider", "deny-idp")
OIDC = iam_arn("oidc-provider", "deny.example.com")
TAGS = [{"Key": "k", "Value": "v"}]
OPERATIONS = [
    ("create_instance_profile", {"InstanceProfileName": "dp", "Path": "/x/"},
     profile_arn("dp", "/x/")),
    ("get_instance_profile", {"InstanceProfileName": "dp"}, profile_arn("dp")),
    ("delete_instance_profile", {"InstanceProfileName": "dp"}, profile_arn("dp")),
    ("list_instance_profiles", {}, iam_arn("instance-profile", "")),
    ("list_instance_profiles_for_role", {"RoleName": "dr"}, iam_arn("role", "dr")),
    ("add_role_to_instance_profile", {"InstanceProfileName": "dp", "RoleName": "dr"},
     profile_arn("dp")),
    ("remove_role_from_instance_profile", {"InstanceProfileName": "dp", "RoleName": "dr"},
     profile_arn("dp")),
    ("tag_instance_profile", {"InstanceProfileName": "dp", "Tags": TAGS}, profile_arn("dp")),
    ("untag_instance_profile", {"InstanceProfileName": "dp", "TagKeys": ["k"]},
     profile_arn("dp")),
    ("list_instance_profile_tags", {"InstanceProfileName": "dp"}, profile_arn("dp")),
    ("create_service_linked_role", {"AWSServiceName": "elasticbeanstalk.amazonaws.com"}, SLR),
    ("delete_service_linked_role", {"RoleName": "dr"}, iam_arn("role", "dr")),
    ("get_service_linked_role_deletion_status", {"DeletionTaskId": TASK}, SLR),
    ("create_account_alias", {"AccountAlias": "deny-alias"}, "*"),
    ("delete_account_alias", {"AccountAlias": "deny-alias"}, "*"),
    ("list_account_aliases", {}, "*"),
    ("get_account_summary", {}, "*"),
    ("set_security_token_service_preferences", {"GlobalEndpointTokenVersion": "v2Token"}, "*"),
    ("tag_saml_provider", {"SAMLProviderArn": SAML, "Tags": TAGS}, SAML),
    ("untag_saml_provider", {"SAMLProviderArn": SAML, "TagKeys": ["k"]}, SAML),
    ("list_saml_provider_tags", {"SAMLProviderArn": SAML}, SAML),
    ("tag_open_id_connect_provider", {"OpenIDConnectProviderArn": OIDC, "Tags": TAGS}, OIDC),
    ("untag_open_id_connect_provider", {"OpenIDConnectProviderArn": OIDC, "TagKeys": ["k"]},
     OIDC),
    ("list_open_id_connect_provider_tags", {"OpenIDConnectProviderArn": OIDC}, OIDC),
    ("generate_credential_report", {}, "*"),
    ("get_credential_report", {}, "*"),
    ("generate_service_last_accessed_details", {"Arn": iam_arn("user", "du")},
     iam_arn("user", "du")),
    ("get_service_last_accessed_details", {"JobId": JOB}, "*"),
    ("get_service_last_accessed_details_with_entities", {"JobId": JOB, "ServiceNamespace": "s3"},
     "*"),
    ("generate_organizations_access_report", {"EntityPath": "o-a1b2c3d4e5/r-f6g7"},
     f"arn:aws:iam::{DEFAULT_ACCOUNT}:access-report/o-a1b2c3d4e5/r-f6g7"),
    ("get_organizations_access_report", {"JobId": JOB}, "*"),
    ("list_policies_granting_service_access", {"Arn": iam_arn("user", "du"),
                                               "ServiceNamespaces": ["s3"]},
     iam_arn("user", "du")),
    ("get_context_keys_for_custom_policy", {"PolicyInputList": [allow("s3:*")]}, "*"),
    ("get_context_keys_for_principal_policy", {"PolicySourceArn": iam_arn("user", "du")},
     iam_arn("user", "du")),
]


@pytest.fixture(scope="module")
def denied(server, iam):
    """A user with an access key and no policy; the entities the operations name."""
    iam.create_user(UserName="du")
    iam.create_role(RoleName="dr", AssumeRolePolicyDocument=trust_policy())
    iam.create_instance_profile(InstanceProfileName="dp")
    _, key = create_user_with_key(iam, "account-nobody")
    return make_client("iam", server.endpoint, key["AccessKeyId"], key["SecretAccessKey"])


def _action(op: str) -> str:
    name = "".join(w.capitalize() for w in op.split("_"))
    return "iam:" + name.replace("Saml", "SAML").replace("OpenIdConnect", "OpenIDConnect")


@pytest.mark.parametrize("op,params,resource", OPERATIONS, ids=[o[0] for o in OPERATIONS])
def test_each_operation_is_denied_without_permission(denied, op, params, resource):
    assert call_error(getattr(denied, op), **params) == (
        "AccessDenied", access_denied("account-nobody", _action(op), resource), 403)


def test_denied_calls_change_nothing(iam, denied):
    for op, params, _ in OPERATIONS:
        call_error(getattr(denied, op), **params)
    assert call_error(iam.get_instance_profile, InstanceProfileName="x")[0] == "NoSuchEntity"
    p = iam.get_instance_profile(InstanceProfileName="dp")["InstanceProfile"]
    assert (p["Roles"], p.get("Tags")) == ([], None)
    assert iam.list_account_aliases()["AccountAliases"] == []
    assert call_error(iam.get_role, RoleName="AWSServiceRoleForElasticBeanstalk")[0] == \
        "NoSuchEntity"


# -- the aws CLI ----------------------------------------------------------------------------------

def test_aws_cli_instance_profile_and_summary(server, iam, tmp_path):
    name = unique("cli-prof")
    rc, out, err = aws_json(server, ["iam", "create-instance-profile",
                                     "--instance-profile-name", name], tmp_path)
    assert rc == 0, err
    assert out["InstanceProfile"]["Arn"] == profile_arn(name)
    rc, out, err = aws_json(server, ["iam", "get-account-summary"], tmp_path)
    assert rc == 0, err
    assert out["SummaryMap"]["InstanceProfiles"] == len(
        iam.list_instance_profiles()["InstanceProfiles"])


# -- persistence ----------------------------------------------------------------------------------

def test_restart_keeps_account_state(start_server, tmp_path):
    state = tmp_path / "persist"
    s1 = start_server(state_dir=state)
    iam = s1.client("iam")
    iam.create_role(RoleName="web", AssumeRolePolicyDocument=trust_policy())
    prof = iam.create_instance_profile(InstanceProfileName="web-prof",
                                       Tags=[{"Key": "t", "Value": "1"}])["InstanceProfile"]
    iam.add_role_to_instance_profile(InstanceProfileName="web-prof", RoleName="web")
    iam.create_account_alias(AccountAlias="kept-alias")
    iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v2Token")
    slr = iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")["Role"]
    task = iam.delete_service_linked_role(
        RoleName=iam.create_service_linked_role(AWSServiceName="rds.amazonaws.com")["Role"][
            "RoleName"])["DeletionTaskId"]
    saml = iam.create_saml_provider(Name="kept", SAMLMetadataDocument=IDP_METADATA.read_text())[
        "SAMLProviderArn"]
    iam.tag_saml_provider(SAMLProviderArn=saml, Tags=[{"Key": "s", "Value": "2"}])
    iam.generate_credential_report()
    report = iam.get_credential_report()
    job = iam.generate_service_last_accessed_details(Arn=iam_arn("user", "admin"))["JobId"]
    services = iam.get_service_last_accessed_details(JobId=job)["ServicesLastAccessed"]
    assert s1.terminate() == 0

    s2 = start_server(state_dir=state)
    iam = s2.client("iam")
    got = iam.get_instance_profile(InstanceProfileName="web-prof")["InstanceProfile"]
    assert (got["InstanceProfileId"], [r["RoleName"] for r in got["Roles"]], got["Tags"]) == (
        prof["InstanceProfileId"], ["web"], [{"Key": "t", "Value": "1"}])
    assert call_error(iam.delete_role, RoleName="web") == ROLE_IN_PROFILE
    assert iam.list_account_aliases()["AccountAliases"] == ["kept-alias"]
    assert iam.get_account_summary()["SummaryMap"]["GlobalEndpointTokenVersion"] == 2
    assert iam.get_role(RoleName="AWSServiceRoleForECS")["Role"]["RoleId"] == slr["RoleId"]
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == \
        "SUCCEEDED"
    assert iam.list_saml_provider_tags(SAMLProviderArn=saml)["Tags"] == [
        {"Key": "s", "Value": "2"}]
    again = iam.get_credential_report()
    assert (again["Content"], again["GeneratedTime"]) == (report["Content"],
                                                          report["GeneratedTime"])
    assert iam.get_service_last_accessed_details(JobId=job)["ServicesLastAccessed"] == services
