"""SimulateCustomPolicy and SimulatePrincipalPolicy through boto3 and the aws CLI: decisions,
matched statements, context entries of each type, missing context keys, permissions
boundaries, resource policies with a caller, and the principal's own policies."""

from __future__ import annotations

import itertools
import json

import pytest

from portcullis_helpers import (unique, allow, aws_json, call_error, iam_arn, policy, statement,
                                trust_policy)


IAM_READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"






def decisions(r) -> list[tuple[str, str, str]]:
    return [(e["EvalActionName"], e["EvalResourceName"], e["EvalDecision"])
            for e in r["EvaluationResults"]]


def sources(result) -> list[str]:
    return [m["SourcePolicyId"] for m in result["MatchedStatements"]]


# -- SimulateCustomPolicy -------------------------------------------------------------------------

def test_custom_policy_decisions_and_shape(iam):
    r = iam.simulate_custom_policy(
        PolicyInputList=[allow("s3:GetObject", "arn:aws:s3:::b/*"),
                         policy(statement("Deny", "s3:GetObject", "arn:aws:s3:::b/secret*"))],
        ActionNames=["s3:GetObject", "s3:PutObject"],
        ResourceArns=["arn:aws:s3:::b/x", "arn:aws:s3:::b/secret1"])
    assert r["IsTruncated"] is False
    assert decisions(r) == [
        ("s3:GetObject", "arn:aws:s3:::b/x", "allowed"),
        ("s3:GetObject", "arn:aws:s3:::b/secret1", "explicitDeny"),
        ("s3:PutObject", "arn:aws:s3:::b/x", "implicitDeny"),
        ("s3:PutObject", "arn:aws:s3:::b/secret1", "implicitDeny"),
    ]
    first = r["EvaluationResults"][0]
    assert set(first) == {"EvalActionName", "EvalResourceName", "EvalDecision",
                          "MatchedStatements", "MissingContextValues"}
    # SourcePolicyType is one of the model's PolicySourceType values; input policies are "none".
    assert first["MatchedStatements"] == [{"SourcePolicyId": "PolicyInputList.1",
                                           "SourcePolicyType": "none"}]
    assert first["MissingContextValues"] == []
    assert r["EvaluationResults"][2]["MatchedStatements"] == []


def test_custom_policy_explicit_deny_reports_only_the_deny(iam):
    """AWS: when a statement denies, "the deny statement is the only entry included in the
    result" (EvaluationResult.MatchedStatements)."""
    r = iam.simulate_custom_policy(
        PolicyInputList=[allow("s3:*"), policy(statement("Deny", "s3:DeleteObject"))],
        ActionNames=["s3:DeleteObject"])
    result = r["EvaluationResults"][0]
    assert result["EvalDecision"] == "explicitDeny"
    assert sources(result) == ["PolicyInputList.2"]


def test_custom_policy_resource_defaults_to_star(iam):
    r = iam.simulate_custom_policy(PolicyInputList=[allow("iam:*")],
                                   ActionNames=["iam:CreateUser", "sts:AssumeRole"])
    assert decisions(r) == [("iam:CreateUser", "*", "allowed"),
                            ("sts:AssumeRole", "*", "implicitDeny")]


CONDITIONS = {
    "StringEquals": {"s3:prefix": "home/"},
    "NumericLessThan": {"s3:max-keys": "10"},
    "Bool": {"aws:SecureTransport": "true"},
    "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
    "DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"},
    "ForAllValues:StringLike": {"aws:TagKeys": ["team*", "cost"]},
}


def context(**overrides):
    base = {
        "s3:prefix": (["home/"], "string"),
        "s3:max-keys": (["5"], "numeric"),
        "aws:SecureTransport": (["true"], "boolean"),
        "aws:SourceIp": (["10.1.2.3"], "ip"),
        "aws:CurrentTime": (["2024-05-01T00:00:00Z"], "date"),
        "aws:TagKeys": (["team-a", "cost"], "stringList"),
    }
    base.update(overrides)
    return [{"ContextKeyName": k, "ContextKeyValues": v, "ContextKeyType": t}
            for k, (v, t) in base.items()]


