"""AssumeRoleWithWebIdentity over the wire, against local OpenID Connect providers over HTTPS
(oidc_helpers.OidcProvider: a self-signed certificate registered by its SHA-1 thumbprint,
discovery and a JWKS the test controls): RS256, PS256 and ES256 tokens sent unsigned by boto3
and the aws CLI v2; the credentials and the role's permissions; trust-policy conditions on the
provider's aud, oaud, sub and amr keys; the rejections (algorithm confusion, forged and
tampered signatures, issuer, audience, time windows, malformed and oversized tokens, TLS trust
of the provider, roles that do not trust it); and key rotation through the key-set cache.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import time
from urllib.parse import urlencode

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding

from portcullis_helpers import (unique, DEFAULT_ACCOUNT, FORM_TYPE, allow, assumed_role_arn, call_error,
                                exchange, raw_request, run_aws, session_client, trust_document,
                                trust_statement, unsigned_client)
from oidc_helpers import (OidcProvider, SigningKey, b64u, b64u_json, ca_signed_cert, hs256_jwt,
                          jwt, oidc_provider, register, self_signed_cert, thumbprint,  # noqa: F401
                          unsigned_jwt, web_identity_trust)
from saml_helpers import sts_error

ASIA = re.compile(r"ASIA[A-Z2-7]{16}")
ACTION = "sts:AssumeRoleWithWebIdentity"
NOT_AUTHORIZED = "Not authorized to perform sts:AssumeRoleWithWebIdentity"
KEYS_UNREACHABLE = ("Couldn't retrieve verification key from your identity provider, please "
                    "reference AssumeRoleWithWebIdentity documentation for requirements")
WEB = "web"  # the role trusting the module's provider without conditions




def role_arn(name: str) -> str:
    return f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/{name}"






@pytest.fixture(scope="module")
def idp(iam, tmp_path_factory):
    """The module's provider: RSA key k1 (RS256 and PS256) and P-256 key e1 (ES256), client ids
    app1 and app2, registered with its certificate's thumbprint; the role "web" trusts it."""
    p = OidcProvider(tmp_path_factory.mktemp("idp"), [SigningKey("k1"), SigningKey("e1", "EC")])
    arn = register(iam, p, ["app1", "app2"])
    assert arn == p.arn() == f"arn:aws:iam::{DEFAULT_ACCOUNT}:oidc-provider/127.0.0.1:{p.port}"
    make_role(iam, WEB, web_identity_trust(arn))
    yield p
    p.stop()


def make_role(iam, name: str, trust: str, permissions: str | None = None) -> dict:
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]
    iam.put_role_policy(RoleName=name, PolicyName="perms",
                        PolicyDocument=permissions or allow(["iam:ListRoles", "iam:GetRole"]))
    return role


def assume(sts, token: str, role: str = WEB, session: str = "web-session", **kw) -> dict:
    return sts.assume_role_with_web_identity(
        RoleArn=role if role.startswith("arn:") else role_arn(role), RoleSessionName=session,
        WebIdentityToken=token, **kw)


def refused(sts, token: str, role: str = WEB, **kw) -> tuple[str, str, int]:
    """(Code, Message, HTTP status) of a call that must fail."""
    return call_error(assume, sts, token, role, **kw)


def post_web_identity(port: int, token: str, role: str = WEB) -> object:
    """A raw unsigned form POST of AssumeRoleWithWebIdentity."""
    body = urlencode({"Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15",
                      "RoleArn": role_arn(role), "RoleSessionName": "raw",
                      "WebIdentityToken": token}).encode()
    return exchange(port, raw_request("POST", "/", {"Host": f"127.0.0.1:{port}",
                                                    "Content-Type": FORM_TYPE}, body))


def invalid_token(sts, token: str, role: str = WEB) -> str:
    """The message of an InvalidIdentityToken (HTTP 400) refusal."""
    code, message, status = refused(sts, token, role)
    assert (code, status) == ("InvalidIdentityToken", 400), (code, message, status)
    return message


# -- the happy path -------------------------------------------------------------------------------

