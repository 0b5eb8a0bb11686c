#!/usr/bin/python3
"""Federation throughput: AssumeRoleWithSAML and AssumeRoleWithWebIdentity calls per second that
one Portcullis worker (pinned to one core) answers, with a pinned client on the other core.

    bench/load/federation_rate.py [--calls N] [--binary build/portcullis]

Each SAML call carries a freshly signed response (assertions are single-use), each web identity
call a freshly signed RS256 token; both are prepared before the clock starts. Calls go over one
keep-alive connection, one at a time: the figure is the server's sequential rate, client included.
"""
from __future__ import annotations

import argparse
import http.client
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "integration"))
os.environ.setdefault("PORTCULLIS_BIN", str(REPO / "build" / "portcullis"))

import oidc_helpers  # noqa: E402
import saml_helpers  # noqa: E402
from portcullis_helpers import PortcullisServer  # noqa: E402


def pin(cpu: int) -> None:
    try:
        os.sched_setaffinity(0, {cpu})
    except (AttributeError, OSError):
        pass


def rate(port: int, bodies: list[str]) -> float:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    start = time.perf_counter()
    for body in bodies:
        conn.request("POST", "/", body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        if r.status != 200:
            raise SystemExit(f"call failed: {r.status} {data[:300]!r}")
    elapsed = time.perf_counter() - start
    conn.close()
    return len(bodies) / elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=500)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        # The server gets core 0 (taskset by its own affinity), the client core 1.
        server = PortcullisServer(tmp / "state", ("--access-log", "false"), home=tmp, workers=1)
        # Every thread of the server (workers and the blocking pool) on core 0.
        subprocess.run(["taskset", "-a", "-cp", "0", str(server.proc.pid)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        pin(1)
        try:
            iam = server.client("iam")
            # SAML: provider, role, and fresh signed responses.
            iam.create_saml_provider(Name="idp", SAMLMetadataDocument=saml_helpers.IDP_METADATA.read_text())
            trust_saml = ('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":'
                          '{"Federated":"arn:aws:iam::000000000000:saml-provider/idp"},'
                          '"Action":"sts:AssumeRoleWithSAML"}}')
            iam.create_role(RoleName="reader", AssumeRolePolicyDocument=trust_saml)
            t0 = time.perf_counter()
            saml = [saml_helpers.saml_form(saml_helpers.role_arn("reader"), saml_helpers.provider_arn(),
                                           saml_helpers.assertion())
                    for _ in range(args.calls)]
            prep_saml = time.perf_counter() - t0

            # OIDC: a local HTTPS provider, a role, and fresh signed tokens.
            key = oidc_helpers.SigningKey("k1")
            idp = oidc_helpers.OidcProvider(tmp / "oidc", keys=[key])
            try:
                arn = oidc_helpers.register(iam, idp)
                iam.create_role(RoleName="web", AssumeRolePolicyDocument=oidc_helpers.web_identity_trust(arn))
                now = int(time.time())
                tokens = [oidc_helpers.jwt({"iss": idp.issuer, "aud": "app1", "sub": f"user{i}",
                                            "iat": now, "exp": now + 600}, key)
                          for i in range(args.calls)]
                web = ["Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=" +
                       urllib.parse.quote("arn:aws:iam::000000000000:role/web", safe="") +
                       "&RoleSessionName=bench&WebIdentityToken=" + t for t in tokens]
                rate(server.port, web[:5])  # fetches and caches the provider's keys
                saml_rate = rate(server.port, saml)
                web_rate = rate(server.port, web[5:])
            finally:
                idp.stop()
        finally:
            server.terminate()
    print(f"# {args.calls} calls each, 1 worker on cpu 0, client on cpu 1, sequential keep-alive")
    print(f"# (signing {args.calls} SAML responses took {prep_saml:.1f} s before the clock started)")
    print(f"AssumeRoleWithSAML            {saml_rate:8.0f} calls/s")
    print(f"AssumeRoleWithWebIdentity     {web_rate:8.0f} calls/s")


if __name__ == "__main__":
    main()
