#include "gateway/api/call.h"

#include <algorithm>
#include <charconv>

#include "core/crypto.h"
#include "core/encoding.h"

namespace portcullis::gateway::api {

const std::string& Call::label(std::string_view name) const {
  static const std::string none;
  for (const auto& [k, v] : match.labels)
    if (k == name) return v;
  return none;
}

std::optional<std::string> Call::query(std::string_view name) const {
  std::optional<std::string> out;
  for_each_param(request.query(), [&](std::string_view k, std::string_view v) {
    if (!out && percent_decode(k, true) == name) out = percent_decode(v, true);
  });
  return out;
}

std::vector<std::string> Call::query_all(std::string_view name) const {
  std::vector<std::string> out;
  for_each_param(request.query(), [&](std::string_view k, std::string_view v) {
    if (percent_decode(k, true) == name) out.push_back(percent_decode(v, true));
  });
  return out;
}

int64_t Call::epoch() const {
  return std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
}

Error bad_request(std::string message) { return Error{ErrorCode::kBadRequest, std::move(message)}; }
Error not_found(std::string message) { return Error{ErrorCode::kNotFound, std::move(message)}; }
Error conflict(std::string message) {
  return Error{ErrorCode::kEntityAlreadyExists, std::move(message)};
}

namespace {

Error wrong_type(std::string_view key, std::string_view type) {
  return bad_request("Could not parse request body into json: the member '" + std::string(key) +
                     "' must be " + std::string(type));
}

const json::value* find(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it == o.end() || it->value().is_null() ? nullptr : &it->value();
}

}  // namespace

Result<std::optional<std::string>> opt_str(const json::object& o, std::string_view key) {
  const json::value* v = find(o, key);
  if (!v) return std::nullopt;
  if (!v->is_string()) return std::unexpected(wrong_type(key, "a string"));
  return std::string(v->get_string());
}

Result<std::string> req_str(const json::object& o, std::string_view key) {
  auto v = PC_TRY(opt_str(o, key));
  if (!v)
    return std::unexpected(bad_request("1 validation error detected: Value null at '" +
                                       std::string(key) +
                                       "' failed to satisfy constraint: Member must not be null"));
  return *v;
}

Result<std::optional<bool>> opt_bool(const json::object& o, std::string_view key) {
  const json::value* v = find(o, key);
  if (!v) return std::nullopt;
  if (!v->is_bool()) return std::unexpected(wrong_type(key, "a boolean"));
  return v->get_bool();
}

Result<std::optional<int64_t>> opt_int(const json::object& o, std::string_view key) {
  const json::value* v = find(o, key);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= INT64_MAX) return int64_t(v->get_uint64());
  return std::unexpected(wrong_type(key, "an integer"));
}

Result<std::optional<double>> opt_number(const json::object& o, std::string_view key) {
  const json::value* v = find(o, key);
  if (!v) return std::nullopt;
  if (!v->is_number()) return std::unexpected(wrong_type(key, "a number"));
  return v->to_number<double>();
}

Result<std::optional<json::object>> opt_map(const json::object& o, std::string_view key,
                                            bool bools) {
  const json::value* v = find(o, key);
  if (!v) return std::nullopt;
  if (!v->is_object()) return std::unexpected(wrong_type(key, "a map"));
  for (const auto& kv : v->get_object())
    if (bools ? !kv.value().is_bool() : !kv.value().is_string())
      return std::unexpected(
          wrong_type(std::string(key) + "." + std::string(kv.key()), bools ? "a boolean" : "a string"));
  return v->get_object();
}

Result<std::optional<json::array>> opt_list(const json::object& o, std::string_view key) {
  const json::value* v = find(o, key);
  if (!v) return std::nullopt;
  if (!v->is_array()) return std::unexpected(wrong_type(key, "a list"));
  for (const json::value& e : v->get_array())
    if (!e.is_string()) return std::unexpected(wrong_type(key, "a list of strings"));
  return v->get_array();
}

Result<std::optional<json::object>> opt_tls_config(const json::object& o, std::string_view key) {
  const json::value* v = find(o, key);
  if (!v) return std::nullopt;
  if (!v->is_object()) return std::unexpected(wrong_type(key, "a structure"));
  json::object out;
  if (auto skip = PC_TRY(opt_bool(v->get_object(), "insecureSkipVerification")))
    out["insecureSkipVerification"] = *skip;
  return out;
}

Result<std::optional<json::object>> opt_tags(const json::object& body, std::string_view key) {
  auto tags = PC_TRY(opt_map(body, key));
  if (!tags) return tags;
  if (tags->size() > 50)
    return std::unexpected(bad_request("Too many tags: at most 50 are allowed"));
  for (const auto& kv : *tags) {
    std::string_view k = kv.key(), v = sv(kv.value());  // opt_map checked: strings
    if (k.empty() || k.size() > 128)
      return std::unexpected(bad_request("Tag keys must be between 1 and 128 characters long"));
    if (v.size() > 256)
      return std::unexpected(bad_request("Tag values must be at most 256 characters long"));
    if (k.starts_with("aws:"))
      return std::unexpected(bad_request("Tag keys starting with 'aws:' are reserved: " +
                                         std::string(k)));
  }
  return tags;
}

