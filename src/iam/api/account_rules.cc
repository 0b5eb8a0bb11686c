// Rules of the account-level IAM operations that need no store: the names of service-linked
// roles, the account alias pattern, and the condition keys a policy document names.
#include "iam/api/account_rules.h"

#include <boost/json.hpp>

#include "iam/entities.h"

namespace portcullis::iam::api {

namespace {

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
    "ec2.amazonaws.com",        "lambda.amazonaws.com", "s3.amazonaws.com",
    "iam.amazonaws.com",        "sts.amazonaws.com",    "apigateway.amazonaws.com",
    "edgelambda.amazonaws.com",
};

// "my-service.amazonaws.com" → "AWSServiceRoleForMyService": for services outside the table, the
// labels before ".amazonaws.com" in CamelCase, innermost last (AWS's most common pattern).
std::string derived_role_name(std::string_view principal) {
  std::string_view head =
      principal.substr(0, principal.size() - std::string_view(".amazonaws.com").size());
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
      if (ch == '-') {
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

// The keys a policy variable names in `text` ("${aws:username}", "${aws:PrincipalTag/x, 'd'}").
void variable_keys(std::string_view text, std::vector<std::string>& out) {
  for (size_t open = text.find("${"); open != std::string_view::npos;
       open = text.find("${", open + 2)) {
    size_t close = text.find('}', open + 2);
    if (close == std::string_view::npos) return;
    std::string_view body = text.substr(open + 2, close - open - 2);
    body = body.substr(0, body.find(','));
    while (!body.empty() && body.back() == ' ') body.remove_suffix(1);
    while (!body.empty() && body.front() == ' ') body.remove_prefix(1);
    if (body.find(':') != std::string_view::npos) out.emplace_back(body);
  }
}

void string_keys(const json::value& v, std::vector<std::string>& out) {
  if (const json::string* s = v.if_string()) variable_keys(*s, out);
  if (const json::array* a = v.if_array())
    for (const json::value& e : *a) string_keys(e, out);
}

}  // namespace

// The condition keys of a (valid) policy document as written, in the order they appear: the
// keys of its Condition blocks and, in version 2012-10-17, those its policy variables name.
// The compiled policy keeps keys in lower case, so names are read from the document itself.
void policy_context_keys(std::string_view document, std::vector<std::string>& out) {
  boost::system::error_code ec;
  json::value root = json::parse(document, ec);
  const json::object* o = ec ? nullptr : root.if_object();
  if (!o) return;
  const bool variables = o->contains("Version") && str(*o, "Version") == "2012-10-17";
  auto statements = o->find("Statement");
  if (statements == o->end()) return;
  std::vector<const json::object*> list;
  if (const json::object* one = statements->value().if_object()) list.push_back(one);
  if (const json::array* many = statements->value().if_array())
    for (const json::value& s : *many)
      if (const json::object* so = s.if_object()) list.push_back(so);
  for (const json::object* s : list) {
    for (const auto& [member, value] : *s) {
      if (variables && (member == "Resource" || member == "NotResource")) string_keys(value, out);
      if (member != "Condition" || !value.is_object()) continue;
      for (const auto& [op, block] : value.get_object()) {
        if (!block.is_object()) continue;
        for (const auto& [key, values] : block.get_object()) {
          out.emplace_back(key);
          if (variables) string_keys(values, out);
        }
      }
    }
  }
}

Result<std::string> service_linked_role_name(std::string_view service,
                                             const std::optional<std::string>& suffix) {
  if (!valid_principal(service))
    return fail(ErrorCode::kInvalidInput,
                "Unrecognized service principal " + std::string(service) +
                    ": it is not an AWS service that supports service-linked roles.");
  const LinkedService* known = nullptr;
  for (const LinkedService& s : kLinkedServices)
    if (s.principal == service) known = &s;
  std::string name = known ? std::string(known->role_name) : derived_role_name(service);
  if (suffix) {
    if (known && !known->suffix)
      return fail(ErrorCode::kInvalidInput,
                  "Custom suffix is not allowed for " + std::string(service));
    name += "_" + *suffix;
  }
  if (name.size() > 64)
    return fail(ErrorCode::kInvalidInput,
                "Role name " + name + " is longer than 64 characters; use a shorter suffix.");
  return name;
}

bool valid_account_alias(std::string_view alias) {
  auto alnum = [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'); };
  if (alias.empty() || !alnum(alias.front()) || !alnum(alias.back())) return false;
  for (size_t i = 0; i < alias.size(); ++i)
    if (!alnum(alias[i]) && !(alias[i] == '-' && i + 1 < alias.size() && alias[i + 1] != '-'))
      return false;
  return true;
}

}  // namespace portcullis::iam::api
