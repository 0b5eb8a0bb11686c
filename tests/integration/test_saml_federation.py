"""AssumeRoleWithSAML over the wire: a SAML provider made from tests/data/saml/idp-metadata.xml,
responses built with current timestamps and signed with the test IdP's key (python3-xmlsec and
the xmlsec1 CLI), sent unsigned by boto3, the aws CLI v2 and raw HTTP; the Role and
RoleSessionName attributes, one-time use, time windows, audience/recipient/issuer checks, trust
policy conditions and session tags; a subset of the attack catalogue of
tests/federation/saml_response_test.cc against the real server; and a response made by
python3-pysaml2 acting as the identity provider."""

from __future__ import annotations

import base64
import concurrent.futures
import copy
import hashlib
import itertools
import json
import os
import re
import threading
import time
from types import SimpleNamespace

import pytest
from lxml import etree

from portcullis_helpers import (unique, DEFAULT_ACCOUNT, FORM_TYPE, CaptureServer, allow,
                                assumed_role_arn, call_error, exchange, http_get, query_error,
                                raw_request, run_aws, session_client, unsigned_client)
from saml_helpers import (AWS_SAML_URL, AWS_SAML_URN, C14N, DS_NS, ECDSA_SHA256, IDP_CERT,
                          IDP_ENTITY_ID, IDP_KEY, IDP_METADATA, NS, PERSISTENT, RSA_SHA1,
                          SAMLP_NS, SHA1, TAG_ATTR, TRANSIENT, assertion, b64, make_key_pair,
                          metadata_for, name_qualifier, post_saml, provider_arn, response_xml,
                          role_arn, role_value, sign_xml, sign_xml_cli, signature_template,
                          signature_verifies, signed_response, sts_error,
                          wrapped_signature_intact)

ASIA = re.compile(r"ASIA[A-Z2-7]{16}")
PROVIDER = provider_arn("idp")
READER = "reader"  # the role the default Role attribute names




def saml_trust(*conditions: tuple[str, str, str], actions=("sts:AssumeRoleWithSAML",),
               provider: str = PROVIDER) -> str:
    """A trust policy with the provider as the federated principal allowing `actions`, SAML:aud
    required, plus (operator, key, value) conditions."""
    cond = {"StringEquals": {"SAML:aud": AWS_SAML_URL}}
    for op, key, value in conditions:
        cond.setdefault(op, {})[key] = value
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": provider},
        "Action": list(actions) if len(actions) > 1 else actions[0], "Condition": cond}]})


def make_role(iam, name: str | None = None, trust: str | None = None,
              permissions: str | None = None) -> dict:
    """A role trusting the provider (saml_trust() unless `trust`), allowed iam:ListRoles and
    iam:GetRole (unless `permissions`)."""
    name = name or unique("saml")
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust or saml_trust())["Role"]
    iam.put_role_policy(RoleName=name, PolicyName="perms",
                        PolicyDocument=permissions or allow(["iam:ListRoles", "iam:GetRole"]))
    return role






@pytest.fixture(scope="module")
def idp(iam):
    """The SAML provider "idp" (from the fixture metadata) and the role "reader" trusting it."""
    arn = iam.create_saml_provider(Name="idp", SAMLMetadataDocument=IDP_METADATA.read_text())[
        "SAMLProviderArn"]
    assert arn == PROVIDER
    return {"provider": arn, "reader": make_role(iam, READER)}


@pytest.fixture(scope="module")
def evil_keys(tmp_path_factory):
    """A key pair the provider's metadata does not know (openssl CLI)."""
    return make_key_pair(tmp_path_factory.mktemp("evil"), "evil")


def saml(sts, role: str, saml_assertion: str, provider: str = PROVIDER, **kw) -> dict:
    return sts.assume_role_with_saml(RoleArn=role if role.startswith("arn:") else role_arn(role),
                                     PrincipalArn=provider, SAMLAssertion=saml_assertion, **kw)


def saml_error(sts, role: str, saml_assertion: str, **kw) -> tuple[str, str, int]:
    return call_error(saml, sts, role, saml_assertion, **kw)


def expires_in(credentials: dict, seconds: int, before: float, after: float) -> None:
    exp = credentials["Expiration"].timestamp()
    assert int(before) + seconds - 2 <= exp <= after + seconds + 1, (exp - before, seconds)


def healthy(server) -> None:
    assert server.proc.poll() is None, server.stderr[-3000:]
    r = exchange(server.port, http_get("/_portcullis/health"), timeout=5)
    assert r.status == 200, r.text


# -- the happy path -------------------------------------------------------------------------------

def test_boto3_unsigned_assume_role_with_saml(server, iam, sts, idp):
    before = time.time()
    r = saml(sts, READER, assertion(session_name="alice@example.test", name_id="alice"))
    after = time.time()
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert set(r) == {"Credentials", "AssumedRoleUser", "Subject", "SubjectType", "Issuer",
                      "Audience", "NameQualifier", "ResponseMetadata"}, r
    c = r["Credentials"]
    assert ASIA.fullmatch(c["AccessKeyId"]), c["AccessKeyId"]
    assert len(c["SecretAccessKey"]) == 40 and len(c["SessionToken"]) > 100
    expires_in(c, 3600, before, after)  # the default duration
    arn = assumed_role_arn(READER, "alice@example.test")
    assert r["AssumedRoleUser"] == {
        "Arn": arn, "AssumedRoleId": f"{idp['reader']['RoleId']}:alice@example.test"}
    assert (r["Subject"], r["SubjectType"], r["Issuer"], r["Audience"]) == (
        "alice", "persistent", IDP_ENTITY_ID, AWS_SAML_URL)
    assert r["NameQualifier"] == name_qualifier(IDP_ENTITY_ID, DEFAULT_ACCOUNT, "idp")
    assert r["NameQualifier"] == base64.b64encode(hashlib.sha1(
        b"https://idp.example.test/saml000000000000/idp").digest()).decode()

    # The credentials are the role's session, with the role's permissions and nothing more.
    me = session_client(server, "sts", c).get_caller_identity()
    assert (me["Arn"], me["UserId"], me["Account"]) == (
        arn, f"{idp['reader']['RoleId']}:alice@example.test", DEFAULT_ACCOUNT)
    s_iam = session_client(server, "iam", c)
    assert s_iam.get_role(RoleName=READER)["Role"]["Arn"] == role_arn(READER)
    assert any(x["RoleName"] == READER for x in s_iam.list_roles()["Roles"])
    code, message, status = call_error(s_iam.list_users)
    assert (code, status) == ("AccessDenied", 403)
    assert f"{arn} is not authorized to perform: iam:ListUsers" in message


