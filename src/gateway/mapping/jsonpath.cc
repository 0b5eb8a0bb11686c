#include "gateway/mapping/jsonpath.h"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>

namespace portcullis::gateway::mapping {
namespace json = boost::json;

namespace {

std::unexpected<Error> bad_path(std::string_view path, size_t pos, std::string_view what) {
  return fail(ErrorCode::kBadRequest, "Invalid JSONPath '" + std::string(path) + "' at position " +
                                          std::to_string(pos) + ": " + std::string(what));
}

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  Result<std::vector<JsonPath::Step>> parse() {
    std::vector<JsonPath::Step> steps;
    if (s_.empty() || s_[0] != '$') return bad_path(s_, 0, "a path starts with '$'");
    pos_ = 1;
    while (pos_ < s_.size()) {
      JsonPath::Step step;
      char c = s_[pos_];
      if (c == '.') {
        ++pos_;
        if (pos_ < s_.size() && s_[pos_] == '.') {
          step.deep = true;
          ++pos_;
        }
        if (pos_ >= s_.size()) return bad_path(s_, pos_, "a path must not end with '.' or '..'");
        if (s_[pos_] == '*') {
          step.kind = JsonPath::Step::kWildcard;
          ++pos_;
        } else if (s_[pos_] == '[') {
          PC_CHECK(bracket(step));
        } else {
          PC_CHECK(dotted_name(step));
        }
      } else if (c == '[') {
        PC_CHECK(bracket(step));
      } else {
        return bad_path(s_, pos_, "expected '.' or '['");
      }
      steps.push_back(std::move(step));
    }
    return steps;
  }

 private:
  void skip_spaces() {
    while (pos_ < s_.size() && s_[pos_] == ' ') ++pos_;
  }

  Status dotted_name(JsonPath::Step& step) {
    size_t begin = pos_;
    while (pos_ < s_.size() && s_[pos_] != '.' && s_[pos_] != '[') {
      char c = s_[pos_];
      if (c == ' ') return bad_path(s_, pos_, "use ['name'] for a name with spaces");
      if (c == '(' || c == ')') return bad_path(s_, pos_, "functions are not supported");
      if (c == ']' || c == '\'' || c == '"') return bad_path(s_, pos_, "unexpected character");
      ++pos_;
    }
    if (pos_ == begin) return bad_path(s_, pos_, "empty property name");
    step.kind = JsonPath::Step::kNames;
    step.names.emplace_back(s_.substr(begin, pos_ - begin));
    return {};
  }

  Status bracket(JsonPath::Step& step) {
    ++pos_;  // '['
    skip_spaces();
    if (pos_ >= s_.size()) return bad_path(s_, pos_, "unclosed '['");
    char c = s_[pos_];
    if (c == '*') {
      ++pos_;
      skip_spaces();
      step.kind = JsonPath::Step::kWildcard;
    } else if (c == '\'' || c == '"') {
      step.kind = JsonPath::Step::kNames;
      for (;;) {
        std::string name;
        PC_CHECK(quoted(name));
        step.names.push_back(std::move(name));
        skip_spaces();
        if (pos_ < s_.size() && s_[pos_] == ',') {
          ++pos_;
          skip_spaces();
          continue;
        }
        break;
      }
    } else if (c == '?' || c == '(') {
      return bad_path(s_, pos_, "filters and expressions are not supported");
    } else {
      PC_CHECK(numbers(step));
    }
    if (pos_ >= s_.size() || s_[pos_] != ']') return bad_path(s_, pos_, "expected ']'");
    ++pos_;
    return {};
  }

  Status quoted(std::string& out) {
    if (pos_ >= s_.size() || (s_[pos_] != '\'' && s_[pos_] != '"'))
      return bad_path(s_, pos_, "expected a quoted name");
    char q = s_[pos_++];
    while (pos_ < s_.size() && s_[pos_] != q) {
      if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) ++pos_;  // \' \" \\ stand for themselves
      out.push_back(s_[pos_++]);
    }
    if (pos_ >= s_.size()) return bad_path(s_, pos_, "unclosed quoted name");
    ++pos_;
    return {};
  }

  bool integer(int64_t& out) {
    size_t begin = pos_;
    if (pos_ < s_.size() && s_[pos_] == '-') ++pos_;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    auto [p, ec] = std::from_chars(s_.data() + begin, s_.data() + pos_, out);
    if (ec != std::errc() || p != s_.data() + pos_) {
      pos_ = begin;
      return false;
    }
    return true;
  }

  Status numbers(JsonPath::Step& step) {
    int64_t first = 0;
    bool has_first = integer(first);
    skip_spaces();
    if (pos_ < s_.size() && s_[pos_] == ':') {
      ++pos_;
      skip_spaces();
      step.kind = JsonPath::Step::kSlice;
      step.has_start = has_first;
      step.start = first;
      step.has_end = integer(step.end);
      skip_spaces();
      if (pos_ < s_.size() && s_[pos_] == ':')
        return bad_path(s_, pos_, "slice steps are not supported");
      return {};
    }
    if (!has_first) return bad_path(s_, pos_, "expected an index, a quoted name or '*'");
    step.kind = JsonPath::Step::kIndexes;
    step.indexes.push_back(first);
    while (pos_ < s_.size() && s_[pos_] == ',') {
      ++pos_;
      skip_spaces();
      int64_t n = 0;
      if (!integer(n)) return bad_path(s_, pos_, "expected an index");
      step.indexes.push_back(n);
      skip_spaces();
    }
    return {};
  }

