#include "app/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <thread>

#include "core/encoding.h"
#include "core/log.h"

namespace portcullis::app {

namespace {

template <typename T>
Status parse_number(std::string_view key, std::string_view v, T& out, T min, T max) {
  T n{};
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size() || n < min || n > max)
    return fail(ErrorCode::kValidationError,
                std::string(key) + ": expected a number from " + std::to_string(min) + " to " +
                    std::to_string(max) + ", got '" + std::string(v) + "'");
  out = n;
  return {};
}

Status parse_bool(std::string_view key, std::string_view v, bool& out) {
  if (iequals(v, "true") || v == "1" || iequals(v, "yes") || iequals(v, "on"))
    out = true;
  else if (iequals(v, "false") || v == "0" || iequals(v, "no") || iequals(v, "off"))
    out = false;
  else
    return fail(ErrorCode::kValidationError, std::string(key) + ": expected true or false");
  return {};
}

#define STRING_SETTING(field, help)                                        \
  Setting {                                                                \
#field, help, [](Config& c, std::string_view v) -> Status {              \
      c.field = std::string(v);                                              \
      return {};                                                             \
    } \
  }
#define NUMBER_SETTING(field, type, min, max, help)                                 \
  Setting {                                                                         \
#field, help,                                                                   \
        [](Config & c, std::string_view v)                                          \
             -> Status { return parse_number<type>(#field, v, c.field, min, max); } \
  }

const Setting kSettings[] = {
    STRING_SETTING(listen, "address:port to listen on"),
    STRING_SETTING(state_dir, "directory holding the server's state"),
    STRING_SETTING(region, "the default region, for what has no region of its own"),
    STRING_SETTING(regions,
                   "comma-separated regions to serve; empty: every AWS commercial region"),
    STRING_SETTING(account_id, "the 12-digit account id of this server"),
    NUMBER_SETTING(workers, int, 0, 256, "worker threads; 0 means one per core"),
    NUMBER_SETTING(blocking_threads, int, 1, 256,
                   "threads for control-plane calls, which read and write the store"),
    STRING_SETTING(log_level, "debug, info, warn, error or off"),
    STRING_SETTING(log_file, "append logs to this file instead of stderr"),
    Setting{
        "access_log", "write one JSON line per request",
        [](Config& c, std::string_view v) { return parse_bool("access_log", v, c.access_log); }},
    NUMBER_SETTING(max_header_bytes, size_t, size_t{1024}, size_t{1} << 20,
                   "limit on the request line and headers, in bytes"),
    NUMBER_SETTING(max_body_bytes, size_t, size_t{0}, size_t{1} << 30,
                   "limit on a request body, in bytes"),
    NUMBER_SETTING(header_timeout_ms, int, 100, 3'600'000,
                   "time allowed to receive a whole request once it has begun"),
    NUMBER_SETTING(idle_timeout_ms, int, 100, 3'600'000,
                   "how long an idle keep-alive connection is kept"),
    NUMBER_SETTING(drain_timeout_ms, int, 0, 3'600'000,
                   "on SIGTERM, how long in-flight requests may take to finish"),
    NUMBER_SETTING(skew_execute_api_seconds, int, 0, 86'400,
                   "allowed clock skew of signed API invocations"),
    NUMBER_SETTING(skew_control_plane_seconds, int, 0, 86'400,
                   "allowed clock skew of signed IAM and STS calls"),
    STRING_SETTING(saml_audiences,
                   "comma-separated audiences a SAML assertion may be addressed to"),
    STRING_SETTING(saml_recipient, "the Recipient and Destination SAML responses must name"),
    NUMBER_SETTING(federation_skew_seconds, int, 0, 3600,
                   "clock skew allowed on SAML assertion and OIDC token time windows"),
};

#undef STRING_SETTING
#undef NUMBER_SETTING

const Setting* find_setting(std::string_view key) {
  for (const Setting& s : kSettings)
    if (s.key == key) return &s;
  return nullptr;
}

}  // namespace

std::span<const Setting> settings() { return kSettings; }

std::span<const std::string_view> commercial_regions() {
  // The "aws" partition of botocore's endpoints data (Debian's python3-botocore 1.29), then the
  // regions AWS opened after it: clients of newer SDKs sign for those too.
  static constexpr std::string_view kRegions[] = {
      "af-south-1",     "ap-east-1",      "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
      "ap-south-1",     "ap-south-2",     "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
      "ca-central-1",   "eu-central-1",   "eu-central-2",   "eu-north-1",     "eu-south-1",
      "eu-south-2",     "eu-west-1",      "eu-west-2",      "eu-west-3",      "me-central-1",
      "me-south-1",     "sa-east-1",      "us-east-1",      "us-east-2",      "us-west-1",
      "us-west-2",
      // Opened later.
      "ap-southeast-4", "il-central-1",   "ca-west-1",      "ap-southeast-5", "ap-southeast-7",
      "mx-central-1",   "ap-east-2",
  };
  return kRegions;
}

std::string env_name(std::string_view key) {
  std::string out = "PORTCULLIS_";
  for (char c : key) out.push_back(static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c));
  return out;
}