def test_rs256_token_boto3_unsigned(server, iam, sts, idp):
    before = time.time()
    r = assume(sts, idp.token(sub="alice", aud="app1"), session="alice-session")
    after = time.time()
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert set(r) == {"Credentials", "AssumedRoleUser", "SubjectFromWebIdentityToken",
                      "Provider", "Audience", "ResponseMetadata"}, r
    c = r["Credentials"]
    assert ASIA.fullmatch(c["AccessKeyId"]), c["AccessKeyId"]
    assert len(c["SecretAccessKey"]) == 40 and len(c["SessionToken"]) > 100
    exp = c["Expiration"].timestamp()
    assert int(before) + 3600 - 2 <= exp <= after + 3600 + 1  # the default duration
    role = iam.get_role(RoleName=WEB)["Role"]
    arn = assumed_role_arn(WEB, "alice-session")
    assert r["AssumedRoleUser"] == {"Arn": arn, "AssumedRoleId": f"{role['RoleId']}:alice-session"}
    assert r["SubjectFromWebIdentityToken"] == "alice"
    assert r["Audience"] == "app1"
    assert r["Provider"] == idp.arn()

    # The credentials are the role's session, with the role's permissions and nothing more.
    me = session_client(server, "sts", c).get_caller_identity()
    assert (me["Arn"], me["UserId"], me["Account"]) == (
        arn, f"{role['RoleId']}:alice-session", DEFAULT_ACCOUNT)
    s_iam = session_client(server, "iam", c)
    assert s_iam.get_role(RoleName=WEB)["Role"]["Arn"] == role_arn(WEB)
    assert any(x["RoleName"] == WEB for x in s_iam.list_roles()["Roles"])
    code, message, status = call_error(s_iam.list_users)
    assert (code, status) == ("AccessDenied", 403)
    assert f"{arn} is not authorized to perform: iam:ListUsers" in message


def test_response_provider_is_the_oidc_provider_arn(sts, idp):
    """For a provider registered in IAM, AWS answers Provider with the provider's ARN
    (arn:aws:iam::<account>:oidc-provider/<host/path>), as EKS IRSA and GitHub Actions outputs
    show, not the bare host/path."""
    r = assume(sts, idp.token())
    assert r["Provider"] == idp.arn()


@pytest.mark.parametrize("alg,kid", [("RS256", "k1"), ("PS256", "k1"), ("ES256", "e1")])
def test_each_algorithm_is_accepted(server, sts, idp, alg, kid):
    key = next(k for k in idp.keys if k.kid == kid)
    session = f"s-{alg.lower()}"
    r = assume(sts, jwt(idp.claims(sub=f"user-{alg}"), key, alg), session=session)
    assert r["AssumedRoleUser"]["Arn"] == assumed_role_arn(WEB, session)
    assert r["SubjectFromWebIdentityToken"] == f"user-{alg}"
    me = session_client(server, "sts", r["Credentials"]).get_caller_identity()
    assert me["Arn"] == assumed_role_arn(WEB, session)


def test_duration_seconds(sts, idp):
    before = time.time()
    c = assume(sts, idp.token(), DurationSeconds=900)["Credentials"]
    assert before + 900 - 2 <= c["Expiration"].timestamp() <= time.time() + 900 + 1
    code, message, status = refused(sts, idp.token(), DurationSeconds=7200)  # role max: 1 h
    assert (code, status) == ("ValidationError", 400), (code, message)
    assert "MaxSessionDuration" in message, message


def test_token_without_kid_is_checked_against_the_keys_of_its_type(sts, idp):
    rsa_key = idp.keys[0]
    assert assume(sts, jwt(idp.claims(), rsa_key, "PS256", kid=None))["Audience"] == "app1"
    ec_key = idp.keys[1]
    assert assume(sts, jwt(idp.claims(), ec_key, "ES256", kid=None))["Audience"] == "app1"


