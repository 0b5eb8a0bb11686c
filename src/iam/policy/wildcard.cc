#include "iam/policy/wildcard.h"

namespace portcullis::iam {

namespace {

// Decodes the UTF-8 code point at s[i] and advances i; a byte that does not start a valid
// sequence stands for itself.
char32_t decode_multibyte(std::string_view s, size_t& i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  int len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
  if (len <= 1 || i + static_cast<size_t>(len) > s.size()) {
    ++i;
    return c;
  }
  char32_t cp = c & (0x7f >> len);
  for (int k = 1; k < len; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
    if ((cc & 0xc0) != 0x80) {
      ++i;
      return c;
    }
    cp = (cp << 6) | (cc & 0x3f);
  }
  i += static_cast<size_t>(len);
  return cp;
}

inline char32_t next_code_point(std::string_view s, size_t& i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {  // the common case: ASCII
    ++i;
    return c;
  }
  return decode_multibyte(s, i);
}

// Simple case folding: ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic capitals.
char32_t fold_multibyte(char32_t c);
inline char32_t fold(char32_t c) {
  if (c < 0x80) return c >= 'A' && c <= 'Z' ? c + 32 : c;
  return fold_multibyte(c);
}

char32_t fold_multibyte(char32_t c) {
  if ((c >= 0xc0 && c <= 0xde && c != 0xd7) || (c >= 0x391 && c <= 0x3ab && c != 0x3a2) ||
      (c >= 0x410 && c <= 0x42f))
    return c + 32;
  if (c >= 0x400 && c <= 0x40f) return c + 80;
  if (c >= 0x100 && c <= 0x17f && c != 0x130 && c != 0x131 && c != 0x138 && c != 0x149 &&
      c != 0x17f) {
    // Latin Extended-A pairs capitals and small letters, even/odd, with a shift at U+0139.
    bool shifted = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e);
    bool capital = shifted ? (c % 2 == 1) : (c % 2 == 0);
    return capital ? c + 1 : c;
  }
  return c;
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

bool equals_ignore_case(std::string_view a, std::string_view b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size())
    if (fold(next_code_point(a, i)) != fold(next_code_point(b, j))) return false;
  return i == a.size() && j == b.size();
}

bool wildcard_match(std::string_view p, std::string_view t, bool ignore_case, bool escapes) {
  // Positions are byte offsets; each step consumes one code point of the pattern and the text.
  size_t pi = 0, ti = 0, star = std::string_view::npos, mark = 0;
  while (ti < t.size()) {
    bool matched = false;
    if (pi < p.size()) {
      unsigned char pb = static_cast<unsigned char>(p[pi]), tb = static_cast<unsigned char>(t[ti]);
      if (pb < 0x80 && tb < 0x80 && pb != '*' && !(escapes && pb == '\\')) {
        // ASCII on both sides: no decoding.
        if (pb == '?' || pb == tb ||
            (ignore_case && fold(pb) == fold(tb))) {
          ++pi;
          ++ti;
          continue;
        }
        goto mismatch;
      }
      size_t pn = pi;
      bool escaped = escapes && p[pi] == '\\' && pi + 1 < p.size();
      if (escaped) ++pn;
      if (!escaped && p[pi] == '*') {
        star = pi++;
        mark = ti;
        continue;
      }
      size_t tn = ti;
      char32_t pc = next_code_point(p, pn), tc = next_code_point(t, tn);
      if ((!escaped && pc == U'?') || pc == tc || (ignore_case && fold(pc) == fold(tc))) {
        pi = pn;
        ti = tn;
        matched = true;
      }
    }
    if (matched) continue;
  mismatch:
    if (star == std::string_view::npos) return false;
    pi = star + 1;
    next_code_point(t, mark);  // the star takes one more code point
    ti = mark;
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

bool arn_match(std::string_view pattern, std::string_view arn, bool escapes,
               bool prefix_ignore_case) {
  if (pattern == "*") return true;
  // arn:partition:service:region:account:resource.
  for (int i = 0; i < 5; ++i) {
    bool pf, af;
    std::string_view ps = take_segment(pattern, pf), as = take_segment(arn, af);
    if (!pf || !af) return !pf && !af && wildcard_match(ps, as, prefix_ignore_case, escapes);
    if (!wildcard_match(ps, as, prefix_ignore_case, escapes)) return false;
  }
  return wildcard_match(pattern, arn, false, escapes);
}

}  // namespace portcullis::iam
