"""STS, IAM and API Gateway through boto3, the aws CLI and raw signed requests: authentication
(SigV4 errors, clock skew) and the shape of the query-protocol responses."""

from __future__ import annotations

import datetime
import http.client
import json
import re

import pytest
from botocore.exceptions import ClientError

from portcullis_helpers import (ADMIN_ARN, ADMIN_KEY, ADMIN_SECRET, DEFAULT_ACCOUNT, FORM_TYPE,
                                STS_FORM, STS_XMLNS, client_error, exchange, manual_sign,
                                presign_url, query_error, raw_request, run_aws, sign,
                                signed_sts_request, utcnow)

AMZ_DATE = r"\d{8}T\d{6}Z"


@pytest.fixture(scope="module")
def sts(server):
    return server.client("sts")


# -- 1. GetCallerIdentity -------------------------------------------------------------------------

def test_get_caller_identity_boto3(sts):
    r = sts.get_caller_identity()
    assert r["Arn"] == ADMIN_ARN
    assert r["Account"] == DEFAULT_ACCOUNT
    assert r["UserId"].startswith("AIDA")
    assert re.fullmatch(r"AIDA[A-Z2-7]{17}", r["UserId"]), r["UserId"]
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    # The same principal on every call.
    assert sts.get_caller_identity()["UserId"] == r["UserId"]


def test_get_caller_identity_aws_cli(server, tmp_path):
    p = run_aws(["--endpoint-url", server.endpoint, "--output", "json", "sts", "get-caller-identity"],
                tmp_path, env={"AWS_ACCESS_KEY_ID": ADMIN_KEY, "AWS_SECRET_ACCESS_KEY": ADMIN_SECRET})
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert doc["Arn"] == ADMIN_ARN
    assert doc["Account"] == DEFAULT_ACCOUNT
    assert doc["UserId"].startswith("AIDA")


# -- 2. / 3. bad credentials ---------------------------------------------------------------------

def test_wrong_secret_boto3(server):
    with pytest.raises(ClientError) as ei:
        server.client("sts", secret="not-the-right-secret-at-all").get_caller_identity()
    code, message, status = client_error(ei)
    assert (code, status) == ("SignatureDoesNotMatch", 403)
    assert message.startswith("The request signature we calculated does not match the signature "
                              "you provided.")
    # Query-protocol errors do not echo the canonical request.
    assert "Canonical String" not in message


def test_wrong_secret_aws_cli(server, tmp_path):
    p = run_aws(["--endpoint-url", server.endpoint, "sts", "get-caller-identity"], tmp_path,
                env={"AWS_ACCESS_KEY_ID": ADMIN_KEY, "AWS_SECRET_ACCESS_KEY": "wrong-secret-0123456789"})
    assert p.returncode != 0
    assert "SignatureDoesNotMatch" in p.stderr, p.stderr
    assert p.stdout == ""


def test_unknown_access_key(server):
    with pytest.raises(ClientError) as ei:
        server.client("sts", key="AKIAUNKNOWNKEY000000").get_caller_identity()
    code, message, status = client_error(ei)
    assert (code, status) == ("InvalidClientTokenId", 403)
    assert message == "The security token included in the request is invalid."


def test_session_token_with_long_term_key_is_rejected(server):
    with pytest.raises(ClientError) as ei:
        server.client("sts", session_token="FwoGZXIvYXdzEXAMPLE").get_caller_identity()
    assert client_error(ei)[::2] == ("InvalidClientTokenId", 403)


# -- 4. clock skew ---------------------------------------------------------------------------------

def post_signed(port: int, when: datetime.datetime | None, **kw) -> tuple[int, bytes]:
    url = f"http://127.0.0.1:{port}/"
    headers = sign("POST", url, STS_FORM, {"Content-Type": FORM_TYPE}, when=when, **kw)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("POST", "/", body=STS_FORM.encode(), headers=headers)
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def test_signature_expired(server):
    status, body = post_signed(server.port, utcnow() - datetime.timedelta(minutes=20))
    assert status == 403
    typ, code, message = query_error(body)
    assert (typ, code) == ("Sender", "SignatureDoesNotMatch")
    assert message.startswith("Signature expired: "), message
    assert message.endswith("- 15 min.)"), message
    assert re.fullmatch(rf"Signature expired: {AMZ_DATE} is now earlier than {AMZ_DATE} "
                        rf"\({AMZ_DATE} - 15 min\.\)", message), message


