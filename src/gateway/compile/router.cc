#include "gateway/compile/router.h"

#include <algorithm>

namespace portcullis::gateway {

void PathSegments::push(std::string_view s) {
  if (heap_.empty() && size_ < kInline) {
    inline_[size_++] = s;
    return;
  }
  if (heap_.empty()) heap_.assign(inline_, inline_ + size_);
  heap_.push_back(s);
  ++size_;
}

void PathSegments::pop() {
  if (size_ == 0) return;
  --size_;
  if (!heap_.empty()) heap_.pop_back();
}

void PathSegments::split(std::string_view path) {
  size_ = 0;
  heap_.clear();
  dotted_ = false;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view s = path.substr(pos, slash - pos);
    pos = slash + 1;
    if (s.empty()) continue;
    if (s == ".") {
      dotted_ = true;
    } else if (s == "..") {
      dotted_ = true;
      pop();
    } else {
      push(s);
    }
  }
}

std::string_view PathSegments::tail(size_t i, std::string& joined) const {
  auto segs = segments();
  if (i >= segs.size()) return {};
  if (!dotted_) {
    // Views into one path: the raw text between the first and the last segment.
    const char* begin = segs[i].data();
    const char* end = segs.back().data() + segs.back().size();
    return std::string_view(begin, static_cast<size_t>(end - begin));
  }
  joined.clear();
  for (size_t k = i; k < segs.size(); ++k) {
    if (k > i) joined += '/';
    joined += segs[k];
  }
  return joined;
}

void Router::finish() {
  indexed_ = true;
  for (Node& n : nodes_) {
    n.index.clear();
    if (n.literals.size() < 16) continue;
    n.index.reserve(n.literals.size());
    for (const auto& [name, child] : n.literals) n.index.emplace(name, child);
  }
}

int32_t Router::find_literal(const Node& n, std::string_view segment) const {
  if (!n.index.empty()) {
    auto it = n.index.find(segment);
    return it == n.index.end() ? -1 : static_cast<int32_t>(it->second);
  }
  auto it = std::lower_bound(n.literals.begin(), n.literals.end(), segment,
                             [](const auto& e, std::string_view s) { return e.first < s; });
  if (it == n.literals.end() || it->first != segment) return -1;
  return static_cast<int32_t>(it->second);
}

void Router::add(std::string_view path_template, int32_t id) {
  if (indexed_) {
    for (Node& n : nodes_) n.index.clear();  // views into `literals`, which may move
    indexed_ = false;
  }
  uint32_t at = 0;
  size_t pos = 0;
  while (pos < path_template.size()) {
    size_t slash = path_template.find('/', pos);
    if (slash == std::string_view::npos) slash = path_template.size();
    std::string_view part = path_template.substr(pos, slash - pos);
    pos = slash + 1;
    if (part.empty()) continue;
    const bool variable = part.size() > 2 && part.front() == '{' && part.back() == '}';
    const bool greedy = variable && part[part.size() - 2] == '+';
    int32_t next = -1;
    if (greedy) {
      std::string name(part.substr(1, part.size() - 3));
      if (nodes_[at].greedy < 0) {
        nodes_.emplace_back();
        nodes_[at].greedy = static_cast<int32_t>(nodes_.size() - 1);
        nodes_[at].greedy_name = std::move(name);
      }
      next = nodes_[at].greedy;
    } else if (variable) {
      std::string name(part.substr(1, part.size() - 2));
      if (nodes_[at].param < 0) {
        nodes_.emplace_back();
        nodes_[at].param = static_cast<int32_t>(nodes_.size() - 1);
        nodes_[at].param_name = std::move(name);
      }
      next = nodes_[at].param;
    } else {
      next = find_literal(nodes_[at], part);
      if (next < 0) {
        nodes_.emplace_back();
        next = static_cast<int32_t>(nodes_.size() - 1);
        auto& lits = nodes_[at].literals;
        auto it = std::lower_bound(lits.begin(), lits.end(), part,
                                   [](const auto& e, std::string_view s) { return e.first < s; });
        lits.insert(it, {std::string(part), static_cast<uint32_t>(next)});
      }
    }
    at = static_cast<uint32_t>(next);
  }
  if (nodes_[at].id < 0) nodes_[at].id = id;
}

}  // namespace portcullis::gateway
