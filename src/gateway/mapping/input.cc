#include "gateway/mapping/input.h"

#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <unordered_map>

#include "core/encoding.h"
#include "gateway/mapping/jsonpath.h"

namespace portcullis::gateway::mapping {
namespace json = boost::json;

namespace {

constexpr size_t kMaxCachedPaths = 256;
constexpr size_t kMaxBodyDepth = 512;
// An indefinite path copies every match, and matches nest (`$..*`): what one call may produce is
// bounded, else a deep, wide body would cost memory quadratic in its size.
constexpr size_t kMaxPathValues = 1'000'000;
constexpr size_t kMaxJsonText = 16 * 1024 * 1024;

// The nodes in `v`, counting up to `limit` (more: limit + 1); iterative, so depth is free.
size_t count_nodes(const json::value& v, size_t limit) {
  size_t n = 0;
  std::vector<const json::value*> stack{&v};
  while (!stack.empty() && n <= limit) {
    const json::value* cur = stack.back();
    stack.pop_back();
    ++n;
    if (const json::array* a = cur->if_array()) {
      for (const auto& item : *a) stack.push_back(&item);
    } else if (const json::object* o = cur->if_object()) {
      for (const auto& kv : *o) stack.push_back(&kv.value());
    }
  }
  return n;
}

std::unexpected<Error> too_big(const JsonPath& path) {
  return fail(ErrorCode::kLimitExceeded,
              "JSONPath '" + path.source() + "' selects more than the mapping may copy");
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out.push_back('"');
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

void append_json(std::string& out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      out += "null";
      return;
    case json::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      return;
    case json::kind::int64:
      out += std::to_string(v.get_int64());
      return;
    case json::kind::uint64:
      out += std::to_string(v.get_uint64());
      return;
    case json::kind::double_:
      out += java_double(v.get_double());
      return;
    case json::kind::string:
      append_json_string(out, v.get_string());
      return;
    case json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& item : v.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        append_json(out, item);
      }
      out.push_back(']');
      return;
    }
    case json::kind::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out.push_back(',');
        first = false;
        append_json_string(out, kv.key());
        out.push_back(':');
        append_json(out, kv.value());
      }
      out.push_back('}');
      return;
    }
  }
}

vtl::Value string_map(const StringPairs& pairs) {
  auto m = vtl::make_map();
  for (const auto& [k, v] : pairs) m->put(k, vtl::Value(v));
  return vtl::Value(std::move(m));
}

class Input final : public vtl::Object {
 public:
  Input(std::string body, Params params) : body_(std::move(body)), params_(std::move(params)) {}

  std::optional<vtl::Value> property(std::string_view name) override {
    if (name == "body") return vtl::Value(body_.empty() ? std::string("{}") : body_);
    return std::nullopt;
  }

  std::optional<Result<vtl::Value>> call(std::string_view name,
                                         std::span<const vtl::Value> args) override {
    if (name == "params") {
      if (args.empty()) return Result<vtl::Value>(all_params());
      if (args.size() != 1) return std::nullopt;
      const std::string* key = args[0].string();
      if (!key) return Result<vtl::Value>(vtl::Value());
      return Result<vtl::Value>(param(*key));
    }
    bool is_json = name == "json";
    if (!is_json && name != "path") return std::nullopt;
    if (args.size() != 1) return std::nullopt;
    const std::string* path_text = args[0].string();
    if (!path_text)
      return std::unexpected(Error{ErrorCode::kBadRequest,
                                   "$input." + std::string(name) + " takes a JSONPath string"});
    auto path = compiled(*path_text);
    if (!path) return std::unexpected(path.error());
    return is_json ? json_of(**path) : path_of(**path);
  }

 private:
  enum class Doc { kUnparsed, kEmpty, kJson, kNotJson };

  void parse() {
    if (doc_state_ != Doc::kUnparsed) return;
    if (body_.empty()) {
      doc_state_ = Doc::kEmpty;
      return;
    }
    json::parse_options opts;
    opts.max_depth = kMaxBodyDepth;
    boost::system::error_code ec;
    doc_ = json::parse(body_, ec, {}, opts);
    doc_state_ = ec ? Doc::kNotJson : Doc::kJson;
  }

  Result<const JsonPath*> compiled(const std::string& text) {
    if (auto it = paths_.find(text); it != paths_.end()) return &it->second;
    JsonPath p = PC_TRY(JsonPath::compile(text));
    if (paths_.size() >= kMaxCachedPaths) {
      scratch_ = std::move(p);
      return &*scratch_;
    }
    return &paths_.emplace(text, std::move(p)).first->second;
  }

