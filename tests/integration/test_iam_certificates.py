"""IAM certificates and keys: users' signing certificates, SSH public keys and service-specific
credentials, and the account's server certificates (private keys sealed, never answered): their
shapes, quotas, duplicates, malformed and expired input, key pairs and chains, DeleteUser's
conflicts, persistence across a restart, and AccessDenied for every operation."""

from __future__ import annotations

import base64
import datetime
import hashlib
import re
import subprocess
from pathlib import Path

import pytest

from portcullis_helpers import (DEFAULT_ACCOUNT, access_denied, allow, aws_json, call_error,
                                create_user_with_key, iam_arn, make_client, unique)

MALFORMED = ("MalformedCertificate",
             "Unable to parse certificate. Please ensure the certificate is in PEM format.", 400)
EXPIRED = ("MalformedCertificate", "Certificate is no longer valid. The 'Not After' date "
           "restriction on the certificate has passed.", 400)


def run(*args: str, cwd: Path, stdin: str | None = None) -> str:
    p = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=60, input=stdin)
    assert p.returncode == 0, p.stderr
    return p.stdout


class Pki:
    """Certificates and keys made with Debian's openssl and ssh-keygen in a private directory."""

    def __init__(self, root: Path):
        self.root = root
        self.n = 0

    def _path(self, stem: str) -> Path:
        self.n += 1
        return self.root / f"{stem}{self.n}"

    def pair(self, cn: str = "portcullis.test", days: int = 365) -> tuple[str, str]:
        """(certificate PEM, private key PEM) of a self-signed RSA-2048 certificate."""
        p = self._path("pair")
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{p}.key",
            "-out", f"{p}.crt", "-days", str(days), "-subj", f"/CN={cn}", cwd=self.root)
        return Path(f"{p}.crt").read_text(), Path(f"{p}.key").read_text()

    def expired(self) -> tuple[str, str]:
        """A self-signed certificate valid through 2020 only, and its key."""
        p = self._path("old")
        p.mkdir()
        (p / "index.txt").write_text("")
        (p / "serial").write_text("01\n")
        (p / "ca.cnf").write_text("[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nnew_certs_dir=.\n"
                                  "serial=serial\ndefault_md=sha256\npolicy=p\n[p]\n"
                                  "commonName=supplied\n")
        run("openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "k.pem", "-out",
            "r.csr", "-subj", "/CN=old", cwd=p)
        run("openssl", "ca", "-config", "ca.cnf", "-selfsign", "-keyfile", "k.pem", "-in", "r.csr",
            "-startdate", "20200101000000Z", "-enddate", "20210101000000Z", "-batch", "-notext",
            "-out", "old.pem", cwd=p)
        return (p / "old.pem").read_text(), (p / "k.pem").read_text()

    def chained(self) -> tuple[str, str, str]:
        """(leaf certificate, leaf key, CA certificate): the leaf is signed by the CA."""
        p = self._path("ca")
        p.mkdir()
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key",
            "-out", "ca.crt", "-days", "30", "-subj", "/CN=Portcullis Test CA", cwd=p)
        run("openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key",
            "-out", "leaf.csr", "-subj", "/CN=www.portcullis.test", cwd=p)
        run("openssl", "x509", "-req", "-in", "leaf.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "20", "-out", "leaf.crt", cwd=p)
        return ((p / "leaf.crt").read_text(), (p / "leaf.key").read_text(),
                (p / "ca.crt").read_text())

    def ssh(self, bits: int = 2048, kind: str = "rsa") -> Path:
        """A new ssh-keygen key; returns the path of its .pub file."""
        p = self._path("ssh")
        run("ssh-keygen", "-q", "-t", kind, *(["-b", str(bits)] if kind == "rsa" else []),
            "-N", "", "-C", "tester@portcullis", "-f", str(p), cwd=self.root)
        return Path(f"{p}.pub")


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return Pki(tmp_path_factory.mktemp("pki"))


def not_after(pem: str, cwd: Path) -> datetime.datetime:
    out = run("openssl", "x509", "-noout", "-enddate", cwd=cwd, stdin=pem).strip()
    return datetime.datetime.strptime(out.split("=", 1)[1], "%b %d %H:%M:%S %Y GMT").replace(
        tzinfo=datetime.timezone.utc)


def pem_body(pem: str) -> str:
    """The base64 between a PEM block's BEGIN and END lines, joined."""
    return "".join(l for l in pem.strip().splitlines() if not l.startswith("-----"))


# -- signing certificates ----------------------------------------------------------------------

def test_signing_certificates(iam, pki):
    user = unique("signer")
    iam.create_user(UserName=user)
    a, _ = pki.pair()
    b, _ = pki.pair()
    c, _ = pki.pair()
    cert = iam.upload_signing_certificate(UserName=user, CertificateBody=a)["Certificate"]
    assert set(cert) == {"UserName", "CertificateId", "CertificateBody", "Status", "UploadDate"}
    assert (cert["UserName"], cert["CertificateBody"], cert["Status"]) == (user, a, "Active")
    assert re.fullmatch(r"[A-Z0-9]{28}", cert["CertificateId"]), cert["CertificateId"]
    assert abs((cert["UploadDate"] - datetime.datetime.now(datetime.timezone.utc)).total_seconds()) < 60
    listed = iam.list_signing_certificates(UserName=user)
    assert (listed["Certificates"], listed["IsTruncated"]) == ([cert], False)

    # One certificate belongs to one user of the account.
    other = unique("signer")
    iam.create_user(UserName=other)
    assert call_error(iam.upload_signing_certificate, UserName=other, CertificateBody=a) == (
        "DuplicateCertificate", f"The Certificate with id {cert['CertificateId']} already exists.",
        409)
    second = iam.upload_signing_certificate(UserName=user, CertificateBody=b)["Certificate"]
    assert call_error(iam.upload_signing_certificate, UserName=user, CertificateBody=c) == (
        "LimitExceeded", "Cannot exceed quota for CertificatesPerUser: 2", 409)
    assert call_error(iam.upload_signing_certificate, UserName=user,
                      CertificateBody="-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
                      ) == MALFORMED
    assert call_error(iam.upload_signing_certificate, UserName=other,
                      CertificateBody=pki.expired()[0]) == EXPIRED
    assert call_error(iam.upload_signing_certificate, UserName="ghost", CertificateBody=c) == (
        "NoSuchEntity", "The user with name ghost cannot be found.", 404)

    # Pages in the order of the ids.
    ids = sorted([cert["CertificateId"], second["CertificateId"]])
    page = iam.list_signing_certificates(UserName=user, MaxItems=1)
    assert ([x["CertificateId"] for x in page["Certificates"]], page["IsTruncated"],
            page["Marker"]) == (ids[:1], True, ids[1])
    page = iam.list_signing_certificates(UserName=user, Marker=page["Marker"])
    assert ([x["CertificateId"] for x in page["Certificates"]], page["IsTruncated"]) == (ids[1:], False)

    iam.update_signing_certificate(UserName=user, CertificateId=cert["CertificateId"],
                                   Status="Inactive")
    statuses = {x["CertificateId"]: x["Status"]
                for x in iam.list_signing_certificates(UserName=user)["Certificates"]}
    assert statuses == {cert["CertificateId"]: "Inactive", second["CertificateId"]: "Active"}
    assert call_error(iam.update_signing_certificate, UserName=user,
                      CertificateId=cert["CertificateId"], Status="Paused")[0] == "ValidationError"

    # The user cannot be deleted while it has them.
    assert call_error(iam.delete_user, UserName=user) == (
        "DeleteConflict", "Cannot delete entity, must delete signing certificates first.", 409)
    for x in (cert, second):
        iam.delete_signing_certificate(UserName=user, CertificateId=x["CertificateId"])
    assert call_error(iam.delete_signing_certificate, UserName=user,
                      CertificateId=cert["CertificateId"]) == (
        "NoSuchEntity", f"The Certificate with id {cert['CertificateId']} cannot be found.", 404)
    assert iam.list_signing_certificates(UserName=user)["Certificates"] == []
    # Deleted, the certificate may be uploaded again (to another user).
    assert iam.upload_signing_certificate(UserName=other, CertificateBody=a)["Certificate"][
        "UserName"] == other
    iam.delete_user(UserName=user)


def test_user_manages_own_signing_certificates_and_renames_keep_them(server, iam, pki):
    user = unique("self-signer")
    _, key = create_user_with_key(iam, user, allow(
        ["iam:*SigningCertificate*", "iam:*SSHPublicKey*", "iam:*ServiceSpecificCredential*"],
        iam_arn("user", user)))
    me = make_client("iam", server.endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    pem, _ = pki.pair()
    cert = me.upload_signing_certificate(CertificateBody=pem)["Certificate"]
    assert cert["UserName"] == user
    assert me.list_signing_certificates()["Certificates"] == [cert]
    # The operations whose UserName may be omitted act on the caller.
    ssh = iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=pki.ssh().read_text())[
        "SSHPublicKey"]
    assert [k["SSHPublicKeyId"] for k in me.list_ssh_public_keys()["SSHPublicKeys"]] == [
        ssh["SSHPublicKeyId"]]
    cred = me.create_service_specific_credential(
        UserName=user, ServiceName="codecommit.amazonaws.com")["ServiceSpecificCredential"]
    assert me.reset_service_specific_credential(
        ServiceSpecificCredentialId=cred["ServiceSpecificCredentialId"])[
        "ServiceSpecificCredential"]["UserName"] == user
    assert [c["ServiceSpecificCredentialId"] for c in
            me.list_service_specific_credentials()["ServiceSpecificCredentials"]] == [
        cred["ServiceSpecificCredentialId"]]
    # Another user's are refused.
    assert call_error(me.list_ssh_public_keys, UserName="admin") == (
        "AccessDenied", access_denied(user, "iam:ListSSHPublicKeys", iam_arn("user", "admin")),
        403)
    renamed = unique("renamed")
    iam.update_user(UserName=user, NewUserName=renamed)
    assert [(x["UserName"], x["CertificateId"])
            for x in iam.list_signing_certificates(UserName=renamed)["Certificates"]] == [
        (renamed, cert["CertificateId"])]


# -- SSH public keys ---------------------------------------------------------------------------

def test_ssh_public_keys(iam, pki):
    user = unique("ssh")
    iam.create_user(UserName=user)
    pub = pki.ssh()
    text = pub.read_text()
    key = iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=text)["SSHPublicKey"]
    assert set(key) == {"UserName", "SSHPublicKeyId", "Fingerprint", "SSHPublicKeyBody", "Status",
                        "UploadDate"}
    assert (key["UserName"], key["SSHPublicKeyBody"], key["Status"]) == (user, text, "Active")
    assert re.fullmatch(r"APKA[A-Z2-7]{16}", key["SSHPublicKeyId"]), key["SSHPublicKeyId"]
    # The fingerprint is ssh-keygen's MD5 one: the MD5 of the key blob, in colon-separated hex.
    keygen = run("ssh-keygen", "-l", "-E", "md5", "-f", str(pub), cwd=pub.parent).split()[1]
    digest = hashlib.md5(base64.b64decode(text.split()[1])).hexdigest()
    assert key["Fingerprint"] == keygen.removeprefix("MD5:") == ":".join(
        digest[i:i + 2] for i in range(0, 32, 2))

    # SSH <-> PEM: the PEM form is ssh-keygen's PKCS8 export; converting back gives the key.
    pem = run("ssh-keygen", "-e", "-m", "PKCS8", "-f", str(pub), cwd=pub.parent)
    got = iam.get_ssh_public_key(UserName=user, SSHPublicKeyId=key["SSHPublicKeyId"],
                                 Encoding="PEM")["SSHPublicKey"]
    assert got["SSHPublicKeyBody"] == pem and got["Fingerprint"] == key["Fingerprint"]
    assert iam.get_ssh_public_key(UserName=user, SSHPublicKeyId=key["SSHPublicKeyId"],
                                  Encoding="SSH")["SSHPublicKey"] == key
    # The same key in the other encoding is a duplicate for this user, not for another one.
    assert call_error(iam.upload_ssh_public_key, UserName=user, SSHPublicKeyBody=pem) == (
        "DuplicateSSHPublicKey",
        "The SSH public key is already associated with the specified IAM user.", 400)
    other = unique("ssh")
    iam.create_user(UserName=other)
    from_pem = iam.upload_ssh_public_key(UserName=other, SSHPublicKeyBody=pem)["SSHPublicKey"]
    assert from_pem["Fingerprint"] == key["Fingerprint"]
    assert iam.get_ssh_public_key(UserName=other, SSHPublicKeyId=from_pem["SSHPublicKeyId"],
                                  Encoding="SSH")["SSHPublicKey"]["SSHPublicKeyBody"] == \
        " ".join(text.split()[:2])
    # PKCS#1 ("RSA PUBLIC KEY") is read too.
    pkcs1 = run("ssh-keygen", "-e", "-m", "PEM", "-f", str(pub), cwd=pub.parent)
    assert call_error(iam.upload_ssh_public_key, UserName=other, SSHPublicKeyBody=pkcs1)[0] == \
        "DuplicateSSHPublicKey"
    # A key of another user is not found under this one.
    assert call_error(iam.get_ssh_public_key, UserName=user,
                      SSHPublicKeyId=from_pem["SSHPublicKeyId"], Encoding="SSH") == (
        "NoSuchEntity", f"The Public Key with id {from_pem['SSHPublicKeyId']} cannot be found.",
        404)

    # Refused keys.
    assert call_error(iam.upload_ssh_public_key, UserName=user,
                      SSHPublicKeyBody=pki.ssh(bits=1024).read_text()) == (
        "InvalidPublicKey", "The public key must be an RSA key of at least 2048 bits.", 400)
    assert call_error(iam.upload_ssh_public_key, UserName=user,
                      SSHPublicKeyBody="ssh-rsa AAAAB3NzaC1yc2EAAAADAQAB broken") == (
        "InvalidPublicKey", "Unable to parse the public key.", 400)
    code, _, status = call_error(iam.upload_ssh_public_key, UserName=user,
                                 SSHPublicKeyBody=pki.ssh(kind="ed25519").read_text())
    assert (code, status) == ("UnrecognizedPublicKeyEncoding", 400)
    assert call_error(iam.upload_ssh_public_key, UserName=user,
                      SSHPublicKeyBody="hello")[0] == "UnrecognizedPublicKeyEncoding"

    # At most five per user; listed as metadata, in pages.
    more = [iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=pki.ssh().read_text())[
        "SSHPublicKey"] for _ in range(4)]
    assert call_error(iam.upload_ssh_public_key, UserName=user,
                      SSHPublicKeyBody=pki.ssh().read_text()) == (
        "LimitExceeded", "Cannot exceed quota for SSHPublicKeysPerUser: 5", 409)
    every = sorted([key, *more], key=lambda k: k["SSHPublicKeyId"])
    listed = iam.list_ssh_public_keys(UserName=user)
    assert listed["SSHPublicKeys"] == [
        {k: x[k] for k in ("UserName", "SSHPublicKeyId", "Status", "UploadDate")} for x in every]
    page = iam.list_ssh_public_keys(UserName=user, MaxItems=2)
    assert (len(page["SSHPublicKeys"]), page["IsTruncated"], page["Marker"]) == (
        2, True, every[2]["SSHPublicKeyId"])

    iam.update_ssh_public_key(UserName=user, SSHPublicKeyId=key["SSHPublicKeyId"],
                              Status="Inactive")
    assert iam.get_ssh_public_key(UserName=user, SSHPublicKeyId=key["SSHPublicKeyId"],
                                  Encoding="SSH")["SSHPublicKey"]["Status"] == "Inactive"
    assert call_error(iam.delete_user, UserName=user) == (
        "DeleteConflict", "Cannot delete entity, must delete SSH public keys first.", 409)
    for k in every:
        iam.delete_ssh_public_key(UserName=user, SSHPublicKeyId=k["SSHPublicKeyId"])
    assert call_error(iam.delete_ssh_public_key, UserName=user,
                      SSHPublicKeyId=key["SSHPublicKeyId"])[0] == "NoSuchEntity"
    iam.delete_user(UserName=user)


