#include "vtl/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace portcullis::vtl {

namespace {

constexpr uint32_t kMatchLimit = 1'000'000;
constexpr uint32_t kHeapLimitKib = 16 * 1024;

pcre2_code* code_of(void* p) { return static_cast<pcre2_code*>(p); }

struct MatchData {
  pcre2_match_data* data;
  pcre2_match_context* context;
  explicit MatchData(pcre2_code* code)
      : data(pcre2_match_data_create_from_pattern(code, nullptr)),
        context(pcre2_match_context_create(nullptr)) {
    pcre2_set_match_limit(context, kMatchLimit);
    pcre2_set_heap_limit(context, kHeapLimitKib);
    pcre2_set_depth_limit(context, 10'000);
  }
  ~MatchData() {
    pcre2_match_data_free(data);
    pcre2_match_context_free(context);
  }
  MatchData(const MatchData&) = delete;
  MatchData& operator=(const MatchData&) = delete;
};

Error limit_error() {
  return Error{ErrorCode::kBadRequest,
               "template rendering exceeded the regular expression match limit"};
}

}  // namespace

Result<std::shared_ptr<const Regex>> Regex::compile(std::string_view pattern) {
  pcre2_compile_context* cc = pcre2_compile_context_create(nullptr);
  // Java's `.` and `$` know every line terminator, not only \n.
  pcre2_set_newline(cc, PCRE2_NEWLINE_ANY);
  pcre2_set_parens_nest_limit(cc, 250);
  int err = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* code =
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                    PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &err, &offset, cc);
  pcre2_compile_context_free(cc);
  if (!code) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(err, msg, sizeof msg);
    return fail(ErrorCode::kBadRequest, "invalid regular expression at index " +
                                            std::to_string(offset) + ": " +
                                            reinterpret_cast<const char*>(msg));
  }
  std::shared_ptr<Regex> re(new Regex());
  re->code_ = code;
  re->jit_ = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
  pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &re->groups_);
  uint32_t count = 0, entry_size = 0;
  PCRE2_SPTR table = nullptr;
  pcre2_pattern_info(code, PCRE2_INFO_NAMECOUNT, &count);
  pcre2_pattern_info(code, PCRE2_INFO_NAMEENTRYSIZE, &entry_size);
  pcre2_pattern_info(code, PCRE2_INFO_NAMETABLE, &table);
  for (uint32_t i = 0; i < count; ++i) {
    const unsigned char* e = table + i * entry_size;
    re->names_.emplace_back(reinterpret_cast<const char*>(e + 2), (e[0] << 8) | e[1]);
  }
  return std::shared_ptr<const Regex>(std::move(re));
}

Regex::~Regex() { pcre2_code_free(code_of(code_)); }

Result<bool> Regex::find(std::string_view subject, size_t start, void* md, bool full) const {
  auto* m = static_cast<MatchData*>(md);
  uint32_t opts = full ? (PCRE2_ANCHORED | PCRE2_ENDANCHORED) : 0;
  auto run = [&](uint32_t extra) {
    return pcre2_match(code_of(code_), reinterpret_cast<PCRE2_SPTR>(subject.data()),
                       subject.size(), start, opts | extra, m->data, m->context);
  };
  // The JIT ignores ANCHORED/ENDANCHORED given at match time only for patterns compiled
  // without them, so full matches run in the interpreter.
  int rc = run(full || !jit_ ? PCRE2_NO_JIT : 0);
  if (rc == PCRE2_ERROR_JIT_STACKLIMIT) rc = run(PCRE2_NO_JIT);
  if (rc >= 0) return true;
  if (rc == PCRE2_ERROR_NOMATCH) return false;
  if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT ||
      rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT)
    return std::unexpected(limit_error());
  return false;
}

Result<bool> Regex::matches(std::string_view subject) const {
  MatchData m(code_of(code_));
  return find(subject, 0, &m, true);
}

