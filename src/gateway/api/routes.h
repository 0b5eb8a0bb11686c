// The API Gateway management API's operations as its service model defines them: verb, path
// template, query marker and success status; and finding the one a request names.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace portcullis::gateway::api {

struct Route {
  std::string_view op;
  std::string_view method;
  std::string_view path;   // "/restapis/{restapi_id}/resources/{resource_id}"
  std::string_view query;  // "mode=import" for the two import operations, else empty
  int status;
};

std::span<const Route> routes();

struct RouteMatch {
  const Route* route = nullptr;
  // Path labels by template name, percent-decoded.
  std::vector<std::pair<std::string_view, std::string>> labels;
};

// The operation a request names by verb, raw path and raw query; none if no route matches.
std::optional<RouteMatch> match_route(std::string_view method, std::string_view path,
                                      std::string_view query);

}  // namespace portcullis::gateway::api