def test_ssh_key_with_the_aws_cli(server, iam, pki, tmp_path):
    user = unique("ssh-cli")
    iam.create_user(UserName=user)
    pub = pki.ssh()
    rc, out, err = aws_json(server, ["iam", "upload-ssh-public-key", "--user-name", user,
                                     "--ssh-public-key-body", f"file://{pub}"], tmp_path)
    assert rc == 0, err
    keygen = run("ssh-keygen", "-l", "-E", "md5", "-f", str(pub), cwd=pub.parent).split()[1]
    assert out["SSHPublicKey"]["Fingerprint"] == keygen.removeprefix("MD5:")
    assert out["SSHPublicKey"]["SSHPublicKeyBody"] == pub.read_text()


# -- server certificates -----------------------------------------------------------------------

def test_server_certificates(iam, pki, tmp_path):
    name = unique("web")
    leaf, leaf_key, ca = pki.chained()
    up = iam.upload_server_certificate(
        Path="/web/", ServerCertificateName=name, CertificateBody=leaf, PrivateKey=leaf_key,
        CertificateChain=ca, Tags=[{"Key": "team", "Value": "edge"}])
    meta = up["ServerCertificateMetadata"]
    assert up["Tags"] == [{"Key": "team", "Value": "edge"}]
    assert set(meta) == {"Path", "ServerCertificateName", "ServerCertificateId", "Arn",
                         "UploadDate", "Expiration"}
    assert (meta["Path"], meta["ServerCertificateName"], meta["Arn"]) == (
        "/web/", name, f"arn:aws:iam::{DEFAULT_ACCOUNT}:server-certificate/web/{name}")
    assert re.fullmatch(r"ASCA[A-Z2-7]{17}", meta["ServerCertificateId"])
    assert meta["Expiration"] == not_after(leaf, tmp_path)
    got = iam.get_server_certificate(ServerCertificateName=name)["ServerCertificate"]
    assert got == {"ServerCertificateMetadata": meta, "CertificateBody": leaf,
                   "CertificateChain": ca, "Tags": [{"Key": "team", "Value": "edge"}]}
    assert "PRIVATE" not in repr(got) and pem_body(leaf_key)[:40] not in repr(got)

    # Errors: the name, the key pair, the chain, malformed and expired input.
    assert call_error(iam.upload_server_certificate, ServerCertificateName=name,
                      CertificateBody=leaf, PrivateKey=leaf_key) == (
        "EntityAlreadyExists", f"The Server Certificate with name {name} already exists.", 409)
    other, other_key = pki.pair()
    assert call_error(iam.upload_server_certificate, ServerCertificateName=unique("x"),
                      CertificateBody=leaf, PrivateKey=other_key) == (
        "KeyPairMismatch", "The private key did not match the public key provided.", 400)
    assert call_error(iam.upload_server_certificate, ServerCertificateName=unique("x"),
                      CertificateBody=other, PrivateKey=other_key, CertificateChain=ca) == (
        "MalformedCertificate", "Unable to validate certificate chain. The certificate chain "
        "must start with the immediate signing certificate, followed by any intermediaries in "
        "order. The index within the chain of the invalid certificate is: -1", 400)
    assert call_error(iam.upload_server_certificate, ServerCertificateName=unique("x"),
                      CertificateBody="not a certificate", PrivateKey=other_key) == MALFORMED
    code, message, status = call_error(iam.upload_server_certificate,
                                       ServerCertificateName=unique("x"), CertificateBody=other,
                                       PrivateKey="-----BEGIN PRIVATE KEY-----\nAAAA\n"
                                                  "-----END PRIVATE KEY-----\n")
    assert (code, message, status) == (
        "MalformedCertificate",
        "Unable to parse private key. Please ensure the private key is in PEM format.", 400)
    old, old_key = pki.expired()
    assert call_error(iam.upload_server_certificate, ServerCertificateName=unique("x"),
                      CertificateBody=old, PrivateKey=old_key) == EXPIRED
    # A bad private key is never echoed in a validation error.
    code, message, _ = call_error(make_client_unvalidated(iam).upload_server_certificate,
                                  ServerCertificateName=unique("x"), CertificateBody=other,
                                  PrivateKey="")
    assert code == "ValidationError" and "Value  at" not in message and "'privateKey'" in message

    # Listing with a path prefix, in pages by name.
    names = sorted([unique("list"), unique("list")])
    for n in names:
        iam.upload_server_certificate(Path="/lst/", ServerCertificateName=n,
                                      CertificateBody=other, PrivateKey=other_key)
    page = iam.list_server_certificates(PathPrefix="/lst/", MaxItems=1)
    assert ([m["ServerCertificateName"] for m in page["ServerCertificateMetadataList"]],
            page["IsTruncated"]) == (names[:1], True)
    page = iam.list_server_certificates(PathPrefix="/lst/", Marker=page["Marker"])
    assert [m["ServerCertificateName"] for m in page["ServerCertificateMetadataList"]] == names[1:]
    assert meta in iam.list_server_certificates()["ServerCertificateMetadataList"]

    # Tags.
    iam.tag_server_certificate(ServerCertificateName=name, Tags=[{"Key": "env", "Value": "prod"}])
    iam.untag_server_certificate(ServerCertificateName=name, TagKeys=["TEAM"])
    assert iam.list_server_certificate_tags(ServerCertificateName=name)["Tags"] == [
        {"Key": "env", "Value": "prod"}]

    # Rename and move: the old name is gone, the id stays.
    new = unique("renamed")
    assert call_error(iam.update_server_certificate, ServerCertificateName=name,
                      NewServerCertificateName=names[0]) == (
        "EntityAlreadyExists", f"The Server Certificate with name {names[0]} already exists.", 409)
    iam.update_server_certificate(ServerCertificateName=name, NewServerCertificateName=new,
                                  NewPath="/moved/")
    assert call_error(iam.get_server_certificate, ServerCertificateName=name) == (
        "NoSuchEntity", f"The Server Certificate with name {name} cannot be found.", 404)
    moved = iam.get_server_certificate(ServerCertificateName=new)["ServerCertificate"]
    assert moved["ServerCertificateMetadata"] == {
        **meta, "Path": "/moved/", "ServerCertificateName": new,
        "Arn": f"arn:aws:iam::{DEFAULT_ACCOUNT}:server-certificate/moved/{new}"}
    for n in (new, *names):
        iam.delete_server_certificate(ServerCertificateName=n)
    assert call_error(iam.delete_server_certificate, ServerCertificateName=new)[0] == \
        "NoSuchEntity"


