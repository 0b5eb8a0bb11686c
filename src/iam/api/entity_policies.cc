// The permission policies of a user, group, role or managed policy, found by ARN, as the
// documents they are kept as.
#include "iam/api/entity_policies.h"

namespace portcullis::iam::api {

std::string_view owner_type(ArnTarget::Type t) {
  return t == ArnTarget::Type::kUser ? "USER" : t == ArnTarget::Type::kGroup ? "GROUP" : "ROLE";
}

Result<std::optional<std::string>> managed_document(Call& c, std::string_view arn) {
  if (arn.starts_with(kAwsPolicyArnPrefix)) {
    for (const AwsManagedPolicy& p : aws_managed_policies())
      if (arn.substr(kAwsPolicyArnPrefix.size()) == p.name)
        return std::optional<std::string>(std::string(p.document));
    return std::optional<std::string>();
  }
  auto doc = PC_TRY(load(c.txn, kPolicies, lower(arn.substr(arn.rfind('/') + 1))));
  if (!doc || str(*doc, "Arn") != arn) return std::optional<std::string>();
  auto versions = doc->find("Versions");
  if (versions == doc->end() || !versions->value().is_array()) return std::optional<std::string>();
  for (const json::value& v : versions->value().get_array()) {
    const json::object* version = v.if_object();
    if (version && str(*version, "VersionId") == str(*doc, "DefaultVersionId"))
      return std::optional<std::string>(std::string(str(*version, "Document")));
  }
  return std::optional<std::string>();
}

Result<ArnTarget> resolve_arn(Call& c, std::string_view arn, bool allow_policy) {
  const std::string prefix = "arn:aws:iam::" + c.account() + ":";
  const std::string aws_prefix(kAwsPolicyArnPrefix);
  auto invalid = [&] {
    return fail(ErrorCode::kInvalidInput, "ARN " + std::string(arn) + " is not valid.");
  };
  std::string_view resource;
  if (arn.starts_with(prefix))
    resource = arn.substr(prefix.size());
  else if (allow_policy && arn.starts_with(aws_prefix))
    resource = arn.substr(std::string_view("arn:aws:iam::aws:").size());
  else
    return invalid();
  const size_t slash = resource.find('/');
  if (slash == std::string_view::npos || slash + 1 >= resource.size()) return invalid();
  const std::string_view type = resource.substr(0, slash);
  const std::string name(resource.substr(resource.rfind('/') + 1));
  ArnTarget t{ArnTarget::Type::kUser, name, {}};
  if (type == "policy" && allow_policy) {
    t.type = ArnTarget::Type::kPolicy;
    auto document = PC_TRY(managed_document(c, arn));
    if (!document)
      return fail(ErrorCode::kNoSuchEntity,
                  "Policy " + std::string(arn) + " does not exist or is not attachable.");
    t.doc = json::object{{"Arn", arn}, {"PolicyName", name}, {"Document", *document}};
    return t;
  }
  K k;
  if (type == "user") {
    k = K::kUser;
  } else if (type == "group") {
    k = K::kGroup;
    t.type = ArnTarget::Type::kGroup;
  } else if (type == "role") {
    k = K::kRole;
    t.type = ArnTarget::Type::kRole;
  } else {
    return invalid();
  }
  auto doc = PC_TRY(load(c.txn, kind_info(k).table, lower(name)));
  if (!doc || str(*doc, "Arn") != arn) return std::unexpected(no_such(k, name));
  t.doc = std::move(*doc);
  return t;
}

namespace {

Status add_entity_policies(Call& c, const json::object& doc, std::string_view type,
                           std::string_view owner, std::vector<SourcePolicy>& out) {
  if (auto it = doc.find("InlinePolicies"); it != doc.end() && it->value().is_object()) {
    for (const auto& [name, text] : it->value().get_object()) {
      const json::string* s = text.if_string();
      if (!s) continue;
      out.push_back(
          {std::string(name), false, "", std::string(type), std::string(owner), std::string(*s)});
    }
  }
  if (auto it = doc.find("AttachedPolicies"); it != doc.end() && it->value().is_array()) {
    for (const json::value& a : it->value().get_array()) {
      const json::string* arn = a.if_string();
      if (!arn) continue;
      auto document = PC_TRY(managed_document(c, *arn));
      if (!document) continue;
      std::string_view name = *arn;
      out.push_back({std::string(name.substr(name.rfind('/') + 1)), true, std::string(*arn), "", "",
                     std::move(*document)});
    }
  }
  return {};
}

}  // namespace

Result<std::vector<SourcePolicy>> policies_of(Call& c, const ArnTarget& t) {
  std::vector<SourcePolicy> out;
  if (t.type == ArnTarget::Type::kPolicy) {
    out.push_back({t.name, true, std::string(str(t.doc, "Arn")), "", "",
                   std::string(str(t.doc, "Document"))});
    return out;
  }
  PC_CHECK(add_entity_policies(c, t.doc, owner_type(t.type), t.name, out));
  if (t.type != ArnTarget::Type::kUser) return out;
  auto groups = t.doc.find("Groups");
  if (groups == t.doc.end() || !groups->value().is_array()) return out;
  for (const json::value& g : groups->value().get_array()) {
    const json::string* name = g.if_string();
    if (!name) continue;
    auto group = PC_TRY(load(c.txn, kGroups, lower(*name)));
    if (group) PC_CHECK(add_entity_policies(c, *group, "GROUP", *name, out));
  }
  return out;
}

}  // namespace portcullis::iam::api
