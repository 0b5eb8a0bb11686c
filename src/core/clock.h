// Time, injected: every component that reads the time takes a Clock so that skew windows,
// expiry and throttling can be tested with a fixed or moving fake clock.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace portcullis {

using SystemTime = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual SystemTime now() const = 0;
};

class SystemClock final : public Clock {
 public:
  SystemTime now() const override { return std::chrono::system_clock::now(); }
  static const SystemClock& instance();
};

// A clock the tests set and advance.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(SystemTime t) : micros_(to_micros(t)) {}
  SystemTime now() const override { return SystemTime(std::chrono::microseconds(micros_.load())); }
  void set(SystemTime t) { micros_ = to_micros(t); }
  void advance(std::chrono::microseconds d) { micros_ += d.count(); }

 private:
  static int64_t to_micros(SystemTime t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  }
  std::atomic<int64_t> micros_;
};

// ISO-8601 basic format as SigV4 uses it: 20150830T123600Z.
std::string format_amz_date(SystemTime t);
std::optional<SystemTime> parse_amz_date(std::string_view s);
// ISO-8601 extended, as AWS XML responses carry it: 2015-08-30T12:36:00Z.
std::string format_iso8601(SystemTime t);
std::optional<SystemTime> parse_iso8601(std::string_view s);
// RFC 7231 IMF-fixdate: Sun, 30 Aug 2015 12:36:00 GMT.
std::string format_http_date(SystemTime t);
std::optional<SystemTime> parse_http_date(std::string_view s);

}  // namespace portcullis
