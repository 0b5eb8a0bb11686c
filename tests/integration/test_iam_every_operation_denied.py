"""Every operation of Debian's botocore IAM model is refused to a caller without permission.

Each request is built from the model's input shape: only its required members, with values
that satisfy the model's own constraints (length, pattern, enum; checked here before any call),
so that nothing but authorization can refuse it. The caller ("nobody") is an IAM user with an
access key and no policy at all. Each call must answer AWS's AccessDenied (403) with the
message naming the operation's action and the resource AWS authorizes it on (the Service
Authorization Reference's resource types, with the paths and names of the request), and must
change nothing: the account's state is compared before and after, and for a sample of write
operations the very same request, sent by the administrator, then succeeds and changes what
the denied one left alone.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Callable

import botocore.session
import pytest
from botocore import xform_name
from botocore.exceptions import ClientError

from portcullis_helpers import (DEFAULT_ACCOUNT, REPO, PortcullisServer, access_denied, allow,
                                call_error, create_user_with_key, iam_arn, make_client,
                                trust_policy)

MODEL = botocore.session.get_session().get_service_model("iam")
OPERATIONS = list(MODEL.operation_names)
CALLER = "nobody"
SAML_METADATA = (REPO / "tests" / "data" / "saml" / "idp-metadata.xml").read_text()
UUID = "00000000-0000-4000-8000-000000000000"
SLR_SERVICE = "elasticbeanstalk.amazonaws.com"
SLR_ARN = iam_arn("role", "AWSServiceRoleForElasticBeanstalk", f"/aws-service-role/{SLR_SERVICE}/")
ORG_PATH = "o-a1b2c3d4e5/r-f6g7"

# Operations a caller without any permission is not refused, or is refused otherwise, on AWS:
# none on an account without a password policy, which is what this module's server has.
#
# ChangePassword and GetAccountPasswordPolicy are the only IAM operations AWS lets every IAM user
# call without a policy, and only while the account's password policy sets
# AllowUsersToChangePassword (IAM User Guide, "Setting an account password policy"; the project
# does the same in src/iam/api/password_ops.cc, authorize_or_allowed_by_policy): see
# test_allow_users_to_change_password_exempts_two_operations. No operation answers before
# authorizing a valid request, and every request here is valid: the model's constraints hold,
# the documents parse, and each is of its kind (a trust policy where one is expected).
# op -> what it answers instead (code, message, status), with the reason in a comment.
EXCEPTIONS: dict[str, tuple[str, str, int]] = {}
WHEN_USERS_MAY_CHANGE_PASSWORDS = {
    # The caller has no login profile: the call gets past authorization to find none.
    "ChangePassword": ("NoSuchEntity", f"Login Profile for User {CALLER} cannot be found.", 404),
    "GetAccountPasswordPolicy": None,  # answered: the policy itself
}


def run(*args: str, cwd: Path) -> None:
    p = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr


@pytest.fixture(scope="module")
def material(tmp_path_factory) -> dict[str, str]:
    """A self-signed certificate and its key (openssl), and an SSH public key (ssh-keygen)."""
    d = tmp_path_factory.mktemp("material")
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "k.pem", "-out",
        "c.pem", "-days", "30", "-subj", "/CN=portcullis.test", cwd=d)
    run("ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-C", "t@portcullis", "-f",
        "ssh", cwd=d)
    return {"cert": (d / "c.pem").read_text(), "key": (d / "k.pem").read_text(),
            "ssh": (d / "ssh.pub").read_text().strip()}


# -- the smallest valid request of each operation -------------------------------------------------

class Request:
    """Values of required members, for the entities named `name`: a table keyed by member name,
    a few by (operation, member), then fallbacks by shape (enum, list, structure, string)."""

    def __init__(self, name: str, material: dict[str, str], access_key_id: str):
        self.name = name
        n = name
        self.arns = {
            "user": iam_arn("user", n), "role": iam_arn("role", n),
            "group": iam_arn("group", n), "policy": iam_arn("policy", n),
            "instance-profile": iam_arn("instance-profile", n), "mfa": iam_arn("mfa", n),
            "server-certificate": iam_arn("server-certificate", n),
            "saml-provider": iam_arn("saml-provider", n),
            "oidc-provider": iam_arn("oidc-provider", f"{n}.example.com"),
        }
        doc = allow("s3:GetObject")
        self.by_member: dict[str, object] = {
            "UserName": n, "GroupName": n, "RoleName": n, "InstanceProfileName": n,
            "PolicyName": n, "ServerCertificateName": n, "VirtualMFADeviceName": n, "Name": n,
            "PolicyArn": self.arns["policy"], "PermissionsBoundary": self.arns["policy"],
            "PolicySourceArn": self.arns["user"], "Arn": self.arns["user"],
            "SerialNumber": self.arns["mfa"], "SAMLProviderArn": self.arns["saml-provider"],
            "OpenIDConnectProviderArn": self.arns["oidc-provider"],
            "Url": f"https://{n}.example.com",
            "ThumbprintList": ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"],
            "ClientID": f"{n}-client", "AccountAlias": f"{n}-alias",
            "Password": "Pass-word-1", "OldPassword": "Pass-word-1", "NewPassword": "Pass-word-2",
            "PolicyDocument": doc, "AssumeRolePolicyDocument": trust_policy(),
            "PolicyInputList": [doc], "ActionNames": ["s3:GetObject"],
            "SAMLMetadataDocument": SAML_METADATA,
            "AWSServiceName": SLR_SERVICE, "ServiceName": "codecommit.amazonaws.com",
            "AccessKeyId": access_key_id, "SSHPublicKeyId": "APKA" + "A" * 16,
            "ServiceSpecificCredentialId": "ACCA" + "A" * 17, "CertificateId": "A" * 24,
            "AuthenticationCode1": "123456", "AuthenticationCode2": "654321",
            "VersionId": "v2", "EntityPath": ORG_PATH, "JobId": UUID,
            "ServiceNamespace": "s3", "ServiceNamespaces": ["s3"],
            "DeletionTaskId": f"task/aws-service-role/{SLR_SERVICE}/"
                              f"AWSServiceRoleForElasticBeanstalk/{UUID}",
            "Tags": [{"Key": "k", "Value": "v"}], "TagKeys": ["k"], "Description": "d",
            "SSHPublicKeyBody": material["ssh"], "CertificateBody": material["cert"],
            "PrivateKey": material["key"],
        }
        # UpdateAssumeRolePolicy's PolicyDocument is a trust policy.
        self.by_op_member: dict[tuple[str, str], object] = {
            ("UpdateAssumeRolePolicy", "PolicyDocument"): trust_policy()}

    def value(self, op: str, member: str, shape):
        if (op, member) in self.by_op_member:
            return self.by_op_member[(op, member)]
        if member in self.by_member:
            return self.by_member[member]
        return fallback(shape)

    def build(self, op: str) -> dict:
        shape = MODEL.operation_model(op).input_shape
        if shape is None:
            return {}
        params = {m: self.value(op, m, shape.members[m]) for m in shape.required_members}
        for m, v in params.items():
            check_constraints(shape.members[m], v, f"{op}.{m}")
        return params


def fallback(shape):
    if getattr(shape, "enum", None):
        return shape.enum[0]
    if shape.type_name == "list":
        return [fallback(shape.member)]
    if shape.type_name == "structure":
        return {m: fallback(shape.members[m]) for m in shape.required_members}
    if shape.type_name == "boolean":
        return True
    if shape.type_name in ("integer", "long"):
        return max(1, shape.metadata.get("min", 1))
    assert shape.type_name == "string", shape.type_name
    return "x1".ljust(shape.metadata.get("min", 1), "x")


# Java's Unicode classes, as far as the ASCII values here need them.
UNICODE_CLASSES = {r"\p{L}": "A-Za-z", r"\p{N}": "0-9", r"\p{Z}": " ", r"\p{M}": "",
                   r"\p{S}": r"$+<=>^`|~", r"\p{P}": r"!-#%-*,-/:;?@\[-\]_{}"}


def check_constraints(shape, value, where: str) -> None:
    """The value satisfies the model's constraints, so only authorization may refuse the call."""
    md = shape.metadata
    if shape.type_name == "list":
        assert isinstance(value, list), where
        assert md.get("min", 0) <= len(value) <= md.get("max", 10**9), where
        for v in value:
            check_constraints(shape.member, v, where + "[]")
        return
    if shape.type_name == "structure":
        assert set(shape.required_members) <= set(value), where
        for k, v in value.items():
            check_constraints(shape.members[k], v, f"{where}.{k}")
        return
    assert isinstance(value, str), where
    assert md.get("min", 0) <= len(value) <= md.get("max", 10**9), (where, len(value))
    if getattr(shape, "enum", None):
        assert value in shape.enum, where
    if "pattern" in md:
        pattern = md["pattern"]
        for java, py in UNICODE_CLASSES.items():
            pattern = pattern.replace(java, py)
        assert re.fullmatch(pattern, value, re.S), (where, md["pattern"], value[:40])


