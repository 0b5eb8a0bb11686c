// Server configuration: defaults, then a YAML file, then PORTCULLIS_* environment variables,
// then command-line flags; every setting is declared once in a table that all four share.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace portcullis::app {

struct Config {
  std::string listen = "127.0.0.1:4566";
  std::string state_dir = "./portcullis-data";
  std::string region = "us-east-1";  // the default region, for what has none of its own
  std::string regions;                // comma-separated; empty: every AWS commercial region
  std::string account_id = "000000000000";
  int workers = 0;  // 0: one per core
  int blocking_threads = 4;  // the pool for control-plane calls (store, XML, key fetches)
  std::string log_level = "info";
  std::string log_file;  // empty: stderr
  bool access_log = true;
  size_t max_header_bytes = 10240;
  size_t max_body_bytes = 10 * 1024 * 1024;
  int header_timeout_ms = 10'000;
  int idle_timeout_ms = 60'000;
  int drain_timeout_ms = 10'000;
  int skew_execute_api_seconds = 300;
  int skew_control_plane_seconds = 900;
  std::string saml_audiences = "https://signin.aws.amazon.com/saml,urn:amazon:webservices";
  std::string saml_recipient = "https://signin.aws.amazon.com/saml";
  int federation_skew_seconds = 300;

  // Derived by validate(): from `listen`, and from `regions` (which then holds `region` too).
  std::string host;
  uint16_t port = 0;
  std::vector<std::string> served_regions;
};

struct Setting {
  std::string_view key;  // YAML key; the flag is --key with '-' for '_'; env PORTCULLIS_KEY
  std::string_view help;
  std::function<Status(Config&, std::string_view)> set;
};

std::span<const Setting> settings();
std::string env_name(std::string_view key);
std::string flag_name(std::string_view key);

// Applies the YAML file at `path` (a mapping of setting keys to scalars).
Status apply_file(Config& config, const std::string& path);
// Applies PORTCULLIS_* variables from the environment.
Status apply_env(Config& config);
// The AWS commercial regions, served when `regions` is not set.
std::span<const std::string_view> commercial_regions();

// Checks values and fills the derived fields.
Status validate(Config& config);

}  // namespace portcullis::app
