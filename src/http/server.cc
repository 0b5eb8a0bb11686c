#include "http/server.h"

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <list>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/ids.h"
#include "core/log.h"

namespace portcullis::http {

namespace asio = boost::asio;
using asio::ip::tcp;
using SteadyTime = std::chrono::steady_clock::time_point;

namespace {

// One client connection; lives as long as its reading coroutine.
struct Connection {
  explicit Connection(tcp::socket s) : socket(std::move(s)), timer(socket.get_executor()) {}
  tcp::socket socket;
  asio::steady_timer timer;
  SteadyTime deadline = SteadyTime::max();
  SteadyTime armed = SteadyTime::max();  // when the watchdog's timer fires next
  bool busy = false;                      // a handler is running: no timeout applies

  // Moving a deadline later needs no timer call (the watchdog re-arms when it wakes); only an
  // earlier one does. Keep-alive requests thus cost no timer system calls.
  void set_deadline(SteadyTime t) {
    deadline = t;
    if (t < armed) timer.cancel();
  }
  bool idle = true;  // waiting for the first byte of a request
  std::list<Connection*>::iterator self;

  void close() {
    boost::system::error_code ec;
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
    timer.cancel();
  }
};

void append_response_head(std::string& out, const Response& res, bool keep_alive) {
  out += "HTTP/1.1 ";
  out += std::to_string(res.status);
  out += ' ';
  out += reason_phrase(res.status);
  out += "\r\n";
  for (const auto& [name, value] : res.headers) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  out += "Content-Length: ";
  out += std::to_string(res.body.size());
  out += keep_alive ? "\r\nConnection: keep-alive\r\n\r\n" : "\r\nConnection: close\r\n\r\n";
}

void write_access_log(const Request& req, const Response& res, std::string_view method,
                      std::string_view path, uint64_t bytes, int64_t micros) {
  std::string line = "{\"time\":\"";
  line += format_iso8601(std::chrono::system_clock::now());
  line += "\",\"type\":\"access\",\"request_id\":";
  log::append_json_string(line, req.request_id);
  line += ",\"remote\":";
  log::append_json_string(line, req.remote_address);
  line += ",\"method\":";
  log::append_json_string(line, method);
  line += ",\"path\":";
  log::append_json_string(line, path);
  line += ",\"status\":" + std::to_string(res.status);
  line += ",\"bytes\":" + std::to_string(bytes);
  line += ",\"latency_us\":" + std::to_string(micros);
  line += ",\"principal\":";
  log::append_json_string(line, res.log_principal);
  line += '}';
  log::write_line(line);
}

}  // namespace

struct Server::Impl {
  Impl(ServerOptions o, Handler h, RejectHandler r, Offload f)
      : options(std::move(o)),
        handler(std::move(h)),
        reject(std::move(r)),
        offload(std::move(f)),
        pool(static_cast<size_t>(std::max(1, options.blocking_threads))) {}

  struct Worker {
    // Declared before io, so destroyed after it: destroying io destroys suspended sessions,
    // whose cleanup still unlinks them from this list.
    std::list<Connection*> connections;
    asio::io_context io{1};
    std::unique_ptr<tcp::acceptor> acceptor;
    bool draining = false;
    std::thread thread;
  };

  ServerOptions options;
  Handler handler;
  RejectHandler reject;
  Offload offload;
  asio::thread_pool pool;
  std::vector<std::unique_ptr<Worker>> workers;
  uint16_t bound_port = 0;
  bool started = false;

  asio::awaitable<void> accept_loop(Worker& w);
  asio::awaitable<void> session(Worker& w, std::shared_ptr<Connection> c);
  void run_handler(Request& req, Response& res);
  void answer(int status, std::string_view message, const Request& req, Response& res);
  asio::awaitable<void> watchdog(std::shared_ptr<Connection> c);
};

Server::Server(ServerOptions options, Handler handler, RejectHandler reject, Offload offload)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler), std::move(reject),
                                   std::move(offload))) {}

Server::~Server() {
  if (impl_->started) stop(std::chrono::milliseconds(0));
}