def test_aws_cli_v2_assume_role_with_web_identity(server, idp, tmp_path):
    """The aws CLI v2 with no credentials at all: AssumeRoleWithWebIdentity is sent unsigned."""
    token = idp.token(sub="cli-user")
    p = run_aws(["--endpoint-url", server.endpoint, "--output", "json", "sts",
                 "assume-role-with-web-identity", "--role-arn", role_arn(WEB),
                 "--role-session-name", "cli-session", "--web-identity-token", token,
                 "--duration-seconds", "900"], tmp_path)
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    c = doc["Credentials"]
    assert ASIA.fullmatch(c["AccessKeyId"])
    assert doc["AssumedRoleUser"]["Arn"] == assumed_role_arn(WEB, "cli-session")
    assert (doc["SubjectFromWebIdentityToken"], doc["Audience"]) == ("cli-user", "app1")
    env = {"AWS_ACCESS_KEY_ID": c["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": c["SecretAccessKey"],
           "AWS_SESSION_TOKEN": c["SessionToken"]}
    p = run_aws(["--endpoint-url", server.endpoint, "--output", "json", "sts",
                 "get-caller-identity"], tmp_path, env=env)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["Arn"] == assumed_role_arn(WEB, "cli-session")


def test_key_set_is_cached(sts, idp):
    """Discovery and the JWKS are fetched once, then kept, for tokens of known keys."""
    assume(sts, idp.token())
    fetched = idp.requests
    assert fetched.count(idp.jwks_path) == fetched.count(idp.discovery_path) >= 1, fetched
    for alg, key in (("RS256", idp.keys[0]), ("PS256", idp.keys[0]), ("ES256", idp.keys[1])):
        assume(sts, jwt(idp.claims(), key, alg))
    assert idp.requests == fetched


# -- trust policy conditions ----------------------------------------------------------------------

def test_conditions_on_aud_and_sub(iam, sts, idp):
    name = unique("cond")
    make_role(iam, name, web_identity_trust(idp.arn(), {"StringEquals": {
        f"{idp.url}:aud": "app1", f"{idp.url}:sub": "alice"}}))
    assert assume(sts, idp.token(aud="app1", sub="alice"), name)["SubjectFromWebIdentityToken"] \
        == "alice"
    for token in (idp.token(aud="app1", sub="bob"),      # another subject
                  idp.token(aud="app2", sub="alice")):   # another (registered) client id
        code, message, status = refused(sts, token, name)
        assert (code, message, status) == ("AccessDenied", NOT_AUTHORIZED, 403)


def test_string_like_on_sub(iam, sts, idp):
    name = unique("like")
    make_role(iam, name, web_identity_trust(idp.arn(), {"StringLike": {
        f"{idp.url}:sub": "repo:octo/app:*"}}))
    assume(sts, idp.token(sub="repo:octo/app:ref:refs/heads/main"), name)
    assert refused(sts, idp.token(sub="repo:octo/other:ref:refs/heads/main"), name)[0] == \
        "AccessDenied"


def test_amr_with_for_any_value_string_like(iam, sts, idp):
    name = unique("amr")
    make_role(iam, name, web_identity_trust(idp.arn(), {"ForAnyValue:StringLike": {
        f"{idp.url}:amr": "mfa*"}}))
    assume(sts, idp.token(amr=["pwd", "mfa"]), name)
    assume(sts, idp.token(amr="mfa-otp"), name)  # a single string is a one-value list
    for amr in (["pwd"], [], None):  # None: no amr claim at all
        code, message, status = refused(sts, idp.token(amr=amr), name)
        assert (code, status) == ("AccessDenied", 403), (amr, message)


def test_aud_is_azp_when_present_and_oaud_is_aud(iam, sts, idp):
    """{provider}:aud is the token's azp when it has one (else its aud); {provider}:oaud is
    always the aud."""
    azp_role = unique("azp")
    make_role(iam, azp_role, web_identity_trust(idp.arn(), {"StringEquals": {
        f"{idp.url}:aud": "web-client", f"{idp.url}:oaud": "app1"}}))
    aud_role = unique("aud")
    make_role(iam, aud_role, web_identity_trust(idp.arn(), {"StringEquals": {
        f"{idp.url}:aud": "app1"}}))

    with_azp = idp.token(aud="app1", azp="web-client")
    r = assume(sts, with_azp, azp_role)
    assert r["SubjectFromWebIdentityToken"] == "alice"
    assert refused(sts, with_azp, aud_role)[0] == "AccessDenied"   # :aud is the azp here

    without_azp = idp.token(aud="app1")
    assume(sts, without_azp, aud_role)
    assert refused(sts, without_azp, azp_role)[0] == "AccessDenied"
    # azp does not stand in for a registered audience.
    assert invalid_token(sts, idp.token(aud="unregistered", azp="app1"), azp_role) == \
        "Incorrect token audience"


def test_deny_statement_on_sub_wins(iam, sts, idp):
    name = unique("deny")
    trust = trust_document(
        trust_statement({"Federated": idp.arn()}, ACTION),
        trust_statement({"Federated": idp.arn()}, ACTION, effect="Deny",
                        condition={"StringEquals": {f"{idp.url}:sub": "mallory"}}))
    make_role(iam, name, trust)
    assume(sts, idp.token(sub="alice"), name)
    assert refused(sts, idp.token(sub="mallory"), name)[:1] == ("AccessDenied",)


# -- rejections: algorithms and signatures --------------------------------------------------------

def test_alg_none_is_refused(sts, idp):
    for header in ({"alg": "none", "typ": "JWT"}, {"alg": "none", "kid": "k1"},
                   {"alg": "None"}, {"alg": "NONE"}):
        message = invalid_token(sts, unsigned_jwt(idp.claims(), header))
        assert "algorithm" in message and "not accepted" in message, message


def test_hs256_with_the_rsa_public_key_as_secret_is_refused(sts, idp):
    """The classic confusion attack: HMAC keyed with the (public) RSA key the JWKS publishes."""
    rsa_key = idp.keys[0]
    for kid in ("k1", None):
        message = invalid_token(sts, hs256_jwt(idp.claims(), rsa_key.public_pem(), kid))
        assert "HS256" in message and "not accepted" in message, message


def test_tampered_payload_is_refused(sts, idp):
    good = idp.token(sub="alice")
    h, _, sig = good.split(".")
    forged_claims = idp.claims(sub="admin")
    message = invalid_token(sts, f"{h}.{b64u_json(forged_claims)}.{sig}")
    assert "signature" in message, message
    # A flipped bit in the signature, and a truncated signature, likewise.
    raw = bytearray(base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)))
    raw[-1] ^= 1
    p = good.split(".")[1]
    assert "signature" in invalid_token(sts, f"{h}.{p}.{b64u(bytes(raw))}")
    assert "signature" in invalid_token(sts, f"{h}.{p}.{b64u(bytes(raw[:-8]))}")
    assert "signature" in invalid_token(sts, f"{h}.{p}.")


