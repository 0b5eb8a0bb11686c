"""Calls to deployed REST APIs (the invoke path): every URL form, routing rules, AWS_IAM with
long-term and session credentials, resource policies, MOCK integrations, gateway responses and
every routing and authentication error of §3 (docs/invoke.md), byte for byte."""

from __future__ import annotations

import datetime
import json
import urllib.parse

import pytest

from apigateway_helpers import ag, root_id  # noqa: F401
from portcullis_helpers import (ADMIN_KEY, ADMIN_SECRET, DEFAULT_ACCOUNT, RawConnection, exchange, manual_sign,
                                raw_request, run_curl, sign, unique, utcnow)

REGION = "us-east-1"
MAT = {"message": "Missing Authentication Token"}
MASKED = "********" + DEFAULT_ACCOUNT[-4:]


# -- building APIs --------------------------------------------------------------------------------

def resource(ag, api, parent, part):
    return ag.create_resource(restApiId=api, parentId=parent, pathPart=part)["id"]


def mock(ag, api, res, verb="GET", auth="NONE", name="x", status="200", request_template=None,
         headers=None, templates=None, extra_responses=()):
    """A MOCK method answering `status` with the literal template {"resource": name}."""
    ag.put_method(restApiId=api, resourceId=res, httpMethod=verb, authorizationType=auth,
                  **({"requestParameters": {}} if False else {}))
    kw = {"requestTemplates": {"application/json": request_template}} if request_template else {}
    ag.put_integration(restApiId=api, resourceId=res, httpMethod=verb, type="MOCK", **kw)
    for code, pattern in [(status, None), *extra_responses]:
        params = {f"method.response.header.{h}": False for h in (headers or {})}
        ag.put_method_response(restApiId=api, resourceId=res, httpMethod=verb, statusCode=code,
                               responseParameters=params)
        ir = {"restApiId": api, "resourceId": res, "httpMethod": verb, "statusCode": code,
              "responseTemplates": templates if templates is not None
              else {"application/json": json.dumps({"resource": name, "status": code})}}
        if pattern is not None:
            ir["selectionPattern"] = pattern
        if headers:
            ir["responseParameters"] = {f"method.response.header.{h}": v for h, v in headers.items()}
        ag.put_integration_response(**ir)


@pytest.fixture(scope="module")
def api(ag):
    """The main API, deployed to stage prod (and dev, with other variables)."""
    a = ag.create_rest_api(name=unique("invoke"))["id"]
    root = root_id(ag, a)
    mock(ag, a, root, name="root")
    pets = resource(ag, a, root, "pets")
    mock(ag, a, pets, name="pets", headers={"X-Static": "'hello'", "X-Color": "stageVariables.color"})
    mock(ag, a, pets, verb="POST", name="pets-post", status="201")
    pet = resource(ag, a, pets, "{petId}")
    mock(ag, a, pet, name="pet")
    special = resource(ag, a, pets, "special")
    mock(ag, a, special, name="special")
    # /pets/{petId}/toys exists only under the variable: /pets/special/toys backtracks to it.
    toys = resource(ag, a, pet, "toys")
    mock(ag, a, toys, name="toys")
    files = resource(ag, a, root, "files")
    fproxy = resource(ag, a, files, "{proxy+}")
    mock(ag, a, fproxy, verb="ANY", name="files-proxy")
    mock(ag, a, fproxy, verb="DELETE", name="files-delete")
    getonly = resource(ag, a, root, "getonly")
    mock(ag, a, getonly, name="getonly")
    # An intermediate resource without methods, and one with a method below it.
    bare = resource(ag, a, root, "bare")
    below = resource(ag, a, bare, "below")
    mock(ag, a, below, name="below")
    status_res = resource(ag, a, root, "status")
    mock(ag, a, status_res, name="status", request_template='{"statusCode": 201}',
         extra_responses=[("201", "2\\d\\d")])
    vtl = resource(ag, a, root, "vtl")
    mock(ag, a, vtl, name="vtl", templates={"application/json": "$input.json('$')"})
    http = resource(ag, a, root, "http")
    ag.put_method(restApiId=a, resourceId=http, httpMethod="GET", authorizationType="NONE")
    ag.put_integration(restApiId=a, resourceId=http, httpMethod="GET", type="HTTP",
                       integrationHttpMethod="GET", uri="http://127.0.0.1:9/")
    nomr = resource(ag, a, root, "empty")
    mock(ag, a, nomr, name="empty", templates={})
    # AWS_IAM: /secure, /secure/{item}, /admin/{proxy+}, and a root catch-all /{proxy+}.
    secure = resource(ag, a, root, "secure")
    mock(ag, a, secure, auth="AWS_IAM", name="secure")
    item = resource(ag, a, secure, "{item}")
    mock(ag, a, item, auth="AWS_IAM", name="secure-item")
    admin = resource(ag, a, root, "admin")
    aproxy = resource(ag, a, admin, "{proxy+}")
    mock(ag, a, aproxy, verb="ANY", auth="AWS_IAM", name="admin")
    rproxy = resource(ag, a, root, "{proxy+}")
    mock(ag, a, rproxy, verb="ANY", auth="AWS_IAM", name="catch-all")
    ag.create_deployment(restApiId=a, stageName="prod", variables={"color": "blue"})
    ag.create_deployment(restApiId=a, stageName="dev", variables={"color": "green"})
    return a


