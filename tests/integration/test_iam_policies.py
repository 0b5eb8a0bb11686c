"""IAM policies through boto3 and the aws CLI: inline policies of users, groups and roles,
customer managed policies and their versions, attachments, permissions boundaries; the quotas,
DeleteConflict rules, MalformedPolicyDocument messages, and that a refused call changes nothing."""

from __future__ import annotations

import datetime
import itertools
import json
import re

import pytest

from portcullis_helpers import (unique, DEFAULT_ACCOUNT, allow, aws_json, call_error, iam_arn, policy,
                                statement, trust_policy)


ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"
IAM_READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"








def make_policy(iam, name=None, doc=None, **kw) -> dict:
    return iam.create_policy(PolicyName=name or unique("mp"),
                             PolicyDocument=doc or allow("s3:GetObject"), **kw)["Policy"]


def as_dict(doc: str) -> dict:
    return json.loads(doc)


# -- inline policies ------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["user", "group", "role"])
def test_inline_policy_lifecycle(iam, kind):
    name = unique(f"in-{kind}")
    Kind = kind.capitalize()
    if kind == "role":
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust_policy())
    else:
        getattr(iam, f"create_{kind}")(**{f"{Kind}Name": name})
    ent = {f"{Kind}Name": name}
    doc = allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::bucket/*")
    put = getattr(iam, f"put_{kind}_policy")(PolicyName="zeta", PolicyDocument=doc, **ent)
    assert set(put) == {"ResponseMetadata"}
    getattr(iam, f"put_{kind}_policy")(PolicyName="alpha", PolicyDocument=allow("sqs:*"), **ent)
    got = getattr(iam, f"get_{kind}_policy")(PolicyName="zeta", **ent)
    got.pop("ResponseMetadata")
    # boto3 decodes the URL-encoded document into a dict.
    assert got == {f"{Kind}Name": name, "PolicyName": "zeta", "PolicyDocument": as_dict(doc)}
    listed = getattr(iam, f"list_{kind}_policies")(**ent)
    assert (listed["PolicyNames"], listed["IsTruncated"]) == (["alpha", "zeta"], False)
    # Replacing keeps one policy of that name.
    getattr(iam, f"put_{kind}_policy")(PolicyName="zeta", PolicyDocument=allow("ec2:*"), **ent)
    assert getattr(iam, f"get_{kind}_policy")(PolicyName="zeta", **ent)["PolicyDocument"] == \
        as_dict(allow("ec2:*"))
    assert getattr(iam, f"list_{kind}_policies")(**ent)["PolicyNames"] == ["alpha", "zeta"]
    # Not deletable while it has inline policies.
    assert call_error(getattr(iam, f"delete_{kind}"), **ent) == (
        "DeleteConflict", "Cannot delete entity, must delete policies first.", 409)
    for p in ("alpha", "zeta"):
        getattr(iam, f"delete_{kind}_policy")(PolicyName=p, **ent)
    assert call_error(getattr(iam, f"get_{kind}_policy"), PolicyName="zeta", **ent) == (
        "NoSuchEntity", f"The {kind} policy with name zeta cannot be found.", 404)
    assert call_error(getattr(iam, f"delete_{kind}_policy"), PolicyName="zeta", **ent) == (
        "NoSuchEntity", f"The {kind} policy with name zeta cannot be found.", 404)
    getattr(iam, f"delete_{kind}")(**ent)


def test_inline_policy_on_missing_user(iam):
    assert call_error(iam.put_user_policy, UserName="ghost-user", PolicyName="p",
                      PolicyDocument=allow("s3:*")) == (
        "NoSuchEntity", "The user with name ghost-user cannot be found.", 404)


def test_inline_policy_names_paginate(iam):
    user = unique("inpg")
    iam.create_user(UserName=user)
    for n in ("c", "a", "b"):
        iam.put_user_policy(UserName=user, PolicyName=n, PolicyDocument=allow("s3:*"))
    r = iam.list_user_policies(UserName=user, MaxItems=2)
    assert (r["PolicyNames"], r["IsTruncated"]) == (["a", "b"], True)
    r = iam.list_user_policies(UserName=user, MaxItems=2, Marker=r["Marker"])
    assert (r["PolicyNames"], r["IsTruncated"]) == (["c"], False)


MALFORMED = [
    ("{not json", "Syntax errors in policy."),
    ('["a list"]', "Syntax errors in policy."),
    ('{"Version":"2012-10-17"}', "Syntax errors in policy."),
    ('{"Version":"2012-10-17","Statement":[],"Extra":1}', "Syntax errors in policy."),
    ('{"Version":"2012-10-18","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}',
     "The policy must contain a valid version string"),
    ('{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"s3:*","Resource":"*"}]}',
     "Invalid effect: Maybe"),
    ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}',
     "Policy statement must contain actions."),
    ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}',
     "Policy statement must contain resources."),
    ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"GetObject","Resource":"*"}]}',
     "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."),
    ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"bucket"}]}',
     'Resource bucket must be in ARN format or "*".'),
    ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*",'
     '"Principal":{"AWS":"000000000000"}}]}',
     "Policy document should not specify a principal."),
    ('{"Version":"2012-10-17","Statement":[{"Sid":"a-b","Effect":"Allow","Action":"s3:*",'
     '"Resource":"*"}]}',
     "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular "
     "expression [0-9A-Za-z]*"),
    ('{"Version":"2012-10-17","Statement":[{"Sid":"a","Effect":"Allow","Action":"s3:*",'
     '"Resource":"*"},{"Sid":"a","Effect":"Deny","Action":"s3:*","Resource":"*"}]}',
     "Statement IDs (SID) in a single policy must be unique."),
    ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*",'
     '"Condition":{"StringEqualz":{"aws:username":"x"}}}]}',
     "Invalid Condition type : StringEqualz."),
    ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*",'
     '"Condition":{"NumericLessThan":{"s3:max-keys":"ten"}}}]}',
     "Invalid value for Condition operator NumericLessThan on key s3:max-keys: 'ten'"),
]


@pytest.mark.parametrize("doc,message", MALFORMED, ids=[m for _, m in MALFORMED])
def test_malformed_inline_policy_keeps_old_document(iam, doc, message):
    user = unique("mal")
    iam.create_user(UserName=user)
    iam.put_user_policy(UserName=user, PolicyName="p", PolicyDocument=allow("s3:GetObject"))
    assert call_error(iam.put_user_policy, UserName=user, PolicyName="p", PolicyDocument=doc) == (
        "MalformedPolicyDocument", message, 400)
    assert call_error(iam.put_user_policy, UserName=user, PolicyName="q", PolicyDocument=doc) == (
        "MalformedPolicyDocument", message, 400)
    assert iam.get_user_policy(UserName=user, PolicyName="p")["PolicyDocument"] == \
        as_dict(allow("s3:GetObject"))
    assert iam.list_user_policies(UserName=user)["PolicyNames"] == ["p"]


def test_malformed_managed_policy_creates_nothing(iam):
    name = unique("malmp")
    doc = policy(statement("Allow", "s3:*", Principal={"AWS": "*"}))
    assert call_error(iam.create_policy, PolicyName=name, PolicyDocument=doc) == (
        "MalformedPolicyDocument", "Policy document should not specify a principal.", 400)
    assert call_error(iam.get_policy, PolicyArn=iam_arn("policy", name))[0] == "NoSuchEntity"


def test_inline_policy_size_quota_for_users(iam):
    user = unique("quota")
    iam.create_user(UserName=user)
    # Padding with white space does not count against the quota.
    base = allow("s3:GetObject", "arn:aws:s3:::b/")
    spaced = base.replace(",", " " * 800 + ",")
    assert len(spaced) > 2048
    iam.put_user_policy(UserName=user, PolicyName="spaced", PolicyDocument=spaced)
    # The quota counts every inline policy of the user together.
    def sized(n: int) -> str:
        doc = allow("s3:GetObject", "arn:aws:s3:::b/x")
        fill = n - len(doc.replace(" ", ""))
        return allow("s3:GetObject", "arn:aws:s3:::b/" + "x" * (fill + 1))
    used = len(spaced.replace(" ", ""))
    fits = sized(2048 - used)
    assert len(fits.replace(" ", "")) + used == 2048
    iam.put_user_policy(UserName=user, PolicyName="fits", PolicyDocument=fits)
    too_big = sized(2048 - used + 1)
    assert call_error(iam.put_user_policy, UserName=user, PolicyName="fits",
                      PolicyDocument=too_big) == (
        "LimitExceeded", f"Maximum policy size of 2048 bytes exceeded for user {user}", 409)
    assert iam.get_user_policy(UserName=user, PolicyName="fits")["PolicyDocument"] == as_dict(fits)
    assert call_error(iam.put_user_policy, UserName=user, PolicyName="more",
                      PolicyDocument=allow("s3:*"))[0] == "LimitExceeded"
    assert iam.list_user_policies(UserName=user)["PolicyNames"] == ["fits", "spaced"]


def test_inline_policy_quota_is_larger_for_roles(iam):
    role = unique("bigrole")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust_policy())
    doc = allow("s3:GetObject", "arn:aws:s3:::b/" + "x" * 3000)
    iam.put_role_policy(RoleName=role, PolicyName="big", PolicyDocument=doc)
    huge = allow("s3:GetObject", "arn:aws:s3:::b/" + "x" * 10240)
    assert call_error(iam.put_role_policy, RoleName=role, PolicyName="huge",
                      PolicyDocument=huge) == (
        "LimitExceeded", f"Maximum policy size of 10240 bytes exceeded for role {role}", 409)


def test_bad_policy_name(iam):
    user = unique("pn")
    iam.create_user(UserName=user)
    assert call_error(iam.put_user_policy, UserName=user, PolicyName="bad name!",
                      PolicyDocument=allow("s3:*")) == (
        "ValidationError", "1 validation error detected: Value 'bad name!' at 'policyName' failed "
                           r"to satisfy constraint: Member must satisfy regular expression "
                           r"pattern: [\w+=,.@-]+", 400)
    assert iam.list_user_policies(UserName=user)["PolicyNames"] == []


# -- managed policies -----------------------------------------------------------------------------

def test_create_policy_shape(iam):
    name = unique("shape")
    doc = allow("s3:ListBucket", "arn:aws:s3:::b")
    p = iam.create_policy(PolicyName=name, PolicyDocument=doc, Path="/team/",
                          Description="reads b")["Policy"]
    assert set(p) == {"PolicyName", "PolicyId", "Arn", "Path", "DefaultVersionId",
                      "AttachmentCount", "PermissionsBoundaryUsageCount", "IsAttachable",
                      "Description", "CreateDate", "UpdateDate"}
    assert re.fullmatch(r"ANPA[A-Z2-7]{17}", p["PolicyId"]), p["PolicyId"]
    assert p["Arn"] == f"arn:aws:iam::{DEFAULT_ACCOUNT}:policy/team/{name}"
    assert (p["Path"], p["DefaultVersionId"], p["AttachmentCount"],
            p["PermissionsBoundaryUsageCount"], p["IsAttachable"], p["Description"]) == \
        ("/team/", "v1", 0, 0, True, "reads b")
    assert isinstance(p["CreateDate"], datetime.datetime)
    assert iam.get_policy(PolicyArn=p["Arn"])["Policy"] == p
    v = iam.get_policy_version(PolicyArn=p["Arn"], VersionId="v1")["PolicyVersion"]
    assert v["Document"] == as_dict(doc)
    assert (v["VersionId"], v["IsDefaultVersion"]) == ("v1", True)
    assert isinstance(v["CreateDate"], datetime.datetime)


def test_duplicate_policy_name(iam):
    name = unique("dup")
    make_policy(iam, name)
    assert call_error(iam.create_policy, PolicyName=name.upper(),
                      PolicyDocument=allow("s3:*"), Path="/other/") == (
        "EntityAlreadyExists",
        f"A policy called {name.upper()} already exists. Duplicate names are not allowed.", 409)


def test_missing_policy(iam):
    arn = iam_arn("policy", "nope")
    assert call_error(iam.get_policy, PolicyArn=arn) == (
        "NoSuchEntity", f"Policy {arn} does not exist or is not attachable.", 404)
    assert call_error(iam.delete_policy, PolicyArn=arn)[0] == "NoSuchEntity"


def test_aws_managed_policy_is_readable(iam):
    p = iam.get_policy(PolicyArn=IAM_READ_ONLY)["Policy"]
    assert (p["PolicyName"], p["Arn"], p["DefaultVersionId"]) == ("IAMReadOnlyAccess",
                                                                  IAM_READ_ONLY, "v1")
    doc = iam.get_policy_version(PolicyArn=IAM_READ_ONLY, VersionId="v1")["PolicyVersion"]
    assert "iam:Get*" in doc["Document"]["Statement"][0]["Action"]
    assert call_error(iam.delete_policy, PolicyArn=IAM_READ_ONLY)[0] == "InvalidInput"


def test_list_policies_scope_and_filters(iam):
    mine = make_policy(iam, unique("lp"), Path="/listing/")
    local = iam.list_policies(Scope="Local", PathPrefix="/listing/")["Policies"]
    assert [p["PolicyName"] for p in local] == [mine["PolicyName"]]
    assert set(local[0]) == {"PolicyName", "PolicyId", "Arn", "Path", "DefaultVersionId",
                             "AttachmentCount", "PermissionsBoundaryUsageCount", "IsAttachable",
                             "CreateDate", "UpdateDate"}
    aws = iam.list_policies(Scope="AWS", MaxItems=1000)["Policies"]
    assert ADMIN_POLICY in [p["Arn"] for p in aws]
    assert all(p["Arn"].startswith("arn:aws:iam::aws:policy/") for p in aws)
    attached = iam.list_policies(OnlyAttached=True, MaxItems=1000)["Policies"]
    assert ADMIN_POLICY in [p["Arn"] for p in attached]  # the admin's
    assert mine["Arn"] not in [p["Arn"] for p in attached]
    code, message, status = call_error(iam.list_policies, Scope="Everything")
    assert (code, status) == ("ValidationError", 400)
    assert message == ("1 validation error detected: Value 'Everything' at 'scope' failed to "
                       "satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]")


def test_list_policies_paginates_every_policy_once(iam):
    """Following the markers visits every policy, AWS managed and customer managed, once."""
    mine = {make_policy(iam, f"pgpol{i}")["Arn"] for i in range(3)}
    everything = {p["Arn"] for p in iam.list_policies(MaxItems=1000)["Policies"]}
    assert mine <= everything
    seen, marker = [], None
    for _ in range(len(everything) + 5):
        kw = {"Marker": marker} if marker else {}
        r = iam.list_policies(MaxItems=2, **kw)
        seen += [p["Arn"] for p in r["Policies"]]
        if not r["IsTruncated"]:
            break
        marker = r["Marker"]
    assert len(seen) == len(set(seen)), f"repeated while paging: {seen}"
    assert set(seen) == everything, f"missed while paging: {everything - set(seen)}"


# -- versions -------------------------------------------------------------------------------------

def test_policy_versions(iam):
    p = make_policy(iam, unique("ver"))
    arn = p["Arn"]
    v2 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow("s3:PutObject"))
    assert set(v2) == {"PolicyVersion", "ResponseMetadata"}
    assert set(v2["PolicyVersion"]) == {"VersionId", "IsDefaultVersion", "CreateDate"}
    assert (v2["PolicyVersion"]["VersionId"], v2["PolicyVersion"]["IsDefaultVersion"]) == \
        ("v2", False)
    v3 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow("s3:DeleteObject"),
                                   SetAsDefault=True)["PolicyVersion"]
    assert (v3["VersionId"], v3["IsDefaultVersion"]) == ("v3", True)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v3"
    versions = iam.list_policy_versions(PolicyArn=arn)
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in versions["Versions"]] == \
        [("v3", True), ("v2", False), ("v1", False)]
    assert versions["IsTruncated"] is False
    got = iam.get_policy_version(PolicyArn=arn, VersionId="v2")["PolicyVersion"]
    assert got["Document"] == as_dict(allow("s3:PutObject"))
    assert got["IsDefaultVersion"] is False
    # The default cannot be deleted; others can, and their ids are not reused.
    assert call_error(iam.delete_policy_version, PolicyArn=arn, VersionId="v3") == (
        "DeleteConflict", "Cannot delete the default version of a policy.", 409)
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v1"
    iam.delete_policy_version(PolicyArn=arn, VersionId="v3")
    v4 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow("s3:*"))["PolicyVersion"]
    assert v4["VersionId"] == "v4"
    assert call_error(iam.get_policy_version, PolicyArn=arn, VersionId="v3") == (
        "NoSuchEntity", f"Policy {arn} version v3 does not exist.", 404)
    assert call_error(iam.set_default_policy_version, PolicyArn=arn, VersionId="v9") == (
        "NoSuchEntity", f"Policy {arn} version v9 does not exist.", 404)


def test_list_policy_versions_paginate(iam):
    arn = make_policy(iam, unique("verpg"))["Arn"]
    for i in range(3):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow(f"s3:Get{i}"))
    seen, marker = [], None
    for _ in range(10):
        kw = {"Marker": marker} if marker else {}
        r = iam.list_policy_versions(PolicyArn=arn, MaxItems=1, **kw)
        seen += [v["VersionId"] for v in r["Versions"]]
        if not r["IsTruncated"]:
            break
        marker = r["Marker"]
    assert seen == ["v4", "v3", "v2", "v1"]


def test_sixth_version_is_refused(iam):
    arn = make_policy(iam, unique("five"))["Arn"]
    for i in range(4):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow(f"s3:Get{i}"))
    assert call_error(iam.create_policy_version, PolicyArn=arn, PolicyDocument=allow("s3:*"),
                      SetAsDefault=True) == (
        "LimitExceeded", "A managed policy can have up to 5 versions. Before you create a new "
                         "version, you must delete an existing version.", 409)
    assert len(iam.list_policy_versions(PolicyArn=arn)["Versions"]) == 5
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v1"


def test_malformed_version_keeps_policy(iam):
    arn = make_policy(iam, unique("malver"))["Arn"]
    assert call_error(iam.create_policy_version, PolicyArn=arn, PolicyDocument="{",
                      SetAsDefault=True) == ("MalformedPolicyDocument", "Syntax errors in policy.",
                                             400)
    assert [v["VersionId"] for v in iam.list_policy_versions(PolicyArn=arn)["Versions"]] == ["v1"]


def test_managed_policy_size_quota(iam):
    name = unique("huge")
    doc = allow("s3:GetObject", "arn:aws:s3:::b/" + "x" * 6144)
    assert call_error(iam.create_policy, PolicyName=name, PolicyDocument=doc) == (
        "LimitExceeded", "Cannot exceed quota for PolicySize: 6144", 409)
    assert call_error(iam.get_policy, PolicyArn=iam_arn("policy", name))[0] == "NoSuchEntity"


def test_delete_policy_with_versions_or_attachments(iam):
    arn = make_policy(iam, unique("del"))["Arn"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow("s3:*"))
    assert call_error(iam.delete_policy, PolicyArn=arn) == (
        "DeleteConflict", "This policy has more than one version. Before you delete a policy, you "
                          "must delete the policy's versions. The default version is deleted "
                          "with the policy.", 409)
    iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
    user = unique("att")
    iam.create_user(UserName=user)
    iam.attach_user_policy(UserName=user, PolicyArn=arn)
    assert call_error(iam.delete_policy, PolicyArn=arn) == (
        "DeleteConflict", "Cannot delete a policy attached to entities.", 409)
    iam.detach_user_policy(UserName=user, PolicyArn=arn)
    assert set(iam.delete_policy(PolicyArn=arn)) == {"ResponseMetadata"}
    assert call_error(iam.get_policy, PolicyArn=arn)[0] == "NoSuchEntity"


def test_policy_tags(iam):
    arn = make_policy(iam, unique("tagp"), Tags=[{"Key": "owner", "Value": "me"}])["Arn"]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["Tags"] == [{"Key": "owner", "Value": "me"}]
    iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "env", "Value": "dev"}])
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [{"Key": "owner", "Value": "me"},
                                                           {"Key": "env", "Value": "dev"}]
    iam.untag_policy(PolicyArn=arn, TagKeys=["owner"])
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [{"Key": "env", "Value": "dev"}]


# -- attachments ----------------------------------------------------------------------------------

def test_attach_to_user_group_role(iam):
    p = make_policy(iam, unique("attach"))
    user, group, role = unique("au"), unique("ag"), unique("ar")
    iam.create_user(UserName=user)
    iam.create_group(GroupName=group)
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust_policy())
    assert set(iam.attach_user_policy(UserName=user, PolicyArn=p["Arn"])) == {"ResponseMetadata"}
    iam.attach_user_policy(UserName=user, PolicyArn=p["Arn"])  # twice: no error, no duplicate
    iam.attach_group_policy(GroupName=group, PolicyArn=p["Arn"])
    iam.attach_role_policy(RoleName=role, PolicyArn=p["Arn"])
    iam.attach_role_policy(RoleName=role, PolicyArn=IAM_READ_ONLY)
    expected = {"PolicyName": p["PolicyName"], "PolicyArn": p["Arn"]}
    r = iam.list_attached_user_policies(UserName=user)
    assert (r["AttachedPolicies"], r["IsTruncated"]) == ([expected], False)
    assert iam.list_attached_group_policies(GroupName=group)["AttachedPolicies"] == [expected]
    assert iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"] == [
        expected, {"PolicyName": "IAMReadOnlyAccess", "PolicyArn": IAM_READ_ONLY}]
    assert iam.get_policy(PolicyArn=p["Arn"])["Policy"]["AttachmentCount"] == 3
    ents = iam.list_entities_for_policy(PolicyArn=p["Arn"])
    assert [u["UserName"] for u in ents["PolicyUsers"]] == [user]
    assert [g["GroupName"] for g in ents["PolicyGroups"]] == [group]
    assert [r["RoleName"] for r in ents["PolicyRoles"]] == [role]
    assert ents["PolicyRoles"][0]["RoleId"].startswith("AROA")
    only_users = iam.list_entities_for_policy(PolicyArn=p["Arn"], EntityFilter="User")
    assert (len(only_users["PolicyUsers"]), only_users["PolicyGroups"],
            only_users["PolicyRoles"]) == (1, [], [])
    # Attached policies block deleting the entity.
    for fn, kw in ((iam.delete_user, {"UserName": user}), (iam.delete_group, {"GroupName": group}),
                   (iam.delete_role, {"RoleName": role})):
        assert call_error(fn, **kw) == (
            "DeleteConflict", "Cannot delete entity, must detach all policies first.", 409)
    iam.detach_user_policy(UserName=user, PolicyArn=p["Arn"])
    iam.detach_group_policy(GroupName=group, PolicyArn=p["Arn"])
    iam.detach_role_policy(RoleName=role, PolicyArn=p["Arn"])
    iam.detach_role_policy(RoleName=role, PolicyArn=IAM_READ_ONLY)
    assert iam.get_policy(PolicyArn=p["Arn"])["Policy"]["AttachmentCount"] == 0
    iam.delete_user(UserName=user)
    iam.delete_group(GroupName=group)
    iam.delete_role(RoleName=role)


def test_attach_errors(iam):
    user = unique("ae")
    iam.create_user(UserName=user)
    missing = iam_arn("policy", "not-there")
    assert call_error(iam.attach_user_policy, UserName=user, PolicyArn=missing) == (
        "NoSuchEntity", f"Policy {missing} does not exist or is not attachable.", 404)
    assert call_error(iam.attach_user_policy, UserName=user,
                      PolicyArn="arn:aws:iam::aws:policy/NoSuchAwsPolicy") == (
        "NoSuchEntity", "Policy arn:aws:iam::aws:policy/NoSuchAwsPolicy does not exist or is not "
                        "attachable.", 404)
    assert call_error(iam.detach_user_policy, UserName=user, PolicyArn=IAM_READ_ONLY) == (
        "NoSuchEntity", f"Policy {IAM_READ_ONLY} was not found.", 404)
    assert call_error(iam.attach_user_policy, UserName="ghost-att", PolicyArn=IAM_READ_ONLY) == (
        "NoSuchEntity", "The user with name ghost-att cannot be found.", 404)
    assert iam.list_attached_user_policies(UserName=user)["AttachedPolicies"] == []


def test_eleventh_attached_policy_is_refused(iam):
    user = unique("ten")
    iam.create_user(UserName=user)
    arns = [make_policy(iam, f"{user}-p{i}")["Arn"] for i in range(11)]
    for arn in arns[:10]:
        iam.attach_user_policy(UserName=user, PolicyArn=arn)
    assert call_error(iam.attach_user_policy, UserName=user, PolicyArn=arns[10]) == (
        "LimitExceeded", "Cannot exceed quota for PoliciesPerUser: 10", 409)
    attached = iam.list_attached_user_policies(UserName=user)["AttachedPolicies"]
    assert [a["PolicyArn"] for a in attached] == arns[:10]
    # Re-attaching one already attached is still fine at the quota.
    iam.attach_user_policy(UserName=user, PolicyArn=arns[0])


def test_list_attached_policies_paginates_every_policy_once(iam):
    """Attachment order is not ARN order; following the markers still visits each once."""
    user = unique("attpg")
    iam.create_user(UserName=user)
    mine = make_policy(iam, unique("attpg-p"))["Arn"]
    order = ["arn:aws:iam::aws:policy/IAMFullAccess", mine, ADMIN_POLICY]
    for arn in order:
        iam.attach_user_policy(UserName=user, PolicyArn=arn)
    seen, marker = [], None
    for _ in range(6):
        kw = {"Marker": marker} if marker else {}
        r = iam.list_attached_user_policies(UserName=user, MaxItems=1, **kw)
        seen += [a["PolicyArn"] for a in r["AttachedPolicies"]]
        if not r["IsTruncated"]:
            break
        marker = r["Marker"]
    assert len(seen) == 3, f"attached policies seen while paging: {seen}"
    assert sorted(seen) == sorted(order)


def test_list_attached_path_prefix(iam):
    user = unique("attpp")
    iam.create_user(UserName=user)
    a = make_policy(iam, unique("ppa"), Path="/special/")
    b = make_policy(iam, unique("ppb"))
    iam.attach_user_policy(UserName=user, PolicyArn=a["Arn"])
    iam.attach_user_policy(UserName=user, PolicyArn=b["Arn"])
    r = iam.list_attached_user_policies(UserName=user, PathPrefix="/special/")
    assert r["AttachedPolicies"] == [{"PolicyName": a["PolicyName"], "PolicyArn": a["Arn"]}]


# -- permissions boundaries -----------------------------------------------------------------------

def test_user_permissions_boundary(iam):
    p = make_policy(iam, unique("bound"))
    user = unique("bu")
    iam.create_user(UserName=user)
    assert set(iam.put_user_permissions_boundary(UserName=user, PermissionsBoundary=p["Arn"])) == \
        {"ResponseMetadata"}
    got = iam.get_user(UserName=user)["User"]
    assert got["PermissionsBoundary"] == {"PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                                          "PermissionsBoundaryArn": p["Arn"]}
    pol = iam.get_policy(PolicyArn=p["Arn"])["Policy"]
    assert (pol["PermissionsBoundaryUsageCount"], pol["AttachmentCount"]) == (1, 0)
    # A boundary is not an attachment, but still blocks deleting the policy.
    assert iam.list_attached_user_policies(UserName=user)["AttachedPolicies"] == []
    assert call_error(iam.delete_policy, PolicyArn=p["Arn"]) == (
        "DeleteConflict", "Cannot delete a policy attached to entities.", 409)
    iam.delete_user_permissions_boundary(UserName=user)
    assert "PermissionsBoundary" not in iam.get_user(UserName=user)["User"]
    iam.delete_policy(PolicyArn=p["Arn"])


def test_boundary_at_creation_and_on_roles(iam):
    user, role = unique("bcu"), unique("bcr")
    u = iam.create_user(UserName=user, PermissionsBoundary=IAM_READ_ONLY)["User"]
    assert u["PermissionsBoundary"]["PermissionsBoundaryArn"] == IAM_READ_ONLY
    r = iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust_policy(),
                        PermissionsBoundary=IAM_READ_ONLY)["Role"]
    assert r["PermissionsBoundary"] == {"PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                                        "PermissionsBoundaryArn": IAM_READ_ONLY}
    iam.delete_role_permissions_boundary(RoleName=role)
    assert "PermissionsBoundary" not in iam.get_role(RoleName=role)["Role"]
    iam.put_role_permissions_boundary(RoleName=role, PermissionsBoundary=IAM_READ_ONLY)
    assert iam.get_role(RoleName=role)["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"] \
        == IAM_READ_ONLY


def test_missing_boundary_policy(iam):
    user = unique("bm")
    arn = iam_arn("policy", "no-boundary")
    assert call_error(iam.create_user, UserName=user, PermissionsBoundary=arn) == (
        "NoSuchEntity", f"Scope ARN: {arn} does not exist or is not attachable.", 404)
    assert call_error(iam.get_user, UserName=user)[0] == "NoSuchEntity"
    iam.create_user(UserName=user)
    assert call_error(iam.put_user_permissions_boundary, UserName=user,
                      PermissionsBoundary=arn)[0] == "NoSuchEntity"
    assert "PermissionsBoundary" not in iam.get_user(UserName=user)["User"]


# -- DeleteConflict for users -----------------------------------------------------------------------

def test_delete_user_with_access_key(iam):
    user = unique("dk")
    iam.create_user(UserName=user)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    assert call_error(iam.delete_user, UserName=user) == (
        "DeleteConflict", "Cannot delete entity, must delete access keys first.", 409)
    iam.delete_access_key(UserName=user, AccessKeyId=key["AccessKeyId"])
    iam.delete_user(UserName=user)


# -- aws CLI --------------------------------------------------------------------------------------

def test_aws_cli_managed_policy(server, tmp_path):
    name = unique("clipol")
    doc = tmp_path / "p.json"
    doc.write_text(allow("s3:GetObject", "arn:aws:s3:::b/*"))
    rc, out, err = aws_json(server, ["iam", "create-policy", "--policy-name", name,
                                     "--policy-document", f"file://{doc}"], tmp_path)
    assert rc == 0, err
    arn = out["Policy"]["Arn"]
    assert arn == iam_arn("policy", name)
    assert out["Policy"]["PolicyId"].startswith("ANPA")
    rc, out, err = aws_json(server, ["iam", "get-policy-version", "--policy-arn", arn,
                                     "--version-id", "v1"], tmp_path)
    assert rc == 0, err
    assert out["PolicyVersion"]["Document"] == json.loads(doc.read_text())
    assert out["PolicyVersion"]["IsDefaultVersion"] is True
