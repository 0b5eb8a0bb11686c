"""`portcullis curl`, the SigV4-signing client, against a real server."""

from __future__ import annotations

import pytest

from portcullis_helpers import (ADMIN_ARN, ADMIN_KEY, ADMIN_SECRET, STS_FORM, CaptureServer, free_port,
                                run_curl)

ENV_CREDS = {"AWS_ACCESS_KEY_ID": ADMIN_KEY, "AWS_SECRET_ACCESS_KEY": ADMIN_SECRET}
WRONG_CREDS = {"AWS_ACCESS_KEY_ID": ADMIN_KEY, "AWS_SECRET_ACCESS_KEY": "wrong-secret-0123456789"}


@pytest.fixture(scope="module")
def url(server):
    return f"{server.endpoint}/"


def sts_call(url, *extra):
    return ["--service", "sts", *extra, "-d", STS_FORM, url]


def test_curl_with_env_credentials(url, tmp_path):
    p = run_curl(sts_call(url), tmp_path, ENV_CREDS)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("<GetCallerIdentityResponse")
    assert f"<Arn>{ADMIN_ARN}</Arn>" in p.stdout
    assert "HTTP/1.1" not in p.stdout


def test_curl_with_profile_from_admin_credentials(server, url, tmp_path):
    # --profile wins over (wrong) environment credentials.
    env = {**WRONG_CREDS, "AWS_SHARED_CREDENTIALS_FILE": str(server.state_dir / "admin-credentials")}
    p = run_curl(sts_call(url, "--profile", "portcullis-admin"), tmp_path, env)
    assert p.returncode == 0, p.stderr
    assert f"<Arn>{ADMIN_ARN}</Arn>" in p.stdout


def test_curl_with_aws_profile_env(server, url, tmp_path):
    env = {"AWS_PROFILE": "portcullis-admin",
           "AWS_SHARED_CREDENTIALS_FILE": str(server.state_dir / "admin-credentials")}
    p = run_curl(sts_call(url), tmp_path, env)
    assert p.returncode == 0, p.stderr
    assert f"<Arn>{ADMIN_ARN}</Arn>" in p.stdout


def test_curl_default_credentials_file_in_home(url, tmp_path):
    (tmp_path / ".aws").mkdir()
    (tmp_path / ".aws" / "credentials").write_text(
        f"[default]\naws_access_key_id = {ADMIN_KEY}\naws_secret_access_key = {ADMIN_SECRET}\n")
    p = run_curl(sts_call(url), tmp_path)
    assert p.returncode == 0, p.stderr
    assert f"<Arn>{ADMIN_ARN}</Arn>" in p.stdout


def test_curl_include_headers(url, tmp_path):
    p = run_curl(sts_call(url, "-i"), tmp_path, ENV_CREDS)
    assert p.returncode == 0, p.stderr
    head, sep, body = p.stdout.partition("\r\n\r\n")
    assert sep, p.stdout
    lines = head.split("\r\n")
    assert lines[0] == "HTTP/1.1 200 OK"
    names = {l.split(":", 1)[0].lower() for l in lines[1:]}
    assert {"x-amzn-requestid", "content-type", "content-length"} <= names
    assert f"<Arn>{ADMIN_ARN}</Arn>" in body


def test_curl_fail_with_wrong_credentials_exits_22(url, tmp_path):
    p = run_curl(sts_call(url, "-f"), tmp_path, WRONG_CREDS)
    assert p.returncode == 22, (p.returncode, p.stdout, p.stderr)


def test_curl_without_fail_prints_error_and_exits_0(url, tmp_path):
    p = run_curl(sts_call(url, "-i"), tmp_path, WRONG_CREDS)
    assert p.returncode == 0
    assert p.stdout.startswith("HTTP/1.1 403 Forbidden\r\n")
    assert "<Code>SignatureDoesNotMatch</Code>" in p.stdout


