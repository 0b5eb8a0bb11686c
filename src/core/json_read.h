// Reading stored JSON documents without trusting their shape. A document is ours, but a state
// directory can be edited or damaged, so no accessor here throws: a member of another type reads
// as absent or empty, and text that is not a JSON object is an Error (kInternal) naming it.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/result.h"

namespace portcullis::json_read {

namespace json = boost::json;

std::string_view sv(const json::value& v);                   // "" unless a string
std::string_view sv(const json::object& o, std::string_view key);
const json::object& obj(const json::value& v);               // no members unless an object
const json::object& obj(const json::object& o, std::string_view key);  // o[key], as obj(v)
const json::array& arr(const json::value& v);                // no elements unless an array
const json::array& arr(const json::object& o, std::string_view key);
int64_t num(const json::object& o, std::string_view key);    // 0 unless an integral number
// An integral member that must be there: nullopt when absent, not a number or out of range.
std::optional<int64_t> int_member(const json::object& o, std::string_view key);
bool flag(const json::object& o, std::string_view key);      // false unless true
// `v` as an object (or array) to change, made an empty one first when it is not one.
json::object& ensure_object(json::value& v);
json::array& ensure_array(json::value& v);
// Stored text as an object; kInternal "store: corrupt document <what>" when it is not one.
Result<json::object> parse_object(std::string_view text, std::string_view what);

}  // namespace portcullis::json_read
