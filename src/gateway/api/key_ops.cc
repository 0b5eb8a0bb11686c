// API keys (create, get with includeValue, list, update, delete, import from CSV), usage
// plans with their API stages, throttles and quotas, the keys of a plan, and usage.
#include <algorithm>
#include <charconv>

#include "gateway/api/call.h"

namespace portcullis::gateway::api {

namespace {


Result<json::object> load_key(Call& c, std::string_view id) {
  return load_row(c, kApiKeys, id, "Invalid API Key identifier specified");
}
Result<json::object> load_plan(Call& c, std::string_view id) {
  return load_row(c, kUsagePlans, id, "Invalid Usage Plan ID specified");
}

json::object key_view(json::object key, bool include_value) {
  if (!include_value) key.erase("value");
  return key;
}

Status check_key_value(std::string_view value) {
  if (value.size() < 20 || value.size() > 128)
    return std::unexpected(bad_request("API Key value should be between 20 and 128 characters"));
  for (char ch : value)
    if (ch < 0x21 || ch > 0x7e)
      return std::unexpected(bad_request("API Key value contains invalid characters"));
  return {};
}

Status check_unique_value(Call& c, std::string_view value) {
  for (auto& [id, text] : PC_TRY(c.txn.scan(kApiKeys)))
    if (sv(parse_row(text), "value") == value)
      return std::unexpected(conflict("API Key already exists"));
  return {};
}

// "restApiId/stageName" must name an existing stage.
Status check_stage_key(Call& c, std::string_view stage_key) {
  size_t slash = stage_key.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == stage_key.size())
    return std::unexpected(bad_request("Invalid stage key specified: " + std::string(stage_key)));
  json::object doc = PC_TRY(load_api(c, stage_key.substr(0, slash)));
  PC_TRY(find_in(doc, "stages", stage_key.substr(slash + 1), "Invalid Stage identifier specified"));
  return {};
}

Result<json::object> new_key(Call& c, const json::object& body) {
  for (std::string_view k : {"name", "description", "value", "customerId"}) PC_TRY(opt_str(body, k));
  json::object key{{"id", ""}};
  std::string value(sv(body, "value"));
  if (value.empty()) value = new_id(40);
  PC_CHECK(check_key_value(value));
  PC_CHECK(check_unique_value(c, value));
  key["value"] = value;
  copy_members(key, body, {"name", "customerId", "description"});
  key["enabled"] = PC_TRY(opt_bool(body, "enabled")).value_or(false);
  key["createdDate"] = c.epoch();
  key["lastUpdatedDate"] = c.epoch();
  // Given as {restApiId, stageName}, kept and answered as "restApiId/stageName".
  json::array stage_keys;
  if (auto* sks = body.if_contains("stageKeys"); sks && !sks->is_null()) {
    if (!sks->is_array()) return std::unexpected(bad_request("stageKeys must be a list"));
    for (const json::value& v : sks->get_array()) {
      if (!v.is_object()) return std::unexpected(bad_request("Each stage key must be a structure"));
      std::string api(sv(v.get_object(), "restApiId")), stage(sv(v.get_object(), "stageName"));
      std::string stage_key = api + "/" + stage;
      PC_CHECK(check_stage_key(c, stage_key));
      stage_keys.emplace_back(stage_key);
    }
  }
  key["stageKeys"] = std::move(stage_keys);
  if (auto tags = PC_TRY(opt_tags(body)); tags && !tags->empty()) key["tags"] = *tags;
  key["id"] = PC_TRY(unused_id(c, kApiKeys, 10));
  return key;
}

Status create_api_key(Call& c) {
  json::object key = PC_TRY(new_key(c, c.body));
  PC_CHECK(c.txn.put(kApiKeys, sv(key, "id"), json::serialize(key)));
  c.out = std::move(key);
  return {};
}

Status get_api_key(Call& c) {
  json::object key = PC_TRY(load_key(c, c.label("api_Key")));
  c.out = key_view(std::move(key), c.query("includeValue") == "true");
  return {};
}

Status get_api_keys(Call& c) {
  bool values = c.query("includeValues") == "true";
  auto name = c.query("name");
  auto customer = c.query("customerId");
  std::vector<json::value> items;
  for (auto& [id, text] : PC_TRY(c.txn.scan(kApiKeys))) {
    json::object key = parse_row(text);
    if (name && !sv(key, "name").starts_with(*name)) continue;
    if (customer && sv(key, "customerId") != *customer) continue;
    items.push_back(key_view(std::move(key), values));
  }
  std::stable_sort(items.begin(), items.end(), [](const json::value& a, const json::value& b) {
    return num(obj(a), "createdDate") < num(obj(b), "createdDate");
  });
  return write_items(c, items);
}

Status update_stage_keys(json::object& key, const PatchOperation& op,
                         const std::vector<std::string>&) {
  if (!op.value || op.value->find('/') == std::string::npos)
    return std::unexpected(bad_request("Invalid stage key specified: " + op.value.value_or("")));
  json::array& a = ensure_array(key["stageKeys"]);
  erase_where(a, [&](const json::value& v) { return sv(v) == *op.value; });
  if (op.verb == kAdd) a.emplace_back(*op.value);
  return {};
}

Status update_api_key(Call& c) {
  static constexpr PatchRule kRules[] = {
      {"/name", kReplace, PatchKind::kString},
      {"/description", kReplace, PatchKind::kString},
      {"/customerId", kReplace, PatchKind::kString},
      {"/enabled", kReplace, PatchKind::kBool},
      {"/stages", kAdd | kRemove, PatchKind::kCustom, {}, update_stage_keys},
  };
  json::object key = PC_TRY(load_key(c, c.label("api_Key")));
  auto ops = PC_TRY(patch_operations(c.body));
  PC_CHECK(apply_patch(key, ops, kRules));
  for (const PatchOperation& op : ops)
    if (op.path == "/stages" && op.verb == kAdd) PC_CHECK(check_stage_key(c, *op.value));
  key["lastUpdatedDate"] = c.epoch();
  PC_CHECK(c.txn.put(kApiKeys, sv(key, "id"), json::serialize(key)));
  c.out = key_view(std::move(key), false);
  return {};
}

Status delete_api_key(Call& c) {
  const std::string& id = c.label("api_Key");
  PC_TRY(load_key(c, id));
  for (auto& [plan, _] : PC_TRY(c.txn.scan(kUsagePlans)))
    PC_CHECK(c.txn.erase(kPlanKeys, plan + "/" + id));
  return c.txn.erase(kApiKeys, id);
}

// RFC 4180 CSV: fields separated by commas, optionally in double quotes (a quote doubled
// inside), records by CRLF or LF; blank lines skipped.
Result<std::vector<std::vector<std::string>>> parse_csv(std::string_view text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, any = false;
  auto end_field = [&] {
    row.push_back(std::move(field));
    field.clear();
  };
  auto end_row = [&] {
    end_field();
    if (any) rows.push_back(std::move(row));
    row.clear();
    any = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (quoted) {
      if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"') field += '"', ++i;
      else if (ch == '"') quoted = false;
      else field += ch;
    } else if (ch == '"' && field.empty()) {
      quoted = any = true;
    } else if (ch == ',') {
      end_field();
      any = true;
    } else if (ch == '\n' || ch == '\r') {
      if (ch == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_row();
    } else {
      field += ch;
      any = true;
    }
  }
  if (quoted) return std::unexpected(bad_request("Invalid API key file: a quoted field is not closed"));
  end_row();
  return rows;
}

// CSV with a header naming the columns (any order, any case): name, key, description,
// enabled, usageplanIds.
Status import_api_keys(Call& c) {
  auto format = c.query("format");
  if (format != "csv")
    return std::unexpected(bad_request("Invalid format specified: only csv is supported"));
  bool fail_on_warnings = c.query("failonwarnings") == "true";
  std::vector<std::vector<std::string>> rows = PC_TRY(parse_csv(c.request.body));
  if (rows.empty()) return std::unexpected(bad_request("Invalid API key file: it is empty"));
  auto column = [&](std::string_view name) -> int {
    for (size_t i = 0; i < rows[0].size(); ++i) {
      std::string h;
      for (char ch : rows[0][i]) h += char(tolower(static_cast<unsigned char>(ch)));
      if (h == name) return int(i);
    }
    return -1;
  };
  int name_col = column("name"), key_col = column("key"), desc_col = column("description"),
      enabled_col = column("enabled"), plans_col = column("usageplanids");
  if (key_col < 0)
    return std::unexpected(bad_request("Invalid API key file: the header has no Key column"));
  json::array ids, warnings;
  for (size_t r = 1; r < rows.size(); ++r) {
    auto cell = [&](int col) { return col >= 0 && size_t(col) < rows[r].size() ? rows[r][col] : std::string(); };
    json::object body{{"value", cell(key_col)}};
    if (!cell(name_col).empty()) body["name"] = cell(name_col);
    if (!cell(desc_col).empty()) body["description"] = cell(desc_col);
    body["enabled"] = cell(enabled_col) == "true" || cell(enabled_col) == "TRUE";
    auto key = new_key(c, body);
    if (!key) {
      // A row the caller got wrong is a warning; anything else fails the import.
      bool callers = key.error().code == ErrorCode::kBadRequest ||
                     key.error().code == ErrorCode::kEntityAlreadyExists;
      if (fail_on_warnings || !callers) return std::unexpected(key.error());
      warnings.emplace_back("Line " + std::to_string(r + 1) + ": " + key.error().message);
      continue;
    }
    PC_CHECK(c.txn.put(kApiKeys, sv(*key, "id"), json::serialize(*key)));
    ids.emplace_back(sv(*key, "id"));
    std::string plans = cell(plans_col);
    for (size_t i = 0; i < plans.size();) {
      size_t sep = plans.find_first_of(":;", i);
      if (sep == std::string::npos) sep = plans.size();
      std::string plan = plans.substr(i, sep - i);
      i = sep + 1;
      if (plan.empty()) continue;
      PC_TRY(load_plan(c, plan));
      PC_CHECK(c.txn.put(kPlanKeys, plan + "/" + std::string(sv(*key, "id")), ""));
    }
  }
  c.out = json::object{{"ids", std::move(ids)}, {"warnings", std::move(warnings)}};
  return {};
}

// --- Usage plans ----------------------------------------------------------------------------

// A throttle: {"burstLimit": integer ≥ 0, "rateLimit": number ≥ 0}.
Status check_throttle(const json::value& t) {
  if (!t.is_object()) return std::unexpected(bad_request("A throttle must be a structure"));
  auto burst = PC_TRY(opt_int(t.get_object(), "burstLimit"));
  auto rate = PC_TRY(opt_number(t.get_object(), "rateLimit"));
  if ((burst && *burst < 0) || (rate && *rate < 0))
    return std::unexpected(bad_request("Throttle limits must be non-negative"));
  return {};
}

Status check_plan(Call& c, const json::object& plan, std::string_view input = {}) {
  if (sv(plan, "name").empty()) return std::unexpected(bad_request("Usage plan name must be non-empty"));
  if (auto* q = plan.if_contains("quota")) {
    if (!q->is_object()) return std::unexpected(bad_request("quota must be a structure"));
    const json::object& quota = q->get_object();
    PC_CHECK(check_enum(sv(quota, "period"), input.empty() ? "quota.period" : std::string(input) + ".quota.period",
                        {"DAY", "WEEK", "MONTH"}, !input.empty()));
    auto limit = PC_TRY(opt_int(quota, "limit"));
    if (!limit || *limit < 0) return std::unexpected(bad_request("Quota limit must be a non-negative integer"));
    auto offset = PC_TRY(opt_int(quota, "offset"));
    if (offset && *offset < 0) return std::unexpected(bad_request("Quota offset must be a non-negative integer"));
  }
  if (auto* t = plan.if_contains("throttle")) PC_CHECK(check_throttle(*t));
  if (auto* stages = plan.if_contains("apiStages")) {
    if (!stages->is_array()) return std::unexpected(bad_request("apiStages must be a list"));
    for (const json::value& s : stages->get_array()) {
      const json::object* st_ = s.if_object();
      auto is_str = [&](std::string_view k) {
        auto* v = st_->if_contains(k);
        return v && v->is_string();
      };
      if (!st_ || !is_str("apiId") || !is_str("stage"))
        return std::unexpected(bad_request("Each API stage must be a structure with apiId and stage"));
      const json::object& st = *st_;
      if (auto* t = st.if_contains("throttle")) {
        if (!t->is_object()) return std::unexpected(bad_request("An API stage's throttle must be a map"));
        for (const auto& kv : t->get_object()) PC_CHECK(check_throttle(kv.value()));
      }
      auto doc = load_api(c, sv(st, "apiId"));
      if (!doc || !section(*doc, "stages").contains(sv(st, "stage")))
        return std::unexpected(bad_request("Invalid API Stage {api: " + std::string(sv(st, "apiId")) +
                                           ", stage: " + std::string(sv(st, "stage")) +
                                           "} specified for usageplan " + std::string(sv(plan, "id"))));
    }
  }
  return {};
}

Status create_usage_plan(Call& c) {
  json::object plan{{"id", PC_TRY(unused_id(c, kUsagePlans, 6))},
                    {"name", PC_TRY(req_str(c.body, "name"))}};
  PC_TRY(opt_str(c.body, "description"));
  for (std::string_view k : {"throttle", "quota"})
    if (auto* v = c.body.if_contains(k); v && !v->is_object() && !v->is_null())
      return std::unexpected(bad_request(std::string(k) + " must be a structure"));
  if (auto* v = c.body.if_contains("apiStages"); v && !v->is_array() && !v->is_null())
    return std::unexpected(bad_request("apiStages must be a list"));
  copy_members(plan, c.body, {"description", "apiStages", "throttle", "quota"});
  if (!plan.contains("apiStages")) plan["apiStages"] = json::array();
  if (auto tags = PC_TRY(opt_tags(c.body)); tags && !tags->empty()) plan["tags"] = *tags;
  PC_CHECK(check_plan(c, plan, "createUsagePlanInput"));
  PC_CHECK(c.txn.put(kUsagePlans, sv(plan, "id"), json::serialize(plan)));
  c.out = std::move(plan);
  return {};
}

Status get_usage_plan(Call& c) {
  c.out = PC_TRY(load_plan(c, c.label("usageplanId")));
  return {};
}

Status get_usage_plans(Call& c) {
  auto key = c.query("keyId");
  std::vector<json::value> items;
  for (auto& [id, text] : PC_TRY(c.txn.scan(kUsagePlans))) {
    if (key && !PC_TRY(c.txn.get(kPlanKeys, id + "/" + *key))) continue;
    items.push_back(parse_row(text));
  }
  return write_items(c, items);
}

// A key may not reach one API stage through two plans: checks `key_id` in `plan` against
// the other plans that hold it.
Status check_key_stages(Call& c, const json::object& plan, std::string_view key_id) {
  std::string_view plan_id = sv(plan, "id");
  for (auto& [other_id, text] : PC_TRY(c.txn.scan(kUsagePlans))) {
    if (other_id == plan_id || !PC_TRY(c.txn.get(kPlanKeys, other_id + "/" + std::string(key_id))))
      continue;
    json::object other = parse_row(text);
    for (const json::value& a : arr(plan, "apiStages"))
      for (const json::value& b : arr(other, "apiStages"))
        if (sv(obj(a), "apiId") == sv(obj(b), "apiId") && sv(obj(a), "stage") == sv(obj(b), "stage"))
          return std::unexpected(conflict(
              "Usage Plan " + std::string(plan_id) + " cannot be added because API Key " +
              std::string(key_id) + " cannot reference multiple Usage Plans with the same API Stage"));
  }
  return {};
}

// "/apiStages" add or remove, value "{apiId}:{stage}".
Status update_api_stages(json::object& plan, const PatchOperation& op,
                         const std::vector<std::string>&) {
  std::string v = op.value.value_or("");
  size_t colon = v.find(':');
  if (colon == std::string::npos)
    return std::unexpected(bad_request("Invalid API stage specified: " + v));
  std::string api = v.substr(0, colon), stage = v.substr(colon + 1);
  json::array& a = ensure_array(plan["apiStages"]);
  auto same = [&](const json::value& s) {
    return sv(obj(s), "apiId") == api && sv(obj(s), "stage") == stage;
  };
  if (op.verb == kRemove) {
    if (std::none_of(a.begin(), a.end(), same))
      return std::unexpected(not_found("Invalid API stage specified: " + v));
    erase_where(a, same);
  } else if (std::none_of(a.begin(), a.end(), same)) {
    a.push_back(json::object{{"apiId", api}, {"stage", stage}});
  }
  return {};
}

// "/apiStages/{apiId}:{stage}/throttle/{~1path}/{METHOD}/{burstLimit|rateLimit}" replace, or
// ".../throttle/{~1path}/{METHOD}" remove.
Status update_stage_throttle(json::object& plan, const PatchOperation& op,
                             const std::vector<std::string>& keys) {
  json::array& a = ensure_array(plan["apiStages"]);
  json::object* stage = nullptr;
  for (json::value& s : a)
    if (s.is_object() &&
        std::string(sv(obj(s), "apiId")) + ":" + std::string(sv(obj(s), "stage")) == keys[0])
      stage = &s.get_object();
  if (!stage) return std::unexpected(not_found("Invalid API stage specified: " + keys[0]));
  std::string method = keys[1] + "/" + keys[2];
  json::object& throttle = section(*stage, "throttle");
  if (op.verb == kRemove) {
    throttle.erase(method);
    return {};
  }
  json::object& t = section(throttle, method);
  if (keys[3] == "burstLimit") t["burstLimit"] = PC_TRY(patch_int(op));
  else if (keys[3] == "rateLimit") t["rateLimit"] = PC_TRY(patch_number(op));
  else return std::unexpected(bad_request("Invalid patch path '" + op.path + "'"));
  return {};
}

Status update_usage_plan(Call& c) {
  static constexpr PatchRule kRules[] = {
      {"/name", kReplace, PatchKind::kString},
      {"/description", kReplace, PatchKind::kString},
      {"/productCode", kReplace, PatchKind::kString},
      {"/throttle/burstLimit", kReplace, PatchKind::kInt},
      {"/throttle/rateLimit", kReplace, PatchKind::kNumber},
      {"/throttle", kRemove, PatchKind::kString},
      {"/quota/limit", kReplace, PatchKind::kInt},
      {"/quota/offset", kReplace, PatchKind::kInt},
      {"/quota/period", kReplace, PatchKind::kString},
      {"/quota", kRemove, PatchKind::kString},
      {"/apiStages", kAdd | kRemove, PatchKind::kCustom, {}, update_api_stages},
      {"/apiStages/*/throttle/*/*", kRemove, PatchKind::kCustom, {}, update_stage_throttle},
      {"/apiStages/*/throttle/*/*/*", kReplace, PatchKind::kCustom, {}, update_stage_throttle},
  };
  json::object plan = PC_TRY(load_plan(c, c.label("usageplanId")));
  PC_CHECK(apply_patch(plan, PC_TRY(patch_operations(c.body)), kRules));
  PC_CHECK(check_plan(c, plan));
  for (auto& [k, _] : PC_TRY(c.txn.scan(kPlanKeys, std::string(sv(plan, "id")) + "/")))
    PC_CHECK(check_key_stages(c, plan, std::string_view(k).substr(sv(plan, "id").size() + 1)));
  PC_CHECK(c.txn.put(kUsagePlans, sv(plan, "id"), json::serialize(plan)));
  c.out = std::move(plan);
  return {};
}

Status delete_usage_plan(Call& c) {
  const std::string& id = c.label("usageplanId");
  PC_TRY(load_plan(c, id));
  for (auto& [k, _] : PC_TRY(c.txn.scan(kPlanKeys, id + "/"))) PC_CHECK(c.txn.erase(kPlanKeys, k));
  return c.txn.erase(kUsagePlans, id);
}

// --- Keys of a plan -------------------------------------------------------------------------

json::object plan_key_view(const json::object& key) {
  json::object out{{"id", sv(key, "id")}, {"type", "API_KEY"}, {"value", sv(key, "value")}};
  if (auto n = sv(key, "name"); !n.empty()) out["name"] = n;
  return out;
}

Status create_usage_plan_key(Call& c) {
  const std::string& plan_id = c.label("usageplanId");
  json::object plan = PC_TRY(load_plan(c, plan_id));
  std::string key_id = PC_TRY(req_str(c.body, "keyId"));
  PC_CHECK(check_enum(PC_TRY(req_str(c.body, "keyType")), "keyType", {"API_KEY"}));
  json::object key = PC_TRY(load_key(c, key_id));
  if (PC_TRY(c.txn.get(kPlanKeys, plan_id + "/" + key_id)))
    return std::unexpected(conflict("Usage plan key already exists"));
  PC_CHECK(check_key_stages(c, plan, key_id));
  PC_CHECK(c.txn.put(kPlanKeys, plan_id + "/" + key_id, ""));
  c.out = plan_key_view(key);
  return {};
}

Status get_usage_plan_key(Call& c) {
  const std::string& plan_id = c.label("usageplanId");
  PC_TRY(load_plan(c, plan_id));
  if (!PC_TRY(c.txn.get(kPlanKeys, plan_id + "/" + c.label("keyId"))))
    return std::unexpected(not_found("Invalid Usage Plan Key identifier specified"));
  c.out = plan_key_view(PC_TRY(load_key(c, c.label("keyId"))));
  return {};
}

Status get_usage_plan_keys(Call& c) {
  const std::string& plan_id = c.label("usageplanId");
  PC_TRY(load_plan(c, plan_id));
  auto name = c.query("name");
  std::vector<json::value> items;
  for (auto& [k, _] : PC_TRY(c.txn.scan(kPlanKeys, plan_id + "/"))) {
    auto key = load_key(c, std::string_view(k).substr(plan_id.size() + 1));
    if (!key) continue;
    if (name && !sv(*key, "name").starts_with(*name)) continue;
    items.push_back(plan_key_view(*key));
  }
  return write_items(c, items);
}

Status delete_usage_plan_key(Call& c) {
  const std::string& plan_id = c.label("usageplanId");
  PC_TRY(load_plan(c, plan_id));
  std::string k = plan_id + "/" + c.label("keyId");
  if (!PC_TRY(c.txn.get(kPlanKeys, k)))
    return std::unexpected(not_found("Invalid Usage Plan Key identifier specified"));
  return c.txn.erase(kPlanKeys, k);
}

// --- Usage ----------------------------------------------------------------------------------

std::optional<std::chrono::sys_days> parse_day(std::string_view s) {
  // YYYY-MM-DD
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  int y = 0;
  unsigned m = 0, d = 0;
  auto num = [&](size_t pos, size_t len, auto& out) {
    auto [end, ec] = std::from_chars(s.data() + pos, s.data() + pos + len, out);
    return ec == std::errc() && end == s.data() + pos + len;
  };
  if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, d)) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days(ymd);
}