def test_signature_by_a_key_not_in_the_jwks_is_refused(sts, idp):
    evil = SigningKey("k1")            # claims the provider's kid
    assert "signature" in invalid_token(sts, jwt(idp.claims(), evil))
    evil_ec = SigningKey("e1", "EC")
    assert "signature" in invalid_token(sts, jwt(idp.claims(), evil_ec))
    assert "signature" in invalid_token(sts, jwt(idp.claims(), evil, kid=None))
    stranger = SigningKey("not-published")
    message = invalid_token(sts, jwt(idp.claims(), stranger))
    assert "key" in message, message


def test_algorithm_and_key_type_must_agree(sts, idp):
    rsa_key, ec_key = idp.keys
    # PS256 named in the header, PKCS#1 v1.5 signature (and the reverse): not valid.
    h = b64u_json({"alg": "PS256", "kid": "k1"})
    p = b64u_json(idp.claims())
    sig = rsa_key.private.sign(f"{h}.{p}".encode(), padding.PKCS1v15(), hashes.SHA256())
    assert "signature" in invalid_token(sts, f"{h}.{p}.{b64u(sig)}")
    # ES256 with the RSA key's kid: no EC key of that kid.
    tok = jwt(idp.claims(), ec_key, "ES256", kid="k1")
    invalid_token(sts, tok)
    # ES256 with a DER-encoded signature rather than JOSE's raw r || s.
    h = b64u_json({"alg": "ES256", "kid": "e1"})
    der = ec_key.private.sign(f"{h}.{p}".encode(), ec.ECDSA(hashes.SHA256()))
    assert "signature" in invalid_token(sts, f"{h}.{p}.{b64u(der)}")


def test_pss_with_another_salt_length_is_refused(sts, idp):
    """JWA fixes PS256's salt at the hash length (32 bytes); a maximal salt is not PS256."""
    rsa_key = idp.keys[0]
    h = b64u_json({"alg": "PS256", "kid": "k1"})
    p = b64u_json(idp.claims())
    sig = rsa_key.private.sign(f"{h}.{p}".encode(), padding.PSS(
        mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH), hashes.SHA256())
    assert "signature" in invalid_token(sts, f"{h}.{p}.{b64u(sig)}")


# -- rejections: issuer and audience --------------------------------------------------------------

def test_unknown_issuer(sts, idp):
    issuer = "https://127.0.0.1:1"
    token = jwt(idp.claims(iss=issuer), idp.keys[0])
    assert invalid_token(sts, token) == f"No OpenIDConnect provider found in your account for {issuer}"


def test_deleted_provider_is_unknown(iam, sts, tmp_path):
    p = OidcProvider(tmp_path / "gone", [SigningKey("g1", "EC")])
    try:
        arn = register(iam, p)
        name = unique("gone")
        make_role(iam, name, web_identity_trust(arn))
        assume(sts, p.token(), name)
        iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
        assert invalid_token(sts, p.token(), name) == \
            f"No OpenIDConnect provider found in your account for {p.issuer}"
    finally:
        p.stop()