@pytest.mark.parametrize("override,decision", [
    ({}, "allowed"),
    ({"s3:prefix": (["other/"], "string")}, "implicitDeny"),
    ({"s3:max-keys": (["10"], "numeric")}, "implicitDeny"),
    ({"aws:SecureTransport": (["false"], "boolean")}, "implicitDeny"),
    ({"aws:SourceIp": (["192.168.0.1"], "ip")}, "implicitDeny"),
    ({"aws:CurrentTime": (["2019-12-31T23:59:59Z"], "date")}, "implicitDeny"),
    ({"aws:TagKeys": (["team-a", "other"], "stringList")}, "implicitDeny"),
], ids=["all-match", "string", "numeric", "boolean", "ip", "date", "stringList"])
def test_custom_policy_context_entry_types(iam, override, decision):
    r = iam.simulate_custom_policy(
        PolicyInputList=[allow("s3:ListBucket", condition=CONDITIONS)],
        ActionNames=["s3:ListBucket"], ContextEntries=context(**override))
    result = r["EvaluationResults"][0]
    assert result["EvalDecision"] == decision
    assert result["MissingContextValues"] == []


def test_custom_policy_missing_context_value(iam):
    r = iam.simulate_custom_policy(
        PolicyInputList=[allow("s3:ListBucket", condition={"StringEquals": {"s3:prefix": "home/"}})],
        ActionNames=["s3:ListBucket"])
    result = r["EvaluationResults"][0]
    assert result["EvalDecision"] == "implicitDeny"
    assert result["MissingContextValues"] == ["s3:prefix"]
    assert result["MatchedStatements"] == []
    # Given, it is no longer missing.
    r = iam.simulate_custom_policy(
        PolicyInputList=[allow("s3:ListBucket", condition={"StringEquals": {"s3:prefix": "home/"}})],
        ActionNames=["s3:ListBucket"],
        ContextEntries=[{"ContextKeyName": "s3:prefix", "ContextKeyValues": ["home/"],
                         "ContextKeyType": "string"}])
    assert r["EvaluationResults"][0]["MissingContextValues"] == []
    assert r["EvaluationResults"][0]["EvalDecision"] == "allowed"


def test_custom_policy_reports_every_missing_context_value(iam):
    """MissingContextValues: "context keys that are required by the included input policies but
    that were not provided" — all of them, not just the first the evaluation stopped at."""
    r = iam.simulate_custom_policy(
        PolicyInputList=[allow("s3:ListBucket", condition={
            "StringEquals": {"s3:prefix": "home/"},
            "NumericLessThan": {"s3:max-keys": "10"}})],
        ActionNames=["s3:ListBucket"])
    result = r["EvaluationResults"][0]
    assert result["EvalDecision"] == "implicitDeny"
    assert sorted(result["MissingContextValues"]) == ["s3:max-keys", "s3:prefix"]


def test_custom_policy_with_boundary(iam):
    r = iam.simulate_custom_policy(
        PolicyInputList=[allow("*")],
        PermissionsBoundaryPolicyInputList=[allow(["s3:*", "iam:Get*"])],
        ActionNames=["s3:GetObject", "iam:GetUser", "iam:CreateUser"])
    assert [e["EvalDecision"] for e in r["EvaluationResults"]] == ["allowed", "allowed",
                                                                   "implicitDeny"]
    assert [e["PermissionsBoundaryDecisionDetail"] for e in r["EvaluationResults"]] == [
        {"AllowedByPermissionsBoundary": True}, {"AllowedByPermissionsBoundary": True},
        {"AllowedByPermissionsBoundary": False}]
    assert sources(r["EvaluationResults"][0]) == ["PolicyInputList.1",
                                                  "PermissionsBoundaryPolicyInputList.1"]
    # A deny in the boundary is an explicit deny.
    r = iam.simulate_custom_policy(
        PolicyInputList=[allow("*")],
        PermissionsBoundaryPolicyInputList=[policy(statement("Allow", "*"),
                                                   statement("Deny", "iam:DeleteUser"))],
        ActionNames=["iam:DeleteUser"])
    result = r["EvaluationResults"][0]
    assert result["EvalDecision"] == "explicitDeny"
    assert result["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": False}


RESOURCE_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": iam_arn("user", "alice")},
    "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]})


def test_custom_policy_with_resource_policy_same_account(iam):
    kw = dict(PolicyInputList=[allow("sqs:*")], ResourcePolicy=RESOURCE_POLICY,
              ActionNames=["s3:GetObject"], ResourceArns=["arn:aws:s3:::b/k"])
    r = iam.simulate_custom_policy(CallerArn=iam_arn("user", "alice"), **kw)
    result = r["EvaluationResults"][0]
    # In the same account a resource policy naming the caller is enough.
    assert result["EvalDecision"] == "allowed"
    assert result["EvalDecisionDetails"] == {"IAM Policy": "implicitDeny",
                                             "Resource Policy": "allowed"}
    assert result["MatchedStatements"] == [{"SourcePolicyId": "ResourcePolicy",
                                            "SourcePolicyType": "resource"}]
    r = iam.simulate_custom_policy(CallerArn=iam_arn("user", "bob"), **kw)
    result = r["EvaluationResults"][0]
    assert result["EvalDecision"] == "implicitDeny"
    assert result["EvalDecisionDetails"] == {"IAM Policy": "implicitDeny",
                                             "Resource Policy": "implicitDeny"}
    # The identity policy alone also suffices for another caller of the account.
    r = iam.simulate_custom_policy(CallerArn=iam_arn("user", "bob"),
                                   **{**kw, "PolicyInputList": [allow("s3:GetObject")]})
    assert r["EvaluationResults"][0]["EvalDecision"] == "allowed"


