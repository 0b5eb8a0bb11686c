"""SAML 2.0 responses for the AssumeRoleWithSAML tests: built from a template with placeholders and
current timestamps, and signed the way an identity provider signs them (python3-xmlsec, or the
xmlsec1 CLI), with the test IdP's key in tests/data/saml or any other.

Everything is built as text first (so a test can see and change exactly what is signed), then
signed in place: every empty <ds:Signature> template is filled, the assertion's before the
Response's (the Response's digest covers the signed assertion).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import subprocess
import tempfile
import urllib.parse
import uuid
from pathlib import Path
from typing import Iterable, Mapping
from xml.sax.saxutils import escape, quoteattr

import xmlsec
from lxml import etree

from portcullis_helpers import (DEFAULT_ACCOUNT, FORM_TYPE, REPO, RawResponse, exchange,
                                query_error, raw_request, sign)

SAML_DATA = REPO / "tests" / "data" / "saml"
IDP_KEY = SAML_DATA / "idp-key.pem"
IDP_CERT = SAML_DATA / "idp-cert.pem"
IDP_METADATA = SAML_DATA / "idp-metadata.xml"
IDP_ENTITY_ID = "https://idp.example.test/saml"
XMLSEC1 = "/usr/bin/xmlsec1"
OPENSSL = "openssl"

AWS_SAML_URL = "https://signin.aws.amazon.com/saml"  # the recipient, and one accepted audience
AWS_SAML_URN = "urn:amazon:webservices"               # the other accepted audience

ATTRIBUTES = "https://aws.amazon.com/SAML/Attributes/"
ROLE_ATTR = ATTRIBUTES + "Role"
SESSION_NAME_ATTR = ATTRIBUTES + "RoleSessionName"
TAG_ATTR = ATTRIBUTES + "PrincipalTag:"

NAMEID = "urn:oasis:names:tc:SAML:2.0:nameid-format:"
PERSISTENT = NAMEID + "persistent"
TRANSIENT = NAMEID + "transient"

SAMLP_NS = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML_NS = "urn:oasis:names:tc:SAML:2.0:assertion"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
NS = {"samlp": SAMLP_NS, "saml": SAML_NS, "ds": DS_NS}

EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
ECDSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"

# An enveloped-signature template; {key_info} is empty or a KeyInfo template xmlsec fills in.
SIGNATURE_TEMPLATE = (
    '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>'
    '<ds:CanonicalizationMethod Algorithm="{c14n}"/>'
    '<ds:SignatureMethod Algorithm="{signature_method}"/>'
    '<ds:Reference URI="{uri}"><ds:Transforms>'
    '<ds:Transform Algorithm="' + ENVELOPED + '"/>'
    '<ds:Transform Algorithm="{c14n}"/>'
    '</ds:Transforms><ds:DigestMethod Algorithm="{digest_method}"/><ds:DigestValue/>'
    '</ds:Reference></ds:SignedInfo><ds:SignatureValue/>{key_info}</ds:Signature>')
KEY_INFO_TEMPLATE = "<ds:KeyInfo><ds:X509Data/></ds:KeyInfo>"

# The shape of tests/data/saml/response-template.xml, with placeholders. Values are inserted
# already escaped ({…_attr} placeholders are whole attributes or nothing).
RESPONSE_TEMPLATE = (
    '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
    'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID={response_id} Version="2.0" '
    'IssueInstant="{issue_instant}"{destination_attr}>'
    '<saml:Issuer>{response_issuer}</saml:Issuer>{response_signature}'
    '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>'
    '</samlp:Status>'
    '<saml:Assertion ID={assertion_id} Version="2.0" IssueInstant="{issue_instant}">'
    '<saml:Issuer>{issuer}</saml:Issuer>{assertion_signature}'
    '<saml:Subject><saml:NameID Format={name_id_format}>{name_id}</saml:NameID>'
    '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
    '<saml:SubjectConfirmationData NotOnOrAfter="{confirmation_not_on_or_after}" '
    'Recipient={recipient}/></saml:SubjectConfirmation></saml:Subject>'
    '<saml:Conditions NotBefore="{not_before}" NotOnOrAfter="{not_on_or_after}">'
    '<saml:AudienceRestriction>{audiences}</saml:AudienceRestriction></saml:Conditions>'
    '<saml:AuthnStatement AuthnInstant="{issue_instant}"{session_not_on_or_after_attr}>'
    '<saml:AuthnContext><saml:AuthnContextClassRef>'
    'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport'
    '</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>'
    '<saml:AttributeStatement>{attributes}</saml:AttributeStatement>'
    '</saml:Assertion></samlp:Response>')


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def saml_time(t: datetime.datetime) -> str:
    """xs:dateTime in UTC, as IdPs write it (2026-01-01T00:00:00Z)."""
    return t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _at(when, now: datetime.datetime) -> datetime.datetime:
    """A datetime as is, or a number of seconds from `now`."""
    if isinstance(when, datetime.datetime):
        return when
    return now + datetime.timedelta(seconds=when)


def provider_arn(name: str = "idp", account: str = DEFAULT_ACCOUNT) -> str:
    return f"arn:aws:iam::{account}:saml-provider/{name}"


def role_arn(name: str, account: str = DEFAULT_ACCOUNT) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


def role_value(role: str, provider: str = "idp", reverse: bool = False) -> str:
    """A Role attribute value, "role-arn,provider-arn" (reverse: the other order)."""
    pair = [role_arn(role) if not role.startswith("arn:") else role,
            provider_arn(provider) if not provider.startswith("arn:") else provider]
    return ",".join(reversed(pair) if reverse else pair)


def name_qualifier(issuer: str = IDP_ENTITY_ID, account: str = DEFAULT_ACCOUNT,
                   provider: str = "idp") -> str:
    """AWS's NameQualifier (and SAML:namequalifier): base64(sha1(issuer + account + "/" + name))."""
    digest = hashlib.sha1(f"{issuer}{account}/{provider}".encode()).digest()
    return base64.b64encode(digest).decode()