# -- the resource AWS authorizes each operation on ------------------------------------------------

# Listing operations: AWS names the listed path of the kind ("… iam:ListUsers on resource:
# arn:aws:iam::123456789012:user/"), and "policy path /" for ListPolicies.
LISTED = {"ListUsers": "user", "ListRoles": "role", "ListGroups": "group",
          "ListInstanceProfiles": "instance-profile"}
# The member naming the entity an operation acts on, first found first (AddUserToGroup acts on
# the group, AttachUserPolicy on the user, AddRoleToInstanceProfile on the instance profile,
# EnableMFADevice on the user).
ENTITY_MEMBERS = [("InstanceProfileName", "instance-profile"), ("GroupName", "group"),
                  ("UserName", "user"), ("RoleName", "role"), ("PolicyArn", None),
                  ("SerialNumber", None), ("ServerCertificateName", "server-certificate"),
                  ("SAMLProviderArn", None), ("OpenIDConnectProviderArn", None),
                  ("PolicySourceArn", None), ("Arn", None), ("VirtualMFADeviceName", "mfa"),
                  ("Name", "saml-provider"), ("Url", "oidc-provider"),
                  ("PolicyName", "policy")]


def expected_resource(op: str, params: dict, req: Request, key_owner: str) -> str:
    if op in LISTED:
        return iam_arn(LISTED[op], "")
    if op == "ListPolicies":
        return "policy path /"
    if op in ("CreateServiceLinkedRole", "GetServiceLinkedRoleDeletionStatus"):
        return SLR_ARN
    if op == "GenerateOrganizationsAccessReport":
        return f"arn:aws:iam::{DEFAULT_ACCOUNT}:access-report/{ORG_PATH}"
    if op == "GetAccessKeyLastUsed":
        return iam_arn("user", key_owner)
    if op == "ChangePassword":
        return iam_arn("user", CALLER)
    shape = MODEL.operation_model(op).input_shape
    members = shape.members if shape else {}
    for member, kind in ENTITY_MEMBERS:
        if member == "UserName" and member in members and member not in params:
            return iam_arn("user", CALLER)  # the calling user when UserName is left out
        if member in params:
            return req.arns[kind] if kind else params[member]
    return "*"


