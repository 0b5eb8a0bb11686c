"""OpenID Connect identity providers for the AssumeRoleWithWebIdentity tests.

A local HTTPS provider (a ThreadingHTTPServer behind a self-signed certificate made by the
openssl CLI, subjectAltName IP:127.0.0.1) serves the discovery document
{issuer}/.well-known/openid-configuration and a JWKS that a test can change while it runs; it
records every path it was asked for. Tokens are compact JWTs signed with python3-cryptography:
RS256 (PKCS#1 v1.5), PS256 (PSS, MGF1-SHA256, salt length 32) and ES256 (P-256, raw r || s).
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import itertools
import json
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path
from typing import Iterable, Mapping

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from portcullis_helpers import DEFAULT_ACCOUNT

OPENSSL = "openssl"
# TLS keys are P-256: generated in milliseconds, where RSA-2048 takes a noticeable while.
NEWKEY = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1")
_names = itertools.count()


# -- encoding -----------------------------------------------------------------------------------

def b64u(data: bytes | str) -> str:
    """base64url without padding (RFC 7515)."""
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64u_int(i: int, size: int | None = None) -> str:
    return b64u(i.to_bytes(size or max(1, (i.bit_length() + 7) // 8), "big"))


def b64u_json(obj) -> str:
    return b64u(json.dumps(obj, separators=(",", ":")).encode())


# -- TLS certificates (openssl CLI) ---------------------------------------------------------------

def _openssl(*args: str, cwd: Path) -> None:
    p = subprocess.run([OPENSSL, *args], cwd=cwd, capture_output=True, text=True, timeout=30,
                       stdin=subprocess.DEVNULL)
    assert p.returncode == 0, f"openssl {' '.join(args)}: {p.stderr}"


def self_signed_cert(directory: Path, name: str, cn: str = "127.0.0.1",
                     san: str = "IP:127.0.0.1", ca: bool = False) -> tuple[Path, Path]:
    """A self-signed certificate and its key (PEM files `name`.crt and `name`.key)."""
    directory.mkdir(parents=True, exist_ok=True)
    cert, key = directory / f"{name}.crt", directory / f"{name}.key"
    ext = ["-addext", f"subjectAltName={san}"] if san else []
    if ca:
        ext += ["-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign"]
    _openssl("req", "-x509", *NEWKEY, "-nodes", "-sha256", "-days", "2",
             "-subj", f"/CN={cn}", "-keyout", str(key), "-out", str(cert), *ext, cwd=directory)
    return cert, key


def ca_signed_cert(directory: Path, name: str, ca_cert: Path, ca_key: Path,
                   san: str = "IP:127.0.0.1") -> tuple[Path, Path]:
    """A leaf certificate (CN 127.0.0.1, the given subjectAltName) issued by the CA."""
    directory.mkdir(parents=True, exist_ok=True)
    cert, key, csr = directory / f"{name}.crt", directory / f"{name}.key", directory / f"{name}.csr"
    ext = directory / f"{name}.ext"
    ext.write_text(f"subjectAltName={san}\nbasicConstraints=CA:FALSE\n")
    _openssl("req", "-new", *NEWKEY, "-nodes", "-subj", "/CN=127.0.0.1",
             "-keyout", str(key), "-out", str(csr), cwd=directory)
    _openssl("x509", "-req", "-in", str(csr), "-CA", str(ca_cert), "-CAkey", str(ca_key),
             "-CAcreateserial", "-days", "2", "-sha256", "-extfile", str(ext), "-out", str(cert),
             cwd=directory)
    return cert, key


def thumbprint(cert: Path) -> str:
    """The SHA-1 thumbprint (40 hex digits, lower case) of a PEM certificate, as IAM wants it."""
    der = ssl.PEM_cert_to_DER_cert(Path(cert).read_text())
    return hashlib.sha1(der).hexdigest()


# -- signing keys and JWTs ----------------------------------------------------------------------

class SigningKey:
    """A private key for JWTs and its public JWK. kind: "RSA" (RS256/PS256) or "EC" (ES256)."""

    def __init__(self, kid: str | None, kind: str = "RSA"):
        self.kid = kid
        self.kind = kind
        if kind == "RSA":
            self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        elif kind == "EC":
            self.private = ec.generate_private_key(ec.SECP256R1())
        else:
            raise ValueError(kind)
        self.public = self.private.public_key()

    def jwk(self, **extra) -> dict:
        if self.kind == "RSA":
            n = self.public.public_numbers()
            k = {"kty": "RSA", "use": "sig", "n": b64u_int(n.n), "e": b64u_int(n.e)}
        else:
            n = self.public.public_numbers()
            k = {"kty": "EC", "use": "sig", "crv": "P-256", "x": b64u_int(n.x, 32),
                 "y": b64u_int(n.y, 32)}
        if self.kid is not None:
            k["kid"] = self.kid
        k.update(extra)
        return k

    def public_pem(self) -> bytes:
        return self.public.public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)

    def sign(self, alg: str, data: bytes) -> bytes:
        if alg == "RS256":
            return self.private.sign(data, padding.PKCS1v15(), hashes.SHA256())
        if alg == "PS256":
            return self.private.sign(data, padding.PSS(mgf=padding.MGF1(hashes.SHA256()),
                                                       salt_length=32), hashes.SHA256())
        if alg == "ES256":
            r, s = decode_dss_signature(self.private.sign(data, ec.ECDSA(hashes.SHA256())))
            return r.to_bytes(32, "big") + s.to_bytes(32, "big")
        raise ValueError(alg)


def default_alg(key: SigningKey) -> str:
    return "ES256" if key.kind == "EC" else "RS256"


def jwt(claims: Mapping, key: SigningKey, alg: str | None = None,
        header: Mapping | None = None, kid: str | None | bool = True) -> str:
    """A compact JWT of `claims` signed by `key`. kid=True names the key's kid, None/False none,
    a string that kid; `header` adds to (or overrides) the protected header."""
    alg = alg or default_alg(key)
    h = {"alg": alg, "typ": "JWT"}
    if kid is True and key.kid is not None:
        h["kid"] = key.kid
    elif isinstance(kid, str):
        h["kid"] = kid
    h.update(header or {})
    signing_input = f"{b64u_json(h)}.{b64u_json(dict(claims))}"
    return f"{signing_input}.{b64u(key.sign(alg, signing_input.encode()))}"


def unsigned_jwt(claims: Mapping, header: Mapping | None = None, signature: bytes = b"") -> str:
    """header.payload.signature with any header (alg "none" by default) and given signature."""
    h = dict(header or {"alg": "none", "typ": "JWT"})
    return f"{b64u_json(h)}.{b64u_json(dict(claims))}.{b64u(signature)}"


def hs256_jwt(claims: Mapping, secret: bytes, kid: str | None = None) -> str:
    """An HS256 JWT with `secret` as the HMAC key (the RSA public key PEM in the confusion
    attack)."""
    import hmac
    h = {"alg": "HS256", "typ": "JWT"}
    if kid:
        h["kid"] = kid
    signing_input = f"{b64u_json(h)}.{b64u_json(dict(claims))}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64u(mac)}"


# -- the HTTPS provider ---------------------------------------------------------------------------

class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 5

    def do_GET(self):  # noqa: N802 (http.server's naming)
        idp: OidcProvider = self.server.idp
        path = self.path.split("?", 1)[0]
        idp._record(path)
        if path in idp.broken:
            body = b'{"error":"unavailable"}'
            self.send_response(idp.broken[path])
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True
            return
        if path == idp.discovery_path:
            body = json.dumps(idp.discovery()).encode()
        elif path == idp.jwks_path:
            body = json.dumps(idp.jwks_document()).encode()
        else:
            body = b'{"error":"not found"}'
            self.send_response(404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def log_message(self, *args):
        pass


class _TlsServer(http.server.ThreadingHTTPServer):
    """Accepts plain TCP in the serving thread; the TLS handshake happens in the connection's
    own thread (with a timeout), so a client that never finishes one holds up nobody."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, context: ssl.SSLContext, idp: "OidcProvider"):
        self.context = context
        self.idp = idp
        super().__init__(addr, _Handler)

    def finish_request(self, request, client_address):
        request.settimeout(5)
        try:
            tls = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        try:
            super().finish_request(tls, client_address)
        finally:
            try:
                tls.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        pass  # a client hanging up mid-request is not the test's business


