#include "http/parser.h"

#include <gtest/gtest.h>

namespace portcullis::http {
namespace {

struct Outcome {
  RequestParser::State state;
  int status;
  size_t consumed;
};

Outcome parse_all(RequestParser& p, std::string_view bytes) {
  size_t used = 0;
  auto s = p.feed(bytes, used);
  return {s, p.error_status(), used};
}

Outcome parse_all(std::string_view bytes, ParseLimits limits = {}) {
  RequestParser p(limits);
  return parse_all(p, bytes);
}

TEST(Parser, SimpleGet) {
  RequestParser p;
  auto o = parse_all(p, "GET /a/b?x=1 HTTP/1.1\r\nHost: h\r\nX-A:  v  \r\n\r\n");
  ASSERT_EQ(o.state, RequestParser::State::kDone);
  Request& r = p.request();
  EXPECT_EQ(r.method(), "GET");
  EXPECT_EQ(r.path(), "/a/b");
  EXPECT_EQ(r.query(), "x=1");
  EXPECT_EQ(*r.header("x-a"), "v");
  EXPECT_TRUE(p.keep_alive());
}

// RFC 9112 §3.2.2: the authority of an absolute-form target replaces Host.
TEST(Parser, AbsoluteFormTarget) {
  RequestParser p;
  auto o = parse_all(p, "GET HTTP://api.example:8080/a/b?x=1 HTTP/1.1\r\nHost: other\r\n\r\n");
  ASSERT_EQ(o.state, RequestParser::State::kDone);
  Request& r = p.request();
  EXPECT_EQ(r.target(), "/a/b?x=1");
  EXPECT_EQ(r.path(), "/a/b");
  EXPECT_EQ(r.query(), "x=1");
  EXPECT_EQ(*r.header("host"), "api.example:8080");
  EXPECT_EQ(r.header_count("host"), 1u);
}

TEST(Parser, AbsoluteFormWithEmptyPathAsksForRoot) {
  for (auto [wire, target] : {std::pair{"GET https://h HTTP/1.1\r\nHost: h\r\n\r\n", "/"},
                              std::pair{"GET http://h?a=b HTTP/1.1\r\nHost: h\r\n\r\n", "/?a=b"}}) {
    RequestParser p;
    ASSERT_EQ(parse_all(p, wire).state, RequestParser::State::kDone) << wire;
    EXPECT_EQ(p.request().target(), target);
    EXPECT_EQ(p.request().path(), "/");
  }
}

TEST(Parser, AbsoluteFormSuppliesHostToHttp10) {
  RequestParser p;
  ASSERT_EQ(parse_all(p, "GET http://[::1]:4566/x HTTP/1.0\r\nX-A: b\r\n\r\n").state,
            RequestParser::State::kDone);
  EXPECT_EQ(*p.request().header("host"), "[::1]:4566");
  EXPECT_EQ(*p.request().header("x-a"), "b");
  EXPECT_EQ(p.request().path(), "/x");
}

TEST(Parser, AbsoluteFormRefusals) {
  for (const char* wire : {
           "GET http:///x HTTP/1.1\r\nHost: h\r\n\r\n",          // no authority
           "GET http://user@h/x HTTP/1.1\r\nHost: h\r\n\r\n",    // userinfo
           "GET http://h\"/x HTTP/1.1\r\nHost: h\r\n\r\n",       // not an authority character
           "GET ftp://h/x HTTP/1.1\r\nHost: h\r\n\r\n",          // another scheme
           "GET http://:80/x HTTP/1.1\r\nHost: h\r\n\r\n",       // no host
           "GET http://a:b:c/x HTTP/1.1\r\nHost: h\r\n\r\n",     // not a port
           "GET http://h:/x HTTP/1.1\r\nHost: h\r\n\r\n",        // empty port
           "GET http://h]x/x HTTP/1.1\r\nHost: h\r\n\r\n",       // a bracket outside a literal
           "GET http://[::1/x HTTP/1.1\r\nHost: h\r\n\r\n",      // an unclosed literal
           "GET http://h/x HTTP/1.1\r\n\r\n",                      // HTTP/1.1 still needs Host
       }) {
    auto o = parse_all(wire);
    EXPECT_EQ(o.state, RequestParser::State::kError) << wire;
    EXPECT_EQ(o.status, 400) << wire;
  }
}

TEST(Parser, ByteByByteWithBodyAndPipelining) {
  std::string wire =
      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\nHost: "
      "h\r\n\r\n";
  RequestParser p;
  size_t pos = 0;
  RequestParser::State s = RequestParser::State::kNeedMore;
  while (s == RequestParser::State::kNeedMore && pos < wire.size()) {
    size_t used = 0;
    s = p.feed(std::string_view(wire).substr(pos, 1), used);
    pos += used;
  }
  ASSERT_EQ(s, RequestParser::State::kDone);
  EXPECT_EQ(p.request().body, "hello");
  EXPECT_EQ(wire.substr(pos).substr(0, 3), "GET");
}

TEST(Parser, Chunked) {
  RequestParser p;
  auto o = parse_all(p,
                     "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: "
                     "chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  ASSERT_EQ(o.state, RequestParser::State::kDone);
  EXPECT_EQ(p.request().body, "hello world");
}

TEST(Parser, FramingAttacksAreRejected) {
  const char* bad[] = {
      "GET / HTTP/1.1\nHost: h\r\n\r\n",                        // bare LF
      "GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n",                // bare CR
      "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n  folded\r\n\r\n",  // obs-fold
      "GET / HTTP/1.1\r\nHost: h\r\nX : a\r\n\r\n",             // space before colon
      "GET / HTTP/1.1\r\nHost: h\r\nX: a\x01b\r\n\r\n",         // control in value
      "GET / HTTP/1.1\r\nHost: h\r\nX\x7f: a\r\n\r\n",          // control in name
      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\na",
      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +1\r\n\r\na",
      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1, 1\r\n\r\na",
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
      "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: "
      "chunked\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: "
      "chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX",
      "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: h2c\r\n\r\n",
      "GET / HTTP/1.1\r\n\r\n",  // no Host
      "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
      "GET /a b HTTP/1.1\r\nHost: h\r\n\r\n",
      "GET / HTTP/2.0\r\nHost: h\r\n\r\n",
      "G(T / HTTP/1.1\r\nHost: h\r\n\r\n",
  };
  for (const char* b : bad) {
    auto o = parse_all(b);
    EXPECT_EQ(o.state, RequestParser::State::kError) << b;
    EXPECT_EQ(o.status, 400) << b;
  }
}

TEST(Parser, TooManyHeaders) {
  std::string wire = "GET / HTTP/1.1\r\nHost: h\r\n";
  for (int i = 0; i < 100; ++i) wire += "X-" + std::to_string(i) + ": v\r\n";
  wire += "\r\n";
  EXPECT_EQ(parse_all(wire).status, 400);
}

TEST(Parser, HeaderLimit) {
  ParseLimits limits;
  limits.max_header_bytes = 100;
  std::string ok = "GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(60, 'a') + "\r\n\r\n";
  EXPECT_EQ(parse_all(ok, limits).state, RequestParser::State::kDone);
  std::string big = "GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(200, 'a') + "\r\n\r\n";
  auto o = parse_all(big, limits);
  EXPECT_EQ(o.state, RequestParser::State::kError);
  EXPECT_EQ(o.status, 431);
  // The limit is reported before the end of the head arrives.
  auto partial = parse_all("GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(200, 'a'), limits);
  EXPECT_EQ(partial.status, 431);
}

TEST(Parser, BodyLimit) {
  ParseLimits limits;
  limits.max_body_bytes = 4;
  EXPECT_EQ(
      parse_all("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello", limits).status,
      413);
  EXPECT_EQ(
      parse_all(
          "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
          limits)
          .status,
      413);
}

TEST(Parser, KeepAliveRules) {
  RequestParser a;
  parse_all(a, "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
  EXPECT_FALSE(a.keep_alive());
  RequestParser b;
  parse_all(b, "GET / HTTP/1.0\r\n\r\n");
  EXPECT_FALSE(b.keep_alive());
  RequestParser c;
  parse_all(c, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  EXPECT_TRUE(c.keep_alive());
}

}  // namespace
}  // namespace portcullis::http
