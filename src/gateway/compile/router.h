// The route trie of a deployed API: its resources by path, matched as API Gateway does
// (literal before {param} before {proxy+}, with backtracking; case-sensitive; values undecoded).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace portcullis::gateway {

// The segments of a request path after the stage: empty segments and "." dropped, ".."
// resolved, a trailing slash ignored; each a view into the path it was split from. The views
// of one split stay valid while that path does.
class PathSegments {
 public:
  void split(std::string_view path);
  std::span<const std::string_view> segments() const {
    return heap_.empty() ? std::span<const std::string_view>(inline_, size_)
                         : std::span<const std::string_view>(heap_);
  }
  // The raw text from the start of segment `i` to the end of the last one: what a {proxy+}
  // variable holds (repeated slashes inside kept, §1.3). Needs `joined` when "." or ".."
  // segments lay in between, which the raw text would still show.
  std::string_view tail(size_t i, std::string& joined) const;

 private:
  void push(std::string_view s);
  void pop();
  // Paths of up to 16 segments need no allocation.
  static constexpr size_t kInline = 16;
  std::string_view inline_[kInline];
  size_t size_ = 0;
  std::vector<std::string_view> heap_;  // all the segments, once there are more
  bool dotted_ = false;                 // the raw path had "." or ".." segments
};

struct PathParam {
  std::string_view name;   // the router's
  std::string_view value;  // the request's (or the caller's `joined` buffer), undecoded
};

class Router {
 public:
  // Adds a resource by its path template ("/", "/pets/{petId}", "/files/{proxy+}"); `id` is
  // what a match answers. Sibling variables beyond the first are ignored (the API does not
  // allow them).
  void add(std::string_view path_template, int32_t id);
  // Called once every resource is added: indexes wide nodes by hash, so that a node with
  // thousands of literal children costs no more to match than one with a few.
  void finish();

  struct Match {
    int32_t id = -1;  // -1: no resource
    std::vector<PathParam> params;
  };
  // The resource a request's segments reach. A resource only counts when `has_methods(id)`:
  // a branch that ends at a bare intermediate resource backtracks to the next alternative.
  // Segments before `first` (the stage, a base path) are not the resource path's.
  template <typename HasMethods>
  Match match(const PathSegments& path, size_t first, std::string& joined,
              HasMethods has_methods) const;

  size_t node_count() const { return nodes_.size(); }

 private:
  struct Node {
    std::vector<std::pair<std::string, uint32_t>> literals;  // sorted by segment
    std::unordered_map<std::string_view, uint32_t> index;    // of wide nodes, after finish()
    int32_t param = -1;                                      // child {name}
    std::string param_name;
    int32_t greedy = -1;  // child {name+}: always a leaf
    std::string greedy_name;
    int32_t id = -1;
  };
  int32_t find_literal(const Node& n, std::string_view segment) const;
  template <typename HasMethods>
  bool walk(uint32_t node, size_t i, const PathSegments& path, std::string& joined,
            HasMethods& has_methods, Match& m, size_t& budget) const;

  std::vector<Node> nodes_{1};  // nodes_[0]: the root "/"
  bool indexed_ = false;
};

// A node's depth fixes the segment it reads, so a match visits each node at most once; this
// bound is a second guard: a match that would visit more answers no match.
inline constexpr size_t kRouteBudget = 100'000;

template <typename HasMethods>
Router::Match Router::match(const PathSegments& path, size_t first, std::string& joined,
                            HasMethods has_methods) const {
  Match m;
  size_t budget = kRouteBudget;
  if (!walk(0, first, path, joined, has_methods, m, budget)) {
    m.id = -1;
    m.params.clear();
  }
  return m;
}

template <typename HasMethods>
bool Router::walk(uint32_t index, size_t i, const PathSegments& path, std::string& joined,
                  HasMethods& has_methods, Match& m, size_t& budget) const {
  if (budget == 0) return false;
  --budget;
  const Node& n = nodes_[index];
  auto segs = path.segments();
  if (i == segs.size()) {
    if (n.id >= 0 && has_methods(n.id)) {
      m.id = n.id;
      return true;
    }
    return false;
  }
  if (int32_t lit = find_literal(n, segs[i]); lit >= 0)
    if (walk(static_cast<uint32_t>(lit), i + 1, path, joined, has_methods, m, budget)) return true;
  if (n.param >= 0) {
    m.params.push_back({n.param_name, segs[i]});
    if (walk(static_cast<uint32_t>(n.param), i + 1, path, joined, has_methods, m, budget))
      return true;
    m.params.pop_back();
  }
  if (n.greedy >= 0) {
    const Node& g = nodes_[n.greedy];
    if (g.id >= 0 && has_methods(g.id)) {
      m.params.push_back({n.greedy_name, path.tail(i, joined)});
      m.id = g.id;
      return true;
    }
  }
  return false;
}

}  // namespace portcullis::gateway
