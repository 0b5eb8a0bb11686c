#include "gateway/api/patch.h"

#include <charconv>
#include <cmath>

namespace portcullis::gateway::api {

namespace {

std::vector<std::string_view> split(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.starts_with('/')) path.remove_prefix(1);
  while (!path.empty() || !out.empty()) {
    size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

std::optional<PatchVerb> verb_of(std::string_view op) {
  if (op == "add") return kAdd;
  if (op == "remove") return kRemove;
  if (op == "replace") return kReplace;
  if (op == "move") return kMove;
  if (op == "copy") return kCopy;
  if (op == "test") return kTest;
  return std::nullopt;
}

// The first rule that takes the operation's verb and whose path matches, with the keys its
// "*"s matched.
const PatchRule* find_rule(std::span<const PatchRule> rules, const PatchOperation& op,
                           std::vector<std::string>& keys) {
  std::vector<std::string_view> got = split(op.path);
  for (const PatchRule& r : rules) {
    if (!(r.verbs & op.verb)) continue;
    std::vector<std::string_view> want = split(r.path);
    // A "**" takes what the other segments leave, at least one segment.
    size_t extra = 0;
    bool globstar = std::find(want.begin(), want.end(), "**") != want.end();
    if (globstar ? got.size() < want.size() : got.size() != want.size()) continue;
    if (globstar) extra = got.size() - want.size();
    keys.clear();
    bool ok = true;
    for (size_t i = 0, j = 0; i < want.size() && ok; ++i, ++j) {
      if (want[i] == "**") {
        std::string joined(got[j]);
        for (size_t k = 0; k < extra; ++k) joined += "/" + std::string(got[++j]);
        ok = !joined.empty();
        keys.push_back(std::move(joined));
      } else if (want[i] == "*") {
        if (got[j].empty()) ok = false;
        keys.push_back(unescape_key(got[j]));
      } else {
        ok = want[i] == got[j];
      }
    }
    if (ok) return &r;
  }
  return nullptr;
}

Error invalid_path(const PatchOperation& op, std::span<const PatchRule> rules) {
  std::string allowed;
  for (const PatchRule& r : rules) {
    if (!(r.verbs & op.verb)) continue;
    if (!allowed.empty()) allowed += ", ";
    allowed += r.path;
  }
  return Error{ErrorCode::kBadRequest, "Invalid patch path '" + op.path +
                                           "' specified for op '" + op.op +
                                           "'. Must be one of: [" + allowed + "]"};
}

Status missing_value(const PatchOperation& op) {
  return fail(ErrorCode::kBadRequest,
              "Invalid null or empty value in patch operation for path '" + op.path + "'");
}

}  // namespace

std::string unescape_key(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '~' && i + 1 < s.size() && (s[i + 1] == '1' || s[i + 1] == '0')) {
      out += s[i + 1] == '1' ? '/' : '~';
      ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string escape_key(std::string_view s) {
  std::string out;
  for (char ch : s) {
    if (ch == '~') out += "~0";
    else if (ch == '/') out += "~1";
    else out += ch;
  }
  return out;
}

json::value* member_at(json::object& doc, std::string_view path, bool create) {
  json::object* obj = &doc;
  std::vector<std::string_view> parts = split(path);
  for (size_t i = 0; i < parts.size(); ++i) {
    auto it = obj->find(parts[i]);
    if (it == obj->end()) {
      if (!create) return nullptr;
      it = obj->emplace(parts[i], i + 1 < parts.size() ? json::value(json::object())
                                                       : json::value()).first;
    }
    if (i + 1 == parts.size()) return &it->value();
    if (!it->value().is_object()) {
      if (!create) return nullptr;
      it->value() = json::object();
    }
    obj = &it->value().get_object();
  }
  return nullptr;
}

void erase_at(json::object& doc, std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) {
    doc.erase(path);
    return;
  }
  json::value* parent = member_at(doc, path.substr(0, slash), false);
  if (parent && parent->is_object()) parent->get_object().erase(path.substr(slash + 1));
}

Result<bool> patch_bool(const PatchOperation& op) {
  if (op.value == "true") return true;
  if (op.value == "false") return false;
  return fail(ErrorCode::kBadRequest, "Invalid boolean value '" + op.value.value_or("") +
                                          "' for path '" + op.path + "'");
}

Result<int64_t> patch_int(const PatchOperation& op) {
  const std::string& v = op.value.value_or("");
  int64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size())
    return fail(ErrorCode::kBadRequest,
                "Invalid integer value '" + v + "' for path '" + op.path + "'");
  return n;
}

Result<double> patch_number(const PatchOperation& op) {
  const std::string& v = op.value.value_or("");
  double d = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size() || !std::isfinite(d))
    return fail(ErrorCode::kBadRequest,
                "Invalid number value '" + v + "' for path '" + op.path + "'");
  return d;
}

