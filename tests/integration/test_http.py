"""HTTP/1.1 over raw sockets: framing, limits, keep-alive, pipelining, chunked bodies, timeouts
and the health endpoint."""

from __future__ import annotations

import time

import pytest

from portcullis_helpers import (ADMIN_ARN, RawConnection, exchange, http_get, signed_sts_request)

MIB = 1024 * 1024


def assert_rejected_and_closed(port: int, data: bytes, status: int, message: str) -> None:
    """The server answers `status` with a JSON message, says Connection: close and closes."""
    with RawConnection(port) as c:
        c.send(data)
        r = c.read_response()
        assert r.status == status, (r.status, r.text)
        assert r.json() == {"message": message}
        assert r.header("content-type") == "application/json"
        assert r.header("connection") == "close"
        assert c.closed_by_peer(2.0), "server kept the connection open after a framing error"


# -- 8. health --------------------------------------------------------------------------------------

def test_health(server):
    r = exchange(server.port, http_get("/_portcullis/health"))
    assert r.status == 200
    assert r.reason == "OK"
    assert r.body == b'{"status":"ok"}'
    assert r.header("content-type") == "application/json"
    assert r.header("content-length") == "15"
    assert r.header("x-amzn-requestid")


def test_unknown_own_endpoint(server):
    r = exchange(server.port, http_get("/_portcullis/nope"))
    assert r.status == 404
    assert r.json() == {"message": "No such endpoint: /_portcullis/nope"}
    assert r.header("x-amzn-errortype") == "NotFoundException"


def test_head_health_has_no_body(server):
    with RawConnection(server.port) as c:
        c.send("HEAD /_portcullis/health HTTP/1.1\r\nHost: x\r\n\r\n")
        r = c.read_response(head_only=True)
        assert r.status == 200
        assert r.header("content-length") == "15"
        # The connection stays usable: no stray body bytes precede the next response.
        c.send(http_get("/_portcullis/health"))
        assert c.read_response().body == b'{"status":"ok"}'


# -- 6. framing -------------------------------------------------------------------------------------

