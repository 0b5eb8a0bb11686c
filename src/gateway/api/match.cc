#include "core/encoding.h"
#include "gateway/api/routes.h"

namespace portcullis::gateway::api {

namespace {

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t end = path.find('/', i);
    if (end == std::string_view::npos) end = path.size();
    out.push_back(path.substr(i, end - i));
    i = end;
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
