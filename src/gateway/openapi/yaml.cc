// JSON ↔ YAML for OpenAPI documents, on yaml-cpp.
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <regex>

#include "gateway/openapi/openapi.h"

namespace portcullis::gateway::openapi {

namespace {

const std::regex kInt("[-+]?[0-9]+");
const std::regex kFloat("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");

json::value scalar(const YAML::Node& n) {
  const std::string& s = n.Scalar();
  if (n.Tag() == "!") return json::string(s);  // quoted: always a string
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (s.empty() || s == "null" || s == "Null" || s == "NULL" || s == "~") return nullptr;
  if (std::regex_match(s, kInt)) {
    int64_t i = 0;
    auto [end, ec] = std::from_chars(s.data() + (s[0] == '+'), s.data() + s.size(), i);
    if (ec == std::errc() && end == s.data() + s.size()) return i;
  }
  if (std::regex_match(s, kFloat)) return std::stod(s);
  return json::string(s);
}

json::value convert(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      json::object o;
      for (const auto& kv : n) o[kv.first.as<std::string>()] = convert(kv.second);
      return o;
    }
    case YAML::NodeType::Sequence: {
      json::array a;
      for (const auto& e : n) a.push_back(convert(e));
      return a;
    }
    case YAML::NodeType::Scalar:
      return scalar(n);
    default:
      return nullptr;
  }
}

// Whether a string must be quoted so that it reads back as a string.
bool needs_quotes(const std::string& s) {
  if (s.empty()) return true;
  static const std::regex special("true|True|TRUE|false|False|FALSE|null|Null|NULL|~|yes|no|on|off|Yes|No|On|Off|YES|NO|ON|OFF|y|n|Y|N");
  // Dates and times too: YAML 1.1 readers take them for timestamps.
  static const std::regex date("[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?");
  return std::regex_match(s, special) || std::regex_match(s, kInt) ||
         std::regex_match(s, kFloat) || std::regex_match(s, date);
}

void emit(YAML::Emitter& out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::object:
      out << YAML::BeginMap;
      for (const auto& kv : v.as_object()) {
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
      if (v.as_array().empty()) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const auto& e : v.as_array()) emit(out, e);
      out << YAML::EndSeq;
      break;
    case json::kind::string: {
      std::string s(v.as_string());
      if (needs_quotes(s)) out << YAML::DoubleQuoted;
      out << s;
      break;
    }
    case json::kind::bool_:
      out << (v.as_bool() ? "true" : "false");
      break;
    case json::kind::null:
      out << YAML::Null;
      break;
    case json::kind::double_: {
      // Shortest form, with a point so that every YAML reader takes it for a float.
      char buf[32];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.as_double());
      std::string s(buf, ec == std::errc() ? end : buf);
      if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
      out << s;
      break;
    }
    default:
      out << json::serialize(v);
  }
}

}  // namespace

Result<json::value> parse_document(std::string_view text) {
  std::string_view trimmed = text.substr(std::min(text.find_first_not_of(" \t\r\n"), text.size()));
  if (trimmed.starts_with('{')) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec) return fail(ErrorCode::kBadRequest, "Invalid OpenAPI input: the JSON does not parse: " + ec.message());
    return v;
  }
  try {
    return convert(YAML::Load(std::string(text)));
  } catch (const YAML::Exception& e) {
    return fail(ErrorCode::kBadRequest, std::string("Invalid OpenAPI input: the YAML does not parse: ") + e.what());
  }
}

std::string to_yaml(const json::value& v) {
  YAML::Emitter out;
  emit(out, v);
  return std::string(out.c_str()) + "\n";
}

}  // namespace portcullis::gateway::openapi