def test_aws_cli_v2_assume_role_with_saml(server, idp, tmp_path):
    """The aws CLI v2 with no credentials at all: AssumeRoleWithSAML is sent unsigned."""
    saml_assertion = assertion(session_name="cli-user", name_id="cli")
    p = run_aws(["--endpoint-url", server.endpoint, "--output", "json", "sts",
                 "assume-role-with-saml", "--role-arn", role_arn(READER), "--principal-arn",
                 PROVIDER, "--saml-assertion", saml_assertion, "--duration-seconds", "900"],
                tmp_path)
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    c = doc["Credentials"]
    assert ASIA.fullmatch(c["AccessKeyId"])
    assert doc["AssumedRoleUser"]["Arn"] == assumed_role_arn(READER, "cli-user")
    assert (doc["Subject"], doc["SubjectType"], doc["Issuer"], doc["Audience"],
            doc["NameQualifier"]) == ("cli", "persistent", IDP_ENTITY_ID, AWS_SAML_URL,
                                      name_qualifier())
    env = {"AWS_ACCESS_KEY_ID": c["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": c["SecretAccessKey"],
           "AWS_SESSION_TOKEN": c["SessionToken"]}
    p = run_aws(["--endpoint-url", server.endpoint, "--output", "json", "sts",
                 "get-caller-identity"], tmp_path, env=env)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["Arn"] == assumed_role_arn(READER, "cli-user")


def test_signed_call_and_cli_signed_fixture_signature(server, idp):
    """A SigV4-signed AssumeRoleWithSAML is answered too (the caller plays no part), and a
    response signed by the xmlsec1 CLI as the fixture was is accepted."""
    xml = response_xml(session_name="signed-call")
    r = post_saml(server.port, READER, "idp", b64(sign_xml_cli(xml)), signed=True)
    assert r.status == 200, r.text
    assert assumed_role_arn(READER, "signed-call") in r.text


def test_boto3_sends_it_unsigned_and_only_federation_calls_go_unsigned(server, idp):
    """What the unsigned client puts on the wire (no Authorization, no X-Amz-*), and that
    without a signature only the federation call is answered."""
    with CaptureServer(timeout=5) as cap:
        client = unsigned_client(SimpleNamespace(endpoint=f"http://127.0.0.1:{cap.port}"), "sts")
        try:
            saml(client, READER, "AAAA")
        except Exception:  # the capture server answers "ok", which is no STS response
            pass
    names = {n.lower() for n, _ in cap.headers()}
    assert "authorization" not in names and not any(n.startswith("x-amz-") for n in names)
    assert b"Action=AssumeRoleWithSAML" in cap.request
    for action in ("AssumeRole", "GetCallerIdentity", "GetSessionToken"):
        body = f"Action={action}&Version=2011-06-15&RoleArn={role_arn(READER)}&RoleSessionName=x"
        r = exchange(server.port, raw_request("POST", "/", {
            "Host": f"127.0.0.1:{server.port}", "Content-Type": FORM_TYPE}, body.encode()))
        assert (r.status, query_error(r.body)[1]) == (403, "MissingAuthenticationToken"), r.text


@pytest.mark.parametrize("fmt, subject_type", [
    (PERSISTENT, "persistent"),
    (TRANSIENT, "transient"),
    ("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
     "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"),
])
def test_subject_type(sts, idp, fmt, subject_type):
    r = saml(sts, READER, assertion(name_id="subject@example.test", name_id_format=fmt))
    assert (r["Subject"], r["SubjectType"]) == ("subject@example.test", subject_type)


def test_response_signed_as_well_or_only(sts, idp):
    """The assertion signed, the Response signed, or both."""
    for kw in ({"sign_response": True}, {"sign_response": True, "sign_assertion": False}):
        r = saml(sts, READER, assertion(session_name="resp-signed", **kw))
        assert r["AssumedRoleUser"]["Arn"] == assumed_role_arn(READER, "resp-signed"), kw


def test_alternative_audience_and_no_destination(sts, idp):
    r = saml(sts, READER, assertion(audiences=[AWS_SAML_URN], destination=None))
    # Audience in the answer is the recipient (as AWS answers), whichever audience matched.
    assert r["Audience"] == AWS_SAML_URL
    r = saml(sts, READER, assertion(audiences=["https://other.example.test", AWS_SAML_URN]))
    assert r["Subject"] == "alice"


# -- the Role and RoleSessionName attributes ------------------------------------------------------

def test_role_attribute_either_order(sts, idp):
    r = saml(sts, READER, assertion([role_value(READER, reverse=True)], "reversed"))
    assert r["AssumedRoleUser"]["Arn"] == assumed_role_arn(READER, "reversed")


def test_role_chosen_by_role_arn(iam, sts, idp):
    a, b = make_role(iam), make_role(iam)
    roles = [role_value(a["RoleName"]), role_value(b["RoleName"], reverse=True),
             role_value(READER)]
    for role in (a, b):
        r = saml(sts, role["Arn"], assertion(roles, "picked"))
        assert r["AssumedRoleUser"]["Arn"] == assumed_role_arn(role["RoleName"], "picked")
    # The same roles in separate Role attribute values and in one multi-valued attribute.
    r = saml(sts, b["Arn"], assertion(roles[:1] + [roles[1]], "picked2"))
    assert r["AssumedRoleUser"]["Arn"] == assumed_role_arn(b["RoleName"], "picked2")


def test_role_not_listed_is_access_denied(iam, sts, idp):
    other = make_role(iam)
    not_listed = saml_error(sts, other["Arn"], assertion([role_value(READER)]))
    assert not_listed == ("AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML", 403)
    # Listed, but with another provider than PrincipalArn.
    pair = f"{other['Arn']},{provider_arn('another')}"
    assert saml_error(sts, other["Arn"], assertion([pair]))[::2] == ("AccessDenied", 403)
    # Listed without its provider, or with no Role attribute at all.
    assert saml_error(sts, other["Arn"], assertion([other["Arn"]]))[::2] == ("AccessDenied", 403)
    assert saml_error(sts, other["Arn"], assertion([]))[::2] == ("AccessDenied", 403)
    # A role that does not exist, listed: refused the same way.
    ghost = role_arn("no-such-role")
    assert saml_error(sts, ghost, assertion([f"{ghost},{PROVIDER}"]))[::2] == ("AccessDenied", 403)


@pytest.mark.parametrize("session_name", [None, "a", "has space", "x" * 65, "slash/name", ""])
def test_role_session_name_missing_or_invalid(sts, idp, session_name):
    code, message, status = saml_error(sts, READER, assertion(session_name=session_name))
    assert (code, status) == ("InvalidIdentityToken", 400), message


def test_role_session_name_with_two_values(sts, idp):
    code, _, status = saml_error(sts, READER, assertion(
        session_name=None, attributes={"https://aws.amazon.com/SAML/Attributes/RoleSessionName":
                                       ["one-name", "two-name"]}))
    assert (code, status) == ("InvalidIdentityToken", 400)


# -- one-time use ---------------------------------------------------------------------------------

def test_replay_is_refused(sts, idp):
    once = assertion(session_name="once")
    saml(sts, READER, once)
    assert saml_error(sts, READER, once) == (
        "InvalidIdentityToken", "The SAML assertion has already been used.", 400)
    # The same assertion ID signed again (another signature, another Response ID) is the same
    # assertion.
    again = assertion(session_name="once", assertion_id="_fixed-id-" + unique("x"))
    saml(sts, READER, again)
    same_id = re.search(r'Assertion ID="([^"]+)"', base64.b64decode(again).decode()).group(1)
    code, _, _ = saml_error(sts, READER, assertion(session_name="once", assertion_id=same_id))
    assert code == "InvalidIdentityToken"


def test_replay_refused_after_restart(start_server, tmp_path):
    """One use per assertion holds across a restart of the server (same state directory)."""
    state = tmp_path / "replay-state"
    s = start_server(state_dir=state)
    s_iam = s.client("iam")
    s_iam.create_saml_provider(Name="idp", SAMLMetadataDocument=IDP_METADATA.read_text())
    make_role(s_iam, READER)
    once = assertion(session_name="restart")
    assert post_saml(s.port, READER, "idp", once).status == 200
    assert s.terminate() == 0
    s = start_server(state_dir=state)
    r = post_saml(s.port, READER, "idp", once)
    assert sts_error(r)[:2] == (400, "InvalidIdentityToken"), r.text[:300]


def test_concurrent_replay_exactly_one_success(server, idp):
    once = assertion(session_name="race")
    n = 8
    barrier = threading.Barrier(n, timeout=5)

    def submit(_):
        barrier.wait()
        return post_saml(server.port, READER, "idp", once, timeout=10)

    with concurrent.futures.ThreadPoolExecutor(n) as pool:
        results = list(pool.map(submit, range(n), timeout=20))
    ok = [r for r in results if r.status == 200]
    assert len(ok) == 1, [(r.status, r.text[:200]) for r in results]
    for r in results:
        if r.status != 200:
            assert sts_error(r)[:2] == (400, "InvalidIdentityToken"), r.text


# -- time windows ---------------------------------------------------------------------------------

def test_expired_assertion(sts, idp):
    """An IdP's response from an hour ago: every window closed well beyond the 300 s skew."""
    old = assertion(issued=-3600, not_before=-3600, not_on_or_after=-3300,
                    session_not_on_or_after=-600)
    code, message, status = saml_error(sts, READER, old)
    assert (code, status) == ("ExpiredTokenException", 400), message


def test_expired_conditions_only(sts, idp):
    code, message, status = saml_error(sts, READER, assertion(
        issued=-900, not_before=-900, not_on_or_after=-301, confirmation_not_on_or_after=300))
    assert (code, status) == ("ExpiredTokenException", 400), message


def test_not_yet_valid(sts, idp):
    code, message, status = saml_error(sts, READER, assertion(
        issued=600, not_before=600, not_on_or_after=900))
    assert (code, status) == ("ExpiredTokenException", 400), message


def test_clock_skew_is_tolerated(sts, idp):
    # Expired 200 s ago, or valid only from 200 s on: within the 300 s skew.
    saml(sts, READER, assertion(issued=-500, not_before=-500, not_on_or_after=-200))
    saml(sts, READER, assertion(issued=200, not_before=200, not_on_or_after=500))


def test_session_not_on_or_after_caps_expiration(sts, idp):
    before = time.time()
    r = saml(sts, READER, assertion(session_not_on_or_after=1200), DurationSeconds=3600)
    after = time.time()
    expires_in(r["Credentials"], 1200, before, after)
    # A later SessionNotOnOrAfter leaves DurationSeconds alone.
    before = time.time()
    r = saml(sts, READER, assertion(session_not_on_or_after=8 * 3600), DurationSeconds=900)
    expires_in(r["Credentials"], 900, before, time.time())


# -- audience, recipient, issuer, provider -------------------------------------------------------

@pytest.mark.parametrize("kw", [
    {"audiences": ["https://sp.example.test/saml"]},
    {"audiences": []},
    {"recipient": "https://sp.example.test/acs"},
    {"destination": "https://sp.example.test/acs"},
    {"issuer": "https://evil.example.test/saml"},
    {"response_issuer": "https://evil.example.test/saml"},
], ids=["audience", "no-audience", "recipient", "destination", "issuer", "response-issuer"])
def test_wrong_audience_recipient_issuer(sts, idp, kw):
    code, message, status = saml_error(sts, READER, assertion(**kw))
    assert (code, status) == ("InvalidIdentityToken", 400), message


def test_every_audience_restriction_must_include_aws(sts, idp):
    """SAML core 2.5.1.4: audiences within one AudienceRestriction are alternatives, but several
    AudienceRestriction elements must each be satisfied. An assertion also restricted to another
    relying party only is not for AWS."""
    xml = response_xml(session_name="two-restrictions").replace(
        "</saml:AudienceRestriction>",
        "</saml:AudienceRestriction><saml:AudienceRestriction>"
        "<saml:Audience>https://sp.example.test/saml</saml:Audience></saml:AudienceRestriction>")
    code, message, status = saml_error(sts, READER, b64(sign_xml(xml)))
    assert (code, status) == ("InvalidIdentityToken", 400), message


def test_unknown_provider(sts, idp):
    ghost = provider_arn("nope")
    code, message, status = saml_error(
        sts, READER, assertion([f"{role_arn(READER)},{ghost}"]), provider=ghost)
    assert (code, status) == ("InvalidIdentityToken", 400), message


def test_provider_key_rotation_follows_metadata(iam, sts, idp, evil_keys):
    """Only the provider's current metadata keys count: after UpdateSAMLProvider with another
    certificate, the old key's responses are refused and the new key's accepted."""
    name = unique("rot")
    arn = iam.create_saml_provider(Name=name, SAMLMetadataDocument=IDP_METADATA.read_text())[
        "SAMLProviderArn"]
    role = make_role(iam, trust=saml_trust(provider=arn))
    roles = [f"{role['Arn']},{arn}"]
    saml(sts, role["Arn"], assertion(roles), provider=arn)
    iam.update_saml_provider(SAMLProviderArn=arn, SAMLMetadataDocument=metadata_for(evil_keys[1]))
    assert saml_error(sts, role["Arn"], assertion(roles), provider=arn)[0] == "InvalidIdentityToken"
    key, cert = evil_keys
    saml(sts, role["Arn"], assertion(roles, key_file=key, cert_file=cert), provider=arn)


def test_ecdsa_sha256_from_metadata_key(iam, sts, idp, tmp_path):
    key, cert = make_key_pair(tmp_path, "ec-idp", kind="ec")
    name = unique("ec")
    arn = iam.create_saml_provider(Name=name, SAMLMetadataDocument=metadata_for(
        cert, "https://ec-idp.example.test/saml"))["SAMLProviderArn"]
    role = make_role(iam, trust=saml_trust(provider=arn))
    r = saml(sts, role["Arn"], assertion([f"{role['Arn']},{arn}"],
                                         issuer="https://ec-idp.example.test/saml",
                                         signature_method=ECDSA_SHA256, key_file=key,
                                         cert_file=cert), provider=arn)
    assert r["NameQualifier"] == name_qualifier("https://ec-idp.example.test/saml",
                                                provider=name)


# -- trust policy conditions and session tags ----------------------------------------------------

def test_trust_condition_on_subject(iam, sts, idp):
    role = make_role(iam, trust=saml_trust(("StringEquals", "SAML:sub", "alice"),
                                           ("StringEquals", "SAML:sub_type", "persistent"),
                                           ("StringEquals", "SAML:iss", IDP_ENTITY_ID)))
    roles = [role_value(role["RoleName"])]
    saml(sts, role["Arn"], assertion(roles, name_id="alice"))
    assert saml_error(sts, role["Arn"], assertion(roles, name_id="bob")) == (
        "AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML", 403)
    assert saml_error(sts, role["Arn"], assertion(roles, name_id="alice",
                                                  name_id_format=TRANSIENT))[0] == "AccessDenied"


def test_trust_condition_on_name_qualifier(iam, sts, idp):
    good = make_role(iam, trust=saml_trust(("StringEquals", "SAML:namequalifier",
                                            name_qualifier())))
    bad = make_role(iam, trust=saml_trust(("StringEquals", "SAML:namequalifier",
                                           name_qualifier(provider="other"))))
    roles = [role_value(good["RoleName"]), role_value(bad["RoleName"])]
    saml(sts, good["Arn"], assertion(roles))
    assert saml_error(sts, bad["Arn"], assertion(roles))[::2] == ("AccessDenied", 403)


def test_principal_tags_need_tag_session(server, iam, sts, idp):
    team_only = allow("iam:ListRoles",
                      condition={"StringEquals": {"aws:PrincipalTag/team": "blue"}})
    plain = make_role(iam, permissions=team_only)
    tagging = make_role(iam, permissions=team_only, trust=saml_trust(
        actions=("sts:AssumeRoleWithSAML", "sts:TagSession")))
    roles = [role_value(plain["RoleName"]), role_value(tagging["RoleName"])]
    blue = {TAG_ATTR + "team": "blue"}
    # A tag without sts:TagSession in the trust policy: refused.
    assert saml_error(sts, plain["Arn"], assertion(roles, attributes=blue)) == (
        "AccessDenied", "Not authorized to perform sts:TagSession", 403)
    # Without tags the same role is fine.
    saml(sts, plain["Arn"], assertion(roles))
    # With sts:TagSession: the tag becomes aws:PrincipalTag/team of the session.
    c = saml(sts, tagging["Arn"], assertion(roles, attributes=blue))["Credentials"]
    session_client(server, "iam", c).list_roles()
    c = saml(sts, tagging["Arn"], assertion(roles, attributes={TAG_ATTR + "team": "red"}))[
        "Credentials"]
    assert call_error(session_client(server, "iam", c).list_roles)[::2] == ("AccessDenied", 403)


# -- the attack catalogue, over the wire ----------------------------------------------------------

def _tree(xml: str) -> etree._Element:
    return etree.fromstring(xml.encode())


def _text(root: etree._Element) -> str:
    return etree.tostring(root, encoding="unicode")


def _assertion_el(root):
    return root.find("saml:Assertion", NS)


def _evil_copy(signed: etree._Element) -> etree._Element:
    """An unsigned copy of the signed assertion, for the administrator."""
    return _make_evil(_unsigned(copy.deepcopy(signed)))


def _unsigned(el: etree._Element) -> etree._Element:
    """The element with its own ds:Signature children removed."""
    for s in el.findall("ds:Signature", NS):
        el.remove(s)
    return el


def _make_evil(a: etree._Element, new_id: str = "_evil") -> etree._Element:
    """The assertion, in place, turned into the attacker's: a new ID and the administrator as
    subject (its signature, if any, is left as it is)."""
    a.set("ID", new_id)
    a.find("saml:Subject/saml:NameID", NS).text = "admin"
    return a


def _wrap_in_extensions(root, a):
    ext = etree.Element(f"{{{SAMLP_NS}}}Extensions")
    root.find("saml:Issuer", NS).addnext(ext)
    ext.append(a)
    return ext


# The eight signature wrapping attacks of Somorovsky et al., "On Breaking SAML: Be Whoever You
# Want to Be" (USENIX Security 2012), as SAML Raider builds them: each from a fresh, validly
# signed response, the attacker's assertion for "admin". In XSW1/2 the Response is signed, in
# XSW3-8 the assertion. In XSW1, XSW6 and XSW8 the signed element ends up inside its own
# ds:Signature, where libxmlsec's enveloped-signature transform digests nothing, so those are
# checked with wrapped_signature_intact() rather than signature_verifies().

def _signed_response_only():
    return _tree(signed_response(sign_response=True, sign_assertion=False))


def xsw1_response_in_signature(ctx):
    """XSW1: an evil Response (new ID, evil assertion) keeps the original Response's signature;
    the original Response, its signature removed, is moved inside that signature."""
    root = _signed_response_only()
    original = _unsigned(copy.deepcopy(root))
    root.find("ds:Signature", NS).append(original)
    root.set("ID", "_evil-response")
    _make_evil(_assertion_el(root))
    xml = _text(root)
    assert wrapped_signature_intact(xml), xml
    return b64(xml)


def xsw2_response_before_signature(ctx):
    """XSW2: as XSW1, but the original Response is the evil Response's child just before the
    signature, which now is detached."""
    root = _signed_response_only()
    original = _unsigned(copy.deepcopy(root))
    root.find("ds:Signature", NS).addprevious(original)
    root.set("ID", "_evil-response")
    _make_evil(_assertion_el(root))
    return still_signed(_text(root))


def xsw3_evil_assertion_before(ctx):
    """XSW3: an unsigned evil assertion (new ID) inserted before the signed one."""
    root = _tree(signed_response())
    a = _assertion_el(root)
    a.addprevious(_evil_copy(a))
    return still_signed(_text(root))


def xsw4_evil_assertion_wraps_signed(ctx):
    """XSW4: the unsigned evil assertion takes the signed one's place, with the signed assertion
    as its last child."""
    root = _tree(signed_response())
    a = _assertion_el(root)
    evil = _evil_copy(a)
    root.append(evil)
    evil.append(a)
    return still_signed(_text(root))


def xsw5_signature_on_evil_original_appended(ctx):
    """XSW5: the evil assertion (new ID) keeps the original's signature; the original assertion,
    its signature removed, is appended to the Response (the signature is now detached)."""
    root = _tree(signed_response())
    a = _assertion_el(root)
    root.append(_unsigned(copy.deepcopy(a)))
    _make_evil(a)
    return still_signed(_text(root))


def xsw6_original_in_evil_signature(ctx):
    """XSW6: as XSW5, but the original assertion (signature removed) is moved inside the
    signature the evil assertion carries."""
    root = _tree(signed_response())
    a = _assertion_el(root)
    a.find("ds:Signature", NS).append(_unsigned(copy.deepcopy(a)))
    _make_evil(a)
    xml = _text(root)
    assert wrapped_signature_intact(xml), xml
    return b64(xml)


def xsw7_signed_assertion_in_extensions(ctx):
    """XSW7: the signed assertion moved into samlp:Extensions (whose content the schema leaves
    open); an unsigned evil assertion (new ID) in its place."""
    root = _tree(signed_response())
    a = _assertion_el(root)
    evil = _evil_copy(a)
    a.addprevious(evil)
    _wrap_in_extensions(root, a)
    return still_signed(_text(root))


def xsw8_original_in_signature_object(ctx):
    """XSW8: as XSW6, but the original assertion (signature removed) sits in a ds:Object of the
    evil assertion's signature (another element whose content the schema leaves open)."""
    root = _tree(signed_response())
    a = _assertion_el(root)
    obj = etree.SubElement(a.find("ds:Signature", NS), f"{{{DS_NS}}}Object")
    obj.append(_unsigned(copy.deepcopy(a)))
    _make_evil(a)
    xml = _text(root)
    assert wrapped_signature_intact(xml), xml
    return b64(xml)


# Variants beyond the paper's eight.

def xsw_evil_after(ctx):
    root = _tree(signed_response())
    a = _assertion_el(root)
    a.addnext(_evil_copy(a))
    return b64(_text(root))


def xsw_wrapped_same_id(ctx):
    """The evil assertion takes the signed one's ID; the signed one hides in Extensions."""
    root = _tree(signed_response())
    a = _assertion_el(root)
    evil = _evil_copy(a)
    evil.set("ID", a.get("ID"))
    a.addprevious(evil)
    _wrap_in_extensions(root, a)
    return b64(_text(root))


def xsw_signed_assertion_only_in_extensions(ctx):
    root = _tree(signed_response())
    _wrap_in_extensions(root, _assertion_el(root))
    return b64(_text(root))


def xsw_response_signature_wrapped(ctx):
    """XSW7 one level up: the signed Response, signature and all, moved into the Extensions of a
    new, unsigned one with another assertion."""
    signed = _signed_response_only()
    evil = _unsigned(copy.deepcopy(signed))
    evil.set("ID", "_evil-response")
    evil.find("saml:Assertion/saml:Subject/saml:NameID", NS).text = "admin"
    _wrap_in_extensions(evil, signed)
    return b64(_text(evil))


def signature_stripped(ctx):
    root = _tree(signed_response())
    a = _assertion_el(root)
    a.remove(a.find("ds:Signature", NS))
    return b64(_text(root))


def signature_value_tampered(ctx):
    root = _tree(signed_response())
    sv = root.find("saml:Assertion/ds:Signature/ds:SignatureValue", NS)
    v = sv.text.strip()
    sv.text = ("B" if v[0] == "A" else "A") + v[1:]
    return b64(_text(root))


def name_id_modified(ctx):
    return b64(signed_response(name_id="alice").replace(">alice</saml:NameID>",
                                                        ">admin</saml:NameID>"))


def role_attribute_modified(ctx):
    xml = signed_response([role_value("reader")])
    return b64(xml.replace("role/reader,", "role/admin,"))


def still_signed(xml: str, cert=IDP_CERT) -> str:
    """The document, once checked to still carry signatures that verify (so only the profile's
    own rules can refuse it)."""
    assert signature_verifies(xml, cert), xml
    return b64(xml)


def comment_injection(ctx):
    """c14n drops comments, so the signature still verifies: the comment must be refused (a
    reader taking the first text node would see "admin")."""
    xml = signed_response(name_id="admin.evil.test")
    return still_signed(xml.replace(">admin.evil.test<", ">admin<!---->.evil.test<"))


def cdata_section(ctx):
    xml = signed_response(name_id="alice")
    return still_signed(xml.replace(">alice</saml:NameID>", "><![CDATA[alice]]></saml:NameID>"))


def processing_instruction(ctx):
    return still_signed('<?xml-stylesheet type="text/xsl" href="x.xsl"?>' + signed_response())


def fake_certificate(ctx):
    """Re-signed with a key the metadata does not have, its certificate in KeyInfo."""
    key, cert = ctx["evil"]
    xml = signed_response(name_id="admin", key_file=key, cert_file=cert)
    assert "<ds:X509Certificate>" in xml
    return still_signed(xml, cert)


def fake_certificate_response_and_assertion(ctx):
    key, cert = ctx["evil"]
    return assertion(name_id="admin", sign_response=True, key_file=key, cert_file=cert)


def good_assertion_bad_response_signature(ctx):
    """A good assertion signature, a bad Response one: any bad signature fails all."""
    key, cert = ctx["evil"]
    xml = sign_xml(response_xml(sign_response=False))
    root = _tree(xml)
    root.find("saml:Issuer", NS).addnext(
        etree.fromstring(signature_template("#" + root.get("ID"))))
    return b64(sign_xml(_text(root), key, cert))


def doctype_xxe(ctx):
    xml = signed_response(name_id="alice").replace(">alice</saml:NameID>", ">&xxe;</saml:NameID>")
    return b64('<?xml version="1.0"?><!DOCTYPE samlp:Response [<!ENTITY xxe SYSTEM '
               '"file:///etc/passwd">]>' + xml)


def doctype_only(ctx):
    return still_signed("<!DOCTYPE samlp:Response>" + signed_response())


def billion_laughs(ctx):
    ents = ['<!ENTITY lol0 "lollollollollollollollollollol">'] + [
        f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10)]
    xml = signed_response(name_id="alice").replace(">alice</saml:NameID>", ">&lol9;</saml:NameID>")
    return b64('<?xml version="1.0"?><!DOCTYPE samlp:Response [' + "".join(ents) + "]>" + xml)