def signature_template(uri: str, *, signature_method: str = RSA_SHA256,
                       digest_method: str = SHA256, c14n: str = EXC_C14N,
                       key_info: bool = True) -> str:
    return SIGNATURE_TEMPLATE.format(uri=escape(uri, {'"': "&quot;"}), c14n=c14n,
                                     signature_method=signature_method,
                                     digest_method=digest_method,
                                     key_info=KEY_INFO_TEMPLATE if key_info else "")


def attribute_xml(name: str, values: Iterable[str]) -> str:
    vals = "".join(f"<saml:AttributeValue>{escape(v)}</saml:AttributeValue>" for v in values)
    return f"<saml:Attribute Name={quoteattr(name)}>{vals}</saml:Attribute>"


def response_xml(roles: Iterable[str] | None = None, session_name: str | None = "alice",
                 *, name_id: str = "alice", name_id_format: str = PERSISTENT,
                 issuer: str = IDP_ENTITY_ID, response_issuer: str | None = None,
                 audiences: Iterable[str] = (AWS_SAML_URL,), recipient: str = AWS_SAML_URL,
                 destination: str | None = AWS_SAML_URL, now: datetime.datetime | None = None,
                 issued=0, not_before=0, not_on_or_after=300, confirmation_not_on_or_after=None,
                 session_not_on_or_after=None,
                 attributes: Mapping[str, Iterable[str]] | None = None,
                 sign_assertion: bool = True, sign_response: bool = False,
                 signature_method: str = RSA_SHA256, digest_method: str = SHA256,
                 c14n: str = EXC_C14N, key_info: bool = True,
                 response_id: str | None = None, assertion_id: str | None = None) -> str:
    """The text of an unsigned SAML Response (with signature templates where it is to be signed).

    roles: Role attribute values (default: the "reader" role with the "idp" provider);
    session_name: the RoleSessionName attribute (None: left out). Times are datetimes or seconds
    from `now` (default: the current time): issued (IssueInstant), not_before and
    not_on_or_after (Conditions), confirmation_not_on_or_after (SubjectConfirmationData, default
    the Conditions' one), session_not_on_or_after (AuthnStatement, default: left out). IDs are
    fresh unless given, so every response is a new assertion.
    """
    now = now or utc_now()
    roles = [role_value("reader")] if roles is None else list(roles)
    not_on_or_after_t = _at(not_on_or_after, now)
    confirm_t = (_at(confirmation_not_on_or_after, now) if confirmation_not_on_or_after is not None
                 else not_on_or_after_t)
    response_id = response_id or f"_r{uuid.uuid4().hex}"
    assertion_id = assertion_id or f"_a{uuid.uuid4().hex}"
    attrs: dict[str, list[str]] = {}
    if roles:
        attrs[ROLE_ATTR] = roles
    if session_name is not None:
        attrs[SESSION_NAME_ATTR] = [session_name]
    for k, v in (attributes or {}).items():
        attrs[k] = [v] if isinstance(v, str) else list(v)
    sig = dict(signature_method=signature_method, digest_method=digest_method, c14n=c14n,
               key_info=key_info)
    session_attr = ""
    if session_not_on_or_after is not None:
        session_attr = f' SessionNotOnOrAfter="{saml_time(_at(session_not_on_or_after, now))}"'
    return RESPONSE_TEMPLATE.format(
        response_id=quoteattr(response_id),
        assertion_id=quoteattr(assertion_id),
        issue_instant=saml_time(_at(issued, now)),
        destination_attr=(f" Destination={quoteattr(destination)}" if destination is not None
                          else ""),
        response_issuer=escape(response_issuer if response_issuer is not None else issuer),
        issuer=escape(issuer),
        response_signature=signature_template("#" + response_id, **sig) if sign_response else "",
        assertion_signature=signature_template("#" + assertion_id, **sig) if sign_assertion else "",
        name_id_format=quoteattr(name_id_format),
        name_id=escape(name_id),
        confirmation_not_on_or_after=saml_time(confirm_t),
        recipient=quoteattr(recipient),
        not_before=saml_time(_at(not_before, now)),
        not_on_or_after=saml_time(not_on_or_after_t),
        audiences="".join(f"<saml:Audience>{escape(a)}</saml:Audience>" for a in audiences),
        session_not_on_or_after_attr=session_attr,
        attributes="".join(attribute_xml(k, v) for k, v in attrs.items()),
    )


