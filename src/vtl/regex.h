// Java regular expressions (java.util.regex) through PCRE2, for String.replaceAll, replaceFirst,
// matches and split. A compiled Regex is immutable and shared between threads; each match uses
// its own match data. Matching is bounded (match and heap limits), so a hostile pattern or
// subject ends in an Error instead of a hang.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace portcullis::vtl {

class Regex {
 public:
  // Compiles a Java pattern. A pattern PCRE2 cannot compile is an Error (Java throws
  // PatternSyntaxException, which stops a Velocity rendering).
  static Result<std::shared_ptr<const Regex>> compile(std::string_view pattern);
  ~Regex();

  // String.matches: the whole subject matches.
  Result<bool> matches(std::string_view subject) const;
  // String.replaceAll / replaceFirst, with Java's replacement syntax ($n, ${name}, \x).
  // `max_size` bounds the result.
  Result<std::string> replace(std::string_view subject, std::string_view replacement, bool all,
                              size_t max_size) const;
  // String.split(regex, limit) with Java's rules for empty pieces.
  Result<std::vector<std::string>> split(std::string_view subject, int64_t limit) const;

 private:
  Regex() = default;
  // Finds the next match at or after `start`; false when none. ovector gets the groups.
  Result<bool> find(std::string_view subject, size_t start, void* match_data, bool anchored_full) const;
  void* code_ = nullptr;  // pcre2_code_8
  bool jit_ = false;
  uint32_t groups_ = 0;
  std::vector<std::pair<std::string, uint32_t>> names_;
};

}  // namespace portcullis::vtl
