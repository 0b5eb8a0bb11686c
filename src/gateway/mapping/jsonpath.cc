#include "gateway/mapping/jsonpath.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <optional>

namespace portcullis::gateway::mapping {
namespace json = boost::json;

// A filter's expression: `||` and `&&` of comparisons, or of existence tests of `@` paths.
struct JsonPath::Filter {
  enum Kind { kOr, kAnd, kCompare, kExists } kind = kExists;
  std::vector<std::shared_ptr<const Filter>> parts;  // kOr, kAnd
  struct Operand {
    bool is_path = false;
    std::vector<Step> path;  // names and single indexes under `@`
    json::value literal;
  };
  Operand lhs, rhs;
  std::string op;  // == != < <= > >=
};

namespace {

constexpr size_t kMaxFilterNesting = 16;

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

  // In a filter (`in_filter`), a name also ends at a space, an operator or ')'.
  Status dotted_name(JsonPath::Step& step, bool in_filter = false) {
    size_t begin = pos_;
    while (pos_ < s_.size() && s_[pos_] != '.' && s_[pos_] != '[') {
      char c = s_[pos_];
      if (in_filter && (c == ' ' || c == ')' || c == '=' || c == '!' || c == '<' || c == '>' ||
                        c == '&' || c == '|'))
        break;
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
    } else if (c == '?') {
      ++pos_;
      skip_spaces();
      if (pos_ >= s_.size() || s_[pos_] != '(') return bad_path(s_, pos_, "expected '(' after '?'");
      ++pos_;
      step.kind = JsonPath::Step::kFilter;
      ++nesting_;
      auto filter = filter_or(0);
      --nesting_;
      if (!filter) return std::unexpected(std::move(filter.error()));
      step.filter = std::move(*filter);
      skip_spaces();
      if (pos_ >= s_.size() || s_[pos_] != ')') return bad_path(s_, pos_, "expected ')'");
      ++pos_;
      skip_spaces();
    } else if (c == '(') {
      return bad_path(s_, pos_, "script expressions are not supported");
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

  using FilterPtr = std::shared_ptr<const JsonPath::Filter>;

  bool consume(std::string_view token) {
    skip_spaces();
    if (s_.substr(pos_, token.size()) != token) return false;
    pos_ += token.size();
    return true;
  }

  Result<FilterPtr> filter_or(size_t depth) {
    // `depth` counts parentheses, `nesting_` filters inside filters' paths.
    if (depth + nesting_ > kMaxFilterNesting)
      return bad_path(s_, pos_, "the filter nests too deep");
    auto f = std::make_shared<JsonPath::Filter>();
    f->kind = JsonPath::Filter::kOr;
    do f->parts.push_back(PC_TRY(filter_and(depth)));
    while (consume("||"));
    if (f->parts.size() == 1) return f->parts.front();
    return FilterPtr(std::move(f));
  }

  Result<FilterPtr> filter_and(size_t depth) {
    auto f = std::make_shared<JsonPath::Filter>();
    f->kind = JsonPath::Filter::kAnd;
    do f->parts.push_back(PC_TRY(filter_term(depth)));
    while (consume("&&"));
    if (f->parts.size() == 1) return f->parts.front();
    return FilterPtr(std::move(f));
  }

  Result<FilterPtr> filter_term(size_t depth) {
    if (consume("(")) {
      FilterPtr inner = PC_TRY(filter_or(depth + 1));
      if (!consume(")")) return bad_path(s_, pos_, "expected ')'");
      return inner;
    }
    auto f = std::make_shared<JsonPath::Filter>();
    f->lhs = PC_TRY(operand());
    skip_spaces();
    for (std::string_view op : {"==", "!=", "<=", ">=", "<", ">"}) {
      if (!consume(op)) continue;
      f->kind = JsonPath::Filter::kCompare;
      f->op = std::string(op);
      f->rhs = PC_TRY(operand());
      return FilterPtr(std::move(f));
    }
    if (!f->lhs.is_path) return bad_path(s_, pos_, "expected a comparison");
    f->kind = JsonPath::Filter::kExists;
    return FilterPtr(std::move(f));
  }

  Result<JsonPath::Filter::Operand> operand() {
    skip_spaces();
    JsonPath::Filter::Operand o;
    if (pos_ >= s_.size()) return bad_path(s_, pos_, "expected a value");
    char c = s_[pos_];
    if (c == '@') {
      ++pos_;
      o.is_path = true;
      while (pos_ < s_.size() && (s_[pos_] == '.' || s_[pos_] == '[')) {
        JsonPath::Step step;
        if (s_[pos_] == '.') {
          ++pos_;
          PC_CHECK(dotted_name(step, true));
        } else {
          PC_CHECK(bracket(step));
          bool single = (step.kind == JsonPath::Step::kNames && step.names.size() == 1) ||
                        (step.kind == JsonPath::Step::kIndexes && step.indexes.size() == 1);
          if (!single) return bad_path(s_, pos_, "a filter's path takes names and indexes only");
        }
        o.path.push_back(std::move(step));
      }
      return o;
    }
    if (c == '\'' || c == '"') {
      std::string text;
      PC_CHECK(quoted(text));
      o.literal = json::string(text);
      return o;
    }
    for (auto [word, value] : {std::pair<std::string_view, json::value>{"true", true},
                               {"false", false},
                               {"null", nullptr}}) {
      if (s_.substr(pos_, word.size()) == word) {
        pos_ += word.size();
        o.literal = value;
        return o;
      }
    }
    if (c == '$') return bad_path(s_, pos_, "'$' inside a filter is not supported");
    size_t begin = pos_;
    while (pos_ < s_.size() &&
           (std::isdigit(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '-' ||
            s_[pos_] == '+' || s_[pos_] == '.' || s_[pos_] == 'e' || s_[pos_] == 'E'))
      ++pos_;
    boost::system::error_code ec;
    json::value n = json::parse(s_.substr(begin, pos_ - begin), ec);
    if (ec || pos_ == begin || !n.is_number()) return bad_path(s_, begin, "expected a value");
    o.literal = std::move(n);
    return o;
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
  size_t nesting_ = 0;
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

// What an `@` path reaches from `node`; nullptr when it reaches nothing.
const json::value* resolve(const std::vector<JsonPath::Step>& path, const json::value& node) {
  const json::value* cur = &node;
  for (const JsonPath::Step& step : path) {
    if (step.kind == JsonPath::Step::kNames) {
      const json::object* o = cur->if_object();
      cur = o ? o->if_contains(step.names.front()) : nullptr;
    } else {
      const json::array* a = cur->if_array();
      if (!a) return nullptr;
      int64_t i = step.indexes.front(), n = static_cast<int64_t>(a->size());
      if (i < 0) i += n;
      cur = i >= 0 && i < n ? &(*a)[static_cast<size_t>(i)] : nullptr;
    }
    if (!cur) return nullptr;
  }
  return cur;
}

// -1, 0, 1, or nullopt when the two cannot be ordered (different types, objects, arrays).
std::optional<int> order(const json::value& a, const json::value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_int64() && b.is_int64()) {
      int64_t i = a.get_int64(), j = b.get_int64();
      return i < j ? -1 : i > j ? 1 : 0;
    }
    boost::system::error_code ec;
    double x = a.to_number<double>(ec), y = b.to_number<double>(ec);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a.is_string() && b.is_string()) {
    int c = a.get_string().subview().compare(b.get_string().subview());
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  return std::nullopt;
}

bool matches(const JsonPath::Filter& f, const json::value& node) {
  switch (f.kind) {
    case JsonPath::Filter::kOr:
      for (const auto& p : f.parts)
        if (matches(*p, node)) return true;
      return false;
    case JsonPath::Filter::kAnd:
      for (const auto& p : f.parts)
        if (!matches(*p, node)) return false;
      return true;
    case JsonPath::Filter::kExists:
      return resolve(f.lhs.path, node) != nullptr;
    case JsonPath::Filter::kCompare: {
      auto value = [&](const JsonPath::Filter::Operand& o) {
        return o.is_path ? resolve(o.path, node) : &o.literal;
      };
      const json::value* a = value(f.lhs);
      const json::value* b = value(f.rhs);
      if (!a || !b) return false;  // a missing member matches no comparison
      if (f.op == "==" || f.op == "!=") {
        std::optional<int> o = order(*a, *b);
        bool equal = o ? *o == 0 : (!a->is_number() && !b->is_number() && *a == *b);
        return (f.op == "==") == equal;
      }
      std::optional<int> o = order(*a, *b);
      if (!o) return false;
      if (f.op == "<") return *o < 0;
      if (f.op == "<=") return *o <= 0;
      if (f.op == ">") return *o > 0;
      return *o >= 0;
    }
  }
  return false;
}

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
    case JsonPath::Step::kFilter:
      // On an array, the items that match; on an object, the object itself if it matches.
      if (const json::array* a = node.if_array()) {
        for (const auto& v : *a) {
          if (!budget.spend()) return false;
          if (matches(*step.filter, v) && !push(&v)) return false;
        }
      } else if (node.is_object()) {
        if (!budget.spend()) return false;
        if (matches(*step.filter, node) && !push(&node)) return false;
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
