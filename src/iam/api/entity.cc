// Users, groups and roles: what the operations on them share.
#include "iam/api/entity.h"

namespace portcullis::iam::api {

std::string name_param(K k) { return std::string(kind_info(k).Noun) + "Name"; }
const Constraint& name_constraint(K k) {
  return k == K::kUser ? kUserName : k == K::kGroup ? kGroupName : kRoleName;
}

Error no_such(K k, std::string_view name) {
  return Error{ErrorCode::kNoSuchEntity, "The " + std::string(kind_info(k).noun) + " with name " +
                                             std::string(name) + " cannot be found."};
}

Result<Target> target(Call& c, K k, std::string_view name) {
  Target t;
  t.name = name;
  auto doc = PC_TRY(load(c.txn, kind_info(k).table, lower(name)));
  t.doc = std::move(doc);
  t.arn = t.doc ? std::string(str(*t.doc, "Arn"))
                : entity_arn(c.account(), kind_info(k).noun, "/", name);
  if (t.doc) add_resource_tags(c.context, *t.doc);
  return t;
}

Result<Target> existing(Call& c, K k, std::string_view param) {
  auto name = PC_TRY(required(c.params, param.empty() ? name_param(k) : param, name_constraint(k)));
  auto t = target(c, k, name);
  if (!t) return t;
  PC_CHECK(c.authorize(t->arn));
  if (!t->doc) return std::unexpected(no_such(k, name));
  return t;
}

Status store_entity(Call& c, K k, const json::object& doc) {
  return save(c.txn, kind_info(k).table, lower(str(doc, name_param(k))), doc);
}

bool is_service_linked(const json::object& role) {
  return str(role, "Path").starts_with("/aws-service-role/");
}

Status check_modifiable(K k, const json::object& doc) {
  if (k != K::kRole || !is_service_linked(doc)) return {};
  return fail(ErrorCode::kUnmodifiableEntity,
              "Cannot perform the operation on the protected role '" +
                  std::string(str(doc, "RoleName")) + "' - this role is only modifiable by AWS");
}

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

Result<bool> policy_exists(Call& c, std::string_view arn) {
  if (arn.starts_with(kAwsPolicyArnPrefix)) {
    for (const AwsManagedPolicy& p : aws_managed_policies())
      if (arn.substr(kAwsPolicyArnPrefix.size()) == p.name) return true;
    return false;
  }
  auto doc = PC_TRY(load(c.txn, kPolicies, lower(arn.substr(arn.rfind('/') + 1))));
  return doc && str(*doc, "Arn") == arn;
}

Result<json::object> boundary_param(Call& c) {
  auto arn = PC_TRY(required(c.params, "PermissionsBoundary", kArn));
  auto exists = PC_TRY(policy_exists(c, arn));
  if (!exists)
    return fail(ErrorCode::kNoSuchEntity,
                "Scope ARN: " + arn + " does not exist or is not attachable.");
  return json::object{{"PermissionsBoundaryType", "PermissionsBoundaryPolicy"},
                      {"PermissionsBoundaryArn", arn}};
}

json::array& array_member(json::object& doc, std::string_view key) {
  return ensure_array(doc[key]);
}

json::object& object_member(json::object& doc, std::string_view key) {
  return ensure_object(doc[key]);
}

Result<std::vector<json::object>> rows_of(store::Transaction& txn, std::string_view table) {
  auto rows = PC_TRY(txn.scan(table));
  std::vector<json::object> out;
  out.reserve(rows.size());
  for (const auto& [k, v] : rows) out.push_back(PC_TRY(parse_doc(table, k, v)));
  return out;
}

}  // namespace portcullis::iam::api
