#include "core/encoding.h"
#include "gateway/api/routes.h"

namespace portcullis::gateway::api {

namespace {

// The segments of a path after its leading '/'; empty ones are kept, so that "//" matches
// nothing.
std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.starts_with('/')) return out;
  path.remove_prefix(1);
  while (true) {
    size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool has_param(std::string_view query, std::string_view wanted) {
  bool found = false;
  for_each_param(query, [&](std::string_view k, std::string_view v) {
    if (std::string(k) + "=" + std::string(v) == wanted) found = true;
  });
  return found;
}

}  // namespace

std::optional<RouteMatch> match_route(std::string_view method, std::string_view path,
                                      std::string_view query) {
  std::vector<std::string_view> got = segments(path);
  std::optional<RouteMatch> best;
  for (const Route& r : routes()) {
    if (r.method != method) continue;
    if (!r.query.empty() && !has_param(query, r.query)) continue;
    std::vector<std::string_view> want = segments(r.path);
    if (want.size() != got.size()) continue;
    RouteMatch m{&r, {}};
    bool ok = true;
    for (size_t i = 0; i < want.size() && ok; ++i) {
      if (want[i].starts_with('{')) {
        std::string value = percent_decode(got[i]);
        if (value.empty()) ok = false;
        m.labels.emplace_back(want[i].substr(1, want[i].size() - 2), std::move(value));
      } else {
        ok = want[i] == got[i];
      }
    }
    if (!ok) continue;
    // A route with a query marker is more specific than the same path without one.
    if (!best || (!r.query.empty() && best->route->query.empty())) best = std::move(m);
  }
  return best;
}

}  // namespace portcullis::gateway::api
