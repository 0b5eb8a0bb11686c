"""IAM access keys and the authorization of IAM calls: every operation is authorized for its
caller (AWS's exact AccessDenied messages), explicit denies, permissions boundaries, group
policies, managed policy versions, key status, condition keys and policy variables; and
persistence of users, policies and sealed access keys across a restart."""

from __future__ import annotations

import json
import datetime
import itertools
import re

import pytest

from portcullis_helpers import (unique, ADMIN_KEY, DEFAULT_ACCOUNT, access_denied, allow, aws_json,
                                call_error, create_user_with_key, iam_arn, make_client, policy,
                                statement, trust_policy)


ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"
IAM_READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
INVALID_TOKEN = ("InvalidClientTokenId", "The security token included in the request is invalid.",
                 403)






def user_client(server, iam, name: str, *inline: str, **kw):
    """A new user with the given inline policies, and an IAM client signed with its new key."""
    _, key = create_user_with_key(iam, name, *inline, **kw)
    return make_client("iam", server.endpoint, key["AccessKeyId"], key["SecretAccessKey"])


# -- access keys ----------------------------------------------------------------------------------

def test_access_key_shapes(iam):
    user = unique("keys")
    iam.create_user(UserName=user)
    r = iam.create_access_key(UserName=user)
    key = r["AccessKey"]
    assert set(key) == {"UserName", "AccessKeyId", "Status", "SecretAccessKey", "CreateDate"}
    assert key["UserName"] == user
    assert re.fullmatch(r"AKIA[A-Z2-7]{16}", key["AccessKeyId"]), key["AccessKeyId"]
    assert key["Status"] == "Active"
    assert len(key["SecretAccessKey"]) == 40
    listed = iam.list_access_keys(UserName=user)
    assert listed["IsTruncated"] is False
    assert listed["AccessKeyMetadata"] == [{k: key[k] for k in ("UserName", "AccessKeyId",
                                                                "Status", "CreateDate")}]
    last = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
    assert last["UserName"] == user
    assert last["AccessKeyLastUsed"]["ServiceName"] == "N/A"
    assert last["AccessKeyLastUsed"]["Region"] == "N/A"


def test_third_access_key_is_refused(iam):
    user = unique("three")
    iam.create_user(UserName=user)
    ids = {iam.create_access_key(UserName=user)["AccessKey"]["AccessKeyId"] for _ in range(2)}
    assert len(ids) == 2
    assert call_error(iam.create_access_key, UserName=user) == (
        "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2", 409)
    assert len(iam.list_access_keys(UserName=user)["AccessKeyMetadata"]) == 2


def test_access_key_errors(server, iam):
    a, b = unique("ka"), unique("kb")
    iam.create_user(UserName=a)
    iam.create_user(UserName=b)
    key = iam.create_access_key(UserName=a)["AccessKey"]["AccessKeyId"]
    # A key is only found through its own user.
    assert call_error(iam.delete_access_key, UserName=b, AccessKeyId=key) == (
        "NoSuchEntity", f"The Access Key with id {key} cannot be found", 404)
    assert call_error(iam.update_access_key, UserName=b, AccessKeyId=key, Status="Inactive") == (
        "NoSuchEntity", f"The Access Key with id {key} cannot be found", 404)
    assert call_error(iam.create_access_key, UserName="ghost-key-user") == (
        "NoSuchEntity", "The user with name ghost-key-user cannot be found.", 404)
    raw = server.client("iam", validate=False)
    assert call_error(raw.update_access_key, UserName=a, AccessKeyId=key, Status="Bogus") == (
        "ValidationError", "1 validation error detected: Value 'Bogus' at 'status' failed to "
                           "satisfy constraint: Member must satisfy enum value set: "
                           "[Active, Inactive]", 400)
    assert iam.list_access_keys(UserName=a)["AccessKeyMetadata"][0]["Status"] == "Active"


