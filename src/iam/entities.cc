#include "iam/entities.h"

#include <boost/json.hpp>

#include "core/encoding.h"

namespace portcullis::iam {

const KindInfo& kind_info(EntityKind kind) {
  // Inline quotas: 2,048 characters for users, 5,120 for groups, 10,240 for roles.
  static const KindInfo kInfo[] = {
      {EntityKind::kUser, kUsers, "user", "User", "AIDA", 2048, 10},
      {EntityKind::kGroup, kGroups, "group", "Group", "AGPA", 5120, 10},
      {EntityKind::kRole, kRoles, "role", "Role", "AROA", 10240, 10},
  };
  return kInfo[static_cast<int>(kind)];
}

std::string lower(std::string_view s) { return to_lower(s); }

std::string entity_arn(std::string_view account, std::string_view noun, std::string_view path,
                       std::string_view name) {
  std::string arn = "arn:aws:iam::";
  arn += account;
  arn += ':';
  arn += noun;
  arn += path.empty() ? std::string_view("/") : path;
  arn += name;
  return arn;
}

Result<std::optional<json::object>> load(store::Transaction& txn, std::string_view table,
                                         std::string_view key) {
  auto text = PC_TRY(txn.get(table, key));
  if (!text) return std::optional<json::object>();
  return std::optional<json::object>(PC_TRY(parse_doc(table, key, *text)));
}

Result<json::object> parse_doc(std::string_view table, std::string_view key,
                               std::string_view text) {
  return json_read::parse_object(text, std::string(table) + "/" + std::string(key));
}

Status save(store::Transaction& txn, std::string_view table, std::string_view key,
            const json::object& doc) {
  return txn.put(table, key, json::serialize(doc));
}

std::string_view str(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return {};
  return it->value().get_string();
}

std::span<const AwsManagedPolicy> aws_managed_policies() {
  static const AwsManagedPolicy kPolicies[] = {
      {"AdministratorAccess", "Provides full access to AWS services and resources.",
       R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})"},
      {"IAMFullAccess", "Provides full access to IAM.",
       R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*"],"Resource":"*"}]})"},
      {"IAMReadOnlyAccess", "Provides read only access to IAM.",
       R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GenerateCredentialReport","iam:GenerateServiceLastAccessedDetails","iam:Get*","iam:List*","iam:SimulateCustomPolicy","iam:SimulatePrincipalPolicy"],"Resource":"*"}]})"},
      {"AmazonAPIGatewayAdministrator",
       "Provides full access to create/edit/delete APIs in Amazon API Gateway.",
       R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["apigateway:*"],"Resource":"arn:aws:apigateway:*::/*"}]})"},
      {"AmazonAPIGatewayInvokeFullAccess",
       "Provides full access to invoke APIs in Amazon API Gateway.",
       R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["execute-api:Invoke","execute-api:ManageConnections"],"Resource":"arn:aws:execute-api:*:*:*"}]})"},
  };
  return kPolicies;
}

}  // namespace portcullis::iam