def duplicate_ids(ctx):
    root = _tree(signed_response())
    root.set("ID", _assertion_el(root).get("ID"))
    return b64(_text(root))


def reference_to_response(ctx):
    """The assertion's signature covers the Response (enveloped), not its own parent."""
    root = _tree(response_xml(sign_assertion=False))
    a = _assertion_el(root)
    a.find("saml:Issuer", NS).addnext(etree.fromstring(signature_template("#" + root.get("ID"))))
    return still_signed(sign_xml(_text(root)))


def reference_whole_document(ctx):
    root = _tree(response_xml(sign_assertion=False))
    a = _assertion_el(root)
    a.find("saml:Issuer", NS).addnext(etree.fromstring(signature_template("")))
    return still_signed(sign_xml(_text(root)))


def signature_in_extensions(ctx):
    """A detached signature over the assertion, placed in the Response's Extensions."""
    root = _tree(response_xml(sign_assertion=False))
    ext = etree.Element(f"{{{SAMLP_NS}}}Extensions")
    root.find("saml:Issuer", NS).addnext(ext)
    ext.append(etree.fromstring(signature_template("#" + _assertion_el(root).get("ID"))))
    return still_signed(sign_xml(_text(root)))


def sha1_signature_and_digest(ctx):
    """rsa-sha1 and a SHA-1 digest, signed by the xmlsec1 CLI."""
    return still_signed(sign_xml_cli(response_xml(signature_method=RSA_SHA1, digest_method=SHA1)))