def denied(op: str, resource: str) -> tuple[str, str, int]:
    return ("AccessDenied", access_denied(CALLER, "iam:" + op, resource), 403)


# -- the targets ----------------------------------------------------------------------------------

def make_targets(iam, name: str, material: dict[str, str]) -> str:
    """One entity of each kind named `name` (and their credentials); returns the user's key id."""
    n = name
    iam.create_user(UserName=n, Tags=[{"Key": "k", "Value": "v"}])
    key = iam.create_access_key(UserName=n)["AccessKey"]["AccessKeyId"]
    iam.put_user_policy(UserName=n, PolicyName=n, PolicyDocument=allow("s3:*"))
    iam.create_login_profile(UserName=n, Password="Pass-word-1")
    iam.upload_ssh_public_key(UserName=n, SSHPublicKeyBody=material["ssh"])
    iam.upload_signing_certificate(UserName=n, CertificateBody=material["cert"])
    iam.create_service_specific_credential(UserName=n, ServiceName="codecommit.amazonaws.com")
    iam.create_group(GroupName=n)
    iam.add_user_to_group(GroupName=n, UserName=n)
    iam.create_role(RoleName=n, AssumeRolePolicyDocument=trust_policy(),
                    Tags=[{"Key": "k", "Value": "v"}])
    pol = iam.create_policy(PolicyName=n, PolicyDocument=allow("s3:*"))["Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=pol, PolicyDocument=allow("s3:Get*"))
    iam.attach_role_policy(RoleName=n, PolicyArn=pol)
    iam.create_instance_profile(InstanceProfileName=n)
    iam.add_role_to_instance_profile(InstanceProfileName=n, RoleName=n)
    iam.create_virtual_mfa_device(VirtualMFADeviceName=n)
    iam.upload_server_certificate(ServerCertificateName=n, CertificateBody=material["cert"],
                                  PrivateKey=material["key"])
    iam.create_saml_provider(Name=n, SAMLMetadataDocument=SAML_METADATA)
    iam.create_open_id_connect_provider(Url=f"https://{n}.example.com", ClientIDList=["c"],
                                        ThumbprintList=["a" * 40])
    return key


def state(iam, name: str) -> dict:
    """What the administrator sees of the account and of the targets named `name`."""
    def read(fn: Callable, key: str | None = None, **kw):
        try:
            r = fn(**kw)
        except ClientError as e:
            return e.response["Error"]["Code"]
        r.pop("ResponseMetadata", None)
        return r[key] if key else r

    n = name
    return {
        "details": read(iam.get_account_authorization_details),
        "profiles": read(iam.list_instance_profiles, "InstanceProfiles"),
        "mfa": read(iam.list_virtual_mfa_devices, "VirtualMFADevices"),
        "mfa-tags": read(iam.list_mfa_device_tags, "Tags", SerialNumber=iam_arn("mfa", n)),
        "certs": read(iam.list_server_certificates, "ServerCertificateMetadataList"),
        "cert-tags": read(iam.list_server_certificate_tags, "Tags", ServerCertificateName=n),
        "saml": read(iam.list_saml_providers, "SAMLProviderList"),
        "saml-tags": read(iam.list_saml_provider_tags, "Tags",
                          SAMLProviderArn=iam_arn("saml-provider", n)),
        "oidc": read(iam.list_open_id_connect_providers, "OpenIDConnectProviderList"),
        "oidc-one": read(iam.get_open_id_connect_provider,
                         OpenIDConnectProviderArn=iam_arn("oidc-provider", f"{n}.example.com")),
        "aliases": read(iam.list_account_aliases, "AccountAliases"),
        "password-policy": read(iam.get_account_password_policy),
        "keys": read(iam.list_access_keys, "AccessKeyMetadata", UserName=n),
        "caller-keys": read(iam.list_access_keys, "AccessKeyMetadata", UserName=CALLER),
        "login": read(iam.get_login_profile, UserName=n),
        "ssh": read(iam.list_ssh_public_keys, "SSHPublicKeys", UserName=n),
        "signing": read(iam.list_signing_certificates, "Certificates", UserName=n),
        "service-creds": read(iam.list_service_specific_credentials, "ServiceSpecificCredentials",
                              UserName=n),
        "mfa-of-user": read(iam.list_mfa_devices, "MFADevices", UserName=n),
        "slr": read(iam.get_role, RoleName="AWSServiceRoleForElasticBeanstalk"),
        "summary": read(iam.get_account_summary, "SummaryMap"),
    }


@pytest.fixture(scope="module")
def setup(server, iam, material):
    key = make_targets(iam, "x1", material)
    _, k = create_user_with_key(iam, CALLER)
    nobody = make_client("iam", server.endpoint, k["AccessKeyId"], k["SecretAccessKey"])
    return nobody, Request("x1", material, key)


# -- the tests ------------------------------------------------------------------------------------

def test_the_model_is_debians():
    assert len(OPERATIONS) == 158
    assert len(set(OPERATIONS)) == 158


@pytest.mark.parametrize("op", OPERATIONS)
def test_operation_is_denied_without_permission(setup, op):
    nobody, req = setup
    params = req.build(op)
    want = EXCEPTIONS.get(op) or denied(op, expected_resource(op, params, req, "x1"))
    assert call_error(getattr(nobody, xform_name(op)), **params) == want


def test_denied_calls_change_nothing(iam, setup):
    nobody, req = setup
    before = state(iam, "x1")
    for op in OPERATIONS:
        if op not in EXCEPTIONS:
            assert call_error(getattr(nobody, xform_name(op)), **req.build(op))[0] == \
                "AccessDenied", op
    assert state(iam, "x1") == before


def test_allow_users_to_change_password_exempts_two_operations(start_server, material):
    """With AllowUsersToChangePassword, every IAM user may call ChangePassword (on itself) and
    GetAccountPasswordPolicy without a policy; every other operation is still refused."""
    s = start_server()
    iam = s.client("iam")
    key = make_targets(iam, "x1", material)
    _, k = create_user_with_key(iam, CALLER)
    nobody = make_client("iam", s.endpoint, k["AccessKeyId"], k["SecretAccessKey"])
    iam.update_account_password_policy(AllowUsersToChangePassword=True)
    req = Request("x1", material, key)
    for op in OPERATIONS:
        params = req.build(op)
        fn = getattr(nobody, xform_name(op))
        if op in WHEN_USERS_MAY_CHANGE_PASSWORDS:
            want = WHEN_USERS_MAY_CHANGE_PASSWORDS[op]
            if want is None:
                assert fn(**params)["PasswordPolicy"]["AllowUsersToChangePassword"] is True
            else:
                assert call_error(fn, **params) == want, op
            continue
        assert call_error(fn, **params) == denied(op, expected_resource(op, params, req, "x1")), op


# -- the same requests, sent by the administrator -------------------------------------------------

def exists(fn: Callable, **kw) -> bool:
    try:
        fn(**kw)
        return True
    except ClientError as e:
        assert e.response["Error"]["Code"] == "NoSuchEntity", e.response["Error"]
        return False


def _user(a, n):
    a.create_user(UserName=n)


def _role(a, n, tags=()):
    a.create_role(RoleName=n, AssumeRolePolicyDocument=trust_policy(), Tags=list(tags))


def _policy(a, n, versions=1):
    arn = a.create_policy(PolicyName=n, PolicyDocument=allow("s3:*"))["Policy"]["Arn"]
    for _ in range(versions - 1):
        a.create_policy_version(PolicyArn=arn, PolicyDocument=allow("s3:Get*"))


def _oidc(a, n):
    a.create_open_id_connect_provider(Url=f"https://{n}.example.com", ThumbprintList=["a" * 40])


def _cert(material):
    def up(a, n):
        a.upload_server_certificate(ServerCertificateName=n, CertificateBody=material["cert"],
                                    PrivateKey=material["key"])
    return up


# op: (what the administrator makes first, what the administrator then observes)
def replayed(material) -> dict[str, tuple[Callable, Callable]]:
    none = lambda a, n: None  # noqa: E731
    return {
        "CreateUser": (none, lambda a, n: exists(a.get_user, UserName=n)),
        "DeleteUser": (_user, lambda a, n: exists(a.get_user, UserName=n)),
        "CreateGroup": (none, lambda a, n: exists(a.get_group, GroupName=n)),
        "DeleteGroup": (lambda a, n: a.create_group(GroupName=n),
                        lambda a, n: exists(a.get_group, GroupName=n)),
        "CreateRole": (none, lambda a, n: exists(a.get_role, RoleName=n)),
        "DeleteRole": (_role, lambda a, n: exists(a.get_role, RoleName=n)),
        "UpdateRoleDescription": (_role, lambda a, n: a.get_role(RoleName=n)["Role"].get(
            "Description")),
        "PutUserPolicy": (_user, lambda a, n: a.list_user_policies(UserName=n)["PolicyNames"]),
        "AttachRolePolicy": (lambda a, n: (_role(a, n), _policy(a, n)),
                             lambda a, n: a.list_attached_role_policies(RoleName=n)[
                                 "AttachedPolicies"]),
        "PutUserPermissionsBoundary": (lambda a, n: (_user(a, n), _policy(a, n)),
                                       lambda a, n: a.get_user(UserName=n)["User"].get(
                                           "PermissionsBoundary")),
        "TagUser": (_user, lambda a, n: a.list_user_tags(UserName=n)["Tags"]),
        "UntagRole": (lambda a, n: _role(a, n, [{"Key": "k", "Value": "v"}]),
                      lambda a, n: a.list_role_tags(RoleName=n)["Tags"]),
        "AddUserToGroup": (lambda a, n: (_user(a, n), a.create_group(GroupName=n)),
                           lambda a, n: [u["UserName"] for u in a.get_group(GroupName=n)[
                               "Users"]]),
        "CreatePolicy": (none, lambda a, n: exists(a.get_policy, PolicyArn=iam_arn("policy", n))),
        "CreatePolicyVersion": (_policy, lambda a, n: len(a.list_policy_versions(
            PolicyArn=iam_arn("policy", n))["Versions"])),
        "SetDefaultPolicyVersion": (lambda a, n: _policy(a, n, 2), lambda a, n: a.get_policy(
            PolicyArn=iam_arn("policy", n))["Policy"]["DefaultVersionId"]),
        "DeletePolicyVersion": (lambda a, n: _policy(a, n, 2), lambda a, n: len(
            a.list_policy_versions(PolicyArn=iam_arn("policy", n))["Versions"])),
        "CreateInstanceProfile": (none, lambda a, n: exists(a.get_instance_profile,
                                                            InstanceProfileName=n)),
        "AddRoleToInstanceProfile": (
            lambda a, n: (_role(a, n), a.create_instance_profile(InstanceProfileName=n)),
            lambda a, n: a.get_instance_profile(InstanceProfileName=n)["InstanceProfile"][
                "Roles"] != []),
        "CreateVirtualMFADevice": (none, lambda a, n: iam_arn("mfa", n) in [
            d["SerialNumber"] for d in a.list_virtual_mfa_devices()["VirtualMFADevices"]]),
        "TagMFADevice": (lambda a, n: a.create_virtual_mfa_device(VirtualMFADeviceName=n),
                         lambda a, n: a.list_mfa_device_tags(SerialNumber=iam_arn("mfa", n))[
                             "Tags"]),
        "CreateLoginProfile": (_user, lambda a, n: exists(a.get_login_profile, UserName=n)),
        "UploadServerCertificate": (none, lambda a, n: exists(a.get_server_certificate,
                                                              ServerCertificateName=n)),
        "DeleteServerCertificate": (_cert(material), lambda a, n: exists(
            a.get_server_certificate, ServerCertificateName=n)),
        "CreateSAMLProvider": (none, lambda a, n: exists(
            a.get_saml_provider, SAMLProviderArn=iam_arn("saml-provider", n))),
        "CreateOpenIDConnectProvider": (none, lambda a, n: exists(
            a.get_open_id_connect_provider,
            OpenIDConnectProviderArn=iam_arn("oidc-provider", f"{n}.example.com"))),
        "AddClientIDToOpenIDConnectProvider": (_oidc, lambda a, n: a.get_open_id_connect_provider(
            OpenIDConnectProviderArn=iam_arn("oidc-provider", f"{n}.example.com")).get(
            "ClientIDList", [])),
        "UploadSSHPublicKey": (_user, lambda a, n: a.list_ssh_public_keys(UserName=n)[
            "SSHPublicKeys"]),
        "CreateServiceSpecificCredential": (_user, lambda a, n: len(
            a.list_service_specific_credentials(UserName=n)["ServiceSpecificCredentials"])),
        "CreateAccountAlias": (none, lambda a, n: a.list_account_aliases()["AccountAliases"]),
        "UpdateAccountPasswordPolicy": (none, lambda a, n: exists(a.get_account_password_policy)),
        "CreateServiceLinkedRole": (none, lambda a, n: exists(
            a.get_role, RoleName="AWSServiceRoleForElasticBeanstalk")),
    }


REPLAYED = ["CreateUser", "DeleteUser", "CreateGroup", "DeleteGroup", "CreateRole", "DeleteRole",
            "UpdateRoleDescription", "PutUserPolicy", "AttachRolePolicy",
            "PutUserPermissionsBoundary", "TagUser", "UntagRole", "AddUserToGroup",
            "CreatePolicy", "CreatePolicyVersion", "SetDefaultPolicyVersion",
            "DeletePolicyVersion", "CreateInstanceProfile", "AddRoleToInstanceProfile",
            "CreateVirtualMFADevice", "TagMFADevice", "CreateLoginProfile",
            "UploadServerCertificate", "DeleteServerCertificate", "CreateSAMLProvider",
            "CreateOpenIDConnectProvider", "AddClientIDToOpenIDConnectProvider",
            "UploadSSHPublicKey", "CreateServiceSpecificCredential", "CreateAccountAlias",
            "UpdateAccountPasswordPolicy", "CreateServiceLinkedRole"]


@pytest.fixture(scope="module")
def replay_server(tmp_path_factory):
    """A server of its own: the administrator's replays change account-wide settings."""
    base = tmp_path_factory.mktemp("replay")
    s = PortcullisServer(base / "state", home=base)
    iam = s.client("iam")
    _, k = create_user_with_key(iam, CALLER)
    yield s, iam, make_client("iam", s.endpoint, k["AccessKeyId"], k["SecretAccessKey"])
    s.terminate()


@pytest.mark.parametrize("op", REPLAYED)
def test_denied_request_changes_nothing_the_same_request_would(replay_server, material, op):
    _, iam, nobody = replay_server
    name = "r" + str(REPLAYED.index(op))
    make, observe = replayed(material)[op]
    make(iam, name)
    req = Request(name, material, "AKIA" + "A" * 16)
    params = req.build(op)
    fn = xform_name(op)
    before = observe(iam, name)
    assert call_error(getattr(nobody, fn), **params)[0] == "AccessDenied"
    assert observe(iam, name) == before
    getattr(iam, fn)(**params)
    assert observe(iam, name) != before
