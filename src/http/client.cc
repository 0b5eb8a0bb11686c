#include "http/client.h"

#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <span>

#include "core/encoding.h"

namespace portcullis::http {

namespace {

using Clock = std::chrono::steady_clock;

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

Status wait_for(int fd, short events, Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0) return fail(ErrorCode::kInternal, "timed out");
  pollfd p{fd, events, 0};
  int n = ::poll(&p, 1, static_cast<int>(left.count()));
  if (n == 0) return fail(ErrorCode::kInternal, "timed out");
  if (n < 0) return fail(ErrorCode::kInternal, std::strerror(errno));
  return {};
}

Result<int> connect_to(const Url& url, Clock::time_point deadline) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string port = std::to_string(url.port);
  if (int rc = ::getaddrinfo(url.host.c_str(), port.c_str(), &hints, &res); rc != 0)
    return fail(ErrorCode::kInternal, "cannot resolve " + url.host + ": " + gai_strerror(rc));
  std::string last = "no address";
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    int fd =
        ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 || errno == EINPROGRESS) {
      int err = 0;
      socklen_t len = sizeof err;
      if (wait_for(fd, POLLOUT, deadline) &&
          ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) {
        ::freeaddrinfo(res);
        return fd;
      }
      last = err ? std::strerror(err) : "timed out";
    } else {
      last = std::strerror(errno);
    }
    ::close(fd);
  }
  ::freeaddrinfo(res);
  return fail(ErrorCode::kInternal, "cannot connect to " + url.authority() + ": " + last);
}

// Decodes a complete chunked body; false when it is malformed or incomplete.
bool dechunk(std::string_view in, std::string& out) {
  size_t pos = 0;
  for (;;) {
    size_t eol = in.find("\r\n", pos);
    if (eol == in.npos) return false;
    std::string_view size_text = in.substr(pos, eol - pos);
    size_text = size_text.substr(0, size_text.find(';'));
    size_t size = 0;
    if (size_text.empty()) return false;
    for (char c : size_text) {
      int d = (c >= '0' && c <= '9')   ? c - '0'
              : (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                       : -1;
      if (d < 0 || size > (SIZE_MAX >> 4)) return false;
      size = size * 16 + static_cast<size_t>(d);
    }
    pos = eol + 2;
    if (size == 0) return true;
    if (in.size() < pos + size + 2) return false;
    out.append(in.substr(pos, size));
    pos += size + 2;
  }
}

}  // namespace

std::string Url::authority() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  bool default_port = (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
  return default_port ? h : h + ":" + std::to_string(port);
}

Result<Url> parse_url(std::string_view s) {
  Url u;
  size_t sep = s.find("://");
  if (sep == s.npos) return fail(ErrorCode::kValidationError, "URL must start with http://");
  u.scheme = to_lower(s.substr(0, sep));
  if (u.scheme != "http" && u.scheme != "https")
    return fail(ErrorCode::kValidationError, "unsupported URL scheme: " + u.scheme);
  u.port = u.scheme == "https" ? 443 : 80;
  s.remove_prefix(sep + 3);
  size_t end = s.find_first_of("/?");
  std::string_view authority = s.substr(0, end);
  std::string_view rest = end == s.npos ? std::string_view() : s.substr(end);
  std::string_view port_text;
  if (authority.starts_with('[')) {
    size_t close = authority.find(']');
    if (close == authority.npos) return fail(ErrorCode::kValidationError, "malformed URL host");
    u.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':')
      port_text = authority.substr(close + 2);
  } else {
    size_t colon = authority.rfind(':');
    u.host = authority.substr(0, colon);
    if (colon != authority.npos) port_text = authority.substr(colon + 1);
  }
  if (u.host.empty()) return fail(ErrorCode::kValidationError, "URL has no host");
  if (!port_text.empty()) {
    unsigned p = 0;
    for (char c : port_text) {
      if (c < '0' || c > '9' || p > 65535) return fail(ErrorCode::kValidationError, "bad port");
      p = p * 10 + static_cast<unsigned>(c - '0');
    }
    if (p == 0 || p > 65535) return fail(ErrorCode::kValidationError, "bad port");
    u.port = static_cast<uint16_t>(p);
  }
  size_t q = rest.find('?');
  u.path = rest.substr(0, q);
  if (u.path.empty()) u.path = "/";
  if (q != rest.npos) u.query = rest.substr(q + 1);
  return u;
}

