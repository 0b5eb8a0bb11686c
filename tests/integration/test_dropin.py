"""Drop-in use with existing AWS tooling: clients in any region (regional API Gateway state, IAM
shared, STS everywhere), LocalStack- and moto-style administrator keys, the migration of a
single-region state dir, absolute-form request targets from a real proxy-configured client, and
access-key last use kept across restarts."""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from portcullis_helpers import ADMIN_KEY, ADMIN_SECRET, DEFAULT_ACCOUNT, run_aws, wait_until

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]
LEGACY_STATE = Path(__file__).resolve().parent.parent / "data" / "state-single-region"


def error_of(fn, **kw):
    with pytest.raises(ClientError) as ei:
        fn(**kw)
    e = ei.value.response
    return e["Error"]["Code"], e["Error"].get("Message", ""), e["ResponseMetadata"]["HTTPStatusCode"]


# -- regions ------------------------------------------------------------------------------------

def test_every_commercial_region_is_served_by_default(server):
    for region in ["us-east-1", "us-west-2", "eu-west-1", "eu-central-2", "ap-northeast-3",
                   "sa-east-1", "me-central-1", "il-central-1"]:
        assert server.client("sts", region=region).get_caller_identity()["Account"] == DEFAULT_ACCOUNT
        assert "items" in server.client("apigateway", region=region).get_rest_apis()
    # Not a region AWS has.
    code, message, status = error_of(server.client("apigateway", region="xx-nowhere-1").get_rest_apis)
    assert (code, status) == ("InvalidSignatureException", 403)
    assert "Credential should be scoped to a valid region" in message


def test_rest_apis_belong_to_their_region(server):
    clients = {r: server.client("apigateway", region=r) for r in REGIONS}
    made = {r: c.create_rest_api(name=f"api-of-{r}") for r, c in clients.items()}
    for r, c in clients.items():
        names = {a["name"] for a in c.get_rest_apis()["items"]}
        assert f"api-of-{r}" in names
        assert not names & {f"api-of-{o}" for o in REGIONS if o != r}
        assert c.get_rest_api(restApiId=made[r]["id"])["name"] == f"api-of-{r}"
        for other in REGIONS:
            if other == r:
                continue
            code, message, status = error_of(c.get_rest_api, restApiId=made[other]["id"])
            assert (code, status) == ("NotFoundException", 404)
    # Everything inside an API, and the regional parts beside APIs, are regional too.
    eu, ap = clients["eu-west-1"], clients["ap-southeast-2"]
    api = made["eu-west-1"]["id"]
    root = [x for x in eu.get_resources(restApiId=api)["items"] if x["path"] == "/"][0]
    eu.put_method(restApiId=api, resourceId=root["id"], httpMethod="GET", authorizationType="NONE")
    eu.put_integration(restApiId=api, resourceId=root["id"], httpMethod="GET", type="MOCK")
    eu.create_deployment(restApiId=api, stageName="prod")
    assert [s["stageName"] for s in eu.get_stages(restApiId=api)["item"]] == ["prod"]
    key = eu.create_api_key(name="eu-key")
    assert key["id"] in {k["id"] for k in eu.get_api_keys()["items"]}
    assert key["id"] not in {k["id"] for k in ap.get_api_keys()["items"]}
    assert error_of(ap.get_api_key, apiKey=key["id"])[2] == 404
    plan = eu.create_usage_plan(name="eu-plan", apiStages=[{"apiId": api, "stage": "prod"}])
    assert plan["id"] not in {p["id"] for p in ap.get_usage_plans()["items"]}
    # A usage plan in one region cannot name another region's API.
    code, _, status = error_of(ap.create_usage_plan, name="x", apiStages=[{"apiId": api, "stage": "prod"}])
    assert status in (400, 404)
    # ARNs name the region the resource lives in.
    arn = f"arn:aws:apigateway:eu-west-1::/restapis/{api}"
    eu.tag_resource(resourceArn=arn, tags={"team": "eu"})
    assert eu.get_tags(resourceArn=arn)["tags"] == {"team": "eu"}
    # The export's host names its region.
    body = eu.get_export(restApiId=api, stageName="prod", exportType="oas30")["body"].read()
    assert f"{api}.execute-api.eu-west-1.amazonaws.com" in body.decode()


