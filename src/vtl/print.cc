#include "vtl/print.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace portcullis::vtl {

namespace {

constexpr int kMaxNesting = 200;

bool print(std::string& out, const Value& v, size_t max, bool json, int depth);

void json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

bool print(std::string& out, const Value& v, size_t max, bool json, int depth) {
  if (depth > kMaxNesting) return false;
  if (v.is_null()) {
    out += "null";
  } else if (const bool* b = v.boolean()) {
    out += *b ? "true" : "false";
  } else if (const int64_t* i = v.integer()) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, *i);
    out.append(buf, r.ptr);
  } else if (const double* d = v.decimal()) {
    out += java_double(*d);
  } else if (const std::string* s = v.string()) {
    if (json) json_string(out, *s);
    else out += *s;
  } else if (List* l = v.list()) {
    json = json || l->json;
    out += '[';
    bool first = true;
    for (const Value& item : l->items) {
      if (!first) out += json ? "," : ", ";
      first = false;
      if (item.list() == l && !json) out += "(this Collection)";
      else if (!print(out, item, max, json, depth + 1)) return false;
      if (out.size() > max) return false;
    }
    out += ']';
  } else if (Map* m = v.map()) {
    out += '{';
    bool first = true;
    for (const auto& [k, item] : m->entries) {
      if (!first) out += json ? "," : ", ";
      first = false;
      if (json) {
        json_string(out, k);
        out += ':';
      } else {
        out += k;
        out += '=';
      }
      if (item.map() == m && !json) out += "(this Map)";
      else if (!print(out, item, max, json, depth + 1)) return false;
      if (out.size() > max) return false;
    }
    out += '}';
  } else if (Object* o = v.object()) {
    if (json) json_string(out, o->to_string());
    else out += o->to_string();
  }
  return out.size() <= max;
}

}  // namespace

std::string java_double(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == 0) return std::signbit(d) ? "-0.0" : "0.0";
  // Shortest round-trip digits, then Java's layout: plain for 1e-3 <= |d| < 1e7, else
  // d.dddE±n with at least one fractional digit.
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, r.ptr - buf);
  bool neg = sci[0] == '-';
  if (neg) sci.remove_prefix(1);
  size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e))
    if (c != '.') digits += c;
  int exp = 0;
  std::from_chars(sci.data() + e + 1 + (sci[e + 1] == '+'), sci.data() + sci.size(), exp);
  std::string out = neg ? "-" : "";
  double a = std::fabs(d);
  if (a >= 1e-3 && a < 1e7) {
    if (exp >= 0) {
      std::string ip = digits.substr(0, std::min<size_t>(digits.size(), exp + 1));
      while (static_cast<int>(ip.size()) < exp + 1) ip += '0';
      std::string fp = digits.size() > static_cast<size_t>(exp + 1) ? digits.substr(exp + 1) : "0";
      out += ip + "." + fp;
    } else {
      out += "0." + std::string(-exp - 1, '0') + digits;
    }
  } else {
    out += digits.substr(0, 1);
    out += '.';
    out += digits.size() > 1 ? digits.substr(1) : "0";
    out += 'E';
    out += std::to_string(exp);
  }
  return out;
}

bool append_java(std::string& out, const Value& v, size_t max_size) {
  return print(out, v, max_size, false, 0);
}

bool append_json(std::string& out, const Value& v, size_t max_size) {
  return print(out, v, max_size, true, 0);
}

std::string to_java_string(const Value& v) {
  std::string out;
  append_java(out, v, SIZE_MAX);
  return out;
}

}  // namespace portcullis::vtl