Status check_enum(std::string_view value, std::string_view member,
                  std::initializer_list<std::string_view> allowed, bool validation) {
  for (std::string_view a : allowed)
    if (a == value) return {};
  std::string set;
  for (std::string_view a : allowed) {
    if (!set.empty()) set += ", ";
    set += a;
  }
  return fail(validation ? ErrorCode::kValidationException : ErrorCode::kBadRequest,
              "1 validation error detected: Value '" + std::string(value) + "' at '" +
                  std::string(member) +
                  "' failed to satisfy constraint: Member must satisfy enum value set: [" + set +
                  "]");
}

void copy_members(json::object& to, const json::object& from,
                  std::initializer_list<std::string_view> keys) {
  for (std::string_view k : keys)
    if (const json::value* v = find(from, k)) to[k] = *v;
}

std::string new_id(size_t length) {
  return crypto::random_string(length, "abcdefghijklmnopqrstuvwxyz0123456789");
}

Result<std::string> unused_id(Call& c, std::string_view table, size_t length,
                              std::string_view prefix) {
  std::string id;
  do id = new_id(length);
  while (PC_TRY(c.txn.get(table, std::string(prefix) + id)));
  return id;
}

std::string unused_key(const json::object& section, size_t length) {
  std::string id;
  do id = new_id(length);
  while (section.contains(id));
  return id;
}

Status add_part(Call& c, json::object& doc, std::string_view section_name, const json::object& part) {
  json::object& s = section(doc, section_name);
  json::object stored{{"id", unused_key(s)}};
  for (const auto& kv : part) stored[kv.key()] = kv.value();
  s[sv(stored, "id")] = stored;
  PC_CHECK(save_api(c, doc));
  c.out = std::move(stored);
  return {};
}

bool is_http_method(std::string_view verb) {
  for (std::string_view m : {"GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "ANY"})
    if (verb == m) return true;
  return false;
}

Status write_items(Call& c, const std::vector<json::value>& items) {
  size_t limit = 25, start = 0;
  if (auto l = c.query("limit")) {
    int64_t n = 0;
    auto [end, ec] = std::from_chars(l->data(), l->data() + l->size(), n);
    if (ec != std::errc() || end != l->data() + l->size() || n < 1 || n > 500)
      return std::unexpected(bad_request("Invalid limit: must be between 1 and 500"));
    limit = size_t(n);
  }
  if (auto p = c.query("position")) {
    auto decoded = base64_decode(*p);
    size_t n = 0;
    if (!decoded || std::from_chars(decoded->data(), decoded->data() + decoded->size(), n).ec !=
                        std::errc())
      return std::unexpected(bad_request("Invalid position: " + *p));
    start = n;
  }
  json::array page;
  for (size_t i = start; i < items.size() && page.size() < limit; ++i) page.push_back(items[i]);
  json::object out;
  if (start + page.size() < items.size())
    out["position"] = base64_encode(std::to_string(start + page.size()));
  out["item"] = std::move(page);
  c.out = std::move(out);
  return {};
}

Result<json::object> load_row(Call& c, std::string_view table, std::string_view key,
                              std::string_view message) {
  auto text = PC_TRY(c.txn.get(table, key));
  if (!text) return std::unexpected(not_found(std::string(message)));
  return parse_row(*text);
}

Result<json::object> load_api(Call& c, std::string_view id) {
  return load_row(c, kApis, id, "Invalid API identifier specified " + c.account() + ":" + std::string(id));
}

Result<json::object> load_api(Call& c) { return load_api(c, c.label("restapi_id")); }

std::string regional_table(std::string_view table, std::string_view region) {
  std::string out;
  out.reserve(table.size() + 1 + region.size());
  out += table;
  out += '@';
  out += region;
  return out;
}

Status save_api(Call& c, const json::object& doc) {
  return c.txn.put(kApis, sv(obj(doc, "api"), "id"), json::serialize(doc));
}

json::object& section(json::object& doc, std::string_view name) {
  return ensure_object(doc[name]);
}

Result<json::object*> find_in(json::object& doc, std::string_view section_name,
                              std::string_view key, std::string message) {
  json::object& s = section(doc, section_name);
  auto it = s.find(key);
  if (it == s.end() || !it->value().is_object()) return std::unexpected(not_found(std::move(message)));
  return &it->value().get_object();
}

json::value parse_json(std::string_view text) {
  json::parse_options opt;
  opt.max_depth = 200;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec, {}, opt);
  return ec ? json::value() : v;
}

bool only_chars(std::string_view s, std::string_view extra) {
  return std::all_of(s.begin(), s.end(), [&](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           extra.find(ch) != std::string_view::npos;
  });
}

json::object parse_row(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  return !ec && v.is_object() ? std::move(v.get_object()) : json::object();
}

}  // namespace portcullis::gateway::api