def make_client_unvalidated(iam):
    """The same endpoint and admin credentials, without botocore's parameter checks."""
    return make_client("iam", iam.meta.endpoint_url, validate=False)


def test_server_certificates_quota(start_server, pki):
    iam = start_server().client("iam")
    pem, key = pki.pair()
    for i in range(20):
        iam.upload_server_certificate(ServerCertificateName=f"q{i}", CertificateBody=pem,
                                      PrivateKey=key)
    assert call_error(iam.upload_server_certificate, ServerCertificateName="q20",
                      CertificateBody=pem, PrivateKey=key) == (
        "LimitExceeded", "Cannot exceed quota for ServerCertificatesPerAccount: 20", 409)


# -- service-specific credentials --------------------------------------------------------------

def test_service_specific_credentials(iam):
    user = unique("git")
    iam.create_user(UserName=user)
    cred = iam.create_service_specific_credential(
        UserName=user, ServiceName="codecommit.amazonaws.com")["ServiceSpecificCredential"]
    assert set(cred) == {"CreateDate", "ServiceName", "ServiceUserName", "ServicePassword",
                         "ServiceSpecificCredentialId", "UserName", "Status"}
    assert (cred["ServiceName"], cred["ServiceUserName"], cred["UserName"], cred["Status"]) == (
        "codecommit.amazonaws.com", f"{user}-at-{DEFAULT_ACCOUNT}", user, "Active")
    assert re.fullmatch(r"ACCA[A-Z2-7]{17}", cred["ServiceSpecificCredentialId"])
    assert len(cred["ServicePassword"]) == 44 and len(base64.b64decode(cred["ServicePassword"])) == 32
    metadata = {k: v for k, v in cred.items() if k != "ServicePassword"}
    assert iam.list_service_specific_credentials(UserName=user)["ServiceSpecificCredentials"] == [
        metadata]

    second = iam.create_service_specific_credential(
        UserName=user, ServiceName="codecommit.amazonaws.com")["ServiceSpecificCredential"]
    assert second["ServicePassword"] != cred["ServicePassword"]
    assert call_error(iam.create_service_specific_credential, UserName=user,
                      ServiceName="codecommit.amazonaws.com") == (
        "LimitExceeded", "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: 2",
        409)
    keyspaces = iam.create_service_specific_credential(
        UserName=user, ServiceName="cassandra.amazonaws.com")["ServiceSpecificCredential"]
    assert call_error(iam.create_service_specific_credential, UserName=user,
                      ServiceName="s3.amazonaws.com") == (
        "NotSupportedService",
        "No such service s3.amazonaws.com is supported for Service-Specific Credentials", 404)
    only = iam.list_service_specific_credentials(UserName=user,
                                                 ServiceName="cassandra.amazonaws.com")
    assert [c["ServiceSpecificCredentialId"] for c in only["ServiceSpecificCredentials"]] == [
        keyspaces["ServiceSpecificCredentialId"]]
    assert len(iam.list_service_specific_credentials(UserName=user)[
        "ServiceSpecificCredentials"]) == 3

    reset = iam.reset_service_specific_credential(
        UserName=user, ServiceSpecificCredentialId=cred["ServiceSpecificCredentialId"])[
        "ServiceSpecificCredential"]
    assert {k: v for k, v in reset.items() if k != "ServicePassword"} == metadata
    assert reset["ServicePassword"] != cred["ServicePassword"] and len(reset["ServicePassword"]) == 44
    iam.update_service_specific_credential(
        UserName=user, ServiceSpecificCredentialId=cred["ServiceSpecificCredentialId"],
        Status="Inactive")
    statuses = {c["ServiceSpecificCredentialId"]: c["Status"] for c in
                iam.list_service_specific_credentials(UserName=user)["ServiceSpecificCredentials"]}
    assert statuses[cred["ServiceSpecificCredentialId"]] == "Inactive"

    assert call_error(iam.delete_user, UserName=user) == (
        "DeleteConflict", "Cannot delete entity, must delete service specific credentials first.",
        409)
    for c in (cred, second, keyspaces):
        iam.delete_service_specific_credential(
            UserName=user, ServiceSpecificCredentialId=c["ServiceSpecificCredentialId"])
    missing = cred["ServiceSpecificCredentialId"]
    assert call_error(iam.reset_service_specific_credential, UserName=user,
                      ServiceSpecificCredentialId=missing) == (
        "NoSuchEntity", f"The Service Specific Credential with id {missing} cannot be found.", 404)
    iam.delete_user(UserName=user)


