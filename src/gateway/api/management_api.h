// The API Gateway management API (rest-json, 2015-07-09): REST APIs and everything in them,
// deployments and stages, API keys and usage plans, OpenAPI import and export. Kept in the store.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "http/message.h"
#include "store/store.h"

namespace portcullis::gateway {

class Publisher;

class ManagementApi {
 public:
  // Decides whether the caller may perform `action` (apigateway:GET…) on `resource` (an ARN);
  // the IAM engine is behind it, but this module does not know that.
  using Authorize = std::function<Status(std::string_view action, std::string_view resource)>;

  // `master_key` seals the secrets the API keeps (client certificates' private keys).
  ManagementApi(store::Store& store, std::string account, std::string master_key,
                const Clock& clock);

  // Moves what a server of one region stored (before regions had state of their own) into
  // `default_region`. Idempotent; run before the first call.
  Status migrate(std::string_view default_region);

  // Answers one authenticated call made in `region`: everything it reads and writes is that
  // region's, as on AWS.
  void handle(const http::Request& request, std::string_view region, const Authorize& authorize,
              http::Response& response);

  // Every committed write rebuilds the gateway snapshot the invoke path reads (inside the
  // write's transaction, published after its commit).
  void set_publisher(Publisher* publisher) { publisher_ = publisher; }

  const std::string& account() const { return account_; }
  const std::string& master_key() const { return master_key_; }

 private:
  store::Store& store_;
  std::string account_, master_key_;
  const Clock& clock_;
  Publisher* publisher_ = nullptr;
};

}  // namespace portcullis::gateway
