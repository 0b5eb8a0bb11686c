"""IAM users, groups and roles through boto3 and the aws CLI: create/get/list/update/delete,
the exact shapes boto3 parses, AWS's error codes and messages, validation, pagination, path
prefixes, tags and group membership."""

from __future__ import annotations

import datetime
import itertools
import re

import pytest

from portcullis_helpers import (unique, ADMIN_ARN, DEFAULT_ACCOUNT, allow, aws_json, call_error, iam_arn,
                                trust_policy)









def assert_recent(when: datetime.datetime) -> None:
    assert isinstance(when, datetime.datetime)
    assert when.tzinfo is not None
    now = datetime.datetime.now(datetime.timezone.utc)
    assert abs((now - when).total_seconds()) < 120, when


def validation(value: str, member: str, constraint: str) -> str:
    return (f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
            f"constraint: {constraint}")


NAME_PATTERN = r"Member must satisfy regular expression pattern: [\w+=,.@-]+"
PATH_PATTERN = (r"Member must satisfy regular expression pattern: "
                r"(\u002F)|(\u002F[\u0021-\u007E]+\u002F)")


# -- users ----------------------------------------------------------------------------------------

def test_create_user_shape(iam):
    name = unique("shape")
    r = iam.create_user(UserName=name)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    user = r["User"]
    assert set(user) == {"Path", "UserName", "UserId", "Arn", "CreateDate"}
    assert user["Path"] == "/"
    assert user["UserName"] == name
    assert re.fullmatch(r"AIDA[A-Z2-7]{17}", user["UserId"]), user["UserId"]
    assert user["Arn"] == f"arn:aws:iam::{DEFAULT_ACCOUNT}:user/{name}"
    assert_recent(user["CreateDate"])
    got = iam.get_user(UserName=name)["User"]
    assert got == user


def test_create_user_with_path_and_tags(iam):
    name = unique("tagged")
    tags = [{"Key": "team", "Value": "blue"}, {"Key": "cost", "Value": ""}]
    user = iam.create_user(UserName=name, Path="/eng/dev/", Tags=tags)["User"]
    assert user["Path"] == "/eng/dev/"
    assert user["Arn"] == iam_arn("user", name, "/eng/dev/")
    assert user["Tags"] == tags
    assert iam.get_user(UserName=name)["User"]["Tags"] == tags
    assert iam.list_user_tags(UserName=name)["Tags"] == tags
    # Lists leave tags out.
    listed = [u for u in iam.list_users(PathPrefix="/eng/dev/")["Users"] if u["UserName"] == name]
    assert len(listed) == 1 and "Tags" not in listed[0]


def test_user_ids_are_unique(iam):
    ids = {iam.create_user(UserName=unique("uid"))["User"]["UserId"] for _ in range(3)}
    assert len(ids) == 3


def test_user_names_are_case_insensitive(iam):
    name = unique("bob")
    iam.create_user(UserName=name)
    assert call_error(iam.create_user, UserName=name.upper()) == (
        "EntityAlreadyExists", f"User with name {name.upper()} already exists.", 409)
    assert call_error(iam.create_user, UserName=name) == (
        "EntityAlreadyExists", f"User with name {name} already exists.", 409)
    # Found under any case; keeps the case it was created with.
    assert iam.get_user(UserName=name.upper())["User"]["UserName"] == name


def test_get_user_without_name_is_the_caller(iam):
    user = iam.get_user()["User"]
    assert user["UserName"] == "admin"
    assert user["Arn"] == ADMIN_ARN
    assert user["UserId"].startswith("AIDA")