def test_curl_get_with_query_string(url, tmp_path):
    p = run_curl(["--service", "sts", f"{url}?Action=GetCallerIdentity&Version=2011-06-15"], tmp_path, ENV_CREDS)
    assert p.returncode == 0, p.stderr
    assert f"<Arn>{ADMIN_ARN}</Arn>" in p.stdout


def test_curl_data_from_file(url, tmp_path):
    body = tmp_path / "body.txt"
    body.write_text(STS_FORM)
    p = run_curl(["--service", "sts", "-f", "-d", f"@{body}", url], tmp_path, ENV_CREDS)
    assert p.returncode == 0, p.stderr
    assert f"<Arn>{ADMIN_ARN}</Arn>" in p.stdout


def test_curl_rest_json_service(server, tmp_path):
    p = run_curl(["--service", "apigateway", "-i", f"{server.endpoint}/restapis"], tmp_path, ENV_CREDS)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("HTTP/1.1 200 OK\r\n")
    assert "Content-Type: application/json" in p.stdout
    assert '"item":[' in p.stdout.split("\r\n\r\n", 1)[1]


def test_curl_without_credentials_exits_2(url, tmp_path):
    p = run_curl(sts_call(url), tmp_path)
    assert p.returncode == 2
    assert "no credentials" in p.stderr


def test_curl_connection_refused_exits_7(tmp_path):
    p = run_curl(sts_call(f"http://127.0.0.1:{free_port()}/", "--max-time", "5"), tmp_path, ENV_CREDS)
    assert p.returncode == 7
    assert p.stderr.startswith("portcullis curl: ")


def test_curl_invoke_path(server, tmp_path):
    p = run_curl(["--service", "execute-api", "-i", f"{server.endpoint}/restapis/abc123/prod/_user_request_/hi"],
                 tmp_path, ENV_CREDS)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("HTTP/1.1 404 Not Found\r\n")
    assert "The API id 'abc123' does not correspond to a deployed API Gateway API" in p.stdout


def test_curl_sends_signed_headers(tmp_path):
    with CaptureServer() as cap:
        p = run_curl(["--service", "apigateway", "-H", "X-Custom: v", "-d", "{}", f"http://127.0.0.1:{cap.port}/restapis"],
                     tmp_path, ENV_CREDS)
    assert p.returncode == 0, p.stderr
    assert p.stdout == "ok"
    assert cap.request.startswith(b"POST /restapis HTTP/1.1\r\n")
    headers = dict((n.lower(), v) for n, v in cap.headers())
    assert headers["host"] == f"127.0.0.1:{cap.port}"
    assert "/apigateway/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-custom, Signature=" in headers["authorization"]
    assert cap.request.endswith(b"\r\n\r\n{}")


@pytest.mark.parametrize("name", ["Content-Type", "content-type", "Content-type", "CONTENT-TYPE"])
def test_curl_content_type_header_is_not_duplicated(tmp_path, name):
    # Header names are case-insensitive: a -H Content-Type in any case replaces the default.
    with CaptureServer() as cap:
        p = run_curl(["--service", "apigateway", "-H", f"{name}: application/json", "-d", "{}",
                      f"http://127.0.0.1:{cap.port}/restapis"], tmp_path, ENV_CREDS)
    assert p.returncode == 0, p.stderr
    types = [v for n, v in cap.headers() if n.lower() == "content-type"]
    assert types == ["application/json"], cap.headers()


def test_curl_host_header_overrides_url_authority(server, tmp_path):
    # As with curl, -H 'Host: …' replaces the Host taken from the URL (how an execute-api
    # hostname is called on a local server); two Host headers are a malformed request.
    p = run_curl(["--service", "execute-api", "-i", "-H", "Host: abc123.execute-api.us-east-1.amazonaws.com",
                  f"{server.endpoint}/prod/hello"], tmp_path, ENV_CREDS)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("HTTP/1.1 404 Not Found\r\n"), p.stdout
    assert "The API id 'abc123' does not correspond to a deployed API Gateway API" in p.stdout