# -- persistence and secrecy -------------------------------------------------------------------

def test_restart_keeps_everything_and_private_keys_stay_sealed(start_server, pki, tmp_path):
    state = tmp_path / "persist"
    s1 = start_server(state_dir=state)
    iam = s1.client("iam")
    iam.create_user(UserName="keeper")
    leaf, leaf_key, ca = pki.chained()
    server_cert = iam.upload_server_certificate(
        ServerCertificateName="site", CertificateBody=leaf, PrivateKey=leaf_key,
        CertificateChain=ca)["ServerCertificateMetadata"]
    signing_pem, _ = pki.pair()
    signing = iam.upload_signing_certificate(UserName="keeper",
                                             CertificateBody=signing_pem)["Certificate"]
    ssh = iam.upload_ssh_public_key(UserName="keeper",
                                    SSHPublicKeyBody=pki.ssh().read_text())["SSHPublicKey"]
    cred = iam.create_service_specific_credential(
        UserName="keeper", ServiceName="codecommit.amazonaws.com")["ServiceSpecificCredential"]
    assert s1.terminate() == 0

    # Neither the private key (its PEM text, its base64 body, any line of it) nor the service
    # password is in any file of the state directory, nor in the log.
    secrets = [leaf_key, pem_body(leaf_key), cred["ServicePassword"],
               *[l for l in leaf_key.splitlines() if not l.startswith("-----")]]
    files = [p for p in state.rglob("*") if p.is_file()]
    assert any(p.name == "portcullis.db" for p in files)
    for p in files:
        data = p.read_bytes()
        for s in secrets:
            assert s.encode() not in data, f"secret in plaintext in {p.name}"
    for s in secrets[:3]:
        assert s not in s1.stderr and s not in s1.stdout

    iam = start_server(state_dir=state).client("iam")
    got = iam.get_server_certificate(ServerCertificateName="site")["ServerCertificate"]
    assert (got["ServerCertificateMetadata"], got["CertificateBody"], got["CertificateChain"]) == (
        server_cert, leaf, ca)
    assert iam.list_signing_certificates(UserName="keeper")["Certificates"] == [signing]
    assert iam.get_ssh_public_key(UserName="keeper", SSHPublicKeyId=ssh["SSHPublicKeyId"],
                                  Encoding="SSH")["SSHPublicKey"] == ssh
    assert iam.list_service_specific_credentials(UserName="keeper")[
        "ServiceSpecificCredentials"] == [{k: v for k, v in cred.items() if k != "ServicePassword"}]
    # The sealed password is still the credential's: a reset replaces it.
    assert iam.reset_service_specific_credential(
        UserName="keeper", ServiceSpecificCredentialId=cred["ServiceSpecificCredentialId"])[
        "ServiceSpecificCredential"]["ServicePassword"] != cred["ServicePassword"]


