// The patchOperations of API Gateway's Update* calls: each entity names the paths it lets a
// caller change and how; one engine applies them to the stored document, all or nothing.
#pragma once

#include <boost/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace portcullis::gateway::api {

namespace json = boost::json;

enum PatchVerb : unsigned { kAdd = 1, kRemove = 2, kReplace = 4, kMove = 8, kCopy = 16, kTest = 32 };
inline constexpr unsigned kEntryOps = kAdd | kRemove | kReplace;

struct PatchOperation {
  PatchVerb verb;
  std::string op;  // as sent
  std::string path;
  std::optional<std::string> value;
};

enum class PatchKind {
  kString,     // replace sets the member (an absent value removes it), remove removes it
  kBool,       // "true" / "false"
  kInt,        // an integer
  kNumber,     // a number
  kMapString,  // the last path segment is a key of a map of strings
  kMapBool,    // … of a map of booleans
  kSet,        // the last path segment is a member of a list of strings
  kCustom,     // `apply` does it
};

struct PatchRule {
  // Segments of the path; "*" matches any one segment (a key: "~1" stands for '/', "~0" for
  // '~'); "**" matches one or more, kept as written.
  std::string_view path;
  unsigned verbs;
  PatchKind kind;
  // Where in the document, '/'-separated; empty means the path itself.
  std::string_view member = {};
  // For kCustom: `keys` are the segments the "*"s matched, unescaped.
  Status (*apply)(json::object& doc, const PatchOperation& op,
                  const std::vector<std::string>& keys) = nullptr;
};

// Parses the request's patchOperations.
Result<std::vector<PatchOperation>> patch_operations(const json::object& body);

// Applies every operation to `doc` (a copy the caller stores only on success).
Status apply_patch(json::object& doc, const std::vector<PatchOperation>& ops,
                   std::span<const PatchRule> rules);

// Helpers for custom rules.
Result<bool> patch_bool(const PatchOperation& op);
Result<int64_t> patch_int(const PatchOperation& op);
Result<double> patch_number(const PatchOperation& op);
std::string unescape_key(std::string_view segment);  // "~1" → '/', "~0" → '~'
std::string escape_key(std::string_view key);
// The member at a '/'-separated path, created (as objects) when `create`.
json::value* member_at(json::object& doc, std::string_view path, bool create);
void erase_at(json::object& doc, std::string_view path);

}  // namespace portcullis::gateway::api
