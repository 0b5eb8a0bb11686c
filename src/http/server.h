// The HTTP/1.1 server: N worker threads, each with its own event loop and its own
// SO_REUSEPORT listener; keep-alive, limits, timeouts and a graceful drain on stop().
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/result.h"
#include "http/message.h"
#include "http/parser.h"

namespace portcullis::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 4566;  // 0 picks a free port; see Server::port()
  int workers = 1;
  ParseLimits limits;
  std::chrono::milliseconds header_timeout{10'000};  // to receive a whole request once begun
  std::chrono::milliseconds idle_timeout{60'000};    // keep-alive wait for the next request
  bool access_log = true;
  int blocking_threads = 4;  // the pool for handlers that may block (store, XML, processes)
};

// Handlers run on the worker thread that read the request and must not block, unless the
// Offload predicate says the request needs the blocking pool.
using Handler = std::function<void(Request&, Response&)>;
using Offload = std::function<bool(const Request&)>;
// Answers a request the server refused before any handler saw it (framing, limits; the request
// then carries only its id and the remote address), and, with status 500, a request whose
// handler threw (the request is then whole).
using RejectHandler =
    std::function<void(int status, std::string_view message, const Request&, Response&)>;

class Server {
 public:
  Server(ServerOptions options, Handler handler, RejectHandler reject = nullptr,
         Offload offload = nullptr);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listeners and starts the workers; returns once the server accepts connections.
  Status start();
  uint16_t port() const;
  // Stops accepting, closes idle connections, lets in-flight requests finish for up to
  // `drain`, then closes the rest. Returns when every worker has stopped.
  void stop(std::chrono::milliseconds drain);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace portcullis::http
