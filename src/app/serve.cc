#include "app/serve.h"

#include <signal.h>

#include <cstdio>
#include <iostream>

#include "app/admin.h"
#include "app/edge.h"
#include "app/invoke_access.h"
#include "core/encoding.h"
#include "core/log.h"
#include "http/server.h"
#include "gateway/api/management_api.h"
#include "gateway/compile/snapshot.h"
#include "gateway/invoke/pipeline.h"
#include "iam/iam_api.h"
#include "protocol/errors.h"
#include "store/store.h"

namespace portcullis::app {

int serve(Config config) {
  // Blocked before any thread starts (services start their own): every thread inherits the mask,
  // and the main thread alone takes the signals, with sigwait.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  if (auto st = validate(config); !st) {
    std::cerr << "portcullis: " << st.error().message << "\n";
    return 2;
  }
  log::Level level;
  log::parse_level(config.log_level, level);
  log::set_level(level);
  if (!config.log_file.empty() && !log::set_output(config.log_file)) {
    std::cerr << "portcullis: cannot open log file " << config.log_file << "\n";
    return 2;
  }

  if (auto st = ensure_state_dir(config.state_dir); !st) {
    log::error(st.error().message);
    return 1;
  }
  auto admin = load_or_create_admin(config.state_dir);
  if (!admin) {
    log::error(admin.error().message);
    return 1;
  }
  if (admin->generated) {
    // Printed once, to the terminal only (never to the log).
    std::cout << "Portcullis created the administrator of account " << config.account_id
              << ".\n  aws_access_key_id = " << admin->access_key_id
              << "\n  aws_secret_access_key = " << admin->secret_access_key << "\nThey are kept in "
              << config.state_dir << "/admin-credentials (profile " << kAdminProfile << ").\n"
              << std::flush;
  }

  auto master_key = load_or_create_master_key(config.state_dir);
  if (!master_key) {
    log::error(master_key.error().message);
    return 1;
  }
  auto store = store::open_sqlite(config.state_dir + "/portcullis.db");
  if (!store) {
    log::error(store.error().message);
    return 1;
  }
  // IAM is a global service: AWS serves it from us-east-1, which is the region its calls are
  // made in (aws:RequestedRegion) whatever region a client signs for.
  iam::IamService iam(**store, config.account_id, "us-east-1", *master_key,
                      SystemClock::instance());
  if (auto st = iam.start(); !st) {
    log::error(st.error().message);
    return 1;
  }
  if (auto st = iam.ensure_admin(admin->user_id, admin->access_key_id, admin->secret_access_key,
                                 admin->replaced_access_key_id);
      !st) {
    log::error(st.error().message);
    return 1;
  }

  auto token_keys = sts::TokenKeys::load(**store, *master_key, SystemClock::instance().now());
  if (!token_keys) {
    log::error(token_keys.error().message);
    return 1;
  }
  sts::StsSettings sts_settings;
  sts_settings.saml_audiences = split_list(config.saml_audiences);
  sts_settings.saml_recipient = config.saml_recipient;
  sts_settings.skew = std::chrono::seconds(config.federation_skew_seconds);
  sts::StsService sts(iam, **store, std::move(*token_keys), SystemClock::instance(), sts_settings);
  gateway::ManagementApi apigateway(**store, config.account_id, *master_key,
                                    SystemClock::instance());
  if (auto st = apigateway.migrate(config.region); !st) {
    log::error(st.error().message);
    return 1;
  }
  // The invoke path: the gateway snapshot, rebuilt by every management write, and the
  // pipeline that reads it.
  InvokeAccess invoke_access(config, iam, sts, SystemClock::instance());
  gateway::Publisher publisher(config.served_regions, config.account_id,
                               [&invoke_access](std::string_view document) {
                                 return invoke_access.compile_policy(document);
                               });
  if (auto st = publisher.load(**store); !st) {
    log::error(st.error().message);
    return 1;
  }
  apigateway.set_publisher(&publisher);
  gateway::invoke::Pipeline pipeline(publisher, invoke_access, SystemClock::instance(), {});
  Edge edge(config, iam, sts, apigateway, pipeline, SystemClock::instance());

  // A client or log reader that goes away must not kill the server.
  signal(SIGPIPE, SIG_IGN);


  http::ServerOptions options;
  options.host = config.host;
  options.port = config.port;
  options.workers = config.workers;
  options.blocking_threads = config.blocking_threads;
  options.limits.max_header_bytes = config.max_header_bytes;
  options.limits.max_body_bytes = config.max_body_bytes;
  options.header_timeout = std::chrono::milliseconds(config.header_timeout_ms);
  options.idle_timeout = std::chrono::milliseconds(config.idle_timeout_ms);
  options.access_log = config.access_log;
  http::Server server(
      options, [&edge](http::Request& req, http::Response& res) { edge.handle(req, res); },
      [&edge](int status, std::string_view message, const http::Request& req,
              http::Response& res) { edge.refuse(status, message, req, res); },
      [&edge](const http::Request& req) { return edge.blocking(req); });
  if (auto st = server.start(); !st) {
    log::error(st.error().message);
    return 1;
  }
  edge.set_ready(true);
  log::info("listening on " + config.host + ":" + std::to_string(server.port()) + " with " +
            std::to_string(config.workers) + " workers, " +
            std::to_string(config.served_regions.size()) + " regions (default " + config.region +
            "), account " + config.account_id);

  int sig = 0;
  sigwait(&signals, &sig);
  log::info(std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") +
            ", draining for up to " + std::to_string(config.drain_timeout_ms) + " ms");
  edge.set_ready(false);
  server.stop(std::chrono::milliseconds(config.drain_timeout_ms));
  log::info("stopped");
  return 0;
}

}  // namespace portcullis::app
