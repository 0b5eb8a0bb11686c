// Users, groups and roles: one implementation per operation for the three kinds where AWS's
// operations are the same (Put{User,Group,Role}Policy, …), and the kind-specific ones.
#include <algorithm>

#include "iam/api/call.h"

namespace portcullis::iam::api {

namespace {

using K = EntityKind;

std::string name_param(K k) { return std::string(kind_info(k).Noun) + "Name"; }
const Constraint& name_constraint(K k) {
  return k == K::kUser ? kUserName : k == K::kGroup ? kGroupName : kRoleName;
}

Error no_such(K k, std::string_view name) {
  return Error{ErrorCode::kNoSuchEntity, "The " + std::string(kind_info(k).noun) + " with name " +
                                             std::string(name) + " cannot be found."};
}

// The entity named by the call, loaded (it may not exist) and its ARN for authorization.
struct Target {
  std::string name;
  std::optional<json::object> doc;
  std::string arn;
};

Result<Target> target(Call& c, K k, std::string_view name) {
  Target t;
  t.name = name;
  auto doc = load(c.txn, kind_info(k).table, lower(name));
  if (!doc) return std::unexpected(doc.error());
  t.doc = std::move(*doc);
  t.arn = t.doc ? std::string(str(*t.doc, "Arn"))
                : entity_arn(c.account(), kind_info(k).noun, "/", name);
  if (t.doc) add_resource_tags(c.context, *t.doc);
  return t;
}

// Reads the name parameter, authorizes on the entity and requires that it exists.
Result<Target> existing(Call& c, K k, std::string_view param = {}) {
  auto name = required(c.params, param.empty() ? name_param(k) : param, name_constraint(k));
  if (!name) return std::unexpected(name.error());
  auto t = target(c, k, *name);
  if (!t) return t;
  if (auto st = c.authorize(t->arn); !st) return std::unexpected(st.error());
  if (!t->doc) return std::unexpected(no_such(k, *name));
  return t;
}

Status store_entity(Call& c, K k, const json::object& doc) {
  return save(c.txn, kind_info(k).table, lower(str(doc, name_param(k))), doc);
}

// The fields AWS returns for each kind, in its order.
void write_entity(protocol::XmlWriter& out, K k, const json::object& doc) {
  switch (k) {
    case K::kUser:
      write_fields(
          out, doc,
          {"Path", "UserName", "UserId", "Arn", "CreateDate", "PermissionsBoundary", "Tags"});
      break;
    case K::kGroup:
      write_fields(out, doc, {"Path", "GroupName", "GroupId", "Arn", "CreateDate"});
      break;
    case K::kRole: {
      write_fields(out, doc, {"Path", "RoleName", "RoleId", "Arn", "CreateDate"});
      out.element("AssumeRolePolicyDocument",
                  url_encode_policy(str(doc, "AssumeRolePolicyDocument")));
      write_fields(
          out, doc,
          {"Description", "MaxSessionDuration", "PermissionsBoundary", "Tags", "RoleLastUsed"});
      break;
    }
  }
}

// A managed policy by ARN (AWS or customer managed), if it exists.
Result<bool> policy_exists(Call& c, std::string_view arn) {
  if (arn.starts_with(kAwsPolicyArnPrefix)) {
    for (const AwsManagedPolicy& p : aws_managed_policies())
      if (arn.substr(kAwsPolicyArnPrefix.size()) == p.name) return true;
    return false;
  }
  auto doc = load(c.txn, kPolicies, lower(arn.substr(arn.rfind('/') + 1)));
  if (!doc) return std::unexpected(doc.error());
  return *doc && str(**doc, "Arn") == arn;
}

Result<json::object> boundary_param(Call& c) {
  auto arn = required(c.params, "PermissionsBoundary", kArn);
  if (!arn) return std::unexpected(arn.error());
  auto exists = policy_exists(c, *arn);
  if (!exists) return std::unexpected(exists.error());
  if (!*exists)
    return fail(ErrorCode::kNoSuchEntity,
                "Scope ARN: " + *arn + " does not exist or is not attachable.");
  return json::object{{"PermissionsBoundaryType", "PermissionsBoundaryPolicy"},
                      {"PermissionsBoundaryArn", *arn}};
}

json::array& array_member(json::object& doc, std::string_view key) {
  json::value& v = doc[key];
  if (!v.is_array()) v.emplace_array();
  return v.as_array();
}

json::object& object_member(json::object& doc, std::string_view key) {
  json::value& v = doc[key];
  if (!v.is_object()) v.emplace_object();
  return v.as_object();
}

std::vector<json::object> rows_of(store::Transaction& txn, std::string_view table,
                                  Result<std::vector<store::Row>>& rows) {
  rows = txn.scan(table);
  std::vector<json::object> out;
  if (!rows) return out;
  for (const auto& [k, v] : *rows) {
    boost::system::error_code ec;
    json::value doc = json::parse(v, ec);
    if (!ec && doc.is_object()) out.push_back(std::move(doc.get_object()));
  }
  return out;
}

// --- Create, get, list, update, delete -----------------------------------------------------

template <K k>
Status create(Call& c) {
  const KindInfo& info = kind_info(k);
  auto name = required(c.params, name_param(k), name_constraint(k));
  if (!name) return std::unexpected(name.error());
  auto path = optional(c.params, "Path", kPath);
  if (!path) return std::unexpected(path.error());
  std::string p = path->value_or("/");
  json::object doc;
  doc["Path"] = p;
  doc[name_param(k)] = *name;
  doc[std::string(info.Noun) + "Id"] = new_id(info.id_prefix);
  doc["Arn"] = entity_arn(c.account(), info.noun, p, *name);
  doc["CreateDate"] = iso_now(c);
  Tags tags;
  if constexpr (k != K::kGroup) {
    auto t = tags_param(c.params);
    if (!t) return std::unexpected(t.error());
    tags = std::move(*t);
  }
  if constexpr (k == K::kRole) {
    auto trust = required(c.params, "AssumeRolePolicyDocument", kPolicyDocument);
    if (!trust) return std::unexpected(trust.error());
    if (auto st = check_policy_document(*trust, PolicyKind::kTrust); !st) return st;
    doc["AssumeRolePolicyDocument"] = *trust;
    auto description = optional(c.params, "Description", kDescription);
    if (!description) return std::unexpected(description.error());
    if (*description) doc["Description"] = **description;
    auto max = optional_int(c.params, "MaxSessionDuration", 3600, 43200);
    if (!max) return std::unexpected(max.error());
    doc["MaxSessionDuration"] = max->value_or(3600);
  }
  if (!tags.empty()) add_request_tags(c.context, tags);
  if (auto b = c.params.get("PermissionsBoundary"))
    c.context.set("iam:PermissionsBoundary", std::string(*b));
  if (auto st = c.authorize(str(doc, "Arn")); !st) return st;
  // Tagging on creation needs the permission to tag, as on AWS.
  if (!tags.empty())
    if (auto st = c.authorize_also("iam:Tag" + std::string(info.Noun), str(doc, "Arn")); !st)
      return st;
  if constexpr (k != K::kGroup) {
    if (c.params.get("PermissionsBoundary")) {
      auto b = boundary_param(c);
      if (!b) return std::unexpected(b.error());
      doc["PermissionsBoundary"] = std::move(*b);
    }
    if (!tags.empty()) doc["Tags"] = tags_json(tags);
  }
  auto existing_doc = load(c.txn, info.table, lower(*name));
  if (!existing_doc) return std::unexpected(existing_doc.error());
  if (*existing_doc)
    return fail(ErrorCode::kEntityAlreadyExists,
                std::string(info.Noun) + " with name " + *name + " already exists.");
  if (auto st = store_entity(c, k, doc); !st) return st;
  c.out.open(info.Noun);
  write_entity(c.out, k, doc);
  c.out.close();
  return {};
}

template <K k>
Status get(Call& c) {
  const KindInfo& info = kind_info(k);
  std::string name;
  if (auto given = c.params.get(name_param(k))) {
    name = *given;
  } else if (k == K::kUser && c.caller.principal->type == PrincipalType::kUser) {
    name = c.caller.principal->name;  // GetUser without a name: the caller
  } else if (k == K::kUser) {
    return fail(ErrorCode::kValidationError,
                "Must specify userName when calling with non-User credentials");
  }
  if (auto st = check(name, name_constraint(k), member_name(name_param(k))); !st) return st;
  auto t = target(c, k, name);
  if (!t) return std::unexpected(t.error());
  if (auto st = c.authorize(t->arn); !st) return st;
  if (!t->doc) return std::unexpected(no_such(k, name));
  if constexpr (k == K::kGroup) {
    auto page = page_param(c.params);
    if (!page) return std::unexpected(page.error());
    c.out.open("Group");
    write_entity(c.out, k, *t->doc);
    c.out.close();
    Result<std::vector<store::Row>> rows;
    std::vector<json::object> members;
    for (json::object& u : rows_of(c.txn, kUsers, rows)) {
      auto it = u.find("Groups");
      if (it == u.end()) continue;
      for (const json::value& g : it->value().as_array())
        if (lower(g.as_string()) == lower(name)) members.push_back(u);
    }
    if (!rows) return std::unexpected(rows.error());
    write_page(
        c.out, "Users", *page, members,
        [](const json::object& u) { return lower(str(u, "UserName")); },
        [&](const json::object& u) { write_entity(c.out, K::kUser, u); });
    return {};
  }
  c.out.open(info.Noun);
  write_entity(c.out, k, *t->doc);
  c.out.close();
  return {};
}

template <K k>
Status list(Call& c) {
  const KindInfo& info = kind_info(k);
  auto prefix = optional(c.params, "PathPrefix", kPathPrefix);
  if (!prefix) return std::unexpected(prefix.error());
  auto page = page_param(c.params);
  if (!page) return std::unexpected(page.error());
  // AWS authorizes List operations on the kind's ARN with the path prefix: …:user/
  if (auto st = c.authorize(entity_arn(c.account(), info.noun, prefix->value_or("/"), "")); !st)
    return st;
  Result<std::vector<store::Row>> rows;
  std::vector<json::object> items;
  for (json::object& d : rows_of(c.txn, info.table, rows))
    if (!*prefix || str(d, "Path").starts_with(**prefix)) items.push_back(std::move(d));
  if (!rows) return std::unexpected(rows.error());
  write_page(
      c.out, std::string(info.Noun) + "s", *page, items,
      [](const json::object& d) { return lower(str(d, name_param(k))); },
      [&](const json::object& d) {
        // Lists leave out tags and boundaries, as AWS does.
        if (k == K::kRole) {
          write_fields(c.out, d, {"Path", "RoleName", "RoleId", "Arn", "CreateDate"});
          c.out.element("AssumeRolePolicyDocument",
                        url_encode_policy(str(d, "AssumeRolePolicyDocument")));
          write_fields(c.out, d, {"Description", "MaxSessionDuration"});
        } else {
          write_fields(c.out, d,
                       {"Path", name_param(k), std::string(info.Noun) + "Id", "Arn", "CreateDate"});
        }
      });
  return {};
}

// UpdateUser and UpdateGroup: a new path and/or a new name.
template <K k>
Status rename(Call& c) {
  const KindInfo& info = kind_info(k);
  std::string new_name_param = "New" + name_param(k);
  auto new_name = optional(c.params, new_name_param, name_constraint(k));
  if (!new_name) return std::unexpected(new_name.error());
  auto new_path = optional(c.params, "NewPath", kPath);
  if (!new_path) return std::unexpected(new_path.error());
  auto t = existing(c, k);
  if (!t) return std::unexpected(t.error());
  c.has_result = false;
  json::object doc = std::move(*t->doc);
  std::string old_name(str(doc, name_param(k)));
  std::string name = new_name->value_or(old_name);
  std::string path = new_path->value_or(std::string(str(doc, "Path")));
  // Moving or renaming needs the permission on the new ARN as well.
  const std::string new_arn = entity_arn(c.account(), info.noun, path, name);
  if (new_arn != str(doc, "Arn"))
    if (auto st = c.authorize(new_arn); !st) return st;
  if (lower(name) != lower(old_name)) {
    auto clash = load(c.txn, info.table, lower(name));
    if (!clash) return std::unexpected(clash.error());
    if (*clash)
      return fail(ErrorCode::kEntityAlreadyExists,
                  std::string(info.Noun) + " with name " + name + " already exists.");
  }
  doc[name_param(k)] = name;
  doc["Path"] = path;
  doc["Arn"] = entity_arn(c.account(), info.noun, path, name);
  if (auto st = c.txn.erase(info.table, lower(old_name)); !st) return st;
  if (auto st = store_entity(c, k, doc); !st) return st;
  // References by name follow the rename.
  Result<std::vector<store::Row>> rows;
  if constexpr (k == K::kUser) {
    for (json::object& key : rows_of(c.txn, kKeys, rows)) {
      if (lower(str(key, "UserName")) != lower(old_name)) continue;
      key["UserName"] = name;
      if (auto st = save(c.txn, kKeys, str(key, "AccessKeyId"), key); !st) return st;
    }
  } else {
    for (json::object& user : rows_of(c.txn, kUsers, rows)) {
      auto it = user.find("Groups");
      if (it == user.end()) continue;
      bool changed = false;
      for (json::value& g : it->value().as_array()) {
        if (lower(g.as_string()) == lower(old_name)) {
          g = name;
          changed = true;
        }
      }
      if (changed)
        if (auto st = save(c.txn, kUsers, lower(str(user, "UserName")), user); !st) return st;
    }
  }
  if (!rows) return std::unexpected(rows.error());
  return {};
}

Status update_role(Call& c) {
  auto description = optional(c.params, "Description", kDescription);
  if (!description) return std::unexpected(description.error());
  auto max = optional_int(c.params, "MaxSessionDuration", 3600, 43200);
  if (!max) return std::unexpected(max.error());
  auto t = existing(c, K::kRole);
  if (!t) return std::unexpected(t.error());
  if (*description) (*t->doc)["Description"] = **description;
  if (*max) (*t->doc)["MaxSessionDuration"] = **max;
  return store_entity(c, K::kRole, *t->doc);
}

Status update_role_description(Call& c) {
  auto description = required(c.params, "Description", kDescription);
  if (!description) return std::unexpected(description.error());
  auto t = existing(c, K::kRole);
  if (!t) return std::unexpected(t.error());
  (*t->doc)["Description"] = *description;
  if (auto st = store_entity(c, K::kRole, *t->doc); !st) return st;
  c.out.open("Role");
  write_entity(c.out, K::kRole, *t->doc);
  c.out.close();
  return {};
}

Status update_assume_role_policy(Call& c) {
  auto document = required(c.params, "PolicyDocument", kPolicyDocument);
  if (!document) return std::unexpected(document.error());
  if (auto st = check_policy_document(*document, PolicyKind::kTrust); !st) return st;
  auto t = existing(c, K::kRole);
  if (!t) return std::unexpected(t.error());
  c.has_result = false;
  (*t->doc)["AssumeRolePolicyDocument"] = *document;
  return store_entity(c, K::kRole, *t->doc);
}

template <K k>
Status remove(Call& c) {
  auto t = existing(c, k);
  if (!t) return std::unexpected(t.error());
  c.has_result = false;
  const json::object& doc = *t->doc;
  auto conflict = [](std::string m) { return fail(ErrorCode::kDeleteConflict, std::move(m)); };
  if (auto it = doc.find("InlinePolicies"); it != doc.end() && !it->value().as_object().empty())
    return conflict("Cannot delete entity, must delete policies first.");
  if (auto it = doc.find("AttachedPolicies"); it != doc.end() && !it->value().as_array().empty())
    return conflict("Cannot delete entity, must detach all policies first.");
  Result<std::vector<store::Row>> rows;
  if constexpr (k == K::kUser) {
    if (auto it = doc.find("Groups"); it != doc.end() && !it->value().as_array().empty())
      return conflict("Cannot delete entity, must remove user from all groups first.");
    for (const json::object& key : rows_of(c.txn, kKeys, rows))
      if (lower(str(key, "UserName")) == lower(t->name))
        return conflict("Cannot delete entity, must delete access keys first.");
  }
  if constexpr (k == K::kGroup) {
    for (const json::object& user : rows_of(c.txn, kUsers, rows)) {
      auto it = user.find("Groups");
      if (it == user.end()) continue;
      for (const json::value& g : it->value().as_array())
        if (lower(g.as_string()) == lower(t->name))
          return conflict("Cannot delete entity, must remove users from group first.");
    }
  }
  if (!rows) return std::unexpected(rows.error());
  return c.txn.erase(kind_info(k).table, lower(t->name));
}

// --- Inline policies ------------------------------------------------------------------------

template <K k>
Status put_inline(Call& c) {
  const KindInfo& info = kind_info(k);
  auto policy_name = required(c.params, "PolicyName", kPolicyName);
  if (!policy_name) return std::unexpected(policy_name.error());
  auto document = required(c.params, "PolicyDocument", kPolicyDocument);
  if (!document) return std::unexpected(document.error());
  if (auto st = check_policy_document(*document, PolicyKind::kIdentity); !st) return st;
  auto t = existing(c, k);
  if (!t) return std::unexpected(t.error());
  c.has_result = false;
  json::object& inline_policies = object_member(*t->doc, "InlinePolicies");
  inline_policies[*policy_name] = *document;
  size_t total = 0;
  for (const auto& [n, d] : inline_policies) total += policy_size(d.as_string());
  if (total > info.max_inline_bytes)
    return fail(ErrorCode::kLimitExceeded,
                "Maximum policy size of " + std::to_string(info.max_inline_bytes) +
                    " bytes exceeded for " + std::string(info.noun) + " " + t->name);
  return store_entity(c, k, *t->doc);
}

template <K k>
Status get_inline(Call& c) {
  auto policy_name = required(c.params, "PolicyName", kPolicyName);
  if (!policy_name) return std::unexpected(policy_name.error());
  auto t = existing(c, k);
  if (!t) return std::unexpected(t.error());
  const json::object& inline_policies = object_member(*t->doc, "InlinePolicies");
  auto it = inline_policies.find(*policy_name);
  if (it == inline_policies.end())
    return fail(ErrorCode::kNoSuchEntity, "The " + std::string(kind_info(k).noun) +
                                              " policy with name " + *policy_name +
                                              " cannot be found.");
  c.out.element(name_param(k), str(*t->doc, name_param(k)));
  c.out.element("PolicyName", *policy_name);
  c.out.element("PolicyDocument", url_encode_policy(it->value().as_string()));
  return {};
}

template <K k>
Status delete_inline(Call& c) {
  auto policy_name = required(c.params, "PolicyName", kPolicyName);
  if (!policy_name) return std::unexpected(policy_name.error());
  auto t = existing(c, k);
  if (!t) return std::unexpected(t.error());
  c.has_result = false;
  json::object& inline_policies = object_member(*t->doc, "InlinePolicies");
  if (!inline_policies.erase(*policy_name))
    return fail(ErrorCode::kNoSuchEntity, "The " + std::string(kind_info(k).noun) +
                                              " policy with name " + *policy_name +
                                              " cannot be found.");
  return store_entity(c, k, *t->doc);
}

template <K k>
Status list_inline(Call& c) {
  auto page = page_param(c.params);
  if (!page) return std::unexpected(page.error());
  auto t = existing(c, k);
  if (!t) return std::unexpected(t.error());
  std::vector<json::object> items;
  for (const auto& [n, d] : object_member(*t->doc, "InlinePolicies"))
    items.push_back(json::object{{"PolicyName", n}});
  std::sort(items.begin(), items.end(), [](const json::object& a, const json::object& b) {
    return str(a, "PolicyName") < str(b, "PolicyName");
  });
  write_page(
      c.out, "PolicyNames", *page, items,
      [](const json::object& d) { return std::string(str(d, "PolicyName")); },
      [&](const json::object& d) { c.out.text(str(d, "PolicyName")); });
  return {};
}

// --- Attached managed policies --------------------------------------------------------------

template <K k>
Status attach(Call& c) {
  const KindInfo& info = kind_info(k);
  auto arn = required(c.params, "PolicyArn", kArn);
  if (!arn) return std::unexpected(arn.error());
  c.context.set("iam:PolicyARN", *arn);
  auto t = existing(c, k);
  if (!t) return std::unexpected(t.error());
  c.has_result = false;
  auto exists = policy_exists(c, *arn);
  if (!exists) return std::unexpected(exists.error());
  if (!*exists)
    return fail(ErrorCode::kNoSuchEntity,
                "Policy " + *arn + " does not exist or is not attachable.");
  json::array& attached = array_member(*t->doc, "AttachedPolicies");
  for (const json::value& a : attached)
    if (a.as_string() == *arn) return {};
  if (attached.size() >= info.max_attached)
    return fail(ErrorCode::kLimitExceeded, "Cannot exceed quota for PoliciesPer" +
                                               std::string(info.Noun) + ": " +
                                               std::to_string(info.max_attached));
  attached.emplace_back(*arn);
  return store_entity(c, k, *t->doc);
}

template <K k>
Status detach(Call& c) {
  auto arn = required(c.params, "PolicyArn", kArn);
  if (!arn) return std::unexpected(arn.error());
  c.context.set("iam:PolicyARN", *arn);
  auto t = existing(c, k);
  if (!t) return std::unexpected(t.error());
  c.has_result = false;
  json::array& attached = array_member(*t->doc, "AttachedPolicies");
  auto it = std::find_if(attached.begin(), attached.end(),
                         [&](const json::value& a) { return a.as_string() == *arn; });
  if (it == attached.end())
    return fail(ErrorCode::kNoSuchEntity, "Policy " + *arn + " was not found.");
  attached.erase(it);
  return store_entity(c, k, *t->doc);
}

template <K k>
Status list_attached(Call& c) {
  auto prefix = optional(c.params, "PathPrefix", kPathPrefix);
  if (!prefix) return std::unexpected(prefix.error());
  auto page = page_param(c.params);
  if (!page) return std::unexpected(page.error());
  auto t = existing(c, k);
  if (!t) return std::unexpected(t.error());
  std::vector<json::object> items;
  for (const json::value& a : array_member(*t->doc, "AttachedPolicies")) {
    std::string_view arn = a.as_string();
    std::string_view resource = arn.substr(arn.find(":policy") + 7);  // path + name
    std::string_view path = resource.substr(0, resource.rfind('/') + 1);
    if (*prefix && !path.starts_with(**prefix)) continue;
    items.push_back(
        json::object{{"PolicyName", resource.substr(resource.rfind('/') + 1)}, {"PolicyArn", arn}});
  }
  write_page(c.out, "AttachedPolicies", *page, items, nullptr, [&](const json::object& d) {
    write_fields(c.out, d, {"PolicyName", "PolicyArn"});
  });
  return {};
}

// --- Tags and permissions boundaries (users and roles) ---------------------------------------

template <K k>
Status tag(Call& c) {
  auto tags = tags_param(c.params);
  if (!tags) return std::unexpected(tags.error());
  if (tags->empty())
    return fail(ErrorCode::kValidationError,
                "1 validation error detected: Value null at 'tags' failed to satisfy "
                "constraint: Member must not be null");
  add_request_tags(c.context, *tags);
  auto t = existing(c, k);
  if (!t) return std::unexpected(t.error());
  c.has_result = false;
  if (auto st = merge_tags(*t->doc, *tags); !st) return st;
  return store_entity(c, k, *t->doc);
}

template <K k>
Status untag(Call& c) {
  std::vector<std::string> keys = list_param(c.params, "TagKeys");
  if (keys.empty())
    return fail(ErrorCode::kValidationError,
                "1 validation error detected: Value null at 'tagKeys' failed to satisfy "
                "constraint: Member must not be null");
  c.context.set_list("aws:TagKeys", keys);
  auto t = existing(c, k);
  if (!t) return std::unexpected(t.error());
  c.has_result = false;
  json::array& tags = array_member(*t->doc, "Tags");
  for (const std::string& key : keys) {
    erase_where(
        tags, [&](const json::value& v) { return lower(str(v.as_object(), "Key")) == lower(key); });
  }
  return store_entity(c, k, *t->doc);
}

template <K k>
Status list_tags(Call& c) {
  auto page = page_param(c.params);
  if (!page) return std::unexpected(page.error());
  auto t = existing(c, k);
  if (!t) return std::unexpected(t.error());
  std::vector<json::object> items;
  for (const json::value& v : array_member(*t->doc, "Tags")) items.push_back(v.as_object());
  write_page(c.out, "Tags", *page, items, nullptr, [&](const json::object& d) {
    write_fields(c.out, d, {"Key", "Value"});
  });
  return {};
}

template <K k>
Status put_boundary(Call& c) {
  if (auto b = c.params.get("PermissionsBoundary"))
    c.context.set("iam:PermissionsBoundary", std::string(*b));
  auto t = existing(c, k);
  if (!t) return std::unexpected(t.error());
  c.has_result = false;
  auto b = boundary_param(c);
  if (!b) return std::unexpected(b.error());
  (*t->doc)["PermissionsBoundary"] = std::move(*b);
  return store_entity(c, k, *t->doc);
}

template <K k>
Status delete_boundary(Call& c) {
  auto t = existing(c, k);
  if (!t) return std::unexpected(t.error());
  c.has_result = false;
  t->doc->erase("PermissionsBoundary");
  return store_entity(c, k, *t->doc);
}

// --- Group membership -----------------------------------------------------------------------

Status membership(Call& c, bool add) {
  auto user_name = required(c.params, "UserName", kUserName);
  if (!user_name) return std::unexpected(user_name.error());
  auto group = existing(c, K::kGroup);
  if (!group) return std::unexpected(group.error());
  c.has_result = false;
  auto user = target(c, K::kUser, *user_name);
  if (!user) return std::unexpected(user.error());
  if (!user->doc) return std::unexpected(no_such(K::kUser, *user_name));
  json::array& groups = array_member(*user->doc, "Groups");
  std::string group_name(str(*group->doc, "GroupName"));
  auto it = std::find_if(groups.begin(), groups.end(), [&](const json::value& g) {
    return lower(g.as_string()) == lower(group_name);
  });
  if (add) {
    if (it != groups.end()) return {};
    if (groups.size() >= 10)
      return fail(ErrorCode::kLimitExceeded, "Cannot exceed quota for GroupsPerUser: 10");
    groups.emplace_back(group_name);
  } else {
    if (it == groups.end())
      return fail(ErrorCode::kNoSuchEntity, "The user with name " + *user_name +
                                                " cannot be found in group " + group_name + ".");
    groups.erase(it);
  }
  return store_entity(c, K::kUser, *user->doc);
}

Status add_user_to_group(Call& c) { return membership(c, true); }
Status remove_user_from_group(Call& c) { return membership(c, false); }

Status list_groups_for_user(Call& c) {
  auto page = page_param(c.params);
  if (!page) return std::unexpected(page.error());
  auto user = existing(c, K::kUser);
  if (!user) return std::unexpected(user.error());
  std::vector<json::object> items;
  for (const json::value& g : array_member(*user->doc, "Groups")) {
    auto doc = load(c.txn, kGroups, lower(g.as_string()));
    if (!doc) return std::unexpected(doc.error());
    if (*doc) items.push_back(std::move(**doc));
  }
  write_page(
      c.out, "Groups", *page, items,
      [](const json::object& d) { return lower(str(d, "GroupName")); },
      [&](const json::object& d) { write_entity(c.out, K::kGroup, d); });
  return {};
}

constexpr Op kOps[] = {
    {"CreateUser", true, create<K::kUser>},
    {"GetUser", false, get<K::kUser>},
    {"ListUsers", false, list<K::kUser>},
    {"UpdateUser", true, rename<K::kUser>},
    {"DeleteUser", true, remove<K::kUser>},
    {"CreateGroup", true, create<K::kGroup>},
    {"GetGroup", false, get<K::kGroup>},
    {"ListGroups", false, list<K::kGroup>},
    {"UpdateGroup", true, rename<K::kGroup>},
    {"DeleteGroup", true, remove<K::kGroup>},
    {"CreateRole", true, create<K::kRole>},
    {"GetRole", false, get<K::kRole>},
    {"ListRoles", false, list<K::kRole>},
    {"UpdateRole", true, update_role},
    {"UpdateRoleDescription", true, update_role_description},
    {"UpdateAssumeRolePolicy", true, update_assume_role_policy},
    {"DeleteRole", true, remove<K::kRole>},
    {"PutUserPolicy", true, put_inline<K::kUser>},
    {"GetUserPolicy", false, get_inline<K::kUser>},
    {"DeleteUserPolicy", true, delete_inline<K::kUser>},
    {"ListUserPolicies", false, list_inline<K::kUser>},
    {"PutGroupPolicy", true, put_inline<K::kGroup>},
    {"GetGroupPolicy", false, get_inline<K::kGroup>},
    {"DeleteGroupPolicy", true, delete_inline<K::kGroup>},
    {"ListGroupPolicies", false, list_inline<K::kGroup>},
    {"PutRolePolicy", true, put_inline<K::kRole>},
    {"GetRolePolicy", false, get_inline<K::kRole>},
    {"DeleteRolePolicy", true, delete_inline<K::kRole>},
    {"ListRolePolicies", false, list_inline<K::kRole>},
    {"AttachUserPolicy", true, attach<K::kUser>},
    {"DetachUserPolicy", true, detach<K::kUser>},
    {"ListAttachedUserPolicies", false, list_attached<K::kUser>},
    {"AttachGroupPolicy", true, attach<K::kGroup>},
    {"DetachGroupPolicy", true, detach<K::kGroup>},
    {"ListAttachedGroupPolicies", false, list_attached<K::kGroup>},
    {"AttachRolePolicy", true, attach<K::kRole>},
    {"DetachRolePolicy", true, detach<K::kRole>},
    {"ListAttachedRolePolicies", false, list_attached<K::kRole>},
    {"TagUser", true, tag<K::kUser>},
    {"UntagUser", true, untag<K::kUser>},
    {"ListUserTags", false, list_tags<K::kUser>},
    {"TagRole", true, tag<K::kRole>},
    {"UntagRole", true, untag<K::kRole>},
    {"ListRoleTags", false, list_tags<K::kRole>},
    {"PutUserPermissionsBoundary", true, put_boundary<K::kUser>},
    {"DeleteUserPermissionsBoundary", true, delete_boundary<K::kUser>},
    {"PutRolePermissionsBoundary", true, put_boundary<K::kRole>},
    {"DeleteRolePermissionsBoundary", true, delete_boundary<K::kRole>},
    {"AddUserToGroup", true, add_user_to_group},
    {"RemoveUserFromGroup", true, remove_user_from_group},
    {"ListGroupsForUser", false, list_groups_for_user},
};

}  // namespace

std::span<const Op> entity_ops() { return kOps; }

}  // namespace portcullis::iam::api
