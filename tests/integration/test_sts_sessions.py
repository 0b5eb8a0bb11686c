"""STS sessions end to end: AssumeRole (trust policies, ExternalId, session policies, durations,
role chaining, session names, session tags, source identity), the session token (tampering,
another session's token, deleted roles, restarts, another server's keys), GetSessionToken,
GetAccessKeyInfo and the request context of role sessions — through boto3 and the aws CLI."""

from __future__ import annotations

import http.client
import itertools
import json
import re
import time

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from portcullis_helpers import (unique, ADMIN_KEY, ADMIN_SECRET, DEFAULT_ACCOUNT, FORM_TYPE,
                                INVALID_TOKEN, STS_FORM, allow, assumed_role_arn, call_error,
                                create_user_with_key, iam_arn, make_client, policy, query_error,
                                run_aws, session_client, statement, trust_document,
                                trust_statement)

ROOT = {"AWS": f"arn:aws:iam::{DEFAULT_ACCOUNT}:root"}
ADMIN_USER_ARN = iam_arn("user", "admin")
ASIA = re.compile(r"ASIA[A-Z2-7]{16}")
B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
SESSION_NAME_PATTERN = r"[\w+=,.@-]*"






@pytest.fixture(scope="module")
def sts(server):
    return server.client("sts")


@pytest.fixture(scope="module")
def sts_unvalidated(server):
    """Admin STS client without botocore's own checks (to send what only the server refuses)."""
    return server.client("sts", validate=False)


def make_role(iam, prefix: str = "role", trust: str | None = None, *inline: str, **kw) -> dict:
    """A new role (trusting the account unless `trust` is given) with inline policies p0, p1, …"""
    name = unique(prefix)
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust or trust_document(
        trust_statement(ROOT)), **kw)["Role"]
    for i, doc in enumerate(inline):
        iam.put_role_policy(RoleName=name, PolicyName=f"p{i}", PolicyDocument=doc)
    return role


def assume(sts_client, role: dict, session: str = "sess", **kw) -> dict:
    return sts_client.assume_role(RoleArn=role["Arn"], RoleSessionName=session, **kw)


def user_sts(server, iam, prefix: str, *inline: str) -> tuple[dict, object]:
    """A new user (inline policies) and an STS client signed with its access key."""
    user, key = create_user_with_key(iam, unique(prefix), *inline)
    return user, make_client("sts", server.endpoint, key["AccessKeyId"], key["SecretAccessKey"])


def trusted_user(server, iam, prefix: str) -> tuple[dict, object]:
    """A user without any identity policy (so only a trust policy naming it can let it in)."""
    return user_sts(server, iam, prefix)


def denied(principal_arn: str, action: str, resource: str, why: str = "") -> str:
    return (f"User: {principal_arn} is not authorized to perform: {action} "
            f"on resource: {resource}{why}")


def no_identity(action: str) -> str:
    return f" because no identity-based policy allows the {action} action"


def assert_expires_in(credentials: dict, seconds: int, before: float, after: float) -> None:
    exp = credentials["Expiration"].timestamp()
    assert int(before) + seconds - 1 <= exp <= after + seconds + 1, (exp - before, seconds)


USERS_RESOURCE = iam_arn("user", "")  # what ListUsers is authorized on


# -- AssumeRole: the happy path -------------------------------------------------------------------