# -- signing --------------------------------------------------------------------------------------

def _load_key(key_file: Path, cert_file: Path | None) -> xmlsec.Key:
    key = xmlsec.Key.from_file(str(key_file), xmlsec.constants.KeyDataFormatPem)
    if cert_file:
        key.load_cert_from_file(str(cert_file), xmlsec.constants.KeyDataFormatPem)
    return key


def _unsigned_templates(root: etree._Element) -> list[etree._Element]:
    """The empty signature templates, the assertion's (deepest) first."""
    sigs = [s for s in root.iter(f"{{{DS_NS}}}Signature")
            if not (s.findtext("ds:SignatureValue", namespaces=NS) or "").strip()]
    return sorted(sigs, key=lambda s: -len(list(s.iterancestors())))


def sign_xml(xml: str | bytes, key_file: Path = IDP_KEY, cert_file: Path | None = IDP_CERT) -> str:
    """Fills every empty signature template (python3-xmlsec), innermost first. The cert, if given,
    goes into KeyInfo/X509Data where the template has one."""
    root = etree.fromstring(xml.encode() if isinstance(xml, str) else xml)
    for sig in _unsigned_templates(root):
        # IDs are registered on the whole document: the reference is resolved from the root.
        xmlsec.tree.add_ids(root, ["ID"])
        ctx = xmlsec.SignatureContext()
        ctx.key = _load_key(key_file, cert_file)
        ctx.sign(sig)
    return etree.tostring(root, encoding="unicode")