def test_admin_has_administrator_access_attached(iam):
    r = iam.list_attached_user_policies(UserName="admin")
    assert r["AttachedPolicies"] == [{"PolicyName": "AdministratorAccess",
                                      "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}]
    assert r["IsTruncated"] is False
    entities = iam.list_entities_for_policy(PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    assert {"UserName": "admin", "UserId": iam.get_user()["User"]["UserId"]} in entities["PolicyUsers"]


def test_get_missing_user(iam):
    assert call_error(iam.get_user, UserName="nobody-here") == (
        "NoSuchEntity", "The user with name nobody-here cannot be found.", 404)


def test_delete_missing_user(iam):
    assert call_error(iam.delete_user, UserName="nobody-here") == (
        "NoSuchEntity", "The user with name nobody-here cannot be found.", 404)


def test_delete_user(iam):
    name = unique("gone")
    iam.create_user(UserName=name)
    r = iam.delete_user(UserName=name)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert set(r) == {"ResponseMetadata"}
    assert call_error(iam.get_user, UserName=name)[0] == "NoSuchEntity"
    # The name is free again.
    iam.create_user(UserName=name)


@pytest.mark.parametrize("name", ["bad name!", "a/b", "tab\tname", "caf\u00e9"])
def test_bad_user_name(iam, name):
    assert call_error(iam.create_user, UserName=name) == (
        "ValidationError", validation(name, "userName", NAME_PATTERN), 400)
    assert call_error(iam.get_user, UserName=name)[0] == "ValidationError"


def test_user_name_length_limits(iam, raw_iam):
    ok = "u" * 64
    assert iam.create_user(UserName=ok)["User"]["UserName"] == ok
    long = "u" * 65
    assert call_error(iam.create_user, UserName=long) == (
        "ValidationError",
        validation(long, "userName", "Member must have length less than or equal to 64"), 400)
    assert call_error(raw_iam.create_user, UserName="") == (
        "ValidationError",
        validation("", "userName", "Member must have length greater than or equal to 1"), 400)


def test_missing_user_name(raw_iam):
    assert call_error(raw_iam.create_user) == (
        "ValidationError", "1 validation error detected: Value null at 'userName' failed to "
                           "satisfy constraint: Member must not be null", 400)


@pytest.mark.parametrize("path", ["no-slashes", "/no-trailing", "no-leading/", "/sp ace/"])
def test_bad_path(iam, path):
    name = unique("badpath")
    assert call_error(iam.create_user, UserName=name, Path=path) == (
        "ValidationError", validation(path, "path", PATH_PATTERN), 400)
    assert call_error(iam.get_user, UserName=name)[0] == "NoSuchEntity"


def test_path_too_long(iam):
    path = "/" + "p" * 511 + "/"
    assert call_error(iam.create_user, UserName=unique("lp"), Path=path) == (
        "ValidationError",
        validation(path, "path", "Member must have length less than or equal to 512"), 400)


def test_update_user_rename_and_path(iam):
    old, new = unique("before"), unique("after")
    iam.create_user(UserName=old)
    iam.put_user_policy(UserName=old, PolicyName="keep", PolicyDocument=allow("s3:GetObject"))
    key = iam.create_access_key(UserName=old)["AccessKey"]
    r = iam.update_user(UserName=old, NewUserName=new, NewPath="/moved/")
    assert set(r) == {"ResponseMetadata"}
    assert call_error(iam.get_user, UserName=old)[0] == "NoSuchEntity"
    user = iam.get_user(UserName=new)["User"]
    assert (user["UserName"], user["Path"], user["Arn"]) == (new, "/moved/",
                                                              iam_arn("user", new, "/moved/"))
    # What the user had follows the rename.
    assert iam.list_user_policies(UserName=new)["PolicyNames"] == ["keep"]
    keys = iam.list_access_keys(UserName=new)["AccessKeyMetadata"]
    assert [(k["AccessKeyId"], k["UserName"]) for k in keys] == [(key["AccessKeyId"], new)]


def test_update_user_to_existing_name(iam):
    a, b = unique("ua"), unique("ub")
    iam.create_user(UserName=a)
    iam.create_user(UserName=b)
    assert call_error(iam.update_user, UserName=a, NewUserName=b.upper()) == (
        "EntityAlreadyExists", f"User with name {b.upper()} already exists.", 409)
    assert iam.get_user(UserName=a)["User"]["UserName"] == a


# -- pagination and path prefixes -------------------------------------------------------------

def test_list_users_pagination(iam):
    names = [f"pg{i}" for i in range(5)]
    for n in names:
        iam.create_user(UserName=n, Path="/paged/")
    seen, marker, pages = [], None, 0
    while True:
        kw = {"Marker": marker} if marker else {}
        r = iam.list_users(PathPrefix="/paged/", MaxItems=2, **kw)
        pages += 1
        assert len(r["Users"]) <= 2
        seen += [u["UserName"] for u in r["Users"]]
        if not r["IsTruncated"]:
            assert "Marker" not in r
            break
        assert r["Marker"]
        marker = r["Marker"]
        assert pages < 10
    assert seen == names
    assert pages == 3
    # The same walk over every user of the account finds them once each, in order.
    everyone, marker = [], None
    for _ in range(200):
        kw = {"Marker": marker} if marker else {}
        r = iam.list_users(MaxItems=2, **kw)
        everyone += [u["UserName"] for u in r["Users"]]
        if not r["IsTruncated"]:
            break
        marker = r["Marker"]
    assert len(everyone) == len(set(everyone))
    assert [n for n in everyone if n in names] == names
    assert "admin" in everyone


def test_list_users_paginator(iam):
    for i in range(3):
        iam.create_user(UserName=f"pgn{i}", Path="/paginator/")
    pages = list(iam.get_paginator("list_users").paginate(PathPrefix="/paginator/",
                                                          PaginationConfig={"PageSize": 1}))
    assert [[u["UserName"] for u in p["Users"]] for p in pages] == [["pgn0"], ["pgn1"], ["pgn2"]]


def test_path_prefix_filtering(iam):
    iam.create_user(UserName="pp-a", Path="/division_abc/subdivision_xyz/")
    iam.create_user(UserName="pp-b", Path="/division_abc/")
    iam.create_user(UserName="pp-c", Path="/division_def/")
    def names(prefix):
        return [u["UserName"] for u in iam.list_users(PathPrefix=prefix)["Users"]
                if u["UserName"].startswith("pp-")]
    assert names("/division_abc/") == ["pp-a", "pp-b"]
    assert names("/division_abc/subdivision_xyz/") == ["pp-a"]
    assert names("/division_") == ["pp-a", "pp-b", "pp-c"]
    assert names("/nothing/") == []
    assert call_error(iam.list_users, PathPrefix="division")[0] == "ValidationError"


@pytest.mark.parametrize("value,constraint", [
    (0, "Member must have value greater than or equal to 1"),
    (1001, "Member must have value less than or equal to 1000"),
])
def test_max_items_out_of_range(raw_iam, value, constraint):
    for op in (raw_iam.list_users, raw_iam.list_groups, raw_iam.list_roles):
        assert call_error(op, MaxItems=value) == (
            "ValidationError", validation(str(value), "maxItems", constraint), 400)


# -- groups ---------------------------------------------------------------------------------------

def test_group_lifecycle(iam):
    name = unique("devs")
    r = iam.create_group(GroupName=name, Path="/teams/")
    group = r["Group"]
    assert set(group) == {"Path", "GroupName", "GroupId", "Arn", "CreateDate"}
    assert re.fullmatch(r"AGPA[A-Z2-7]{17}", group["GroupId"]), group["GroupId"]
    assert group["Arn"] == iam_arn("group", name, "/teams/")
    assert_recent(group["CreateDate"])
    got = iam.get_group(GroupName=name)
    assert got["Group"] == group
    assert got["Users"] == []
    assert got["IsTruncated"] is False
    assert group in iam.list_groups(PathPrefix="/teams/")["Groups"]
    assert call_error(iam.create_group, GroupName=name.upper()) == (
        "EntityAlreadyExists", f"Group with name {name.upper()} already exists.", 409)
    iam.delete_group(GroupName=name)
    assert call_error(iam.get_group, GroupName=name) == (
        "NoSuchEntity", f"The group with name {name} cannot be found.", 404)


def test_group_membership(iam):
    group, u1, u2 = unique("grp"), unique("m1"), unique("m2")
    iam.create_group(GroupName=group)
    for u in (u1, u2):
        iam.create_user(UserName=u)
        assert set(iam.add_user_to_group(GroupName=group, UserName=u)) == {"ResponseMetadata"}
    # Adding twice is not an error and does not duplicate.
    iam.add_user_to_group(GroupName=group, UserName=u1)
    members = iam.get_group(GroupName=group)["Users"]
    assert [m["UserName"] for m in members] == [u1, u2]
    assert set(members[0]) == {"Path", "UserName", "UserId", "Arn", "CreateDate"}
    groups = iam.list_groups_for_user(UserName=u1)
    assert [g["GroupName"] for g in groups["Groups"]] == [group]
    assert groups["IsTruncated"] is False
    # A group with members cannot go; a member cannot go either.
    assert call_error(iam.delete_group, GroupName=group) == (
        "DeleteConflict", "Cannot delete entity, must remove users from group first.", 409)
    assert call_error(iam.delete_user, UserName=u1) == (
        "DeleteConflict", "Cannot delete entity, must remove user from all groups first.", 409)
    iam.remove_user_from_group(GroupName=group, UserName=u1)
    iam.remove_user_from_group(GroupName=group, UserName=u2)
    assert iam.get_group(GroupName=group)["Users"] == []
    assert iam.list_groups_for_user(UserName=u1)["Groups"] == []
    iam.delete_user(UserName=u1)
    iam.delete_group(GroupName=group)


def test_group_membership_errors(iam):
    group, user = unique("grpe"), unique("mu")
    iam.create_group(GroupName=group)
    iam.create_user(UserName=user)
    assert call_error(iam.add_user_to_group, GroupName=group, UserName="no-such-user") == (
        "NoSuchEntity", "The user with name no-such-user cannot be found.", 404)
    assert call_error(iam.add_user_to_group, GroupName="no-such-group", UserName=user) == (
        "NoSuchEntity", "The group with name no-such-group cannot be found.", 404)


def test_group_members_paginate(iam):
    group = unique("big")
    iam.create_group(GroupName=group)
    names = [f"{group}-u{i}" for i in range(3)]
    for n in names:
        iam.create_user(UserName=n)
        iam.add_user_to_group(GroupName=group, UserName=n)
    r = iam.get_group(GroupName=group, MaxItems=2)
    assert [u["UserName"] for u in r["Users"]] == names[:2]
    assert r["IsTruncated"] is True
    r2 = iam.get_group(GroupName=group, MaxItems=2, Marker=r["Marker"])
    assert [u["UserName"] for u in r2["Users"]] == names[2:]
    assert r2["IsTruncated"] is False


def test_list_groups_for_user_paginates_in_name_order(iam):
    """Groups added in non-alphabetical order still page through once each."""
    user = unique("multi")
    iam.create_user(UserName=user)
    groups = [unique("zz-g"), unique("aa-g"), unique("mm-g")]
    for g in groups:
        iam.create_group(GroupName=g)
        iam.add_user_to_group(GroupName=g, UserName=user)
    seen, marker = [], None
    for _ in range(10):
        kw = {"Marker": marker} if marker else {}
        r = iam.list_groups_for_user(UserName=user, MaxItems=1, **kw)
        seen += [g["GroupName"] for g in r["Groups"]]
        if not r["IsTruncated"]:
            break
        marker = r["Marker"]
    assert len(seen) == 3, f"groups seen while paging: {seen}"
    assert sorted(seen) == sorted(groups)


def test_rename_group_keeps_members(iam):
    old, new, user = unique("og"), unique("ng"), unique("gm")
    iam.create_group(GroupName=old)
    iam.create_user(UserName=user)
    iam.add_user_to_group(GroupName=old, UserName=user)
    iam.update_group(GroupName=old, NewGroupName=new)
    assert [u["UserName"] for u in iam.get_group(GroupName=new)["Users"]] == [user]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName=user)["Groups"]] == [new]


# -- roles ----------------------------------------------------------------------------------------

def test_role_lifecycle(iam):
    name = unique("svc")
    trust = trust_policy({"Service": "lambda.amazonaws.com"})
    r = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust, Description="a role",
                        MaxSessionDuration=7200, Tags=[{"Key": "env", "Value": "test"}])
    role = r["Role"]
    assert re.fullmatch(r"AROA[A-Z2-7]{17}", role["RoleId"]), role["RoleId"]
    assert role["Arn"] == iam_arn("role", name)
    assert role["Path"] == "/"
    # boto3 decodes the URL-encoded document into a dict.
    assert role["AssumeRolePolicyDocument"] == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                       "Principal": {"Service": "lambda.amazonaws.com"}}]}
    assert role["Description"] == "a role"
    assert role["MaxSessionDuration"] == 7200
    assert role["Tags"] == [{"Key": "env", "Value": "test"}]
    assert_recent(role["CreateDate"])
    got = iam.get_role(RoleName=name.upper())["Role"]
    assert {k: got[k] for k in role} == role
    listed = [x for x in iam.list_roles()["Roles"] if x["RoleName"] == name]
    assert len(listed) == 1
    assert listed[0]["AssumeRolePolicyDocument"] == role["AssumeRolePolicyDocument"]
    assert "Tags" not in listed[0]
    assert call_error(iam.create_role, RoleName=name.upper(), AssumeRolePolicyDocument=trust) == (
        "EntityAlreadyExists", f"Role with name {name.upper()} already exists.", 409)
    iam.delete_role(RoleName=name)
    assert call_error(iam.get_role, RoleName=name) == (
        "NoSuchEntity", f"The role with name {name} cannot be found.", 404)