def sha1_digest(ctx):
    return still_signed(signed_response(digest_method=SHA1))


def sha1_signature(ctx):
    return still_signed(signed_response(signature_method=RSA_SHA1))


def inclusive_c14n(ctx):
    return still_signed(signed_response(c14n=C14N))


def two_assertions_both_signed(ctx):
    root = _tree(signed_response())
    other = _tree(signed_response(name_id="admin"))
    _assertion_el(root).addnext(_assertion_el(other))
    return b64(_text(root))


def not_a_response(ctx):
    root = _tree(signed_response())
    return b64(_text(_assertion_el(root)))  # a bare (signed) Assertion


def oversized(ctx):
    """A well-signed response padded past 100,000 base64 characters."""
    return assertion(attributes={"urn:oid:2.5.4.3": ["x" * 76000]})


def non_base64(ctx):
    return "this is *not* base64!!"


def garbage(ctx):
    return b64(os.urandom(3000))


def not_xml(ctx):
    return b64("<samlp:Response attr='unterminated'")


def too_short(ctx):
    return "YQ="


ATTACKS = {
    "XSW1": (xsw1_response_in_signature, "InvalidIdentityToken"),
    "XSW2": (xsw2_response_before_signature, "InvalidIdentityToken"),
    "XSW3": (xsw3_evil_assertion_before, "InvalidIdentityToken"),
    "XSW4": (xsw4_evil_assertion_wraps_signed, "InvalidIdentityToken"),
    "XSW5": (xsw5_signature_on_evil_original_appended, "InvalidIdentityToken"),
    "XSW6": (xsw6_original_in_evil_signature, "InvalidIdentityToken"),
    "XSW7": (xsw7_signed_assertion_in_extensions, "InvalidIdentityToken"),
    "XSW8": (xsw8_original_in_signature_object, "InvalidIdentityToken"),
    "xsw-evil-after": (xsw_evil_after, "InvalidIdentityToken"),
    "xsw-wrapped-same-id": (xsw_wrapped_same_id, "InvalidIdentityToken"),
    "xsw-signed-only-in-extensions": (xsw_signed_assertion_only_in_extensions,
                                      "InvalidIdentityToken"),
    "xsw-response-signature-wrapped": (xsw_response_signature_wrapped, "InvalidIdentityToken"),
    "signature-stripped": (signature_stripped, "InvalidIdentityToken"),
    "signature-value-tampered": (signature_value_tampered, "InvalidIdentityToken"),
    "name-id-modified": (name_id_modified, "InvalidIdentityToken"),
    "role-attribute-modified": (role_attribute_modified, "InvalidIdentityToken"),
    "comment-injection": (comment_injection, "InvalidIdentityToken"),
    "cdata-section": (cdata_section, "InvalidIdentityToken"),
    "processing-instruction": (processing_instruction, "InvalidIdentityToken"),
    "fake-certificate": (fake_certificate, "InvalidIdentityToken"),
    "fake-certificate-both-signatures": (fake_certificate_response_and_assertion,
                                         "InvalidIdentityToken"),
    "bad-response-signature": (good_assertion_bad_response_signature, "InvalidIdentityToken"),
    "doctype-xxe": (doctype_xxe, "InvalidIdentityToken"),
    "doctype-only": (doctype_only, "InvalidIdentityToken"),
    "billion-laughs": (billion_laughs, "InvalidIdentityToken"),
    "duplicate-ids": (duplicate_ids, "InvalidIdentityToken"),
    "reference-to-response": (reference_to_response, "InvalidIdentityToken"),
    "reference-whole-document": (reference_whole_document, "InvalidIdentityToken"),
    "signature-in-extensions": (signature_in_extensions, "InvalidIdentityToken"),
    "sha1-signature-and-digest": (sha1_signature_and_digest, "InvalidIdentityToken"),
    "sha1-digest": (sha1_digest, "InvalidIdentityToken"),
    "sha1-signature": (sha1_signature, "InvalidIdentityToken"),
    "inclusive-c14n": (inclusive_c14n, "InvalidIdentityToken"),
    "two-signed-assertions": (two_assertions_both_signed, "InvalidIdentityToken"),
    "bare-assertion": (not_a_response, "InvalidIdentityToken"),
    "oversized": (oversized, "ValidationError"),
    "non-base64": (non_base64, "InvalidIdentityToken"),
    "garbage": (garbage, "InvalidIdentityToken"),
    "not-xml": (not_xml, "InvalidIdentityToken"),
    "too-short": (too_short, "ValidationError"),
}