def host(api_id):
    return f"{api_id}.execute-api.{REGION}.amazonaws.com"


def call(server, method, path, api_id=None, headers=None, body=b"", host_name=None):
    h = {"Host": host_name or (host(api_id) if api_id else f"127.0.0.1:{server.port}")}
    h.update(headers or {})
    if method == "HEAD":
        with RawConnection(server.port) as c:
            c.send(raw_request(method, path, h, body))
            return c.read_response(head_only=True)
    return exchange(server.port, raw_request(method, path, h, body))


def signed(server, method, path, api_id, key=ADMIN_KEY, secret=ADMIN_SECRET, token=None,
           region=REGION, when=None, body=b"", extra=None):
    headers = dict(extra or {})
    if token:
        headers["X-Amz-Security-Token"] = token
    h = sign(method, f"http://{host(api_id)}{path}", body, headers, key=key, secret=secret,
             region=region, service="execute-api", when=when)
    return exchange(server.port, raw_request(method, path, h, body))


def resource_of(r):
    assert r.status < 300, (r.status, r.text)
    return r.json()["resource"]


# -- URL forms ----------------------------------------------------------------------------------

def test_host_form(server, api):
    r = call(server, "GET", "/prod/pets", api)
    assert r.status == 200 and r.json() == {"resource": "pets", "status": "200"}
    assert r.header("content-type") == "application/json"
    assert r.header("x-static") == "hello"
    assert r.header("x-color") == "blue"
    assert r.header("x-amzn-requestid") and len(r.header("x-amz-apigw-id")) == 16
    assert r.header("x-amz-apigw-id").endswith("=")
    assert r.header("x-amzn-trace-id") is None and r.header("x-amzn-errortype") is None
    # The host's region and port are optional; letter case does not matter.
    assert resource_of(call(server, "GET", "/prod/pets", host_name=f"{api.upper()}.execute-api.localhost:4566")) == "pets"
    assert call(server, "GET", "/dev/pets", api).header("x-color") == "green"


def test_path_forms(server, api):
    assert resource_of(call(server, "GET", f"/_aws/execute-api/{api}/prod/pets")) == "pets"
    assert resource_of(call(server, "GET", f"/restapis/{api}/prod/_user_request_/pets")) == "pets"
    assert resource_of(call(server, "GET", f"/restapis/{api}/prod/_user_request_")) == "root"
    assert resource_of(call(server, "GET", f"/restapis/{api}/prod/_user_request_/")) == "root"
    assert resource_of(call(server, "GET", f"/_aws/execute-api/{api}/prod")) == "root"


def test_stage_root(server, api):
    assert resource_of(call(server, "GET", "/prod", api)) == "root"
    assert resource_of(call(server, "GET", "/prod/", api)) == "root"
    assert resource_of(call(server, "GET", "//prod/pets", api)) == "pets"


