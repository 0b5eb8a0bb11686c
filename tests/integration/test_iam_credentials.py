"""Passwords and MFA: login profiles (hashed, never returned), ChangePassword, the account
password policy enforced on every password, virtual MFA devices with real TOTP codes (computed
here with hmac/hashlib), QR codes decoded with zbarimg, and STS sessions that carry MFA into
policy conditions (aws:MultiFactorAuthPresent, aws:MultiFactorAuthAge)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import struct
import subprocess
import time

import pytest

from portcullis_helpers import (DEFAULT_ACCOUNT, access_denied, allow, call_error,
                                create_user_with_key, iam_arn, make_client, policy, run_aws,
                                session_client, statement, unique)

NO_POLICY = ("NoSuchEntity", f"The Password Policy with domain name {DEFAULT_ACCOUNT} cannot be "
             "found.", 404)
INVALID_CODE = ("AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass "
                "code. ", 403)
UNKNOWN_DEVICE = ("AccessDenied", "MultiFactorAuthentication failed, unable to validate MFA code.  "
                  "Please verify your MFA serial number is valid and associated with this user.",
                  403)
BAD_AUTH_CODE = ("InvalidAuthenticationCode", "Authentication code for device is not valid.", 403)


# -- TOTP, written here independently of the server (RFC 6238, SHA-1, 6 digits, 30 s) ----------

def totp(seed_b32: str, step: int) -> str:
    seed = base64.b32decode(seed_b32 + "=" * (-len(seed_b32) % 8))
    mac = hmac.new(seed, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1000000:06d}"


def now_step() -> int:
    return int(time.time()) // 30


def wrong_code(seed: str) -> str:
    """A code that is no step's within ten minutes of now."""
    near = {totp(seed, now_step() + d) for d in range(-20, 21)}
    return next(f"{n:06d}" for n in range(1000000) if f"{n:06d}" not in near)


