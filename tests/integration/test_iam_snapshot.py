"""The IAM snapshot over stored state that no longer compiles: the server starts, says so loudly
naming the policy, and that policy denies everything to whoever has it while the rest works."""

from __future__ import annotations

import json
import sqlite3

import pytest
from botocore.exceptions import ClientError

from portcullis_helpers import DEFAULT_ACCOUNT, policy, statement, trust_policy

BROKEN = json.dumps({"Version": "2012-10-17",
                     "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Frobnicate": 1}]})


def code_of(fn, **kw):
    with pytest.raises(ClientError) as ei:
        fn(**kw)
    return ei.value.response["Error"]["Code"]


def rewrite(state, table, key, change):
    db = sqlite3.connect(state / "portcullis.db")
    with db:
        (value,) = db.execute("SELECT value FROM documents WHERE tbl = ? AND key = ?", (table, key)).fetchone()
        doc = json.loads(value)
        change(doc)
        db.execute("UPDATE documents SET value = ? WHERE tbl = ? AND key = ?", (json.dumps(doc), table, key))
    db.close()


def test_stored_policies_that_no_longer_compile_fail_closed(start_server, tmp_path):
    state = tmp_path / "state"
    s = start_server(state_dir=state)
    iam = s.client("iam")
    allow_all = policy(statement("Allow", "*"))
    keys = {}
    for user in ("inline-broken", "managed-broken", "healthy"):
        iam.create_user(UserName=user)
        keys[user] = iam.create_access_key(UserName=user)["AccessKey"]
    iam.put_user_policy(UserName="inline-broken", PolicyName="everything", PolicyDocument=allow_all)
    managed = iam.create_policy(PolicyName="shared", PolicyDocument=allow_all)["Policy"]["Arn"]
    iam.attach_user_policy(UserName="managed-broken", PolicyArn=managed)
    iam.put_user_policy(UserName="healthy", PolicyName="everything", PolicyDocument=allow_all)
    iam.create_role(RoleName="untrusting", AssumeRolePolicyDocument=trust_policy(
        {"AWS": f"arn:aws:iam::{DEFAULT_ACCOUNT}:root"}))
    role_arn = iam.get_role(RoleName="untrusting")["Role"]["Arn"]
    assert s.terminate() == 0

    # What a stricter parser of a later release would refuse: an unknown statement element.
    rewrite(state, "iam.users", "inline-broken", lambda d: d["InlinePolicies"].update(everything=BROKEN))
    rewrite(state, "iam.policies", "shared",
            lambda d: [v.update(Document=BROKEN) for v in d["Versions"]])
    rewrite(state, "iam.roles", "untrusting", lambda d: d.update(AssumeRolePolicyDocument=BROKEN))

    s2 = start_server(state_dir=state)
    log = s2.stderr
    assert "the stored policy user arn:aws:iam::000000000000:user/inline-broken inline policy everything no longer compiles" in log
    assert f"the stored policy {managed} no longer compiles" in log
    assert f"the stored policy trust policy of {role_arn} no longer compiles" in log
    for user in ("inline-broken", "managed-broken"):
        mine = s2.client("iam", keys[user]["AccessKeyId"], keys[user]["SecretAccessKey"])
        assert code_of(mine.get_user, UserName=user) == "AccessDenied"
        assert code_of(s2.client("sts", keys[user]["AccessKeyId"], keys[user]["SecretAccessKey"]).assume_role,
                       RoleArn=role_arn, RoleSessionName="probe") == "AccessDenied"
    healthy = s2.client("iam", keys["healthy"]["AccessKeyId"], keys["healthy"]["SecretAccessKey"])
    assert healthy.get_user(UserName="healthy")["User"]["UserName"] == "healthy"
    # The broken trust policy trusts nobody, even a caller allowed everything.
    sts = s2.client("sts", keys["healthy"]["AccessKeyId"], keys["healthy"]["SecretAccessKey"])
    assert code_of(sts.assume_role, RoleArn=role_arn, RoleSessionName="probe") == "AccessDenied"
    # Replacing the document restores access.
    iam2 = s2.client("iam")
    iam2.put_user_policy(UserName="inline-broken", PolicyName="everything", PolicyDocument=allow_all)
    mine = s2.client("iam", keys["inline-broken"]["AccessKeyId"], keys["inline-broken"]["SecretAccessKey"])
    assert mine.get_user(UserName="inline-broken")["User"]["UserName"] == "inline-broken"