Result<std::vector<PatchOperation>> patch_operations(const json::object& body) {
  std::vector<PatchOperation> out;
  auto it = body.find("patchOperations");
  if (it == body.end() || it->value().is_null()) return out;
  if (!it->value().is_array())
    return fail(ErrorCode::kBadRequest, "patchOperations must be a list");
  for (const json::value& v : it->value().get_array()) {
    if (!v.is_object()) return fail(ErrorCode::kBadRequest, "A patch operation must be an object");
    const json::object& o = v.get_object();
    PatchOperation op{};
    auto str = [&](std::string_view k) -> std::optional<std::string> {
      auto f = o.find(k);
      if (f == o.end() || !f->value().is_string()) return std::nullopt;
      return std::string(f->value().get_string());
    };
    op.op = str("op").value_or("");
    auto verb = verb_of(op.op);
    if (!verb)
      return fail(ErrorCode::kBadRequest,
                  "Invalid patch operation specified. Must be one of: [add, remove, replace, "
                  "move, copy, test]");
    op.verb = *verb;
    if (op.verb & (kMove | kCopy | kTest))
      return fail(ErrorCode::kBadRequest, "Invalid patch operation '" + op.op +
                                              "': Portcullis takes add, remove and replace");
    op.path = str("path").value_or("");
    if (op.path.empty() || op.path[0] != '/')
      return fail(ErrorCode::kBadRequest, "Invalid patch path '" + op.path + "'");
    if (auto* value = o.if_contains("value"); value && !value->is_null()) {
      if (!value->is_string())
        return fail(ErrorCode::kBadRequest, "Invalid patch value for path '" + op.path +
                                                "': a patch value is a string");
      op.value = std::string(value->get_string());
    }
    out.push_back(std::move(op));
  }
  return out;
}

Status apply_patch(json::object& doc, const std::vector<PatchOperation>& ops,
                   std::span<const PatchRule> rules) {
  std::vector<std::string> keys;
  for (const PatchOperation& op : ops) {
    const PatchRule* rule = find_rule(rules, op, keys);
    if (!rule) return std::unexpected(invalid_path(op, rules));
    std::string member(rule->member.empty() ? std::string_view(op.path).substr(1) : rule->member);
    bool removing = op.verb == kRemove;
    switch (rule->kind) {
      case PatchKind::kString:
        if (removing || !op.value) erase_at(doc, member);
        else *member_at(doc, member, true) = *op.value;
        break;
      case PatchKind::kBool:
        if (removing) erase_at(doc, member);
        else *member_at(doc, member, true) = PC_TRY(patch_bool(op));
        break;
      case PatchKind::kInt:
        if (removing) erase_at(doc, member);
        else *member_at(doc, member, true) = PC_TRY(patch_int(op));
        break;
      case PatchKind::kNumber:
        if (removing) erase_at(doc, member);
        else *member_at(doc, member, true) = PC_TRY(patch_number(op));
        break;
      case PatchKind::kMapString:
      case PatchKind::kMapBool: {
        const std::string& key = keys.back();
        json::value* map = member_at(doc, member, !removing);
        if (removing) {
          if (map && map->is_object()) map->get_object().erase(key);
          break;
        }
        if (!map->is_object()) *map = json::object();
        if (rule->kind == PatchKind::kMapBool) {
          map->get_object()[key] = PC_TRY(patch_bool(op));
        } else {
          if (!op.value) PC_CHECK(missing_value(op));
          map->get_object()[key] = *op.value;
        }
        break;
      }
      case PatchKind::kSet: {
        const std::string& key = keys.back();
        json::value* list = member_at(doc, member, !removing);
        if (!list) break;
        if (!list->is_array()) *list = json::array();
        json::array& a = list->get_array();
        auto found = std::find_if(a.begin(), a.end(), [&](const json::value& v) {
          return v.is_string() && v.get_string() == key;
        });
        if (op.verb == kReplace) {
          // The member named by the path becomes the value.
          if (!op.value || op.value->empty()) PC_CHECK(missing_value(op));
          if (found != a.end()) a.erase(found);
          if (std::none_of(a.begin(), a.end(), [&](const json::value& v) { return v == json::value(*op.value); }))
            a.emplace_back(*op.value);
        } else if (removing) {
          if (found != a.end()) a.erase(found);
          if (a.empty()) erase_at(doc, member);
        } else if (found == a.end()) {
          a.emplace_back(key);
        }
        break;
      }
      case PatchKind::kCustom:
        PC_CHECK(rule->apply(doc, op, keys));
        break;
    }
  }
  return {};
}

}  // namespace portcullis::gateway::api
