// JSON ↔ YAML for OpenAPI documents, on yaml-cpp. Scalars are typed by hand (no std::regex:
// its recursive matcher overflows the stack on long input).
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>

#include "gateway/openapi/openapi.h"

namespace portcullis::gateway::openapi {

namespace {

// Limits on what a document may expand to: aliases can make a graph with cycles, or one that
// grows exponentially ("billion laughs").
constexpr int kMaxDepth = 200;
constexpr size_t kMaxNodes = 1'000'000;

bool is_digit(char ch) { return ch >= '0' && ch <= '9'; }

// YAML 1.2 core schema integers: [-+]?[0-9]+
bool is_int(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  return !s.empty() && std::all_of(s.begin(), s.end(), is_digit);
}

// … and floats: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool is_float(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  size_t i = 0, int_digits = 0, frac_digits = 0;
  while (i < s.size() && is_digit(s[i])) ++i, ++int_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && is_digit(s[i])) ++i, ++frac_digits;
  }
  if (int_digits + frac_digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && is_digit(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == s.size();
}

// A date or date-time: YAML 1.1 readers take it for a timestamp.
bool is_date(std::string_view s) {
  auto digits = [&](size_t& i, size_t min, size_t max) {
    size_t n = 0;
    while (i < s.size() && n < max && is_digit(s[i])) ++i, ++n;
    return n >= min;
  };
  size_t i = 0;
  if (!digits(i, 4, 4) || i >= s.size() || s[i++] != '-') return false;
  if (!digits(i, 1, 2) || i >= s.size() || s[i++] != '-') return false;
  if (!digits(i, 1, 2)) return false;
  return i == s.size() || s[i] == 'T' || s[i] == 't' || s[i] == ' ';
}

bool is_special_word(std::string_view s) {
  for (std::string_view w : {"true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL",
                             "~", "yes", "no", "on", "off", "Yes", "No", "On", "Off", "YES", "NO",
                             "ON", "OFF", "y", "n", "Y", "N"})
    if (s == w) return true;
  return false;
}

json::value scalar(const YAML::Node& n) {
  const std::string& s = n.Scalar();
  if (n.Tag() == "!") return json::string(s);  // quoted: always a string
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (s.empty() || s == "null" || s == "Null" || s == "NULL" || s == "~") return nullptr;
  std::string_view digits(s);
  if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
  if (is_int(s)) {
    int64_t i = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), i);
    if (ec == std::errc() && end == digits.data() + digits.size()) return i;
  }
  if (is_float(s)) {
    double d = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), d);
    if (ec == std::errc() && end == digits.data() + digits.size() && std::isfinite(d)) return d;
  }
  return json::string(s);  // out of range: kept as written
}

struct Converter {
  size_t nodes = 0;

  bool convert(const YAML::Node& n, int depth, json::value& out) {
    if (depth > kMaxDepth || ++nodes > kMaxNodes) return false;
    switch (n.Type()) {
      case YAML::NodeType::Map: {
        json::object o;
        for (const auto& kv : n) {
          if (!kv.first.IsScalar()) return false;
          json::value v;
          if (!convert(kv.second, depth + 1, v)) return false;
          o[kv.first.Scalar()] = std::move(v);
        }
        out = std::move(o);
        return true;
      }
      case YAML::NodeType::Sequence: {
        json::array a;
        for (const auto& e : n) {
          json::value v;
          if (!convert(e, depth + 1, v)) return false;
          a.push_back(std::move(v));
        }
        out = std::move(a);
        return true;
      }
      case YAML::NodeType::Scalar:
        out = scalar(n);
        return true;
      default:
        out = nullptr;
        return true;
    }
  }
};

// The deepest nesting of flow collections ([ and {) outside quotes: yaml-cpp's parser
// recurses on them, so a document of a million '[' would overflow its stack.
int flow_depth(std::string_view text) {
  int depth = 0, deepest = 0;
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (quote) {
      if (ch == '\\' && quote == '"') ++i;
      else if (ch == quote) quote = 0;
    } else if (ch == '"' || ch == '\'') {
      quote = ch;
    } else if (ch == '[' || ch == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((ch == ']' || ch == '}') && depth > 0) {
      --depth;
    } else if (ch == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == '\n')) {
      size_t nl = text.find('\n', i);
      i = nl == std::string_view::npos ? text.size() : nl;
    }
  }
  return deepest;
}

// Whether a string must be quoted so that it reads back as a string.
bool needs_quotes(std::string_view s) {
  return s.empty() || is_special_word(s) || is_int(s) || is_float(s) || is_date(s);
}

void emit(YAML::Emitter& out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::object:
      out << YAML::BeginMap;
      for (const auto& kv : v.get_object()) {
        std::string key(kv.key());
        out << YAML::Key;
        if (needs_quotes(key)) out << YAML::DoubleQuoted;
        out << key;
        out << YAML::Value;
        emit(out, kv.value());
      }
      out << YAML::EndMap;
      break;
    case json::kind::array:
      if (v.get_array().empty()) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const auto& e : v.get_array()) emit(out, e);
      out << YAML::EndSeq;
      break;
    case json::kind::string: {
      std::string s(v.get_string());
      if (needs_quotes(s)) out << YAML::DoubleQuoted;
      out << s;
      break;
    }
    case json::kind::bool_:
      out << (v.get_bool() ? "true" : "false");
      break;
    case json::kind::null:
      out << YAML::Null;
      break;
    case json::kind::double_:
      out << format_double(v.get_double());
      break;
    default:
      out << json::serialize(v);
  }
}

}  // namespace

std::string format_double(double d) {
  // Shortest form, with a point so that every YAML reader takes it for a float.
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  std::string s(buf, ec == std::errc() ? end : buf);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

Result<json::value> parse_document(std::string_view text) {
  std::string_view trimmed = text.substr(std::min(text.find_first_not_of(" \t\r\n"), text.size()));
  if (trimmed.starts_with('{')) {
    boost::system::error_code ec;
    json::parse_options opt;
    opt.max_depth = kMaxDepth;
    json::value v = json::parse(text, ec, {}, opt);
    if (ec) return fail(ErrorCode::kBadRequest, "Invalid OpenAPI input: the JSON does not parse: " + ec.message());
    return v;
  }
  if (flow_depth(text) > kMaxDepth)
    return fail(ErrorCode::kBadRequest, "Invalid OpenAPI input: the document nests deeper than 200 levels");
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return fail(ErrorCode::kBadRequest, std::string("Invalid OpenAPI input: the YAML does not parse: ") + e.what());
  }
  json::value out;
  if (!Converter{}.convert(root, 0, out))
    return fail(ErrorCode::kBadRequest,
                "Invalid OpenAPI input: the document nests deeper than 200 levels, expands to "
                "more than a million nodes, or has a key that is not a scalar");
  return out;
}

std::string to_yaml(const json::value& v) {
  YAML::Emitter out;
  emit(out, v);
  return std::string(out.c_str()) + "\n";
}

}  // namespace portcullis::gateway::openapi
