// Instance profiles: create, get, list and delete them, put a role in one (at most one, as
// AWS's quota), and tag them.
#include "iam/api/entity.h"
#include "iam/api/instance_profile.h"
#include "iam/api/resource_tags.h"

namespace portcullis::iam::api {

Result<std::vector<json::object>> profiles_of_role(store::Transaction& txn,
                                                   std::string_view role_name) {
  std::vector<json::object> out;
  for (json::object& p : PC_TRY(rows_of(txn, kInstanceProfiles))) {
    auto it = p.find("Roles");
    if (it == p.end() || !it->value().is_array()) continue;
    for (const json::value& r : it->value().get_array()) {
      const json::string* name = r.if_string();
      if (name && lower(*name) == lower(role_name)) {
        out.push_back(std::move(p));
        break;
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const json::object& a, const json::object& b) {
    return lower(str(a, "InstanceProfileName")) < lower(str(b, "InstanceProfileName"));
  });
  return out;
}

Status check_role_deletable(Call& c, const json::object& role) {
  PC_CHECK(check_modifiable(K::kRole, role));
  if (!PC_TRY(profiles_of_role(c.txn, str(role, "RoleName"))).empty())
    return fail(ErrorCode::kDeleteConflict,
                "Cannot delete entity, must remove roles from instance profile first.");
  return {};
}

Status write_instance_profile(Call& c, const json::object& profile) {
  write_fields(c.out, profile,
               {"Path", "InstanceProfileName", "InstanceProfileId", "Arn", "CreateDate"});
  c.out.open("Roles");
  if (auto it = profile.find("Roles"); it != profile.end() && it->value().is_array()) {
    for (const json::value& r : it->value().get_array()) {
      const json::string* name = r.if_string();
      if (!name) continue;
      auto role = PC_TRY(load(c.txn, kRoles, lower(*name)));
      if (!role) continue;
      // Roles inside a profile carry what ListRoles' elements start with, as AWS writes them.
      c.out.open("member");
      write_fields(c.out, *role, {"Path", "RoleName", "RoleId", "Arn", "CreateDate"});
      c.out.element("AssumeRolePolicyDocument",
                    url_encode_policy(str(*role, "AssumeRolePolicyDocument")));
      c.out.close();
    }
  }
  c.out.close();
  write_fields(c.out, profile, {"Tags"});
  return {};
}

namespace {

const Constraint& kProfileName = kGroupName;  // [\w+=,.@-]+, 1..128, as instanceProfileNameType

Error no_such_profile(std::string_view name) {
  return Error{ErrorCode::kNoSuchEntity,
               "Instance Profile " + std::string(name) + " cannot be found."};
}

struct Profile {
  std::string name;
  std::optional<json::object> doc;
  std::string arn;
};

// The named profile, authorized on its ARN (the root path when it does not exist), required.
Result<Profile> existing_profile(Call& c) {
  std::string name = PC_TRY(required(c.params, "InstanceProfileName", kProfileName));
  Profile p{name, PC_TRY(load(c.txn, kInstanceProfiles, lower(name))), ""};
  p.arn = p.doc ? std::string(str(*p.doc, "Arn"))
                : entity_arn(c.account(), "instance-profile", "/", name);
  if (p.doc) add_resource_tags(c.context, *p.doc);
  PC_CHECK(c.authorize(p.arn));
  if (!p.doc) return std::unexpected(no_such_profile(name));
  return p;
}

Status save_profile(Call& c, const json::object& doc) {
  return save(c.txn, kInstanceProfiles, lower(str(doc, "InstanceProfileName")), doc);
}

Status create_profile(Call& c) {
  std::string name = PC_TRY(required(c.params, "InstanceProfileName", kProfileName));
  std::string path = PC_TRY(optional(c.params, "Path", kPath)).value_or("/");
  Tags tags = PC_TRY(tags_param(c.params));
  const std::string arn = entity_arn(c.account(), "instance-profile", path, name);
  if (!tags.empty()) add_request_tags(c.context, tags);
  PC_CHECK(c.authorize(arn));
  if (!tags.empty()) PC_CHECK(c.authorize_also("iam:TagInstanceProfile", arn));
  if (PC_TRY(load(c.txn, kInstanceProfiles, lower(name))))
    return fail(ErrorCode::kEntityAlreadyExists, "Instance Profile " + name + " already exists.");
  json::object doc{
      {"Path", path}, {"InstanceProfileName", name}, {"InstanceProfileId", new_id("AIPA")},
      {"Arn", arn},   {"CreateDate", iso_now(c)},    {"Roles", json::array()}};
  if (!tags.empty()) doc["Tags"] = tags_json(tags);
  PC_CHECK(save_profile(c, doc));
  c.out.open("InstanceProfile");
  PC_CHECK(write_instance_profile(c, doc));
  c.out.close();
  return {};
}

Status get_profile(Call& c) {
  Profile p = PC_TRY(existing_profile(c));
  c.out.open("InstanceProfile");
  PC_CHECK(write_instance_profile(c, *p.doc));
  c.out.close();
  return {};
}

bool has_roles(const json::object& doc) {
  auto it = doc.find("Roles");
  return it != doc.end() && it->value().is_array() && !it->value().get_array().empty();
}

Status delete_profile(Call& c) {
  Profile p = PC_TRY(existing_profile(c));
  c.has_result = false;
  if (has_roles(*p.doc))
    return fail(ErrorCode::kDeleteConflict,
                "Cannot delete entity, must remove roles from instance profile first.");
  return c.txn.erase(kInstanceProfiles, lower(p.name));
}

Status write_profiles(Call& c, const Page& page, const std::vector<json::object>& items) {
  Status st;
  write_page(
      c.out, "InstanceProfiles", page, items,
      [](const json::object& d) { return lower(str(d, "InstanceProfileName")); },
      [&](const json::object& d) {
        if (st) st = write_instance_profile(c, d);
      });
  return st;
}

Status list_profiles(Call& c) {
  auto prefix = PC_TRY(optional(c.params, "PathPrefix", kPathPrefix));
  Page page = PC_TRY(page_param(c.params));
  PC_CHECK(c.authorize(entity_arn(c.account(), "instance-profile", prefix.value_or("/"), "")));
  std::vector<json::object> items;
  for (json::object& d : PC_TRY(rows_of(c.txn, kInstanceProfiles)))
    if (!prefix || str(d, "Path").starts_with(*prefix)) items.push_back(std::move(d));
  return write_profiles(c, page, items);
}

Status list_profiles_for_role(Call& c) {
  Page page = PC_TRY(page_param(c.params));
  Target role = PC_TRY(existing(c, K::kRole));
  return write_profiles(c, page, PC_TRY(profiles_of_role(c.txn, role.name)));
}

// AddRoleToInstanceProfile and RemoveRoleFromInstanceProfile.
Status profile_role(Call& c, bool add) {
  std::string role_name = PC_TRY(required(c.params, "RoleName", kRoleName));
  Profile p = PC_TRY(existing_profile(c));
  c.has_result = false;
  auto role = PC_TRY(load(c.txn, kRoles, lower(role_name)));
  if (!role) return std::unexpected(no_such(K::kRole, role_name));
  json::value& roles_value = (*p.doc)["Roles"];
  if (!roles_value.is_array()) roles_value.emplace_array();
  json::array& roles = roles_value.get_array();
  if (add) {
    // Putting a role in a profile passes it to EC2: the caller needs iam:PassRole on it.
    RequestContext own = c.context;
    c.context.set("iam:PassedToService", "ec2.amazonaws.com");
    c.context.set("iam:AssociatedResourceArn", "arn:aws:ec2:*:" + c.account() + ":instance/*");
    Status passed = c.authorize_also("iam:PassRole", str(*role, "Arn"));
    c.context = std::move(own);
    PC_CHECK(passed);
    if (!roles.empty())
      return fail(ErrorCode::kLimitExceeded,
                  "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1");
    roles.emplace_back(str(*role, "RoleName"));
  } else {
    size_t before = roles.size();
    erase_where(roles, [&](const json::value& v) {
      const json::string* s = v.if_string();
      return s && lower(*s) == lower(role_name);
    });
    if (roles.size() == before) return std::unexpected(no_such(K::kRole, role_name));
  }
  return save_profile(c, *p.doc);
}

Status add_role(Call& c) { return profile_role(c, true); }
Status remove_role(Call& c) { return profile_role(c, false); }

Result<Tagged> profile_lookup(Call& c) {
  Profile p = PC_TRY(existing_profile(c));
  return Tagged{std::string(kInstanceProfiles), lower(p.name), std::move(*p.doc)};
}

Status tag_profile(Call& c) { return tag_resource(c, profile_lookup); }
Status untag_profile(Call& c) { return untag_resource(c, profile_lookup); }
Status list_profile_tags(Call& c) { return list_resource_tags(c, profile_lookup); }

constexpr Op kOps[] = {
    {"CreateInstanceProfile", true, create_profile},
    {"GetInstanceProfile", false, get_profile},
    {"DeleteInstanceProfile", true, delete_profile},
    {"ListInstanceProfiles", false, list_profiles},
    {"ListInstanceProfilesForRole", false, list_profiles_for_role},
    {"AddRoleToInstanceProfile", true, add_role},
    {"RemoveRoleFromInstanceProfile", true, remove_role},
    {"TagInstanceProfile", true, tag_profile},
    {"UntagInstanceProfile", true, untag_profile},
    {"ListInstanceProfileTags", false, list_profile_tags},
};

}  // namespace

std::span<const Op> instance_profile_ops() { return kOps; }

}  // namespace portcullis::iam::api
