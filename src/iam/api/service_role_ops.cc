// Service-linked roles: real roles at /aws-service-role/{service}/ named as AWS names them,
// trusted by the service, deleted (at once) by DeleteServiceLinkedRole.
#include "core/ids.h"
#include "iam/api/account_rules.h"
#include "iam/api/entity.h"
#include "iam/api/instance_profile.h"

namespace portcullis::iam::api {

namespace {

// Key: the DeletionTaskId. Document: Status, RoleName, RoleArn.
constexpr std::string_view kDeletionTasks = "iam.deletiontasks";

std::string trust_policy(std::string_view service) {
  json::object statement{{"Effect", "Allow"},
                         {"Principal", json::object{{"Service", json::array{service}}}},
                         {"Action", json::array{"sts:AssumeRole"}}};
  return json::serialize(
      json::object{{"Version", "2012-10-17"}, {"Statement", json::array{statement}}});
}

Status create_linked_role(Call& c) {
  std::string service = PC_TRY(required(c.params, "AWSServiceName", kGroupName));
  auto description = PC_TRY(optional(c.params, "Description", kDescription));
  auto suffix = PC_TRY(optional(c.params, "CustomSuffix", kRoleName));
  std::string name = PC_TRY(service_linked_role_name(service, suffix));
  const std::string path = "/aws-service-role/" + service + "/";
  const std::string arn = entity_arn(c.account(), "role", path, name);
  c.context.set("iam:AWSServiceName", service);
  PC_CHECK(c.authorize(arn));
  if (PC_TRY(load(c.txn, kRoles, lower(name))))
    return fail(ErrorCode::kInvalidInput,
                "Service role name " + name +
                    " has been taken in this account, please try a different suffix.");
  json::object doc{{"Path", path},
                   {"RoleName", name},
                   {"RoleId", new_id("AROA")},
                   {"Arn", arn},
                   {"CreateDate", iso_now(c)},
                   {"AssumeRolePolicyDocument", trust_policy(service)},
                   {"MaxSessionDuration", 3600}};
  if (description) doc["Description"] = *description;
  PC_CHECK(store_entity(c, K::kRole, doc));
  c.out.open("Role");
  write_entity(c.out, K::kRole, doc);
  c.out.close();
  return {};
}

Status delete_linked_role(Call& c) {
  Target t = PC_TRY(existing(c, K::kRole));
  const json::object& role = *t.doc;
  if (!is_service_linked(role))
    return fail(ErrorCode::kInvalidInput,
                "Role " + std::string(str(role, "RoleName")) + " is not a service-linked role.");
  std::string_view path = str(role, "Path");
  std::string service(path.substr(18, path.size() - 19));  // /aws-service-role/{service}/
  std::string task = "task/aws-service-role/" + service + "/" + std::string(str(role, "RoleName")) +
                     "/" + ids::request_id();
  // The role goes now, with what only it held: its instance profile memberships stay refused.
  if (!PC_TRY(profiles_of_role(c.txn, t.name)).empty())
    return fail(ErrorCode::kDeleteConflict,
                "Cannot delete entity, must remove roles from instance profile first.");
  PC_CHECK(c.txn.erase(kRoles, lower(t.name)));
  PC_CHECK(save(c.txn, kDeletionTasks, task,
                json::object{{"Status", "SUCCEEDED"},
                             {"RoleName", str(role, "RoleName")},
                             {"RoleArn", str(role, "Arn")}}));
  c.out.element("DeletionTaskId", task);
  return {};
}

const Constraint kTaskId{1, 1000, "", nullptr};

Status deletion_status(Call& c) {
  std::string task = PC_TRY(required(c.params, "DeletionTaskId", kTaskId));
  // task/aws-service-role/{service}/{role}/{uuid}: the role's ARN is what is authorized.
  constexpr std::string_view kPrefix = "task/aws-service-role/";
  size_t last = task.rfind('/');
  if (!task.starts_with(kPrefix) || last <= kPrefix.size() ||
      task.find('/', kPrefix.size()) >= last)
    return fail(ErrorCode::kInvalidInput, "Invalid deletion task id " + task + ".");
  std::string role_path = task.substr(std::string_view("task/").size(), last - 5);
  size_t name_at = role_path.rfind('/');
  PC_CHECK(c.authorize(entity_arn(c.account(), "role", "/" + role_path.substr(0, name_at + 1),
                                  role_path.substr(name_at + 1))));
  auto doc = PC_TRY(load(c.txn, kDeletionTasks, task));
  if (!doc) return fail(ErrorCode::kNoSuchEntity, "Deletion task " + task + " cannot be found.");
  c.out.element("Status", str(*doc, "Status"));
  return {};
}

constexpr Op kOps[] = {
    {"CreateServiceLinkedRole", true, create_linked_role},
    {"DeleteServiceLinkedRole", true, delete_linked_role},
    {"GetServiceLinkedRoleDeletionStatus", false, deletion_status},
};

}  // namespace

std::span<const Op> service_role_ops() { return kOps; }

}  // namespace portcullis::iam::api