# -- authorization -----------------------------------------------------------------------------

USER = iam_arn("user", "cert-target")
SERVER_CERT = iam_arn("server-certificate", "cert-target-site")
CERT_ID = "A" * 24
KEY_ID = "APKA" + "A" * 16
CRED_ID = "ACCA" + "A" * 17
U = {"UserName": "cert-target"}
S = {"ServerCertificateName": "cert-target-site"}
OPERATIONS = [
    ("upload_signing_certificate", {**U, "CertificateBody": "x"}, USER),
    ("update_signing_certificate", {**U, "CertificateId": CERT_ID, "Status": "Inactive"}, USER),
    ("delete_signing_certificate", {**U, "CertificateId": CERT_ID}, USER),
    ("list_signing_certificates", U, USER),
    ("upload_ssh_public_key", {**U, "SSHPublicKeyBody": "x"}, USER),
    ("get_ssh_public_key", {**U, "SSHPublicKeyId": KEY_ID, "Encoding": "SSH"}, USER),
    ("update_ssh_public_key", {**U, "SSHPublicKeyId": KEY_ID, "Status": "Inactive"}, USER),
    ("delete_ssh_public_key", {**U, "SSHPublicKeyId": KEY_ID}, USER),
    ("list_ssh_public_keys", U, USER),
    ("upload_server_certificate", {**S, "CertificateBody": "x", "PrivateKey": "x"}, SERVER_CERT),
    ("get_server_certificate", S, SERVER_CERT),
    ("update_server_certificate", {**S, "NewPath": "/p/"}, SERVER_CERT),
    ("delete_server_certificate", S, SERVER_CERT),
    ("list_server_certificates", {}, "*"),
    ("tag_server_certificate", {**S, "Tags": [{"Key": "k", "Value": "v"}]}, SERVER_CERT),
    ("untag_server_certificate", {**S, "TagKeys": ["k"]}, SERVER_CERT),
    ("list_server_certificate_tags", S, SERVER_CERT),
    ("create_service_specific_credential", {**U, "ServiceName": "codecommit.amazonaws.com"},
     USER),
    ("reset_service_specific_credential", {**U, "ServiceSpecificCredentialId": CRED_ID}, USER),
    ("list_service_specific_credentials", U, USER),
    ("update_service_specific_credential",
     {**U, "ServiceSpecificCredentialId": CRED_ID, "Status": "Inactive"}, USER),
    ("delete_service_specific_credential", {**U, "ServiceSpecificCredentialId": CRED_ID}, USER),
]


