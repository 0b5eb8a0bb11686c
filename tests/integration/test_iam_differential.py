"""Differential test: Portcullis's IAM SimulateCustomPolicy against @cloud-copilot/iam-simulate.

The cases come from tests/differential/generate.mjs (deterministic; plain node, no npm packages):
the test re-runs it with the arguments recorded in tests/differential/expected.json and checks
that the output hashes to the value recorded there, so the committed decisions belong to exactly
these cases. expected.json holds iam-simulate's decision for each case; it is committed, so this
test needs node but not the npm registry. Regenerate it with tests/differential/run_simulator.sh
after changing the generator (docs/iam-differential.md).

Each case becomes one SimulateCustomPolicy call (see to_request). Cases with session policies are
not sent: SimulateCustomPolicy has no parameter for them.
"""

from __future__ import annotations

import collections
import hashlib
import json
import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from botocore.exceptions import BotoCoreError, ClientError

from portcullis_helpers import REPO

DIFF = REPO / "tests" / "differential"
EXPECTED = DIFF / "expected.json"
GENERATE_TIMEOUT = 120
DETAILS = 25  # disagreements printed in full; all are in the JSON report

# Where Portcullis follows AWS's documentation, or a choice recorded in docs/, instead of
# iam-simulate: docs/iam-differential.md gives each one's source and reasoning. A case carrying
# one of these tags (or the probe written for it, "p-<tag>") may disagree; every other case must
# agree.
DOCUMENTED_DIVERGENCES = {
    "product-wildcard": "wildcards inside the resource type follow AWS's documentation",
    "notresource-unresolved-var": "an unresolvable NotResource entry matches nothing (a choice)",
    "notprincipal-account": "a NotPrincipal naming an account exempts no user of it (AWS docs)",
}


def names_an_account_in_notprincipal(case: dict) -> bool:
    policy = case.get("resourcePolicy") or {}
    statements = policy.get("Statement", [])
    for s in statements if isinstance(statements, list) else [statements]:
        listed = (s.get("NotPrincipal") or {}).get("AWS", []) if isinstance(s.get("NotPrincipal"), dict) else []
        for p in [listed] if isinstance(listed, str) else listed:
            if (len(p) == 12 and p.isdigit()) or p.endswith(":root"):
                return True
    return False


def documented(case: dict) -> str | None:
    for tag in DOCUMENTED_DIVERGENCES:
        if tag in case.get("tags", []) or case["id"] == f"p-{tag}":
            return tag
    if "notprincipal" in case.get("tags", []) and names_an_account_in_notprincipal(case):
        return "notprincipal-account"
    return None


def node() -> str:
    path = shutil.which("node")
    assert path, "node is needed to generate the differential cases (scripts/bootstrap installs nodejs)"
    return path


@pytest.fixture(scope="module")
def expected() -> dict:
    doc = json.loads(EXPECTED.read_text(encoding="utf-8"))
    assert not doc.get("errors"), f"expected.json records simulator errors: {doc.get('errors')}"
    return doc