def test_access_key_last_used(server, iam):
    user = unique("lastuse")
    _, key = create_user_with_key(iam, user)
    sts = make_client("sts", server.endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    assert sts.get_caller_identity()["Arn"] == iam_arn("user", user)
    last = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
    assert last["UserName"] == user
    used = last["AccessKeyLastUsed"]
    assert (used["ServiceName"], used["Region"]) == ("sts", "us-east-1")
    now = datetime.datetime.now(datetime.timezone.utc)
    assert abs((now - used["LastUsedDate"]).total_seconds()) < 120
    assert call_error(iam.get_access_key_last_used, AccessKeyId="AKIANOSUCHKEY0000000") == (
        "NoSuchEntity", "The Access Key with id AKIANOSUCHKEY0000000 cannot be found", 404)


def test_deactivate_reactivate_and_delete_key(server, iam):
    user = unique("status")
    _, key = create_user_with_key(iam, user, allow("iam:GetUser"))
    me = make_client("iam", server.endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    sts = make_client("sts", server.endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    assert me.get_user()["User"]["UserName"] == user
    assert sts.get_caller_identity()["Arn"] == iam_arn("user", user)
    iam.update_access_key(UserName=user, AccessKeyId=key["AccessKeyId"], Status="Inactive")
    assert iam.list_access_keys(UserName=user)["AccessKeyMetadata"][0]["Status"] == "Inactive"
    # At once, for every service.
    assert call_error(me.get_user) == INVALID_TOKEN
    assert call_error(sts.get_caller_identity) == INVALID_TOKEN
    iam.update_access_key(UserName=user, AccessKeyId=key["AccessKeyId"], Status="Active")
    assert me.get_user()["User"]["UserName"] == user
    iam.delete_access_key(UserName=user, AccessKeyId=key["AccessKeyId"])
    assert call_error(me.get_user) == INVALID_TOKEN
    assert iam.list_access_keys(UserName=user)["AccessKeyMetadata"] == []


def test_key_of_deleted_user_stops_working(server, iam):
    user = unique("delu")
    _, key = create_user_with_key(iam, user, allow("iam:GetUser"))
    me = make_client("iam", server.endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    assert me.get_user()["User"]["UserName"] == user
    iam.delete_access_key(UserName=user, AccessKeyId=key["AccessKeyId"])
    iam.delete_user_policy(UserName=user, PolicyName="p0")
    iam.delete_user(UserName=user)
    assert call_error(me.get_user) == INVALID_TOKEN


def test_user_manages_own_keys_without_user_name(server, iam):
    user = unique("self")
    me = user_client(server, iam, user, allow(
        ["iam:CreateAccessKey", "iam:ListAccessKeys", "iam:UpdateAccessKey",
         "iam:DeleteAccessKey", "iam:GetUser"],
        "arn:aws:iam::000000000000:user/${aws:username}"))
    new = me.create_access_key()["AccessKey"]
    assert new["UserName"] == user
    assert len(me.list_access_keys()["AccessKeyMetadata"]) == 2
    me.update_access_key(AccessKeyId=new["AccessKeyId"], Status="Inactive")
    me.delete_access_key(AccessKeyId=new["AccessKeyId"])
    assert len(me.list_access_keys()["AccessKeyMetadata"]) == 1


# -- every call is authorized ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def targets(iam):
    """Entities for a caller without any permission to try every operation on."""
    iam.create_user(UserName="tgt-user", Path="/t/")
    key = iam.create_access_key(UserName="tgt-user")["AccessKey"]["AccessKeyId"]
    iam.put_user_policy(UserName="tgt-user", PolicyName="inl", PolicyDocument=allow("s3:*"))
    iam.create_group(GroupName="tgt-group")
    iam.put_group_policy(GroupName="tgt-group", PolicyName="inl", PolicyDocument=allow("s3:*"))
    iam.create_role(RoleName="tgt-role", AssumeRolePolicyDocument=trust_policy())
    iam.put_role_policy(RoleName="tgt-role", PolicyName="inl", PolicyDocument=allow("s3:*"))
    pol = iam.create_policy(PolicyName="tgt-policy", PolicyDocument=allow("s3:*"))["Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=pol, PolicyDocument=allow("s3:Get*"))
    return {"key": key, "policy": pol}


USER = iam_arn("user", "tgt-user", "/t/")
GROUP = iam_arn("group", "tgt-group")
ROLE = iam_arn("role", "tgt-role")
POLICY = iam_arn("policy", "tgt-policy")
DOC = allow("s3:*")
TAGS = [{"Key": "k", "Value": "v"}]

# (operation, parameters, resource in the message); {key} and {policy} filled from `targets`.
OPERATIONS = [
    ("create_user", {"UserName": "new-user", "Path": "/p/"}, iam_arn("user", "new-user", "/p/")),
    ("get_user", {"UserName": "tgt-user"}, USER),
    ("update_user", {"UserName": "tgt-user", "NewUserName": "renamed"}, USER),
    ("delete_user", {"UserName": "tgt-user"}, USER),
    ("create_group", {"GroupName": "new-group"}, iam_arn("group", "new-group")),
    ("get_group", {"GroupName": "tgt-group"}, GROUP),
    ("update_group", {"GroupName": "tgt-group", "NewPath": "/x/"}, GROUP),
    ("delete_group", {"GroupName": "tgt-group"}, GROUP),
    ("create_role", {"RoleName": "new-role", "AssumeRolePolicyDocument": trust_policy()},
     iam_arn("role", "new-role")),
    ("get_role", {"RoleName": "tgt-role"}, ROLE),
    ("update_role", {"RoleName": "tgt-role", "Description": "d"}, ROLE),
    ("update_role_description", {"RoleName": "tgt-role", "Description": "d"}, ROLE),
    ("update_assume_role_policy", {"RoleName": "tgt-role", "PolicyDocument": trust_policy()},
     ROLE),
    ("delete_role", {"RoleName": "tgt-role"}, ROLE),
    ("put_user_policy", {"UserName": "tgt-user", "PolicyName": "x", "PolicyDocument": DOC}, USER),
    ("get_user_policy", {"UserName": "tgt-user", "PolicyName": "inl"}, USER),
    ("delete_user_policy", {"UserName": "tgt-user", "PolicyName": "inl"}, USER),
    ("list_user_policies", {"UserName": "tgt-user"}, USER),
    ("put_group_policy", {"GroupName": "tgt-group", "PolicyName": "x", "PolicyDocument": DOC},
     GROUP),
    ("get_group_policy", {"GroupName": "tgt-group", "PolicyName": "inl"}, GROUP),
    ("delete_group_policy", {"GroupName": "tgt-group", "PolicyName": "inl"}, GROUP),
    ("list_group_policies", {"GroupName": "tgt-group"}, GROUP),
    ("put_role_policy", {"RoleName": "tgt-role", "PolicyName": "x", "PolicyDocument": DOC}, ROLE),
    ("get_role_policy", {"RoleName": "tgt-role", "PolicyName": "inl"}, ROLE),
    ("delete_role_policy", {"RoleName": "tgt-role", "PolicyName": "inl"}, ROLE),
    ("list_role_policies", {"RoleName": "tgt-role"}, ROLE),
    ("attach_user_policy", {"UserName": "tgt-user", "PolicyArn": ADMIN_POLICY}, USER),
    ("detach_user_policy", {"UserName": "tgt-user", "PolicyArn": ADMIN_POLICY}, USER),
    ("list_attached_user_policies", {"UserName": "tgt-user"}, USER),
    ("attach_group_policy", {"GroupName": "tgt-group", "PolicyArn": ADMIN_POLICY}, GROUP),
    ("detach_group_policy", {"GroupName": "tgt-group", "PolicyArn": ADMIN_POLICY}, GROUP),
    ("list_attached_group_policies", {"GroupName": "tgt-group"}, GROUP),
    ("attach_role_policy", {"RoleName": "tgt-role", "PolicyArn": ADMIN_POLICY}, ROLE),
    ("detach_role_policy", {"RoleName": "tgt-role", "PolicyArn": ADMIN_POLICY}, ROLE),
    ("list_attached_role_policies", {"RoleName": "tgt-role"}, ROLE),
    ("tag_user", {"UserName": "tgt-user", "Tags": TAGS}, USER),
    ("untag_user", {"UserName": "tgt-user", "TagKeys": ["k"]}, USER),
    ("list_user_tags", {"UserName": "tgt-user"}, USER),
    ("tag_role", {"RoleName": "tgt-role", "Tags": TAGS}, ROLE),
    ("untag_role", {"RoleName": "tgt-role", "TagKeys": ["k"]}, ROLE),
    ("list_role_tags", {"RoleName": "tgt-role"}, ROLE),
    ("put_user_permissions_boundary", {"UserName": "tgt-user",
                                       "PermissionsBoundary": IAM_READ_ONLY}, USER),
    ("delete_user_permissions_boundary", {"UserName": "tgt-user"}, USER),
    ("put_role_permissions_boundary", {"RoleName": "tgt-role",
                                       "PermissionsBoundary": IAM_READ_ONLY}, ROLE),
    ("delete_role_permissions_boundary", {"RoleName": "tgt-role"}, ROLE),
    ("add_user_to_group", {"GroupName": "tgt-group", "UserName": "tgt-user"}, GROUP),
    ("remove_user_from_group", {"GroupName": "tgt-group", "UserName": "tgt-user"}, GROUP),
    ("list_groups_for_user", {"UserName": "tgt-user"}, USER),
    ("create_policy", {"PolicyName": "new-policy", "PolicyDocument": DOC, "Path": "/pp/"},
     iam_arn("policy", "new-policy", "/pp/")),
    ("get_policy", {"PolicyArn": POLICY}, POLICY),
    ("delete_policy", {"PolicyArn": POLICY}, POLICY),
    ("create_policy_version", {"PolicyArn": POLICY, "PolicyDocument": DOC}, POLICY),
    ("get_policy_version", {"PolicyArn": POLICY, "VersionId": "v1"}, POLICY),
    ("list_policy_versions", {"PolicyArn": POLICY}, POLICY),
    ("delete_policy_version", {"PolicyArn": POLICY, "VersionId": "v2"}, POLICY),
    ("set_default_policy_version", {"PolicyArn": POLICY, "VersionId": "v2"}, POLICY),
    ("tag_policy", {"PolicyArn": POLICY, "Tags": TAGS}, POLICY),
    ("untag_policy", {"PolicyArn": POLICY, "TagKeys": ["k"]}, POLICY),
    ("list_policy_tags", {"PolicyArn": POLICY}, POLICY),
    ("list_entities_for_policy", {"PolicyArn": POLICY}, POLICY),
    ("get_policy", {"PolicyArn": IAM_READ_ONLY}, IAM_READ_ONLY),
    ("create_access_key", {"UserName": "tgt-user"}, USER),
    ("list_access_keys", {"UserName": "tgt-user"}, USER),
    ("update_access_key", {"UserName": "tgt-user", "AccessKeyId": "{key}", "Status": "Inactive"},
     USER),
    ("delete_access_key", {"UserName": "tgt-user", "AccessKeyId": "{key}"}, USER),
    ("get_access_key_last_used", {"AccessKeyId": "{key}"}, USER),
    ("simulate_principal_policy", {"PolicySourceArn": USER, "ActionNames": ["s3:GetObject"]},
     USER),
]


def _fill(params: dict, targets: dict) -> dict:
    return {k: targets["key"] if v == "{key}" else v for k, v in params.items()}


def _action(op: str) -> str:
    return "iam:" + "".join(w.capitalize() for w in op.split("_"))


@pytest.fixture(scope="module")
def nobody(server, iam, targets):
    """A user with an access key and no policy at all."""
    return user_client(server, iam, "nobody")


@pytest.mark.parametrize("op,params,resource", OPERATIONS, ids=[o[0] for o in OPERATIONS])
def test_every_operation_is_denied_without_permission(iam, nobody, targets, op, params, resource):
    params = _fill(params, targets)
    action = _action(op)
    assert call_error(getattr(nobody, op), **params) == (
        "AccessDenied", access_denied("nobody", action, resource), 403)


def test_denied_calls_change_nothing(iam, nobody, targets):
    for op, params, _ in OPERATIONS:
        params = _fill(params, targets)
        assert call_error(getattr(nobody, op), **params)[0] == "AccessDenied"
    assert iam.get_user(UserName="tgt-user")["User"]["Arn"] == USER
    assert "PermissionsBoundary" not in iam.get_user(UserName="tgt-user")["User"]
    assert iam.list_user_policies(UserName="tgt-user")["PolicyNames"] == ["inl"]
    assert iam.list_attached_user_policies(UserName="tgt-user")["AttachedPolicies"] == []
    assert iam.list_user_tags(UserName="tgt-user")["Tags"] == []
    assert [k["Status"] for k in iam.list_access_keys(UserName="tgt-user")["AccessKeyMetadata"]] \
        == ["Active"]
    assert iam.list_groups_for_user(UserName="tgt-user")["Groups"] == []
    assert iam.get_role(RoleName="tgt-role")["Role"].get("Description") is None
    assert iam.get_policy(PolicyArn=POLICY)["Policy"]["DefaultVersionId"] == "v1"
    assert len(iam.list_policy_versions(PolicyArn=POLICY)["Versions"]) == 2
    for name in ("new-user",):
        assert call_error(iam.get_user, UserName=name)[0] == "NoSuchEntity"
    assert call_error(iam.get_group, GroupName="new-group")[0] == "NoSuchEntity"
    assert call_error(iam.get_role, RoleName="new-role")[0] == "NoSuchEntity"
    assert call_error(iam.get_policy, PolicyArn=iam_arn("policy", "new-policy", "/pp/"))[0] == \
        "NoSuchEntity"


def test_denied_before_not_found(nobody):
    """Authorization comes first: a caller may not learn whether an entity exists."""
    assert call_error(nobody.get_user, UserName="does-not-exist") == (
        "AccessDenied", access_denied("nobody", "iam:GetUser", iam_arn("user", "does-not-exist")),
        403)


def test_get_user_without_name_is_authorized_on_the_caller(nobody):
    assert call_error(nobody.get_user) == (
        "AccessDenied", access_denied("nobody", "iam:GetUser", iam_arn("user", "nobody")), 403)


@pytest.mark.parametrize("op,resource", [
    ("list_users", f"arn:aws:iam::{DEFAULT_ACCOUNT}:user/"),
    ("list_roles", f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/"),
    ("list_groups", f"arn:aws:iam::{DEFAULT_ACCOUNT}:group/"),
    ("list_policies", "policy path /"),
])
def test_list_operations_denied_message_names_aws_resource(nobody, op, resource):
    """AWS names the listed path as the resource: "… iam:ListUsers on resource:
    arn:aws:iam::123456789012:user/ because …", and "policy path /" for ListPolicies."""
    action = _action(op)
    assert call_error(getattr(nobody, op)) == (
        "AccessDenied", access_denied("nobody", action, resource), 403)


def test_aws_cli_access_denied(server, iam, tmp_path):
    user = unique("clid")
    _, key = create_user_with_key(iam, user, allow("iam:GetUser"))
    rc, out, err = aws_json(server, ["iam", "get-user"], tmp_path, key["AccessKeyId"],
                            key["SecretAccessKey"])
    assert rc == 0, err
    assert out["User"]["UserName"] == user
    rc, out, err = aws_json(server, ["iam", "create-group", "--group-name", "cli-denied"],
                            tmp_path, key["AccessKeyId"], key["SecretAccessKey"])
    assert rc != 0 and out is None
    assert "An error occurred (AccessDenied) when calling the CreateGroup operation" in err
    assert err.rstrip().endswith(
        ": " + access_denied(user, "iam:CreateGroup", iam_arn("group", "cli-denied"))), err


# -- identity policies ----------------------------------------------------------------------------

def test_limited_inline_policy(server, iam):
    user = unique("lim")
    me = user_client(server, iam, user, allow(["iam:GetUser", "iam:ListUsers", "iam:CreateGroup"]))
    assert me.get_user(UserName="admin")["User"]["UserName"] == "admin"
    assert any(u["UserName"] == user for u in me.list_users(MaxItems=1000)["Users"])
    group = unique("lim-g")
    assert me.create_group(GroupName=group)["Group"]["GroupName"] == group
    assert call_error(me.delete_group, GroupName=group) == (
        "AccessDenied", access_denied(user, "iam:DeleteGroup", iam_arn("group", group)), 403)
    assert call_error(me.create_user, UserName="x-" + user) == (
        "AccessDenied", access_denied(user, "iam:CreateUser", iam_arn("user", "x-" + user)), 403)
    # Wildcards in actions and resources.
    iam.put_user_policy(UserName=user, PolicyName="wild",
                        PolicyDocument=allow("iam:Delete*", "arn:aws:iam::*:group/lim-*"))
    me.delete_group(GroupName=group)


def test_explicit_deny_wins(server, iam):
    user = unique("den")
    me = user_client(server, iam, user, policy(
        statement("Allow", "iam:*"),
        statement("Deny", ["iam:DeleteUser", "iam:CreateUser"], "arn:aws:iam::*:user/protected*")))
    name = unique("ok-user")
    me.create_user(UserName=name)
    me.delete_user(UserName=name)
    assert call_error(me.create_user, UserName="protected-1") == (
        "AccessDenied",
        access_denied(user, "iam:CreateUser", iam_arn("user", "protected-1"), "deny"), 403)
    assert call_error(iam.get_user, UserName="protected-1")[0] == "NoSuchEntity"


def test_not_action_and_not_resource(server, iam):
    user = unique("nota")
    me = user_client(server, iam, user, policy(
        {"Effect": "Allow", "NotAction": ["iam:Create*", "iam:Delete*"], "Resource": "*"},
        {"Effect": "Allow", "Action": "iam:CreateGroup",
         "NotResource": "arn:aws:iam::000000000000:group/admins*"}))
    assert me.get_user()["User"]["UserName"] == user
    g = unique("fine")
    me.create_group(GroupName=g)
    assert call_error(me.create_group, GroupName="admins-x")[1] == access_denied(
        user, "iam:CreateGroup", iam_arn("group", "admins-x"))
    assert call_error(me.delete_group, GroupName=g)[1] == access_denied(
        user, "iam:DeleteGroup", iam_arn("group", g))


def test_permissions_boundary_limits_admin(server, iam):
    user = unique("bnd")
    me = user_client(server, iam, user)
    iam.attach_user_policy(UserName=user, PolicyArn=ADMIN_POLICY)
    name = unique("made")
    me.create_user(UserName=name)  # admin-like
    iam.put_user_permissions_boundary(UserName=user, PermissionsBoundary=IAM_READ_ONLY)
    assert me.get_user(UserName=name)["User"]["UserName"] == name
    assert call_error(me.delete_user, UserName=name) == (
        "AccessDenied", access_denied(user, "iam:DeleteUser", iam_arn("user", name), "boundary"),
        403)
    # The boundary alone grants nothing.
    iam.detach_user_policy(UserName=user, PolicyArn=ADMIN_POLICY)
    assert call_error(me.get_user, UserName=name) == (
        "AccessDenied", access_denied(user, "iam:GetUser", iam_arn("user", name)), 403)
    iam.attach_user_policy(UserName=user, PolicyArn=ADMIN_POLICY)
    iam.delete_user_permissions_boundary(UserName=user)
    me.delete_user(UserName=name)


def test_explicit_deny_in_boundary(server, iam):
    user = unique("bdeny")
    me = user_client(server, iam, user)
    iam.attach_user_policy(UserName=user, PolicyArn=ADMIN_POLICY)
    b = iam.create_policy(PolicyName=unique("bdeny-p"), PolicyDocument=policy(
        statement("Allow", "*"), statement("Deny", "iam:CreateGroup")))["Policy"]["Arn"]
    iam.put_user_permissions_boundary(UserName=user, PermissionsBoundary=b)
    assert call_error(me.create_group, GroupName="nope") == (
        "AccessDenied",
        access_denied(user, "iam:CreateGroup", iam_arn("group", "nope"), "boundary-deny"), 403)


def test_group_policies_apply_to_members(server, iam):
    user, group = unique("mem"), unique("readers")
    me = user_client(server, iam, user)
    iam.create_group(GroupName=group)
    iam.put_group_policy(GroupName=group, PolicyName="read", PolicyDocument=allow("iam:GetUser"))
    iam.attach_group_policy(GroupName=group, PolicyArn=IAM_READ_ONLY)
    denied = ("AccessDenied", access_denied(user, "iam:GetUser", iam_arn("user", user)), 403)
    assert call_error(me.get_user) == denied
    iam.add_user_to_group(GroupName=group, UserName=user)
    assert me.get_user()["User"]["UserName"] == user
    assert me.list_groups(MaxItems=1000)["Groups"]  # IAMReadOnlyAccess, attached to the group
    # Removing the group's inline policy leaves the attached one; removing the member, nothing.
    iam.delete_group_policy(GroupName=group, PolicyName="read")
    assert me.get_user()["User"]["UserName"] == user
    iam.remove_user_from_group(GroupName=group, UserName=user)
    assert call_error(me.get_user) == denied
    assert call_error(me.list_groups)[0] == "AccessDenied"


def test_managed_policy_default_version_decides(server, iam):
    user = unique("ver")
    me = user_client(server, iam, user)
    arn = iam.create_policy(PolicyName=unique("verp"),
                            PolicyDocument=allow(["iam:GetUser", "iam:ListGroups"]))["Policy"]["Arn"]
    iam.attach_user_policy(UserName=user, PolicyArn=arn)
    assert me.get_user()["User"]["UserName"] == user
    iam.create_policy_version(PolicyArn=arn, SetAsDefault=True, PolicyDocument=policy(
        statement("Allow", "iam:ListGroups"), statement("Deny", "iam:GetUser")))
    assert call_error(me.get_user) == (
        "AccessDenied", access_denied(user, "iam:GetUser", iam_arn("user", user), "deny"), 403)
    me.list_groups()
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
    assert me.get_user()["User"]["UserName"] == user
    iam.detach_user_policy(UserName=user, PolicyArn=arn)
    assert call_error(me.get_user)[0] == "AccessDenied"


def test_renamed_user_keeps_permissions_under_new_name(server, iam):
    old, new = unique("ren"), unique("renamed")
    me = user_client(server, iam, old, allow("iam:GetUser"))
    iam.update_user(UserName=old, NewUserName=new)
    assert me.get_user()["User"]["UserName"] == new
    sts = make_client("sts", server.endpoint, *_key_of(iam, new))
    assert sts.get_caller_identity()["Arn"] == iam_arn("user", new)


def _key_of(iam, user):
    """(id, secret) of a fresh second key of `user`."""
    k = iam.create_access_key(UserName=user)["AccessKey"]
    return k["AccessKeyId"], k["SecretAccessKey"]


# -- conditions and policy variables ------------------------------------------------------------

def test_condition_on_aws_username(server, iam):
    doc = allow("iam:GetUser", condition={"StringEquals": {"aws:username": "cond-alice"}})
    alice = user_client(server, iam, "cond-alice", doc)
    mallory = user_client(server, iam, "cond-mallory", doc)
    assert alice.get_user(UserName="admin")["User"]["UserName"] == "admin"
    assert call_error(mallory.get_user, UserName="admin") == (
        "AccessDenied", access_denied("cond-mallory", "iam:GetUser", iam_arn("user", "admin")),
        403)


def test_condition_on_principal_tag(server, iam):
    user = unique("ptag")
    me = user_client(server, iam, user, allow(
        "iam:CreateGroup", condition={"StringEquals": {"aws:PrincipalTag/team": "blue"}}),
        tags=[{"Key": "team", "Value": "blue"}])
    me.create_group(GroupName=unique("ptag-g"))
    iam.tag_user(UserName=user, Tags=[{"Key": "team", "Value": "red"}])
    g = unique("ptag-g")
    assert call_error(me.create_group, GroupName=g)[1] == access_denied(
        user, "iam:CreateGroup", iam_arn("group", g))
    iam.untag_user(UserName=user, TagKeys=["team"])
    assert call_error(me.create_group, GroupName=g)[0] == "AccessDenied"


def test_condition_on_request_tags_and_tag_keys(server, iam):
    user = unique("rtag")
    me = user_client(server, iam, user, allow(["iam:CreateUser", "iam:TagUser"], condition={
        "StringEquals": {"aws:RequestTag/team": "${aws:PrincipalTag/team}"},
        "ForAllValues:StringEquals": {"aws:TagKeys": ["team"]},
    }), tags=[{"Key": "team", "Value": "blue"}])
    ok = unique("rt-ok")
    made = me.create_user(UserName=ok, Tags=[{"Key": "team", "Value": "blue"}])["User"]
    assert made["Tags"] == [{"Key": "team", "Value": "blue"}]
    for tags in ([{"Key": "team", "Value": "red"}],
                 [{"Key": "team", "Value": "blue"}, {"Key": "extra", "Value": "x"}],
                 None):
        name = unique("rt-no")
        kw = {"Tags": tags} if tags else {}
        assert call_error(me.create_user, UserName=name, **kw) == (
            "AccessDenied", access_denied(user, "iam:CreateUser", iam_arn("user", name)), 403)
        assert call_error(iam.get_user, UserName=name)[0] == "NoSuchEntity"


def test_tagging_on_create_needs_the_tag_permission(server, iam):
    user = unique("tagc")
    me = user_client(server, iam, user, allow("iam:CreateUser"))
    name = unique("tagc-t")
    assert call_error(me.create_user, UserName=name, Tags=[{"Key": "team", "Value": "x"}]) == (
        "AccessDenied", access_denied(user, "iam:TagUser", iam_arn("user", name)), 403)
    assert call_error(iam.get_user, UserName=name)[0] == "NoSuchEntity"
    assert me.create_user(UserName=name)["User"]["UserName"] == name  # untagged: allowed


def test_moving_a_user_needs_permission_on_the_new_arn(server, iam):
    user = unique("mv")
    target = unique("mv-t")
    iam.create_user(UserName=target, Path="/dev/")
    me = user_client(server, iam, user, json.dumps({"Version": "2012-10-17", "Statement": {
        "Effect": "Allow", "Action": "iam:UpdateUser",
        "Resource": "arn:aws:iam::000000000000:user/dev/*"}}))
    assert call_error(me.update_user, UserName=target, NewPath="/admins/") == (
        "AccessDenied", access_denied(user, "iam:UpdateUser", iam_arn("user", target, "/admins/")),
        403)
    assert iam.get_user(UserName=target)["User"]["Path"] == "/dev/"
    me.update_user(UserName=target, NewUserName=target + "-2")  # within /dev/: allowed


def test_condition_on_tag_keys_for_untag(server, iam):
    user = unique("tk")
    target = unique("tk-t")
    iam.create_user(UserName=target, Tags=[{"Key": "owner", "Value": "a"},
                                           {"Key": "temp", "Value": "b"}])
    me = user_client(server, iam, user, allow(
        ["iam:UntagUser", "iam:TagUser"],
        condition={"ForAllValues:StringLike": {"aws:TagKeys": ["temp*"]}}))
    assert call_error(me.untag_user, UserName=target, TagKeys=["owner"])[0] == "AccessDenied"
    me.untag_user(UserName=target, TagKeys=["temp"])
    me.tag_user(UserName=target, Tags=[{"Key": "temp2", "Value": "c"}])
    assert call_error(me.tag_user, UserName=target,
                      Tags=[{"Key": "owner", "Value": "me"}])[0] == "AccessDenied"
    assert iam.list_user_tags(UserName=target)["Tags"] == [{"Key": "owner", "Value": "a"},
                                                           {"Key": "temp2", "Value": "c"}]


def test_policy_variable_lets_user_manage_only_itself(server, iam):
    user = unique("selfonly")
    other = unique("other")
    iam.create_user(UserName=other)
    me = user_client(server, iam, user, allow(
        ["iam:GetUser", "iam:TagUser", "iam:ListUserTags", "iam:ListAccessKeys"],
        "arn:aws:iam::000000000000:user/${aws:username}"))
    assert me.get_user(UserName=user)["User"]["UserName"] == user
    me.tag_user(UserName=user, Tags=[{"Key": "mine", "Value": "yes"}])
    assert me.list_user_tags(UserName=user)["Tags"] == [{"Key": "mine", "Value": "yes"}]
    assert len(me.list_access_keys()["AccessKeyMetadata"]) == 1
    for op, kw in ((me.get_user, {"UserName": other}),
                   (me.tag_user, {"UserName": other, "Tags": [{"Key": "a", "Value": "b"}]}),
                   (me.list_access_keys, {"UserName": other})):
        code, message, _ = call_error(op, **kw)
        assert code == "AccessDenied"
        assert f"on resource: {iam_arn('user', other)} because" in message
    assert iam.list_user_tags(UserName=other)["Tags"] == []


def test_policy_variables_are_literal_in_2008_policies(server, iam):
    user = unique("v2008")
    me = user_client(server, iam, user, allow(
        "iam:GetUser", "arn:aws:iam::000000000000:user/${aws:username}") .replace(
        "2012-10-17", "2008-10-17"))
    assert call_error(me.get_user)[0] == "AccessDenied"


# -- condition keys AWS sets for IAM actions --------------------------------------------------------

def test_condition_on_iam_permissions_boundary(server, iam):
    """The delegated-administrator pattern: CreateUser only with a given boundary
    (iam:PermissionsBoundary, set by AWS for CreateUser and Put*PermissionsBoundary)."""
    user = unique("deleg")
    me = user_client(server, iam, user, allow("iam:CreateUser", condition={
        "StringEquals": {"iam:PermissionsBoundary": IAM_READ_ONLY}}))
    ok = unique("deleg-ok")
    made = me.create_user(UserName=ok, PermissionsBoundary=IAM_READ_ONLY)["User"]
    assert made["PermissionsBoundary"]["PermissionsBoundaryArn"] == IAM_READ_ONLY
    bad = unique("deleg-no")
    assert call_error(me.create_user, UserName=bad) == (
        "AccessDenied", access_denied(user, "iam:CreateUser", iam_arn("user", bad)), 403)


def test_condition_on_iam_policy_arn(server, iam):
    """iam:PolicyARN limits which managed policies a caller may attach."""
    user, target = unique("parn"), unique("parn-t")
    iam.create_user(UserName=target)
    me = user_client(server, iam, user, allow("iam:AttachUserPolicy", condition={
        "ArnEquals": {"iam:PolicyARN": IAM_READ_ONLY}}))
    me.attach_user_policy(UserName=target, PolicyArn=IAM_READ_ONLY)
    assert call_error(me.attach_user_policy, UserName=target, PolicyArn=ADMIN_POLICY) == (
        "AccessDenied",
        access_denied(user, "iam:AttachUserPolicy", iam_arn("user", target)), 403)
    assert iam.list_attached_user_policies(UserName=target)["AttachedPolicies"] == [
        {"PolicyName": "IAMReadOnlyAccess", "PolicyArn": IAM_READ_ONLY}]


def test_condition_on_resource_tag(server, iam):
    """aws:ResourceTag/<key> is the tag of the user or role acted on."""
    user, mine, theirs = unique("rt"), unique("rt-mine"), unique("rt-theirs")
    iam.create_user(UserName=mine, Tags=[{"Key": "team", "Value": "blue"}])
    iam.create_user(UserName=theirs, Tags=[{"Key": "team", "Value": "red"}])
    me = user_client(server, iam, user, allow("iam:GetUser", condition={
        "StringEquals": {"aws:ResourceTag/team": "blue"}}))
    assert me.get_user(UserName=mine)["User"]["UserName"] == mine
    assert call_error(me.get_user, UserName=theirs) == (
        "AccessDenied", access_denied(user, "iam:GetUser", iam_arn("user", theirs)), 403)


# -- persistence across a restart -----------------------------------------------------------------

def test_restart_keeps_everything_and_secrets_stay_sealed(start_server, tmp_path):
    state = tmp_path / "persist"
    s1 = start_server(state_dir=state)
    iam = s1.client("iam")
    user = iam.create_user(UserName="keeper", Path="/p/",
                           Tags=[{"Key": "team", "Value": "blue"}])["User"]
    _, key = create_user_with_key(iam, "worker", allow(["iam:GetUser", "iam:ListUsers"]))
    group = iam.create_group(GroupName="crew")["Group"]
    iam.add_user_to_group(GroupName="crew", UserName="worker")
    iam.put_group_policy(GroupName="crew", PolicyName="g", PolicyDocument=allow("iam:ListGroups"))
    role = iam.create_role(RoleName="runner", AssumeRolePolicyDocument=trust_policy())["Role"]
    pol = iam.create_policy(PolicyName="shared", PolicyDocument=allow("iam:ListRoles"))["Policy"]
    iam.create_policy_version(PolicyArn=pol["Arn"], PolicyDocument=allow("iam:List*"),
                              SetAsDefault=True)
    iam.attach_role_policy(RoleName="runner", PolicyArn=pol["Arn"])
    iam.attach_user_policy(UserName="worker", PolicyArn=pol["Arn"])
    iam.put_user_permissions_boundary(UserName="keeper", PermissionsBoundary=IAM_READ_ONLY)
    inactive = iam.create_access_key(UserName="keeper")["AccessKey"]
    iam.update_access_key(UserName="keeper", AccessKeyId=inactive["AccessKeyId"],
                          Status="Inactive")
    secret = key["SecretAccessKey"]
    assert s1.terminate() == 0

    # The secrets are sealed: neither appears in any file of the state directory, nor in the log.
    assert (state / "master.key").is_file()
    files = [p for p in state.rglob("*") if p.is_file()]
    assert any(p.name == "portcullis.db" for p in files)
    for p in files:
        data = p.read_bytes()
        for s in (secret, inactive["SecretAccessKey"]):
            assert s.encode() not in data, f"secret in plaintext in {p.name}"
    assert secret not in s1.stderr and secret not in s1.stdout

    s2 = start_server(state_dir=state)
    iam = s2.client("iam")
    got = iam.get_user(UserName="keeper")["User"]
    assert {k: got[k] for k in user} == user
    assert got["PermissionsBoundary"]["PermissionsBoundaryArn"] == IAM_READ_ONLY
    assert iam.get_group(GroupName="crew")["Group"] == group
    assert [u["UserName"] for u in iam.get_group(GroupName="crew")["Users"]] == ["worker"]
    got_role = iam.get_role(RoleName="runner")["Role"]
    assert (got_role["RoleId"], got_role["Arn"]) == (role["RoleId"], role["Arn"])
    got_pol = iam.get_policy(PolicyArn=pol["Arn"])["Policy"]
    assert (got_pol["PolicyId"], got_pol["DefaultVersionId"], got_pol["AttachmentCount"]) == \
        (pol["PolicyId"], "v2", 2)
    assert iam.list_attached_user_policies(UserName="admin")["AttachedPolicies"] == [
        {"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN_POLICY}]
    # The key made before the restart signs requests, with the same permissions.
    worker = make_client("iam", s2.endpoint, key["AccessKeyId"], secret)
    assert worker.get_user()["User"]["UserName"] == "worker"
    assert worker.list_roles()["Roles"]  # the managed policy's default version v2
    assert worker.list_groups()["Groups"]  # the group's inline policy
    assert call_error(worker.create_user, UserName="x")[0] == "AccessDenied"
    # The inactive key is still inactive; the admin's key still works.
    assert call_error(make_client("iam", s2.endpoint, inactive["AccessKeyId"],
                                  inactive["SecretAccessKey"]).get_user) == INVALID_TOKEN
    assert iam.list_access_keys(UserName="admin")["AccessKeyMetadata"][0]["AccessKeyId"] == \
        ADMIN_KEY