namespace {

// One connection, plain or TLS, over a non-blocking socket; every step bounded by a deadline.
class Connection {
 public:
  explicit Connection(int fd) : fd_(fd) {}
  ~Connection() {
    if (ssl_) SSL_free(ssl_);
    if (ctx_) SSL_CTX_free(ctx_);
  }

  Status start_tls(const Url& url, const std::vector<std::string>& thumbprints,
                   Clock::time_point deadline) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    if (!ctx_ || SSL_CTX_set_default_verify_paths(ctx_) != 1)
      return fail(ErrorCode::kInternal, "TLS setup failed");
    SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
    // Many servers close without close_notify; the response is read to the end regardless.
    SSL_CTX_set_options(ctx_, SSL_OP_IGNORE_UNEXPECTED_EOF);
    ssl_ = SSL_new(ctx_);
    if (!ssl_ || SSL_set_fd(ssl_, fd_) != 1) return fail(ErrorCode::kInternal, "TLS setup failed");
    SSL_set_tlsext_host_name(ssl_, url.host.c_str());
    set_expected_name(SSL_get0_param(ssl_), url.host);
    // The chain is judged after the handshake (verify_peer), against the thumbprints or the
    // system's CAs.
    SSL_set_verify(ssl_, SSL_VERIFY_NONE, nullptr);
    for (;;) {
      int r = SSL_connect(ssl_);
      if (r == 1) break;
      if (auto st = wait_ssl(r, deadline); !st) return st;
    }
    return verify_peer(url, thumbprints);
  }

  Status send_all(std::string_view data, Clock::time_point deadline) {
    for (size_t sent = 0; sent < data.size();) {
      if (ssl_) {
        int r = SSL_write(ssl_, data.data() + sent, static_cast<int>(data.size() - sent));
        if (r > 0) {
          sent += static_cast<size_t>(r);
        } else if (auto st = wait_ssl(r, deadline); !st) {
          return st;
        }
        continue;
      }
      if (auto st = wait_for(fd_, POLLOUT, deadline); !st) return st;
      ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno != EAGAIN) return fail(ErrorCode::kInternal, std::strerror(errno));
      if (n > 0) sent += static_cast<size_t>(n);
    }
    return {};
  }

  // Reads until the peer closes.
  Result<std::string> read_all(Clock::time_point deadline, size_t limit) {
    std::string in;
    char buf[16384];
    for (;;) {
      if (in.size() > limit) return fail(ErrorCode::kInternal, "response too large");
      if (ssl_) {
        int r = SSL_read(ssl_, buf, sizeof buf);
        if (r > 0) {
          in.append(buf, static_cast<size_t>(r));
          continue;
        }
        int err = SSL_get_error(ssl_, r);
        if (err == SSL_ERROR_ZERO_RETURN || err == SSL_ERROR_SYSCALL) break;
        PC_CHECK(wait_ssl(r, deadline));
        continue;
      }
      PC_CHECK(wait_for(fd_, POLLIN, deadline));
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n < 0 && errno == EAGAIN) continue;
      if (n < 0) return fail(ErrorCode::kInternal, std::strerror(errno));
      if (n == 0) break;
      in.append(buf, static_cast<size_t>(n));
    }
    return in;
  }

 private:
  Status wait_ssl(int r, Clock::time_point deadline) {
    int err = SSL_get_error(ssl_, r);
    if (err == SSL_ERROR_WANT_READ) return wait_for(fd_, POLLIN, deadline);
    if (err == SSL_ERROR_WANT_WRITE) return wait_for(fd_, POLLOUT, deadline);
    return fail(ErrorCode::kInternal, "TLS error");
  }

  static void set_expected_name(X509_VERIFY_PARAM* param, const std::string& host) {
    // An IP address is matched against the certificate's IP names, anything else as a host.
    if (X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) != 1)
      X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
  }

  // The server's chain is trusted when it verifies, for the URL's host, up to a certificate
  // with one of the thumbprints taken as the only trust anchor (which may be the server's own
  // certificate); without thumbprints, up to the system's CAs. A certificate merely present in
  // the chain proves nothing: it must sign its way down to the server's.
  Status verify_peer(const Url& url, const std::vector<std::string>& thumbprints) {
    const Error untrusted{ErrorCode::kTlsUntrusted,
                          "the TLS certificate of " + url.host + " is not trusted"};
    X509* leaf = SSL_get0_peer_certificate(ssl_);
    STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl_);
    if (!leaf) return std::unexpected(untrusted);
    if (thumbprints.empty())
      return SSL_get_verify_result(ssl_) == X509_V_OK ? Status{} : std::unexpected(untrusted);
    X509_STORE* store = X509_STORE_new();
    bool anchored = false;
    for (int i = 0; chain && i < sk_X509_num(chain); ++i) {
      X509* cert = sk_X509_value(chain, i);
      unsigned char md[EVP_MAX_MD_SIZE];
      unsigned int len = 0;
      X509_digest(cert, EVP_sha1(), md, &len);
      std::string hex = hex_encode(std::span<const unsigned char>(md, len));
      for (const std::string& t : thumbprints)
        if (iequals(t, hex)) anchored = X509_STORE_add_cert(store, cert) == 1 || anchored;
    }
    bool ok = false;
    if (anchored) {
      X509_STORE_CTX* vctx = X509_STORE_CTX_new();
      if (vctx && X509_STORE_CTX_init(vctx, store, leaf, chain) == 1) {
        X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(vctx);
        X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
        set_expected_name(param, url.host);
        ok = X509_verify_cert(vctx) == 1;
      }
      X509_STORE_CTX_free(vctx);
    }
    X509_STORE_free(store);
    return ok ? Status{} : std::unexpected(untrusted);
  }

  int fd_;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
};

}  // namespace