def test_iam_is_global_and_sts_answers_in_every_region(server):
    iam_eu = server.client("iam", region="eu-west-1")
    iam_us = server.client("iam", region="us-west-2")
    iam_eu.create_user(UserName="global-user")
    assert iam_us.get_user(UserName="global-user")["User"]["UserName"] == "global-user"
    key = iam_us.create_access_key(UserName="global-user")["AccessKey"]
    iam_eu.put_user_policy(UserName="global-user", PolicyName="only-eu", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"},
            {"Effect": "Allow", "Action": "apigateway:GET", "Resource": "*",
             "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}},
        ]}))
    for r in REGIONS:
        ident = server.client("sts", key["AccessKeyId"], key["SecretAccessKey"], region=r).get_caller_identity()
        assert ident["Arn"] == f"arn:aws:iam::{DEFAULT_ACCOUNT}:user/global-user"

    def apis(region):
        return server.client("apigateway", key["AccessKeyId"], key["SecretAccessKey"], region=region).get_rest_apis

    # aws:RequestedRegion is the region the call was signed for.
    assert wait_until(lambda: _succeeds(apis("eu-west-1")), 5)
    code, message, status = error_of(apis("us-east-1"))
    assert (code, status) == ("AccessDeniedException", 403)
    assert "arn:aws:apigateway:us-east-1::/restapis" in message


def _succeeds(fn):
    try:
        fn()
        return True
    except ClientError:
        return False