def test_signature_not_yet_current(server):
    status, body = post_signed(server.port, utcnow() + datetime.timedelta(minutes=20))
    assert status == 403
    _, code, message = query_error(body)
    assert code == "SignatureDoesNotMatch"
    assert re.fullmatch(rf"Signature not yet current: {AMZ_DATE} is still later than {AMZ_DATE} "
                        rf"\({AMZ_DATE} \+ 15 min\.\)", message), message


@pytest.mark.parametrize("minutes", [-14, 14])
def test_signature_within_skew_is_accepted(server, minutes):
    status, body = post_signed(server.port, utcnow() + datetime.timedelta(minutes=minutes))
    assert status == 200, body
    assert f"<Arn>{ADMIN_ARN}</Arn>" in body.decode()


def test_wrong_service_in_scope(server):
    status, body = post_signed(server.port, None, service="iam", region="us-east-1")
    # Signed for IAM: routed to IAM, whose model has no GetCallerIdentity.
    assert status == 400
    assert query_error(body)[1:] == ("InvalidAction",
                                     "Could not find operation GetCallerIdentity for version 2011-06-15")


def test_unknown_service_in_scope(server):
    host = f"127.0.0.1:{server.port}"
    r = exchange(server.port, raw_request("GET", "/buckets", manual_sign("GET", "/buckets", {"Host": host},
                                                                         service="s3")))
    assert r.status == 400
    assert r.header("x-amzn-errortype") == "UnknownServiceException"
    assert r.json() == {"message": "Portcullis does not serve the 's3' service; it serves sts, iam, "
                                   "apigateway and lambda."}


def test_scope_with_wrong_date(server):
    day = (utcnow() - datetime.timedelta(days=2)).strftime("%Y%m%d")
    url = f"http://127.0.0.1:{server.port}/"
    headers = sign("POST", url, STS_FORM, {"Content-Type": FORM_TYPE})
    headers["Authorization"] = re.sub(r"/\d{8}/", f"/{day}/", headers["Authorization"])
    r = exchange(server.port, raw_request("POST", "/", headers, STS_FORM.encode()))
    assert r.status == 403
    _, code, message = query_error(r.body)
    assert code == "SignatureDoesNotMatch"
    assert message.startswith(f"Date in Credential scope does not match YYYYMMDD from ISO-8601 version "
                              f"of date from HTTP: '{day}' != '"), message


# -- other signing forms --------------------------------------------------------------------------

def sts_get(server, target: str):
    return exchange(server.port, raw_request("GET", target, {"Host": f"127.0.0.1:{server.port}"}))


def test_presigned_get_caller_identity(server):
    url = presign_url(f"{server.endpoint}/?Action=GetCallerIdentity&Version=2011-06-15")
    assert "X-Amz-Signature=" in url
    r = sts_get(server, url.split(str(server.port), 1)[1])
    assert r.status == 200, r.text
    assert f"<Arn>{ADMIN_ARN}</Arn>" in r.text


def test_presigned_url_expired(server):
    url = presign_url(f"{server.endpoint}/?Action=GetCallerIdentity&Version=2011-06-15", expires=60,
                      when=utcnow() - datetime.timedelta(seconds=120))
    r = sts_get(server, url.split(str(server.port), 1)[1])
    assert r.status == 403
    _, code, message = query_error(r.body)
    assert code == "SignatureDoesNotMatch"
    assert re.fullmatch(rf"Signature expired: {AMZ_DATE} is now earlier than {AMZ_DATE} "
                        rf"\({AMZ_DATE} - 60 sec\.\)", message), message


def test_presigned_url_expiry_over_a_week(server):
    url = presign_url(f"{server.endpoint}/?Action=GetCallerIdentity&Version=2011-06-15", expires=604801)
    r = sts_get(server, url.split(str(server.port), 1)[1])
    assert r.status == 400
    assert query_error(r.body)[1:] == ("IncompleteSignature",
                                       "X-Amz-Expires must be less than a week (in seconds) that is 604800")


def test_presigned_url_tampered(server):
    url = presign_url(f"{server.endpoint}/?Action=GetCallerIdentity&Version=2011-06-15")
    r = sts_get(server, url.split(str(server.port), 1)[1].replace("Version=2011-06-15", "Version=2011-06-15&x=1"))
    assert r.status == 403
    assert query_error(r.body)[1] == "SignatureDoesNotMatch"