def test_role_default_max_session_duration(iam):
    role = iam.create_role(RoleName=unique("dflt"), AssumeRolePolicyDocument=trust_policy())["Role"]
    assert role["MaxSessionDuration"] == 3600
    assert "Description" not in role


def test_update_role_and_trust_policy(iam):
    name = unique("upd")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust_policy())
    assert set(iam.update_role(RoleName=name, Description="new", MaxSessionDuration=43200)) == \
        {"ResponseMetadata"}
    r = iam.update_role_description(RoleName=name, Description="newer")["Role"]
    assert (r["Description"], r["MaxSessionDuration"]) == ("newer", 43200)
    doc = trust_policy({"Service": "ec2.amazonaws.com"})
    iam.update_assume_role_policy(RoleName=name, PolicyDocument=doc)
    got = iam.get_role(RoleName=name)["Role"]
    assert got["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "ec2.amazonaws.com"}


@pytest.mark.parametrize("value,constraint", [
    (3599, "Member must have value greater than or equal to 3600"),
    (43201, "Member must have value less than or equal to 43200"),
])
def test_role_max_session_duration_range(iam, raw_iam, value, constraint):
    name = unique("msd")
    assert call_error(raw_iam.create_role, RoleName=name, AssumeRolePolicyDocument=trust_policy(),
                      MaxSessionDuration=value) == (
        "ValidationError", validation(str(value), "maxSessionDuration", constraint), 400)
    assert call_error(iam.get_role, RoleName=name)[0] == "NoSuchEntity"


def test_create_role_malformed_trust_leaves_no_role(iam):
    name = unique("bad-trust")
    no_principal = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}'
    assert call_error(iam.create_role, RoleName=name, AssumeRolePolicyDocument=no_principal) == (
        "MalformedPolicyDocument", "Missing required field Principal", 400)
    assert call_error(iam.get_role, RoleName=name)[0] == "NoSuchEntity"
    with_resource = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":'
                     '"sts:AssumeRole","Principal":{"AWS":"000000000000"},"Resource":"*"}]}')
    assert call_error(iam.create_role, RoleName=name, AssumeRolePolicyDocument=with_resource) == (
        "MalformedPolicyDocument", "Has prohibited field Resource", 400)
    assert call_error(iam.create_role, RoleName=name, AssumeRolePolicyDocument="{not json") == (
        "MalformedPolicyDocument", "Syntax errors in policy.", 400)
    assert all(r["RoleName"] != name for r in iam.list_roles()["Roles"])


