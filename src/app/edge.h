// Edge dispatch: decides what a request is (the server's own endpoints, an API invocation, or
// a control-plane call of one of the AWS services), authenticates it, and hands it on.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/config.h"
#include "core/clock.h"
#include "gateway/api/management_api.h"
#include "gateway/invoke/pipeline.h"
#include "http/message.h"
#include "iam/iam_api.h"
#include "sts/sts_service.h"

namespace portcullis::app {

class Edge {
 public:
  Edge(const Config& config, iam::IamService& iam, const sts::StsService& sts,
       gateway::ManagementApi& apigateway, const gateway::invoke::Pipeline& invoke,
       const Clock& clock);

  void handle(http::Request& request, http::Response& response);
  // Whether a request may block (store reads and writes, XML and key work): every
  // control-plane call, which the server then runs on its blocking pool. Invocations of
  // deployed APIs read only snapshots and run on the worker threads.
  bool blocking(const http::Request& request) const;
  void set_ready(bool ready) { ready_ = ready; }
  // Answers what the server refused (framing: 400, 413, 431) or what failed in a handler (500),
  // in the protocol of the service the request was for.
  void refuse(int status, std::string_view message, const http::Request& request,
              http::Response& response) const;

 private:
  struct Service;
  const Service* find_service(std::string_view name) const;
  struct Authenticated {
    std::shared_ptr<const iam::PrincipalEntry> caller;
    std::string region;  // of the credential scope
  };
  // Authenticates a signed control-plane request; on failure fills `response` and returns none.
  std::optional<Authenticated> authenticate(const http::Request& request, const Service& service,
                                            const iam::Snapshot& snapshot,
                                            http::Response& response) const;
  void own_endpoint(const http::Request& request, http::Response& response);

  const Config& config_;
  iam::IamService& iam_;
  const sts::StsService& sts_;
  gateway::ManagementApi& apigateway_;
  const gateway::invoke::Pipeline& invoke_;
  const Clock& clock_;
  std::vector<std::string> regions_;         // served: accepted by every service
  std::vector<std::string> global_regions_;  // accepted by iam and sts: served and us-east-1
  std::atomic<bool> ready_{false};
};

}  // namespace portcullis::app