@pytest.fixture(scope="module")
def attack_ctx(evil_keys):
    return {"evil": evil_keys}


@pytest.mark.parametrize("name", list(ATTACKS))
def test_attack_is_refused(server, idp, attack_ctx, name):
    build, expected = ATTACKS[name]
    saml_assertion = build(attack_ctx)
    if name == "oversized":
        assert len(saml_assertion) > 100000
    # Every other attack names the reader role, listed by the default Role attribute.
    start = time.monotonic()
    r = post_saml(server.port, READER, "idp", saml_assertion, timeout=5)
    elapsed = time.monotonic() - start
    status, code, message = sts_error(r)
    assert (status, code) == (400, expected), (name, r.text)
    assert elapsed < 3, (name, elapsed)
    assert "root:" not in r.text and "lollollol" not in r.text
    # No credentials of any kind in the answer.
    assert not ASIA.search(r.text) and "SecretAccessKey" not in r.text, (name, r.text)
    assert server.proc.poll() is None


def test_no_network_fetch_for_external_dtd_or_entity(server, idp):
    """An external DTD or entity pointing at a local listener is never fetched."""
    with CaptureServer(timeout=1.0) as cap:
        url = f"http://127.0.0.1:{cap.port}/x"
        for doctype in (f'<!DOCTYPE samlp:Response SYSTEM "{url}">',
                        f'<!DOCTYPE samlp:Response [<!ENTITY % e SYSTEM "{url}"> %e;]>'):
            r = post_saml(server.port, READER, "idp", b64(doctype + signed_response()))
            assert sts_error(r)[:2] == (400, "InvalidIdentityToken"), r.text
    assert cap.request is None, cap.request


