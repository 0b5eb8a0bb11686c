// GetAccountAuthorizationDetails: every user, group, role and managed policy with all that
// decides what they may do, in one answer.
#include "iam/api/call.h"
#include "iam/api/entity.h"
#include "iam/api/instance_profile.h"

namespace portcullis::iam::api {

namespace {

void write_inline(Call& c, std::string_view tag, const json::object& doc) {
  c.out.open(tag);
  if (auto it = doc.find("InlinePolicies"); it != doc.end()) {
    for (const auto& [name, text] : obj(it->value())) {
      c.out.open("member");
      c.out.element("PolicyName", name);
      c.out.element("PolicyDocument", url_encode_policy(sv(text)));
      c.out.close();
    }
  }
  c.out.close();
}

void write_attached(Call& c, const json::object& doc) {
  c.out.open("AttachedManagedPolicies");
  if (auto it = doc.find("AttachedPolicies"); it != doc.end()) {
    for (const json::value& a : arr(it->value())) {
      std::string_view arn = sv(a);
      c.out.open("member");
      c.out.element("PolicyName", arn.substr(arn.rfind('/') + 1));
      c.out.element("PolicyArn", arn);
      c.out.close();
    }
  }
  c.out.close();
}

Status details(Call& c) {
  std::vector<std::string> filter = list_param(c.params, "Filter");
  static constexpr std::string_view kFilters[] = {"User", "Role", "Group", "LocalManagedPolicy",
                                                  "AWSManagedPolicy"};
  for (const std::string& f : filter)
    if (std::find(std::begin(kFilters), std::end(kFilters), f) == std::end(kFilters))
      return fail(ErrorCode::kValidationError,
                  "1 validation error detected: Value '[" + f +
                      "]' at 'filter' failed to satisfy constraint: Member must satisfy "
                      "constraint: [Member must satisfy enum value set: [User, Role, "
                      "LocalManagedPolicy, Group, AWSManagedPolicy]]");
  auto wanted = [&](std::string_view f) {
    return filter.empty() || std::find(filter.begin(), filter.end(), f) != filter.end();
  };
  PC_CHECK(page_param(c.params));
  PC_CHECK(c.authorize("*"));

  std::vector<json::object> users = PC_TRY(rows_of(c.txn, kUsers));
  std::vector<json::object> groups = PC_TRY(rows_of(c.txn, kGroups));
  std::vector<json::object> roles = PC_TRY(rows_of(c.txn, kRoles));
  std::vector<json::object> policies = PC_TRY(rows_of(c.txn, kPolicies));

  c.out.open("UserDetailList");
  for (const json::object& u : wanted("User") ? users : std::vector<json::object>{}) {
    c.out.open("member");
    write_fields(c.out, u, {"Path", "UserName", "UserId", "Arn", "CreateDate"});
    write_inline(c, "UserPolicyList", u);
    c.out.open("GroupList");
    for (const json::value& g : arr(u, "Groups")) c.out.element("member", sv(g));
    c.out.close();
    write_attached(c, u);
    write_fields(c.out, u, {"PermissionsBoundary", "Tags"});
    c.out.close();
  }
  c.out.close();

  c.out.open("GroupDetailList");
  for (const json::object& g : wanted("Group") ? groups : std::vector<json::object>{}) {
    c.out.open("member");
    write_fields(c.out, g, {"Path", "GroupName", "GroupId", "Arn", "CreateDate"});
    write_inline(c, "GroupPolicyList", g);
    write_attached(c, g);
    c.out.close();
  }
  c.out.close();

  c.out.open("RoleDetailList");
  for (const json::object& r : wanted("Role") ? roles : std::vector<json::object>{}) {
    c.out.open("member");
    write_fields(c.out, r, {"Path", "RoleName", "RoleId", "Arn", "CreateDate"});
    c.out.element("AssumeRolePolicyDocument",
                  url_encode_policy(str(r, "AssumeRolePolicyDocument")));
    c.out.open("InstanceProfileList");
    for (const json::object& p : PC_TRY(profiles_of_role(c.txn, str(r, "RoleName")))) {
      c.out.open("member");
      PC_CHECK(write_instance_profile(c, p));
      c.out.close();
    }
    c.out.close();
    write_inline(c, "RolePolicyList", r);
    write_attached(c, r);
    write_fields(c.out, r, {"PermissionsBoundary", "Tags", "RoleLastUsed"});
    c.out.close();
  }
  c.out.close();

  // Customer managed policies, and the AWS managed ones something attaches.
  std::vector<std::string> attached_aws;
  for (const auto* list : {&users, &groups, &roles})
    for (const json::object& e : *list)
      for (const json::value& a : arr(e, "AttachedPolicies"))
        if (sv(a).starts_with(kAwsPolicyArnPrefix)) attached_aws.emplace_back(sv(a));
  std::sort(attached_aws.begin(), attached_aws.end());
  attached_aws.erase(std::unique(attached_aws.begin(), attached_aws.end()), attached_aws.end());

  c.out.open("Policies");
  auto write_policy = [&](const json::object& p) {
    c.out.open("member");
    write_fields(c.out, p,
                 {"PolicyName", "PolicyId", "Arn", "Path", "DefaultVersionId", "IsAttachable",
                  "Description", "CreateDate", "UpdateDate"});
    c.out.open("PolicyVersionList");
    for (const json::value& v : arr(p, "Versions")) {
      const json::object& version = obj(v);
      c.out.open("member");
      c.out.element("Document", url_encode_policy(str(version, "Document")));
      write_fields(c.out, version, {"VersionId", "IsDefaultVersion", "CreateDate"});
      c.out.close();
    }
    c.out.close();
    c.out.close();
  };
  if (wanted("LocalManagedPolicy"))
    for (const json::object& p : policies) write_policy(p);
  if (wanted("AWSManagedPolicy")) {
    for (const std::string& arn : attached_aws) {
      for (const AwsManagedPolicy& p : aws_managed_policies()) {
        if (arn.substr(kAwsPolicyArnPrefix.size()) != p.name) continue;
        write_policy(json::object{
            {"PolicyName", p.name},
            {"Arn", arn},
            {"Path", "/"},
            {"DefaultVersionId", "v1"},
            {"IsAttachable", true},
            {"Versions",
             json::array{json::object{
                 {"VersionId", "v1"}, {"Document", p.document}, {"IsDefaultVersion", true}}}}});
      }
    }
  }
  c.out.close();
  c.out.element("IsTruncated", "false");
  return {};
}

constexpr Op kOps[] = {
    {"GetAccountAuthorizationDetails", false, details},
};

}  // namespace

std::span<const Op> account_ops() { return kOps; }

}  // namespace portcullis::iam::api
