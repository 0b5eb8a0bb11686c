#include "iam/policy/context.h"

#include "core/encoding.h"

namespace portcullis::iam {

void RequestContext::set(std::string_view key, std::string value) {
  set(key, std::vector<std::string>{std::move(value)});
}

void RequestContext::set(std::string_view key, std::vector<std::string> values) {
  std::string k = to_lower(key);
  for (auto& [name, v] : keys_) {
    if (name == k) {
      v = std::move(values);
      return;
    }
  }
  keys_.emplace_back(std::move(k), std::move(values));
}

void RequestContext::add(std::string_view key, std::string value) {
  std::string k = to_lower(key);
  for (auto& [name, v] : keys_) {
    if (name == k) {
      v.push_back(std::move(value));
      return;
    }
  }
  keys_.emplace_back(std::move(k), std::vector<std::string>{std::move(value)});
}

void RequestContext::erase(std::string_view key) {
  std::string k = to_lower(key);
  std::erase_if(keys_, [&](const auto& e) { return e.first == k; });
}

const std::vector<std::string>* RequestContext::find(std::string_view lower_key) const {
  for (const auto& [name, v] : keys_)
    if (name == lower_key) return &v;
  return nullptr;
}

}  // namespace portcullis::iam
