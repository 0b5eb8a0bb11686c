#include "iam/policy/context.h"

#include "core/encoding.h"

namespace portcullis::iam {

void RequestContext::set(std::string_view key, std::string value) {
  put(key, std::vector<std::string>{std::move(value)}, false);
}

void RequestContext::set_list(std::string_view key, std::vector<std::string> values) {
  put(key, std::move(values), true);
}

void RequestContext::put(std::string_view key, std::vector<std::string> values, bool list) {
  std::string k = to_lower(key);
  for (Key& e : keys_) {
    if (e.name == k) {
      e.values = std::move(values);
      e.list = list;
      return;
    }
  }
  keys_.push_back(Key{std::move(k), std::move(values), list});
}

void RequestContext::erase(std::string_view key) {
  std::string k = to_lower(key);
  std::erase_if(keys_, [&](const Key& e) { return e.name == k; });
}

const RequestContext::Key* RequestContext::find(std::string_view lower_key) const {
  for (const Key& e : keys_)
    if (e.name == lower_key) return &e;
  return nullptr;
}

}  // namespace portcullis::iam