std::string format_day(std::chrono::sys_days d) {
  std::chrono::year_month_day ymd(d);
  char buf[16];
  snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(ymd.year()), unsigned(ymd.month()),
           unsigned(ymd.day()));
  return buf;
}

// Requests counted per key and day; the invoke path counts them.
Status get_usage(Call& c) {
  const std::string& plan_id = c.label("usageplanId");
  json::object plan = PC_TRY(load_plan(c, plan_id));
  auto start = parse_day(c.query("startDate").value_or(""));
  auto end = parse_day(c.query("endDate").value_or(""));
  if (!start || !end)
    return std::unexpected(bad_request("Invalid date: startDate and endDate are required, as YYYY-MM-DD"));
  if (*end < *start) return std::unexpected(bad_request("The end date must not be before the start date"));
  if ((*end - *start).count() > 90)
    return std::unexpected(bad_request("The usage period must not exceed 90 days"));
  int64_t limit = -1;
  if (obj(plan, "quota").contains("limit")) limit = num(obj(plan, "quota"), "limit");
  auto only = c.query("keyId");
  json::object items;
  for (auto& [k, _] : PC_TRY(c.txn.scan(kPlanKeys, plan_id + "/"))) {
    std::string key_id = k.substr(plan_id.size() + 1);
    if (only && *only != key_id) continue;
    json::array days;
    for (auto d = *start; d <= *end; d += std::chrono::days(1)) {
      auto count = PC_TRY(c.txn.get(kUsage, plan_id + "/" + key_id + "/" + format_day(d)));
      int64_t used = 0;
      if (count) std::from_chars(count->data(), count->data() + count->size(), used);
      days.push_back(json::array{used, limit < 0 ? 0 : std::max<int64_t>(0, limit - used)});
    }
    items[key_id] = std::move(days);
  }
  c.out = json::object{{"usagePlanId", plan_id},
                       {"startDate", format_day(*start)},
                       {"endDate", format_day(*end)},
                       {"values", std::move(items)}};
  return {};
}

constexpr Op kOps[] = {
    {"CreateApiKey", create_api_key},
    {"GetApiKey", get_api_key},
    {"GetApiKeys", get_api_keys},
    {"UpdateApiKey", update_api_key},
    {"DeleteApiKey", delete_api_key},
    {"ImportApiKeys", import_api_keys, Body::kRaw},
    {"CreateUsagePlan", create_usage_plan},
    {"GetUsagePlan", get_usage_plan},
    {"GetUsagePlans", get_usage_plans},
    {"UpdateUsagePlan", update_usage_plan},
    {"DeleteUsagePlan", delete_usage_plan},
    {"CreateUsagePlanKey", create_usage_plan_key},
    {"GetUsagePlanKey", get_usage_plan_key},
    {"GetUsagePlanKeys", get_usage_plan_keys},
    {"DeleteUsagePlanKey", delete_usage_plan_key},
    {"GetUsage", get_usage},
};

}  // namespace

std::span<const Op> key_ops() { return kOps; }

}  // namespace portcullis::gateway::api