uint16_t Server::port() const { return impl_->bound_port; }

Status Server::start() {
  Impl& s = *impl_;
  boost::system::error_code ec;
  auto address = asio::ip::make_address(s.options.host, ec);
  if (ec) return fail(ErrorCode::kValidationError, "invalid listen address: " + s.options.host);
  uint16_t port = s.options.port;
  int n = std::max(1, s.options.workers);
  for (int i = 0; i < n; ++i) {
    auto w = std::make_unique<Impl::Worker>();
    auto acc = std::make_unique<tcp::acceptor>(w->io);
    tcp::endpoint ep(address, port);
    acc->open(ep.protocol(), ec);
    if (!ec) acc->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) {
      int one = 1;
      if (::setsockopt(acc->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
        ec = boost::system::error_code(errno, boost::system::system_category());
    }
    if (!ec) acc->bind(ep, ec);
    if (!ec) acc->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return fail(ErrorCode::kInternal, "cannot listen on " + s.options.host + ":" +
                                            std::to_string(port) + ": " + ec.message());
    }
    port = acc->local_endpoint().port();  // workers after the first bind the port it got
    w->acceptor = std::move(acc);
    s.workers.push_back(std::move(w));
  }
  s.bound_port = port;
  for (auto& w : s.workers) {
    asio::co_spawn(w->io, s.accept_loop(*w), asio::detached);
    w->thread = std::thread([io = &w->io] { io->run(); });
  }
  s.started = true;
  return {};
}

void Server::stop(std::chrono::milliseconds drain) {
  Impl& s = *impl_;
  if (!s.started) return;
  s.started = false;
  for (auto& w : s.workers) {
    asio::post(w->io, [wp = w.get()] {
      wp->draining = true;
      boost::system::error_code ec;
      wp->acceptor->close(ec);
      for (Connection* c : wp->connections)
        if (c->idle) c->close();
    });
  }
  auto deadline = std::chrono::steady_clock::now() + drain;
  for (auto& w : s.workers) {
    // A worker stops by itself once its last connection ends; past the deadline, force it.
    while (!w->io.stopped() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (!w->io.stopped()) {
      asio::post(w->io, [wp = w.get()] {
        for (Connection* c : wp->connections) c->close();
      });
      auto hard = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
      while (!w->io.stopped() && std::chrono::steady_clock::now() < hard)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      w->io.stop();
    }
    if (w->thread.joinable()) w->thread.join();
  }
  s.pool.join();
}

asio::awaitable<void> Server::Impl::accept_loop(Worker& w) {
  for (;;) {
    boost::system::error_code ec;
    tcp::socket sock =
        co_await w.acceptor->async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (w.draining || ec == asio::error::operation_aborted) co_return;
      if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space) {
        // Out of file descriptors: back off rather than spin.
        asio::steady_timer t(w.io, std::chrono::milliseconds(50));
        co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      }
      continue;
    }
    sock.set_option(tcp::no_delay(true), ec);
    auto c = std::make_shared<Connection>(std::move(sock));
    w.connections.push_front(c.get());
    c->self = w.connections.begin();
    asio::co_spawn(w.io, session(w, c), asio::detached);
    asio::co_spawn(w.io, watchdog(c), asio::detached);
  }
}

