#include "http/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>

#include "core/log.h"

namespace portcullis::http {
namespace {

// Sends `data` on a new connection and reads until `responses` HTTP responses (by status line)
// arrived or the peer closed; every wait is bounded by the socket's receive timeout.
std::string exchange(uint16_t port, const std::string& data, int responses) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return {};
  }
  ::send(fd, data.data(), data.size(), 0);
  std::string in;
  char buf[4096];
  auto count = [&] {
    int n = 0;
    for (size_t pos = 0; (pos = in.find("HTTP/1.1 ", pos)) != std::string::npos; ++pos) ++n;
    return n;
  };
  while (count() < responses || in.rfind("\r\n\r\n") == std::string::npos) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    in.append(buf, static_cast<size_t>(n));
    // The last response is complete once its body (of Content-Length bytes) arrived.
    size_t last = in.rfind("HTTP/1.1 ");
    size_t head_end = in.find("\r\n\r\n", last);
    size_t cl = in.find("Content-Length: ", last);
    if (count() >= responses && head_end != std::string::npos && cl != std::string::npos &&
        in.size() >= head_end + 4 + std::stoul(in.substr(cl + 16)))
      break;
  }
  ::close(fd);
  return in;
}

TEST(Server, AHandlerThatThrowsGetsA500AndTheConnectionGoesOn) {
  log::set_level(log::Level::kOff);
  ServerOptions options;
  options.port = 0;
  options.access_log = false;
  int refused = 0;
  Server server(
      options,
      [](Request& req, Response& res) {
        res.body = "partial";  // whatever a failing handler left must not be sent
        if (req.path() == "/boom") throw std::runtime_error("a fault of ours");
        if (req.path() == "/int") throw 42;
        res.status = 200;
        res.body = "ok";
      },
      [&refused](int status, std::string_view message, const Request& req, Response& res) {
        ++refused;
        res.status = status;
        res.body = std::string(message) + " id=" + req.request_id;
      });
  ASSERT_TRUE(server.start());
  std::string out = exchange(server.port(),
                             "GET /boom HTTP/1.1\r\nHost: h\r\n\r\n"
                             "GET /int HTTP/1.1\r\nHost: h\r\n\r\n"
                             "GET /fine HTTP/1.1\r\nHost: h\r\n\r\n",
                             3);
  server.stop(std::chrono::milliseconds(100));
  log::set_level(log::Level::kInfo);
  EXPECT_EQ(refused, 2);
  size_t first = out.find("HTTP/1.1 500 ");
  size_t second = out.find("HTTP/1.1 500 ", first + 1);
  size_t third = out.find("HTTP/1.1 200 ", second + 1);
  ASSERT_NE(first, std::string::npos) << out;
  ASSERT_NE(second, std::string::npos) << out;
  ASSERT_NE(third, std::string::npos) << out;
  EXPECT_NE(out.find("An internal error occurred. id="), std::string::npos) << out;
  EXPECT_EQ(out.find("partial"), std::string::npos) << out;
  EXPECT_EQ(out.find("a fault of ours"), std::string::npos) << out;
  EXPECT_NE(out.find("\r\n\r\nok"), std::string::npos) << out;
}

}  // namespace
}  // namespace portcullis::http