def test_custom_domain(server, ag, api):
    name = f"{unique('api')}.example.com".lower()
    ag.create_domain_name(domainName=name, regionalCertificateArn=f"arn:aws:acm:{REGION}:{DEFAULT_ACCOUNT}:certificate/x",
                          endpointConfiguration={"types": ["REGIONAL"]})
    ag.create_base_path_mapping(domainName=name, basePath="v1", restApiId=api, stage="prod")
    ag.create_base_path_mapping(domainName=name, basePath="(none)", restApiId=api)
    ag.create_base_path_mapping(domainName=name, basePath="a/b", restApiId=api, stage="dev")
    assert resource_of(call(server, "GET", "/v1/pets", host_name=name)) == "pets"
    assert call(server, "GET", "/v1/pets", host_name=name.upper() + ":443").header("x-color") == "blue"
    assert resource_of(call(server, "GET", "/v1", host_name=name)) == "root"
    assert call(server, "GET", "/a/b/pets", host_name=name).header("x-color") == "green"
    # (none): the stage is the first segment.
    assert call(server, "GET", "/dev/pets", host_name=name).header("x-color") == "green"
    ag.delete_base_path_mapping(domainName=name, basePath="v1")
    r = call(server, "GET", "/v1/pets", host_name=name)
    assert (r.status, r.json()) == (403, {"message": "Forbidden"})
    ag.delete_domain_name(domainName=name)
    # No longer an invocation: the control plane's answer.
    r = call(server, "GET", "/v1/pets", host_name=name)
    assert r.header("x-amzn-errortype") == "MissingAuthenticationTokenException"
    assert r.header("x-amz-apigw-id") is None


# -- routing ------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, expected", [
    ("/prod/pets/7", "pet"), ("/prod/pets/special", "special"), ("/prod/pets/7/toys", "toys"),
    ("/prod/pets/special/toys", "toys"), ("/prod/pets/7/", "pet"), ("/prod/pets//7", "pet"),
    ("/prod/files/a", "files-proxy"), ("/prod/files/a/b/c", "files-proxy"),
    ("/prod/pets/Special", "pet"),
])
def test_routing(server, api, path, expected):
    assert resource_of(call(server, "GET", path, api)) == expected


def test_explicit_method_beats_any(server, api):
    assert resource_of(call(server, "DELETE", "/prod/files/x", api)) == "files-delete"
    assert resource_of(call(server, "PATCH", "/prod/files/x", api)) == "files-proxy"
    assert call(server, "POST", "/prod/pets", api).status == 201


@pytest.mark.parametrize("method, path", [
    ("GET", "/prod/nothing/here/at-all/x"),  # reaches the AWS_IAM catch-all: unsigned
    ("HEAD", "/prod/getonly"),    # HEAD is not implied by GET
    ("PUT", "/prod/pets"),        # the path exists, the verb does not
    ("GET", "/prod/files"),       # {proxy+} does not match its bare parent
    ("GET", "/prod/bare"),        # no methods: backtracks to the catch-all, AWS_IAM
    ("TRACE", "/prod/pets"),
])
def test_missing_authentication_token(server, api, method, path):
    r = call(server, method, path, api)
    assert r.status == 403, r.text
    if method != "HEAD":
        assert r.body == b'{"message":"Missing Authentication Token"}'
    assert r.header("x-amzn-errortype") == "MissingAuthenticationTokenException"
    assert r.header("content-type") == "application/json"


def test_path_parameters_undecoded(server, ag, api):
    # The whole segment, encoded as sent, reaches the {petId} resource.
    assert resource_of(call(server, "GET", "/prod/pets/a%2Fb", api)) == "pet"
    assert resource_of(call(server, "GET", "/prod/files/test%2Balias@gmail.com/plus/test+alias", api)) == "files-proxy"


def test_proxy_does_not_match_root_without_root_method(server, ag):
    a = ag.create_rest_api(name=unique("proxyonly"))["id"]
    root = root_id(ag, a)
    p = resource(ag, a, root, "{proxy+}")
    mock(ag, a, p, verb="ANY", name="proxy")
    ag.create_deployment(restApiId=a, stageName="s")
    assert resource_of(call(server, "GET", "/s/anything", a)) == "proxy"
    assert call(server, "GET", "/s", a).status == 403
    assert call(server, "GET", "/s/", a).body == b'{"message":"Missing Authentication Token"}'


# -- unknown API and stage ------------------------------------------------------------------------

def test_unknown_api(server):
    for r in (call(server, "GET", "/prod/x", "404api"),
              call(server, "GET", "/_aws/execute-api/404api/prod/x"),
              call(server, "GET", "/restapis/404api/prod/_user_request_/x")):
        assert r.status == 404
        assert r.body == b"{\"message\": \"The API id '404api' does not correspond to a deployed API Gateway API\"}"
    r = call(server, "GET", '/_aws/execute-api/a"b\\c/prod/x')
    assert r.status == 404 and r.json() == {"message": "The API id 'a\"b\\c' does not correspond to a deployed API Gateway API"}