def test_audience_must_be_a_registered_client_id(iam, sts, idp):
    assert invalid_token(sts, idp.token(aud="app3")) == "Incorrect token audience"
    assert invalid_token(sts, idp.token(aud=["app3", "app4"])) == "Incorrect token audience"
    assert invalid_token(sts, idp.token(aud=None)) == "Incorrect token audience"
    assert invalid_token(sts, idp.token(aud="APP1")) == "Incorrect token audience"


def test_audience_array_containing_a_registered_id_is_accepted(sts, idp):
    r = assume(sts, idp.token(aud=["someone-else", "app2"]))
    assert r["Audience"] == "app2"


def test_client_id_added_later_is_accepted(iam, sts, idp):
    token = idp.token(aud="late-client")
    assert invalid_token(sts, token) == "Incorrect token audience"
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=idp.arn(),
                                                  ClientID="late-client")
    try:
        assert assume(sts, token)["Audience"] == "late-client"
    finally:
        iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=idp.arn(),
                                                           ClientID="late-client")
    assert invalid_token(sts, token) == "Incorrect token audience"


# -- rejections: time windows ---------------------------------------------------------------------

def test_expired_token(sts, idp):
    """AWS answers ExpiredTokenException (HTTP 400) with epoch seconds in the message, e.g.
    "Token expired: current date/time 1753382758 must be before the expiration date/time
    1753089571"."""
    now = int(time.time())
    token = idp.token(now=now - 1000, lifetime=600)  # expired 400 s ago: beyond the 300 s skew
    code, message, status = refused(sts, token)
    assert (code, status) == ("ExpiredTokenException", 400), (code, message, status)
    assert re.fullmatch(rf"Token expired: current date/time \d+ must be before the expiration "
                        rf"date/time {now - 400}", message), message


def test_expired_token_is_refused(sts, idp):
    """Whatever its code, an expired token (beyond the skew) gets no credentials."""
    code, message, status = refused(sts, idp.token(now=time.time() - 1000, lifetime=600))
    assert status == 400 and "expired" in message.lower(), (code, message)
    assert code in ("ExpiredTokenException", "ExpiredToken"), code


def test_token_without_exp_is_refused(sts, idp):
    invalid_token(sts, idp.token(exp=None))
    invalid_token(sts, idp.token(exp=str(int(time.time()) + 300)))  # not a number


def test_not_yet_valid_token(sts, idp):
    now = int(time.time())
    message = invalid_token(sts, idp.token(nbf=now + 400, lifetime=1000))
    assert "not valid yet" in message, message
    message = invalid_token(sts, idp.token(now=now + 400, lifetime=600))  # iat in the future
    assert "future" in message, message


def test_small_clock_differences_are_tolerated(sts, idp):
    now = int(time.time())
    assume(sts, idp.token(now=now + 60, nbf=now + 60))   # issuer's clock a minute ahead


# -- rejections: malformed and oversized tokens ---------------------------------------------------

@pytest.mark.parametrize("token", [
    "abcdef",                                             # no dots
    "abc.def",                                            # two parts
    "abc.def.ghi.jkl",                                    # four parts (a JWE has five)
    "abc.def.ghi.jkl.mno",
    "!!!!.@@@@.####",                                     # not base64url
    b64u_json({"alg": "RS256"}) + ".e30=.c2ln",           # padded base64 is not base64url
    b64u("not json") + "." + b64u_json({"sub": "x"}) + ".c2ln",
    b64u_json({"alg": "RS256"}) + "." + b64u("[1,2]") + ".c2ln",   # payload not an object
    b64u_json({"alg": "RS256"}) + "." + b64u("{\"sub\":") + ".c2ln",
    "....",
])
def test_malformed_token(sts, idp, token):
    message = invalid_token(sts, token)
    assert "not a JWT" in message, message


def test_oversized_token(sts, idp):
    """WebIdentityToken is 4..20000 characters. AWS does not echo the (sensitive) token in the
    message: "1 validation error detected: Value at 'webIdentityToken' failed to satisfy
    constraint: ..."."""
    token = idp.token(padding="x" * 20000)
    assert len(token) > 20000
    code, message, status = refused(sts, token)
    assert (code, status) == ("ValidationError", 400), (code, message[:300])
    assert token[:64] not in message, "the token is echoed in the error message"
    assert message == ("1 validation error detected: Value at 'webIdentityToken' failed to "
                       "satisfy constraint: Member must have length less than or equal to 20000")


