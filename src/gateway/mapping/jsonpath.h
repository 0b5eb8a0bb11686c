// The JSONPath dialect of mapping templates ($input.json, $input.path), as Jayway's "JSONPath
// for Java" reads it: `$`, `.name`, `['name']`, `["name"]`, `[n]` (negative from the end), `[*]`,
// `.*`, `..` (deep scan), unions `[a,b]`, slices `[start:end]` and filters `[?(@.a > 1 && @.b)]`
// (comparisons of `@` paths and literals, `&&`, `||`, parentheses). Functions and `$` inside
// filters are not supported (a compile error). A path is compiled once; evaluation is bounded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace boost::json {
class value;
}

namespace portcullis::gateway::mapping {

class JsonPath {
 public:
  // How many JSON nodes one evaluation may visit before it fails (`..` on a big document).
  static constexpr size_t kMaxVisits = 1'000'000;

  // Parses `path`. Like Jayway, a path not starting with `$` is read as `$.` + path. An empty or
  // malformed path is an Error naming the problem and the position.
  static Result<JsonPath> compile(std::string_view path);

  // Definite paths (names and single indexes only) select at most one value; a path with `[*]`,
  // `.*`, `..`, a slice or a union is indefinite and selects a list, as in Jayway.
  bool definite() const { return definite_; }
  // `$` alone: the whole document.
  bool is_root() const { return steps_.empty(); }

  // The values selected, in document order; pointers into `root`. An Error when the evaluation
  // visits more than `max_visits` nodes.
  Result<std::vector<const boost::json::value*>> select(const boost::json::value& root,
                                                        size_t max_visits = kMaxVisits) const;

  const std::string& source() const { return source_; }

  // One step of the path; public for the evaluator in jsonpath.cc.
  struct Filter;
  struct Step {
    enum Kind { kNames, kIndexes, kWildcard, kSlice, kFilter } kind = kNames;
    bool deep = false;  // preceded by `..`
    std::vector<std::string> names;
    std::vector<int64_t> indexes;
    bool has_start = false, has_end = false;
    int64_t start = 0, end = 0;
    std::shared_ptr<const Filter> filter;
  };

 private:
  std::string source_;
  std::vector<Step> steps_;
  bool definite_ = true;
};

}  // namespace portcullis::gateway::mapping