  std::string_view s_;
  size_t pos_ = 0;
};

// The work counter of one evaluation.
struct Budget {
  size_t left;
  bool spend() {
    if (left == 0) return false;
    --left;
    return true;
  }
};

// Applies one step (ignoring `deep`) to one node, appending what it selects.
bool apply(const JsonPath::Step& step, const json::value& node,
           std::vector<const json::value*>& out, Budget& budget) {
  auto push = [&](const json::value* v) {
    if (!budget.spend()) return false;
    out.push_back(v);
    return true;
  };
  switch (step.kind) {
    case JsonPath::Step::kNames:
      if (const json::object* o = node.if_object())
        for (const std::string& name : step.names)
          if (const json::value* v = o->if_contains(name))
            if (!push(v)) return false;
      return true;
    case JsonPath::Step::kIndexes:
      if (const json::array* a = node.if_array()) {
        int64_t n = static_cast<int64_t>(a->size());
        for (int64_t i : step.indexes) {
          if (i < 0) i += n;
          if (i >= 0 && i < n && !push(&(*a)[static_cast<size_t>(i)])) return false;
        }
      }
      return true;
    case JsonPath::Step::kWildcard:
      if (const json::object* o = node.if_object()) {
        for (const auto& kv : *o)
          if (!push(&kv.value())) return false;
      } else if (const json::array* a = node.if_array()) {
        for (const auto& v : *a)
          if (!push(&v)) return false;
      }
      return true;
    case JsonPath::Step::kSlice:
      if (const json::array* a = node.if_array()) {
        int64_t n = static_cast<int64_t>(a->size());
        int64_t from = step.has_start ? step.start : 0;
        int64_t to = step.has_end ? step.end : n;
        if (from < 0) from += n;
        if (to < 0) to += n;
        from = std::clamp<int64_t>(from, 0, n);
        to = std::clamp<int64_t>(to, 0, n);
        for (int64_t i = from; i < to; ++i)
          if (!push(&(*a)[static_cast<size_t>(i)])) return false;
      }
      return true;
  }
  return true;
}

// `..step`: the step applied to the node and to every node under it, in document order
// (a node before its children), with an explicit stack so that depth costs no recursion.
bool apply_deep(const JsonPath::Step& step, const json::value& root,
                std::vector<const json::value*>& out, Budget& budget) {
  std::vector<const json::value*> stack{&root};
  std::vector<const json::value*> children;
  while (!stack.empty()) {
    const json::value* node = stack.back();
    stack.pop_back();
    if (!budget.spend() || !apply(step, *node, out, budget)) return false;
    children.clear();
    if (const json::object* o = node->if_object()) {
      for (const auto& kv : *o) children.push_back(&kv.value());
    } else if (const json::array* a = node->if_array()) {
      for (const auto& v : *a) children.push_back(&v);
    }
    for (auto it = children.rbegin(); it != children.rend(); ++it)
      if ((*it)->is_structured()) stack.push_back(*it);
  }
  return true;
}

}  // namespace

Result<JsonPath> JsonPath::compile(std::string_view path) {
  std::string source(path);
  while (!source.empty() && source.front() == ' ') source.erase(0, 1);
  while (!source.empty() && source.back() == ' ') source.pop_back();
  if (source.empty()) return fail(ErrorCode::kBadRequest, "Invalid JSONPath: the path is empty");
  std::string full = source[0] == '$' ? source : "$." + source;
  JsonPath p;
  p.steps_ = PC_TRY(Parser(full).parse());
  p.source_ = std::move(source);
  for (const Step& s : p.steps_) {
    bool single = (s.kind == Step::kNames && s.names.size() == 1) ||
                  (s.kind == Step::kIndexes && s.indexes.size() == 1);
    if (s.deep || !single) p.definite_ = false;
  }
  return p;
}

Result<std::vector<const json::value*>> JsonPath::select(const json::value& root,
                                                         size_t max_visits) const {
  Budget budget{max_visits};
  std::vector<const json::value*> current{&root}, next;
  for (const Step& step : steps_) {
    next.clear();
    for (const json::value* node : current) {
      bool ok =
          step.deep ? apply_deep(step, *node, next, budget) : apply(step, *node, next, budget);
      if (!ok)
        return fail(ErrorCode::kLimitExceeded, "JSONPath '" + source_ + "' visits more than " +
                                                   std::to_string(max_visits) + " nodes");
    }
    current.swap(next);
    if (current.empty()) break;
  }
  return current;
}

}  // namespace portcullis::gateway::mapping
