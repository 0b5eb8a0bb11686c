// Access-advisor reports (the services permission policies allow; use is not tracked), the
// policies granting a service, and the Organizations reports an account outside one cannot have.
#include "core/ids.h"
#include "iam/api/entity_policies.h"
#include "iam/policy/wildcard.h"

namespace portcullis::iam::api {

namespace {

// Key: the JobId. Document: JobType, JobCreationDate, JobCompletionDate, Arn, Services
// [{ServiceName, ServiceNamespace}], Entities [EntityInfo].
constexpr std::string_view kJobs = "iam.accessjobs";

// Service namespaces and the names AWS gives them in these reports; a wildcard action stands
// for the namespaces it matches here, an explicit one for itself.
constexpr std::pair<std::string_view, std::string_view> kServices[] = {
    {"apigateway", "Amazon API Gateway"},
    {"athena", "Amazon Athena"},
    {"autoscaling", "Amazon EC2 Auto Scaling"},
    {"cloudformation", "AWS CloudFormation"},
    {"cloudfront", "Amazon CloudFront"},
    {"cloudtrail", "AWS CloudTrail"},
    {"cloudwatch", "Amazon CloudWatch"},
    {"codebuild", "AWS CodeBuild"},
    {"codecommit", "AWS CodeCommit"},
    {"codepipeline", "AWS CodePipeline"},
    {"cognito-identity", "Amazon Cognito Identity"},
    {"dynamodb", "Amazon DynamoDB"},
    {"ec2", "Amazon EC2"},
    {"ecr", "Amazon Elastic Container Registry"},
    {"ecs", "Amazon Elastic Container Service"},
    {"eks", "Amazon Elastic Kubernetes Service"},
    {"elasticloadbalancing", "Elastic Load Balancing"},
    {"events", "Amazon EventBridge"},
    {"execute-api", "Amazon API Gateway"},
    {"firehose", "Amazon Kinesis Firehose"},
    {"glue", "AWS Glue"},
    {"iam", "AWS Identity and Access Management"},
    {"kinesis", "Amazon Kinesis"},
    {"kms", "AWS Key Management Service"},
    {"lambda", "AWS Lambda"},
    {"logs", "Amazon CloudWatch Logs"},
    {"organizations", "AWS Organizations"},
    {"rds", "Amazon RDS"},
    {"route53", "Amazon Route 53"},
    {"s3", "Amazon S3"},
    {"secretsmanager", "AWS Secrets Manager"},
    {"sns", "Amazon SNS"},
    {"sqs", "Amazon SQS"},
    {"ssm", "AWS Systems Manager"},
    {"states", "AWS Step Functions"},
    {"sts", "AWS Security Token Service"},
};

std::string service_name(std::string_view ns) {
  for (const auto& [n, name] : kServices)
    if (n == ns) return std::string(name);
  return std::string(ns);
}

// The namespaces an action pattern ("s3:Get*", "*", "s*:*") reaches, and whether it reaches
// every action of `ns` (for NotAction).
std::string_view service_part(std::string_view action) {
  size_t colon = action.find(':');
  return colon == std::string_view::npos ? action : action.substr(0, colon);
}
bool covers_all(std::string_view action, std::string_view ns) {
  if (action == "*") return true;
  size_t colon = action.find(':');
  return colon != std::string_view::npos && action.substr(colon + 1) == "*" &&
         wildcard_match(action.substr(0, colon), ns, true);
}

// Whether a statement of an identity policy allows some action of `ns`.
bool grants(const Statement& s, std::string_view ns) {
  if (s.effect != Effect::kAllow) return false;
  if (s.not_action) {
    for (const std::string& a : s.actions)
      if (covers_all(a, ns)) return false;
    return true;
  }
  for (const std::string& a : s.actions)
    if (wildcard_match(service_part(a), ns, true)) return true;
  return false;
}

bool policy_grants(std::string_view document, std::string_view ns) {
  auto p = parse_policy(document, PolicyKind::kIdentity);
  if (!p) return false;  // stored documents were validated; nothing is granted by a bad one
  for (const Statement& s : p->statements)
    if (grants(s, ns)) return true;
  return false;
}

// The namespaces the policies allow something of: the catalogue's, and any named explicitly.
std::vector<std::string> granted_namespaces(const std::vector<SourcePolicy>& policies) {
  std::vector<std::string> candidates;
  for (const auto& [ns, name] : kServices) candidates.emplace_back(ns);
  for (const SourcePolicy& sp : policies) {
    auto p = parse_policy(sp.document, PolicyKind::kIdentity);
    if (!p) continue;
    for (const Statement& s : p->statements)
      if (!s.not_action)
        for (const std::string& a : s.actions) {
          std::string_view part = service_part(a);
          if (part.find_first_of("*?") == std::string_view::npos) candidates.emplace_back(part);
        }
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  std::vector<std::string> out;
  for (const std::string& ns : candidates)
    for (const SourcePolicy& sp : policies)
      if (policy_grants(sp.document, ns)) {
        out.push_back(ns);
        break;
      }
  return out;
}

json::object entity_info(const json::object& doc, std::string_view type) {
  std::string_view noun = type == "USER" ? "User" : type == "ROLE" ? "Role" : "Group";
  return json::object{{"Arn", str(doc, "Arn")},
                      {"Name", str(doc, std::string(noun) + "Name")},
                      {"Type", type},
                      {"Id", str(doc, std::string(noun) + "Id")},
                      {"Path", str(doc, "Path")}};
}

bool holds(const json::object& doc, std::string_view key, std::string_view value) {
  auto it = doc.find(key);
  if (it == doc.end() || !it->value().is_array()) return false;
  for (const json::value& v : it->value().get_array())
    if (const json::string* s = v.if_string(); s && lower(*s) == lower(value)) return true;
  return false;
}

// Who could have used the target's permissions: a group's members; a policy's users (directly
// or through a group) and roles; a user or role itself.
Result<json::array> entities_of(Call& c, const ArnTarget& t) {
  json::array out;
  if (t.type == ArnTarget::Type::kUser || t.type == ArnTarget::Type::kRole) {
    out.push_back(entity_info(t.doc, owner_type(t.type)));
    return out;
  }
  const std::string arn(str(t.doc, "Arn"));
  std::vector<std::string> groups;  // attaching the policy
  if (t.type == ArnTarget::Type::kPolicy) {
    for (const json::object& g : PC_TRY(rows_of(c.txn, kGroups)))
      if (holds(g, "AttachedPolicies", arn)) groups.emplace_back(str(g, "GroupName"));
  } else {
    groups.push_back(t.name);
  }
  for (const json::object& u : PC_TRY(rows_of(c.txn, kUsers))) {
    bool in = t.type == ArnTarget::Type::kPolicy && holds(u, "AttachedPolicies", arn);
    for (const std::string& g : groups) in = in || holds(u, "Groups", g);
    if (in) out.push_back(entity_info(u, "USER"));
  }
  if (t.type == ArnTarget::Type::kPolicy) {
    for (const json::object& r : PC_TRY(rows_of(c.txn, kRoles)))
      if (holds(r, "AttachedPolicies", arn)) out.push_back(entity_info(r, "ROLE"));
  }
  return out;
}

Status generate_last_accessed(Call& c) {
  std::string arn = PC_TRY(required(c.params, "Arn", kArn));
  std::string granularity =
      PC_TRY(optional(c.params, "Granularity", kDescription)).value_or("SERVICE_LEVEL");
  if (granularity != "SERVICE_LEVEL" && granularity != "ACTION_LEVEL")
    return fail(ErrorCode::kValidationError,
                "1 validation error detected: Value '" + granularity +
                    "' at 'granularity' failed to satisfy constraint: Member must satisfy enum "
                    "value set: [SERVICE_LEVEL, ACTION_LEVEL]");
  PC_CHECK(c.authorize(arn));
  ArnTarget t = PC_TRY(resolve_arn(c, arn, true));
  std::vector<SourcePolicy> policies = PC_TRY(policies_of(c, t));
  json::array services;
  for (const std::string& ns : granted_namespaces(policies))
    services.push_back(json::object{{"ServiceName", service_name(ns)}, {"ServiceNamespace", ns}});
  const std::string job = ids::request_id();
  PC_CHECK(save(c.txn, kJobs, job,
                json::object{{"JobType", granularity},
                             {"JobCreationDate", iso_now(c)},
                             {"JobCompletionDate", iso_now(c)},
                             {"Arn", arn},
                             {"Services", std::move(services)},
                             {"Entities", PC_TRY(entities_of(c, t))}}));
  c.out.element("JobId", job);
  return {};
}

const Constraint kJobId{36, 36, "", nullptr};

Result<json::object> job_param(Call& c) {
  std::string id = PC_TRY(required(c.params, "JobId", kJobId));
  PC_CHECK(c.authorize("*"));
  auto job = PC_TRY(load(c.txn, kJobs, id));
  if (!job) return fail(ErrorCode::kNoSuchEntity, "The job with id " + id + " cannot be found.");
  return std::move(*job);
}

std::vector<json::object> objects(const json::object& doc, std::string_view key) {
  std::vector<json::object> out;
  if (auto it = doc.find(key); it != doc.end() && it->value().is_array())
    for (const json::value& v : it->value().get_array())
      if (const json::object* o = v.if_object()) out.push_back(*o);
  return out;
}

Status get_last_accessed(Call& c) {
  Page page = PC_TRY(page_param(c.params));
  json::object job = PC_TRY(job_param(c));
  c.out.element("JobStatus", "COMPLETED");
  write_fields(c.out, job, {"JobType", "JobCreationDate", "JobCompletionDate"});
  write_page(
      c.out, "ServicesLastAccessed", page, objects(job, "Services"),
      [](const json::object& s) { return std::string(str(s, "ServiceNamespace")); },
      [&](const json::object& s) {
        write_fields(c.out, s, {"ServiceName", "ServiceNamespace"});
        c.out.element("TotalAuthenticatedEntities", "0");
      });
  return {};
}

bool valid_namespace_char(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
         ch == '_' || ch == '-';
}
const Constraint kNamespace{1, 64, "[\\w-]*", valid_namespace_char};

Status get_last_accessed_entities(Call& c) {
  std::string ns = PC_TRY(required(c.params, "ServiceNamespace", kNamespace));
  Page page = PC_TRY(page_param(c.params));
  json::object job = PC_TRY(job_param(c));
  bool granted = false;
  for (const json::object& s : objects(job, "Services"))
    granted = granted || str(s, "ServiceNamespace") == ns;
  c.out.element("JobStatus", "COMPLETED");
  write_fields(c.out, job, {"JobCreationDate", "JobCompletionDate"});
  std::vector<json::object> entities;
  if (granted) entities = objects(job, "Entities");
  write_page(
      c.out, "EntityDetailsList", page, entities,
      [](const json::object& e) { return std::string(str(e, "Arn")); },
      [&](const json::object& e) {
        c.out.open("EntityInfo");
        write_fields(c.out, e, {"Arn", "Name", "Type", "Id", "Path"});
        c.out.close();
      });
  return {};
}

// --- Organizations ---------------------------------------------------------------------------

bool org_path_char(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '/';
}
const Constraint kEntityPath{19, 427, "^o-[0-9a-z]{10,32}\\/r-[0-9a-z]{4,32}[0-9a-z-\\/]*",
                             org_path_char};

Status generate_org_report(Call& c) {
  std::string path = PC_TRY(required(c.params, "EntityPath", kEntityPath));
  if (!path.starts_with("o-") || path.find("/r-") == std::string::npos)
    return fail(ErrorCode::kValidationError,
                "1 validation error detected: Value '" + path +
                    "' at 'entityPath' failed to satisfy constraint: Member must satisfy regular "
                    "expression pattern: " +
                    std::string(kEntityPath.pattern_name));
  if (auto id = c.params.get("OrganizationsPolicyId")) {
    bool ok = id->starts_with("p-") && id->size() >= 10 && id->size() <= 130;
    for (char ch : id->substr(std::min<size_t>(2, id->size())))
      ok = ok && (valid_namespace_char(ch) && ch != '-');
    if (!ok)
      return fail(ErrorCode::kValidationError,
                  "1 validation error detected: Value '" + std::string(*id) +
                      "' at 'organizationsPolicyId' failed to satisfy constraint: Member must "
                      "satisfy regular expression pattern: ^p-[0-9a-zA-Z_]{8,128}$");
  }
  PC_CHECK(c.authorize("arn:aws:iam::" + c.account() + ":access-report/" + path));
  // No AWS Organizations here: the account belongs to no organization.
  return fail(ErrorCode::kOrganizationsNotInUse,
              "Your account is not a member of an organization.");
}

Status get_org_report(Call& c) {
  std::string id = PC_TRY(required(c.params, "JobId", kJobId));
  PC_CHECK(page_param(c.params));
  if (auto sort = c.params.get("SortKey")) {
    static constexpr std::string_view kKeys[] = {
        "SERVICE_NAMESPACE_ASCENDING", "SERVICE_NAMESPACE_DESCENDING",
        "LAST_AUTHENTICATED_TIME_ASCENDING", "LAST_AUTHENTICATED_TIME_DESCENDING"};
    if (std::find(std::begin(kKeys), std::end(kKeys), *sort) == std::end(kKeys))
      return fail(ErrorCode::kValidationError,
                  "1 validation error detected: Value '" + std::string(*sort) +
                      "' at 'sortKey' failed to satisfy constraint: Member must satisfy enum "
                      "value set: [SERVICE_NAMESPACE_ASCENDING, SERVICE_NAMESPACE_DESCENDING, "
                      "LAST_AUTHENTICATED_TIME_ASCENDING, LAST_AUTHENTICATED_TIME_DESCENDING]");
  }
  PC_CHECK(c.authorize("*"));
  return fail(ErrorCode::kNoSuchEntity, "The job with id " + id + " cannot be found.");
}

// --- ListPoliciesGrantingServiceAccess -------------------------------------------------------

Status policies_granting(Call& c) {
  std::string arn = PC_TRY(required(c.params, "Arn", kArn));
  std::vector<std::string> namespaces = list_param(c.params, "ServiceNamespaces");
  if (namespaces.empty())
    return fail(ErrorCode::kValidationError,
                "1 validation error detected: Value null at 'serviceNamespaces' failed to "
                "satisfy constraint: Member must not be null");
  if (namespaces.size() > 200)
    return fail(ErrorCode::kValidationError,
                "1 validation error detected: Value at 'serviceNamespaces' failed to satisfy "
                "constraint: Member must have length less than or equal to 200");
  for (size_t i = 0; i < namespaces.size(); ++i)
    PC_CHECK(
        check(namespaces[i], kNamespace, "serviceNamespaces." + std::to_string(i + 1) + ".member"));
  PC_CHECK(optional(c.params, "Marker", kMarker));
  PC_CHECK(c.authorize(arn));
  ArnTarget t = PC_TRY(resolve_arn(c, arn, false));
  std::vector<SourcePolicy> policies = PC_TRY(policies_of(c, t));
  c.out.open("PoliciesGrantingServiceAccess");
  for (const std::string& ns : namespaces) {
    c.out.open("member");
    c.out.element("ServiceNamespace", ns);
    c.out.open("Policies");
    for (const SourcePolicy& p : policies) {
      if (!policy_grants(p.document, ns)) continue;
      c.out.open("member");
      c.out.element("PolicyName", p.name);
      c.out.element("PolicyType", p.managed ? "MANAGED" : "INLINE");
      if (p.managed) {
        c.out.element("PolicyArn", p.arn);
      } else {
        c.out.element("EntityType", p.owner_type);
        c.out.element("EntityName", p.owner_name);
      }
      c.out.close();
    }
    c.out.close();
    c.out.close();
  }
  c.out.close();
  c.out.element("IsTruncated", "false");
  return {};
}

constexpr Op kOps[] = {
    {"GenerateServiceLastAccessedDetails", true, generate_last_accessed},
    {"GetServiceLastAccessedDetails", false, get_last_accessed},
    {"GetServiceLastAccessedDetailsWithEntities", false, get_last_accessed_entities},
    {"GenerateOrganizationsAccessReport", false, generate_org_report},
    {"GetOrganizationsAccessReport", false, get_org_report},
    {"ListPoliciesGrantingServiceAccess", false, policies_granting},
};

}  // namespace

std::span<const Op> access_report_ops() { return kOps; }

}  // namespace portcullis::iam::api
