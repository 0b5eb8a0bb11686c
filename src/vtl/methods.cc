#include "vtl/methods.h"

#include <algorithm>
#include <climits>
#include <cmath>

#include "vtl/print.h"

namespace portcullis::vtl::detail {

namespace {

constexpr size_t kMaxCachedRegexes = 64;
constexpr size_t kCellCost = 32;  // what one list or map element is charged

using Args = std::span<const Value>;
using MaybeValue = Result<std::optional<Value>>;

std::unexpected<Error> java_error(std::string message) {
  return fail(ErrorCode::kBadRequest, "template rendering failed: " + message);
}

MaybeValue some(Value v) { return std::optional<Value>(std::move(v)); }
MaybeValue none() { return std::optional<Value>(); }

bool cont(unsigned char c) { return (c & 0xC0) == 0x80; }

bool ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

// Byte offset of UTF-16 index `u`, or npos when past the end.
size_t byte_at(std::string_view s, int64_t u) {
  if (u < 0) return std::string::npos;
  if (ascii(s)) return static_cast<size_t>(u) <= s.size() ? static_cast<size_t>(u) : std::string::npos;
  size_t i = 0;
  int64_t units = 0;
  while (i < s.size() && units < u) {
    unsigned char c = s[i];
    size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    units += len == 4 ? 2 : 1;
    ++i;
    while (--len > 0 && i < s.size() && cont(s[i])) ++i;
  }
  return units >= u ? i : std::string::npos;
}

int64_t units_before(std::string_view s, size_t byte) {
  return static_cast<int64_t>(utf16_length(s.substr(0, byte)));
}

const int64_t* int_arg(Args args, size_t i) { return i < args.size() ? args[i].integer() : nullptr; }
const std::string* str_arg(Args args, size_t i) { return i < args.size() ? args[i].string() : nullptr; }

std::string lower(std::string_view s, bool up) {
  std::string out(s);
  for (char& c : out) {
    if (!up && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    if (up && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  }
  return out;
}

Result<void> charge(MethodEnv& env, size_t bytes) {
  env.allocated += bytes;
  if (bytes > env.max_size || env.allocated > env.max_allocated)
    return fail(ErrorCode::kBadRequest, "template rendering exceeded the memory limit");
  return {};
}

Result<std::shared_ptr<const Regex>> regex_arg(MethodEnv& env, const std::string& pattern,
                                               const Regex* literal) {
  if (literal) return std::shared_ptr<const Regex>(std::shared_ptr<const Regex>{}, literal);
  auto re = env.regexes.get(pattern);
  if (!re) return java_error(re.error().message);
  return re;
}

// A Map.Entry from entrySet(): `key`, `value`, getKey(), getValue(); prints `k=v`.
class Entry : public Object {
 public:
  Entry(std::string key, Value value) : key_(std::move(key)), value_(std::move(value)) {}
  std::optional<Value> property(std::string_view name) override {
    if (name == "key") return Value(key_);
    if (name == "value") return value_;
    return std::nullopt;
  }
  std::optional<Result<Value>> call(std::string_view name, std::span<const Value> args) override {
    if (!args.empty()) return std::nullopt;
    if (name == "getKey") return Result<Value>(Value(key_));
    if (name == "getValue") return Result<Value>(value_);
    return std::nullopt;
  }
  std::string to_string() const override { return key_ + "=" + to_java_string(value_); }

 private:
  std::string key_;
  Value value_;
};

std::string key_of(const Value& v) {
  if (const std::string* s = v.string()) return *s;
  return to_java_string(v);
}

MaybeValue string_method(MethodEnv& env, const std::string& s, std::string_view name, Args args,
                         const Regex* literal) {
  size_t n = args.size();
  if (name == "length" && n == 0) return some(Value(static_cast<int64_t>(utf16_length(s))));
  if (name == "isEmpty" && n == 0) return some(Value(s.empty()));
  if ((name == "toString" || name == "trim" || name == "toLowerCase" || name == "toUpperCase" ||
       name == "intern") && n == 0) {
    if (name == "trim") {
      size_t b = 0, e = s.size();
      while (b < e && static_cast<unsigned char>(s[b]) <= 0x20) ++b;
      while (e > b && static_cast<unsigned char>(s[e - 1]) <= 0x20) --e;
      return some(Value(s.substr(b, e - b)));
    }
    if (name == "toLowerCase") return some(Value(lower(s, false)));
    if (name == "toUpperCase") return some(Value(lower(s, true)));
    return some(Value(s));
  }
  if (name == "substring" && (n == 1 || n == 2)) {
    const int64_t* a = int_arg(args, 0);
    const int64_t* b = n == 2 ? int_arg(args, 1) : nullptr;
    if (!a || (n == 2 && !b)) return none();
    size_t from = byte_at(s, *a);
    size_t to = b ? byte_at(s, *b) : s.size();
    if (from == std::string::npos || to == std::string::npos || from > to)
      return java_error("String index out of range: " + std::to_string(b ? *b - *a : *a));
    return some(Value(s.substr(from, to - from)));
  }
  if (name == "charAt" && n == 1) {
    const int64_t* a = int_arg(args, 0);
    if (!a) return none();
    size_t from = byte_at(s, *a);
    if (from == std::string::npos || from >= s.size())
      return java_error("String index out of range: " + std::to_string(*a));
    size_t to = from + 1;
    while (to < s.size() && cont(s[to])) ++to;
    return some(Value(s.substr(from, to - from)));
  }
  if ((name == "indexOf" || name == "lastIndexOf") && (n == 1 || n == 2)) {
    const std::string* t = str_arg(args, 0);
    if (!t || (n == 2 && !int_arg(args, 1))) return none();
    size_t at;
    if (name == "indexOf") {
      size_t from = 0;
      if (n == 2) {
        int64_t f = std::max<int64_t>(0, *int_arg(args, 1));
        from = byte_at(s, f);
        if (from == std::string::npos) return some(Value(int64_t{-1}));
      }
      at = s.find(*t, from);
    } else {
      size_t from = std::string::npos;
      if (n == 2) {
        int64_t f = *int_arg(args, 1);
        if (f < 0) return some(Value(int64_t{-1}));
        from = byte_at(s, f);
      }
      at = s.rfind(*t, from);
    }
    return some(Value(at == std::string::npos ? int64_t{-1} : units_before(s, at)));
  }
  if ((name == "startsWith" || name == "endsWith" || name == "contains") && n >= 1) {
    const std::string* t = str_arg(args, 0);
    if (!t) return args[0].is_null() ? java_error("NullPointerException") : none();
    if (name == "contains" && n == 1) return some(Value(s.find(*t) != std::string::npos));
    if (name == "endsWith" && n == 1) return some(Value(s.ends_with(*t)));
    if (name == "startsWith") {
      size_t from = 0;
      if (n == 2) {
        const int64_t* f = int_arg(args, 1);
        if (!f) return none();
        from = byte_at(s, *f);
        if (from == std::string::npos) return some(Value(false));
      } else if (n != 1) {
        return none();
      }
      return some(Value(std::string_view(s).substr(from).starts_with(*t)));
    }
    return none();
  }
  if (name == "equals" && n == 1) {
    const std::string* t = str_arg(args, 0);
    return some(Value(t && *t == s));
  }
  if (name == "equalsIgnoreCase" && n == 1) {
    const std::string* t = str_arg(args, 0);
    return some(Value(t && lower(*t, false) == lower(s, false)));
  }
  if (name == "compareTo" && n == 1) {
    const std::string* t = str_arg(args, 0);
    if (!t) return none();
    int c = s.compare(*t);
    return some(Value(int64_t{c < 0 ? -1 : c > 0 ? 1 : 0}));
  }
  if (name == "concat" && n == 1) {
    const std::string* t = str_arg(args, 0);
    if (!t) return args[0].is_null() ? java_error("NullPointerException") : none();
    PC_CHECK(charge(env, s.size() + t->size()));
    return some(Value(s + *t));
  }
  if (name == "replace" && n == 2) {
    const std::string* a = str_arg(args, 0);
    const std::string* b = str_arg(args, 1);
    if (!a || !b) return none();
    std::string out;
    if (a->empty()) {
      // Java puts the replacement before every character and at the end.
      for (size_t i = 0; i < s.size(); ++i) {
        if (!cont(s[i])) out += *b;
        out += s[i];
      }
      out += *b;
    } else {
      size_t pos = 0, hit;
      while ((hit = s.find(*a, pos)) != std::string::npos) {
        out.append(s, pos, hit - pos);
        out += *b;
        pos = hit + a->size();
        if (out.size() > env.max_size) break;
      }
      out.append(s, pos);
    }
    PC_CHECK(charge(env, out.size()));
    return some(Value(std::move(out)));
  }
  if ((name == "replaceAll" || name == "replaceFirst") && n == 2) {
    const std::string* p = str_arg(args, 0);
    const std::string* r = str_arg(args, 1);
    if (!p || !r) return none();
    auto re = PC_TRY(regex_arg(env, *p, literal));
    auto out = re->replace(s, *r, name == "replaceAll", env.max_size);
    if (!out) {
      if (out.error().message.starts_with("template rendering")) return std::unexpected(out.error());
      return java_error(out.error().message);
    }
    PC_CHECK(charge(env, out->size()));
    return some(Value(std::move(*out)));
  }
  if (name == "matches" && n == 1) {
    const std::string* p = str_arg(args, 0);
    if (!p) return none();
    auto re = PC_TRY(regex_arg(env, *p, literal));
    return some(Value(PC_TRY(re->matches(s))));
  }
  if (name == "split" && (n == 1 || n == 2)) {
    const std::string* p = str_arg(args, 0);
    if (!p || (n == 2 && !int_arg(args, 1))) return none();
    auto re = PC_TRY(regex_arg(env, *p, literal));
    auto parts = PC_TRY(re->split(s, n == 2 ? *int_arg(args, 1) : 0));
    PC_CHECK(charge(env, s.size() + parts.size() * kCellCost));
    auto list = make_list();
    list->items.reserve(parts.size());
    for (auto& part : parts) list->items.emplace_back(std::move(part));
    return some(Value(std::move(list)));
  }
  return none();
}

MaybeValue list_method(MethodEnv& env, List& l, std::string_view name, Args args) {
  size_t n = args.size();
  auto& items = l.items;
  auto bad_index = [&](int64_t i) {
    return java_error("Index " + std::to_string(i) + " out of bounds for length " +
                      std::to_string(items.size()));
  };
  if (name == "size" && n == 0) return some(Value(static_cast<int64_t>(items.size())));
  if (name == "isEmpty" && n == 0) return some(Value(items.empty()));
  if (name == "get" && n == 1) {
    const int64_t* i = int_arg(args, 0);
    if (!i) return none();
    if (*i < 0 || static_cast<size_t>(*i) >= items.size()) return bad_index(*i);
    return some(items[*i]);
  }
  if (name == "add" && n == 1) {
    PC_CHECK(charge(env, kCellCost));
    items.push_back(args[0]);
    return some(Value(true));
  }
  if (name == "add" && n == 2) {
    const int64_t* i = int_arg(args, 0);
    if (!i) return none();
    if (*i < 0 || static_cast<size_t>(*i) > items.size()) return bad_index(*i);
    PC_CHECK(charge(env, kCellCost));
    items.insert(items.begin() + *i, args[1]);
    return some(Value());
  }
  if (name == "addAll" && n == 1) {
    List* other = args[0].list();
    if (!other) return none();
    PC_CHECK(charge(env, kCellCost * other->items.size()));
    std::vector<Value> copy = other->items;  // the list may be this one
    items.insert(items.end(), copy.begin(), copy.end());
    return some(Value(!copy.empty()));
  }
  if (name == "set" && n == 2) {
    const int64_t* i = int_arg(args, 0);
    if (!i) return none();
    if (*i < 0 || static_cast<size_t>(*i) >= items.size()) return bad_index(*i);
    Value old = std::move(items[*i]);
    items[*i] = args[1];
    return some(std::move(old));
  }
  if (name == "remove" && n == 1) {
    if (const int64_t* i = args[0].integer()) {
      if (*i < 0 || static_cast<size_t>(*i) >= items.size()) return bad_index(*i);
      Value old = std::move(items[*i]);
      items.erase(items.begin() + *i);
      return some(std::move(old));
    }
    for (auto it = items.begin(); it != items.end(); ++it) {
      if (java_equals(*it, args[0])) {
        items.erase(it);
        return some(Value(true));
      }
    }
    return some(Value(false));
  }
  if ((name == "contains" || name == "indexOf" || name == "lastIndexOf") && n == 1) {
    int64_t found = -1;
    for (size_t i = 0; i < items.size(); ++i) {
      if (java_equals(items[i], args[0])) {
        found = static_cast<int64_t>(i);
        if (name != "lastIndexOf") break;
      }
    }
    if (name == "contains") return some(Value(found >= 0));
    return some(Value(found));
  }
  if (name == "subList" && n == 2) {
    const int64_t* a = int_arg(args, 0);
    const int64_t* b = int_arg(args, 1);
    if (!a || !b) return none();
    if (*a < 0 || *b > static_cast<int64_t>(items.size()) || *a > *b)
      return java_error("subList(" + std::to_string(*a) + ", " + std::to_string(*b) +
                        ") out of bounds for length " + std::to_string(items.size()));
    PC_CHECK(charge(env, kCellCost * (*b - *a)));
    auto sub = make_list();
    sub->json = l.json;
    sub->items.assign(items.begin() + *a, items.begin() + *b);
    return some(Value(std::move(sub)));
  }
  if (name == "clear" && n == 0) {
    items.clear();
    return some(Value());
  }
  return none();
}

MaybeValue map_method(MethodEnv& env, Map& m, std::string_view name, Args args) {
  size_t n = args.size();
  if (name == "size" && n == 0) return some(Value(static_cast<int64_t>(m.entries.size())));
  if (name == "isEmpty" && n == 0) return some(Value(m.entries.empty()));
  if (name == "get" && n == 1) {
    const Value* v = m.find(key_of(args[0]));
    return some(v ? *v : Value());
  }
  if (name == "containsKey" && n == 1) return some(Value(m.find(key_of(args[0])) != nullptr));
  if (name == "containsValue" && n == 1) {
    for (const auto& [k, v] : m.entries)
      if (java_equals(v, args[0])) return some(Value(true));
    return some(Value(false));
  }
  if (name == "put" && n == 2) {
    std::string key = key_of(args[0]);
    Value old;
    if (Value* existing = m.find(key)) {
      old = std::move(*existing);
      *existing = args[1];
    } else {
      PC_CHECK(charge(env, kCellCost + key.size()));
      m.entries.emplace_back(std::move(key), args[1]);
    }
    return some(std::move(old));
  }
  if (name == "putAll" && n == 1) {
    Map* other = args[0].map();
    if (!other) return none();
    PC_CHECK(charge(env, kCellCost * other->entries.size()));
    auto copy = other->entries;
    for (auto& [k, v] : copy) m.put(std::move(k), std::move(v));
    return some(Value());
  }
  if (name == "remove" && n == 1) {
    std::string key = key_of(args[0]);
    Value old;
    if (Value* existing = m.find(key)) old = *existing;
    m.remove(key);
    return some(std::move(old));
  }
  if ((name == "keySet" || name == "values" || name == "entrySet") && n == 0) {
    PC_CHECK(charge(env, kCellCost * m.entries.size()));
    auto list = make_list();
    list->items.reserve(m.entries.size());
    for (const auto& [k, v] : m.entries) {
      if (name == "keySet") list->items.emplace_back(k);
      else if (name == "values") list->items.push_back(v);
      else list->items.emplace_back(std::shared_ptr<Object>(std::make_shared<Entry>(k, v)));
    }
    return some(Value(std::move(list)));
  }
  if (name == "clear" && n == 0) {
    m.entries.clear();
    return some(Value());
  }
  return none();
}

int compare_numbers(double a, double b) { return a < b ? -1 : a > b ? 1 : 0; }

MaybeValue scalar_method(const Value& v, std::string_view name, Args args) {
  size_t n = args.size();
  const int64_t* i = v.integer();
  const double* d = v.decimal();
  const bool* b = v.boolean();
  if (name == "equals" && n == 1) return some(Value(java_equals(v, args[0])));
  if (i || d) {
    double x = i ? static_cast<double>(*i) : *d;
    if (n == 0) {
      if (name == "intValue") {
        if (i) return some(Value(static_cast<int64_t>(static_cast<int32_t>(*i))));
        if (std::isnan(*d)) return some(Value(int64_t{0}));
        return some(Value(static_cast<int64_t>(std::clamp(*d, double{INT32_MIN}, double{INT32_MAX}))));
      }
      if (name == "longValue") {
        if (i) return some(Value(*i));
        if (std::isnan(*d)) return some(Value(int64_t{0}));
        if (*d >= 9.2233720368547758e18) return some(Value(INT64_MAX));
        if (*d <= -9.2233720368547758e18) return some(Value(INT64_MIN));
        return some(Value(static_cast<int64_t>(*d)));
      }
      if (name == "doubleValue" || name == "floatValue") return some(Value(x));
    }
    if (name == "compareTo" && n == 1) {
      if (i && args[0].integer()) return some(Value(int64_t{compare_numbers(x, double(*args[0].integer()))}));
      if (d && args[0].decimal()) return some(Value(int64_t{compare_numbers(x, *args[0].decimal())}));
      return none();
    }
  }
  if (b) {
    if (name == "booleanValue" && n == 0) return some(Value(*b));
    if (name == "compareTo" && n == 1 && args[0].boolean())
      return some(Value(int64_t{*b == *args[0].boolean() ? 0 : *b ? 1 : -1}));
  }
  return none();
}

}  // namespace

Result<std::shared_ptr<const Regex>> RegexCache::get(std::string_view pattern) {
  auto it = cache_.find(std::string(pattern));
  if (it != cache_.end()) return it->second;
  auto re = PC_TRY(Regex::compile(pattern));
  if (cache_.size() >= kMaxCachedRegexes) cache_.clear();
  cache_.emplace(std::string(pattern), re);
  return re;
}

size_t utf16_length(std::string_view s) {
  size_t units = 0;
  for (unsigned char c : s) {
    if (!cont(c)) ++units;
    if (c >= 0xF0) ++units;
  }
  return units;
}

bool java_equals(const Value& a, const Value& b, int depth) {
  if (depth > 100) return false;
  if (a.is_null() || b.is_null()) return a.is_null() && b.is_null();
  if (a.integer() && b.integer()) return *a.integer() == *b.integer();
  if (a.decimal() && b.decimal()) return *a.decimal() == *b.decimal();
  if (a.boolean() && b.boolean()) return *a.boolean() == *b.boolean();
  if (a.string() && b.string()) return *a.string() == *b.string();
  if (a.list() && b.list()) {
    if (a.list() == b.list()) return true;
    const auto& x = a.list()->items;
    const auto& y = b.list()->items;
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i)
      if (!java_equals(x[i], y[i], depth + 1)) return false;
    return true;
  }
  if (a.map() && b.map()) {
    if (a.map() == b.map()) return true;
    const auto& x = a.map()->entries;
    if (x.size() != b.map()->entries.size()) return false;
    for (const auto& [k, v] : x) {
      const Value* other = b.map()->find(k);
      if (!other || !java_equals(v, *other, depth + 1)) return false;
    }
    return true;
  }
  if (a.object() && b.object()) return a.object() == b.object();
  return false;
}

namespace {

MaybeValue printed(MethodEnv& env, const Value& v) {
  std::string out;
  if (!append_java(out, v, env.max_size))
    return fail(ErrorCode::kBadRequest, "template rendering exceeded the output size limit");
  PC_CHECK(charge(env, out.size()));
  return some(Value(std::move(out)));
}

}  // namespace

Result<std::optional<Value>> call_method(MethodEnv& env, const Value& target,
                                         std::string_view name, std::span<const Value> args,
                                         const Regex* literal) {
  if (target.is_null()) return none();
  if (Object* o = target.object()) {
    auto r = o->call(name, args);
    if (r) {
      if (!*r) return std::unexpected(r->error());
      return some(std::move(**r));
    }
    if (name == "toString" && args.empty()) return some(Value(o->to_string()));
    return none();
  }
  if (const std::string* s = target.string()) return string_method(env, *s, name, args, literal);
  if (List* l = target.list()) {
    if (name == "toString" && args.empty()) return printed(env, target);
    if (name == "equals" && args.size() == 1) return some(Value(java_equals(target, args[0])));
    return list_method(env, *l, name, args);
  }
  if (Map* m = target.map()) {
    if (name == "toString" && args.empty()) return printed(env, target);
    if (name == "equals" && args.size() == 1) return some(Value(java_equals(target, args[0])));
    return map_method(env, *m, name, args);
  }
  if (name == "toString" && args.empty()) return printed(env, target);
  return scalar_method(target, name, args);
}

}  // namespace portcullis::vtl::detail