def zbar(png: bytes, tmp_path) -> str:
    path = tmp_path / f"qr{len(list(tmp_path.iterdir()))}.png"
    path.write_bytes(png)
    out = subprocess.run(["zbarimg", "--quiet", "--raw", str(path)], capture_output=True,
                         text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def new_device(iam, name=None, path="/"):
    name = name or unique("mfa")
    d = iam.create_virtual_mfa_device(VirtualMFADeviceName=name, Path=path)["VirtualMFADevice"]
    return d["SerialNumber"], d["Base32StringSeed"].decode()


def enable(iam, user, serial, seed):
    """Enables with the codes of the previous and the current step."""
    s = now_step()
    iam.enable_mfa_device(UserName=user, SerialNumber=serial, AuthenticationCode1=totp(seed, s - 1),
                          AuthenticationCode2=totp(seed, s))
    return s


class Codes:
    """Fresh codes for a device whose last used step is `last`: each later step once."""

    def __init__(self, seed, last):
        self.seed, self.last = seed, last

    def next(self) -> str:
        self.last += 1
        return totp(self.seed, self.last)


# -- the account password policy ---------------------------------------------------------------

def test_password_policy_defaults_ranges_and_delete(iam, raw_iam):
    assert call_error(iam.get_account_password_policy) == NO_POLICY
    iam.update_account_password_policy()
    assert iam.get_account_password_policy()["PasswordPolicy"] == {
        "MinimumPasswordLength": 6, "RequireSymbols": False, "RequireNumbers": False,
        "RequireUppercaseCharacters": False, "RequireLowercaseCharacters": False,
        "AllowUsersToChangePassword": False, "ExpirePasswords": False, "HardExpiry": False}
    iam.update_account_password_policy(MinimumPasswordLength=14, RequireSymbols=True,
                                       RequireNumbers=True, AllowUsersToChangePassword=True,
                                       MaxPasswordAge=90, PasswordReusePrevention=24,
                                       HardExpiry=True)
    assert iam.get_account_password_policy()["PasswordPolicy"] == {
        "MinimumPasswordLength": 14, "RequireSymbols": True, "RequireNumbers": True,
        "RequireUppercaseCharacters": False, "RequireLowercaseCharacters": False,
        "AllowUsersToChangePassword": True, "ExpirePasswords": True, "MaxPasswordAge": 90,
        "PasswordReusePrevention": 24, "HardExpiry": True}
    for member, value, what in [
            ("MinimumPasswordLength", 5, "greater than or equal to 6"),
            ("MinimumPasswordLength", 129, "less than or equal to 128"),
            ("MaxPasswordAge", 0, "greater than or equal to 1"),
            ("MaxPasswordAge", 1096, "less than or equal to 1095"),
            ("PasswordReusePrevention", 25, "less than or equal to 24")]:
        m = member[0].lower() + member[1:]
        assert call_error(raw_iam.update_account_password_policy, **{member: value}) == (
            "ValidationError", f"1 validation error detected: Value '{value}' at '{m}' failed to "
            f"satisfy constraint: Member must have value {what}", 400)
    # A refused update changes nothing; a new one replaces every field.
    assert iam.get_account_password_policy()["PasswordPolicy"]["MinimumPasswordLength"] == 14
    iam.update_account_password_policy(RequireUppercaseCharacters=True)
    assert iam.get_account_password_policy()["PasswordPolicy"] == {
        "MinimumPasswordLength": 6, "RequireSymbols": False, "RequireNumbers": False,
        "RequireUppercaseCharacters": True, "RequireLowercaseCharacters": False,
        "AllowUsersToChangePassword": False, "ExpirePasswords": False, "HardExpiry": False}
    iam.delete_account_password_policy()
    assert call_error(iam.get_account_password_policy) == NO_POLICY
    assert call_error(iam.delete_account_password_policy) == (
        "NoSuchEntity", "The account policy with name PasswordPolicy cannot be found.", 404)


# -- login profiles ----------------------------------------------------------------------------

def test_login_profile_lifecycle(server, iam, raw_iam):
    user = unique("console")
    iam.create_user(UserName=user)
    missing = ("NoSuchEntity", f"Login Profile for User {user} cannot be found.", 404)
    assert call_error(iam.get_login_profile, UserName=user) == missing
    secret = "Correct-Horse-9-Battery"
    r = iam.create_login_profile(UserName=user, Password=secret)["LoginProfile"]
    assert set(r) == {"UserName", "CreateDate", "PasswordResetRequired"}
    assert (r["UserName"], r["PasswordResetRequired"]) == (user, False)
    assert call_error(iam.create_login_profile, UserName=user, Password=secret) == (
        "EntityAlreadyExists", f"Login Profile for user {user} already exists.", 409)
    got = iam.get_login_profile(UserName=user.upper())["LoginProfile"]
    assert got == r
    iam.update_login_profile(UserName=user, PasswordResetRequired=True)
    assert iam.get_login_profile(UserName=user)["LoginProfile"]["PasswordResetRequired"] is True
    iam.update_login_profile(UserName=user, Password="Another-Secret-42")
    assert iam.get_login_profile(UserName=user)["LoginProfile"]["PasswordResetRequired"] is True
    # Deleting the user waits for the login profile.
    assert call_error(iam.delete_user, UserName=user) == (
        "DeleteConflict", "Cannot delete entity, must delete login profile first.", 409)
    iam.delete_login_profile(UserName=user)
    assert call_error(iam.get_login_profile, UserName=user) == missing
    assert call_error(iam.delete_login_profile, UserName=user) == missing
    assert call_error(iam.update_login_profile, UserName=user, PasswordResetRequired=False) == missing
    iam.delete_user(UserName=user)
    assert call_error(iam.create_login_profile, UserName="ghost-console", Password=secret) == (
        "NoSuchEntity", "The user with name ghost-console cannot be found.", 404)
    # The password is neither echoed in validation messages nor logged.
    assert call_error(raw_iam.create_login_profile, UserName=user, Password="x" * 129) == (
        "ValidationError", "1 validation error detected: Value at 'password' failed to satisfy "
        "constraint: Member must have length less than or equal to 128", 400)
    assert secret not in server.stderr and "Another-Secret-42" not in server.stderr


def test_password_policy_is_enforced(iam):
    user = unique("strict")
    iam.create_user(UserName=user)
    iam.update_account_password_policy(MinimumPasswordLength=10, RequireUppercaseCharacters=True,
                                       RequireLowercaseCharacters=True, RequireNumbers=True,
                                       RequireSymbols=True, PasswordReusePrevention=2)
    try:
        for bad, message in [("Ab1!", "Password should have a minimum length of 10"),
                             ("ABCDEFGH1!", "Password should have at least one lowercase letter"),
                             ("abcdefgh1!", "Password should have at least one uppercase letter"),
                             ("Abcdefghi!", "Password should have at least one number"),
                             ("Abcdefghi1", "Password should have at least one symbol")]:
            assert call_error(iam.create_login_profile, UserName=user, Password=bad) == (
                "PasswordPolicyViolation", message, 400)
        assert call_error(iam.get_login_profile, UserName=user)[0] == "NoSuchEntity"
        iam.create_login_profile(UserName=user, Password="First-pass-1")
        reuse = ("PasswordPolicyViolation",
                 "Password should not be one of your previous 2 passwords", 400)
        assert call_error(iam.update_login_profile, UserName=user, Password="First-pass-1") == reuse
        iam.update_login_profile(UserName=user, Password="Second-pass-2")
        assert call_error(iam.update_login_profile, UserName=user, Password="First-pass-1") == reuse
        iam.update_login_profile(UserName=user, Password="Third-pass-3")
        iam.update_login_profile(UserName=user, Password="First-pass-1")  # three passwords ago
        assert call_error(iam.update_login_profile, UserName=user, Password="short") == (
            "PasswordPolicyViolation", "Password should have a minimum length of 10", 400)
    finally:
        iam.delete_account_password_policy()
    iam.update_login_profile(UserName=user, Password="short")  # no policy: anything goes


def test_change_password(server, iam):
    user = unique("changer")
    own = iam_arn("user", user)
    _, key = create_user_with_key(iam, user, allow("iam:ChangePassword", own))
    me = make_client("iam", server.endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    assert call_error(me.change_password, OldPassword="a-password", NewPassword="b-password") == (
        "NoSuchEntity", f"Login Profile for User {user} cannot be found.", 404)
    iam.create_login_profile(UserName=user, Password="Old-password-1", PasswordResetRequired=True)
    assert call_error(me.change_password, OldPassword="wrong-password",
                      NewPassword="New-password-2") == (
        "AccessDenied", "The old password is incorrect.", 403)
    me.change_password(OldPassword="Old-password-1", NewPassword="New-password-2")
    assert iam.get_login_profile(UserName=user)["LoginProfile"]["PasswordResetRequired"] is False
    # The old password no longer works; the new one does.
    assert call_error(me.change_password, OldPassword="Old-password-1",
                      NewPassword="Third-password-3")[1] == "The old password is incorrect."
    iam.update_account_password_policy(RequireSymbols=True, PasswordReusePrevention=1)
    try:
        assert call_error(me.change_password, OldPassword="New-password-2",
                          NewPassword="NoSymbols3") == (
            "PasswordPolicyViolation", "Password should have at least one symbol", 400)
        assert call_error(me.change_password, OldPassword="New-password-2",
                          NewPassword="New-password-2") == (
            "PasswordPolicyViolation", "Password should not be one of your previous 1 passwords",
            400)
        me.change_password(OldPassword="New-password-2", NewPassword="Third-password-3!")
    finally:
        iam.delete_account_password_policy()
    # Only one's own password, and only with iam:ChangePassword on one's own ARN.
    other = unique("nochange")
    _, key2 = create_user_with_key(iam, other)
    them = make_client("iam", server.endpoint, key2["AccessKeyId"], key2["SecretAccessKey"])
    assert call_error(them.change_password, OldPassword="x-password", NewPassword="y-password") == (
        "AccessDenied", access_denied(other, "iam:ChangePassword", iam_arn("user", other)), 403)
    assert call_error(them.get_account_password_policy) == (
        "AccessDenied", access_denied(other, "iam:GetAccountPasswordPolicy", "*"), 403)
    # AllowUsersToChangePassword grants both to every user, unless a policy denies explicitly.
    iam.create_login_profile(UserName=other, Password="x-password")
    iam.update_account_password_policy(AllowUsersToChangePassword=True)
    try:
        assert them.get_account_password_policy()["PasswordPolicy"]["MinimumPasswordLength"] == 6
        them.change_password(OldPassword="x-password", NewPassword="y-password")
        iam.put_user_policy(UserName=other, PolicyName="deny", PolicyDocument=policy(
            statement("Deny", "iam:ChangePassword")))
        assert call_error(them.change_password, OldPassword="y-password",
                          NewPassword="z-password") == (
            "AccessDenied", access_denied(other, "iam:ChangePassword", iam_arn("user", other),
                                          "deny"), 403)
        # Another user's password is still out of reach.
        assert call_error(them.update_login_profile, UserName=user, Password="hijacked-1")[0] == \
            "AccessDenied"
    finally:
        iam.delete_account_password_policy()


def test_change_password_is_for_users_only(server, iam):
    role = unique("pwrole")
    user = unique("assumer")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                               "Principal": {"AWS": iam_arn("user", user)}}]}))
    iam.put_role_policy(RoleName=role, PolicyName="p", PolicyDocument=allow("iam:*"))
    _, key = create_user_with_key(iam, user, allow("sts:AssumeRole"))
    sts = make_client("sts", server.endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    creds = sts.assume_role(RoleArn=iam_arn("role", role), RoleSessionName="ss")["Credentials"]
    assert call_error(session_client(server, "iam", creds).change_password,
                      OldPassword="a-password", NewPassword="b-password") == (
        "InvalidUserType", "Only IAM users can change their own password.", 400)
    # Nor have role sessions MFA devices, for their own calls or for STS.
    assert call_error(session_client(server, "iam", creds).list_mfa_devices) == (
        "ValidationError", "Must specify userName when calling with non-User credentials", 400)
    assert call_error(session_client(server, "sts", creds).assume_role,
                      RoleArn=iam_arn("role", role), RoleSessionName="again",
                      SerialNumber=f"arn:aws:iam::{DEFAULT_ACCOUNT}:mfa/{user}",
                      TokenCode="123456") == UNKNOWN_DEVICE


# -- virtual MFA devices -----------------------------------------------------------------------

def test_create_virtual_mfa_device_with_a_real_qr_code(iam, raw_iam, tmp_path):
    name = unique("phone")
    r = iam.create_virtual_mfa_device(VirtualMFADeviceName=name, Path="/team/",
                                      Tags=[{"Key": "k", "Value": "v"}])["VirtualMFADevice"]
    assert r["SerialNumber"] == f"arn:aws:iam::{DEFAULT_ACCOUNT}:mfa/team/{name}"
    seed = r["Base32StringSeed"].decode()
    assert len(seed) == 32 and len(base64.b32decode(seed)) == 20
    assert r["QRCodePNG"][:8] == b"\x89PNG\r\n\x1a\n"
    assert zbar(r["QRCodePNG"], tmp_path) == (
        f"otpauth://totp/{name}@{DEFAULT_ACCOUNT}?secret={seed}&issuer=Portcullis")
    assert r["Tags"] == [{"Key": "k", "Value": "v"}]
    # Long names need larger QR versions (with version information and several blocks).
    for length in (60, 150, 220):
        long_name = (unique("n") + "x" * length)[:length]
        d = iam.create_virtual_mfa_device(VirtualMFADeviceName=long_name)["VirtualMFADevice"]
        s = d["Base32StringSeed"].decode()
        assert zbar(d["QRCodePNG"], tmp_path) == (
            f"otpauth://totp/{long_name}@{DEFAULT_ACCOUNT}?secret={s}&issuer=Portcullis")
        iam.delete_virtual_mfa_device(SerialNumber=d["SerialNumber"])
    # Seeds differ per device.
    assert new_device(iam)[1] != seed
    assert call_error(iam.create_virtual_mfa_device, VirtualMFADeviceName=name.upper(),
                      Path="/team/") == (
        "EntityAlreadyExists", "MFADevice entity at the same path and name already exists.", 409)
    assert call_error(raw_iam.create_virtual_mfa_device, VirtualMFADeviceName="a b") == (
        "ValidationError", "1 validation error detected: Value 'a b' at 'virtualMFADeviceName' "
        "failed to satisfy constraint: Member must satisfy regular expression pattern: "
        "[\\w+=,.@-]+", 400)
    assert call_error(raw_iam.create_virtual_mfa_device, VirtualMFADeviceName="x",
                      Path="nopath") == (
        "ValidationError", "1 validation error detected: Value 'nopath' at 'path' failed to "
        "satisfy constraint: Member must satisfy regular expression pattern: "
        "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)", 400)
    # The seed is not kept in the clear, and not returned again.
    listed = iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]
    mine = [d for d in listed if d["SerialNumber"] == r["SerialNumber"]]
    assert mine == [{"SerialNumber": r["SerialNumber"], "Tags": [{"Key": "k", "Value": "v"}]}]