  Result<vtl::Value> json_of(const JsonPath& path) {
    parse();
    if (doc_state_ != Doc::kJson) return vtl::Value("\"\"");
    auto matches = PC_TRY(path.select(doc_));
    std::string out;
    if (path.definite()) {
      if (matches.empty()) return vtl::Value("\"\"");
      append_json(out, *matches.front());
      return vtl::Value(std::move(out));
    }
    out.push_back('[');
    for (size_t i = 0; i < matches.size(); ++i) {
      if (i) out.push_back(',');
      append_json(out, *matches[i]);
      if (out.size() > kMaxJsonText) return too_big(path);
    }
    out.push_back(']');
    return vtl::Value(std::move(out));
  }

  Result<vtl::Value> path_of(const JsonPath& path) {
    parse();
    if (doc_state_ == Doc::kNotJson && path.is_root()) return vtl::Value(body_);
    if (doc_state_ != Doc::kJson) return vtl::Value();
    auto matches = PC_TRY(path.select(doc_));
    if (path.definite())
      return matches.empty() ? vtl::Value() : vtl::Value::from_json(*matches.front());
    size_t total = 0;
    for (const json::value* m : matches) {
      total += count_nodes(*m, kMaxPathValues - total);
      if (total > kMaxPathValues) return too_big(path);
    }
    auto list = vtl::make_list();
    list->json = true;
    list->items.reserve(matches.size());
    for (const json::value* m : matches) list->items.push_back(vtl::Value::from_json(*m));
    return vtl::Value(std::move(list));
  }

  vtl::Value all_params() {
    if (!params_value_) {
      auto m = vtl::make_map();
      m->put("path", string_map(params_.path));
      m->put("querystring", string_map(params_.querystring));
      m->put("header", string_map(params_.header));
      params_value_ = vtl::Value(std::move(m));
    }
    return *params_value_;
  }

  vtl::Value param(const std::string& key) const {
    for (const auto& [k, v] : params_.path)
      if (k == key) return vtl::Value(v);
    for (const auto& [k, v] : params_.querystring)
      if (k == key) return vtl::Value(v);
    for (const auto& [k, v] : params_.header)
      if (iequals(k, key)) return vtl::Value(v);
    return vtl::Value();
  }

  std::string body_;
  Params params_;
  Doc doc_state_ = Doc::kUnparsed;
  json::value doc_;
  std::unordered_map<std::string, JsonPath> paths_;
  std::optional<JsonPath> scratch_;
  std::optional<vtl::Value> params_value_;
};

}  // namespace

std::string java_double(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == 0) return std::signbit(d) ? "-0.0" : "0.0";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, ec == std::errc() ? end - buf : 0);  // "-1.2345e+20"
  bool negative = !sci.empty() && sci[0] == '-';
  if (negative) sci.remove_prefix(1);
  size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e))
    if (c != '.') digits.push_back(c);
  int exp = 0;
  std::string_view es = sci.substr(e + 1);
  if (!es.empty() && es[0] == '+') es.remove_prefix(1);
  std::from_chars(es.data(), es.data() + es.size(), exp);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string out = negative ? "-" : "";
  double a = std::fabs(d);
  if (a >= 1e-3 && a < 1e7) {
    if (exp >= 0) {
      size_t int_len = static_cast<size_t>(exp) + 1;
      std::string padded = digits;
      if (padded.size() < int_len + 1) padded.append(int_len + 1 - padded.size(), '0');
      out += padded.substr(0, int_len) + "." + padded.substr(int_len);
      while (out.size() > 2 && out.back() == '0' && out[out.size() - 2] != '.') out.pop_back();
    } else {
      out += "0." + std::string(static_cast<size_t>(-exp - 1), '0') + digits;
    }
  } else {
    out += digits.substr(0, 1) + "." + (digits.size() > 1 ? digits.substr(1) : "0") + "E" +
           std::to_string(exp);
  }
  return out;
}

std::string json_text(const json::value& v) {
  std::string out;
  append_json(out, v);
  return out;
}

std::shared_ptr<vtl::Object> make_input(std::string body, Params params) {
  return std::make_shared<Input>(std::move(body), std::move(params));
}

}  // namespace portcullis::gateway::mapping
