#include "vtl/value.h"

#include <boost/json.hpp>

namespace portcullis::vtl {

const Value* Map::find(std::string_view key) const {
  for (const auto& [k, v] : entries)
    if (k == key) return &v;
  return nullptr;
}

Value* Map::find(std::string_view key) {
  for (auto& [k, v] : entries)
    if (k == key) return &v;
  return nullptr;
}

void Map::put(std::string key, Value value) {
  if (Value* existing = find(key)) {
    *existing = std::move(value);
    return;
  }
  entries.emplace_back(std::move(key), std::move(value));
}

bool Map::remove(std::string_view key) {
  for (auto it = entries.begin(); it != entries.end(); ++it) {
    if (it->first == key) {
      entries.erase(it);
      return true;
    }
  }
  return false;
}

List* Value::list() const {
  auto* p = std::get_if<std::shared_ptr<List>>(&v_);
  return p ? p->get() : nullptr;
}

Map* Value::map() const {
  auto* p = std::get_if<std::shared_ptr<Map>>(&v_);
  return p ? p->get() : nullptr;
}

Object* Value::object() const {
  auto* p = std::get_if<std::shared_ptr<Object>>(&v_);
  return p ? p->get() : nullptr;
}

Value Value::from_json(const boost::json::value& json) {
  switch (json.kind()) {
    case boost::json::kind::null:
      return {};
    case boost::json::kind::bool_:
      return Value(json.get_bool());
    case boost::json::kind::int64:
      return Value(json.get_int64());
    case boost::json::kind::uint64: {
      uint64_t u = json.get_uint64();
      if (u <= static_cast<uint64_t>(INT64_MAX)) return Value(static_cast<int64_t>(u));
      return Value(static_cast<double>(u));
    }
    case boost::json::kind::double_:
      return Value(json.get_double());
    case boost::json::kind::string:
      return Value(std::string(json.get_string()));
    case boost::json::kind::array: {
      auto list = make_list();
      list->json = true;
      list->items.reserve(json.get_array().size());
      for (const auto& item : json.get_array()) list->items.push_back(from_json(item));
      return Value(std::move(list));
    }
    case boost::json::kind::object: {
      auto map = make_map();
      map->entries.reserve(json.get_object().size());
      for (const auto& [k, v] : json.get_object()) map->put(std::string(k), from_json(v));
      return Value(std::move(map));
    }
  }
  return {};
}

std::optional<Value> Object::property(std::string_view) { return std::nullopt; }

std::optional<Result<Value>> Object::call(std::string_view, std::span<const Value>) {
  return std::nullopt;
}

bool Object::set_property(std::string_view, const Value&) { return false; }

std::string Object::to_string() const { return {}; }

}  // namespace portcullis::vtl