@pytest.fixture(scope="module")
def cases(expected) -> list[dict]:
    """The cases expected.json was made from, regenerated and checked by hash."""
    meta = expected["meta"]
    argv = [node(), str(DIFF / "generate.mjs"), *shlex.split(meta["generatorArgs"])]
    p = subprocess.run(argv, capture_output=True, timeout=GENERATE_TIMEOUT, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stderr.decode("utf-8", "replace")
    digest = hashlib.sha256(p.stdout).hexdigest()
    assert digest == meta["casesSha256"], (
        f"generate.mjs {meta['generatorArgs']} no longer produces the cases expected.json was made "
        f"from (sha256 {digest}, recorded {meta['casesSha256']}): run tests/differential/run_simulator.sh "
        "and commit expected.json")
    return json.loads(p.stdout)


def wire_cases(cases: list[dict]) -> list[dict]:
    """The cases SimulateCustomPolicy can express: all but those with session policies."""
    return [c for c in cases if not c.get("sessionPolicies")]


def policy_text(doc) -> str:
    # ASCII with \u escapes: IAM's policy document pattern allows only \u0009-\u00FF.
    return json.dumps(doc, separators=(",", ":"))


def to_request(case: dict) -> dict:
    """A case as SimulateCustomPolicy parameters.

    identityPolicies -> PolicyInputList (JSON text each); boundaryPolicies ->
    PermissionsBoundaryPolicyInputList; resourcePolicy -> ResourcePolicy; action -> ActionNames=[a];
    resource -> ResourceArns=[r]; callerArn -> CallerArn (always an IAM user ARN on the wire);
    resourceOwner (12 digits) -> ResourceOwner=arn:aws:iam::<id>:root, always sent, so a case
    without a resource policy is cross-account exactly when the simulator saw it so; context ->
    ContextEntries [{ContextKeyName, ContextKeyValues, ContextKeyType}] with the case's type
    (string, stringList, numeric, numericList, boolean, booleanList, ip, ipList, date, dateList,
    binary, binaryList); an empty list is sent as an empty ContextKeyValues.
    """
    req = {
        "PolicyInputList": [policy_text(p) for p in case["identityPolicies"]],
        "ActionNames": [case["action"]],
        "ResourceArns": [case["resource"]],
        "CallerArn": case["callerArn"],
        "ResourceOwner": f"arn:aws:iam::{case['resourceOwner']}:root",
    }
    if case.get("boundaryPolicies"):
        req["PermissionsBoundaryPolicyInputList"] = [policy_text(p) for p in case["boundaryPolicies"]]
    if case.get("resourcePolicy"):
        req["ResourcePolicy"] = policy_text(case["resourcePolicy"])
    if case.get("context"):
        req["ContextEntries"] = [
            {"ContextKeyName": e["key"], "ContextKeyValues": list(e["values"]), "ContextKeyType": e["type"]}
            for e in case["context"]
        ]
    return req


def describe(case: dict, want: str, got: str) -> str:
    lines = [f"- {case['id']}: iam-simulate={want} Portcullis={got}"]
    if case.get("note"):
        lines.append(f"    note: {case['note']}")
    lines.append(f"    tags: {', '.join(case.get('tags', []))}")
    lines.append(f"    request: {case['action']} on {case['resource']} by {case['callerArn']}, "
                 f"resource owner {case['resourceOwner']}")
    ctx = "; ".join(f"{e['key']}({e['type']})={e['values']}" for e in case.get("context", []))
    lines.append(f"    context: {ctx or '(none)'}")
    for i, p in enumerate(case["identityPolicies"], 1):
        lines.append(f"    identity {i}: {json.dumps(p, ensure_ascii=False)}")
    for i, p in enumerate(case.get("boundaryPolicies") or [], 1):
        lines.append(f"    boundary {i}: {json.dumps(p, ensure_ascii=False)}")
    if case.get("resourcePolicy"):
        lines.append(f"    resource policy: {json.dumps(case['resourcePolicy'], ensure_ascii=False)}")
    return "\n".join(lines)


def report(cases_by_id: dict, mismatches: list, errors: list, total: int) -> str:
    out = [f"SimulateCustomPolicy disagrees with iam-simulate on {len(mismatches)} of {total} cases"
           f" ({len(errors)} more ended in an error)."]
    if mismatches:
        kinds = collections.Counter(f"{w} -> {g}" for _, w, g in mismatches)
        out.append("By decision (iam-simulate -> Portcullis): "
                   + ", ".join(f"{k}: {n}" for k, n in kinds.most_common()))
        totals = collections.Counter(t for c in cases_by_id.values() for t in c.get("tags", []))
        tags = collections.Counter(t for cid, _, _ in mismatches for t in cases_by_id[cid].get("tags", []))
        ranked = sorted(tags.items(), key=lambda kv: (-kv[1] / totals[kv[0]], -kv[1]))
        out.append("By tag (disagreeing / cases with the tag), most telling first:")
        out.extend(f"  {t:34} {n:4} / {totals[t]}" for t, n in ranked[:30])
        probes = [cid for cid, _, _ in mismatches if cid.startswith("p-")]
        if probes:
            out.append("Probes that disagree (each targets one known difference): " + ", ".join(probes))
        out.append(f"First {min(DETAILS, len(mismatches))} disagreements:")
        out.extend(describe(cases_by_id[cid], w, g) for cid, w, g in mismatches[:DETAILS])
        out.append("Triage: node tests/differential/portcullis_model.mjs CASES tests/differential/expected.json "
                   "attributes each disagreement to a known semantic difference (docs/iam-differential.md).")
    if errors:
        grouped = collections.Counter(msg for _, msg in errors)
        out.append("Errors (count: message):")
        out.extend(f"  {n}: {msg}" for msg, n in grouped.most_common(15))
        out.append("  e.g. " + ", ".join(cid for cid, _ in errors[:10]))
    return "\n".join(out)


def test_generated_cases_match_expected_fixture(cases, expected):
    """The harness: generate.mjs reproduces the cases, every one has a decision, none is skipped."""
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)) == expected["meta"]["cases"]
    assert set(ids) == set(expected["decisions"]), "expected.json and the generated cases differ in ids"
    assert set(expected["decisions"].values()) <= {"allowed", "explicitDeny", "implicitDeny"}
    # Every decision occurs: a generator that drifted to all-deny would test little.
    counts = collections.Counter(expected["decisions"].values())
    assert min(counts.values()) >= len(ids) // 10, counts
    assert len(wire_cases(cases)) >= 2000