def test_token_of_20000_characters_is_not_a_validation_error(sts, idp):
    """The longest token allowed: padded with a filler claim to just under 20001 characters."""
    now = time.time()
    size = lambda n: len(idp.token(padding="x" * n, now=now))  # noqa: E731
    lo, hi = 0, 20000  # size(lo) <= 20000 < size(hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if size(mid) <= 20000 else (lo, mid)
    token = idp.token(padding="x" * lo, now=now)
    assert 19990 <= len(token) <= 20000
    assert assume(sts, token)["SubjectFromWebIdentityToken"] == "alice"


def test_error_is_aws_shaped_over_raw_http(server, idp):
    status, code, message = sts_error(post_web_identity(server.port,
                                                        unsigned_jwt(idp.claims())))
    assert (status, code) == (400, "InvalidIdentityToken"), message
    r = post_web_identity(server.port, idp.token(sub="raw-user"))
    assert r.status == 200, r.text
    assert "<SubjectFromWebIdentityToken>raw-user</SubjectFromWebIdentityToken>" in r.text


# -- rejections: the role -------------------------------------------------------------------------

def test_role_not_trusting_the_provider(iam, sts, idp, tmp_path):
    # A role for IAM principals only.
    name = unique("plain")
    make_role(iam, name, trust_document(trust_statement(
        {"AWS": f"arn:aws:iam::{DEFAULT_ACCOUNT}:root"})))
    assert refused(sts, idp.token(), name) == ("AccessDenied", NOT_AUTHORIZED, 403)
    # A role trusting another OIDC provider.
    other = OidcProvider(tmp_path / "other", [SigningKey("o1", "EC")])
    try:
        other_arn = register(iam, other)
        name = unique("other")
        make_role(iam, name, web_identity_trust(other_arn))
        assert refused(sts, idp.token(), name) == ("AccessDenied", NOT_AUTHORIZED, 403)
        assume(sts, other.token(), name)
    finally:
        other.stop()
    # The provider trusted, but for another action only.
    name = unique("saml-only")
    make_role(iam, name, web_identity_trust(idp.arn(), action="sts:AssumeRoleWithSAML"))
    assert refused(sts, idp.token(), name) == ("AccessDenied", NOT_AUTHORIZED, 403)
    # No such role.
    assert refused(sts, idp.token(), "no-such-role") == ("AccessDenied", NOT_AUTHORIZED, 403)


# -- TLS trust of the provider --------------------------------------------------------------------

def test_unregistered_tls_thumbprint(iam, sts, oidc_provider, tmp_path):
    """The provider's certificate (self-signed, not from a system CA) is not among the
    registered thumbprints: its keys are not fetched (nothing is asked of it) and the token is
    refused."""
    p = oidc_provider([SigningKey("t1", "EC")])
    other_cert, _ = self_signed_cert(tmp_path / "other-cert", "other")
    arn = register(iam, p, thumbprints=[thumbprint(other_cert)])
    name = unique("tls")
    make_role(iam, name, web_identity_trust(arn))
    invalid_token(sts, p.token(), name)
    assert p.requests == []
    # Registering the right thumbprint (any case) fixes it: nothing bad was cached.
    iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn,
                                                   ThumbprintList=[p.thumbprint.upper()])
    assert assume(sts, p.token(), name)["SubjectFromWebIdentityToken"] == "alice"


def test_unregistered_tls_thumbprint_message(iam, sts, oidc_provider, tmp_path):
    """AWS's message for a certificate matching no registered thumbprint (as EKS and GitHub
    Actions users see it): "OpenIDConnect provider's HTTPS certificate doesn't match configured
    thumbprint"."""
    p = oidc_provider([SigningKey("t2", "EC")])
    arn = register(iam, p, thumbprints=["0" * 40])
    name = unique("tlsmsg")
    make_role(iam, name, web_identity_trust(arn))
    assert invalid_token(sts, p.token(), name) == \
        "OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint"


def test_no_thumbprint_and_no_system_ca(iam, sts, oidc_provider):
    p = oidc_provider([SigningKey("n1", "EC")])
    arn = register(iam, p, thumbprints=[])
    name = unique("nothumb")
    make_role(iam, name, web_identity_trust(arn))
    invalid_token(sts, p.token(), name)
    assert p.requests == []