@pytest.fixture(scope="module")
def nobody(server, iam, pki):
    """A user without any policy, and the targets it is refused: a user with one of each
    credential, and a server certificate."""
    iam.create_user(UserName="cert-target")
    pem, key = pki.pair()
    iam.upload_server_certificate(ServerCertificateName="cert-target-site", CertificateBody=pem,
                                  PrivateKey=key)
    _, k = create_user_with_key(iam, "cert-nobody")
    return make_client("iam", server.endpoint, k["AccessKeyId"], k["SecretAccessKey"])


def _action(op: str) -> str:
    return "iam:" + "".join("SSH" if w == "ssh" else w.capitalize() for w in op.split("_"))


@pytest.mark.parametrize("op,params,resource", OPERATIONS, ids=[o[0] for o in OPERATIONS])
def test_every_operation_is_denied_without_permission(nobody, op, params, resource):
    action = _action(op)
    assert call_error(getattr(nobody, op), **params) == (
        "AccessDenied", access_denied("cert-nobody", action, resource), 403)


def test_denied_calls_change_nothing(iam, nobody):
    for op, params, _ in OPERATIONS:
        assert call_error(getattr(nobody, op), **params)[0] == "AccessDenied"
    got = iam.get_server_certificate(ServerCertificateName="cert-target-site")["ServerCertificate"]
    assert got["ServerCertificateMetadata"]["Path"] == "/" and "Tags" not in got
    assert iam.list_signing_certificates(UserName="cert-target")["Certificates"] == []
    assert iam.list_ssh_public_keys(UserName="cert-target")["SSHPublicKeys"] == []
    assert iam.list_service_specific_credentials(UserName="cert-target")[
        "ServiceSpecificCredentials"] == []