Result<std::string> Regex::replace(std::string_view subject, std::string_view repl, bool all,
                                   size_t max_size) const {
  MatchData m(code_of(code_));
  std::string out;
  size_t pos = 0, search = 0;
  while (search <= subject.size()) {
    bool found = PC_TRY(find(subject, search, &m, false));
    if (!found) break;
    PCRE2_SIZE* ov = pcre2_get_ovector_pointer(m.data);
    size_t s = ov[0], e = ov[1];
    out.append(subject.substr(pos, s - pos));
    // Java's appendReplacement: `\x` is x, `$n` / `${name}` a group, any other `$` an error.
    for (size_t i = 0; i < repl.size(); ++i) {
      char c = repl[i];
      if (c == '\\') {
        if (++i >= repl.size())
          return fail(ErrorCode::kBadRequest, "character to be escaped is missing");
        out += repl[i];
      } else if (c == '$') {
        if (++i >= repl.size())
          return fail(ErrorCode::kBadRequest, "Illegal group reference: group index is missing");
        uint32_t group = 0;
        if (repl[i] == '{') {
          size_t close = repl.find('}', i);
          if (close == std::string_view::npos)
            return fail(ErrorCode::kBadRequest, "named capturing group is missing trailing '}'");
          std::string_view name = repl.substr(i + 1, close - i - 1);
          bool known = false;
          for (const auto& [n, g] : names_)
            if (n == name) group = g, known = true;
          if (!known)
            return fail(ErrorCode::kBadRequest,
                        "No group with name {" + std::string(name) + "}");
          i = close;
        } else if (repl[i] >= '0' && repl[i] <= '9') {
          group = repl[i] - '0';
          if (group > groups_)
            return fail(ErrorCode::kBadRequest, "No group " + std::to_string(group));
          // Java takes further digits while the number stays a valid group.
          while (i + 1 < repl.size() && repl[i + 1] >= '0' && repl[i + 1] <= '9') {
            uint32_t next = group * 10 + (repl[i + 1] - '0');
            if (next > groups_) break;
            group = next;
            ++i;
          }
        } else {
          return fail(ErrorCode::kBadRequest, "Illegal group reference");
        }
        if (ov[2 * group] != PCRE2_UNSET)
          out.append(subject.substr(ov[2 * group], ov[2 * group + 1] - ov[2 * group]));
      } else {
        out += c;
      }
    }
    if (out.size() > max_size)
      return fail(ErrorCode::kBadRequest, "template rendering exceeded the output size limit");
    pos = e;
    if (e == s) {
      // An empty match: copy one character and look again after it.
      if (e >= subject.size()) {
        pos = subject.size();
        search = subject.size() + 1;
        break;
      }
      size_t step = 1;
      while (e + step < subject.size() && (static_cast<unsigned char>(subject[e + step]) & 0xC0) == 0x80)
        ++step;
      out.append(subject.substr(e, step));
      pos = search = e + step;
    } else {
      search = e;
    }
    if (!all) break;
  }
  if (pos < subject.size()) out.append(subject.substr(pos));
  if (out.size() > max_size)
    return fail(ErrorCode::kBadRequest, "template rendering exceeded the output size limit");
  return out;
}

Result<std::vector<std::string>> Regex::split(std::string_view subject, int64_t limit) const {
  MatchData m(code_of(code_));
  std::vector<std::string> out;
  size_t pos = 0, search = 0;
  bool matched = false;
  while (search <= subject.size() && (limit <= 0 || static_cast<int64_t>(out.size()) < limit - 1)) {
    bool found = PC_TRY(find(subject, search, &m, false));
    if (!found) break;
    PCRE2_SIZE* ov = pcre2_get_ovector_pointer(m.data);
    size_t s = ov[0], e = ov[1];
    if (e == s) {
      // Java: a zero-width match at the start never makes a leading empty piece; nor one at the end.
      if (s == 0 || s >= subject.size()) {
        if (s >= subject.size()) break;
        size_t step = 1;
        while (step < subject.size() && (static_cast<unsigned char>(subject[step]) & 0xC0) == 0x80) ++step;
        search = step;
        continue;
      }
    }
    matched = true;
    out.emplace_back(subject.substr(pos, s - pos));
    pos = e;
    if (e == s) {
      size_t step = 1;
      while (e + step < subject.size() && (static_cast<unsigned char>(subject[e + step]) & 0xC0) == 0x80)
        ++step;
      search = e + step;
    } else {
      search = e;
    }
  }
  if (!matched) return std::vector<std::string>{std::string(subject)};
  out.emplace_back(subject.substr(pos));
  if (limit == 0)
    while (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

}  // namespace portcullis::vtl
