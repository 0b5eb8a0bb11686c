"""The server process: access log, graceful shutdown, admin bootstrap and configuration."""

from __future__ import annotations

import configparser
import json
import os
import re
import select
import signal
import socket
import stat
import subprocess
import time

import pytest
from botocore.exceptions import ClientError

from portcullis_helpers import (ADMIN_ARN, ADMIN_KEY, ADMIN_SECRET, BINARY, STS_FORM, RawConnection,
                                LISTENING, base_env, exchange, http_get, presign_url, run_aws, run_serve,
                                signed_sts_request, wait_until)


# -- 9. access log ----------------------------------------------------------------------------------

ACCESS_KEYS = {"time", "type", "request_id", "remote", "method", "path", "status", "bytes",
               "latency_us", "principal"}


def test_access_log(start_server):
    s = start_server()
    ident = s.client("sts").get_caller_identity()
    request_id = ident["ResponseMetadata"]["RequestId"]
    rec = s.wait_for_access(lambda r: r["request_id"] == request_id)
    assert rec is not None, s.stderr
    assert set(rec) >= ACCESS_KEYS
    assert rec["method"] == "POST"
    assert rec["path"] == "/"
    assert rec["status"] == 200
    assert rec["principal"] == ADMIN_ARN
    assert isinstance(rec["bytes"], int) and rec["bytes"] > 0
    assert isinstance(rec["latency_us"], int) and rec["latency_us"] >= 0
    assert re.fullmatch(r"127\.0\.0\.1:\d+", rec["remote"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", rec["time"])

    # Unsigned: no principal; bytes is what went on the wire.
    r = exchange(s.port, http_get("/_portcullis/health?probe=1"))
    rec = s.wait_for_access(lambda x: x["request_id"] == r.header("x-amzn-requestid"))
    assert rec is not None
    assert (rec["method"], rec["path"], rec["status"], rec["principal"]) == (
        "GET", "/_portcullis/health", 200, "")
    assert rec["bytes"] == r.raw_size

    # Failed authentication: logged with its status, no principal.
    with pytest.raises(ClientError) as ei:
        s.client("sts", secret="wrong-secret-0123456789").get_caller_identity()
    rid = ei.value.response["ResponseMetadata"]["RequestId"]
    rec = s.wait_for_access(lambda x: x["request_id"] == rid)
    assert rec is not None
    assert (rec["status"], rec["principal"]) == (403, "")

    # A request that could not be parsed.
    with RawConnection(s.port) as c:
        c.send(b"GET / HTTP/1.1\nHost: x\n\n")
        bad = c.read_response()
    rec = s.wait_for_access(lambda x: x["request_id"] == bad.header("x-amzn-requestid")
                            if bad.header("x-amzn-requestid") else x["status"] == 400)
    assert rec is not None
    assert (rec["method"], rec["path"], rec["status"]) == ("-", "-", 400)

    # Every stderr line is one JSON object.
    for line in s.stderr_lines():
        json.loads(line)


def test_secrets_are_not_logged(start_server):
    s = start_server()
    s.client("sts").get_caller_identity()
    url = presign_url(f"{s.endpoint}/?Action=GetCallerIdentity&Version=2011-06-15")
    signature = url.rsplit("X-Amz-Signature=", 1)[1]
    r = exchange(s.port, f"GET {url.split(str(s.port), 1)[1]} HTTP/1.1\r\nHost: 127.0.0.1:{s.port}\r\n\r\n")
    assert r.status == 200
    raw = signed_sts_request(s.port)
    header_sig = raw.split(b"Signature=", 1)[1].split(b"\r\n", 1)[0].decode()
    assert exchange(s.port, raw).status == 200
    assert s.wait_for_access(lambda x: x["request_id"] == r.header("x-amzn-requestid")) is not None
    assert s.terminate() == 0
    log = s.stderr
    for secret in (ADMIN_SECRET, signature, header_sig, STS_FORM):
        assert secret not in log


def test_server_survives_its_log_pipe_closing(tmp_path):
    # A server must not die of SIGPIPE when whoever reads its log goes away (a log shipper
    # restarting, `portcullis serve | head`): writes to a broken log pipe should fail quietly.
    proc = subprocess.Popen([BINARY, "serve", "--listen", "127.0.0.1:0", "--state-dir", str(tmp_path / "state"),
                             "--workers", "1"], env=base_env(tmp_path), stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        line = b""
        while b"listening on" not in line:
            left = deadline - time.monotonic()
            ready = select.select([proc.stderr], [], [], max(left, 0))[0] if left > 0 else []
            if not ready:
                break
            line = proc.stderr.readline()  # the server writes whole lines at once
            if not line:
                break
        m = LISTENING.search(line.decode())
        assert m, line
        port = int(m.group(1))
        proc.stderr.close()  # the log reader goes away
        assert exchange(port, http_get("/_portcullis/health")).status == 200  # logs an access line
        time.sleep(0.2)
        assert proc.poll() is None, f"server died (exit status {proc.returncode}) when its log pipe closed"
        assert exchange(port, http_get("/_portcullis/health")).status == 200
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


def test_access_log_can_be_turned_off(start_server):
    s = start_server("--access-log", "false")
    s.client("sts").get_caller_identity()
    assert exchange(s.port, http_get("/_portcullis/health")).status == 200
    assert s.terminate() == 0
    assert s.access_records() == []
    assert any("listening on" in r.get("msg", "") for r in s.log_records())


# -- 10. graceful shutdown --------------------------------------------------------------------------

def test_sigterm_exits_zero_within_drain_deadline(start_server):
    s = start_server("--drain-timeout-ms", "5000")
    assert exchange(s.port, http_get("/_portcullis/health")).status == 200
    t0 = time.monotonic()
    rc = s.terminate(timeout=10)
    elapsed = time.monotonic() - t0
    assert rc == 0
    assert elapsed < 2.5, f"took {elapsed:.2f}s with nothing in flight"
    msgs = [r.get("msg") for r in s.log_records()]
    assert "received SIGTERM, draining for up to 5000 ms" in msgs
    assert msgs[-1] == "stopped"


def test_sigint_exits_zero(start_server):
    s = start_server()
    s.proc.send_signal(signal.SIGINT)
    assert s.proc.wait(timeout=5) == 0
    assert any(r.get("msg", "").startswith("received SIGINT") for r in s.log_records())


def test_idle_keep_alive_connection_does_not_delay_shutdown(start_server):
    s = start_server("--drain-timeout-ms", "5000")
    with RawConnection(s.port) as idle, RawConnection(s.port) as fresh:
        idle.send(http_get("/_portcullis/health"))
        assert idle.read_response().header("connection") == "keep-alive"
        fresh.send(b"")  # connected, never sends a byte
        time.sleep(0.1)
        t0 = time.monotonic()
        rc = s.terminate(timeout=10)
        elapsed = time.monotonic() - t0
        assert rc == 0
        assert elapsed < 2.5, f"idle connections held shutdown for {elapsed:.2f}s (drain deadline 5 s)"
        assert idle.closed_by_peer(1.0)
        assert fresh.closed_by_peer(1.0)


def connection_refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


def test_in_flight_request_finishes_during_drain(start_server):
    s = start_server("--drain-timeout-ms", "5000")
    data = signed_sts_request(s.port)
    health = http_get("/_portcullis/health")
    with RawConnection(s.port) as c, RawConnection(s.port) as h:
        c.send(data[:40])
        h.send(health[:10])
        time.sleep(0.1)
        s.proc.send_signal(signal.SIGTERM)
        assert s.wait_for_stderr(lambda l: "received SIGTERM" in l, 5)
        time.sleep(0.1)
        assert s.proc.poll() is None, "exited with a request in flight"
        # No new connections once draining.
        assert wait_until(lambda: connection_refused(s.port), 3), "still accepting while draining"
        c.send(data[40:])
        r = c.read_response()
        assert r.status == 200
        assert ADMIN_ARN in r.text
        assert r.header("connection") == "close"
        assert c.closed_by_peer(2.0)
        # The health check says the server is going away.
        h.send(health[10:])
        r = h.read_response()
        assert (r.status, r.body) == (503, b'{"status":"starting"}')
        assert r.header("connection") == "close"
    assert s.proc.wait(timeout=5) == 0
    s.terminate()


def test_stuck_request_is_cut_at_drain_deadline(start_server):
    s = start_server("--drain-timeout-ms", "500")
    with RawConnection(s.port) as c:
        c.send(b"GET /_portcullis/health HTTP/1.1\r\nHost: x\r\n")  # never finished
        time.sleep(0.1)
        t0 = time.monotonic()
        rc = s.terminate(timeout=10)
        elapsed = time.monotonic() - t0
        assert rc == 0
        assert 0.4 <= elapsed < 3.0, elapsed
        assert c.closed_by_peer(1.0)


# -- 11. admin bootstrap ----------------------------------------------------------------------------

def read_admin_file(state_dir):
    cp = configparser.ConfigParser()
    assert cp.read(state_dir / "admin-credentials") == [str(state_dir / "admin-credentials")]
    return cp["portcullis-admin"]


def test_admin_credentials_generated_once(start_server, tmp_path):
    state = tmp_path / "bootstrap"
    s = start_server(admin_env=False, state_dir=state)
    out = wait_until(lambda: "aws_secret_access_key" in s.stdout and s.stdout, 5)
    assert out, f"credentials not printed; stdout={s.stdout!r}"
    key = re.search(r"aws_access_key_id = (\S+)", out).group(1)
    secret = re.search(r"aws_secret_access_key = (\S+)", out).group(1)
    assert re.fullmatch(r"AKIA[A-Z2-7]{16}", key), key
    assert re.fullmatch(r"[A-Za-z0-9+/]{40}", secret), secret
    assert "portcullis-admin" in out and str(state / "admin-credentials") in out

    assert stat.S_IMODE(os.stat(state).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(state / "admin-credentials").st_mode) == 0o600
    assert not (state / "admin-credentials.tmp").exists()
    prof = read_admin_file(state)
    assert prof["aws_access_key_id"] == key
    assert prof["aws_secret_access_key"] == secret
    user_id = prof["portcullis_user_id"]

    ident = s.client("sts", key=key, secret=secret).get_caller_identity()
    assert ident["Arn"] == ADMIN_ARN
    assert ident["UserId"] == user_id
    # The env-less server does not know the test's usual admin key.
    with pytest.raises(ClientError) as ei:
        s.client("sts").get_caller_identity()
    assert ei.value.response["Error"]["Code"] == "InvalidClientTokenId"
    assert s.terminate() == 0
    assert secret not in s.stderr

    # Restart: nothing printed, same key and user.
    s2 = start_server(admin_env=False, state_dir=state)
    ident2 = s2.client("sts", key=key, secret=secret).get_caller_identity()
    assert ident2["UserId"] == user_id
    assert s2.terminate() == 0
    assert s2.stdout == ""
    assert secret not in s2.stderr
    assert read_admin_file(state)["aws_secret_access_key"] == secret


def test_admin_credentials_file_works_with_aws_cli_profile(start_server, tmp_path):
    s = start_server(admin_env=False)
    p = run_aws(["--endpoint-url", s.endpoint, "--profile", "portcullis-admin", "--output", "json",
                 "sts", "get-caller-identity"], tmp_path / "cli",
                env={"AWS_SHARED_CREDENTIALS_FILE": str(s.state_dir / "admin-credentials")})
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["Arn"] == ADMIN_ARN


def test_admin_credentials_from_env(start_server, tmp_path):
    state = tmp_path / "envstate"
    s = start_server(state_dir=state)
    ident = s.client("sts").get_caller_identity()
    assert ident["Arn"] == ADMIN_ARN
    assert s.terminate() == 0
    assert "aws_secret_access_key" not in s.stdout
    assert ADMIN_SECRET not in s.stderr
    assert stat.S_IMODE(os.stat(state / "admin-credentials").st_mode) == 0o600
    assert read_admin_file(state)["aws_access_key_id"] == ADMIN_KEY

    # The user id survives a restart; a different env key replaces the old one.
    other_key, other_secret = "AKIAOTHERADMINKEY999", "another-secret-0123456789"
    s2 = start_server(state_dir=state, env={"PORTCULLIS_ADMIN_ACCESS_KEY_ID": other_key,
                                            "PORTCULLIS_ADMIN_SECRET_ACCESS_KEY": other_secret})
    assert s2.client("sts", key=other_key, secret=other_secret).get_caller_identity()["UserId"] == ident["UserId"]
    with pytest.raises(ClientError) as ei:
        s2.client("sts").get_caller_identity()
    assert ei.value.response["Error"]["Code"] == "InvalidClientTokenId"


def test_env_overrides_generated_credentials(start_server, tmp_path):
    state = tmp_path / "gen-then-env"
    s = start_server(admin_env=False, state_dir=state)
    assert s.terminate() == 0
    generated = read_admin_file(state)
    s2 = start_server(state_dir=state)
    assert s2.client("sts").get_caller_identity()["UserId"] == generated["portcullis_user_id"]
    with pytest.raises(ClientError):
        s2.client("sts", key=generated["aws_access_key_id"],
                  secret=generated["aws_secret_access_key"]).get_caller_identity()


@pytest.mark.parametrize("env, message", [
    ({"PORTCULLIS_ADMIN_ACCESS_KEY_ID": ADMIN_KEY},
     "set both PORTCULLIS_ADMIN_ACCESS_KEY_ID and PORTCULLIS_ADMIN_SECRET_ACCESS_KEY, or neither"),
    ({"PORTCULLIS_ADMIN_ACCESS_KEY_ID": "AKIA-SHORT", "PORTCULLIS_ADMIN_SECRET_ACCESS_KEY": ADMIN_SECRET},
     "PORTCULLIS_ADMIN_ACCESS_KEY_ID must be 1 to 128 letters and digits"),
    ({"PORTCULLIS_ADMIN_ACCESS_KEY_ID": "", "PORTCULLIS_ADMIN_SECRET_ACCESS_KEY": ADMIN_SECRET},
     "PORTCULLIS_ADMIN_ACCESS_KEY_ID must be 1 to 128 letters and digits"),
    ({"PORTCULLIS_ADMIN_ACCESS_KEY_ID": "A" * 129, "PORTCULLIS_ADMIN_SECRET_ACCESS_KEY": ADMIN_SECRET},
     "PORTCULLIS_ADMIN_ACCESS_KEY_ID must be 1 to 128 letters and digits"),
    ({"PORTCULLIS_ADMIN_ACCESS_KEY_ID": "ASIATEMPORARY", "PORTCULLIS_ADMIN_SECRET_ACCESS_KEY": ADMIN_SECRET},
     "PORTCULLIS_ADMIN_ACCESS_KEY_ID must not start with ASIA"),
    ({"PORTCULLIS_ADMIN_ACCESS_KEY_ID": ADMIN_KEY, "PORTCULLIS_ADMIN_SECRET_ACCESS_KEY": ""},
     "PORTCULLIS_ADMIN_SECRET_ACCESS_KEY must be 1 to 128 printable characters"),
    ({"PORTCULLIS_ADMIN_ACCESS_KEY_ID": ADMIN_KEY, "PORTCULLIS_ADMIN_SECRET_ACCESS_KEY": "tab\tin"},
     "PORTCULLIS_ADMIN_SECRET_ACCESS_KEY must be 1 to 128 printable characters"),
    ({"PORTCULLIS_ADMIN_ACCESS_KEY_ID": ADMIN_KEY, "PORTCULLIS_ADMIN_SECRET_ACCESS_KEY": "x" * 129},
     "PORTCULLIS_ADMIN_SECRET_ACCESS_KEY must be 1 to 128 printable characters"),
])
def test_bad_admin_env_is_refused(tmp_path, env, message):
    p = run_serve(tmp_path / "state", env=env, admin_env=False)
    assert p.returncode != 0
    assert message in p.stderr
    assert not (tmp_path / "state" / "admin-credentials").exists()


# -- 12. configuration ------------------------------------------------------------------------------

@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "portcullis.yaml"
    path.write_text("# test configuration\nregion: eu-west-1\naccount_id: '123456789012'\n"
                    "regions: eu-west-1, eu-central-1\n")
    return path


def test_config_file_is_honoured(start_server, config_file):
    s = start_server("--config", str(config_file))
    assert "2 regions (default eu-west-1), account 123456789012" in s.stderr
    ident = s.client("sts", region="eu-west-1").get_caller_identity()
    assert ident["Account"] == "123456789012"
    assert ident["Arn"] == "arn:aws:iam::123456789012:user/admin"
    assert s.client("sts", region="eu-central-1").get_caller_identity()["Account"] == "123456789012"
    # STS's global endpoint signs for us-east-1: accepted though that region is not served.
    assert s.client("sts", region="us-east-1").get_caller_identity()["Account"] == "123456789012"
    with pytest.raises(ClientError) as ei:
        s.client("sts", region="us-west-2").get_caller_identity()
    err = ei.value.response["Error"]
    assert err["Code"] == "SignatureDoesNotMatch"
    assert "Credential should be scoped to a valid region" in err["Message"]
    # API Gateway is regional: only the served regions.
    assert s.client("apigateway", region="eu-central-1").get_rest_apis()["items"] == []
    with pytest.raises(ClientError) as ei:
        s.client("apigateway", region="us-east-1").get_rest_apis()
    assert ei.value.response["Error"]["Code"] == "InvalidSignatureException"


@pytest.mark.parametrize("regions", ["eu-west-1,,Bad_Region", "-eu", "eu west 1"])
def test_bad_regions_setting_is_refused(tmp_path, regions):
    p = run_serve(tmp_path / "state", ["--regions", regions])
    assert p.returncode == 2
    assert "regions: expected region names separated by commas" in p.stderr


def test_config_file_from_env_variable(start_server, config_file):
    s = start_server(env={"PORTCULLIS_CONFIG": str(config_file)})
    assert s.client("sts", region="eu-west-1").get_caller_identity()["Account"] == "123456789012"


def test_env_overrides_file_and_flag_overrides_env(start_server, config_file):
    s = start_server("--config", str(config_file), env={"PORTCULLIS_ACCOUNT_ID": "111111111111"})
    ident = s.client("sts", region="eu-west-1").get_caller_identity()
    assert ident["Account"] == "111111111111"  # env beats the file
    s2 = start_server("--config", str(config_file), "--account-id", "222222222222",
                      env={"PORTCULLIS_ACCOUNT_ID": "111111111111"})
    ident2 = s2.client("sts", region="eu-west-1").get_caller_identity()
    assert ident2["Account"] == "222222222222"  # the flag beats env
    assert ident2["Arn"] == "arn:aws:iam::222222222222:user/admin"


@pytest.mark.parametrize("spelling", ["false", "False", "FALSE", "off", "no"])
def test_yaml_booleans(start_server, tmp_path, spelling):
    # The file is YAML: every spelling of false in YAML's core schema (and the 1.1 ones the
    # server already takes) is false.
    path = tmp_path / "bool.yaml"
    path.write_text(f"access_log: {spelling}\n")
    s = start_server("--config", str(path))
    assert exchange(s.port, http_get("/_portcullis/health")).status == 200
    assert s.terminate() == 0
    assert s.access_records() == []


@pytest.mark.parametrize("yaml_text, message", [
    ("colour: blue\n", "unknown setting 'colour'"),
    ("region: eu-west-1\nworkers: many\n", "workers: expected a number from 0 to 256, got 'many'"),
    ("max_header_bytes: 10\n", "max_header_bytes: expected a number from 1024 to 1048576, got '10'"),
    ("access_log: maybe\n", "access_log: expected true or false"),
    ("region: [eu-west-1]\n", "'region' must be a scalar"),
    ("- region\n", "expected a mapping"),
    ("region: eu-west-1\n  bad: [indent\n", "cannot read config"),
    ("account_id: '12345'\n", "account_id: expected 12 digits"),
    ("region: EU_WEST_1\n", "region: expected a region name such as us-east-1"),
    ("log_level: loud\n", "log_level: expected debug, info, warn, error or off"),
])
def test_bad_config_file_exits_2(tmp_path, yaml_text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml_text)
    p = run_serve(tmp_path / "state", ["--config", str(path)])
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert message in p.stderr
    assert p.stderr.startswith("portcullis: ")
    assert "listening" not in p.stderr
    assert not (tmp_path / "state").exists(), "state touched before the configuration was valid"


def test_missing_config_file_exits_2(tmp_path):
    p = run_serve(tmp_path / "state", ["--config", str(tmp_path / "nope.yaml")])
    assert p.returncode == 2
    assert "cannot read config" in p.stderr


def test_bad_env_value_exits_2(tmp_path):
    p = run_serve(tmp_path / "state", env={"PORTCULLIS_IDLE_TIMEOUT_MS": "soon"})
    assert p.returncode == 2
    assert ("portcullis: PORTCULLIS_IDLE_TIMEOUT_MS: idle_timeout_ms: expected a number from 100 "
            "to 3600000, got 'soon'") in p.stderr


def test_bad_flag_value_exits_2(tmp_path):
    p = run_serve(tmp_path / "state", ["--header-timeout-ms", "5"])
    assert p.returncode == 2
    assert ("portcullis: --header-timeout-ms: header_timeout_ms: expected a number from 100 to "
            "3600000, got '5'") in p.stderr


def test_unknown_flag_is_refused(tmp_path):
    p = run_serve(tmp_path / "state", ["--colour", "blue"])
    assert p.returncode != 0
    assert "--colour" in p.stderr
