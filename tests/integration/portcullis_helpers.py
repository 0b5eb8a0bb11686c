"""Helpers shared by the Portcullis integration tests.

Everything here talks to a real `portcullis` binary: starting and stopping it, raw HTTP over
sockets, SigV4 signing with botocore, boto3 clients and the aws CLI.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import itertools
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping
from unittest import mock

import boto3
import botocore.auth
import botocore.config
from botocore.awsrequest import AWSRequest
from botocore.exceptions import ClientError
from botocore.credentials import Credentials

REPO = Path(__file__).resolve().parents[2]
BINARY = os.environ.get("PORTCULLIS_BIN", str(REPO / "build" / "portcullis"))
AWS_CLI = "/usr/bin/aws"

ADMIN_KEY = "AKIAPORTCULLISTEST01"
ADMIN_SECRET = "portcullis/Test+Secret/0123456789abcdef"
DEFAULT_ACCOUNT = "000000000000"
ADMIN_ARN = f"arn:aws:iam::{DEFAULT_ACCOUNT}:user/admin"
STS_XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/"
STS_FORM = "Action=GetCallerIdentity&Version=2011-06-15"
FORM_TYPE = "application/x-www-form-urlencoded; charset=utf-8"

START_TIMEOUT = 10.0
STOP_TIMEOUT = 15.0

LISTENING = re.compile(r"listening on 127\.0\.0\.1:(\d+)\b")


def base_env(home: Path | str, admin: bool = True, extra: Mapping[str, str] | None = None) -> dict:
    """A clean environment: no PORTCULLIS_*/AWS_* settings or proxies leak in from the caller."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PORTCULLIS_", "AWS_")) and k.lower() not in ("http_proxy", "https_proxy", "all_proxy")
    }
    env["HOME"] = str(home)
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    if admin:
        env["PORTCULLIS_ADMIN_ACCESS_KEY_ID"] = ADMIN_KEY
        env["PORTCULLIS_ADMIN_SECRET_ACCESS_KEY"] = ADMIN_SECRET
    if extra:
        env.update(extra)
    return env


class ServerStartError(RuntimeError):
    pass


