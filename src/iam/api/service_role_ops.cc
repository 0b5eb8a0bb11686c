// Service-linked roles: real roles at /aws-service-role/{service}/ named as AWS names them,
// trusted by the service, deleted (at once) by DeleteServiceLinkedRole.
#include "core/ids.h"
#include "iam/api/entity.h"
#include "iam/api/instance_profile.h"

namespace portcullis::iam::api {

namespace {

// Key: the DeletionTaskId. Document: Status, RoleName, RoleArn.
constexpr std::string_view kDeletionTasks = "iam.deletiontasks";

// The names AWS gives the service-linked roles of the services it documents them for.
struct LinkedService {
  std::string_view principal;
  std::string_view role_name;
  bool suffix;  // whether AWS takes a CustomSuffix for it
};
constexpr LinkedService kLinkedServices[] = {
    {"access-analyzer.amazonaws.com", "AWSServiceRoleForAccessAnalyzer", false},
    {"autoscaling.amazonaws.com", "AWSServiceRoleForAutoScaling", true},
    {"backup.amazonaws.com", "AWSServiceRoleForBackup", false},
    {"cloudtrail.amazonaws.com", "AWSServiceRoleForCloudTrail", false},
    {"config.amazonaws.com", "AWSServiceRoleForConfig", false},
    {"dynamodb.application-autoscaling.amazonaws.com",
     "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable", false},
    {"ecs.application-autoscaling.amazonaws.com",
     "AWSServiceRoleForApplicationAutoScaling_ECSService", false},
    {"ecs.amazonaws.com", "AWSServiceRoleForECS", false},
    {"eks.amazonaws.com", "AWSServiceRoleForAmazonEKS", false},
    {"eks-nodegroup.amazonaws.com", "AWSServiceRoleForAmazonEKSNodegroup", false},
    {"elasticache.amazonaws.com", "AWSServiceRoleForElastiCache", false},
    {"elasticbeanstalk.amazonaws.com", "AWSServiceRoleForElasticBeanstalk", true},
    {"elasticloadbalancing.amazonaws.com", "AWSServiceRoleForElasticLoadBalancing", false},
    {"elasticmapreduce.amazonaws.com", "AWSServiceRoleForEMRCleanup", false},
    {"es.amazonaws.com", "AWSServiceRoleForAmazonElasticsearchService", false},
    {"opensearchservice.amazonaws.com", "AWSServiceRoleForAmazonOpenSearchService", false},
    {"guardduty.amazonaws.com", "AWSServiceRoleForAmazonGuardDuty", false},
    {"inspector2.amazonaws.com", "AWSServiceRoleForAmazonInspector2", false},
    {"kafka.amazonaws.com", "AWSServiceRoleForKafka", false},
    {"lakeformation.amazonaws.com", "AWSServiceRoleForLakeFormationDataAccess", false},
    {"macie.amazonaws.com", "AWSServiceRoleForAmazonMacie", false},
    {"ops.apigateway.amazonaws.com", "AWSServiceRoleForAPIGateway", false},
    {"organizations.amazonaws.com", "AWSServiceRoleForOrganizations", false},
    {"rds.amazonaws.com", "AWSServiceRoleForRDS", false},
    {"redshift.amazonaws.com", "AWSServiceRoleForRedshift", false},
    {"securityhub.amazonaws.com", "AWSServiceRoleForSecurityHub", false},
    {"spot.amazonaws.com", "AWSServiceRoleForEC2Spot", false},
    {"spotfleet.amazonaws.com", "AWSServiceRoleForEC2SpotFleet", false},
    {"ssm.amazonaws.com", "AWSServiceRoleForAmazonSSM", false},
    {"sso.amazonaws.com", "AWSServiceRoleForSSO", false},
    {"support.amazonaws.com", "AWSServiceRoleForSupport", false},
    {"trustedadvisor.amazonaws.com", "AWSServiceRoleForTrustedAdvisor", false},
};

// Service principals that exist but have no service-linked role: AWS refuses them.
constexpr std::string_view kNoLinkedRole[] = {
    "ec2.amazonaws.com", "lambda.amazonaws.com", "s3.amazonaws.com", "iam.amazonaws.com",
    "sts.amazonaws.com", "apigateway.amazonaws.com", "edgelambda.amazonaws.com",
};

// "my-service.amazonaws.com" → "AWSServiceRoleForMyService": for services outside the table, the
// labels before ".amazonaws.com" in CamelCase, innermost last (AWS's most common pattern).
std::string derived_role_name(std::string_view principal) {
  std::string_view head = principal.substr(0, principal.size() - std::string_view(".amazonaws.com").size());
  std::vector<std::string_view> labels;
  while (!head.empty()) {
    size_t dot = head.rfind('.');
    labels.push_back(dot == std::string_view::npos ? head : head.substr(dot + 1));
    head = dot == std::string_view::npos ? std::string_view() : head.substr(0, dot);
  }
  std::string name = "AWSServiceRoleFor";
  for (std::string_view label : labels) {
    bool upper = true;
    for (char ch : label) {
      if (ch == '-' || ch == '_') {
        upper = true;
        continue;
      }
      name += upper && ch >= 'a' && ch <= 'z' ? static_cast<char>(ch - 32) : ch;
      upper = false;
    }
  }
  return name;
}

bool valid_principal(std::string_view s) {
  constexpr std::string_view kSuffix = ".amazonaws.com";
  if (!s.ends_with(kSuffix) || s.size() == kSuffix.size()) return false;
  for (std::string_view n : kNoLinkedRole)
    if (n == s) return false;
  for (char ch : s.substr(0, s.size() - kSuffix.size()))
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '.'))
      return false;
  return true;
}

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
  if (!valid_principal(service))
    return fail(ErrorCode::kInvalidInput,
                "Unrecognized service principal " + service +
                    ": it is not an AWS service that supports service-linked roles.");
  const LinkedService* known = nullptr;
  for (const LinkedService& s : kLinkedServices)
    if (s.principal == service) known = &s;
  std::string name = known ? std::string(known->role_name) : derived_role_name(service);
  if (suffix) {
    if (known && !known->suffix)
      return fail(ErrorCode::kInvalidInput, "Custom suffix is not allowed for " + service);
    name += "_" + *suffix;
  }
  if (name.size() > 64)
    return fail(ErrorCode::kInvalidInput,
                "Role name " + name + " is longer than 64 characters; use a shorter suffix.");
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
  std::string task = "task/aws-service-role/" + service + "/" +
                     std::string(str(role, "RoleName")) + "/" + ids::request_id();
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
  if (!doc)
    return fail(ErrorCode::kNoSuchEntity, "Deletion task " + task + " cannot be found.");
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