def test_unknown_stage(server, api):
    for r in (call(server, "GET", "/nostage/pets", api), call(server, "GET", "/", api),
              call(server, "GET", f"/_aws/execute-api/{api}/nostage")):
        assert (r.status, r.body) == (403, b'{"message":"Forbidden"}')


def test_deployed_version_not_current(server, ag):
    """Calls reach what was deployed: later changes wait for the next deployment."""
    a = ag.create_rest_api(name=unique("frozen"))["id"]
    root = root_id(ag, a)
    mock(ag, a, root, name="v1")
    ag.create_deployment(restApiId=a, stageName="s")
    assert resource_of(call(server, "GET", "/s", a)) == "v1"
    new = resource(ag, a, root, "new")
    mock(ag, a, new, name="new")
    assert call(server, "GET", "/s/new", a).status == 403
    dep = ag.create_deployment(restApiId=a)["id"]
    assert call(server, "GET", "/s/new", a).status == 403
    ag.update_stage(restApiId=a, stageName="s", patchOperations=[
        {"op": "replace", "path": "/deploymentId", "value": dep}])
    assert resource_of(call(server, "GET", "/s/new", a)) == "new"
    ag.create_stage(restApiId=a, stageName="other", deploymentId=dep)
    ag.delete_stage(restApiId=a, stageName="s")
    assert call(server, "GET", "/s/new", a).body == b'{"message":"Forbidden"}'
    # An API without stages is not a deployed API.
    ag.delete_stage(restApiId=a, stageName="other")
    assert call(server, "GET", "/other/new", a).status == 404
    ag.delete_rest_api(restApiId=a)
    assert call(server, "GET", "/s/new", a).status == 404


def test_canary(server, ag):
    a = ag.create_rest_api(name=unique("canary"))["id"]
    root = root_id(ag, a)
    mock(ag, a, root, name="main", headers={"X-Color": "stageVariables.color"})
    ag.create_deployment(restApiId=a, stageName="s", variables={"color": "blue"})
    ag.put_integration_response(restApiId=a, resourceId=root, httpMethod="GET", statusCode="200",
                                responseTemplates={"application/json": '{"resource": "canary"}'},
                                responseParameters={"method.response.header.X-Color": "stageVariables.color"})
    ag.create_deployment(restApiId=a, stageName="s", canarySettings={
        "percentTraffic": 100.0, "stageVariableOverrides": {"color": "red"}})
    r = call(server, "GET", "/s", a)
    assert (resource_of(r), r.header("x-color")) == ("canary", "red")
    ag.update_stage(restApiId=a, stageName="s", patchOperations=[
        {"op": "replace", "path": "/canarySettings/percentTraffic", "value": "0"}])
    r = call(server, "GET", "/s", a)
    assert (resource_of(r), r.header("x-color")) == ("main", "blue")
    ag.update_stage(restApiId=a, stageName="s", patchOperations=[
        {"op": "remove", "path": "/canarySettings"}])
    assert resource_of(call(server, "GET", "/s", a)) == "main"


# -- MOCK -----------------------------------------------------------------------------------------

def test_mock_status_from_request_template(server, api):
    r = call(server, "GET", "/prod/status", api)
    assert (r.status, r.json()) == (201, {"resource": "status", "status": "201"})


def test_mock_without_response_template_is_empty(server, api):
    r = call(server, "GET", "/prod/empty", api)
    assert (r.status, r.body) == (200, b"")
    assert r.header("content-type") == "application/json"


@pytest.mark.parametrize("path", ["/prod/vtl", "/prod/http"])
def test_not_built_yet_is_a_configuration_error(server, api, path):
    r = call(server, "GET", path, api)
    # 36 bytes, with AWS's space: the messageString of this error begins with one (§3.1).
    assert (r.status, r.body) == (500, b'{"message": "Internal server error"}')
    assert r.header("x-amzn-errortype") == "InternalServerErrorException"


