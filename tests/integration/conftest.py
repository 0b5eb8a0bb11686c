"""Fixtures for the Portcullis integration tests (run with /usr/bin/python3 -m pytest)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from unittest import mock

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from portcullis_helpers import BINARY, PortcullisServer  # noqa: E402


def pytest_configure(config):
    if not os.access(BINARY, os.X_OK):
        raise pytest.UsageError(f"portcullis binary not found at {BINARY} (set PORTCULLIS_BIN)")


@pytest.fixture(scope="session", autouse=True)
def _hermetic_aws_env(tmp_path_factory):
    """boto3/botocore in this process must not read the user's AWS config or use proxies."""
    home = tmp_path_factory.mktemp("aws-home")
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith("AWS_") and k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    keep.update({
        "AWS_CONFIG_FILE": str(home / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    })
    with mock.patch.dict(os.environ, keep, clear=True):
        yield


@pytest.fixture
def start_server(tmp_path):
    """Factory: start_server(*args, env=None, admin_env=True, state_dir=None) -> PortcullisServer.

    Every server started is stopped (SIGTERM, then SIGKILL) at the end of the test.
    """
    started: list[PortcullisServer] = []

    def start(*args, env=None, admin_env=True, state_dir=None):
        state = Path(state_dir) if state_dir else tmp_path / f"state{len(started)}"
        s = PortcullisServer(state, args, env=env, home=tmp_path, admin_env=admin_env)
        started.append(s)
        return s

    yield start
    for s in started:
        s.terminate()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A shared server (admin credentials from the environment) for tests that need no fresh one."""
    base = tmp_path_factory.mktemp("server")
    s = PortcullisServer(base / "state", home=base)
    yield s
    s.terminate()


@pytest.fixture(scope="module")
def iam(server):
    """The administrator's IAM client on the module's server."""
    return server.client("iam")


@pytest.fixture(scope="module")
def raw_iam(server):
    """An IAM client without botocore's own parameter checks, to reach the server's."""
    return server.client("iam", validate=False)


@pytest.fixture(scope="module")
def sts(server):
    """The STS client of a federated user: no credentials, every call unsigned (test files that
    need a signed one define their own)."""
    from portcullis_helpers import unsigned_client
    return unsigned_client(server, "sts")