asio::awaitable<void> Server::Impl::watchdog(std::shared_ptr<Connection> c) {
  while (c->socket.is_open()) {
    auto now = std::chrono::steady_clock::now();
    if (!c->busy && c->deadline <= now) {
      c->close();
      co_return;
    }
    c->armed = c->busy ? now + options.idle_timeout : c->deadline;
    c->timer.expires_at(c->armed);
    boost::system::error_code ec;
    co_await c->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

// The one guard around handlers: an exception that escaped one is a fault of ours, answered with
// the protocol's 500 (the request was read whole, so the connection stays usable) and logged
// once, by type and request id, never with the request's contents.
void Server::Impl::run_handler(Request& req, Response& res) {
  try {
    handler(req, res);
    return;
  } catch (const std::exception& e) {
    log::error("request " + req.request_id + " failed in its handler: " + e.what());
  } catch (...) {
    log::error("request " + req.request_id + " failed in its handler");
  }
  res = Response{};
  answer(500, "An internal error occurred.", req, res);
}

void Server::Impl::answer(int status, std::string_view message, const Request& req,
                          Response& res) {
  if (reject) return reject(status, message, req, res);
  res.status = status;
  res.set_header("Content-Type", "application/json");
  res.body = "{\"message\":";
  log::append_json_string(res.body, message);
  res.body += "}";
}

asio::awaitable<void> Server::Impl::session(Worker& w, std::shared_ptr<Connection> c) {
  struct Unlink {
    Worker& w;
    Connection* c;
    ~Unlink() {
      c->close();
      w.connections.erase(c->self);
    }
  } unlink{w, c.get()};
  RequestParser parser(options.limits);
  std::string in;  // bytes received and not yet consumed
  size_t in_pos = 0;
  std::string remote;
  {
    boost::system::error_code ec;
    auto ep = c->socket.remote_endpoint(ec);
    if (!ec) remote = ep.address().to_string() + ":" + std::to_string(ep.port());
  }
  char buf[16384];
  std::string out;
  for (;;) {
    parser.reset();
    c->idle = true;
    c->set_deadline(std::chrono::steady_clock::now() + options.idle_timeout);
    RequestParser::State state = RequestParser::State::kNeedMore;
    SteadyTime started{};
    for (;;) {
      if (in_pos < in.size()) {
        if (c->idle) {
          c->idle = false;
          started = std::chrono::steady_clock::now();
        }
        size_t used = 0;
        state = parser.feed(std::string_view(in).substr(in_pos), used);
        in_pos += used;
        if (in_pos == in.size()) {
          in.clear();
          in_pos = 0;
        }
        if (state != RequestParser::State::kNeedMore) break;
        // Only a request that needs more reads gets the (shorter) whole-request deadline.
        c->set_deadline(started + options.header_timeout);
      }
      if (w.draining && c->idle) co_return;
      boost::system::error_code ec;
      size_t n = co_await c->socket.async_read_some(asio::buffer(buf),
                                                    asio::redirect_error(asio::use_awaitable, ec));
      if (ec || n == 0) co_return;  // peer gone, or closed by the watchdog or a drain
      in.append(buf, n);
    }

    Request& req = parser.request();
    Response res;
    bool keep_alive = parser.keep_alive() && !w.draining;
    req.request_id = ids::request_id();
    req.remote_address = remote;
    if (state == RequestParser::State::kDone) {
      c->busy = true;
      if (offload && offload(req)) {
        // Runs on the blocking pool; the session resumes on its own worker afterwards.
        co_await asio::co_spawn(
            pool,
            [&]() -> asio::awaitable<void> {
              run_handler(req, res);
              co_return;
            },
            asio::use_awaitable);
      } else {
        run_handler(req, res);
      }
      c->busy = false;
    } else {
      keep_alive = false;
      answer(parser.error_status(), parser.error_message(), req, res);
    }
    out.clear();
    append_response_head(out, res, keep_alive);
    bool head_only = req.method() == "HEAD";
    std::array<asio::const_buffer, 2> bufs{
        asio::buffer(out), asio::buffer(res.body.data(), head_only ? 0 : res.body.size())};
    c->set_deadline(std::chrono::steady_clock::now() + options.idle_timeout);
    boost::system::error_code ec;
    co_await asio::async_write(c->socket, bufs, asio::redirect_error(asio::use_awaitable, ec));
    if (options.access_log) {
      auto micros = started == SteadyTime{} ? 0
                                            : std::chrono::duration_cast<std::chrono::microseconds>(
                                                  std::chrono::steady_clock::now() - started)
                                                  .count();
      std::string_view method = state == RequestParser::State::kDone ? req.method() : "-";
      std::string_view path = state == RequestParser::State::kDone ? req.path() : "-";
      write_access_log(req, res, method, path, out.size() + res.body.size(), micros);
    }
    if (ec || !keep_alive) co_return;
  }
}

}  // namespace portcullis::http
