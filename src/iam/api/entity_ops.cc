// Users, groups and roles: create, get, list, update and delete them, tag them, and manage
// group membership. One implementation per operation serves the kinds AWS treats alike.
#include <algorithm>

#include "iam/api/entity.h"
#include "iam/api/user_credentials.h"
#include "iam/api/instance_profile.h"
#include "iam/credentials.h"

namespace portcullis::iam::api {

namespace {

// --- Create, get, list, update, delete -----------------------------------------------------

template <K k>
Status create(Call& c) {
  const KindInfo& info = kind_info(k);
  auto name = PC_TRY(required(c.params, name_param(k), name_constraint(k)));
  auto path = PC_TRY(optional(c.params, "Path", kPath));
  std::string p = path.value_or("/");
  // The path of service-linked roles, which only CreateServiceLinkedRole makes.
  if (k == K::kRole && p.starts_with("/aws-service-role/"))
    return fail(ErrorCode::kInvalidInput,
                "The path /aws-service-role/ is reserved for service-linked roles; use "
                "CreateServiceLinkedRole.");
  json::object doc;
  doc["Path"] = p;
  doc[name_param(k)] = name;
  doc[std::string(info.Noun) + "Id"] = new_id(info.id_prefix);
  doc["Arn"] = entity_arn(c.account(), info.noun, p, name);
  doc["CreateDate"] = iso_now(c);
  Tags tags;
  if constexpr (k != K::kGroup) {
    auto t = PC_TRY(tags_param(c.params));
    tags = std::move(t);
  }
  if constexpr (k == K::kRole) {
    auto trust = PC_TRY(required(c.params, "AssumeRolePolicyDocument", kPolicyDocument));
    PC_CHECK(check_policy_document(trust, PolicyKind::kTrust));
    doc["AssumeRolePolicyDocument"] = trust;
    auto description = PC_TRY(optional(c.params, "Description", kDescription));
    if (description) doc["Description"] = *description;
    auto max = PC_TRY(optional_int(c.params, "MaxSessionDuration", 3600, 43200));
    doc["MaxSessionDuration"] = max.value_or(3600);
  }
  if (!tags.empty()) add_request_tags(c.context, tags);
  if (auto b = c.params.get("PermissionsBoundary"))
    c.context.set("iam:PermissionsBoundary", std::string(*b));
  PC_CHECK(c.authorize(str(doc, "Arn")));
  // Tagging on creation needs the permission to tag, as on AWS.
  if (!tags.empty())
    PC_CHECK(c.authorize_also("iam:Tag" + std::string(info.Noun), str(doc, "Arn")));
  if constexpr (k != K::kGroup) {
    if (c.params.get("PermissionsBoundary")) {
      auto b = PC_TRY(boundary_param(c));
      doc["PermissionsBoundary"] = std::move(b);
    }
    if (!tags.empty()) doc["Tags"] = tags_json(tags);
  }
  auto existing_doc = PC_TRY(load(c.txn, info.table, lower(name)));
  if (existing_doc)
    return fail(ErrorCode::kEntityAlreadyExists,
                std::string(info.Noun) + " with name " + name + " already exists.");
  PC_CHECK(store_entity(c, k, doc));
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
  PC_CHECK(check(name, name_constraint(k), member_name(name_param(k))));
  auto t = PC_TRY(target(c, k, name));
  PC_CHECK(c.authorize(t.arn));
  if (!t.doc) return std::unexpected(no_such(k, name));
  if constexpr (k == K::kGroup) {
    auto page = PC_TRY(page_param(c.params));
    c.out.open("Group");
    write_entity(c.out, k, *t.doc);
    c.out.close();
    std::vector<json::object> members;
    for (json::object& u : PC_TRY(rows_of(c.txn, kUsers)))
      for (const json::value& g : arr(u, "Groups"))
        if (lower(sv(g)) == lower(name)) members.push_back(u);
    write_page(
        c.out, "Users", page, members,
        [](const json::object& u) { return lower(str(u, "UserName")); },
        [&](const json::object& u) { write_entity(c.out, K::kUser, u); });
    return {};
  }
  c.out.open(info.Noun);
  write_entity(c.out, k, *t.doc);
  c.out.close();
  return {};
}

template <K k>
Status list(Call& c) {
  const KindInfo& info = kind_info(k);
  auto prefix = PC_TRY(optional(c.params, "PathPrefix", kPathPrefix));
  auto page = PC_TRY(page_param(c.params));
  // AWS authorizes List operations on the kind's ARN with the path prefix: …:user/
  PC_CHECK(c.authorize(entity_arn(c.account(), info.noun, prefix.value_or("/"), "")));
  std::vector<json::object> items;
  for (json::object& d : PC_TRY(rows_of(c.txn, info.table)))
    if (!prefix || str(d, "Path").starts_with(*prefix)) items.push_back(std::move(d));
  write_page(
      c.out, std::string(info.Noun) + "s", page, items,
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
  auto new_name = PC_TRY(optional(c.params, new_name_param, name_constraint(k)));
  auto new_path = PC_TRY(optional(c.params, "NewPath", kPath));
  auto t = PC_TRY(existing(c, k));
  c.has_result = false;
  json::object doc = std::move(*t.doc);
  std::string old_name(str(doc, name_param(k)));
  std::string name = new_name.value_or(old_name);
  std::string path = new_path.value_or(std::string(str(doc, "Path")));
  // Moving or renaming needs the permission on the new ARN as well.
  const std::string new_arn = entity_arn(c.account(), info.noun, path, name);
  if (new_arn != str(doc, "Arn"))
    PC_CHECK(c.authorize(new_arn));
  if (lower(name) != lower(old_name)) {
    auto clash = PC_TRY(load(c.txn, info.table, lower(name)));
    if (clash)
      return fail(ErrorCode::kEntityAlreadyExists,
                  std::string(info.Noun) + " with name " + name + " already exists.");
  }
  doc[name_param(k)] = name;
  doc["Path"] = path;
  doc["Arn"] = entity_arn(c.account(), info.noun, path, name);
  PC_CHECK(c.txn.erase(info.table, lower(old_name)));
  PC_CHECK(store_entity(c, k, doc));
  // References by name follow the rename.
  if constexpr (k == K::kUser) {
    PC_CHECK(rename_user_credentials(c.txn, old_name, name));
    for (json::object& key : PC_TRY(rows_of(c.txn, kKeys))) {
      if (lower(str(key, "UserName")) != lower(old_name)) continue;
      key["UserName"] = name;
      PC_CHECK(save(c.txn, kKeys, str(key, "AccessKeyId"), key));
    }
  } else {
    for (json::object& user : PC_TRY(rows_of(c.txn, kUsers))) {
      auto it = user.find("Groups");
      if (it == user.end() || !it->value().is_array()) continue;
      bool changed = false;
      for (json::value& g : it->value().get_array()) {
        if (lower(sv(g)) == lower(old_name)) {
          g = name;
          changed = true;
        }
      }
      if (changed)
        PC_CHECK(save(c.txn, kUsers, lower(str(user, "UserName")), user));
    }
  }
  return {};
}

Status update_role(Call& c) {
  auto description = PC_TRY(optional(c.params, "Description", kDescription));
  auto max = PC_TRY(optional_int(c.params, "MaxSessionDuration", 3600, 43200));
  auto t = PC_TRY(existing(c, K::kRole));
  // A service-linked role's description may change, nothing else.
  if (max) PC_CHECK(check_modifiable(K::kRole, *t.doc));
  if (description) (*t.doc)["Description"] = *description;
  if (max) (*t.doc)["MaxSessionDuration"] = *max;
  return store_entity(c, K::kRole, *t.doc);
}

Status update_role_description(Call& c) {
  auto description = PC_TRY(required(c.params, "Description", kDescription));
  auto t = PC_TRY(existing(c, K::kRole));
  (*t.doc)["Description"] = description;
  PC_CHECK(store_entity(c, K::kRole, *t.doc));
  c.out.open("Role");
  write_entity(c.out, K::kRole, *t.doc);
  c.out.close();
  return {};
}

Status update_assume_role_policy(Call& c) {
  auto document = PC_TRY(required(c.params, "PolicyDocument", kPolicyDocument));
  PC_CHECK(check_policy_document(document, PolicyKind::kTrust));
  auto t = PC_TRY(existing(c, K::kRole));
  PC_CHECK(check_modifiable(K::kRole, *t.doc));
  c.has_result = false;
  (*t.doc)["AssumeRolePolicyDocument"] = document;
  return store_entity(c, K::kRole, *t.doc);
}

template <K k>
Status remove(Call& c) {
  auto t = PC_TRY(existing(c, k));
  c.has_result = false;
  const json::object& doc = *t.doc;
  auto conflict = [](std::string m) { return fail(ErrorCode::kDeleteConflict, std::move(m)); };
  if constexpr (k == K::kRole) PC_CHECK(check_role_deletable(c, doc));
  if (!obj(doc, "InlinePolicies").empty())
    return conflict("Cannot delete entity, must delete policies first.");
  if (!arr(doc, "AttachedPolicies").empty())
    return conflict("Cannot delete entity, must detach all policies first.");
  if constexpr (k == K::kUser) {
    if (!arr(doc, "Groups").empty())
      return conflict("Cannot delete entity, must remove user from all groups first.");
    for (const json::object& key : PC_TRY(rows_of(c.txn, kKeys)))
      if (lower(str(key, "UserName")) == lower(t.name))
        return conflict("Cannot delete entity, must delete access keys first.");
    PC_CHECK(user_credentials_deletable(c.txn, t.name));
    PC_CHECK(check_no_user_credentials(c, doc));
  }
  if constexpr (k == K::kGroup) {
    for (const json::object& user : PC_TRY(rows_of(c.txn, kUsers)))
      for (const json::value& g : arr(user, "Groups"))
        if (lower(sv(g)) == lower(t.name))
          return conflict("Cannot delete entity, must remove users from group first.");
  }
  return c.txn.erase(kind_info(k).table, lower(t.name));
}

// --- Tags (users and roles) ---------------------------------------------------------------

template <K k>
Status tag(Call& c) {
  auto tags = PC_TRY(tags_param(c.params));
  if (tags.empty())
    return fail(ErrorCode::kValidationError,
                "1 validation error detected: Value null at 'tags' failed to satisfy "
                "constraint: Member must not be null");
  add_request_tags(c.context, tags);
  auto t = PC_TRY(existing(c, k));
  c.has_result = false;
  PC_CHECK(merge_tags(*t.doc, tags));
  return store_entity(c, k, *t.doc);
}

template <K k>
Status untag(Call& c) {
  std::vector<std::string> keys = list_param(c.params, "TagKeys");
  if (keys.empty())
    return fail(ErrorCode::kValidationError,
                "1 validation error detected: Value null at 'tagKeys' failed to satisfy "
                "constraint: Member must not be null");
  c.context.set_list("aws:TagKeys", keys);
  auto t = PC_TRY(existing(c, k));
  c.has_result = false;
  json::array& tags = array_member(*t.doc, "Tags");
  for (const std::string& key : keys) {
    erase_where(
        tags, [&](const json::value& v) { return lower(str(obj(v), "Key")) == lower(key); });
  }
  return store_entity(c, k, *t.doc);
}

template <K k>
Status list_tags(Call& c) {
  auto page = PC_TRY(page_param(c.params));
  auto t = PC_TRY(existing(c, k));
  std::vector<json::object> items;
  for (const json::value& v : arr(*t.doc, "Tags"))
    if (const json::object* o = v.if_object()) items.push_back(*o);
  write_page(c.out, "Tags", page, items, nullptr, [&](const json::object& d) {
    write_fields(c.out, d, {"Key", "Value"});
  });
  return {};
}

// --- Group membership -----------------------------------------------------------------------

Status membership(Call& c, bool add) {
  auto user_name = PC_TRY(required(c.params, "UserName", kUserName));
  auto group = PC_TRY(existing(c, K::kGroup));
  c.has_result = false;
  auto user = PC_TRY(target(c, K::kUser, user_name));
  if (!user.doc) return std::unexpected(no_such(K::kUser, user_name));
  json::array& groups = array_member(*user.doc, "Groups");
  std::string group_name(str(*group.doc, "GroupName"));
  auto it = std::find_if(groups.begin(), groups.end(), [&](const json::value& g) {
    return lower(sv(g)) == lower(group_name);
  });
  if (add) {
    if (it != groups.end()) return {};
    if (groups.size() >= 10)
      return fail(ErrorCode::kLimitExceeded, "Cannot exceed quota for GroupsPerUser: 10");
    groups.emplace_back(group_name);
  } else {
    if (it == groups.end())
      return fail(ErrorCode::kNoSuchEntity, "The user with name " + user_name +
                                                " cannot be found in group " + group_name + ".");
    groups.erase(it);
  }
  return store_entity(c, K::kUser, *user.doc);
}

Status add_user_to_group(Call& c) { return membership(c, true); }
Status remove_user_from_group(Call& c) { return membership(c, false); }

Status list_groups_for_user(Call& c) {
  auto page = PC_TRY(page_param(c.params));
  auto user = PC_TRY(existing(c, K::kUser));
  std::vector<json::object> items;
  for (const json::value& g : array_member(*user.doc, "Groups")) {
    auto doc = PC_TRY(load(c.txn, kGroups, lower(sv(g))));
    if (doc) items.push_back(std::move(*doc));
  }
  write_page(
      c.out, "Groups", page, items,
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
    {"TagUser", true, tag<K::kUser>},
    {"UntagUser", true, untag<K::kUser>},
    {"ListUserTags", false, list_tags<K::kUser>},
    {"TagRole", true, tag<K::kRole>},
    {"UntagRole", true, untag<K::kRole>},
    {"ListRoleTags", false, list_tags<K::kRole>},
    {"AddUserToGroup", true, add_user_to_group},
    {"RemoveUserFromGroup", true, remove_user_from_group},
    {"ListGroupsForUser", false, list_groups_for_user},
};

}  // namespace

std::span<const Op> entity_ops() { return kOps; }

}  // namespace portcullis::iam::api