def test_update_assume_role_policy_invalid_keeps_old(iam):
    name = unique("keep-trust")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust_policy())
    bad = trust_policy({"AWS": "not-an-account"})
    assert call_error(iam.update_assume_role_policy, RoleName=name, PolicyDocument=bad) == (
        "MalformedPolicyDocument", 'Invalid principal in policy: "AWS":"not-an-account"', 400)
    got = iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]
    assert got["Statement"][0]["Principal"] == {"AWS": f"arn:aws:iam::{DEFAULT_ACCOUNT}:root"}


def test_role_tags(iam):
    name = unique("tr")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust_policy())
    iam.tag_role(RoleName=name, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    iam.tag_role(RoleName=name, Tags=[{"Key": "A", "Value": "3"}])  # keys are case-insensitive
    assert iam.list_role_tags(RoleName=name)["Tags"] == [{"Key": "a", "Value": "3"},
                                                         {"Key": "b", "Value": "2"}]
    iam.untag_role(RoleName=name, TagKeys=["B"])
    assert iam.list_role_tags(RoleName=name)["Tags"] == [{"Key": "a", "Value": "3"}]


def test_user_tags_and_errors(iam):
    name = unique("tu")
    iam.create_user(UserName=name)
    r = iam.list_user_tags(UserName=name)
    assert (r["Tags"], r["IsTruncated"]) == ([], False)
    iam.tag_user(UserName=name, Tags=[{"Key": "k1", "Value": "v1"}])
    assert iam.list_user_tags(UserName=name)["Tags"] == [{"Key": "k1", "Value": "v1"}]
    assert call_error(iam.tag_user, UserName=name,
                      Tags=[{"Key": "d", "Value": "1"}, {"Key": "D", "Value": "2"}]) == (
        "InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
        400)
    iam.untag_user(UserName=name, TagKeys=["k1"])
    assert iam.list_user_tags(UserName=name)["Tags"] == []
    assert call_error(iam.tag_user, UserName="no-such-user",
                      Tags=[{"Key": "a", "Value": "b"}])[0] == "NoSuchEntity"


def test_list_user_tags_pagination_in_key_order(iam):
    """Tags added in non-alphabetical order still page through once each."""
    name = unique("tp")
    iam.create_user(UserName=name)
    iam.tag_user(UserName=name, Tags=[{"Key": "zeta", "Value": "1"}])
    iam.tag_user(UserName=name, Tags=[{"Key": "alpha", "Value": "2"}])
    seen, marker = [], None
    for _ in range(5):
        kw = {"Marker": marker} if marker else {}
        r = iam.list_user_tags(UserName=name, MaxItems=1, **kw)
        seen += [t["Key"] for t in r["Tags"]]
        if not r["IsTruncated"]:
            break
        marker = r["Marker"]
    assert len(seen) == 2, f"tags seen while paging: {seen}"
    assert sorted(seen) == ["alpha", "zeta"]


# -- aws CLI --------------------------------------------------------------------------------------

def test_aws_cli_user_and_group(server, iam, tmp_path):
    name, group = unique("cli"), unique("cligrp")
    rc, out, err = aws_json(server, ["iam", "create-user", "--user-name", name, "--path", "/cli/"],
                            tmp_path)
    assert rc == 0, err
    assert out["User"]["UserName"] == name
    assert out["User"]["Arn"] == iam_arn("user", name, "/cli/")
    assert out["User"]["UserId"].startswith("AIDA")
    iam.create_group(GroupName=group)
    iam.add_user_to_group(GroupName=group, UserName=name)
    rc, out, err = aws_json(server, ["iam", "get-group", "--group-name", group], tmp_path)
    assert rc == 0, err
    assert [u["UserName"] for u in out["Users"]] == [name]
    assert out["Group"]["GroupId"].startswith("AGPA")
    rc, out, err = aws_json(server, ["iam", "create-user", "--user-name", name.upper()], tmp_path)
    assert rc != 0
    assert "An error occurred (EntityAlreadyExists) when calling the CreateUser operation" in err
    assert err.rstrip().endswith(f": User with name {name.upper()} already exists."), err


def test_aws_cli_create_role_decodes_policy(server, tmp_path):
    name = unique("clirole")
    trust = tmp_path / "trust.json"
    trust.write_text(trust_policy({"Service": "lambda.amazonaws.com"}))
    rc, out, err = aws_json(server, ["iam", "create-role", "--role-name", name,
                                     "--assume-role-policy-document", f"file://{trust}"], tmp_path)
    assert rc == 0, err
    assert out["Role"]["RoleId"].startswith("AROA")
    assert out["Role"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "lambda.amazonaws.com"}