def test_iam_calls_are_made_in_us_east_1_whatever_the_signing_region(server):
    # AWS serves IAM from us-east-1: aws:RequestedRegion is us-east-1 for IAM calls.
    iam = server.client("iam")
    iam.create_user(UserName="iam-region-user")
    key = iam.create_access_key(UserName="iam-region-user")["AccessKey"]
    iam.put_user_policy(UserName="iam-region-user", PolicyName="iam-in-us-east-1", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*",
                       "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}}]}))
    mine = server.client("iam", key["AccessKeyId"], key["SecretAccessKey"], region="eu-west-1")
    assert wait_until(lambda: _succeeds(lambda: mine.get_user(UserName="iam-region-user")), 5)


def test_configured_regions_only(start_server):
    s = start_server("--regions", "eu-north-1", "--region", "eu-north-1")
    assert "items" in s.client("apigateway", region="eu-north-1").get_rest_apis()
    assert error_of(s.client("apigateway", region="eu-west-1").get_rest_apis)[0] == "InvalidSignatureException"
    assert error_of(s.client("iam", region="eu-west-1").list_users)[0] == "SignatureDoesNotMatch"
    # The global endpoint's scope stays accepted for IAM and STS.
    assert s.client("iam", region="us-east-1").list_users()["Users"]
    s2 = start_server(env={"PORTCULLIS_REGIONS": "us-west-1,us-west-2"})
    assert "items" in s2.client("apigateway", region="us-west-2").get_rest_apis()
    # The default region is always served.
    assert "items" in s2.client("apigateway", region="us-east-1").get_rest_apis()
    assert error_of(s2.client("apigateway", region="eu-west-1").get_rest_apis)[2] == 403


def test_aws_cli_in_another_region(server, tmp_path):
    env = {"AWS_ACCESS_KEY_ID": ADMIN_KEY, "AWS_SECRET_ACCESS_KEY": ADMIN_SECRET}
    made = run_aws(["--endpoint-url", server.endpoint, "--region", "eu-central-1", "apigateway",
                    "create-rest-api", "--name", "cli-eu-central"], tmp_path, env)
    assert made.returncode == 0, made.stderr
    api = json.loads(made.stdout)["id"]
    listed = run_aws(["--endpoint-url", server.endpoint, "--region", "eu-central-1", "apigateway",
                      "get-rest-apis", "--query", "items[].id", "--output", "text"], tmp_path, env)
    assert api in listed.stdout.split()
    elsewhere = run_aws(["--endpoint-url", server.endpoint, "--region", "us-east-2", "apigateway",
                         "get-rest-api", "--rest-api-id", api], tmp_path, env)
    assert elsewhere.returncode == 254
    assert "NotFoundException" in elsewhere.stderr


# -- an old single-region state dir -------------------------------------------------------------

LEGACY = {"api": "pcgi7tvubc", "key": "oom21j6h47", "plan": "1lfv42", "deployment": "y9fs91"}


@pytest.mark.parametrize("default_region", ["us-east-1", "eu-west-1"])
def test_single_region_state_dir_is_migrated(start_server, tmp_path, default_region):
    state = tmp_path / "legacy"
    shutil.copytree(LEGACY_STATE, state, ignore=shutil.ignore_patterns("README*"))
    s = start_server("--region", default_region, state_dir=state)
    assert "single-region layout to region " + default_region in s.stderr
    ag = s.client("apigateway", region=default_region)
    api = ag.get_rest_api(restApiId=LEGACY["api"])
    assert api["name"] == "legacy-api"
    pets = [r for r in ag.get_resources(restApiId=LEGACY["api"])["items"] if r["path"] == "/pets"][0]
    assert ag.get_integration(restApiId=LEGACY["api"], resourceId=pets["id"], httpMethod="GET")["type"] == "MOCK"
    assert ag.get_stage(restApiId=LEGACY["api"], stageName="test")["deploymentId"] == LEGACY["deployment"]
    assert ag.get_deployment(restApiId=LEGACY["api"], deploymentId=LEGACY["deployment"])["id"] == LEGACY["deployment"]
    assert ag.get_api_key(apiKey=LEGACY["key"], includeValue=True)["value"] == "legacykeyvalue0123456789"
    assert [k["id"] for k in ag.get_usage_plan_keys(usagePlanId=LEGACY["plan"])["items"]] == [LEGACY["key"]]
    # Nothing of it in another region; IAM untouched.
    other = "ap-south-1"
    assert s.client("apigateway", region=other).get_rest_apis()["items"] == []
    assert s.client("iam").get_user(UserName="legacy-user")["User"]["UserName"] == "legacy-user"
    # Moved once: a restart finds it where the first start put it, and says nothing more.
    assert s.terminate() == 0
    s2 = start_server("--region", default_region, state_dir=state)
    assert "single-region layout" not in s2.stderr
    assert s2.client("apigateway", region=default_region).get_rest_api(restApiId=LEGACY["api"])["name"] == "legacy-api"


# -- administrator keys of other tools' set-ups ---------------------------------------------------

@pytest.mark.parametrize("key, secret", [("test", "test"), ("FOOBARKEY", "FOOBARSECRET")])
def test_short_admin_credentials(start_server, tmp_path, key, secret):
    s = start_server(env={"PORTCULLIS_ADMIN_ACCESS_KEY_ID": key,
                          "PORTCULLIS_ADMIN_SECRET_ACCESS_KEY": secret}, admin_env=False)
    assert "shorter than the keys AWS issues" in s.stderr
    assert secret not in s.stderr
    ident = s.client("sts", key, secret).get_caller_identity()
    assert ident["Arn"] == f"arn:aws:iam::{DEFAULT_ACCOUNT}:user/admin"
    assert s.client("iam", key, secret, region="eu-west-1").list_users()["Users"]
    # A wrong secret is still refused.
    assert error_of(s.client("sts", key, secret + "x").get_caller_identity)[0] == "SignatureDoesNotMatch"
    # Keys the server makes are AWS-shaped whatever the administrator's look like.
    made = s.client("iam", key, secret).create_access_key(UserName="admin")["AccessKey"]
    assert made["AccessKeyId"].startswith("AKIA") and len(made["AccessKeyId"]) == 20
    assert len(made["SecretAccessKey"]) == 40
    cli = run_aws(["--endpoint-url", s.endpoint, "sts", "get-caller-identity", "--query", "Arn",
                   "--output", "text"], tmp_path, {"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret})
    assert cli.returncode == 0, cli.stderr
    assert cli.stdout.strip() == f"arn:aws:iam::{DEFAULT_ACCOUNT}:user/admin"


def test_aws_shaped_admin_key_gives_no_warning(start_server):
    key, secret = "AKIA" + "A" * 16, "s" * 40
    s = start_server(env={"PORTCULLIS_ADMIN_ACCESS_KEY_ID": key,
                          "PORTCULLIS_ADMIN_SECRET_ACCESS_KEY": secret}, admin_env=False)
    assert "shorter than the keys AWS issues" not in s.stderr
    assert s.client("sts", key, secret).get_caller_identity()["Account"] == DEFAULT_ACCOUNT


# -- absolute-form request targets ------------------------------------------------------------------

PERL_CLIENT = textwrap.dedent(r"""
    use strict; use warnings;
    use AWS::Signature4; use LWP::UserAgent; use HTTP::Request::Common qw(POST GET);
    my ($proxy, $url, $region) = @ARGV;
    my $signer = AWS::Signature4->new(-access_key => $ENV{KEY}, -secret_key => $ENV{SECRET});
    my $ua = LWP::UserAgent->new(timeout => 10);
    $ua->proxy(['http'], $proxy);
    my $req = $url =~ m{/restapis} ? GET($url)
        : POST($url, [Action => 'GetCallerIdentity', Version => '2011-06-15']);
    $signer->sign($req, $region);
    my $res = $ua->request($req);
    print $res->code, "\n", $res->decoded_content;
""")


def run_perl(tmp_path, proxy, url, region, key=ADMIN_KEY, secret=ADMIN_SECRET):
    script = tmp_path / "client.pl"
    script.write_text(PERL_CLIENT)
    p = subprocess.run(["perl", str(script), proxy, url, region], capture_output=True, text=True,
                       timeout=30, stdin=subprocess.DEVNULL,
                       env={"KEY": key, "SECRET": secret, "PATH": "/usr/bin:/bin", "no_proxy": ""})
    assert p.returncode == 0, p.stderr
    status, _, body = p.stdout.partition("\n")
    return int(status), body


def test_absolute_form_target_from_a_proxy_configured_client(server, tmp_path):
    # LWP sends "POST http://sts.eu-west-1.amazonaws.com/ HTTP/1.1" to its proxy: the server is
    # the proxy here, and the signature covers the target's authority.
    status, body = run_perl(tmp_path, server.endpoint, "http://sts.eu-west-1.amazonaws.com/", "eu-west-1")
    assert status == 200, body
    assert f"<Arn>arn:aws:iam::{DEFAULT_ACCOUNT}:user/admin</Arn>" in body
    # The path form too, for API Gateway in another region.
    status, body = run_perl(tmp_path, server.endpoint,
                            "http://apigateway.ap-southeast-2.amazonaws.com/restapis", "ap-southeast-2")
    assert status == 200, body
    assert "item" in json.loads(body) or json.loads(body) == {}
    # A wrong secret is refused as ever.
    status, body = run_perl(tmp_path, server.endpoint, "http://sts.amazonaws.com/", "us-east-1",
                            secret=ADMIN_SECRET + "x")
    assert status == 403
    assert "SignatureDoesNotMatch" in body


# -- access key last use -----------------------------------------------------------------------------

def test_access_key_last_used_survives_a_restart(start_server, tmp_path):
    state = tmp_path / "keyuse"
    s = start_server(state_dir=state)
    iam = s.client("iam")
    iam.create_user(UserName="user-of-keys")
    iam.attach_user_policy(UserName="user-of-keys", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    key = iam.create_access_key(UserName="user-of-keys")["AccessKey"]
    fresh = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
    assert fresh["ServiceName"] == "N/A" and fresh["Region"] == "N/A" and "LastUsedDate" not in fresh
    mine = s.client("apigateway", key["AccessKeyId"], key["SecretAccessKey"], region="eu-west-3")
    assert wait_until(lambda: _succeeds(mine.get_rest_apis), 5)
    used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
    assert (used["ServiceName"], used["Region"]) == ("apigateway", "eu-west-3")
    assert s.terminate() == 0
    s2 = start_server(state_dir=state)
    again = s2.client("iam").get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
    assert (again["ServiceName"], again["Region"]) == ("apigateway", "eu-west-3")
    assert again["LastUsedDate"] == used["LastUsedDate"]


# -- what outside clients send ---------------------------------------------------------------------

def test_authorization_type_in_any_case(server):
    ag = server.client("apigateway", region="eu-west-1")
    api = ag.create_rest_api(name="zappa-style")["id"]
    root = [x for x in ag.get_resources(restApiId=api)["items"] if x["path"] == "/"][0]["id"]
    # Zappa has sent "none" for years; the model declares a string, not an enumeration.
    made = ag.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="none")
    assert made["authorizationType"] == "none"
    assert ag.get_method(restApiId=api, resourceId=root, httpMethod="GET")["authorizationType"] == "none"
    ag.put_method(restApiId=api, resourceId=root, httpMethod="POST", authorizationType="aws_iam")
    auth = ag.create_authorizer(restApiId=api, name="tok", type="TOKEN", identitySource="method.request.header.Authorization",
                                authorizerUri="arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/"
                                              "arn:aws:lambda:eu-west-1:000000000000:function:auth/invocations")["id"]
    # "custom" still needs an authorizer of a custom type, as CUSTOM does.
    code, message, _ = error_of(ag.put_method, restApiId=api, resourceId=root, httpMethod="PUT",
                                authorizationType="custom")
    assert (code, message) == ("BadRequestException", "Invalid authorizer ID specified. Setting the authorization "
                               "type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.")
    ag.put_method(restApiId=api, resourceId=root, httpMethod="PUT", authorizationType="Custom", authorizerId=auth)
    # Leaving a custom type in lower case drops the authorizer as leaving CUSTOM does.
    patched = ag.update_method(restApiId=api, resourceId=root, httpMethod="PUT",
                               patchOperations=[{"op": "replace", "path": "/authorizationType", "value": "none"}])
    assert patched["authorizationType"] == "none" and "authorizerId" not in patched
    code, message, _ = error_of(ag.put_method, restApiId=api, resourceId=root, httpMethod="DELETE",
                                authorizationType="nobody")
    assert code == "BadRequestException"
    assert "Member must satisfy enum value set: [NONE, AWS_IAM, CUSTOM, COGNITO_USER_POOLS]" in message
    # The export reads the meaning, not the spelling.
    ag.put_integration(restApiId=api, resourceId=root, httpMethod="POST", type="MOCK",
                       passthroughBehavior="when_no_templates")
    assert ag.get_integration(restApiId=api, resourceId=root, httpMethod="POST")["passthroughBehavior"] == "when_no_templates"
    ag.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
    ag.put_integration(restApiId=api, resourceId=root, httpMethod="PUT", type="MOCK")
    ag.create_deployment(restApiId=api, stageName="s")
    doc = json.loads(ag.get_export(restApiId=api, stageName="s", exportType="oas30",
                                   parameters={"extensions": "integrations"},
                                   accepts="application/json")["body"].read())
    assert doc["paths"]["/"]["post"]["security"] == [{"sigv4": []}]
    assert doc["paths"]["/"]["post"]["x-amazon-apigateway-integration"]["passthroughBehavior"] == "when_no_templates"
    assert "security" not in doc["paths"]["/"]["get"]
    # Members the model declares as enumerations stay exact, as AWS's request validation has them.
    code, message, status = error_of(server.client("apigateway", region="eu-west-1", validate=False).put_integration,
                                     restApiId=api, resourceId=root, httpMethod="GET", type="mock")
    assert (code, status) == ("ValidationException", 400)
    assert "Member must satisfy enum value set" in message
