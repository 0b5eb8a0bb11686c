// Routing a call (§1, §2): which API and stage its Host or path names (the execute-api host,
// /_aws/execute-api/…, /restapis/…/_user_request_/…, custom domain names with base path
// mappings), which deployment serves it (canary share included), and which resource and
// method of that deployment its path and verb reach.
#pragma once

#include <functional>

#include "gateway/invoke/invocation.h"

namespace portcullis::gateway::invoke {

// Whether a request is a call to a deployed API rather than the control plane's.
bool is_invocation(const Snapshot& snapshot, const http::Request& request);

// What a call that names no deployed API or stage is answered (no API's gateway responses
// apply yet): 404 for an unknown API id, 403 Forbidden for an unknown stage.
struct Unrouted {
  int status;
  std::string_view error_type;
  std::string body;
};

// Finds the API, the stage and the deployment of a call whose path is `path` (the request's,
// or the one its signature covered). `draw` answers a number in [0, 100) for the canary split.
std::expected<void, Unrouted> locate(const Snapshot& snapshot, std::string_view path,
                                     Invocation& inv, const std::function<double()>& draw);

// The resource and method the located call reaches, and its execute-api ARN; 403 Missing
// Authentication Token when there is none.
StepStatus route(Invocation& inv);

}  // namespace portcullis::gateway::invoke
