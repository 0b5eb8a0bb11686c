// Non-throwing reads of stored JSON documents.
#include "core/json_read.h"

#include <boost/json/parse.hpp>
#include <string>

namespace portcullis::json_read {

std::string_view sv(const json::value& v) {
  return v.is_string() ? std::string_view(v.get_string()) : std::string_view();
}

std::string_view sv(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() ? sv(it->value()) : std::string_view();
}

const json::object& obj(const json::value& v) {
  static const json::object kNone;
  return v.is_object() ? v.get_object() : kNone;
}

const json::object& obj(const json::object& o, std::string_view key) {
  static const json::object kNone;
  auto it = o.find(key);
  return it != o.end() ? obj(it->value()) : kNone;
}

const json::array& arr(const json::value& v) {
  static const json::array kNone;
  return v.is_array() ? v.get_array() : kNone;
}

const json::array& arr(const json::object& o, std::string_view key) {
  static const json::array kNone;
  auto it = o.find(key);
  return it != o.end() ? arr(it->value()) : kNone;
}

std::optional<int64_t> int_member(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_number()) return std::nullopt;
  boost::system::error_code ec;
  auto n = it->value().to_number<int64_t>(ec);
  if (ec) return std::nullopt;
  return n;
}

int64_t num(const json::object& o, std::string_view key) { return int_member(o, key).value_or(0); }

bool flag(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_bool() && it->value().get_bool();
}

json::object& ensure_object(json::value& v) {
  if (!v.is_object()) v = json::object();
  return v.get_object();
}

json::array& ensure_array(json::value& v) {
  if (!v.is_array()) v = json::array();
  return v.get_array();
}

Result<json::object> parse_object(std::string_view text, std::string_view what) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object())
    return fail(ErrorCode::kInternal, "store: corrupt document " + std::string(what));
  return std::move(v.get_object());
}

}  // namespace portcullis::json_read