def test_simulate_custom_policy_matches_iam_simulate(server, cases, expected, tmp_path):
    iam = server.client("iam")
    decisions = expected["decisions"]
    cases_by_id = {c["id"]: c for c in cases}
    todo = wire_cases(cases)
    mismatches: list[tuple[str, str, str]] = []
    errors: list[tuple[str, str]] = []
    results: dict[str, str] = {}
    accepted: collections.Counter = collections.Counter()
    consecutive_failures = 0
    for case in todo:
        try:
            r = iam.simulate_custom_policy(**to_request(case))
            got = r["EvaluationResults"][0]["EvalDecision"]
            consecutive_failures = 0
        except ClientError as e:
            err = e.response.get("Error", {})
            errors.append((case["id"], f"{err.get('Code')}: {err.get('Message')}"))
            continue
        except BotoCoreError as e:  # connection refused, timeouts: the server may be gone
            errors.append((case["id"], f"{type(e).__name__}: {e}"))
            consecutive_failures += 1
            if consecutive_failures >= 20:
                errors.append(("-", "stopped after 20 consecutive transport errors"))
                break
            continue
        results[case["id"]] = got
        if got != decisions[case["id"]]:
            if documented(case):
                accepted[documented(case)] += 1
            else:
                mismatches.append((case["id"], decisions[case["id"]], got))

    path = Path(os.environ.get("PORTCULLIS_DIFF_REPORT", tmp_path / "iam-differential-report.json"))
    listed = [{"id": cid, "iamSimulate": w, "portcullis": g} for cid, w, g in mismatches]
    path.write_text(json.dumps({
        "cases": len(todo), "portcullis": results, "mismatches": listed,
        "errors": [{"id": cid, "error": m} for cid, m in errors],
        "documentedDivergences": dict(accepted),
    }, indent=1))
    agreed = len(results) - len(mismatches) - sum(accepted.values())
    print(f"{agreed} of {len(todo)} cases agree with iam-simulate; documented divergences: "
          f"{dict(accepted)}")
    if mismatches or errors:
        text = report(cases_by_id, mismatches, errors, len(todo))
        if mismatches:
            text += "\n" + explain(cases, listed, tmp_path)
        pytest.fail(text + f"\nFull report: {path}", pytrace=False)


def explain(cases: list[dict], mismatches: list[dict], tmp_path: Path) -> str:
    """Each disagreement's known cause, from tests/differential/portcullis_model.mjs (plain node)."""
    cases_file = tmp_path / "cases.json"
    mismatches_file = tmp_path / "mismatches.json"
    cases_file.write_text(json.dumps(cases))
    mismatches_file.write_text(json.dumps(mismatches))
    try:
        p = subprocess.run([node(), str(DIFF / "portcullis_model.mjs"), "--explain", str(cases_file),
                            str(mismatches_file)], capture_output=True, text=True,
                           timeout=GENERATE_TIMEOUT, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"(could not attribute the disagreements: {e})"
    return p.stdout if p.returncode == 0 else f"(could not attribute the disagreements: {p.stderr})"
