#include "gateway/mapping/util.h"

#include <boost/json.hpp>

#include "core/encoding.h"
#include "gateway/mapping/input.h"

namespace portcullis::gateway::mapping {
namespace json = boost::json;

namespace {

constexpr char kHex[] = "0123456789ABCDEF";
constexpr uint32_t kReplacement = 0xFFFD;

// Decodes the code point at s[i], advancing i; a malformed sequence (overlong, surrogate, past
// U+10FFFF, truncated) yields U+FFFD and consumes one byte.
uint32_t next_code_point(std::string_view s, size_t& i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) {
    ++i;
    return c;
  }
  size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
  if (len == 0 || c > 0xF4 || i + len > s.size()) {
    ++i;
    return kReplacement;
  }
  uint32_t cp = c & (0x7F >> len);
  for (size_t k = 1; k < len; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) {
      ++i;
      return kReplacement;
    }
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    return kReplacement;
  }
  i += len;
  return cp;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

void append_u_escape(std::string& out, uint32_t unit) {
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out.push_back(kHex[(unit >> shift) & 0xF]);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The text a scalar argument stands for when a string is expected (Velocity calls toString()).
std::optional<std::string> text_of(const vtl::Value& v) {
  if (const std::string* s = v.string()) return *s;
  if (const int64_t* i = v.integer()) return std::to_string(*i);
  if (const bool* b = v.boolean()) return std::string(*b ? "true" : "false");
  if (const double* d = v.decimal()) return java_double(*d);
  return std::nullopt;
}

class Util final : public vtl::Object {
 public:
  std::optional<Result<vtl::Value>> call(std::string_view name,
                                         std::span<const vtl::Value> args) override {
    if (args.size() != 1) return std::nullopt;
    enum Fn { kEscape, kParse, kEncode, kDecode, kB64Enc, kB64Dec };
    Fn fn;
    if (name == "escapeJavaScript")
      fn = kEscape;
    else if (name == "parseJson")
      fn = kParse;
    else if (name == "urlEncode")
      fn = kEncode;
    else if (name == "urlDecode")
      fn = kDecode;
    else if (name == "base64Encode")
      fn = kB64Enc;
    else if (name == "base64Decode")
      fn = kB64Dec;
    else
      return std::nullopt;
    // A null argument gives null, as the Java functions return null for null.
    if (args[0].is_null()) return Result<vtl::Value>(vtl::Value());
    std::optional<std::string> s = text_of(args[0]);
    if (!s) return std::nullopt;  // no such method for a map, a list or an object
    switch (fn) {
      case kEscape:
        return Result<vtl::Value>(escape_javascript(*s));
      case kEncode:
        return Result<vtl::Value>(url_encode(*s));
      case kB64Enc:
        return Result<vtl::Value>(base64_encode_text(*s));
      case kDecode: {
        auto r = url_decode(*s);
        if (!r) return std::unexpected(std::move(r.error()));
        return Result<vtl::Value>(std::move(*r));
      }
      case kB64Dec: {
        auto r = base64_decode_text(*s);
        if (!r) return std::unexpected(std::move(r.error()));
        return Result<vtl::Value>(std::move(*r));
      }
      case kParse: {
        json::parse_options opts;
        opts.max_depth = 512;
        boost::system::error_code ec;
        json::value doc = json::parse(*s, ec, {}, opts);
        if (ec)
          return std::unexpected(
              Error{ErrorCode::kBadRequest, "$util.parseJson: invalid JSON: " + ec.message()});
        return Result<vtl::Value>(vtl::Value::from_json(doc));
      }
    }
    return std::nullopt;
  }
};

}  // namespace

std::string sanitize_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) append_utf8(out, next_code_point(s, i));
  return out;
}

std::string escape_javascript(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (size_t i = 0; i < s.size();) {
    uint32_t cp = next_code_point(s, i);
    if (cp >= 0x10000) {
      uint32_t v = cp - 0x10000;
      append_u_escape(out, 0xD800 + (v >> 10));
      append_u_escape(out, 0xDC00 + (v & 0x3FF));
      continue;
    }
    if (cp > 0x7F) {
      append_u_escape(out, cp);
      continue;
    }
    switch (cp) {
      case '\b':
        out += "\\b";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\'':
        out += "\\'";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '/':
        out += "\\/";
        break;
      default:
        if (cp < 0x20)
          append_u_escape(out, cp);
        else
          out.push_back(static_cast<char>(cp));
    }
  }
  return out;
}

std::string url_encode(std::string_view s) {
  std::string out;
  out.reserve(s.size() * 3 / 2);
  std::string text = sanitize_utf8(s);
  for (unsigned char c : text) {
    bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '-' || c == '*' || c == '_';
    if (keep) {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

Result<std::string> url_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= s.size())
        return fail(ErrorCode::kBadRequest, "URLDecoder: Incomplete trailing escape (%) pattern");
      int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0)
        return fail(ErrorCode::kBadRequest,
                    "URLDecoder: Illegal hex characters in escape (%) pattern");
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return sanitize_utf8(out);
}

std::string base64_encode_text(std::string_view s) { return base64_encode(s); }

Result<std::string> base64_decode_text(std::string_view s) {
  auto invalid = [] {
    return fail(ErrorCode::kBadRequest, "$util.base64Decode: the input is not valid Base64");
  };
  std::string padded(s);
  for (char c : padded) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/' || c == '=';
    if (!ok) return invalid();
  }
  size_t data = padded.find('=');
  if (data != std::string::npos && padded.find_first_not_of('=', data) != std::string::npos)
    return invalid();
  if (padded.size() % 4 == 1) return invalid();
  while (padded.size() % 4 != 0) padded.push_back('=');
  std::optional<std::string> bytes = base64_decode(padded);
  if (!bytes) return invalid();
  return sanitize_utf8(*bytes);
}

std::shared_ptr<vtl::Object> make_util() { return std::make_shared<Util>(); }

}  // namespace portcullis::gateway::mapping