# -- AWS_IAM ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def users(server, api):
    iam = server.client("iam")
    arn = f"arn:aws:execute-api:{REGION}:{DEFAULT_ACCOUNT}:{api}"
    out = {}

    def user(name, policy):
        n = unique(name)
        iam.create_user(UserName=n)
        if policy:
            iam.put_user_policy(UserName=n, PolicyName="p", PolicyDocument=json.dumps(policy))
        k = iam.create_access_key(UserName=n)["AccessKey"]
        out[name] = (n, k["AccessKeyId"], k["SecretAccessKey"])

    user("alice", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "execute-api:Invoke",
         "Resource": [f"{arn}/prod/GET/secure", f"{arn}/prod/GET/secure/*"]}]})
    user("bob", None)
    user("carol", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": f"{arn}/*"},
        {"Effect": "Deny", "Action": "execute-api:Invoke", "Resource": f"{arn}/prod/GET/admin/*"}]})
    user("dave", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": f"{arn}/*/GET/secure",
         "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]})
    return out


def as_user(server, users, name, method, path, api, **kw):
    _, key, secret = users[name]
    return signed(server, method, path, api, key=key, secret=secret, **kw)


def denied(r, user_arn, resource, why=" because no identity-based policy allows the execute-api:Invoke action"):
    assert r.status == 403, r.text
    assert r.header("x-amzn-errortype") == "AccessDeniedException"
    expected = {"Message": f"User: {user_arn} is not authorized to perform: execute-api:Invoke on "
                           f"resource: arn:aws:execute-api:{REGION}:{MASKED}:{resource}{why}"}
    assert r.json() == expected


def user_arn(users, name):
    return f"arn:aws:iam::{DEFAULT_ACCOUNT}:user/{users[name][0]}"


def test_iam_allowed(server, api, users):
    assert resource_of(signed(server, "GET", "/prod/secure", api)) == "secure"  # the administrator
    assert resource_of(as_user(server, users, "alice", "GET", "/prod/secure", api)) == "secure"
    assert resource_of(as_user(server, users, "alice", "GET", "/prod/secure/x", api)) == "secure-item"


def test_iam_denied(server, api, users):
    denied(as_user(server, users, "bob", "GET", "/prod/secure", api), user_arn(users, "bob"),
           f"{api}/prod/GET/secure")
    denied(as_user(server, users, "alice", "GET", "/dev/secure", api), user_arn(users, "alice"),
           f"{api}/dev/GET/secure")
    denied(as_user(server, users, "carol", "GET", "/prod/admin/x", api), user_arn(users, "carol"),
           f"{api}/prod/GET/admin/x", " with an explicit deny in an identity-based policy")
    # The condition keys: aws:SourceIp is 127.0.0.1 here.
    denied(as_user(server, users, "dave", "GET", "/prod/secure", api), user_arn(users, "dave"),
           f"{api}/prod/GET/secure")


@pytest.mark.parametrize("path, arn_path", [
    ("/prod/admin/x", "admin/x"), ("/prod/admin//x", "admin/x"), ("//prod/admin/x", "admin/x"),
    ("/prod//admin/x", "admin/x"), ("/prod/admin/x/", "admin/x"), ("/prod/other/../admin/x", "admin/x"),
    ("/prod/./admin/x", "admin/x"),
])
def test_no_spelling_escapes_a_deny(server, api, users, path, arn_path):
    denied(as_user(server, users, "carol", "GET", path, api), user_arn(users, "carol"),
           f"{api}/prod/GET/{arn_path}", " with an explicit deny in an identity-based policy")


@pytest.mark.parametrize("path", ["/prod/Admin/x", "/prod/admin%2Fx", "/prod/x/%2e%2e/admin/x",
                                  "/prod/%61dmin/x"])
def test_other_spellings_reach_other_resources(server, api, users, path):
    # Not the admin resource: the ARN names what was reached, which the Deny does not cover.
    assert resource_of(as_user(server, users, "carol", "GET", path, api)) == "catch-all"


def test_decoded_signature_routes_the_signed_path(server, api, users):
    # A client that signed /prod/admin%2Fx as /prod/admin/x reaches the admin resource, denied.
    _, key, secret = users["carol"]
    h = manual_sign("GET", "/prod/admin%2Fx", {"Host": host(api)}, service="execute-api",
                    key=key, secret=secret, canonical_path="/prod/admin/x")
    denied(exchange(server.port, raw_request("GET", "/prod/admin%2Fx", h)), user_arn(users, "carol"),
           f"{api}/prod/GET/admin/x", " with an explicit deny in an identity-based policy")
    _, key, secret = users["alice"]
    h = manual_sign("GET", "/prod/secure%2Fx", {"Host": host(api)}, service="execute-api",
                    key=key, secret=secret, canonical_path="/prod/secure/x")
    assert resource_of(exchange(server.port, raw_request("GET", "/prod/secure%2Fx", h))) == "secure-item"


@pytest.mark.parametrize("path", ["/prod/secure/../admin/x", "/prod/securex", "/prod/SECURE",
                                  "/prod/secure%2Fx"])
def test_no_spelling_escapes_an_allow(server, api, users, path):
    r = as_user(server, users, "alice", "GET", path, api)
    assert r.status == 403 and r.header("x-amzn-errortype") == "AccessDeniedException", r.text


def test_session_credentials(server, api, users):
    iam, sts = server.client("iam"), server.client("sts")
    arn = f"arn:aws:execute-api:{REGION}:{DEFAULT_ACCOUNT}:{api}"
    role = unique("invoker")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"AWS": f"arn:aws:iam::{DEFAULT_ACCOUNT}:root"}}]}))
    iam.put_role_policy(RoleName=role, PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke",
                                                "Resource": f"{arn}/prod/GET/secure"}]}))
    c = sts.assume_role(RoleArn=f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/{role}", RoleSessionName="s1")["Credentials"]
    kw = dict(key=c["AccessKeyId"], secret=c["SecretAccessKey"], token=c["SessionToken"])
    assert resource_of(signed(server, "GET", "/prod/secure", api, **kw)) == "secure"
    denied(signed(server, "GET", "/prod/secure/x", api, **kw),
           f"arn:aws:sts::{DEFAULT_ACCOUNT}:assumed-role/{role}/s1", f"{api}/prod/GET/secure/x")
    # A broken token.
    r = signed(server, "GET", "/prod/secure", api, key=c["AccessKeyId"], secret=c["SecretAccessKey"],
               token=c["SessionToken"][:-8] + "AAAAAAAA")
    assert r.status == 403 and r.header("x-amzn-errortype") in ("UnrecognizedClientException", "ExpiredTokenException")


def test_unsigned_iam_method(server, api):
    r = call(server, "GET", "/prod/secure", api)
    assert (r.status, r.json()) == (403, MAT)
    assert r.header("x-amzn-errortype") == "MissingAuthenticationTokenException"


NOT_SIGV4 = ("Authorization header requires 'Credential' parameter. Authorization header requires "
             "'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. "
             "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
             "Authorization=")


@pytest.mark.parametrize("path", ["/prod/secure", "/prod/pets/nope/nope/nope"])
def test_not_sigv4_authorization(server, api, path):
    # On an AWS_IAM method and on a route that does not exist alike.
    target = path if path == "/prod/secure" else "/prod/getonly/x"
    r = call(server, "GET", target, api, headers={"Authorization": "eyJhbGciOi.abc.def"})
    assert r.status == 403
    assert r.body == json.dumps({"message": NOT_SIGV4 + "eyJhbGciOi.abc.def"}, separators=(",", ":")).encode()
    assert r.header("x-amzn-errortype") == "IncompleteSignatureException"
    r = call(server, "GET", target, api, headers={"Authorization": "Bearer tok"})
    assert r.json() == {"message": "'tok' not a valid key=value pair (missing equal-sign) in Authorization header: 'Bearer tok'."}


def test_none_method_passes_authorization_through(server, api):
    assert resource_of(call(server, "GET", "/prod/pets", api, headers={"Authorization": "Bearer tok"})) == "pets"


def test_signature_mismatch(server, api):
    r = signed(server, "GET", "/prod/secure", api, secret="wrong-secret")
    assert r.status == 403 and r.header("x-amzn-errortype") == "InvalidSignatureException"
    msg = r.json()["message"]
    assert msg.startswith("The request signature we calculated does not match the signature you provided. "
                          "Check your AWS Secret Access Key and signing method. Consult the service "
                          "documentation for details.\n\nThe Canonical String for this request should have been\n'GET\n/prod/secure\n")
    assert "'\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n" in msg and msg.endswith("'\n")


@pytest.mark.parametrize("minutes", [-6, 6])
def test_signature_time_window(server, api, minutes):
    r = signed(server, "GET", "/prod/secure", api, when=utcnow() + datetime.timedelta(minutes=minutes))
    assert r.status == 403 and r.header("x-amzn-errortype") == "InvalidSignatureException"
    msg = r.json()["message"]
    if minutes < 0:
        assert msg.startswith("Signature expired: ") and " is now earlier than " in msg and msg.endswith(" - 5 min.)")
    else:
        assert msg.startswith("Signature not yet current: ") and " is still later than " in msg and msg.endswith(" + 5 min.)")


def test_unknown_key(server, api):
    r = signed(server, "GET", "/prod/secure", api, key="AKIAUNKNOWNKEY000000")
    assert (r.status, r.body) == (403, b'{"message":"The security token included in the request is invalid."}')
    assert r.header("x-amzn-errortype") == "UnrecognizedClientException"


def test_wrong_region_or_service(server, api):
    r = signed(server, "GET", "/prod/secure", api, region="eu-west-1")
    assert r.status == 403 and "Credential should be scoped to a valid region" in r.json()["message"]
    h = sign("GET", f"http://{host(api)}/prod/secure", b"", service="apigateway")
    r = exchange(server.port, raw_request("GET", "/prod/secure", h))
    assert r.status == 403 and "Credential should be scoped to correct service: 'execute-api'." in r.json()["message"]


def test_portcullis_curl(server, api, tmp_path):
    env = {"AWS_ACCESS_KEY_ID": ADMIN_KEY, "AWS_SECRET_ACCESS_KEY": ADMIN_SECRET}
    p = run_curl(["-i", "-H", f"Host: {host(api)}", f"{server.endpoint}/prod/secure"], tmp_path, env)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("HTTP/1.1 200 OK\r\n") and '"resource": "secure"' in p.stdout
    p = run_curl(["-i", f"{server.endpoint}/restapis/{api}/prod/_user_request_/secure/x"], tmp_path, env)
    assert p.stdout.startswith("HTTP/1.1 200 OK\r\n") and '"secure-item"' in p.stdout, p.stdout


# -- resource policies ----------------------------------------------------------------------------

def test_resource_policy(server, ag, users):
    a = ag.create_rest_api(name=unique("policy"))["id"]
    root = root_id(ag, a)
    mock(ag, a, root, name="root")
    for part in ("open", "blocked", "iam"):
        r = resource(ag, a, root, part)
        mock(ag, a, r, name=part, auth="AWS_IAM" if part == "iam" else "NONE")
    arn = f"arn:aws:execute-api:{REGION}:{DEFAULT_ACCOUNT}:{a}"
    ag.update_rest_api(restApiId=a, patchOperations=[{"op": "replace", "path": "/policy", "value": json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
             "Condition": {"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}},
            {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*/GET/blocked"},
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{DEFAULT_ACCOUNT}:user/{users['bob'][0]}"},
             "Action": "execute-api:Invoke", "Resource": f"{arn}/s/GET/iam"}]})}])
    # Not deployed yet: a policy takes effect with the next deployment.
    ag.create_deployment(restApiId=a, stageName="s")
    assert resource_of(call(server, "GET", "/s/open", a)) == "open"
    r = call(server, "GET", "/s/blocked", a)
    assert (r.status, r.json()) == (403, {"Message": f"User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:{REGION}:{MASKED}:{a}/s/GET/blocked"})
    assert r.header("x-amzn-errortype") == "AccessDeniedException"
    # bob has no identity policy: the resource policy's grant is enough (same account).
    assert resource_of(as_user(server, users, "bob", "GET", "/s/iam", a)) == "iam"
    # A condition that does not hold: no anonymous caller gets through.
    ag.update_rest_api(restApiId=a, patchOperations=[{"op": "replace", "path": "/policy", "value": json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
             "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]})}])
    assert resource_of(call(server, "GET", "/s/open", a)) == "open"  # the old deployment still serves
    ag.create_deployment(restApiId=a, stageName="s")
    r = call(server, "GET", "/s/open", a)
    assert r.status == 403 and r.json()["Message"].startswith("User: anonymous is not authorized")


# -- gateway responses ----------------------------------------------------------------------------

def test_customised_gateway_responses(server, ag):
    a = ag.create_rest_api(name=unique("gwr"))["id"]
    root = root_id(ag, a)
    mock(ag, a, root, name="root")
    sec = resource(ag, a, root, "sec")
    mock(ag, a, sec, name="sec", auth="AWS_IAM")
    ag.put_gateway_response(restApiId=a, responseType="MISSING_AUTHENTICATION_TOKEN", statusCode="404",
                            responseParameters={"gatewayresponse.header.Access-Control-Allow-Origin": "'a.b.c'"},
                            responseTemplates={"application/json": '{"msg":"$context.error.message","type":"$context.error.responseType","color":"$stageVariables.color","stage":"${context.stage}"}'})
    ag.put_gateway_response(restApiId=a, responseType="DEFAULT_4XX",
                            responseParameters={"gatewayresponse.header.X-Default": "'yes'",
                                                "gatewayresponse.header.X-Echo": "method.request.header.X-In"})
    ag.create_deployment(restApiId=a, stageName="s", variables={"color": "blue"})
    r = call(server, "GET", "/s/nope", a)
    assert r.status == 404
    assert r.json() == {"msg": "Missing Authentication Token", "type": "MISSING_AUTHENTICATION_TOKEN",
                        "color": "blue", "stage": "s"}
    assert r.header("access-control-allow-origin") == "a.b.c"
    assert r.header("x-default") == "yes"  # the class default's headers reach a customised type
    assert r.header("x-amzn-errortype") == "MissingAuthenticationTokenException"
    # A 4XX type not customised itself: DEFAULT_4XX's headers, the default template.
    r = signed(server, "GET", "/s/sec", a, key="AKIAUNKNOWNKEY000000", extra={"X-In": "echoed"})
    assert (r.status, r.json()) == (403, {"message": "The security token included in the request is invalid."})
    assert (r.header("x-default"), r.header("x-echo")) == ("yes", "echoed")
    # Customised DEFAULT_4XX: denials use its template ("message"), not IAM's "Message".
    iam = server.client("iam")
    n = unique("nobody")
    iam.create_user(UserName=n)
    k = iam.create_access_key(UserName=n)["AccessKey"]
    r = signed(server, "GET", "/s/sec", a, key=k["AccessKeyId"], secret=k["SecretAccessKey"])
    assert r.status == 403 and r.json()["message"].startswith(f"User: arn:aws:iam::{DEFAULT_ACCOUNT}:user/{n} is not authorized")


def test_principal_tags_and_session_policies(server, api):
    iam, sts = server.client("iam"), server.client("sts")
    arn = f"arn:aws:execute-api:{REGION}:{DEFAULT_ACCOUNT}:{api}"
    n = unique("tagged")
    iam.create_user(UserName=n, Tags=[{"Key": "team", "Value": "pets"}])
    iam.put_user_policy(UserName=n, PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": f"{arn}/prod/GET/secure",
             "Condition": {"StringEquals": {"aws:PrincipalTag/team": "pets"}}},
            {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": f"{arn}/prod/GET/secure/*",
             "Condition": {"StringEquals": {"aws:PrincipalTag/team": "cats"}}}]}))
    k = iam.create_access_key(UserName=n)["AccessKey"]
    kw = dict(key=k["AccessKeyId"], secret=k["SecretAccessKey"])
    assert resource_of(signed(server, "GET", "/prod/secure", api, **kw)) == "secure"
    denied(signed(server, "GET", "/prod/secure/x", api, **kw), f"arn:aws:iam::{DEFAULT_ACCOUNT}:user/{n}",
           f"{api}/prod/GET/secure/x")
    # A session policy narrows a role session: allowed by the role, not by the session policy.
    role = unique("narrowed")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"AWS": f"arn:aws:iam::{DEFAULT_ACCOUNT}:root"}}]}))
    iam.put_role_policy(RoleName=role, PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": f"{arn}/*"}]}))
    c = sts.assume_role(RoleArn=f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/{role}", RoleSessionName="narrow",
                        Policy=json.dumps({"Version": "2012-10-17", "Statement": [
                            {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": f"{arn}/prod/GET/secure"}]}))["Credentials"]
    kw = dict(key=c["AccessKeyId"], secret=c["SecretAccessKey"], token=c["SessionToken"])
    assert resource_of(signed(server, "GET", "/prod/secure", api, **kw)) == "secure"
    denied(signed(server, "GET", "/prod/secure/x", api, **kw),
           f"arn:aws:sts::{DEFAULT_ACCOUNT}:assumed-role/{role}/narrow", f"{api}/prod/GET/secure/x",
           " because no session policy allows the execute-api:Invoke action")


def test_presigned_url(server, api):
    from portcullis_helpers import presign_url
    url = presign_url(f"http://{host(api)}/prod/secure", service="execute-api")
    target = url.split(host(api), 1)[1]
    r = exchange(server.port, raw_request("GET", target, {"Host": host(api)}))
    assert resource_of(r) == "secure"
