// The policies of users, groups and roles: inline policies, attached managed policies and
// permissions boundaries.
#include <algorithm>

#include "iam/api/entity.h"

namespace portcullis::iam::api {

namespace {

std::unexpected<Error> no_such_inline(K k, std::string_view name) {
  return fail(ErrorCode::kNoSuchEntity, "The " + std::string(kind_info(k).noun) +
                                            " policy with name " + std::string(name) +
                                            " cannot be found.");
}

// --- Inline policies ------------------------------------------------------------------------

template <K k>
Status put_inline(Call& c) {
  const KindInfo& info = kind_info(k);
  auto policy_name = PC_TRY(required(c.params, "PolicyName", kPolicyName));
  auto document = PC_TRY(required(c.params, "PolicyDocument", kPolicyDocument));
  PC_CHECK(check_policy_document(document, PolicyKind::kIdentity));
  auto t = PC_TRY(existing(c, k));
  PC_CHECK(check_modifiable(k, (*t.doc)));
  c.has_result = false;
  json::object& inline_policies = object_member(*t.doc, "InlinePolicies");
  inline_policies[policy_name] = document;
  size_t total = 0;
  for (const auto& [n, d] : inline_policies) total += policy_size(sv(d));
  if (total > info.max_inline_bytes)
    return fail(ErrorCode::kLimitExceeded,
                "Maximum policy size of " + std::to_string(info.max_inline_bytes) +
                    " bytes exceeded for " + std::string(info.noun) + " " + t.name);
  return store_entity(c, k, *t.doc);
}

template <K k>
Status get_inline(Call& c) {
  auto policy_name = PC_TRY(required(c.params, "PolicyName", kPolicyName));
  auto t = PC_TRY(existing(c, k));
  const json::object& inline_policies = object_member(*t.doc, "InlinePolicies");
  auto it = inline_policies.find(policy_name);
  if (it == inline_policies.end()) return no_such_inline(k, policy_name);
  c.out.element(name_param(k), str(*t.doc, name_param(k)));
  c.out.element("PolicyName", policy_name);
  c.out.element("PolicyDocument", url_encode_policy(sv(it->value())));
  return {};
}

template <K k>
Status delete_inline(Call& c) {
  auto policy_name = PC_TRY(required(c.params, "PolicyName", kPolicyName));
  auto t = PC_TRY(existing(c, k));
  PC_CHECK(check_modifiable(k, (*t.doc)));
  c.has_result = false;
  json::object& inline_policies = object_member(*t.doc, "InlinePolicies");
  if (!inline_policies.erase(policy_name)) return no_such_inline(k, policy_name);
  return store_entity(c, k, *t.doc);
}

template <K k>
Status list_inline(Call& c) {
  auto page = PC_TRY(page_param(c.params));
  auto t = PC_TRY(existing(c, k));
  std::vector<json::object> items;
  for (const auto& [n, d] : object_member(*t.doc, "InlinePolicies"))
    items.push_back(json::object{{"PolicyName", n}});
  std::sort(items.begin(), items.end(), [](const json::object& a, const json::object& b) {
    return str(a, "PolicyName") < str(b, "PolicyName");
  });
  write_page(
      c.out, "PolicyNames", page, items,
      [](const json::object& d) { return std::string(str(d, "PolicyName")); },
      [&](const json::object& d) { c.out.text(str(d, "PolicyName")); });
  return {};
}

// --- Attached managed policies --------------------------------------------------------------

template <K k>
Status attach(Call& c) {
  const KindInfo& info = kind_info(k);
  auto arn = PC_TRY(required(c.params, "PolicyArn", kArn));
  c.context.set("iam:PolicyARN", arn);
  auto t = PC_TRY(existing(c, k));
  PC_CHECK(check_modifiable(k, (*t.doc)));
  c.has_result = false;
  auto exists = PC_TRY(policy_exists(c, arn));
  if (!exists)
    return fail(ErrorCode::kNoSuchEntity,
                "Policy " + arn + " does not exist or is not attachable.");
  json::array& attached = array_member(*t.doc, "AttachedPolicies");
  for (const json::value& a : attached)
    if (sv(a) == arn) return {};
  if (attached.size() >= info.max_attached)
    return fail(ErrorCode::kLimitExceeded, "Cannot exceed quota for PoliciesPer" +
                                               std::string(info.Noun) + ": " +
                                               std::to_string(info.max_attached));
  attached.emplace_back(arn);
  return store_entity(c, k, *t.doc);
}

template <K k>
Status detach(Call& c) {
  auto arn = PC_TRY(required(c.params, "PolicyArn", kArn));
  c.context.set("iam:PolicyARN", arn);
  auto t = PC_TRY(existing(c, k));
  PC_CHECK(check_modifiable(k, (*t.doc)));
  c.has_result = false;
  json::array& attached = array_member(*t.doc, "AttachedPolicies");
  auto it = std::find_if(attached.begin(), attached.end(),
                         [&](const json::value& a) { return sv(a) == arn; });
  if (it == attached.end())
    return fail(ErrorCode::kNoSuchEntity, "Policy " + arn + " was not found.");
  attached.erase(it);
  return store_entity(c, k, *t.doc);
}

template <K k>
Status list_attached(Call& c) {
  auto prefix = PC_TRY(optional(c.params, "PathPrefix", kPathPrefix));
  auto page = PC_TRY(page_param(c.params));
  auto t = PC_TRY(existing(c, k));
  std::vector<json::object> items;
  for (const json::value& a : array_member(*t.doc, "AttachedPolicies")) {
    std::string_view arn = sv(a);
    size_t at = arn.find(":policy");
    if (at == std::string_view::npos) continue;  // not a policy ARN: nothing to list
    std::string_view resource = arn.substr(at + 7);  // path + name
    std::string_view path = resource.substr(0, resource.rfind('/') + 1);
    if (prefix && !path.starts_with(*prefix)) continue;
    items.push_back(
        json::object{{"PolicyName", resource.substr(resource.rfind('/') + 1)}, {"PolicyArn", arn}});
  }
  write_page(c.out, "AttachedPolicies", page, items, nullptr, [&](const json::object& d) {
    write_fields(c.out, d, {"PolicyName", "PolicyArn"});
  });
  return {};
}

// --- Permissions boundaries (users and roles) -------------------------------------------------

template <K k>
Status put_boundary(Call& c) {
  if (auto b = c.params.get("PermissionsBoundary"))
    c.context.set("iam:PermissionsBoundary", std::string(*b));
  auto t = PC_TRY(existing(c, k));
  PC_CHECK(check_modifiable(k, (*t.doc)));
  c.has_result = false;
  auto b = PC_TRY(boundary_param(c));
  (*t.doc)["PermissionsBoundary"] = std::move(b);
  return store_entity(c, k, *t.doc);
}

template <K k>
Status delete_boundary(Call& c) {
  auto t = PC_TRY(existing(c, k));
  PC_CHECK(check_modifiable(k, (*t.doc)));
  c.has_result = false;
  t.doc->erase("PermissionsBoundary");
  return store_entity(c, k, *t.doc);
}

constexpr Op kOps[] = {
    {"PutUserPolicy", true, put_inline<K::kUser>},
    {"GetUserPolicy", false, get_inline<K::kUser>},
    {"DeleteUserPolicy", true, delete_inline<K::kUser>},
    {"ListUserPolicies", false, list_inline<K::kUser>},
    {"PutGroupPolicy", true, put_inline<K::kGroup>},
    {"GetGroupPolicy", false, get_inline<K::kGroup>},
    {"DeleteGroupPolicy", true, delete_inline<K::kGroup>},
    {"ListGroupPolicies", false, list_inline<K::kGroup>},
    {"PutRolePolicy", true, put_inline<K::kRole>},
    {"GetRolePolicy", false, get_inline<K::kRole>},
    {"DeleteRolePolicy", true, delete_inline<K::kRole>},
    {"ListRolePolicies", false, list_inline<K::kRole>},
    {"AttachUserPolicy", true, attach<K::kUser>},
    {"DetachUserPolicy", true, detach<K::kUser>},
    {"ListAttachedUserPolicies", false, list_attached<K::kUser>},
    {"AttachGroupPolicy", true, attach<K::kGroup>},
    {"DetachGroupPolicy", true, detach<K::kGroup>},
    {"ListAttachedGroupPolicies", false, list_attached<K::kGroup>},
    {"AttachRolePolicy", true, attach<K::kRole>},
    {"DetachRolePolicy", true, detach<K::kRole>},
    {"ListAttachedRolePolicies", false, list_attached<K::kRole>},
    {"PutUserPermissionsBoundary", true, put_boundary<K::kUser>},
    {"DeleteUserPermissionsBoundary", true, delete_boundary<K::kUser>},
    {"PutRolePermissionsBoundary", true, put_boundary<K::kRole>},
    {"DeleteRolePermissionsBoundary", true, delete_boundary<K::kRole>},
};

}  // namespace

std::span<const Op> entity_policy_ops() { return kOps; }

}  // namespace portcullis::iam::api