def test_keys_unreachable(iam, sts, oidc_provider):
    """A trusted provider whose discovery document or JWKS cannot be had."""
    p = oidc_provider([SigningKey("u1", "EC")])
    arn = register(iam, p)
    name = unique("unreach")
    make_role(iam, name, web_identity_trust(arn))
    p.broken = {p.jwks_path: 500}
    assert invalid_token(sts, p.token(), name) == KEYS_UNREACHABLE
    p.broken = {p.discovery_path: 404}
    assert invalid_token(sts, p.token(), name) == KEYS_UNREACHABLE
    p.broken = {}
    assert assume(sts, p.token(), name)["SubjectFromWebIdentityToken"] == "alice"


def test_thumbprint_of_the_issuing_ca(iam, sts, oidc_provider, tmp_path):
    """The thumbprint of the CA that issued the provider's certificate (served in its chain)."""
    ca_cert, ca_key = self_signed_cert(tmp_path / "ca", "ca", cn="Test OIDC CA", san="", ca=True)
    leaf = ca_signed_cert(tmp_path / "leaf", "leaf", ca_cert, ca_key)
    p = oidc_provider([SigningKey("c1", "EC")], cert=leaf, chain=[ca_cert])
    arn = register(iam, p, thumbprints=[thumbprint(ca_cert)])
    name = unique("ca")
    make_role(iam, name, web_identity_trust(arn))
    assert assume(sts, p.token(), name)["SubjectFromWebIdentityToken"] == "alice"


def test_certificate_of_the_thumbprinted_ca_for_another_host(iam, sts, oidc_provider, tmp_path):
    """The registered thumbprint is the CA's; the server's certificate, issued by that CA, names
    another host (DNS:elsewhere.example, not IP:127.0.0.1). A certificate for one name does not
    vouch for another: refused, and nothing is asked of the server."""
    ca_cert, ca_key = self_signed_cert(tmp_path / "ca", "ca", cn="Test OIDC CA", san="", ca=True)
    leaf = ca_signed_cert(tmp_path / "leaf", "leaf", ca_cert, ca_key, san="DNS:elsewhere.example")
    p = oidc_provider([SigningKey("h1", "EC")], cert=leaf, chain=[ca_cert])
    arn = register(iam, p, thumbprints=[thumbprint(ca_cert)])
    name = unique("host")
    make_role(iam, name, web_identity_trust(arn))
    try:
        r = assume(sts, p.token(), name)
    except ClientError as e:
        assert e.response["Error"]["Code"] == "InvalidIdentityToken", e.response["Error"]
    else:
        pytest.fail("credentials were issued for a token whose keys came from a server whose "
                    f"certificate names another host (JWKS fetched {p.jwks_fetches} time(s); "
                    f"assumed {r['AssumedRoleUser']['Arn']})")
    assert p.jwks_fetches == 0, p.requests


@pytest.mark.parametrize("genuine", ["ca", "leaf"])
def test_thumbprinted_certificate_not_in_the_servers_chain_of_trust(iam, sts, oidc_provider,
                                                                     tmp_path, genuine):
    """A man in the middle serves its own self-signed certificate (whose key it has), followed
    by the genuine provider's certificate: its CA's ("ca") or its own self-signed one ("leaf",
    the usual self-hosted set-up). Certificates are public, so anyone can send them. The
    registered thumbprint matches a certificate in the chain, but nothing links the server's
    certificate to it: the server must not be trusted, nor its keys used."""
    genuine_cert, _ = self_signed_cert(tmp_path / "genuine", "genuine", cn="Genuine OIDC",
                                       ca=genuine == "ca")
    mitm = self_signed_cert(tmp_path / "mitm", "mitm")
    p = oidc_provider([SigningKey("m1", "EC")], cert=mitm, chain=[genuine_cert])
    arn = register(iam, p, thumbprints=[thumbprint(genuine_cert)])
    name = unique("mitm")
    make_role(iam, name, web_identity_trust(arn))
    try:
        r = assume(sts, p.token(), name)
    except ClientError as e:
        assert e.response["Error"]["Code"] == "InvalidIdentityToken", e.response["Error"]
    else:
        pytest.fail("credentials were issued for a token whose keys came over an unverified TLS "
                    f"chain (the JWKS was fetched {p.jwks_fetches} time(s); "
                    f"assumed {r['AssumedRoleUser']['Arn']})")
    assert p.jwks_fetches == 0, p.requests