Result<ClientResponse> fetch(const Url& url, const ClientRequest& req,
                             std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  Fd fd{PC_TRY(connect_to(url, deadline))};
  Connection conn(fd.fd);
  if (url.scheme == "https") PC_CHECK(conn.start_tls(url, req.tls_thumbprints, deadline));

  std::string out = req.method + " " + req.target + " HTTP/1.1\r\n";
  bool has_length = false;
  for (const auto& [n, v] : req.headers) {
    out += n + ": " + v + "\r\n";
    if (iequals(n, "content-length")) has_length = true;
  }
  if (!has_length &&
      (!req.body.empty() || req.method == "POST" || req.method == "PUT" || req.method == "PATCH"))
    out += "Content-Length: " + std::to_string(req.body.size()) + "\r\n";
  out += "Connection: close\r\n\r\n";
  out += req.body;
  PC_CHECK(conn.send_all(out, deadline));
  std::string in = PC_TRY(conn.read_all(deadline, req.max_response_bytes));

  size_t head_end = in.find("\r\n\r\n");
  if (head_end == in.npos) return fail(ErrorCode::kInternal, "malformed response");
  ClientResponse res;
  std::string_view head(in.data(), head_end);
  size_t eol = head.find("\r\n");
  res.status_line = head.substr(0, eol);
  if (res.status_line.size() < 12 || !res.status_line.starts_with("HTTP/1."))
    return fail(ErrorCode::kInternal, "malformed status line");
  res.status = std::atoi(res.status_line.c_str() + 9);
  bool chunked = false;
  while (eol != head.npos) {
    size_t next = head.find("\r\n", eol + 2);
    std::string_view line = head.substr(eol + 2, next == head.npos ? head.npos : next - eol - 2);
    size_t colon = line.find(':');
    if (colon != line.npos) {
      std::string_view v = line.substr(colon + 1);
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      res.headers.emplace_back(std::string(line.substr(0, colon)), std::string(v));
      if (iequals(line.substr(0, colon), "transfer-encoding") && iequals(v, "chunked"))
        chunked = true;
    }
    eol = next;
  }
  std::string_view body = std::string_view(in).substr(head_end + 4);
  if (chunked) {
    if (!dechunk(body, res.body)) return fail(ErrorCode::kInternal, "malformed chunked body");
  } else {
    res.body = body;
  }
  return res;
}

}  // namespace portcullis::http