class PortcullisServer:
    """A running `portcullis serve`, its port and everything it wrote to stdout and stderr."""

    def __init__(self, state_dir: Path, args: Iterable[str] = (), env: Mapping[str, str] | None = None,
                 home: Path | None = None, admin_env: bool = True, workers: int = 2):
        self.state_dir = Path(state_dir)
        home = home or self.state_dir.parent
        self.env = base_env(home, admin=admin_env, extra=env)
        self.argv = [BINARY, "serve", "--listen", "127.0.0.1:0", "--state-dir", str(self.state_dir),
                     "--workers", str(workers), *args]
        self.port: int | None = None
        self.returncode: int | None = None
        self._stderr: list[str] = []
        self._stdout: list[str] = []
        self._cond = threading.Condition()
        self._eof = {"stderr": False, "stdout": False}
        self.proc = subprocess.Popen(self.argv, env=self.env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, bufsize=1)
        self._threads = [
            threading.Thread(target=self._pump, args=(self.proc.stderr, self._stderr, "stderr"), daemon=True),
            threading.Thread(target=self._pump, args=(self.proc.stdout, self._stdout, "stdout"), daemon=True),
        ]
        for t in self._threads:
            t.start()
        try:
            line = self.wait_for_stderr(lambda l: LISTENING.search(l) is not None, START_TIMEOUT,
                                        stop_on_exit=True)
        except Exception:
            self.kill()
            raise
        if line is None:
            self.kill()
            if self.proc.returncode is not None:
                raise ServerStartError(f"server exited with status {self.proc.returncode} before "
                                       f"listening; stderr={self.stderr!r}")
            raise ServerStartError(f"server did not report its port within {START_TIMEOUT}s; "
                                   f"stderr={self.stderr!r}")
        rec = json.loads(line)
        self.port = int(LISTENING.search(rec["msg"]).group(1))

    # -- output ---------------------------------------------------------------------------------
    def _pump(self, stream, sink: list, name: str) -> None:
        for line in stream:
            with self._cond:
                sink.append(line.rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self._eof[name] = True
            self._cond.notify_all()

    @property
    def stderr(self) -> str:
        with self._cond:
            return "\n".join(self._stderr)

    @property
    def stdout(self) -> str:
        with self._cond:
            return "\n".join(self._stdout)

    def stderr_lines(self) -> list[str]:
        with self._cond:
            return list(self._stderr)

    def log_records(self) -> list[dict]:
        out = []
        for line in self.stderr_lines():
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
        return out

    def access_records(self) -> list[dict]:
        return [r for r in self.log_records() if r.get("type") == "access"]

    def wait_for_stderr(self, pred: Callable[[str], bool], timeout: float, start: int = 0,
                        stop_on_exit: bool = False) -> str | None:
        """The first stderr line (from index `start`) matching pred, waiting up to `timeout` s."""
        deadline = time.monotonic() + timeout
        i = start
        with self._cond:
            while True:
                while i < len(self._stderr):
                    if pred(self._stderr[i]):
                        return self._stderr[i]
                    i += 1
                if stop_on_exit and self._eof["stderr"]:
                    return None
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(min(left, 0.1))

    def wait_for_access(self, pred: Callable[[dict], bool], timeout: float = 5.0) -> dict | None:
        def match(line: str) -> bool:
            try:
                r = json.loads(line)
            except ValueError:
                return False
            return r.get("type") == "access" and pred(r)

        line = self.wait_for_stderr(match, timeout)
        return json.loads(line) if line else None

    # -- lifecycle ------------------------------------------------------------------------------
    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def terminate(self, timeout: float = STOP_TIMEOUT) -> int:
        """SIGTERM, then wait up to `timeout` s (SIGKILL past it). Returns the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self._join()
        self.returncode = self.proc.returncode
        return self.returncode

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        self._join()

    def _join(self) -> None:
        for t in self._threads:
            t.join(timeout=5)

    # -- clients --------------------------------------------------------------------------------
    def client(self, service: str, key: str = ADMIN_KEY, secret: str = ADMIN_SECRET,
               region: str = "us-east-1", session_token: str | None = None,
               validate: bool = True):
        return make_client(service, self.endpoint, key, secret, region, session_token, validate)


def wait_until(fn: Callable[[], object], timeout: float, interval: float = 0.02):
    """Polls fn until it returns something truthy (returned) or `timeout` s pass (returns None)."""
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)


def free_port() -> int:
    """A port nothing listens on (bound then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_serve(state_dir: Path, args: Iterable[str] = (), env: Mapping[str, str] | None = None,
              admin_env: bool = True, timeout: float = 10.0) -> subprocess.CompletedProcess:
    """Runs `portcullis serve` expecting it to exit by itself (configuration errors)."""
    argv = [BINARY, "serve", "--listen", "127.0.0.1:0", "--state-dir", str(state_dir),
            "--workers", "1", *args]
    proc = subprocess.Popen(argv, env=base_env(Path(state_dir).parent, admin=admin_env, extra=env),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGTERM)
        try:
            out, err = proc.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate(timeout=5)
        raise AssertionError(f"portcullis serve {list(args)} kept running; stderr={err!r}")
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


# -- boto3 / aws CLI ----------------------------------------------------------------------------

NO_RETRY = botocore.config.Config(retries={"total_max_attempts": 1, "mode": "standard"},
                                  connect_timeout=5, read_timeout=10)
# The same without botocore's client-side checks (min lengths, required members), to send
# values only the server should refuse.
NO_RETRY_UNVALIDATED = NO_RETRY.merge(botocore.config.Config(parameter_validation=False))


def make_client(service: str, endpoint: str, key: str = ADMIN_KEY, secret: str = ADMIN_SECRET,
                region: str = "us-east-1", session_token: str | None = None,
                validate: bool = True):
    session = boto3.session.Session(aws_access_key_id=key, aws_secret_access_key=secret,
                                    aws_session_token=session_token, region_name=region)
    return session.client(service, endpoint_url=endpoint,
                          config=NO_RETRY if validate else NO_RETRY_UNVALIDATED)


def run_aws(args: Iterable[str], home: Path, env: Mapping[str, str] | None = None,
            timeout: float = 30.0) -> subprocess.CompletedProcess:
    """Runs the real aws CLI v2 with a private HOME and config files."""
    home = Path(home)
    home.mkdir(parents=True, exist_ok=True)
    e = base_env(home, admin=False)
    e.update({
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(home / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_PAGER": "",
        "AWS_CLI_AUTO_PROMPT": "off",
        "AWS_MAX_ATTEMPTS": "1",
    })
    if env:
        e.update(env)
    return subprocess.run([AWS_CLI, *args], env=e, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def run_curl(args: Iterable[str], home: Path, env: Mapping[str, str] | None = None,
             timeout: float = 15.0) -> subprocess.CompletedProcess:
    """Runs `portcullis curl` with a private HOME; output decoded as is (CRLF kept)."""
    e = base_env(home, admin=False, extra=env)
    p = subprocess.run([BINARY, "curl", *args], env=e, capture_output=True, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    return subprocess.CompletedProcess(p.args, p.returncode, p.stdout.decode("utf-8", "replace"),
                                       p.stderr.decode("utf-8", "replace"))


# -- SigV4 --------------------------------------------------------------------------------------

def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def sign(method: str, url: str, body: bytes | str = b"", headers: Mapping[str, str] | None = None,
         *, key: str = ADMIN_KEY, secret: str = ADMIN_SECRET, region: str = "us-east-1",
         service: str = "sts", when: datetime.datetime | None = None) -> dict[str, str]:
    """Signs a request with botocore's SigV4Auth; `when` (naive UTC) fakes the signing clock.

    Returns the headers to send (the given ones plus X-Amz-Date and Authorization). Host is
    signed from the URL and included, so raw senders must send exactly this Host.
    """
    if isinstance(body, str):
        body = body.encode()
    req = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    auth = botocore.auth.SigV4Auth(Credentials(key, secret), service, region)
    if when is None:
        auth.add_auth(req)
    else:
        with mock.patch("botocore.auth.datetime") as fake:
            fake.datetime.utcnow.return_value = when
            fake.datetime.now.return_value = when
            auth.add_auth(req)
    out = {k: v for k, v in req.headers.items()}
    netloc = url.split("://", 1)[1].split("/", 1)[0]
    out.setdefault("Host", netloc)
    return out


def presign_url(url: str, *, expires: int = 60, key: str = ADMIN_KEY, secret: str = ADMIN_SECRET,
                region: str = "us-east-1", service: str = "sts",
                when: datetime.datetime | None = None) -> str:
    """A presigned (query-string) URL made by botocore's SigV4QueryAuth."""
    req = AWSRequest(method="GET", url=url)
    auth = botocore.auth.SigV4QueryAuth(Credentials(key, secret), service, region, expires=expires)
    if when is None:
        auth.add_auth(req)
    else:
        with mock.patch("botocore.auth.datetime") as fake:
            fake.datetime.utcnow.return_value = when
            fake.datetime.now.return_value = when
            auth.add_auth(req)
    return req.url


def manual_sign(method: str, path: str, headers: Mapping[str, str], body: bytes = b"", *,
                service: str, region: str = "us-east-1", key: str = ADMIN_KEY,
                secret: str = ADMIN_SECRET, when: datetime.datetime | None = None,
                date_header: bool = False, payload_hash: str | None = None,
                canonical_path: str | None = None) -> dict[str, str]:
    """An independent SigV4 signer (header form) for the variants botocore does not produce:
    the HTTP `Date` header instead of X-Amz-Date, UNSIGNED-PAYLOAD, a given canonical path.
    Signs every header given; returns them plus the date and Authorization."""
    when = when or utcnow()
    amz_date = when.strftime("%Y%m%dT%H%M%SZ")
    day = amz_date[:8]
    h = dict(headers)
    if date_header:
        h["Date"] = when.strftime("%a, %d %b %Y %H:%M:%S GMT")
    else:
        h["X-Amz-Date"] = amz_date
    names = sorted({k.lower() for k in h})
    canonical_headers = "".join(
        n + ":" + ",".join(" ".join(str(v).split()) for k, v in h.items() if k.lower() == n) + "\n"
        for n in names)
    signed = ";".join(names)
    raw_path, _, query = path.partition("?")
    pairs = sorted((urllib.parse.quote(k, safe="-_.~"), urllib.parse.quote(v, safe="-_.~"))
                   for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True))
    creq = "\n".join([method, canonical_path or urllib.parse.quote(raw_path, safe="/-_.~"),
                      "&".join(f"{k}={v}" for k, v in pairs), canonical_headers, signed,
                      payload_hash or hashlib.sha256(body).hexdigest()])
    scope = f"{day}/{region}/{service}/aws4_request"
    sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(creq.encode()).hexdigest()])
    k = ("AWS4" + secret).encode()
    for part in (day, region, service, "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    sig = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    h["Authorization"] = f"AWS4-HMAC-SHA256 Credential={key}/{scope}, SignedHeaders={signed}, Signature={sig}"
    return h


def http_get(path: str, host: str = "x", extra: str = "", version: str = "HTTP/1.1") -> bytes:
    """Raw bytes of a GET (extra: more header lines, each ending in CRLF)."""
    host_line = f"Host: {host}\r\n" if host else ""
    return f"GET {path} {version}\r\n{host_line}{extra}\r\n".encode()


def raw_request(method: str, target: str, headers: Mapping[str, str], body: bytes = b"") -> bytes:
    """Raw HTTP/1.1 request bytes with the given headers (Content-Length added for a body)."""
    h = dict(headers)
    if body or method in ("POST", "PUT"):
        h["Content-Length"] = str(len(body))
    return (f"{method} {target} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items())
            + "\r\n").encode() + body


def signed_sts_request(port: int, *, body: str = STS_FORM, chunked: bool = False,
                       extra_headers: Mapping[str, str] | None = None, **sign_kw) -> bytes:
    """Raw bytes of a signed POST / to STS (Content-Length or chunked framing)."""
    headers = {"Content-Type": FORM_TYPE, **(extra_headers or {})}
    h = sign("POST", f"http://127.0.0.1:{port}/", body, headers, **sign_kw)
    data = body.encode()
    if chunked:
        h["Transfer-Encoding"] = "chunked"
        half = len(data) // 2
        payload = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in (data[:half], data[half:]) if p)
        payload += b"0\r\n\r\n"
    else:
        h["Content-Length"] = str(len(data))
        payload = data
    head = "POST / HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items()) + "\r\n"
    return head.encode() + payload


# -- raw HTTP -----------------------------------------------------------------------------------

@dataclass
class RawResponse:
    status: int
    reason: str
    headers: dict[str, str]
    body: bytes
    header_list: list[tuple[str, str]] = field(default_factory=list)
    raw_size: int = 0  # bytes on the wire: head, blank line and body

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)

    def xml(self) -> ET.Element:
        return ET.fromstring(self.body)


class RawConnection:
    """A plain TCP connection with response parsing; every read has a deadline."""

    def __init__(self, port: int, timeout: float = 5.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.timeout = timeout
        self.buf = b""
        self.eof = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def send(self, data: bytes | str) -> None:
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def _fill(self, deadline: float) -> bool:
        """Reads more bytes; False on EOF/reset. Raises TimeoutError past the deadline."""
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("timed out waiting for the server")
        self.sock.settimeout(left)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout as e:
            raise TimeoutError("timed out waiting for the server") from e
        except (ConnectionResetError, BrokenPipeError):
            chunk = b""
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        return True

    def read_response(self, timeout: float | None = None, head_only: bool = False) -> RawResponse:
        deadline = time.monotonic() + (timeout or self.timeout)
        while b"\r\n\r\n" not in self.buf:
            if not self._fill(deadline):
                raise ConnectionError(f"connection closed before a response; got {self.buf!r}")
        head, _, rest = self.buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        version, status, reason = (lines[0].split(" ", 2) + [""])[:3]
        assert version == "HTTP/1.1", lines[0]
        header_list = []
        for line in lines[1:]:
            name, _, value = line.partition(":")
            header_list.append((name, value.strip()))
        headers = {n.lower(): v for n, v in header_list}
        length = 0 if head_only else int(headers.get("content-length", "0"))
        while len(rest) < length:
            if not self._fill(deadline):
                raise ConnectionError("connection closed inside a response body")
            rest = self.buf.partition(b"\r\n\r\n")[2]
        self.buf = rest[length:]
        return RawResponse(int(status), reason, headers, rest[:length], header_list,
                           len(head) + 4 + length)

    def closed_by_peer(self, timeout: float) -> bool:
        """True if the server closes the connection within `timeout` s (extra bytes are kept)."""
        deadline = time.monotonic() + timeout
        try:
            while self._fill(deadline):
                pass
        except TimeoutError:
            return False
        return True


class CaptureServer:
    """A one-request HTTP server on a free local port that records the raw request it gets
    and answers 200 "ok" (to see exactly what a client sends)."""

    def __init__(self, timeout: float = 10.0):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.sock.settimeout(timeout)
        self.port = self.sock.getsockname()[1]
        self.request: bytes | None = None
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(5)
            data = b""
            try:
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                m = re.search(rb"(?im)^content-length:\s*(\d+)", data.partition(b"\r\n\r\n")[0])
                want = int(m.group(1)) if m else 0
                while len(data.partition(b"\r\n\r\n")[2]) < want:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
            except OSError:
                pass
            self.request = data

    def headers(self) -> list[tuple[str, str]]:
        assert self.request is not None, "no request received"
        head = self.request.partition(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")[1:]
        return [(n.strip(), v.strip()) for n, _, v in (l.partition(":") for l in head)]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._thread.join(timeout=10)
        self.sock.close()


def exchange(port: int, data: bytes | str, timeout: float = 5.0) -> RawResponse:
    """Sends one raw request on a fresh connection and reads one response."""
    with RawConnection(port, timeout) as c:
        c.send(data)
        return c.read_response()


def query_error(resp_body: bytes | str) -> tuple[str, str, str]:
    """(Type, Code, Message) of an AWS query-protocol ErrorResponse."""
    root = ET.fromstring(resp_body)
    ns = {"n": root.tag[1:].split("}")[0]} if root.tag.startswith("{") else {}
    p = "n:" if ns else ""
    err = root.find(f"{p}Error", ns)
    assert err is not None, resp_body

    def text(name):
        e = err.find(f"{p}{name}", ns)
        return e.text or "" if e is not None else None

    return text("Type"), text("Code"), text("Message")


# -- IAM ----------------------------------------------------------------------------------------

def client_error(exc_info) -> tuple[str, str, int]:
    """(Code, Message, HTTP status) of a botocore ClientError caught by pytest.raises."""
    e = exc_info.value.response
    return e["Error"]["Code"], e["Error"].get("Message", ""), e["ResponseMetadata"]["HTTPStatusCode"]


def call_error(fn: Callable, *args, **kwargs) -> tuple[str, str, int]:
    """Calls a boto3 operation that must fail; returns (Code, Message, HTTP status)."""
    try:
        r = fn(*args, **kwargs)
    except ClientError as e:
        return (e.response["Error"]["Code"], e.response["Error"].get("Message", ""),
                e.response["ResponseMetadata"]["HTTPStatusCode"])
    raise AssertionError(f"{getattr(fn, '__name__', fn)} succeeded: {r!r}")


def statement(effect: str, action, resource="*", condition: Mapping | None = None, **extra) -> dict:
    s = {"Effect": effect, "Action": action, "Resource": resource, **extra}
    if condition:
        s["Condition"] = dict(condition)
    return s


def policy(*statements: dict, version: str = "2012-10-17") -> str:
    """A policy document (JSON text) with the given statements."""
    return json.dumps({"Version": version, "Statement": list(statements)})


def allow(action, resource="*", condition: Mapping | None = None) -> str:
    return policy(statement("Allow", action, resource, condition))


def trust_policy(principal: Mapping | None = None) -> str:
    """A role trust policy letting `principal` (default: the account) assume the role."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": dict(principal or {"AWS": f"arn:aws:iam::{DEFAULT_ACCOUNT}:root"})}]})


def iam_arn(kind: str, name: str, path: str = "/") -> str:
    """arn:aws:iam::<default account>:<kind><path><name>."""
    return f"arn:aws:iam::{DEFAULT_ACCOUNT}:{kind}{path}{name}"


def access_denied(user: str, action: str, resource: str, why: str = "identity") -> str:
    """AWS's AccessDenied message for an IAM user of the default account.

    why: "identity" (no identity-based policy allows), "boundary" (no permissions boundary
    allows), "deny" (explicit deny in an identity-based policy), "boundary-deny".
    """
    head = (f"User: {iam_arn('user', user)} is not authorized to perform: {action} "
            f"on resource: {resource}")
    return head + {
        "identity": f" because no identity-based policy allows the {action} action",
        "boundary": f" because no permissions boundary allows the {action} action",
        "deny": " with an explicit deny in an identity-based policy",
        "boundary-deny": " with an explicit deny in a permissions boundary",
    }[why]


def create_user_with_key(iam, name: str, *inline: str, path: str = "/", tags=None):
    """Creates a user (with the given inline policies, named p0, p1, …) and an access key.

    Returns (user, access key) as CreateUser and CreateAccessKey return them."""
    kw = {"Tags": tags} if tags else {}
    user = iam.create_user(UserName=name, Path=path, **kw)["User"]
    for i, doc in enumerate(inline):
        iam.put_user_policy(UserName=name, PolicyName=f"p{i}", PolicyDocument=doc)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return user, key


def aws_json(server: "PortcullisServer", args: Iterable[str], home: Path, key: str = ADMIN_KEY,
             secret: str = ADMIN_SECRET) -> tuple[int, object, str]:
    """Runs the aws CLI against `server` with JSON output: (exit status, parsed stdout, stderr)."""
    p = run_aws(["--endpoint-url", server.endpoint, "--output", "json", *args], home,
                env={"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret})
    out = json.loads(p.stdout) if p.stdout.strip() else None
    return p.returncode, out, p.stderr


# -- STS sessions -------------------------------------------------------------------------------

INVALID_TOKEN = ("InvalidClientTokenId", "The security token included in the request is invalid.",
                 403)

_shared_boto3_session: boto3.session.Session | None = None


def session_client(server: "PortcullisServer", service: str, credentials: Mapping[str, str],
                   validate: bool = True):
    """A client signed with temporary credentials (the `Credentials` of AssumeRole or
    GetSessionToken). One boto3 session is shared, so its service models load only once."""
    global _shared_boto3_session
    if _shared_boto3_session is None:
        _shared_boto3_session = boto3.session.Session(region_name="us-east-1")
    return _shared_boto3_session.client(
        service, endpoint_url=server.endpoint, region_name="us-east-1",
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials.get("SessionToken"),
        config=NO_RETRY if validate else NO_RETRY_UNVALIDATED)


def assumed_role_arn(role: str, session: str, account: str = DEFAULT_ACCOUNT) -> str:
    """arn:aws:sts::<account>:assumed-role/<role>/<session>."""
    return f"arn:aws:sts::{account}:assumed-role/{role}/{session}"


def trust_statement(principal: Mapping, action="sts:AssumeRole", effect: str = "Allow",
                    condition: Mapping | None = None) -> dict:
    """A trust-policy statement (no Resource, as AWS requires)."""
    s = {"Effect": effect, "Principal": dict(principal), "Action": action}
    if condition:
        s["Condition"] = dict(condition)
    return s


def trust_document(*statements: dict) -> str:
    """A role trust policy (JSON text) with the given statements."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def unsigned_client(server: "PortcullisServer", service: str):
    """A client that sends its calls unsigned (signature_version=UNSIGNED), as AWS clients send
    AssumeRoleWithSAML and AssumeRoleWithWebIdentity."""
    global _shared_boto3_session
    if _shared_boto3_session is None:
        _shared_boto3_session = boto3.session.Session(region_name="us-east-1")
    config = NO_RETRY.merge(botocore.config.Config(signature_version=botocore.UNSIGNED))
    return _shared_boto3_session.client(service, endpoint_url=server.endpoint,
                                        region_name="us-east-1", config=config)


_unique_ids = itertools.count()


def unique(prefix: str) -> str:
    """A name no other test using the same server has used."""
    return f"{prefix}{next(_unique_ids)}"
