"""The AWS SDK for JavaScript (v3, from npm, pinned in tests/js/package-lock.json) as a client:
tests/js/apigateway_sdk.mjs drives the API Gateway management API and asserts what it gets."""

from __future__ import annotations

import os
import shutil
import subprocess


from portcullis_helpers import ADMIN_KEY, ADMIN_SECRET, REPO

JS = REPO / "tests" / "js"


def run_node(script: str, server, tmp_path) -> subprocess.CompletedProcess:
    node = shutil.which("node")
    assert node, "node is not installed (scripts/bootstrap installs it)"
    assert (JS / "node_modules" / "@aws-sdk" / "client-api-gateway").is_dir(), \
        "tests/js/node_modules is missing: scripts/test installs it with npm ci"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "PORTCULLIS_ENDPOINT": server.endpoint,
           "AWS_ACCESS_KEY_ID": ADMIN_KEY, "AWS_SECRET_ACCESS_KEY": ADMIN_SECRET,
           "AWS_CONFIG_FILE": str(tmp_path / "config"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
           "AWS_EC2_METADATA_DISABLED": "true", "NODE_NO_WARNINGS": "1"}
    return subprocess.run([node, str(JS / script)], env=env, capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL, cwd=JS)


def test_apigateway_with_the_javascript_sdk(start_server, tmp_path):
    server = start_server()
    p = run_node("apigateway_sdk.mjs", server, tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "ok"
