// The values a template computes with: Java's types as Velocity sees them (null, Boolean,
// Integer/Long, Double, String, List, LinkedHashMap) and host objects an embedder puts in scope.
// Lists and maps are shared by reference, as Java's are: `$m.put(...)` on a map reached from
// two variables changes both. A Value is cheap to copy.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/result.h"

namespace boost::json {
class value;
}

namespace portcullis::vtl {

class Value;
class Object;

// A java.util.List. `json` marks a list read from JSON: it prints as compact JSON
// (`[{"a":"b"}]`) where a list the template builds prints Java's way (`[a, b]`).
struct List {
  std::vector<Value> items;
  bool json = false;
};

// A java.util.LinkedHashMap with string keys: iteration and printing in insertion order.
struct Map {
  std::vector<std::pair<std::string, Value>> entries;

  const Value* find(std::string_view key) const;
  Value* find(std::string_view key);
  void put(std::string key, Value value);  // replaces in place, else appends
  bool remove(std::string_view key);
};

class Value {
 public:
  Value() = default;  // null
  Value(bool b) : v_(b) {}
  Value(int64_t i) : v_(i) {}
  Value(int i) : v_(int64_t{i}) {}
  Value(double d) : v_(d) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(std::shared_ptr<List> l) : v_(std::move(l)) {}
  Value(std::shared_ptr<Map> m) : v_(std::move(m)) {}
  Value(std::shared_ptr<Object> o) : v_(std::move(o)) {}

  bool is_null() const { return v_.index() == 0; }
  // Each accessor answers nullptr when the value is of another type; none throws.
  const bool* boolean() const { return std::get_if<bool>(&v_); }
  const int64_t* integer() const { return std::get_if<int64_t>(&v_); }
  const double* decimal() const { return std::get_if<double>(&v_); }
  const std::string* string() const { return std::get_if<std::string>(&v_); }
  List* list() const;
  Map* map() const;
  Object* object() const;

  // The value read from JSON: objects become Maps, arrays Lists marked `json`, numbers Long
  // or Double as a JSON parser for Java gives them.
  static Value from_json(const boost::json::value& json);

 private:
  std::variant<std::monostate, bool, int64_t, double, std::string, std::shared_ptr<List>,
               std::shared_ptr<Map>, std::shared_ptr<Object>>
      v_;
};

inline std::shared_ptr<List> make_list() { return std::make_shared<List>(); }
inline std::shared_ptr<Map> make_map() { return std::make_shared<Map>(); }

// A host object ($input, $util, …): properties and methods the embedder defines. Objects live
// for one rendering (they are made per request), so they may cache what they compute.
class Object {
 public:
  virtual ~Object() = default;
  // `$o.name`: nullopt when the object has no such property (it renders as undefined).
  virtual std::optional<Value> property(std::string_view name);
  // `$o.name(args…)`: nullopt when the object has no such method; an Error stops the
  // rendering with that error.
  virtual std::optional<Result<Value>> call(std::string_view name, std::span<const Value> args);
  // `#set($o.name = v)`: false when the object has no such settable property (nothing changes).
  virtual bool set_property(std::string_view name, const Value& value);
  // How `$o` prints.
  virtual std::string to_string() const;
};

}  // namespace portcullis::vtl
