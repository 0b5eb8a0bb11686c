// A Velocity (VTL) template, compiled once and rendered many times from many threads. The
// compiled form is immutable; each rendering gets its own variables. The engine knows nothing
// of API Gateway: the embedder supplies the variables and host objects (value.h).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/result.h"
#include "vtl/value.h"

namespace portcullis::vtl {

namespace detail {
struct Program;
}

// The top-level variables of one rendering. `#set($x = …)` writes here; the embedder reads
// what the template left (e.g. `$context.responseOverride`) after rendering.
class Variables {
 public:
  void set(std::string name, Value value) { vars_[std::move(name)] = std::move(value); }
  const Value* find(std::string_view name) const;
  Value* find(std::string_view name);
  void erase(std::string_view name);

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, Value, Hash, std::equal_to<>> vars_;
};

// What bounds one rendering against hostile templates and inputs. Exceeding a bound other than
// `max_foreach` is an Error; `#foreach` stops silently after `max_foreach` iterations.
struct Limits {
  size_t max_foreach = 1000;                        // iterations of one #foreach
  size_t max_depth = 64;                            // nested macro calls and evaluation depth
  size_t max_output = 10 * 1024 * 1024;             // bytes rendered
  std::chrono::milliseconds budget{1000};           // wall-clock time of one rendering
};

// How references that resolve to nothing print. AWS API Gateway prints null and undefined
// references as nothing; plain Velocity prints an undefined `$x` as its source text unless it is
// quiet (`$!x`). The second exists for comparing with other Velocity engines.
enum class NullStyle { kEmpty, kVelocity };

struct Options {
  Limits limits;
  NullStyle nulls = NullStyle::kEmpty;
};

class Template {
 public:
  // Parses `source`. A syntax error's message names its line and column ("line 3, column 7: …").
  static Result<Template> compile(std::string_view source);

  Result<std::string> render(Variables& vars, const Options& options = {}) const;

 private:
  explicit Template(std::shared_ptr<const detail::Program> program);
  std::shared_ptr<const detail::Program> program_;
};

}  // namespace portcullis::vtl