def signature_verifies(xml: str | bytes, cert_file: Path = IDP_CERT) -> bool:
    """Whether every signature in the document verifies with `cert_file` (python3-xmlsec, which
    knows nothing of the hardened profile): to show an attack keeps a valid signature."""
    root = etree.fromstring(xml.encode() if isinstance(xml, str) else xml)
    sigs = list(root.iter(f"{{{DS_NS}}}Signature"))
    for sig in sigs:
        xmlsec.tree.add_ids(root, ["ID"])
        ctx = xmlsec.SignatureContext()
        ctx.key = xmlsec.Key.from_file(str(cert_file), xmlsec.constants.KeyDataFormatCertPem)
        try:
            ctx.verify(sig)
        except xmlsec.Error:
            return False
    return bool(sigs)


def wrapped_signature_intact(xml: str | bytes, cert_file: Path = IDP_CERT) -> bool:
    """For signature wrapping that moves the signed element *inside its own ds:Signature*
    (XSW1, XSW6, XSW8): whether every such signature is still the IdP's, read as the wrapping
    expects a verifier to read it. libxmlsec (python3-xmlsec and the server alike) cannot say so:
    its enveloped-signature transform, as XMLDSig defines it, drops the whole Signature subtree
    and so digests nothing. Checked here instead, with python3-xmlsec for the RSA part: the
    referenced element's exclusive c14n has the Reference's SHA-256 digest, and SignatureValue
    verifies over SignedInfo. Only the rsa-sha256/sha256/exc-c14n signatures signed_response()
    makes; False if no signature references an element inside itself."""
    root = etree.fromstring(xml.encode() if isinstance(xml, str) else xml)
    checked = 0
    for sig in root.iter(f"{{{DS_NS}}}Signature"):
        signed_info = sig.find("ds:SignedInfo", NS)
        refs = signed_info.findall("ds:Reference", NS)
        if len(refs) != 1 or not (refs[0].get("URI") or "").startswith("#"):
            return False
        targets = [e for e in root.iter(etree.Element) if e.get("ID") == refs[0].get("URI")[1:]]
        if len(targets) != 1 or sig not in targets[0].iterancestors():
            continue  # an ordinary enveloped (or detached) signature: signature_verifies()
        algs = [signed_info.find("ds:CanonicalizationMethod", NS).get("Algorithm"),
                signed_info.find("ds:SignatureMethod", NS).get("Algorithm"),
                refs[0].find("ds:DigestMethod", NS).get("Algorithm")]
        if algs != [EXC_C14N, RSA_SHA256, SHA256]:
            return False
        digest = hashlib.sha256(etree.tostring(targets[0], method="c14n", exclusive=True))
        if base64.b64encode(digest.digest()).decode() != (
                refs[0].findtext("ds:DigestValue", namespaces=NS) or "").strip():
            return False
        ctx = xmlsec.SignatureContext()
        ctx.key = xmlsec.Key.from_file(str(cert_file), xmlsec.constants.KeyDataFormatCertPem)
        try:
            ctx.verify_binary(etree.tostring(signed_info, method="c14n", exclusive=True),
                              xmlsec.constants.TransformRsaSha256,
                              base64.b64decode(sig.findtext("ds:SignatureValue", namespaces=NS)))
        except xmlsec.Error:
            return False
        checked += 1
    return checked > 0


def sign_xml_cli(xml: str, key_file: Path = IDP_KEY, cert_file: Path | None = IDP_CERT,
                 timeout: float = 10.0) -> str:
    """Signs the assertion's signature template with the xmlsec1 CLI, exactly as the fixture was
    (`xmlsec1 --sign --privkey-pem key --id-attr:ID …:Assertion`). Only the first template in
    document order is filled, so use it for assertion-only signatures."""
    with tempfile.TemporaryDirectory() as d:
        src, out = Path(d) / "in.xml", Path(d) / "out.xml"
        src.write_text(xml)
        keys = f"{key_file},{cert_file}" if cert_file else str(key_file)
        p = subprocess.run([XMLSEC1, "--sign", "--privkey-pem", keys,
                            "--id-attr:ID", f"{SAML_NS}:Assertion", "--output", str(out), str(src)],
                           capture_output=True, text=True, timeout=timeout)
        assert p.returncode == 0, p.stderr
        return out.read_text()