def test_size_limit_boundary(server, idp):
    """A good response of exactly 100,000 base64 characters is accepted."""
    pad = 74000
    for _ in range(4):
        roles = [role_value(READER)]
        xml = response_xml(roles, "boundary", attributes={"urn:oid:2.5.4.3": ["y" * pad]},
                           response_id="_boundary-r", assertion_id="_boundary-" + unique("a"))
        text = b64(sign_xml(xml))
        if len(text) == 100000:
            break
        pad += (100000 - len(text)) * 3 // 4
    assert len(text) == 100000
    r = post_saml(server.port, READER, "idp", text)
    assert r.status == 200, r.text


def test_server_healthy_after_attacks(server, sts, idp):
    healthy(server)
    r = saml(sts, READER, assertion(session_name="after-attacks"))
    assert r["AssumedRoleUser"]["Arn"] == assumed_role_arn(READER, "after-attacks")
    # Nothing but the server's own JSON lines on stderr (no libxml2/xmlsec chatter).
    for line in server.stderr_lines():
        json.loads(line)


# -- interoperability: python3-pysaml2 as the identity provider -----------------------------------

SP_METADATA = """<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
    entityID="urn:amazon:webservices">
  <md:SPSSODescriptor WantAssertionsSigned="true"
      protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:AssertionConsumerService index="1" isDefault="true"
        Location="https://signin.aws.amazon.com/saml"
        Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>
"""


