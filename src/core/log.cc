#include "core/log.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>

#include "core/clock.h"

namespace portcullis::log {

namespace {
std::atomic<Level> g_level{Level::kInfo};
std::atomic<int> g_fd{2};

constexpr std::string_view kNames[] = {"debug", "info", "warn", "error", "off"};

// One write(2) per line: lines from different threads never interleave (they are far below
// PIPE_BUF for the access log and O_APPEND keeps file writes whole).
void emit(std::string& line) {
  line.push_back('\n');
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(g_fd.load(std::memory_order_relaxed), p, left);
    if (n <= 0) return;
    p += n;
    left -= static_cast<size_t>(n);
  }
}
}  // namespace

bool parse_level(std::string_view name, Level& out) {
  for (size_t i = 0; i < std::size(kNames); ++i) {
    if (name == kNames[i]) {
      out = static_cast<Level>(i);
      return true;
    }
  }
  if (name == "warning") {
    out = Level::kWarn;
    return true;
  }
  return false;
}

void set_level(Level level) { g_level = level; }
Level level() { return g_level; }

bool set_output(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return false;
  int old = g_fd.exchange(fd);
  if (old > 2) ::close(old);
  return true;
}

void write(Level level, std::string_view message) {
  if (level < g_level.load(std::memory_order_relaxed) || level == Level::kOff) return;
  std::string line = "{\"time\":\"";
  line += format_iso8601(std::chrono::system_clock::now());
  line += "\",\"level\":\"";
  line += kNames[static_cast<int>(level)];
  line += "\",\"msg\":";
  append_json_string(line, message);
  line += '}';
  emit(line);
}

void write_line(std::string_view json_object) {
  std::string line(json_object);
  emit(line);
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xf]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

}  // namespace portcullis::log