def test_enable_resync_deactivate_delete(iam):
    user = unique("mfauser")
    user_doc = iam.create_user(UserName=user)["User"]
    serial, seed = new_device(iam)
    s = now_step()
    bad = wrong_code(seed)
    for c1, c2 in [(bad, totp(seed, s)), (totp(seed, s), totp(seed, s)),
                   (totp(seed, s), totp(seed, s - 1)), (totp(seed, s - 20), totp(seed, s - 19))]:
        assert call_error(iam.enable_mfa_device, UserName=user, SerialNumber=serial,
                          AuthenticationCode1=c1, AuthenticationCode2=c2) == BAD_AUTH_CODE
    assert iam.list_mfa_devices(UserName=user)["MFADevices"] == []
    enable(iam, user, serial, seed)
    listed = iam.list_mfa_devices(UserName=user)["MFADevices"]
    assert [(d["UserName"], d["SerialNumber"]) for d in listed] == [(user, serial)]
    assigned = [d for d in iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")
                ["VirtualMFADevices"] if d["SerialNumber"] == serial]
    assert assigned[0]["User"] == {k: user_doc[k] for k in ("Path", "UserName", "UserId", "Arn",
                                                             "CreateDate")}
    assert assigned[0]["EnableDate"] == listed[0]["EnableDate"]
    assert serial not in [d["SerialNumber"] for d in iam.list_virtual_mfa_devices(
        AssignmentStatus="Unassigned")["VirtualMFADevices"]]
    assert serial in [d["SerialNumber"] for d in iam.list_virtual_mfa_devices()["VirtualMFADevices"]]
    other = unique("other")
    iam.create_user(UserName=other)
    assert call_error(iam.enable_mfa_device, UserName=other, SerialNumber=serial,
                      AuthenticationCode1="123456", AuthenticationCode2="654321") == (
        "EntityAlreadyExists", "MFA Device is already in use.", 409)
    assert call_error(iam.delete_virtual_mfa_device, SerialNumber=serial) == (
        "DeleteConflict", "MFA VirtualDevice in use. Must deactivate first.", 409)
    assert call_error(iam.delete_user, UserName=user) == (
        "DeleteConflict", "Cannot delete entity, must delete MFA device first.", 409)
    assert call_error(iam.deactivate_mfa_device, UserName=other, SerialNumber=serial) == (
        "NoSuchEntity", "MFA Device invalid for user.", 404)
    # Resync takes two consecutive codes, within minutes of now.
    s = now_step()
    assert call_error(iam.resync_mfa_device, UserName=user, SerialNumber=serial,
                      AuthenticationCode1=bad, AuthenticationCode2=totp(seed, s)) == BAD_AUTH_CODE
    iam.resync_mfa_device(UserName=user, SerialNumber=serial,
                          AuthenticationCode1=totp(seed, s + 1), AuthenticationCode2=totp(seed, s + 2))
    iam.deactivate_mfa_device(UserName=user, SerialNumber=serial)
    assert iam.list_mfa_devices(UserName=user)["MFADevices"] == []
    iam.delete_virtual_mfa_device(SerialNumber=serial)
    missing = ("NoSuchEntity", f"VirtualMFADevice with serial number {serial} does not exist.", 404)
    assert call_error(iam.delete_virtual_mfa_device, SerialNumber=serial) == missing
    assert call_error(iam.enable_mfa_device, UserName=user, SerialNumber=serial,
                      AuthenticationCode1="123456", AuthenticationCode2="654321") == missing
    assert call_error(iam.enable_mfa_device, UserName="ghost-mfa", SerialNumber=serial,
                      AuthenticationCode1="123456", AuthenticationCode2="654321") == (
        "NoSuchEntity", "The user with name ghost-mfa cannot be found.", 404)
    iam.delete_user(UserName=user)