def test_custom_policy_resource_policy_needs_caller(iam):
    assert call_error(iam.simulate_custom_policy, PolicyInputList=[allow("s3:*")],
                      ResourcePolicy=RESOURCE_POLICY, ActionNames=["s3:GetObject"]) == (
        "InvalidInput", "Invalid input: CallerArn is required when ResourcePolicy is given.", 400)


def test_custom_policy_input_errors(server, iam):
    raw = server.client("iam", validate=False)
    assert call_error(iam.simulate_custom_policy, PolicyInputList=["{"],
                      ActionNames=["s3:GetObject"]) == (
        "MalformedPolicyDocument", "Syntax errors in policy.", 400)
    assert call_error(raw.simulate_custom_policy, PolicyInputList=[allow("s3:*")]) == (
        "ValidationError", "1 validation error detected: Value null at 'actionNames' failed to "
                           "satisfy constraint: Member must not be null", 400)
    assert call_error(raw.simulate_custom_policy, ActionNames=["s3:GetObject"]) == (
        "ValidationError", "1 validation error detected: Value null at 'policyInputList' failed "
                           "to satisfy constraint: Member must not be null", 400)
    assert call_error(iam.simulate_custom_policy, PolicyInputList=[allow("s3:*")],
                      ActionNames=["s3:GetObject"], ContextEntries=[{
                          "ContextKeyName": "s3:prefix", "ContextKeyValues": ["a", "b"],
                          "ContextKeyType": "string"}]) == (
        "InvalidInput", "Context key s3:prefix of type string must have exactly one value.", 400)
    assert call_error(raw.simulate_custom_policy, PolicyInputList=[allow("s3:*")],
                      ActionNames=["s3:GetObject"], ContextEntries=[{
                          "ContextKeyName": "s3:prefix", "ContextKeyValues": ["a"],
                          "ContextKeyType": "text"}]) == (
        "ValidationError", "1 validation error detected: Value 'text' at "
                           "'contextEntries.1.member.contextKeyType' failed to satisfy constraint: "
                           "Member must satisfy enum value set: [string, stringList, numeric, "
                           "numericList, boolean, booleanList, ip, ipList, binary, binaryList, "
                           "date, dateList]", 400)


# -- SimulatePrincipalPolicy ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def sim_user(iam):
    """A user with an inline policy, an attached managed policy and a group's policy."""
    name = "sim-user"
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="Grant-S3-Read",
                        PolicyDocument=allow("s3:GetObject", "arn:aws:s3:::data/*"))
    iam.attach_user_policy(UserName=name, PolicyArn=IAM_READ_ONLY)
    iam.create_group(GroupName="sim-group")
    iam.put_group_policy(GroupName="sim-group", PolicyName="queue",
                         PolicyDocument=policy(statement("Allow", "sqs:*"),
                                               statement("Deny", "sqs:DeleteQueue")))
    iam.add_user_to_group(GroupName="sim-group", UserName=name)
    return iam_arn("user", name)


def test_principal_policy_for_user(iam, sim_user):
    r = iam.simulate_principal_policy(
        PolicySourceArn=sim_user,
        ActionNames=["s3:GetObject", "iam:GetUser", "iam:CreateUser", "sqs:SendMessage",
                     "sqs:DeleteQueue"],
        ResourceArns=["arn:aws:s3:::data/file"])
    assert decisions(r) == [
        ("s3:GetObject", "arn:aws:s3:::data/file", "allowed"),       # inline policy
        ("iam:GetUser", "arn:aws:s3:::data/file", "allowed"),        # attached IAMReadOnlyAccess
        ("iam:CreateUser", "arn:aws:s3:::data/file", "implicitDeny"),
        ("sqs:SendMessage", "arn:aws:s3:::data/file", "allowed"),    # the group's policy
        ("sqs:DeleteQueue", "arn:aws:s3:::data/file", "explicitDeny"),
    ]
    assert r["IsTruncated"] is False
    assert all("PermissionsBoundaryDecisionDetail" not in e for e in r["EvaluationResults"])


