#include "iam/policy/wildcard.h"

namespace portcullis::iam {

namespace {
inline char fold(char c, bool ignore_case) {
  return ignore_case && c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

// Splits off the text before the next ':'; the rest follows it.
std::string_view take_segment(std::string_view& s, bool& found) {
  size_t colon = s.find(':');
  found = colon != std::string_view::npos;
  std::string_view seg = s.substr(0, colon);
  s.remove_prefix(found ? colon + 1 : s.size());
  return seg;
}
}  // namespace

bool wildcard_match(std::string_view p, std::string_view t, bool ignore_case, bool escapes) {
  size_t pi = 0, ti = 0, star = std::string_view::npos, mark = 0;
  while (ti < t.size()) {
    bool escaped = escapes && pi + 1 < p.size() && p[pi] == '\\';
    char pc = pi < p.size() ? p[escaped ? pi + 1 : pi] : '\0';
    if (pi < p.size() &&
        ((!escaped && pc == '?') || fold(pc, ignore_case) == fold(t[ti], ignore_case))) {
      pi += escaped ? 2 : 1;
      ++ti;
    } else if (pi < p.size() && !escaped && pc == '*') {
      star = pi++;
      mark = ti;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

bool arn_match(std::string_view pattern, std::string_view arn, bool escapes) {
  if (pattern == "*") return true;
  // arn:partition:service:region:account:resource
  for (int i = 0; i < 5; ++i) {
    bool pf, af;
    std::string_view ps = take_segment(pattern, pf), as = take_segment(arn, af);
    if (!pf || !af) return !pf && !af && wildcard_match(ps, as, false, escapes);
    if (!wildcard_match(ps, as, false, escapes)) return false;
  }
  return wildcard_match(pattern, arn, false, escapes);
}

}  // namespace portcullis::iam