@pytest.fixture(scope="module")
def pysaml2_idp(tmp_path_factory):
    """A pysaml2 IdP with the test IdP's key and entityID, that knows the AWS SP."""
    from saml2 import BINDING_HTTP_REDIRECT
    from saml2.config import IdPConfig
    from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT
    from saml2.server import Server

    d = tmp_path_factory.mktemp("pysaml2")
    (d / "aws-sp.xml").write_text(SP_METADATA)
    config = IdPConfig()
    config.load({
        "entityid": IDP_ENTITY_ID,
        "xmlsec_binary": "/usr/bin/xmlsec1",
        "key_file": str(IDP_KEY),
        "cert_file": str(IDP_CERT),
        "metadata": {"local": [str(d / "aws-sp.xml")]},
        "allow_unknown_attributes": True,
        "service": {"idp": {
            "endpoints": {"single_sign_on_service": [("https://idp.example.test/sso",
                                                      BINDING_HTTP_REDIRECT)]},
            "name_id_format": [NAMEID_FORMAT_PERSISTENT],
            "policy": {"default": {"lifetime": {"minutes": 5}, "name_form": NAME_FORMAT_URI}},
        }},
    })
    return Server(config=config)


def pysaml2_response(idp_server, session_name: str, sign_response: bool, sha256: bool = True,
                     name_id: str = "pysaml2-user") -> str:
    from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
    from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

    identity = {
        "https://aws.amazon.com/SAML/Attributes/Role": [role_value(READER)],
        "https://aws.amazon.com/SAML/Attributes/RoleSessionName": [session_name],
    }
    algs = {"sign_alg": SIG_RSA_SHA256, "digest_alg": DIGEST_SHA256} if sha256 else {}
    resp = idp_server.create_authn_response(
        identity=identity, in_response_to=None, destination=AWS_SAML_URL,
        sp_entity_id=AWS_SAML_URN,
        name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=name_id),
        sign_assertion=True, sign_response=sign_response, **algs)
    return b64(str(resp))