class OidcProvider:
    """A local OpenID Connect provider over HTTPS on a free port.

    issuer: https://127.0.0.1:<port>; url: 127.0.0.1:<port> (the form IAM uses); keys: the JWKS
    served (a list the test may change; `jwks_override` replaces the whole document, and
    `discovery_override` the discovery document); broken:
    paths answered with an error status instead; requests: every path asked for, in order.
    """

    discovery_path = "/.well-known/openid-configuration"
    jwks_path = "/jwks"

    def __init__(self, directory: Path, keys: Iterable[SigningKey] = (),
                 cert: tuple[Path, Path] | None = None, chain: Iterable[Path] = ()):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.cert, self.key = cert or self_signed_cert(self.dir, "tls")
        self.keys: list[SigningKey] = list(keys)
        self.jwks_override: dict | None = None
        self.discovery_override: dict | None = None
        self.broken: dict[str, int] = {}  # path -> the HTTP status answered instead
        self._lock = threading.Lock()
        self._requests: list[str] = []
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        chain = list(chain)
        if chain:  # served after the leaf, exactly as given
            bundle = self.dir / f"bundle{next(_names)}.pem"
            bundle.write_text("".join(Path(p).read_text() for p in [self.cert, *chain]))
            context.load_cert_chain(str(bundle), str(self.key))
        else:
            context.load_cert_chain(str(self.cert), str(self.key))
        self.httpd = _TlsServer(("127.0.0.1", 0), context, self)
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        self._wait_listening(5.0)

    def _wait_listening(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    # -- what it serves -------------------------------------------------------------------------
    @property
    def issuer(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def thumbprint(self) -> str:
        return thumbprint(self.cert)

    def arn(self, account: str = DEFAULT_ACCOUNT) -> str:
        return f"arn:aws:iam::{account}:oidc-provider/{self.url}"

    def discovery(self) -> dict:
        if self.discovery_override is not None:
            return self.discovery_override
        return {"issuer": self.issuer, "jwks_uri": self.issuer + self.jwks_path,
                "id_token_signing_alg_values_supported": ["RS256", "PS256", "ES256"],
                "response_types_supported": ["id_token"],
                "subject_types_supported": ["public"]}

    def jwks_document(self) -> dict:
        with self._lock:
            if self.jwks_override is not None:
                return self.jwks_override
            return {"keys": [k.jwk() for k in self.keys]}

    def add_key(self, key: SigningKey) -> None:
        with self._lock:
            self.keys.append(key)

    # -- what it was asked ----------------------------------------------------------------------
    def _record(self, path: str) -> None:
        with self._lock:
            self._requests.append(path)

    @property
    def requests(self) -> list[str]:
        with self._lock:
            return list(self._requests)

    def count(self, path: str) -> int:
        return self.requests.count(path)

    @property
    def jwks_fetches(self) -> int:
        return self.count(self.jwks_path)

    # -- tokens ---------------------------------------------------------------------------------
    def claims(self, aud="app1", sub="alice", lifetime: int = 300, now: float | None = None,
               **extra) -> dict:
        """iss, aud, sub, iat and exp (now + lifetime), plus `extra` (None removes a claim)."""
        t = int(now if now is not None else time.time())
        c = {"iss": self.issuer, "aud": aud, "sub": sub, "iat": t, "exp": t + lifetime}
        for k, v in extra.items():
            if v is None:
                c.pop(k, None)
            else:
                c[k] = v
        return c

    def token(self, key: SigningKey | None = None, alg: str | None = None, **claims) -> str:
        """A token of this issuer signed by `key` (the first key served by default)."""
        return jwt(self.claims(**claims), key or self.keys[0], alg)

    # -- lifecycle ------------------------------------------------------------------------------
    def stop(self, timeout: float = 5.0) -> None:
        stopper = threading.Thread(target=self.httpd.shutdown, daemon=True)
        stopper.start()
        stopper.join(timeout)
        self.httpd.server_close()
        self._thread.join(timeout)


@pytest.fixture
def oidc_provider(tmp_path):
    """Factory: oidc_provider(keys=(), cert=None, chain=()) -> OidcProvider, started now and
    stopped (bounded waits) at the end of the test."""
    started: list[OidcProvider] = []

    def start(keys: Iterable[SigningKey] = (), cert=None, chain=()) -> OidcProvider:
        p = OidcProvider(tmp_path / f"idp{len(started)}", keys, cert, chain)
        started.append(p)
        return p

    yield start
    for p in started:
        p.stop()


def register(iam, idp: OidcProvider, client_ids=("app1",), thumbprints: Iterable[str] | None = None,
             url: str | None = None) -> str:
    """CreateOpenIDConnectProvider for `idp` (its own certificate's thumbprint by default)."""
    prints = list(thumbprints) if thumbprints is not None else [idp.thumbprint]
    return iam.create_open_id_connect_provider(Url=url or idp.issuer, ClientIDList=list(client_ids),
                                               ThumbprintList=prints)["OpenIDConnectProviderArn"]


def web_identity_trust(provider_arn: str, conditions: Mapping | None = None,
                       action: str = "sts:AssumeRoleWithWebIdentity") -> str:
    """A trust policy letting the OIDC provider's users assume the role (with conditions)."""
    s = {"Effect": "Allow", "Principal": {"Federated": provider_arn}, "Action": action}
    if conditions:
        s["Condition"] = dict(conditions)
    return json.dumps({"Version": "2012-10-17", "Statement": [s]})