def test_mfa_lists_paginate_and_devices_follow_a_rename(iam, raw_iam):
    user = unique("many")
    iam.create_user(UserName=user)
    devices = sorted(new_device(iam, name=f"{user}-{i}") for i in range(3))
    for serial, seed in devices:
        enable(iam, user, serial, seed)
    page = iam.list_mfa_devices(UserName=user, MaxItems=2)
    assert [d["SerialNumber"] for d in page["MFADevices"]] == [d[0] for d in devices[:2]]
    assert page["IsTruncated"] is True
    rest = iam.list_mfa_devices(UserName=user, Marker=page["Marker"])
    assert [d["SerialNumber"] for d in rest["MFADevices"]] == [devices[2][0]]
    assert rest["IsTruncated"] is False
    vpage = iam.list_virtual_mfa_devices(AssignmentStatus="Assigned", MaxItems=1)
    assert len(vpage["VirtualMFADevices"]) == 1 and vpage["IsTruncated"] is True
    assert call_error(raw_iam.list_virtual_mfa_devices, AssignmentStatus="Some") == (
        "ValidationError", "1 validation error detected: Value 'Some' at 'assignmentStatus' failed "
        "to satisfy constraint: Member must satisfy enum value set: [Assigned, Unassigned, Any]",
        400)
    # The caller's own devices when UserName is left out (the administrator has none).
    assert iam.list_mfa_devices()["MFADevices"] == []
    # At most eight per user.
    for i in range(3, 8):
        enable(iam, user, *new_device(iam, name=f"{user}-{i}"))
    ninth = new_device(iam, name=f"{user}-9")
    assert call_error(enable, iam, user, *ninth) == (
        "LimitExceeded", "Cannot exceed quota for MFADevicesPerUser: 8", 409)
    # A serial number longer than 256 characters.
    assert call_error(iam.create_virtual_mfa_device, VirtualMFADeviceName="x",
                      Path="/" + "p" * 230 + "/") == (
        "InvalidInput", "The serial number of the MFA device would be longer than 256 "
        "characters.", 400)
    renamed = unique("renamed")
    iam.create_login_profile(UserName=user, Password="pw-123456")
    iam.update_user(UserName=user, NewUserName=renamed)
    assert len(iam.list_mfa_devices(UserName=renamed)["MFADevices"]) == 8
    assert iam.get_login_profile(UserName=renamed)["LoginProfile"]["UserName"] == renamed