FRAMING_ERRORS = {
    "cl-and-te": (b"POST /_portcullis/health HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                  b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                  400, "Both Content-Length and Transfer-Encoding are present"),
    "two-content-lengths": (b"POST /_portcullis/health HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                            b"Content-Length: 6\r\n\r\nhello!",
                            400, "Multiple Content-Length headers"),
    "bare-lf": (b"GET /_portcullis/health HTTP/1.1\nHost: x\n\n", 400, "Bare LF in request head"),
    "bare-lf-in-header": (b"GET /_portcullis/health HTTP/1.1\r\nHost: x\nX-A: b\r\n\r\n",
                          400, "Bare LF in request head"),
    "bare-cr": (b"GET /_portcullis/health HTTP/1.1\r\nHost: x\rX-A: b\r\n\r\n",
                400, "Bare CR in request head"),
    "obs-fold": (b"GET /_portcullis/health HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n",
                 400, "Obsolete line folding"),
    "te-gzip": (b"POST /_portcullis/health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
                400, "Unsupported Transfer-Encoding"),
    "te-gzip-chunked": (b"POST /_portcullis/health HTTP/1.1\r\nHost: x\r\n"
                        b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
                        400, "Unsupported Transfer-Encoding"),
    "bad-content-length": (b"POST /_portcullis/health HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
                           400, "Malformed Content-Length"),
    "no-host": (b"GET /_portcullis/health HTTP/1.1\r\n\r\n", 400, "Exactly one Host header is required"),
    "two-hosts": (b"GET /_portcullis/health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
                  400, "Exactly one Host header is required"),
    "space-before-colon": (b"GET /_portcullis/health HTTP/1.1\r\nHost: x\r\nX-A : b\r\n\r\n",
                           400, "Invalid character in header name"),
    "http-2.0": (b"GET /_portcullis/health HTTP/2.0\r\nHost: x\r\n\r\n", 400, "Unsupported HTTP version"),
    "absolute-form-userinfo": (b"GET http://u:p@x/_portcullis/health HTTP/1.1\r\nHost: x\r\n\r\n",
                               400, "Malformed request target"),
    "absolute-form-no-authority": (b"GET http:///_portcullis/health HTTP/1.1\r\nHost: x\r\n\r\n",
                                   400, "Malformed request target"),
    "authority-form": (b"CONNECT x:443 HTTP/1.1\r\nHost: x\r\n\r\n", 400, "Malformed request target"),
    "chunk-extension": (b"POST /_portcullis/health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                        b"5;ext=1\r\nhello\r\n0\r\n\r\n", 400, "Chunk extensions are not supported"),
    "bad-chunk-size": (b"POST /_portcullis/health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                       b"zz\r\nhello\r\n0\r\n\r\n", 400, "Malformed chunk size"),
    "h2c-upgrade": (b"GET /_portcullis/health HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                    b"Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n",
                    400, "Upgrade to h2c is not supported"),
}


@pytest.mark.parametrize("name", list(FRAMING_ERRORS))
def test_framing_error(server, name):
    data, status, message = FRAMING_ERRORS[name]
    assert_rejected_and_closed(server.port, data, status, message)


def test_framing_error_does_not_run_smuggled_request(server):
    # With CL and TE both present, the bytes after the head must not be read as a second request.
    smuggled = b"GET /_portcullis/smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
    data = (b"POST /_portcullis/health HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" % (5 + len(smuggled))) + smuggled
    with RawConnection(server.port) as c:
        c.send(data)
        assert c.read_response().status == 400
        assert c.closed_by_peer(2.0)
        assert c.buf == b"", f"a second response followed: {c.buf!r}"


def test_header_block_too_large(server):
    filler = "X-Filler: " + "a" * 10300 + "\r\n"
    data = f"GET /_portcullis/health HTTP/1.1\r\nHost: x\r\n{filler}\r\n".encode()
    assert len(data) > 10240
    assert_rejected_and_closed(server.port, data, 431, "Request header too large")


def test_header_block_too_large_without_end(server):
    # The limit applies before the head is complete (no unbounded buffering).
    data = b"GET /_portcullis/health HTTP/1.1\r\nHost: x\r\nX-Filler: " + b"a" * 12000
    assert_rejected_and_closed(server.port, data, 431, "Request header too large")


def test_header_block_just_under_limit(server):
    head = "GET /_portcullis/health HTTP/1.1\r\nHost: x\r\nX-Filler: "
    filler = "a" * (10240 - len(head) - 4)
    data = f"{head}{filler}\r\n\r\n".encode()
    assert len(data) == 10240  # a whole head of exactly the default limit is accepted
    assert exchange(server.port, data).status == 200


def test_body_too_large_by_content_length(server):
    data = b"POST /_portcullis/health HTTP/1.1\r\nHost: x\r\nContent-Length: 10485761\r\n\r\n"
    assert_rejected_and_closed(server.port, data, 413, "Request body too large")


def test_body_at_limit_by_content_length_is_accepted(server):
    body = b"a" * (10 * MIB)
    data = b"POST /_portcullis/health HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body)
    with RawConnection(server.port, timeout=10) as c:
        c.send(data + body)
        r = c.read_response()
        assert r.status == 200
        assert r.header("connection") == "keep-alive"


def test_body_too_large_chunked(server):
    data = (b"POST /_portcullis/health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"%x\r\n" % (10 * MIB + 1))
    assert_rejected_and_closed(server.port, data, 413, "Request body too large")


def test_limits_are_configurable(start_server):
    s = start_server("--max-body-bytes", "100", "--max-header-bytes", "2048")
    body = b"x" * 100
    post = b"POST /_portcullis/health HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n"
    assert exchange(s.port, post % 100 + body).status == 200
    assert_rejected_and_closed(s.port, post % 101, 413, "Request body too large")
    chunked = b"POST /_portcullis/health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    assert exchange(s.port, chunked + b"32\r\n" + b"x" * 50 + b"\r\n32\r\n" + b"x" * 50 + b"\r\n0\r\n\r\n").status == 200
    assert_rejected_and_closed(s.port, chunked + b"32\r\n" + b"x" * 50 + b"\r\n33\r\n", 413,
                               "Request body too large")
    head = b"GET /_portcullis/health HTTP/1.1\r\nHost: x\r\nX-Filler: %s\r\n\r\n"
    assert exchange(s.port, head % (b"a" * 1900)).status == 200
    assert_rejected_and_closed(s.port, head % (b"a" * 2100), 431, "Request header too large")


# -- keep-alive, pipelining, chunked ----------------------------------------------------------------

def test_keep_alive_two_requests(server):
    with RawConnection(server.port) as c:
        for _ in range(2):
            c.send(http_get("/_portcullis/health"))
            r = c.read_response()
            assert r.status == 200
            assert r.body == b'{"status":"ok"}'
            assert r.header("connection") == "keep-alive"


def test_pipelined_requests_answered_in_order(server):
    paths = ["/_portcullis/health", "/_portcullis/first", "/_portcullis/health", "/_portcullis/second"]
    with RawConnection(server.port) as c:
        c.send(b"".join(http_get(p) for p in paths))
        responses = [c.read_response() for _ in paths]
    assert [r.status for r in responses] == [200, 404, 200, 404]
    assert responses[1].json()["message"] == "No such endpoint: /_portcullis/first"
    assert responses[3].json()["message"] == "No such endpoint: /_portcullis/second"
    assert len({r.header("x-amzn-requestid") for r in responses}) == 4


def test_pipelined_signed_calls(server):
    with RawConnection(server.port) as c:
        c.send(signed_sts_request(server.port) + http_get("/_portcullis/health")
               + signed_sts_request(server.port, chunked=True))
        a, b, d = (c.read_response() for _ in range(3))
    assert a.status == 200 and ADMIN_ARN in a.text
    assert b.body == b'{"status":"ok"}'
    assert d.status == 200 and ADMIN_ARN in d.text


def test_connection_close_is_honoured(server):
    with RawConnection(server.port) as c:
        c.send(http_get("/_portcullis/health", extra="Connection: close\r\n"))
        r = c.read_response()
        assert r.status == 200
        assert r.header("connection") == "close"
        assert c.closed_by_peer(2.0)


def test_http10_closes_unless_keep_alive(server):
    with RawConnection(server.port) as c:
        c.send(b"GET /_portcullis/health HTTP/1.0\r\n\r\n")
        assert c.read_response().header("connection") == "close"
        assert c.closed_by_peer(2.0)
    with RawConnection(server.port) as c:
        c.send(b"GET /_portcullis/health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        assert c.read_response().header("connection") == "keep-alive"
        c.send(b"GET /_portcullis/health HTTP/1.0\r\n\r\n")
        assert c.read_response().status == 200


def test_chunked_post_to_health(server):
    data = (b"POST /_portcullis/health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
    with RawConnection(server.port) as c:
        c.send(data)
        r = c.read_response()
        assert r.status == 200
        assert r.body == b'{"status":"ok"}'
        assert r.header("connection") == "keep-alive"
        c.send(http_get("/_portcullis/health"))
        assert c.read_response().status == 200


def test_chunked_signed_get_caller_identity(server):
    # The signature covers the de-chunked body.
    r = exchange(server.port, signed_sts_request(server.port, chunked=True))
    assert r.status == 200, r.text
    assert f"<Arn>{ADMIN_ARN}</Arn>" in r.text


def test_chunked_body_sent_in_pieces(server):
    data = signed_sts_request(server.port, chunked=True)
    with RawConnection(server.port) as c:
        for i in range(0, len(data), 7):
            c.send(data[i:i + 7])
            time.sleep(0.001)
        r = c.read_response()
    assert r.status == 200 and ADMIN_ARN in r.text


# -- 7. timeouts ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fast_timeouts(tmp_path_factory):
    from portcullis_helpers import PortcullisServer
    base = tmp_path_factory.mktemp("timeouts")
    s = PortcullisServer(base / "state", ["--header-timeout-ms", "300", "--idle-timeout-ms", "300"], home=base)
    yield s
    s.terminate()


def test_idle_connection_is_closed(fast_timeouts):
    with RawConnection(fast_timeouts.port) as c:
        t0 = time.monotonic()
        assert c.closed_by_peer(2.0), "idle connection still open after 2 s"
        assert time.monotonic() - t0 >= 0.25


def test_idle_keep_alive_connection_is_closed_after_a_response(fast_timeouts):
    with RawConnection(fast_timeouts.port) as c:
        c.send(http_get("/_portcullis/health"))
        assert c.read_response().status == 200
        assert c.closed_by_peer(2.0)


def test_half_sent_header_is_closed(fast_timeouts):
    with RawConnection(fast_timeouts.port) as c:
        c.send(b"GET /_portcullis/health HTTP/1.1\r\nHost: x\r\n")
        assert c.closed_by_peer(2.0), "half-sent request still open after 2 s"
        assert c.buf == b""


def test_slow_drip_header_is_closed(fast_timeouts):
    # The header timeout bounds the whole head, not the gap between bytes (slowloris).
    with RawConnection(fast_timeouts.port) as c:
        t0 = time.monotonic()
        closed = False
        for b in b"GET /_portcullis/health HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa":
            try:
                c.send(bytes([b]))
            except OSError:
                closed = True
                break
            if c.closed_by_peer(0.05):
                closed = True
                break
            if time.monotonic() - t0 > 2.0:
                break
        assert closed, "server kept a slowly sent header open past its header timeout"
        assert time.monotonic() - t0 < 2.0


def test_half_sent_body_is_closed(fast_timeouts):
    with RawConnection(fast_timeouts.port) as c:
        c.send(b"POST /_portcullis/health HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        assert c.closed_by_peer(2.0)


def test_prompt_request_still_served(fast_timeouts):
    assert exchange(fast_timeouts.port, http_get("/_portcullis/health")).status == 200


# -- more parsing -----------------------------------------------------------------------------------

def test_header_field_count_limit(server):
    fields = "".join(f"X-H{i}: v\r\n" for i in range(99))  # + Host = 100 fields
    assert exchange(server.port, f"GET /_portcullis/health HTTP/1.1\r\nHost: x\r\n{fields}\r\n".encode()).status == 200
    fields += "X-One-Too-Many: v\r\n"
    assert_rejected_and_closed(server.port, f"GET /_portcullis/health HTTP/1.1\r\nHost: x\r\n{fields}\r\n".encode(),
                               400, "Too many header fields")


@pytest.mark.parametrize("value", [b"a\x00b", b"a\x7fb", b"a\x01b"])
def test_control_characters_in_header_value(server, value):
    data = b"GET /_portcullis/health HTTP/1.1\r\nHost: x\r\nX-Bad: " + value + b"\r\n\r\n"
    assert_rejected_and_closed(server.port, data, 400, "Invalid character in header value")


def test_request_sent_byte_by_byte(server):
    data = b"GET /_portcullis/health HTTP/1.1\r\nHost: x\r\n\r\n"
    with RawConnection(server.port) as c:
        for b in data:
            c.send(bytes([b]))
        assert c.read_response().body == b'{"status":"ok"}'


def test_leading_empty_line_is_tolerated(server):
    with RawConnection(server.port) as c:
        c.send(b"\r\nGET /_portcullis/health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert c.read_response().status == 200


def test_leading_empty_line_split_across_reads_is_tolerated(server):
    # RFC 9112 section 2.2: an empty line before a request line is ignored. Whether it is must not
    # depend on how the CR and LF were split into TCP segments (here, after a keep-alive POST, as
    # some clients send a CRLF after a body).
    with RawConnection(server.port) as c:
        c.send(b"POST /_portcullis/health HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
        assert c.read_response().status == 200
        c.send(b"\r")
        time.sleep(0.05)
        c.send(b"\n")
        time.sleep(0.05)
        c.send(http_get("/_portcullis/health"))
        r = c.read_response()
        assert (r.status, r.body) == (200, b'{"status":"ok"}'), r.text


def test_framing_error_response_carries_request_id(server):
    # Every response carries x-amzn-RequestId, and it is the request_id of its access-log line.
    with RawConnection(server.port) as c:
        c.send(b"GET /_portcullis/health HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n")
        r = c.read_response()
    assert r.status == 400
    rid = r.header("x-amzn-requestid")
    assert rid, f"no x-amzn-RequestId on a 400 response: {r.header_list}"
    rec = server.wait_for_access(lambda x: x["request_id"] == rid)
    assert rec is not None and rec["status"] == 400