def test_discovery_and_jwks_documents_that_give_no_key(iam, sts, oidc_provider):
    p = oidc_provider([SigningKey("d1")])
    arn = register(iam, p)
    name = unique("disc")
    make_role(iam, name, web_identity_trust(arn))
    p.discovery_override = {"issuer": p.issuer}  # no jwks_uri
    assert "jwks_uri" in invalid_token(sts, p.token(), name)
    p.discovery_override = None
    p.jwks_override = {"not-keys": []}
    assert "JWKS" in invalid_token(sts, p.token(), name)
    p.jwks_override = {"keys": [{"kty": "RSA", "kid": "d1", "use": "enc", **{
        k: v for k, v in p.keys[0].jwk().items() if k in ("n", "e")}}]}  # for encryption only
    assert "key" in invalid_token(sts, p.token(), name)


# -- key rotation -------------------------------------------------------------------------------

def test_key_rotation(iam, sts, oidc_provider):
    """A token naming a kid the cached key set lacks makes Portcullis fetch the JWKS again, at
    most once every 10 s (documented in KeySetCache). So a key published right after the first
    fetch is unknown until 10 s have passed, then accepted after one more fetch."""
    old = SigningKey("old")
    p = oidc_provider([old])
    arn = register(iam, p)
    name = unique("rot")
    make_role(iam, name, web_identity_trust(arn))

    assume(sts, p.token(old), name)
    first_fetch_done = time.monotonic()
    assert p.jwks_fetches == 1, p.requests

    new = SigningKey("new")
    p.add_key(new)
    # Within 10 s of the last fetch: no new fetch, the kid stays unknown.
    message = invalid_token(sts, p.token(new), name)
    assert "key" in message, message
    assert p.jwks_fetches == 1, p.requests
    # The old key keeps working from the cache.
    assume(sts, p.token(old), name)
    assert p.jwks_fetches == 1, p.requests

    time.sleep(max(0.0, first_fetch_done + 10.3 - time.monotonic()))
    r = assume(sts, p.token(new, sub="rotated"), name)
    assert r["SubjectFromWebIdentityToken"] == "rotated"
    assert p.jwks_fetches == 2, p.requests
    # Both keys are now known; no further fetches.
    assume(sts, p.token(old), name)
    assume(sts, p.token(new), name)
    assert p.jwks_fetches == 2, p.requests
    # A kid nobody publishes, straight after: no fetch storm, just a refusal.
    ghost = SigningKey("ghost", "EC")
    for _ in range(3):
        invalid_token(sts, p.token(ghost), name)
    assert p.jwks_fetches == 2, p.requests


# -- a provider that hangs ---------------------------------------------------------------------------

def test_a_hanging_provider_holds_a_bounded_part_of_the_blocking_pool(start_server, tmp_path):
    """Keys are fetched once per provider at a time, with at most one more caller waiting for the
    fetch; further callers are answered at once. So a provider that accepts connections and never
    answers holds two of the four blocking threads while other control-plane calls go on."""
    import socket
    import threading

    hang = socket.socket()
    hang.bind(("127.0.0.1", 0))
    hang.listen(16)  # accepted by the kernel, never answered
    port = hang.getsockname()[1]
    s = start_server("--blocking-threads", "4")
    iam = s.client("iam")
    arn = iam.create_open_id_connect_provider(Url=f"https://127.0.0.1:{port}", ClientIDList=["app1"],
                                              ThumbprintList=["0" * 40])["OpenIDConnectProviderArn"]
    name = unique("hang")
    make_role(iam, name, web_identity_trust(arn))
    key = SigningKey("h1")
    now = int(time.time())
    token = jwt({"iss": f"https://127.0.0.1:{port}", "aud": "app1", "sub": "alice", "iat": now,
                 "exp": now + 300}, key)
    sts = unsigned_client(s, "sts")
    done: list[tuple[str, str]] = []
    lock = threading.Lock()

    def call(i):
        try:
            assume(sts, token, name, session=f"s{i}")
            outcome = "issued"
        except ClientError as e:
            outcome = e.response["Error"]["Code"]
        with lock:
            done.append((f"assume{i}", outcome))

    threads = [threading.Thread(target=call, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
        time.sleep(0.05)
    # While the fetch hangs, the other threads of the pool answer other calls.
    ident = s.client("sts").get_caller_identity()
    with lock:
        done.append(("identity", ident["Account"]))
    for t in threads:
        t.join(timeout=20)
    hang.close()
    names = [n for n, _ in done]
    assert len(done) == 11, done
    # Only the fetch and its one waiter were still held when the identity call was answered; the
    # other eight callers had been answered at once.
    assert len(names) - 1 - names.index("identity") == 2, done
    assert all(outcome == "InvalidIdentityToken" for n, outcome in done if n != "identity"), done