def test_assume_role_response_shape(iam, sts):
    role = make_role(iam, "shape", None, allow("iam:ListRoles"))
    before = time.time()
    r = assume(sts, role, "shape-session", DurationSeconds=1800)
    after = time.time()
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert set(r) == {"Credentials", "AssumedRoleUser", "ResponseMetadata"}, r
    c = r["Credentials"]
    assert set(c) == {"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}
    assert ASIA.fullmatch(c["AccessKeyId"]), c["AccessKeyId"]
    assert len(c["SecretAccessKey"]) == 40
    assert len(c["SessionToken"]) > 100
    assert_expires_in(c, 1800, before, after)
    assert role["RoleId"].startswith("AROA")
    assert r["AssumedRoleUser"] == {
        "Arn": assumed_role_arn(role["RoleName"], "shape-session"),
        "AssumedRoleId": f"{role['RoleId']}:shape-session"}
    # Every session gets its own credentials.
    c2 = assume(sts, role, "shape-session")["Credentials"]
    assert c2["AccessKeyId"] != c["AccessKeyId"]
    assert c2["SecretAccessKey"] != c["SecretAccessKey"]
    assert c2["SessionToken"] != c["SessionToken"]


def test_session_is_the_assumed_role(server, iam, sts):
    managed = iam.create_policy(PolicyName=unique("get-user"),
                                PolicyDocument=allow("iam:GetUser"))["Policy"]["Arn"]
    role = make_role(iam, "who", None, allow("iam:ListRoles"))
    iam.attach_role_policy(RoleName=role["RoleName"], PolicyArn=managed)
    creds = assume(sts, role, "who-session")["Credentials"]
    me = session_client(server, "sts", creds).get_caller_identity()
    arn = assumed_role_arn(role["RoleName"], "who-session")
    assert (me["Arn"], me["UserId"], me["Account"]) == (
        arn, f"{role['RoleId']}:who-session", DEFAULT_ACCOUNT)
    s_iam = session_client(server, "iam", creds)
    # The role's inline and managed policies apply to the session …
    assert any(r["RoleName"] == role["RoleName"] for r in s_iam.list_roles()["Roles"])
    assert s_iam.get_user(UserName="admin")["User"]["Arn"] == ADMIN_USER_ARN
    # … and nothing else.
    assert call_error(s_iam.list_users) == (
        "AccessDenied", denied(arn, "iam:ListUsers", USERS_RESOURCE, no_identity("iam:ListUsers")),
        403)
    assert call_error(s_iam.create_user, UserName=unique("nope"))[::2] == ("AccessDenied", 403)
    # A change to the role's policies applies to its live sessions.
    iam.put_role_policy(RoleName=role["RoleName"], PolicyName="more",
                        PolicyDocument=allow("iam:ListUsers"))
    s_iam.list_users()


def test_aws_cli_assume_role_then_session_env(server, iam, tmp_path):
    role = make_role(iam, "cli", None, allow("iam:ListRoles"))
    admin = {"AWS_ACCESS_KEY_ID": ADMIN_KEY, "AWS_SECRET_ACCESS_KEY": ADMIN_SECRET}
    p = run_aws(["--endpoint-url", server.endpoint, "--output", "json", "sts", "assume-role",
                 "--role-arn", role["Arn"], "--role-session-name", "cli-session",
                 "--duration-seconds", "900"], tmp_path, env=admin)
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    c = doc["Credentials"]
    assert ASIA.fullmatch(c["AccessKeyId"])
    assert doc["AssumedRoleUser"]["Arn"] == assumed_role_arn(role["RoleName"], "cli-session")
    env = {"AWS_ACCESS_KEY_ID": c["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": c["SecretAccessKey"],
           "AWS_SESSION_TOKEN": c["SessionToken"]}
    p = run_aws(["--endpoint-url", server.endpoint, "--output", "json", "sts",
                 "get-caller-identity"], tmp_path, env=env)
    assert p.returncode == 0, p.stderr
    me = json.loads(p.stdout)
    assert me["Arn"] == assumed_role_arn(role["RoleName"], "cli-session")
    assert me["UserId"] == f"{role['RoleId']}:cli-session"
    p = run_aws(["--endpoint-url", server.endpoint, "iam", "list-users"], tmp_path, env=env)
    assert p.returncode != 0
    assert "AccessDenied" in p.stderr, p.stderr
    assert "assumed-role/" + role["RoleName"] + "/cli-session is not authorized to perform: " \
        "iam:ListUsers" in p.stderr, p.stderr


# -- trust policies -------------------------------------------------------------------------------

def test_trust_naming_a_user_lets_only_that_user_in(server, iam):
    alice, alice_sts = user_sts(server, iam, "alice")  # no identity policy at all
    bob, bob_sts = user_sts(server, iam, "bob")
    role = make_role(iam, "for-alice", trust_document(trust_statement({"AWS": alice["Arn"]})))
    r = assume(alice_sts, role, "alice")
    assert r["AssumedRoleUser"]["Arn"] == assumed_role_arn(role["RoleName"], "alice")
    assert call_error(assume, bob_sts, role, "bob") == (
        "AccessDenied", denied(bob["Arn"], "sts:AssumeRole", role["Arn"]), 403)


def test_trust_policy_is_required_even_for_an_administrator(iam, sts):
    """Role trust policies must explicitly allow the principal, the action (sts:TagSession,
    sts:SetSourceIdentity) and their conditions: an identity policy allowing everything (the
    admin's AdministratorAccess) is not enough. AWS, policy evaluation logic: "Role trust
    policies and KMS key policies are exceptions … they must explicitly allow access for
    principals"."""
    other, _ = create_user_with_key(iam, unique("trusted"))
    cases = {
        "trust names another user": (trust_statement({"AWS": other["Arn"]}), {},
                                     "sts:AssumeRole"),
        "trust names a service": (trust_statement({"Service": "lambda.amazonaws.com"}), {},
                                  "sts:AssumeRole"),
        "ExternalId condition unmet": (
            trust_statement(ROOT, condition={"StringEquals": {"sts:ExternalId": "Unicorn-42"}}),
            {"ExternalId": "wrong-id"}, "sts:AssumeRole"),
        "Tags without sts:TagSession": (trust_statement(ROOT),
                                        {"Tags": [{"Key": "team", "Value": "pets"}]},
                                        "sts:TagSession"),
        "SourceIdentity without sts:SetSourceIdentity": (trust_statement(ROOT),
                                                         {"SourceIdentity": "alice"},
                                                         "sts:SetSourceIdentity"),
    }
    wrong = {}
    for case, (trust, kw, action) in cases.items():
        role = make_role(iam, "adm", trust_document(trust))
        try:
            assume(sts, role, "admin", **kw)
        except ClientError as e:
            err = e.response["Error"]
            got = (err["Code"], err["Message"])
            if got != ("AccessDenied", denied(ADMIN_USER_ARN, action, role["Arn"])):
                wrong[case] = got
        else:
            wrong[case] = "assumed the role"
    assert wrong == {}, wrong


def test_trust_naming_the_account_needs_an_identity_policy(server, iam):
    role = make_role(iam, "acct")
    other = make_role(iam, "acct-other")
    nobody, nobody_sts = user_sts(server, iam, "nopolicy")
    _, ok_sts = user_sts(server, iam, "canassume", allow("sts:AssumeRole", role["Arn"]))
    wrong, wrong_sts = user_sts(server, iam, "wrongres", allow("sts:AssumeRole", other["Arn"]))
    assert call_error(assume, nobody_sts, role) == (
        "AccessDenied", denied(nobody["Arn"], "sts:AssumeRole", role["Arn"]), 403)
    assert assume(ok_sts, role)["AssumedRoleUser"]["Arn"] == assumed_role_arn(role["RoleName"],
                                                                              "sess")
    assert call_error(assume, wrong_sts, role) == (
        "AccessDenied", denied(wrong["Arn"], "sts:AssumeRole", role["Arn"]), 403)
    assume(wrong_sts, other)


def test_external_id_condition(server, iam):
    user, u_sts = trusted_user(server, iam, "extid-user")
    role = make_role(iam, "extid", trust_document(trust_statement(
        {"AWS": user["Arn"]}, condition={"StringEquals": {"sts:ExternalId": "Unicorn-42"}})))
    want = ("AccessDenied", denied(user["Arn"], "sts:AssumeRole", role["Arn"]), 403)
    assert call_error(assume, u_sts, role) == want
    assert call_error(assume, u_sts, role, ExternalId="unicorn-42") == want
    assert call_error(assume, u_sts, role, ExternalId="Unicorn-43") == want
    r = assume(u_sts, role, ExternalId="Unicorn-42")
    assert r["AssumedRoleUser"]["Arn"] == assumed_role_arn(role["RoleName"], "sess")


def test_nonexistent_role_is_access_denied(sts):
    for arn in (iam_arn("role", "no-such-role-at-all"),
                "arn:aws:iam::123456789012:role/someone-elses"):
        assert call_error(sts.assume_role, RoleArn=arn, RoleSessionName="s1") == (
            "AccessDenied", denied(ADMIN_USER_ARN, "sts:AssumeRole", arn), 403)


def test_trust_policy_deny_wins(server, iam, sts):
    carol, carol_sts = user_sts(server, iam, "carol", allow("sts:AssumeRole"))
    role = make_role(iam, "deny", trust_document(
        trust_statement(ROOT),
        trust_statement({"AWS": carol["Arn"]}),
        trust_statement({"AWS": carol["Arn"]}, effect="Deny")))
    assert call_error(assume, carol_sts, role, "carol") == (
        "AccessDenied", denied(carol["Arn"], "sts:AssumeRole", role["Arn"]), 403)
    assume(sts, role, "admin")  # the deny names carol only


# -- session policies -----------------------------------------------------------------------------

def test_inline_session_policy_narrows_the_role(server, iam, sts):
    role = make_role(iam, "narrow", None, allow(["iam:ListRoles", "iam:ListUsers"]))
    r = assume(sts, role, "narrow", Policy=allow(["iam:ListUsers", "iam:ListGroups"]))
    size = r["PackedPolicySize"]
    assert isinstance(size, int) and 0 < size <= 100, size
    arn = assumed_role_arn(role["RoleName"], "narrow")
    s_iam = session_client(server, "iam", r["Credentials"])
    s_iam.list_users()  # both allow
    assert call_error(s_iam.list_roles) == (
        "AccessDenied", denied(arn, "iam:ListRoles", iam_arn("role", ""),
                               " because no session policy allows the iam:ListRoles action"), 403)
    assert call_error(s_iam.list_groups) == (
        "AccessDenied", denied(arn, "iam:ListGroups", iam_arn("group", ""),
                               no_identity("iam:ListGroups")), 403)
    # GetCallerIdentity needs no permission, whatever the session policy.
    assert session_client(server, "sts", r["Credentials"]).get_caller_identity()["Arn"] == arn


def test_managed_session_policies_narrow_the_role(server, iam, sts):
    role = make_role(iam, "narrowm", None, allow(["iam:ListRoles", "iam:ListUsers"]))
    roles_only = iam.create_policy(PolicyName=unique("roles-only"),
                                   PolicyDocument=allow("iam:ListRoles"))["Policy"]["Arn"]
    groups = iam.create_policy(PolicyName=unique("groups"),
                               PolicyDocument=allow("iam:ListGroups"))["Policy"]["Arn"]
    r = assume(sts, role, "narrowm", PolicyArns=[{"arn": roles_only}, {"arn": groups}])
    assert isinstance(r["PackedPolicySize"], int) and 0 < r["PackedPolicySize"] <= 100
    arn = assumed_role_arn(role["RoleName"], "narrowm")
    s_iam = session_client(server, "iam", r["Credentials"])
    s_iam.list_roles()
    assert call_error(s_iam.list_users) == (
        "AccessDenied", denied(arn, "iam:ListUsers", USERS_RESOURCE,
                               " because no session policy allows the iam:ListUsers action"), 403)
    assert call_error(s_iam.list_groups)[0] == "AccessDenied"  # the role does not allow it
    # An inline and a managed session policy together: allowed if either allows (and the role).
    r = assume(sts, role, "both", Policy=allow("iam:ListUsers"), PolicyArns=[{"arn": roles_only}])
    s_iam = session_client(server, "iam", r["Credentials"])
    s_iam.list_users()
    s_iam.list_roles()


def test_session_policy_explicit_deny(server, iam, sts):
    role = make_role(iam, "sdeny", None, allow("iam:List*"))
    r = assume(sts, role, "sdeny", Policy=policy(statement("Allow", "*"),
                                                 statement("Deny", "iam:ListUsers")))
    arn = assumed_role_arn(role["RoleName"], "sdeny")
    s_iam = session_client(server, "iam", r["Credentials"])
    s_iam.list_roles()
    assert call_error(s_iam.list_users) == (
        "AccessDenied", denied(arn, "iam:ListUsers", USERS_RESOURCE,
                               " with an explicit deny in a session policy"), 403)


def test_session_policy_over_2048_characters_is_a_validation_error(iam, sts_unvalidated):
    role = make_role(iam, "huge")
    doc = policy(*(statement("Allow", "iam:GetUser", iam_arn("user", f"user-number-{i:04d}"))
                   for i in range(40)))
    assert len(doc) > 2048
    code, message, status = call_error(assume, sts_unvalidated, role, Policy=doc)
    assert (code, status) == ("ValidationError", 400)
    assert re.fullmatch(r"1 validation error detected: Value '.*' at 'policy' failed to satisfy "
                        r"constraint: Member must have length less than or equal to 2048",
                        message, re.S), message[-200:]


def test_packed_policy_too_large(iam, sts):
    """Under 2,048 characters, but the policy and the session tags together take more than the
    packed allowance."""
    role = make_role(iam, "packed", trust_document(
        trust_statement(ROOT, ["sts:AssumeRole", "sts:TagSession"])))
    doc = policy(*(statement("Allow", "iam:GetUser", iam_arn("user", f"u{i:03d}"))
                   for i in range(20)))
    assert 1800 < len(doc) <= 2048, len(doc)
    tags = [{"Key": f"key{i}", "Value": "v" * 100} for i in range(5)]
    code, message, status = call_error(assume, sts, role, Policy=doc, Tags=tags)
    assert (code, status) == ("PackedPolicyTooLarge", 400), message
    m = re.fullmatch(r"Packed policy consumes (\d+)% of allotted space, please use smaller "
                     r"policy\.", message)
    assert m and int(m.group(1)) > 100, message
    # Without the tags it fits.
    r = assume(sts, role, Policy=doc)
    assert 50 < r["PackedPolicySize"] <= 100


# -- DurationSeconds and role chaining ------------------------------------------------------------

def test_duration_below_900_is_a_validation_error(iam, sts_unvalidated):
    role = make_role(iam, "short")
    assert call_error(assume, sts_unvalidated, role, DurationSeconds=899) == (
        "ValidationError", "1 validation error detected: Value '899' at 'durationSeconds' failed "
        "to satisfy constraint: Member must have value greater than or equal to 900", 400)


def test_duration_over_max_session_duration(iam, sts):
    role = make_role(iam, "maxdur")  # MaxSessionDuration 3600
    message = "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
    assert call_error(assume, sts, role, DurationSeconds=3601) == ("ValidationError", message, 400)
    before = time.time()
    c = assume(sts, role)["Credentials"]  # default: one hour
    assert_expires_in(c, 3600, before, time.time())
    long_role = make_role(iam, "maxdur-long", None, MaxSessionDuration=7200)
    before = time.time()
    c = assume(sts, long_role, DurationSeconds=7200)["Credentials"]
    assert_expires_in(c, 7200, before, time.time())
    assert call_error(assume, sts, long_role, DurationSeconds=7201) == (
        "ValidationError", message, 400)


def test_role_chaining(server, iam, sts):
    second = make_role(iam, "chain-b", None, allow("iam:ListRoles"), MaxSessionDuration=43200)
    first = make_role(iam, "chain-a", None, allow("sts:AssumeRole", second["Arn"]))
    c1 = assume(sts, first, "one")["Credentials"]
    chained_sts = session_client(server, "sts", c1)
    before = time.time()
    r = assume(chained_sts, second, "two")
    assert_expires_in(r["Credentials"], 3600, before, time.time())
    assert r["AssumedRoleUser"]["Arn"] == assumed_role_arn(second["RoleName"], "two")
    c2 = r["Credentials"]
    assert session_client(server, "sts", c2).get_caller_identity()["Arn"] == \
        assumed_role_arn(second["RoleName"], "two")
    session_client(server, "iam", c2).list_roles()  # the second role's permissions
    assert call_error(assume, chained_sts, second, "two", DurationSeconds=3601) == (
        "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for "
        "roles assumed by role chaining.", 400)
    # The first role's session may assume only what the first role allows.
    assert call_error(assume, chained_sts, first, "again") == (
        "AccessDenied", denied(assumed_role_arn(first["RoleName"], "one"), "sts:AssumeRole",
                               first["Arn"]), 403)
    # Not chained: the long-term key gets the role's full MaxSessionDuration.
    assume(sts, second, "long", DurationSeconds=43200)


def test_trust_naming_a_role_lets_its_sessions_in(server, iam, sts):
    first = make_role(iam, "by-role-a", None, allow("sts:AssumeRole"))
    second = make_role(iam, "by-role-b", trust_document(trust_statement({"AWS": first["Arn"]})))
    c1 = assume(sts, first, "one")["Credentials"]
    r = assume(session_client(server, "sts", c1), second, "two")
    assert r["AssumedRoleUser"]["Arn"] == assumed_role_arn(second["RoleName"], "two")


# -- RoleSessionName ------------------------------------------------------------------------------

@pytest.mark.parametrize("name, constraint", [
    ("a", "Member must have length greater than or equal to 2"),
    ("x" * 65, "Member must have length less than or equal to 64"),
    ("bad name", f"Member must satisfy regular expression pattern: {SESSION_NAME_PATTERN}"),
    ("a/b", f"Member must satisfy regular expression pattern: {SESSION_NAME_PATTERN}"),
    ("a*b", f"Member must satisfy regular expression pattern: {SESSION_NAME_PATTERN}"),
    ("caf\u00e9", f"Member must satisfy regular expression pattern: {SESSION_NAME_PATTERN}"),
])
def test_role_session_name_validation(iam, sts_unvalidated, name, constraint):
    role_arn = iam_arn("role", "any-role-name")  # validation comes before the role lookup
    assert call_error(sts_unvalidated.assume_role, RoleArn=role_arn, RoleSessionName=name) == (
        "ValidationError", f"1 validation error detected: Value '{name}' at 'roleSessionName' "
        f"failed to satisfy constraint: {constraint}", 400)


def test_role_session_name_limits_accepted(iam, sts):
    role = make_role(iam, "names")
    for name in ("ab", "x" * 64, "a_b+c=d,e.f@g-h"):
        assert assume(sts, role, name)["AssumedRoleUser"]["Arn"] == assumed_role_arn(
            role["RoleName"], name)


# -- session tags and source identity --------------------------------------------------------------

TEAM_PETS = {"StringEquals": {"aws:PrincipalTag/team": "pets"}}


def test_session_tags_need_tag_session(server, iam):
    user, u_sts = trusted_user(server, iam, "notag-user")
    role = make_role(iam, "notag", trust_document(trust_statement({"AWS": user["Arn"]})))
    assert call_error(assume, u_sts, role, Tags=[{"Key": "team", "Value": "pets"}]) == (
        "AccessDenied", denied(user["Arn"], "sts:TagSession", role["Arn"]), 403)
    assume(u_sts, role)


def test_session_tags_are_principal_tags(server, iam):
    user, u_sts = trusted_user(server, iam, "tag-user")
    me = {"AWS": user["Arn"]}
    role = make_role(iam, "tagged", trust_document(
        trust_statement(me, ["sts:AssumeRole", "sts:TagSession"])),
        allow("iam:ListUsers", condition=TEAM_PETS), Tags=[{"Key": "team", "Value": "cats"}])
    pets = assume(u_sts, role, "pets", Tags=[{"Key": "team", "Value": "pets"}])
    assert isinstance(pets["PackedPolicySize"], int) and 0 < pets["PackedPolicySize"] <= 100
    session_client(server, "iam", pets["Credentials"]).list_users()
    # The role's own tag (team=cats) when the session sets none; another value.
    for kw in ({"Tags": [{"Key": "team", "Value": "dogs"}]}, {}):
        c = assume(u_sts, role, "other", **kw)["Credentials"]
        assert call_error(session_client(server, "iam", c).list_users) == (
            "AccessDenied", denied(assumed_role_arn(role["RoleName"], "other"), "iam:ListUsers",
                                   USERS_RESOURCE, no_identity("iam:ListUsers")), 403)
    # The trust policy can condition on the requested tags.
    gated = make_role(iam, "gated", trust_document(
        trust_statement(me, ["sts:AssumeRole", "sts:TagSession"],
                        condition={"StringEquals": {"aws:RequestTag/team": "pets"}})))
    assume(u_sts, gated, Tags=[{"Key": "team", "Value": "pets"}])
    assert call_error(assume, u_sts, gated, Tags=[{"Key": "team", "Value": "dogs"}]) == (
        "AccessDenied", denied(user["Arn"], "sts:AssumeRole", gated["Arn"]), 403)


def test_transitive_session_tags_persist_through_role_chaining(server, iam, sts):
    """AWS: transitive session tags pass to every later session of a role chain."""
    tag_trust = trust_document(trust_statement(ROOT, ["sts:AssumeRole", "sts:TagSession"]))
    second = make_role(iam, "trans-b", tag_trust, allow("iam:ListUsers", condition=TEAM_PETS))
    first = make_role(iam, "trans-a", tag_trust,
                      allow(["sts:AssumeRole", "sts:TagSession"], second["Arn"]))
    c1 = assume(sts, first, "one", Tags=[{"Key": "team", "Value": "pets"}],
                TransitiveTagKeys=["team"])["Credentials"]
    c2 = assume(session_client(server, "sts", c1), second, "two")["Credentials"]
    session_client(server, "iam", c2).list_users()


def test_source_identity(server, iam):
    user, u_sts = trusted_user(server, iam, "src-user")
    me = {"AWS": user["Arn"]}
    plain = make_role(iam, "nosrc", trust_document(trust_statement(me)))
    assert call_error(assume, u_sts, plain, SourceIdentity="alice") == (
        "AccessDenied", denied(user["Arn"], "sts:SetSourceIdentity", plain["Arn"]), 403)
    role = make_role(iam, "src", trust_document(
        trust_statement(me, ["sts:AssumeRole", "sts:SetSourceIdentity"])),
        allow("iam:ListUsers", condition={"StringEquals": {"aws:SourceIdentity": "alice"}}))
    r = assume(u_sts, role, "alice-session", SourceIdentity="alice")
    assert r["SourceIdentity"] == "alice"
    session_client(server, "iam", r["Credentials"]).list_users()
    r = assume(u_sts, role, "bob-session", SourceIdentity="bob")
    assert r["SourceIdentity"] == "bob"
    assert call_error(session_client(server, "iam", r["Credentials"]).list_users)[0] == \
        "AccessDenied"
    r = assume(u_sts, role, "nobody")
    assert "SourceIdentity" not in r
    assert call_error(session_client(server, "iam", r["Credentials"]).list_users)[0] == \
        "AccessDenied"


def test_source_identity_persists_through_role_chaining(server, iam, sts):
    """AWS: the source identity persists across chained role sessions and, once set, cannot be
    changed ("Monitor and control actions taken with assumed roles")."""
    role = make_role(iam, "src-chain", trust_document(
        trust_statement(ROOT, ["sts:AssumeRole", "sts:SetSourceIdentity"])),
        allow(["sts:AssumeRole", "sts:SetSourceIdentity"]),
        allow("iam:ListUsers", condition={"StringEquals": {"aws:SourceIdentity": "alice"}}))
    c1 = assume(sts, role, "one", SourceIdentity="alice")["Credentials"]
    chained_sts = session_client(server, "sts", c1)
    r = assume(chained_sts, role, "two")
    assert r.get("SourceIdentity") == "alice"
    session_client(server, "iam", r["Credentials"]).list_users()
    # Another source identity for the chained session: refused, or the first one kept.
    try:
        r = assume(chained_sts, role, "three", SourceIdentity="bob")
    except ClientError:
        return
    assert r.get("SourceIdentity") == "alice", r.get("SourceIdentity")


# -- the session token ----------------------------------------------------------------------------

def raw_sts(conn: http.client.HTTPConnection, port: int, key: str, secret: str,
            token: str | None) -> tuple[int, bytes]:
    """GetCallerIdentity signed with the given credentials, on a kept-alive connection."""
    req = AWSRequest(method="POST", url=f"http://127.0.0.1:{port}/", data=STS_FORM,
                     headers={"Content-Type": FORM_TYPE})
    SigV4Auth(Credentials(key, secret, token), "sts", "us-east-1").add_auth(req)
    conn.request("POST", "/", body=STS_FORM.encode(), headers=dict(req.headers.items()))
    r = conn.getresponse()
    return r.status, r.read()


def test_tampered_session_token_is_invalid(server, iam, sts):
    role = make_role(iam, "tamper")
    # A token whose base64url text ends inside a byte group, so that its last character has
    # bits no byte uses: changing them must invalidate the token all the same.
    for session in ("tamper", "tamper1", "tamper12"):
        c = assume(sts, role, session)["Credentials"]
        if len(c["SessionToken"][4:]) % 4:
            break
    key, secret, token = c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        assert raw_sts(conn, server.port, key, secret, token)[0] == 200
        accepted = []
        for i, ch in enumerate(token):
            if ch not in B64URL:
                continue
            for flip in (1, 32):  # the lowest and the highest bit of the character's 6
                bad = token[:i] + B64URL[B64URL.index(ch) ^ flip] + token[i + 1:]
                status, body = raw_sts(conn, server.port, key, secret, bad)
                if status == 200:
                    accepted.append((i, ch, bad[i]))
                else:
                    assert (status, query_error(body)[1:]) == (
                        403, ("InvalidClientTokenId", INVALID_TOKEN[1])), (i, body)
        # Truncated and extended tokens too.
        for bad in (token[:-1], token[:-4], token + "A", token + "AAAA", "PCS1", token[4:]):
            status, body = raw_sts(conn, server.port, key, secret, bad)
            assert (status, query_error(body)[1]) == (403, "InvalidClientTokenId"), bad[-8:]
        assert raw_sts(conn, server.port, key, secret, token)[0] == 200
    finally:
        conn.close()
    assert accepted == [], f"{len(token)}-character token accepted with a changed character " \
                           f"(position, original, replacement): {accepted}"


def test_other_sessions_token_and_missing_token(server, iam, sts):
    role = make_role(iam, "mixed")
    a = assume(sts, role, "sa")["Credentials"]
    b = assume(sts, role, "sb")["Credentials"]
    mixed = dict(a, SessionToken=b["SessionToken"])
    assert call_error(session_client(server, "sts", mixed).get_caller_identity) == INVALID_TOKEN
    no_token = {"AccessKeyId": a["AccessKeyId"], "SecretAccessKey": a["SecretAccessKey"]}
    assert call_error(session_client(server, "sts", no_token).get_caller_identity) == INVALID_TOKEN
    # The right secret matters too: a session's key and token with another secret.
    wrong_secret = dict(a, SecretAccessKey=b["SecretAccessKey"])
    assert call_error(session_client(server, "sts", wrong_secret).get_caller_identity)[0] == \
        "SignatureDoesNotMatch"
    # A long-term key with a session token is refused as well.
    admin_with_token = {"AccessKeyId": ADMIN_KEY, "SecretAccessKey": ADMIN_SECRET,
                        "SessionToken": a["SessionToken"]}
    assert call_error(session_client(server, "sts", admin_with_token).get_caller_identity) == \
        INVALID_TOKEN
    session_client(server, "sts", a).get_caller_identity()


def test_deleting_the_role_ends_its_sessions(server, iam, sts):
    role = make_role(iam, "doomed", None, allow("iam:ListRoles"))
    c = assume(sts, role)["Credentials"]
    s_sts = session_client(server, "sts", c)
    s_sts.get_caller_identity()
    iam.delete_role_policy(RoleName=role["RoleName"], PolicyName="p0")
    iam.delete_role(RoleName=role["RoleName"])
    assert call_error(s_sts.get_caller_identity) == INVALID_TOKEN
    assert call_error(session_client(server, "iam", c).list_roles) == INVALID_TOKEN
    # A new role of the same name is another role: the old sessions stay dead.
    iam.create_role(RoleName=role["RoleName"], AssumeRolePolicyDocument=trust_document(
        trust_statement(ROOT)))
    assert call_error(s_sts.get_caller_identity) == INVALID_TOKEN


def test_sessions_survive_a_restart_but_not_another_state(start_server, tmp_path):
    state = tmp_path / "kept"
    first = start_server(state_dir=state)
    iam = first.client("iam")
    role = make_role(iam, "restart", None, allow("iam:ListRoles"))
    c = assume(first.client("sts"), role, "before")["Credentials"]
    assert first.terminate() == 0
    again = start_server(state_dir=state)
    me = session_client(again, "sts", c).get_caller_identity()
    assert me["Arn"] == assumed_role_arn(role["RoleName"], "before")
    session_client(again, "iam", c).list_roles()
    # A server with other state has other keys (and the same account, admin and role name).
    other = start_server(state_dir=tmp_path / "other")
    other.client("iam").create_role(RoleName=role["RoleName"],
                                    AssumeRolePolicyDocument=trust_document(trust_statement(ROOT)))
    assert call_error(session_client(other, "sts", c).get_caller_identity) == INVALID_TOKEN
    # Sessions the restarted server issues work as well.
    c2 = assume(again.client("sts"), role, "after")["Credentials"]
    assert session_client(again, "sts", c2).get_caller_identity()["Arn"] == assumed_role_arn(
        role["RoleName"], "after")


# -- GetSessionToken ------------------------------------------------------------------------------

def test_get_session_token_durations(server, iam, sts_unvalidated):
    _, key = create_user_with_key(iam, unique("gst"))
    u_sts = make_client("sts", server.endpoint, key["AccessKeyId"], key["SecretAccessKey"],
                        validate=False)
    for seconds in (None, 900, 129600):
        before = time.time()
        r = u_sts.get_session_token(**({"DurationSeconds": seconds} if seconds else {}))
        c = r["Credentials"]
        assert set(r) == {"Credentials", "ResponseMetadata"}
        assert ASIA.fullmatch(c["AccessKeyId"]) and len(c["SecretAccessKey"]) == 40
        assert_expires_in(c, seconds or 43200, before, time.time())
    for seconds, bound in ((899, "greater than or equal to 900"),
                           (129601, "less than or equal to 129600")):
        assert call_error(u_sts.get_session_token, DurationSeconds=seconds) == (
            "ValidationError", f"1 validation error detected: Value '{seconds}' at "
            f"'durationSeconds' failed to satisfy constraint: Member must have value {bound}", 400)


def test_get_session_token_credentials(server, iam):
    user, key = create_user_with_key(iam, unique("gstu"), allow("iam:*"))
    role = make_role(iam, "gst-role", trust_document(trust_statement({"AWS": user["Arn"]})))
    u_sts = make_client("sts", server.endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    c = u_sts.get_session_token(DurationSeconds=900)["Credentials"]
    s_sts = session_client(server, "sts", c)
    me = s_sts.get_caller_identity()
    assert (me["Arn"], me["UserId"], me["Account"]) == (user["Arn"], user["UserId"],
                                                        DEFAULT_ACCOUNT)
    # AssumeRole works with them (as the user) …
    r = assume(s_sts, role, "from-gst")
    assert r["AssumedRoleUser"]["Arn"] == assumed_role_arn(role["RoleName"], "from-gst")
    # … IAM does not (no MFA), whatever the user's policies …
    assert call_error(session_client(server, "iam", c).list_users) == INVALID_TOKEN
    make_client("iam", server.endpoint, key["AccessKeyId"], key["SecretAccessKey"]).list_users()
    # … and neither these nor a role session's credentials get another session token.
    for creds in (c, r["Credentials"]):
        assert call_error(session_client(server, "sts", creds).get_session_token) == (
            "AccessDenied", "Cannot call GetSessionToken with session credentials", 403)


# -- GetAccessKeyInfo -----------------------------------------------------------------------------

def test_get_access_key_info(server, iam, sts):
    assert sts.get_access_key_info(AccessKeyId=ADMIN_KEY)["Account"] == DEFAULT_ACCOUNT
    role = make_role(iam, "aki", None, allow("sts:GetAccessKeyInfo"))
    c = assume(sts, role)["Credentials"]
    assert sts.get_access_key_info(AccessKeyId=c["AccessKeyId"])["Account"] == DEFAULT_ACCOUNT
    assert session_client(server, "sts", c).get_access_key_info(
        AccessKeyId=ADMIN_KEY)["Account"] == DEFAULT_ACCOUNT
    user, u_sts = user_sts(server, iam, "aki-deny", allow("*"),
                           policy(statement("Deny", "sts:GetAccessKeyInfo")))
    code, message, status = call_error(u_sts.get_access_key_info, AccessKeyId=ADMIN_KEY)
    assert (code, status) == ("AccessDenied", 403)
    assert message.startswith(f"User: {user['Arn']} is not authorized to perform: "
                              "sts:GetAccessKeyInfo"), message
    assert message.endswith(" with an explicit deny in an identity-based policy"), message


# -- the request context of a role session --------------------------------------------------------

def test_role_session_condition_keys(server, iam, sts):
    role = make_role(iam, "ctx")
    name, role_id = role["RoleName"], role["RoleId"]
    session_arn = assumed_role_arn(name, "ctx")
    iam.put_role_policy(RoleName=name, PolicyName="ctx", PolicyDocument=policy(
        statement("Allow", "iam:ListUsers",
                  condition={"ArnEquals": {"aws:PrincipalArn": role["Arn"]}}),
        statement("Allow", "iam:ListGroups",  # not the session's ARN
                  condition={"StringEquals": {"aws:PrincipalArn": session_arn}}),
        statement("Allow", "iam:ListRoles",
                  condition={"StringEquals": {"aws:userid": f"{role_id}:ctx"}}),
        statement("Allow", "iam:ListPolicies",
                  condition={"Null": {"aws:TokenIssueTime": "false"}}),
        statement("Allow", "iam:GetRole",
                  condition={"StringEquals": {"aws:PrincipalType": "AssumedRole"}}),
    ))
    s_iam = session_client(server, "iam", assume(sts, role, "ctx")["Credentials"])
    s_iam.list_users()
    s_iam.list_roles()
    s_iam.list_policies(Scope="Local", MaxItems=1)
    s_iam.get_role(RoleName=name)
    assert call_error(s_iam.list_groups)[0] == "AccessDenied"
    # Another session name is another aws:userid.
    other = session_client(server, "iam", assume(sts, role, "other")["Credentials"])
    other.list_users()
    assert call_error(other.list_roles)[0] == "AccessDenied"
    # Long-term credentials carry no aws:TokenIssueTime.
    _, key = create_user_with_key(iam, unique("notoken"), policy(
        statement("Allow", "iam:ListPolicies",
                  condition={"Null": {"aws:TokenIssueTime": "false"}})))
    plain = make_client("iam", server.endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    assert call_error(plain.list_policies, Scope="Local", MaxItems=1)[0] == "AccessDenied"