def signed_response(*args, key_file: Path = IDP_KEY, cert_file: Path | None = IDP_CERT,
                    **kw) -> str:
    """response_xml(*args, **kw), signed (by default with the test IdP's key)."""
    return sign_xml(response_xml(*args, **kw), key_file, cert_file)


def b64(xml: str | bytes) -> str:
    return base64.b64encode(xml.encode() if isinstance(xml, str) else xml).decode()


def assertion(*args, **kw) -> str:
    """A fresh signed response, base64-encoded as SAMLAssertion carries it."""
    return b64(signed_response(*args, **kw))


def make_key_pair(directory: Path, name: str = "evil", kind: str = "rsa") -> tuple[Path, Path]:
    """A new private key and self-signed certificate (openssl CLI): (key.pem, cert.pem).
    kind: "rsa" (2048 bits) or "ec" (P-256)."""
    directory = Path(directory)
    key, cert = directory / f"{name}-key.pem", directory / f"{name}-cert.pem"
    newkey = ["-newkey", "rsa:2048"] if kind == "rsa" else [
        "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
    p = subprocess.run([OPENSSL, "req", "-x509", *newkey, "-nodes", "-days", "2",
                        "-subj", f"/CN={name}", "-keyout", str(key), "-out", str(cert)],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    return key, cert


def metadata_for(cert_file: Path, entity_id: str = IDP_ENTITY_ID) -> str:
    """IdP metadata (as tests/data/saml/idp-metadata.xml) with another signing certificate."""
    der = "".join(l for l in Path(cert_file).read_text().splitlines() if "-----" not in l)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        f'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID={quoteattr(entity_id)}>'
        '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data>'
        f'<ds:X509Certificate>{der}</ds:X509Certificate>'
        '</ds:X509Data></ds:KeyInfo></md:KeyDescriptor>'
        '<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>'
        '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
        'Location="https://idp.example.test/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>')


# -- calling AssumeRoleWithSAML over raw HTTP -----------------------------------------------------

def saml_form(role: str, provider: str, saml_assertion: str, **extra) -> str:
    """The form body of an AssumeRoleWithSAML call (role/provider: names or ARNs)."""
    params = {"Action": "AssumeRoleWithSAML", "Version": "2011-06-15",
              "RoleArn": role if role.startswith("arn:") else role_arn(role),
              "PrincipalArn": provider if provider.startswith("arn:") else provider_arn(provider),
              "SAMLAssertion": saml_assertion}
    params.update({k: str(v) for k, v in extra.items()})
    return urllib.parse.urlencode(params)


def post_saml(port: int, role: str, provider: str, saml_assertion: str, *, signed: bool = False,
              timeout: float = 5.0, **extra) -> RawResponse:
    """POSTs AssumeRoleWithSAML to / (unsigned, as AWS clients send it, unless `signed`); every
    read is bounded by `timeout`."""
    body = saml_form(role, provider, saml_assertion, **extra)
    headers = {"Host": f"127.0.0.1:{port}", "Content-Type": FORM_TYPE}
    if signed:
        headers = sign("POST", f"http://127.0.0.1:{port}/", body, headers)
    return exchange(port, raw_request("POST", "/", headers, body.encode()), timeout=timeout)


def sts_error(resp: RawResponse) -> tuple[int, str, str]:
    """(status, Code, Message) of an AWS-shaped STS error: a 4xx text/xml ErrorResponse in the STS
    namespace with Type Sender and a RequestId matching x-amzn-RequestId."""
    assert 400 <= resp.status < 500, (resp.status, resp.text[:2000])
    assert (resp.header("content-type") or "").startswith("text/xml"), resp.headers
    root = etree.fromstring(resp.body)
    assert root.tag == "{https://sts.amazonaws.com/doc/2011-06-15/}ErrorResponse", resp.text
    typ, code, message = query_error(resp.body)
    assert typ == "Sender", resp.text
    request_id = root.findtext("{https://sts.amazonaws.com/doc/2011-06-15/}RequestId")
    assert request_id and request_id == resp.header("x-amzn-requestid"), resp.text
    return resp.status, code, message
