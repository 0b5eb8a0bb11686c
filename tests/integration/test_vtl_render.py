"""`portcullis vtl render`: mapping templates rendered offline as API Gateway renders them (single
and --cases batch modes), and the management API keeping templates it could not render, as AWS
does. Expected outputs marked AWS-recorded come from vtl-authorizers-federation.md §1.3/§1.5."""

from __future__ import annotations

import json
import subprocess

import pytest

from apigateway_helpers import ag, new_api, root_id  # noqa: F401
from portcullis_helpers import BINARY


def render(tmp_path, template: str, *args: str, body: str | None = None, stdin: str | None = None):
    t = tmp_path / "t.vtl"
    t.write_text(template)
    argv = [BINARY, "vtl", "render", "--template", str(t), *args]
    if body is not None:
        b = tmp_path / "body"
        b.write_text(body)
        argv += ["--body", str(b)]
    return subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=30)


def out(tmp_path, template: str, *args: str, body: str | None = None) -> str:
    p = render(tmp_path, template, *args, body=body)
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_input_json_path_and_body(tmp_path):
    body = '{"name": "Ann \\"A\\"", "tags": ["x", "y"], "n": 1.5}'
    t = '{"name": $input.json(\'$.name\'), "tags": $input.json(\'$.tags\'), "n": $input.path(\'$.n\'), "first": "$input.path(\'$.tags[0]\')", "raw": $input.body}'
    assert json.loads(out(tmp_path, t, body=body)) == {
        "name": 'Ann "A"', "tags": ["x", "y"], "n": 1.5, "first": "x", "raw": json.loads(body)}


def test_missing_path_renders_empty_aws_recorded(tmp_path):
    t = '#set($result = $input.path("$.nonExisting"))\n{"body": $result, "nested": $result.nested, "isNull": #if($result == $null)true#{else}false#end}'
    assert out(tmp_path, t, body='{"a": 1}') == '{"body": , "nested": , "isNull": true}'


@pytest.mark.parametrize("body, expected", [
    ('{"foo": "bar"}', "{foo=bar}"),
    ('{"bigger": "dict", "to": "test", "with": "separators"}', "{bigger=dict, to=test, with=separators}"),
    ('[{"foo": "bar"}]', '[{"foo":"bar"}]'),
    ('{"foo": [{"nested": "bar"}]}', '{foo=[{"nested":"bar"}]}'),
])
def test_path_values_print_as_aws_recorded(tmp_path, body, expected):
    assert out(tmp_path, "$input.path('$')", body=body) == expected


def test_empty_and_non_json_bodies(tmp_path):
    # AWS-recorded: an empty body is {} (also through urlEncode).
    assert out(tmp_path, "$input.body|$util.urlEncode($input.body)|$input.json('$')", body="") \
        == '{}|%7B%7D|""'
    assert out(tmp_path, "$input.path('$').split('&').size()|$input.json('$')|$input.path('$.a')",
               body="a=b&c=d") == '2|""|'


def test_util_functions(tmp_path):
    t = ("$util.urlEncode('{\"some\": \"value\"}')|$util.urlDecode('a+b%21')|"
         "$util.escapeJavaScript($input.path('$.s'))|$util.base64Encode('hi')|"
         "$util.base64Decode('aGk=')|$util.parseJson('{\"k\":{\"arr\":[1,2]}}').k.arr[0]")
    body = json.dumps({"s": "it's \"q\" / \u00e9 \U0001F600"})
    assert out(tmp_path, t, body=body) == (
        "%7B%22some%22%3A+%22value%22%7D|a b!|it\\'s \\\"q\\\" \\/ \\u00E9 \\uD83D\\uDE00|aGk=|hi|1")


def test_params_stage_variables_and_context(tmp_path):
    params = {"path": {"id": "7"}, "querystring": {"q": "search", "id": "not-this"},
              "header": {"X-Trace": "abc"}}
    ctx = {"requestId": "req-1", "stage": "prod", "requestTimeEpoch": 1700000000123,
           "identity": {"sourceIp": "10.1.2.3"}, "authorizer": {"principalId": "me"}}
    t = ("$input.params('id') $input.params('q') $input.params('x-trace') "
         "$input.params().header.get('X-Trace') $stageVariables.env ${stageVariables['env']} "
         "$context.requestId $context.stage $context.identity.sourceIp $context.authorizer.principalId "
         "$context.requestTime $context.requestTimeEpoch")
    assert out(tmp_path, t, "--params", json.dumps(params), "--stage-variables", '{"env": "blue"}',
               "--context", json.dumps(ctx)) == (
        "7 search abc abc blue blue req-1 prod 10.1.2.3 me 14/Nov/2023:22:13:20 +0000 1700000000123")