def test_date_header_instead_of_x_amz_date(server):
    host = f"127.0.0.1:{server.port}"
    h = manual_sign("POST", "/", {"Host": host, "Content-Type": FORM_TYPE}, STS_FORM.encode(),
                    service="sts", date_header=True)
    assert "X-Amz-Date" not in h
    r = exchange(server.port, raw_request("POST", "/", h, STS_FORM.encode()))
    assert r.status == 200, r.text
    assert ADMIN_ARN in r.text


def test_unsigned_payload_is_refused_by_query_services(server):
    # For IAM and STS the body is the operation: it must be signed.
    host = f"127.0.0.1:{server.port}"
    h = manual_sign("POST", "/", {"Host": host, "Content-Type": FORM_TYPE,
                                  "X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"},
                    STS_FORM.encode(), service="sts", payload_hash="UNSIGNED-PAYLOAD")
    r = exchange(server.port, raw_request("POST", "/", h, STS_FORM.encode()))
    assert r.status == 403, r.text
    assert query_error(r.body)[1:] == (
        "SignatureDoesNotMatch",
        "UNSIGNED-PAYLOAD is not accepted by this service: the payload must be signed.")


def test_content_sha256_mismatch(server):
    h = sign("POST", f"http://127.0.0.1:{server.port}/", STS_FORM, {"Content-Type": FORM_TYPE})
    h["X-Amz-Content-SHA256"] = "0" * 64
    r = exchange(server.port, raw_request("POST", "/", h, STS_FORM.encode()))
    assert r.status == 403
    assert query_error(r.body)[1:] == (
        "SignatureDoesNotMatch", "The provided 'x-amz-content-sha256' header does not match what was computed.")


def test_host_must_be_signed(server):
    host = f"127.0.0.1:{server.port}"
    h = manual_sign("POST", "/", {"Content-Type": FORM_TYPE}, STS_FORM.encode(), service="sts")
    h["Host"] = host  # sent but not signed
    r = exchange(server.port, raw_request("POST", "/", h, STS_FORM.encode()))
    assert r.status == 403
    assert query_error(r.body)[1:] == (
        "SignatureDoesNotMatch", "'Host' must be a 'SignedHeader' in the AWS Authorization.")


def test_path_normalization_for_rest_services(server):
    host = f"127.0.0.1:{server.port}"
    h = manual_sign("GET", "/restapis/./abc//resources", {"Host": host}, service="apigateway",
                    canonical_path="/restapis/abc/resources")
    r = exchange(server.port, raw_request("GET", "/restapis/./abc//resources", h))
    # Authenticated, then routed on the same normalized path: GetResources of an API that
    # does not exist.
    assert r.status == 404, r.text
    assert r.json() == {"message": "Invalid API identifier specified 000000000000:abc"}


# -- 5. raw requests: unsigned, malformed, response shape -----------------------------------------

def form_post(port: int, body: str, extra: str = "") -> bytes:
    return (f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {FORM_TYPE}\r\n{extra}"
            f"Content-Length: {len(body)}\r\n\r\n{body}").encode()


def test_unsigned_request_is_missing_authentication_token(server):
    r = exchange(server.port, form_post(server.port, STS_FORM))
    assert r.status == 403
    assert r.header("content-type") == "text/xml"
    root = r.xml()
    assert root.tag == f"{{{STS_XMLNS}}}ErrorResponse"
    assert query_error(r.body) == ("Sender", "MissingAuthenticationToken",
                                   "Request is missing Authentication Token")
    assert root.find(f"{{{STS_XMLNS}}}RequestId").text == r.header("x-amzn-requestid")


def test_malformed_authorization_header_is_incomplete_signature(server):
    extra = "X-Amz-Date: 20240101T000000Z\r\nAuthorization: AWS4-HMAC-SHA256 Credential=abc\r\n"
    r = exchange(server.port, form_post(server.port, STS_FORM, extra))
    assert r.status == 400
    typ, code, message = query_error(r.body)
    assert (typ, code) == ("Sender", "IncompleteSignature")
    assert "Authorization header requires 'Signature' parameter." in message
    assert "Authorization header requires 'SignedHeaders' parameter." in message