def test_mfa_device_tags(iam, raw_iam):
    serial, _ = new_device(iam)
    iam.tag_mfa_device(SerialNumber=serial, Tags=[{"Key": "a", "Value": "1"},
                                                   {"Key": "b", "Value": "2"}])
    iam.tag_mfa_device(SerialNumber=serial, Tags=[{"Key": "A", "Value": "3"}])
    assert iam.list_mfa_device_tags(SerialNumber=serial)["Tags"] == [
        {"Key": "a", "Value": "3"}, {"Key": "b", "Value": "2"}]
    page = iam.list_mfa_device_tags(SerialNumber=serial, MaxItems=1)
    assert page["Tags"] == [{"Key": "a", "Value": "3"}] and page["IsTruncated"] is True
    iam.untag_mfa_device(SerialNumber=serial, TagKeys=["B"])
    assert iam.list_mfa_device_tags(SerialNumber=serial)["Tags"] == [{"Key": "a", "Value": "3"}]
    ghost = f"arn:aws:iam::{DEFAULT_ACCOUNT}:mfa/ghost-device"
    assert call_error(iam.list_mfa_device_tags, SerialNumber=ghost) == (
        "NoSuchEntity", f"VirtualMFADevice with serial number {ghost} does not exist.", 404)
    assert call_error(raw_iam.tag_mfa_device, SerialNumber="short", Tags=[{"Key": "a",
                                                                          "Value": "b"}]) == (
        "ValidationError", "1 validation error detected: Value 'short' at 'serialNumber' failed "
        "to satisfy constraint: Member must have length greater than or equal to 9", 400)