@pytest.mark.parametrize("sign_response", [False, True], ids=["assertion", "assertion+response"])
def test_pysaml2_idp_response_is_accepted(server, sts, idp, pysaml2_idp, sign_response):
    name = f"pysaml2-{int(sign_response)}"
    r = saml(sts, READER, pysaml2_response(pysaml2_idp, name, sign_response))
    arn = assumed_role_arn(READER, name)
    assert r["AssumedRoleUser"]["Arn"] == arn
    assert (r["Subject"], r["SubjectType"], r["Issuer"], r["NameQualifier"]) == (
        "pysaml2-user", "persistent", IDP_ENTITY_ID, name_qualifier())
    c = r["Credentials"]
    assert session_client(server, "sts", c).get_caller_identity()["Arn"] == arn
    session_client(server, "iam", c).get_role(RoleName=READER)


def test_pysaml2_default_sha1_is_refused(sts, idp, pysaml2_idp):
    """pysaml2 signs with rsa-sha1 and SHA-1 digests unless told otherwise: refused."""
    text = pysaml2_response(pysaml2_idp, "pysaml2-sha1", False, sha256=False)
    assert 'rsa-sha1"' in base64.b64decode(text).decode()
    code, _, status = saml_error(sts, READER, text)
    assert (code, status) == ("InvalidIdentityToken", 400)
