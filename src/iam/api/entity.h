// Inside the IAM API: what the operations on users, groups and roles share (the entity a call
// names, its ARN, its document, and how it is written).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "iam/api/call.h"

namespace portcullis::iam::api {

using K = EntityKind;

std::string name_param(K k);
const Constraint& name_constraint(K k);
Error no_such(K k, std::string_view name);

// The entity named by a call, loaded (it may not exist), and its ARN for authorization.
struct Target {
  std::string name;
  std::optional<json::object> doc;
  std::string arn;
};
Result<Target> target(Call& c, K k, std::string_view name);
// Reads the name parameter, authorizes on the entity and requires that it exists.
Result<Target> existing(Call& c, K k, std::string_view param = {});
Status store_entity(Call& c, K k, const json::object& doc);
// Service-linked roles live under /aws-service-role/{service}/ (CreateServiceLinkedRole); only
// their description may change, as on AWS: anything else answers UnmodifiableEntity.
bool is_service_linked(const json::object& role);
Status check_modifiable(K k, const json::object& doc);
// The fields AWS returns for each kind, in its order.
void write_entity(protocol::XmlWriter& out, K k, const json::object& doc);
// A managed policy by ARN (AWS or customer managed), if it exists.
Result<bool> policy_exists(Call& c, std::string_view arn);
// The PermissionsBoundary parameter, checked, as the document member.
Result<json::object> boundary_param(Call& c);
json::array& array_member(json::object& doc, std::string_view key);
json::object& object_member(json::object& doc, std::string_view key);
// Every document of a table; an error when the scan fails or a row is not a JSON object.
Result<std::vector<json::object>> rows_of(store::Transaction& txn, std::string_view table);

}  // namespace portcullis::iam::api