def test_template_from_stdin_and_velocity_nulls(tmp_path):
    p = subprocess.run([BINARY, "vtl", "render", "--template", "-"], input="a$nosuch.b|$!q|",
                       capture_output=True, text=True, timeout=30)
    assert (p.returncode, p.stdout) == (0, "a||")
    assert out(tmp_path, "a$nosuch|$!q|", "--velocity-nulls") == "a$nosuch||"


@pytest.mark.parametrize("template", ["#if($x", "$input.json('$[')", "$util.parseJson('{bad')",
                                      "$util.urlDecode('%zz')"])
def test_failing_templates_exit_1(tmp_path, template):
    p = render(tmp_path, template, body='{"a": 1}')
    assert p.returncode == 1
    assert p.stdout == ""
    assert p.stderr.startswith("Execution failed due to configuration error: Unable to transform request: ")


def test_bad_options_exit_2(tmp_path):
    assert render(tmp_path, "x", "--params", "{nope").returncode == 2
    assert render(tmp_path, "x", "--params", '{"cookies": {}}').returncode == 2
    assert render(tmp_path, "x", "--context", '{"requestID": "typo"}').returncode == 2
    p = subprocess.run([BINARY, "vtl", "render", "--template", str(tmp_path / "missing")],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 2 and "cannot read" in p.stderr


def test_cases_batch(tmp_path):
    cases = [
        {"name": "plain", "template": "Hello $who!", "vars": {"who": "world"}},
        {"name": "input", "template": "$input.json('$.a')", "body": '{"a": [1, 2]}'},
        {"name": "params", "template": "$input.params('p')$stageVariables.s$context.stage",
         "params": {"path": {"p": "P"}}, "stageVariables": {"s": "S"}, "context": {"stage": "C"}},
        {"name": "velocity", "template": "$missing", "nulls": "velocity"},
        {"name": "aws", "template": "[$missing]", "nulls": "aws"},
        {"name": "bad", "template": "#foreach($x in"},
        {"name": "override", "template": "#set($context.responseOverride.status = 444)ok"},
        {"name": "no-template"},
    ]
    lines = [json.dumps(c) for c in cases]
    lines.insert(3, "")  # blank lines are skipped
    lines.append("{not json")
    f = tmp_path / "cases.jsonl"
    f.write_text("\n".join(lines) + "\n")
    p = subprocess.run([BINARY, "vtl", "render", "--cases", str(f)], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    results = [json.loads(line) for line in p.stdout.splitlines()]
    assert [r["name"] for r in results] == [c.get("name") for c in cases] + [None]
    by = {r["name"]: r for r in results}
    assert by["plain"] == {"name": "plain", "output": "Hello world!"}
    assert by["input"] == {"name": "input", "output": "[1,2]"}
    assert by["params"]["output"] == "PSC"
    assert by["velocity"]["output"] == "$missing"
    assert by["aws"]["output"] == "[]"
    assert set(by["bad"]) == {"name", "error"} and by["bad"]["error"]
    assert by["override"]["output"] == "ok"
    assert "template" in by["no-template"]["error"]
    assert "error" in results[-1]


def test_cases_from_stdin_many(tmp_path):
    lines = "\n".join(json.dumps({"name": i, "template": "#foreach($i in [1..3])$i#end-$n",
                                  "vars": {"n": i}}) for i in range(500))
    p = subprocess.run([BINARY, "vtl", "render", "--cases", "-"], input=lines, capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    results = [json.loads(line) for line in p.stdout.splitlines()]
    assert results == [{"name": i, "output": f"123-{i}"} for i in range(500)]


def test_management_api_keeps_templates_it_cannot_render(ag):  # noqa: F811
    # AWS stores templates as given and fails only when a request renders them.
    api = new_api(ag, "vtl")
    root = root_id(ag, api)
    bad = {"application/json": "#if($input.json('$[') ## never closed", "text/plain": "$util.nosuch("}
    ag.put_method(restApiId=api, resourceId=root, httpMethod="POST", authorizationType="NONE")
    r = ag.put_integration(restApiId=api, resourceId=root, httpMethod="POST", type="MOCK",
                           requestTemplates=bad)
    assert r["requestTemplates"] == bad
    ag.put_method_response(restApiId=api, resourceId=root, httpMethod="POST", statusCode="200")
    r = ag.put_integration_response(restApiId=api, resourceId=root, httpMethod="POST",
                                    statusCode="200", responseTemplates=bad)
    assert r["responseTemplates"] == bad
    r = ag.put_gateway_response(restApiId=api, responseType="DEFAULT_4XX", responseTemplates=bad)
    assert r["responseTemplates"] == bad
    assert ag.get_integration(restApiId=api, resourceId=root, httpMethod="POST")["requestTemplates"] == bad
    ag.create_deployment(restApiId=api, stageName="prod")  # deploying does not reject them either
