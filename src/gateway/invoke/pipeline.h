// The invoke pipeline: a call to a deployed API goes route → authenticate → authorize →
// integrate → respond, reading only the published gateway snapshot (no store, no lock). Each
// stage answers a Failure or lets the call go on; respond writes the one response.
#pragma once

#include <functional>

#include "core/clock.h"
#include "gateway/compile/snapshot.h"
#include "gateway/invoke/access.h"
#include "gateway/invoke/integrate.h"
#include "http/message.h"

namespace portcullis::gateway::invoke {

class Pipeline {
 public:
  struct Options {
    // A number in [0, 100) per call, for the canary split; default: a per-thread generator.
    std::function<double()> canary_draw;
    // The mapping-template engine; null: literal templates only (see integrate.h).
    RenderTemplate render;
  };
  Pipeline(const Publisher& publisher, const AccessControl& access, const Clock& clock,
           Options options);

  // Whether a request is a call to a deployed API (an execute-api host, /_aws/execute-api/…,
  // /restapis/…/_user_request_/…, or the Host of a custom domain name).
  bool is_invocation(const http::Request& request) const;
  void handle(const http::Request& request, http::Response& response) const;

 private:
  StepStatus run(const Snapshot& snapshot, Invocation& inv, double draw,
                 http::Response& response) const;

  const Publisher& publisher_;
  const AccessControl& access_;
  const Clock& clock_;
  Options options_;
};

// x-amz-apigw-id: 16 characters, base64 of 11 random bytes (so ending in '=').
std::string extended_request_id();

}  // namespace portcullis::gateway::invoke