std::string flag_name(std::string_view key) {
  std::string out = "--";
  for (char c : key) out.push_back(c == '_' ? '-' : c);
  return out;
}

Status apply_file(Config& config, const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return fail(ErrorCode::kValidationError, "cannot read config " + path + ": " + e.what());
  }
  if (root.IsNull()) return {};
  if (!root.IsMap()) return fail(ErrorCode::kValidationError, path + ": expected a mapping");
  for (const auto& item : root) {
    std::string key = item.first.as<std::string>();
    const Setting* s = find_setting(key);
    if (!s) return fail(ErrorCode::kValidationError, path + ": unknown setting '" + key + "'");
    if (!item.second.IsScalar())
      return fail(ErrorCode::kValidationError, path + ": '" + key + "' must be a scalar");
    if (auto st = s->set(config, item.second.Scalar()); !st)
      return fail(ErrorCode::kValidationError, path + ": " + st.error().message);
  }
  return {};
}

Status apply_env(Config& config) {
  for (const Setting& s : kSettings) {
    const char* v = std::getenv(env_name(s.key).c_str());
    if (!v) continue;
    if (auto st = s.set(config, v); !st)
      return fail(ErrorCode::kValidationError, env_name(s.key) + ": " + st.error().message);
  }
  return {};
}

Status validate(Config& c) {
  size_t colon = c.listen.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return fail(ErrorCode::kValidationError,
                "listen: expected address:port, got '" + c.listen + "'");
  c.host = c.listen.substr(0, colon);
  if (c.host.size() > 2 && c.host.front() == '[' && c.host.back() == ']')
    c.host = c.host.substr(1, c.host.size() - 2);
  if (auto st = parse_number<uint16_t>("listen port", std::string_view(c.listen).substr(colon + 1),
                                       c.port, 0, 65535);
      !st)
    return st;
  if (c.account_id.size() != 12 ||
      c.account_id.find_first_not_of("0123456789") != std::string::npos)
    return fail(ErrorCode::kValidationError, "account_id: expected 12 digits");
  auto region_name = [](std::string_view r) {
    return !r.empty() && r.size() <= 32 && r.front() != '-' && r.back() != '-' &&
           r.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string_view::npos;
  };
  if (!region_name(c.region))
    return fail(ErrorCode::kValidationError, "region: expected a region name such as us-east-1");
  c.served_regions.clear();
  if (c.regions.empty()) {
    for (std::string_view r : commercial_regions()) c.served_regions.emplace_back(r);
  } else {
    for (std::string& r : split_list(c.regions)) {
      if (!region_name(r))
        return fail(ErrorCode::kValidationError,
                    "regions: expected region names separated by commas, got '" + c.regions + "'");
      if (std::find(c.served_regions.begin(), c.served_regions.end(), r) == c.served_regions.end())
        c.served_regions.push_back(std::move(r));
    }
  }
  // The default region is always served.
  if (std::find(c.served_regions.begin(), c.served_regions.end(), c.region) ==
      c.served_regions.end())
    c.served_regions.push_back(c.region);
  log::Level level;
  if (!log::parse_level(c.log_level, level))
    return fail(ErrorCode::kValidationError, "log_level: expected debug, info, warn, error or off");
  if (c.workers == 0)
    c.workers = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return {};
}

}  // namespace portcullis::app
