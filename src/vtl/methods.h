// The Java methods templates call on values (java.lang.String, java.util.List and Map, Long,
// Double, Boolean), with Java's results and Java's exceptions as Errors. An unknown method or
// arguments that fit no overload answer nullopt: the reference stays unresolved.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/result.h"
#include "vtl/regex.h"
#include "vtl/value.h"

namespace portcullis::vtl::detail {

// The regexes one rendering compiles from non-literal patterns, bounded in number.
class RegexCache {
 public:
  Result<std::shared_ptr<const Regex>> get(std::string_view pattern);

 private:
  std::unordered_map<std::string, std::shared_ptr<const Regex>> cache_;
};

struct MethodEnv {
  RegexCache& regexes;
  size_t max_size;       // bound on any string or collection a method builds (bytes)
  size_t& allocated;     // bytes built so far in this rendering, charged by methods
  size_t max_allocated;
};

// `literal` is the first argument compiled at compile time, when it was a literal pattern.
Result<std::optional<Value>> call_method(MethodEnv& env, const Value& target,
                                         std::string_view name, std::span<const Value> args,
                                         const Regex* literal);

// Java's equals() between two values (Long and Double differ; lists and maps compare deeply).
bool java_equals(const Value& a, const Value& b, int depth = 0);

// UTF-16 length of UTF-8 text, as String.length() counts.
size_t utf16_length(std::string_view s);

}  // namespace portcullis::vtl::detail