def test_authorization_without_date_is_incomplete_signature(server):
    extra = ("Authorization: AWS4-HMAC-SHA256 Credential=AKIAX/20240101/us-east-1/sts/aws4_request, "
             "SignedHeaders=host, Signature=00\r\n")
    r = exchange(server.port, form_post(server.port, STS_FORM, extra))
    assert r.status == 400
    assert query_error(r.body)[1:] == (
        "IncompleteSignature",
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")


def test_get_caller_identity_response_shape(server):
    r = exchange(server.port, signed_sts_request(server.port))
    assert r.status == 200
    assert r.header("content-type") == "text/xml"
    root = r.xml()
    ns = {"s": STS_XMLNS}
    assert root.tag == f"{{{STS_XMLNS}}}GetCallerIdentityResponse"
    result = root.find("s:GetCallerIdentityResult", ns)
    assert result.find("s:Arn", ns).text == ADMIN_ARN
    assert result.find("s:Account", ns).text == DEFAULT_ACCOUNT
    assert result.find("s:UserId", ns).text.startswith("AIDA")
    request_id = root.find("s:ResponseMetadata/s:RequestId", ns).text
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", request_id)
    assert r.header("x-amzn-requestid") == request_id
    # A fresh id per request.
    assert exchange(server.port, signed_sts_request(server.port)).header("x-amzn-requestid") != request_id


def test_unknown_sts_action(server):
    r = exchange(server.port, signed_sts_request(server.port, body="Action=GetFlyingCar&Version=2011-06-15"))
    assert r.status == 400
    assert query_error(r.body) == ("Sender", "InvalidAction",
                                   "Could not find operation GetFlyingCar for version 2011-06-15")


def test_wrong_sts_version(server):
    r = exchange(server.port, signed_sts_request(server.port, body="Action=GetCallerIdentity&Version=2099-01-01"))
    assert r.status == 400
    assert query_error(r.body)[1:] == ("InvalidAction",
                                       "Could not find operation GetCallerIdentity for version 2099-01-01")


def test_missing_sts_action(server):
    r = exchange(server.port, signed_sts_request(server.port, body="Version=2011-06-15"))
    assert r.status == 400
    assert query_error(r.body)[1:] == ("MissingAction", "Missing Action")


def test_model_action_not_implemented_boto3(sts):
    with pytest.raises(ClientError) as ei:
        sts.get_federation_token(Name="session")
    code, message, status = client_error(ei)
    assert (code, status) == ("NotImplemented", 501)
    assert message == "STS action GetFederationToken is not implemented by Portcullis yet."


def test_model_action_not_implemented_raw(server):
    body = "Action=GetFederationToken&Version=2011-06-15&Name=s"
    r = exchange(server.port, signed_sts_request(server.port, body=body))
    assert r.status == 501
    assert query_error(r.body) == ("Receiver", "NotImplemented",
                                   "STS action GetFederationToken is not implemented by Portcullis yet.")


def test_unsigned_web_identity_is_answered_by_sts(server):
    body = ("Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A000000000000"
            "%3Arole%2Fr&RoleSessionName=session&WebIdentityToken=not-a-jwt")
    r = exchange(server.port, form_post(server.port, body))
    assert r.status == 400
    assert query_error(r.body)[1:] == ("InvalidIdentityToken", "The web identity token is not a JWT.")


def test_every_iam_operation_of_the_model_is_implemented(start_server):
    # Each operation of Debian's botocore IAM model, called with no parameters, answers as an
    # implemented operation does (a result, or a validation or entity error), never NotImplemented.
    s = start_server()
    iam = s.client("iam", validate=False)
    ops = iam.meta.service_model.operation_names
    assert len(ops) == 158
    not_implemented = []
    for op in ops:
        try:
            iam._make_api_call(op, {})
        except ClientError as e:
            if e.response["Error"]["Code"] in ("NotImplemented", "InvalidAction"):
                not_implemented.append(op)
    assert not_implemented == []


def test_iam_wrong_secret(server):
    with pytest.raises(ClientError) as ei:
        server.client("iam", secret="wrong-secret-0123456789").list_users()
    assert client_error(ei)[::2] == ("SignatureDoesNotMatch", 403)


def test_apigateway_operation_not_implemented(server):
    apigw = server.client("apigateway")
    with pytest.raises(ClientError) as ei:
        apigw.get_vpc_links()
    code, message, status = client_error(ei)
    assert (code, status) == ("NotImplementedException", 501)
    assert message == "Portcullis does not implement the API Gateway operation GetVpcLinks yet."


def test_apigateway_wrong_secret_is_invalid_signature(server):
    with pytest.raises(ClientError) as ei:
        server.client("apigateway", secret="wrong-secret-0123456789").get_rest_apis()
    code, message, status = client_error(ei)
    assert (code, status) == ("InvalidSignatureException", 403)
    # REST-JSON services echo the canonical request, as API Gateway does.
    assert "The Canonical String for this request should have been" in message


def test_apigateway_unknown_key(server):
    with pytest.raises(ClientError) as ei:
        server.client("apigateway", key="AKIAUNKNOWNKEY000000").get_rest_apis()
    code, message, status = client_error(ei)
    assert (code, status) == ("UnrecognizedClientException", 403)
    assert message == "The security token included in the request is invalid."


def test_apigateway_refuses_unserved_regions(start_server):
    # A region outside the served ones is refused, in the rest-json error shape.
    s = start_server("--regions", "eu-west-1")
    with pytest.raises(ClientError) as ei:
        s.client("apigateway", region="us-west-2").get_rest_apis()
    code, message, status = client_error(ei)
    assert (code, status) == ("InvalidSignatureException", 403)
    assert "Credential should be scoped to a valid region." in message


# -- rest-json services (API Gateway, Lambda) ------------------------------------------------------

def test_lambda_not_implemented(server):
    with pytest.raises(ClientError) as ei:
        server.client("lambda").list_functions()
    code, message, status = client_error(ei)
    assert (code, status) == ("NotImplementedException", 501)
    assert message == "The lambda API is not implemented by Portcullis yet."


def test_rest_json_unsigned(server):
    r = exchange(server.port, raw_request("GET", "/restapis", {"Host": "x"}))
    assert r.status == 403
    assert r.header("x-amzn-errortype") == "MissingAuthenticationTokenException"
    assert r.json() == {"message": "Missing Authentication Token"}


def test_rest_json_incomplete_signature(server):
    r = exchange(server.port, raw_request("GET", "/restapis", {
        "Host": "x", "X-Amz-Date": "20240101T000000Z", "Authorization": "AWS4-HMAC-SHA256 Credential=abc"}))
    assert r.status == 403
    assert r.header("x-amzn-errortype") == "IncompleteSignatureException"
    assert "Authorization header requires 'Signature' parameter." in r.json()["message"]


def test_bearer_token_is_not_echoed(server):
    r = exchange(server.port, raw_request("GET", "/restapis", {"Host": "x", "Authorization": "Bearer s3cr3t-t0ken"}))
    assert r.status == 403
    assert r.header("x-amzn-errortype") == "IncompleteSignatureException"
    assert "Authorization header requires 'Credential' parameter." in r.json()["message"]
    assert "s3cr3t-t0ken" not in r.text


@pytest.mark.parametrize("minutes, status", [(-6, 403), (6, 403), (-4, 200), (4, 200)])
def test_rest_json_skew_is_5_minutes(server, minutes, status):
    url = f"http://127.0.0.1:{server.port}/restapis"
    h = sign("GET", url, b"", service="apigateway", when=utcnow() + datetime.timedelta(minutes=minutes))
    r = exchange(server.port, raw_request("GET", "/restapis", h))
    assert r.status == status, r.text
    if status == 403:
        assert r.header("x-amzn-errortype") == "InvalidSignatureException"
        assert r.json()["message"].endswith(("- 5 min.)" if minutes < 0 else "+ 5 min.)"))


def test_invoke_paths_are_not_the_control_plane(server):
    # Both forms reach the invoke path, which answers for an API that does not exist.
    msg = b"{\"message\": \"The API id 'abc123' does not correspond to a deployed API Gateway API\"}"
    r = exchange(server.port, raw_request("GET", "/restapis/abc123/prod/_user_request_/hello", {"Host": "x"}))
    assert (r.status, r.body) == (404, msg)
    r = exchange(server.port, raw_request("GET", "/prod/hello",
                                          {"Host": "abc123.execute-api.us-east-1.amazonaws.com"}))
    assert (r.status, r.body) == (404, msg)