# -- MFA in STS sessions -----------------------------------------------------------------------

MFA_ONLY = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def test_sts_sessions_carry_mfa(server, iam):
    user = unique("mfasts")
    own = iam_arn("user", user)
    doc = policy(statement("Allow", ["sts:AssumeRole"]),
                 statement("Allow", "iam:GetUser", own, MFA_ONLY),
                 statement("Allow", "iam:ListUsers", "*",
                           {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}),
                 statement("Allow", "iam:ListGroups", "*",
                           {"NumericLessThan": {"aws:MultiFactorAuthAge": "0"}}),
                 statement("Allow", "iam:ListRoles", "*",
                           {"Null": {"aws:MultiFactorAuthPresent": "true"}}),
                 statement("Allow", "iam:ListPolicies", "*",
                           {"Bool": {"aws:MultiFactorAuthPresent": "false"}}))
    _, key = create_user_with_key(iam, user, doc)
    me_iam = make_client("iam", server.endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    me_sts = make_client("sts", server.endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    serial, seed = new_device(iam)
    codes = Codes(seed, enable(iam, user, serial, seed))

    # Long-term keys: no MFA keys at all.
    assert call_error(me_iam.get_user)[0] == "AccessDenied"
    me_iam.list_roles()  # aws:MultiFactorAuthPresent is absent
    assert call_error(me_iam.list_policies)[0] == "AccessDenied"

    # GetSessionToken: the device must be the caller's, the code right and unused.
    other_serial, _ = new_device(iam)
    assert call_error(me_sts.get_session_token, SerialNumber=other_serial,
                      TokenCode=totp(seed, now_step())) == UNKNOWN_DEVICE
    assert call_error(me_sts.get_session_token, SerialNumber=serial,
                      TokenCode=wrong_code(seed)) == INVALID_CODE
    assert call_error(me_sts.get_session_token, SerialNumber=serial) == UNKNOWN_DEVICE
    code = codes.next()
    creds = me_sts.get_session_token(SerialNumber=serial, TokenCode=code)["Credentials"]
    assert call_error(me_sts.get_session_token, SerialNumber=serial, TokenCode=code) == INVALID_CODE
    mfa_iam = session_client(server, "iam", creds)
    assert mfa_iam.get_user()["User"]["UserName"] == user  # MFA present
    mfa_iam.list_users()  # age < 3600
    assert call_error(mfa_iam.list_groups)[0] == "AccessDenied"  # age < 0 never holds
    assert call_error(mfa_iam.list_policies)[0] == "AccessDenied"

    # Without MFA, GetSessionToken credentials cannot call IAM at all.
    plain = me_sts.get_session_token()["Credentials"]
    assert call_error(session_client(server, "iam", plain).list_users)[0] == "InvalidClientTokenId"

    # AssumeRole: a trust policy that requires MFA; the role session carries it.
    role = unique("mfarole")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": own},
            "Condition": MFA_ONLY}]}))
    iam.put_role_policy(RoleName=role, PolicyName="p", PolicyDocument=policy(
        statement("Allow", "iam:ListRoles", "*", MFA_ONLY),
        statement("Allow", "iam:ListPolicies", "*", {"Bool": {"aws:MultiFactorAuthPresent":
                                                              "false"}})))
    role_arn = iam_arn("role", role)
    assert call_error(me_sts.assume_role, RoleArn=role_arn, RoleSessionName="ss")[0] == \
        "AccessDenied"
    assert call_error(me_sts.assume_role, RoleArn=role_arn, RoleSessionName="ss",
                      SerialNumber=serial, TokenCode=code) == INVALID_CODE
    rc = me_sts.assume_role(RoleArn=role_arn, RoleSessionName="ss", SerialNumber=serial,
                            TokenCode=codes.next())["Credentials"]
    role_iam = session_client(server, "iam", rc)
    role_iam.list_roles()
    assert call_error(role_iam.list_policies)[0] == "AccessDenied"

    # A role session without MFA: aws:MultiFactorAuthPresent is false.
    iam.update_assume_role_policy(RoleName=role, PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": own}}]}))
    plain_role = session_client(server, "iam", me_sts.assume_role(
        RoleArn=role_arn, RoleSessionName="plain")["Credentials"])
    plain_role.list_policies()
    assert call_error(plain_role.list_roles)[0] == "AccessDenied"


def test_mfa_codes_cannot_be_guessed_or_burnt(server, iam):
    user = unique("mfaguess")
    own = iam_arn("user", user)
    _, key = create_user_with_key(iam, user, policy(statement("Allow", "sts:AssumeRole")))
    me_sts = make_client("sts", server.endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    serial, seed = new_device(iam)
    codes = Codes(seed, enable(iam, user, serial, seed))
    # The serial in another letter case is another device: none, whatever a policy says of it.
    assert call_error(iam.deactivate_mfa_device, UserName=user, SerialNumber=serial.upper())[0] == \
        "NoSuchEntity"
    # A call the trust policy refuses does not spend the code it carried.
    role = unique("nottrusting")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Deny", "Action": "sts:AssumeRole", "Principal": {"AWS": own}}]}))
    code = codes.next()
    assert call_error(me_sts.assume_role, RoleArn=iam_arn("role", role), RoleSessionName="ss",
                      SerialNumber=serial, TokenCode=code)[0] == "AccessDenied"
    me_sts.get_session_token(SerialNumber=serial, TokenCode=code)
    # Ten wrong codes in a row lock the device: even the right code is refused then.
    for _ in range(10):
        assert call_error(me_sts.get_session_token, SerialNumber=serial,
                          TokenCode=wrong_code(seed)) == INVALID_CODE
    assert call_error(me_sts.get_session_token, SerialNumber=serial,
                      TokenCode=codes.next()) == INVALID_CODE


# -- authorization, persistence, the CLI -------------------------------------------------------

@pytest.fixture(scope="module")
def nobody(server, iam):
    _, key = create_user_with_key(iam, unique("nobody"))
    return key["UserName"], make_client("iam", server.endpoint, key["AccessKeyId"],
                                         key["SecretAccessKey"])


def test_every_operation_is_denied_without_permission(iam, nobody):
    name, client = nobody
    target = unique("target")
    iam.create_user(UserName=target)
    serial, _ = new_device(iam)
    user_arn = iam_arn("user", target)
    code = {"AuthenticationCode1": "123456", "AuthenticationCode2": "654321"}
    cases = [
        ("create_login_profile", {"UserName": target, "Password": "pw-123456"}, user_arn),
        ("get_login_profile", {"UserName": target}, user_arn),
        ("update_login_profile", {"UserName": target, "Password": "pw-123456"}, user_arn),
        ("delete_login_profile", {"UserName": target}, user_arn),
        ("change_password", {"OldPassword": "pw-123456", "NewPassword": "pw-654321"},
         iam_arn("user", name)),
        ("get_account_password_policy", {}, "*"),
        ("update_account_password_policy", {}, "*"),
        ("delete_account_password_policy", {}, "*"),
        ("create_virtual_mfa_device", {"VirtualMFADeviceName": "nope"},
         f"arn:aws:iam::{DEFAULT_ACCOUNT}:mfa/nope"),
        ("enable_mfa_device", {"UserName": target, "SerialNumber": serial, **code}, user_arn),
        ("deactivate_mfa_device", {"UserName": target, "SerialNumber": serial}, user_arn),
        ("resync_mfa_device", {"UserName": target, "SerialNumber": serial, **code}, user_arn),
        ("delete_virtual_mfa_device", {"SerialNumber": serial}, serial),
        ("list_mfa_devices", {"UserName": target}, user_arn),
        ("list_virtual_mfa_devices", {}, "*"),
        ("tag_mfa_device", {"SerialNumber": serial, "Tags": [{"Key": "a", "Value": "b"}]}, serial),
        ("untag_mfa_device", {"SerialNumber": serial, "TagKeys": ["a"]}, serial),
        ("list_mfa_device_tags", {"SerialNumber": serial}, serial),
    ]
    for op, params, resource in cases:
        action = "iam:" + "".join(p.capitalize() for p in op.split("_"))
        action = action.replace("Mfa", "MFA").replace("VirtualMfa", "VirtualMFA")
        assert call_error(getattr(client, op), **params) == (
            "AccessDenied", access_denied(name, action, resource), 403), op
    # Nothing changed.
    assert call_error(iam.get_login_profile, UserName=target)[0] == "NoSuchEntity"
    assert iam.list_mfa_device_tags(SerialNumber=serial)["Tags"] == []


def test_state_survives_a_restart(start_server, tmp_path):
    state = tmp_path / "state"
    s1 = start_server(state_dir=state)
    iam = s1.client("iam")
    _, key = create_user_with_key(iam, "keeper", allow("iam:GetUser", "*", MFA_ONLY))
    iam.create_login_profile(UserName="keeper", Password="Kept-password-1")
    iam.update_account_password_policy(MinimumPasswordLength=8)
    serial, seed = new_device(iam, name="keeper-phone")
    codes = Codes(seed, enable(iam, "keeper", serial, seed))
    used = codes.next()
    make_client("sts", s1.endpoint, key["AccessKeyId"], key["SecretAccessKey"]).get_session_token(
        SerialNumber=serial, TokenCode=used)
    s1.terminate()
    s2 = start_server(state_dir=state)
    iam = s2.client("iam")
    assert iam.get_login_profile(UserName="keeper")["LoginProfile"]["UserName"] == "keeper"
    assert iam.get_account_password_policy()["PasswordPolicy"]["MinimumPasswordLength"] == 8
    assert [d["SerialNumber"] for d in iam.list_mfa_devices(UserName="keeper")["MFADevices"]] == [
        serial]
    me = make_client("iam", s2.endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    sts = make_client("sts", s2.endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    # The used code stays used; the seed still opens under the master key.
    assert call_error(sts.get_session_token, SerialNumber=serial, TokenCode=used) == INVALID_CODE
    creds = sts.get_session_token(SerialNumber=serial, TokenCode=codes.next())["Credentials"]
    assert session_client(s2, "iam", creds).get_user()["User"]["UserName"] == "keeper"
    # The seed is sealed: neither its base32 nor its bytes are in the database file.
    raw = b"".join(p.read_bytes() for p in state.rglob("*") if p.is_file())
    assert seed.encode() not in raw and base64.b32decode(seed) not in raw
    assert b"Kept-password-1" not in raw


def test_cli_writes_the_qr_code_and_reads_the_policy(server, tmp_path):
    png = tmp_path / "qr.png"
    name = unique("cli")
    env = {"AWS_ACCESS_KEY_ID": "AKIAPORTCULLISTEST01",
           "AWS_SECRET_ACCESS_KEY": "portcullis/Test+Secret/0123456789abcdef"}
    p = run_aws(["--endpoint-url", server.endpoint, "--output", "json", "iam",
                 "create-virtual-mfa-device", "--virtual-mfa-device-name", name,
                 "--outfile", str(png), "--bootstrap-method", "QRCodePNG"], tmp_path, env=env)
    assert p.returncode == 0, p.stderr
    serial = json.loads(p.stdout)["VirtualMFADevice"]["SerialNumber"]
    assert serial == f"arn:aws:iam::{DEFAULT_ACCOUNT}:mfa/{name}"
    uri = zbar(png.read_bytes(), tmp_path)
    assert uri.startswith(f"otpauth://totp/{name}@{DEFAULT_ACCOUNT}?secret=")
    p = run_aws(["--endpoint-url", server.endpoint, "iam", "get-account-password-policy"],
                tmp_path, env=env)
    assert p.returncode == 254
    assert "An error occurred (NoSuchEntity) when calling the GetAccountPasswordPolicy" in p.stderr
    assert p.stderr.strip().endswith(
        f"The Password Policy with domain name {DEFAULT_ACCOUNT} cannot be found.")