def test_principal_policy_names_the_inline_policy(iam, sim_user):
    """AWS names the matched policy: SourcePolicyId is the inline policy's name (the aws CLI's
    own example shows "SourcePolicyId": "Grant-Access-To-CodeCommit-ListRepo")."""
    r = iam.simulate_principal_policy(PolicySourceArn=sim_user, ActionNames=["s3:GetObject"],
                                      ResourceArns=["arn:aws:s3:::data/file"])
    assert sources(r["EvaluationResults"][0]) == ["Grant-S3-Read"]


def test_principal_policy_with_boundary_and_extra_policies(iam):
    name = unique("sim-b")
    iam.create_user(UserName=name, PermissionsBoundary=IAM_READ_ONLY)
    iam.attach_user_policy(UserName=name, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    arn = iam_arn("user", name)
    r = iam.simulate_principal_policy(PolicySourceArn=arn,
                                      ActionNames=["iam:ListUsers", "iam:DeleteUser"])
    assert [e["EvalDecision"] for e in r["EvaluationResults"]] == ["allowed", "implicitDeny"]
    assert [e["PermissionsBoundaryDecisionDetail"]["AllowedByPermissionsBoundary"]
            for e in r["EvaluationResults"]] == [True, False]
    # Extra policies join the principal's; a boundary given replaces the principal's.
    r = iam.simulate_principal_policy(
        PolicySourceArn=arn, ActionNames=["iam:ListUsers", "iam:DeleteUser"],
        PolicyInputList=[policy(statement("Deny", "iam:ListUsers"))],
        PermissionsBoundaryPolicyInputList=[allow("iam:*")])
    assert [e["EvalDecision"] for e in r["EvaluationResults"]] == ["explicitDeny", "allowed"]


def test_principal_policy_sees_changes_at_once(iam):
    name = unique("sim-c")
    iam.create_user(UserName=name)
    arn = iam_arn("user", name)
    def decision():
        r = iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["ec2:RunInstances"])
        return r["EvaluationResults"][0]["EvalDecision"]
    assert decision() == "implicitDeny"
    iam.put_user_policy(UserName=name, PolicyName="ec2", PolicyDocument=allow("ec2:*"))
    assert decision() == "allowed"
    iam.delete_user_policy(UserName=name, PolicyName="ec2")
    assert decision() == "implicitDeny"


def test_principal_policy_for_role(iam):
    name = unique("sim-r")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust_policy())
    iam.put_role_policy(RoleName=name, PolicyName="logs", PolicyDocument=allow("logs:*"))
    r = iam.simulate_principal_policy(PolicySourceArn=iam_arn("role", name),
                                      ActionNames=["logs:PutLogEvents", "s3:GetObject"])
    assert [e["EvalDecision"] for e in r["EvaluationResults"]] == ["allowed", "implicitDeny"]


def test_principal_policy_context_and_variables(iam):
    name = unique("sim-v")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="home", PolicyDocument=allow(
        "s3:GetObject", "arn:aws:s3:::home/${aws:username}/*"))
    arn = iam_arn("user", name)
    entries = [{"ContextKeyName": "aws:username", "ContextKeyValues": [name],
                "ContextKeyType": "string"}]
    r = iam.simulate_principal_policy(
        PolicySourceArn=arn, ActionNames=["s3:GetObject"], ContextEntries=entries,
        ResourceArns=[f"arn:aws:s3:::home/{name}/a", "arn:aws:s3:::home/someone/a"])
    assert [e["EvalDecision"] for e in r["EvaluationResults"]] == ["allowed", "implicitDeny"]


def test_principal_policy_errors(iam):
    ghost = iam_arn("user", "ghost-sim")
    assert call_error(iam.simulate_principal_policy, PolicySourceArn=ghost,
                      ActionNames=["s3:GetObject"]) == (
        "NoSuchEntity", f"The principal {ghost} cannot be found or is not a user or role.", 404)


def test_aws_cli_simulate_custom_policy(server, tmp_path):
    rc, out, err = aws_json(server, [
        "iam", "simulate-custom-policy", "--policy-input-list", allow("dynamodb:CreateBackup",
            condition={"DateGreaterThan": {"aws:CurrentTime": "2018-04-25T15:00:00Z"}}),
        "--action-names", "dynamodb:CreateBackup",
        "--context-entries",
        "ContextKeyName='aws:CurrentTime',ContextKeyValues='2018-04-25T11:00:00Z',"
        "ContextKeyType=date"], tmp_path)
    assert rc == 0, err
    assert out["EvaluationResults"] == [{
        "EvalActionName": "dynamodb:CreateBackup", "EvalResourceName": "*",
        "EvalDecision": "implicitDeny", "MatchedStatements": [], "MissingContextValues": []}]
