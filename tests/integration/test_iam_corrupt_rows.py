"""Stored documents damaged outside the server (a state directory edited by hand): a row that is
not a JSON object, or a member of the wrong type, gives a clean InternalFailure (or reads as
absent), never a crashed or hung server."""

from __future__ import annotations

import json
import sqlite3

import pytest
from botocore.exceptions import ClientError


def set_raw(state, table, key, value):
    db = sqlite3.connect(state / "portcullis.db")
    with db:
        n = db.execute("UPDATE documents SET value = ? WHERE tbl = ? AND key = ?", (value, table, key)).rowcount
    db.close()
    assert n == 1, (table, key)


def rows_of(state, table):
    db = sqlite3.connect(state / "portcullis.db")
    rows = db.execute("SELECT key, value FROM documents WHERE tbl = ?", (table,)).fetchall()
    db.close()
    return rows


def error_of(fn, **kw):
    with pytest.raises(ClientError) as ei:
        fn(**kw)
    r = ei.value.response
    return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"]


def test_malformed_stored_rows_give_a_clean_internal_failure(start_server, tmp_path):
    state = tmp_path / "state"
    s = start_server(state_dir=state)
    iam = s.client("iam")
    iam.create_virtual_mfa_device(VirtualMFADeviceName="dev1")
    iam.create_policy(PolicyName="numbered", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
    iam.create_user(UserName="odd")
    assert s.terminate() == 0

    (mfa_key, _), = rows_of(state, "iam.mfa")
    set_raw(state, "iam.mfa", mfa_key, "this is not JSON")
    (_, text), = [r for r in rows_of(state, "iam.policies") if r[0] == "numbered"]
    policy = json.loads(text)
    policy["NextVersion"] = "seven"
    set_raw(state, "iam.policies", "numbered", json.dumps(policy))
    (_, text), = [r for r in rows_of(state, "iam.users") if r[0] == "odd"]
    user = json.loads(text)
    user["Groups"] = 5
    user["Tags"] = {"not": "a list"}
    set_raw(state, "iam.users", "odd", json.dumps(user))

    s2 = start_server(state_dir=state)
    iam = s2.client("iam")
    # A row that is not a document: the listing fails as a whole, and says why in the log only.
    assert error_of(iam.list_virtual_mfa_devices) == (500, "InternalFailure")
    assert s2.wait_for_stderr(lambda l: "store: corrupt document iam.mfa/" in l, 5)
    arn = iam.list_policies(Scope="Local")["Policies"][0]["Arn"]
    assert error_of(iam.create_policy_version, PolicyArn=arn, PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]})) \
        == (500, "InternalFailure")
    assert s2.wait_for_stderr(lambda l: "NextVersion is not an integer" in l, 5)
    # Members of the wrong type read as absent.
    assert iam.list_groups_for_user(UserName="odd")["Groups"] == []
    assert iam.list_user_tags(UserName="odd")["Tags"] == []
    iam.tag_user(UserName="odd", Tags=[{"Key": "k", "Value": "v"}])
    assert iam.list_user_tags(UserName="odd")["Tags"] == [{"Key": "k", "Value": "v"}]
    # The server is still whole.
    assert iam.get_user(UserName="odd")["User"]["UserName"] == "odd"
    assert s2.terminate() == 0
