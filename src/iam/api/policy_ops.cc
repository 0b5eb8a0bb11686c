// Managed policies: customer managed policies with up to five versions, and the AWS managed
// policies every account has (read-only).
#include <algorithm>

#include "iam/api/call.h"

namespace portcullis::iam::api {

namespace {

constexpr size_t kMaxVersions = 5;
constexpr size_t kMaxManagedPolicySize = 6144;

Status check_managed_document(std::string_view document) {
  PC_CHECK(check_policy_document(document, PolicyKind::kIdentity));
  if (policy_size(document) > kMaxManagedPolicySize)
    return fail(ErrorCode::kLimitExceeded, "Cannot exceed quota for PolicySize: 6144");
  return {};
}

// How many users, groups and roles attach a policy, and use it as their boundary.
struct Usage {
  long attachments = 0;
  long boundaries = 0;
  std::vector<json::object> users, groups, roles;  // attached to
};

Result<Usage> usage(store::Transaction& txn, std::string_view arn) {
  Usage u;
  for (auto [table, list] :
       {std::pair{kUsers, &u.users}, std::pair{kGroups, &u.groups}, std::pair{kRoles, &u.roles}}) {
    auto rows = PC_TRY(txn.scan(table));
    for (const auto& [k, v] : rows) {
      json::object doc = PC_TRY(parse_doc(table, k, v));
      for (const json::value& a : arr(doc, "AttachedPolicies")) {
        if (sv(a) != arn) continue;
        ++u.attachments;
        list->push_back(doc);
      }
      if (str(obj(doc, "PermissionsBoundary"), "PermissionsBoundaryArn") == arn) ++u.boundaries;
    }
  }
  return u;
}

// An AWS managed policy as the document a customer policy is kept as.
std::optional<json::object> aws_policy(std::string_view arn) {
  size_t index = 0;
  for (const AwsManagedPolicy& p : aws_managed_policies()) {
    ++index;
    if (arn != std::string(kAwsPolicyArnPrefix) + std::string(p.name)) continue;
    return json::object{
        {"PolicyName", p.name},
        {"PolicyId", "ANPAAWSMANAGEDPOLICY" + std::to_string(index)},
        {"Arn", arn},
        {"Path", "/"},
        {"DefaultVersionId", "v1"},
        {"IsAttachable", true},
        {"Description", p.description},
        {"CreateDate", "2015-02-06T18:39:46Z"},
        {"UpdateDate", "2015-02-06T18:39:46Z"},
        {"Versions", json::array{json::object{{"VersionId", "v1"},
                                              {"Document", p.document},
                                              {"IsDefaultVersion", true},
                                              {"CreateDate", "2015-02-06T18:39:46Z"}}}},
        {"AwsManaged", true}};
  }
  return std::nullopt;
}

struct Target {
  std::string arn;
  std::optional<json::object> doc;
};

// Reads PolicyArn, authorizes on it and loads the policy (AWS or customer managed).
Result<Target> existing_policy(Call& c) {
  auto arn = PC_TRY(required(c.params, "PolicyArn", kArn));
  Target t{arn, aws_policy(arn)};
  if (!t.doc && !arn.starts_with(kAwsPolicyArnPrefix)) {
    auto doc = PC_TRY(load(c.txn, kPolicies, lower(arn.substr(arn.rfind('/') + 1))));
    if (doc && str(*doc, "Arn") == arn) t.doc = std::move(*doc);
  }
  if (t.doc) add_resource_tags(c.context, *t.doc);
  PC_CHECK(c.authorize(arn));
  if (!t.doc)
    return fail(ErrorCode::kNoSuchEntity,
                "Policy " + arn + " does not exist or is not attachable.");
  return t;
}

Status save_policy(Call& c, const json::object& doc) {
  return save(c.txn, kPolicies, lower(str(doc, "PolicyName")), doc);
}

Status refuse_aws_managed(const Target& t) {
  if (t.doc->contains("AwsManaged"))
    return fail(ErrorCode::kInvalidInput, "Policy " + t.arn +
                                              " is an AWS managed policy and "
                                              "cannot be changed.");
  return {};
}

void write_policy(Call& c, const json::object& doc, const Usage& u) {
  c.out.open("Policy");
  write_fields(c.out, doc, {"PolicyName", "PolicyId", "Arn", "Path", "DefaultVersionId"});
  c.out.element("AttachmentCount", std::to_string(u.attachments));
  c.out.element("PermissionsBoundaryUsageCount", std::to_string(u.boundaries));
  write_fields(c.out, doc, {"IsAttachable", "Description", "CreateDate", "UpdateDate", "Tags"});
  c.out.close();
}

void write_version(Call& c, const json::object& v, bool with_document) {
  c.out.open("PolicyVersion");
  if (with_document) c.out.element("Document", url_encode_policy(str(v, "Document")));
  write_fields(c.out, v, {"VersionId", "IsDefaultVersion", "CreateDate"});
  c.out.close();
}

json::array& versions(json::object& doc) { return ensure_array(doc["Versions"]); }

Status create_policy(Call& c) {
  auto name = PC_TRY(required(c.params, "PolicyName", kPolicyName));
  auto document = PC_TRY(required(c.params, "PolicyDocument", kPolicyDocument));
  auto path = PC_TRY(optional(c.params, "Path", kPath));
  auto description = PC_TRY(optional(c.params, "Description", kDescription));
  auto tags = PC_TRY(tags_param(c.params));
  PC_CHECK(check_managed_document(document));
  std::string p = path.value_or("/");
  std::string arn = entity_arn(c.account(), "policy", p, name);
  if (!tags.empty()) add_request_tags(c.context, tags);
  PC_CHECK(c.authorize(arn));
  if (!tags.empty())
    PC_CHECK(c.authorize_also("iam:TagPolicy", arn));
  auto clash = PC_TRY(load(c.txn, kPolicies, lower(name)));
  if (clash)
    return fail(ErrorCode::kEntityAlreadyExists,
                "A policy called " + name + " already exists. Duplicate names are not allowed.");
  const std::string now = iso_now(c);
  json::object doc{{"PolicyName", name},
                   {"PolicyId", new_id("ANPA")},
                   {"Arn", arn},
                   {"Path", p},
                   {"DefaultVersionId", "v1"},
                   {"IsAttachable", true},
                   {"CreateDate", now},
                   {"UpdateDate", now},
                   {"NextVersion", 2},
                   {"Versions", json::array{json::object{{"VersionId", "v1"},
                                                         {"Document", document},
                                                         {"IsDefaultVersion", true},
                                                         {"CreateDate", now}}}}};
  if (description) doc["Description"] = *description;
  if (!tags.empty()) doc["Tags"] = tags_json(tags);
  PC_CHECK(save_policy(c, doc));
  write_policy(c, doc, Usage{});
  return {};
}

Status get_policy(Call& c) {
  auto t = PC_TRY(existing_policy(c));
  auto u = PC_TRY(usage(c.txn, t.arn));
  write_policy(c, *t.doc, u);
  return {};
}

Status list_policies(Call& c) {
  auto scope = c.params.get("Scope").value_or("All");
  if (scope != "All" && scope != "AWS" && scope != "Local")
    return fail(ErrorCode::kValidationError,
                "1 validation error detected: Value '" + std::string(scope) +
                    "' at 'scope' failed to satisfy constraint: Member must satisfy enum value "
                    "set: [All, AWS, Local]");
  auto only_attached = c.params.get("OnlyAttached").value_or("false") == "true";
  auto prefix = PC_TRY(optional(c.params, "PathPrefix", kPathPrefix));
  auto page = PC_TRY(page_param(c.params));
  // AWS names this resource "policy path /" (with the path prefix) in its messages.
  PC_CHECK(c.authorize("policy path " + prefix.value_or("/")));
  std::vector<json::object> items;
  if (scope != "Local") {
    for (const AwsManagedPolicy& p : aws_managed_policies())
      items.push_back(*aws_policy(std::string(kAwsPolicyArnPrefix) + std::string(p.name)));
  }
  if (scope != "AWS") {
    auto rows = PC_TRY(c.txn.scan(kPolicies));
    for (const auto& [k, v] : rows) items.push_back(PC_TRY(parse_doc(kPolicies, k, v)));
  }
  std::vector<std::pair<json::object, Usage>> shown;
  for (json::object& d : items) {
    if (prefix && !str(d, "Path").starts_with(*prefix)) continue;
    auto u = PC_TRY(usage(c.txn, str(d, "Arn")));
    if (only_attached && u.attachments == 0) continue;
    shown.emplace_back(std::move(d), std::move(u));
  }
  std::vector<json::object> docs;
  for (auto& [d, u] : shown) {
    d["AttachmentCount"] = u.attachments;
    d["PermissionsBoundaryUsageCount"] = u.boundaries;
    docs.push_back(std::move(d));
  }
  write_page(
      c.out, "Policies", page, docs,
      [](const json::object& d) { return std::string(str(d, "Arn")); },
      [&](const json::object& d) {
        write_fields(
            c.out, d,
            {"PolicyName", "PolicyId", "Arn", "Path", "DefaultVersionId", "AttachmentCount",
             "PermissionsBoundaryUsageCount", "IsAttachable", "CreateDate", "UpdateDate"});
      });
  return {};
}

Status delete_policy(Call& c) {
  auto t = PC_TRY(existing_policy(c));
  c.has_result = false;
  PC_CHECK(refuse_aws_managed(t));
  auto u = PC_TRY(usage(c.txn, t.arn));
  if (u.attachments > 0 || u.boundaries > 0)
    return fail(ErrorCode::kDeleteConflict, "Cannot delete a policy attached to entities.");
  if (versions(*t.doc).size() > 1)
    return fail(ErrorCode::kDeleteConflict,
                "This policy has more than one version. Before you delete a policy, you must "
                "delete the policy's versions. The default version is deleted with the policy.");
  return c.txn.erase(kPolicies, lower(str(*t.doc, "PolicyName")));
}

Status create_version(Call& c) {
  auto document = PC_TRY(required(c.params, "PolicyDocument", kPolicyDocument));
  PC_CHECK(check_managed_document(document));
  bool set_default = c.params.get("SetAsDefault").value_or("false") == "true";
  auto t = PC_TRY(existing_policy(c));
  PC_CHECK(refuse_aws_managed(t));
  json::object& doc = *t.doc;
  if (versions(doc).size() >= kMaxVersions)
    return fail(ErrorCode::kLimitExceeded,
                "A managed policy can have up to 5 versions. Before you create a new version, "
                "you must delete an existing version.");
  auto next = json_read::int_member(doc, "NextVersion");
  if (!next)
    return fail(ErrorCode::kInternal,
                "store: corrupt document " + std::string(kPolicies) + "/" +
                    lower(str(doc, "PolicyName")) + ": NextVersion is not an integer");
  int64_t n = *next;
  doc["NextVersion"] = n + 1;
  std::string id = "v" + std::to_string(n);
  const std::string now = iso_now(c);
  if (set_default) {
    for (json::value& v : versions(doc))
      if (json::object* o = v.if_object()) (*o)["IsDefaultVersion"] = false;
    doc["DefaultVersionId"] = id;
  }
  json::object version{{"VersionId", id},
                       {"Document", document},
                       {"IsDefaultVersion", set_default},
                       {"CreateDate", now}};
  versions(doc).push_back(version);
  doc["UpdateDate"] = now;
  PC_CHECK(save_policy(c, doc));
  write_version(c, version, false);
  return {};
}

Result<json::object*> find_version(json::object& doc, std::string_view id) {
  for (json::value& v : versions(doc))
    if (json::object* o = v.if_object(); o && str(*o, "VersionId") == id) return o;
  return fail(ErrorCode::kNoSuchEntity, "Policy " + std::string(str(doc, "Arn")) + " version " +
                                            std::string(id) + " does not exist.");
}

const Constraint kVersionId{1, 20, "v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?", nullptr};

// A version of a policy, named by VersionId: the policy authorized and loaded, the version found.
struct VersionTarget {
  Target policy;
  std::string id;
  json::object* version = nullptr;  // inside policy.doc
};

Result<VersionTarget> version_target(Call& c, bool changes) {
  auto id = PC_TRY(required(c.params, "VersionId", kVersionId));
  auto t = PC_TRY(existing_policy(c));
  if (changes) {
    c.has_result = false;
    PC_CHECK(refuse_aws_managed(t));
  }
  VersionTarget vt{std::move(t), std::move(id), nullptr};
  auto v = PC_TRY(find_version(*vt.policy.doc, vt.id));
  vt.version = v;
  return vt;
}

Status get_version(Call& c) {
  auto vt = PC_TRY(version_target(c, false));
  write_version(c, *vt.version, true);
  return {};
}

Status list_versions(Call& c) {
  auto page = PC_TRY(page_param(c.params));
  auto t = PC_TRY(existing_policy(c));
  std::vector<json::object> items;
  for (const json::value& v : versions(*t.doc))
    if (const json::object* o = v.if_object()) items.push_back(*o);
  std::reverse(items.begin(), items.end());  // newest first
  write_page(c.out, "Versions", page, items, nullptr, [&](const json::object& v) {
    write_fields(c.out, v, {"VersionId", "IsDefaultVersion", "CreateDate"});
  });
  return {};
}

Status delete_version(Call& c) {
  auto vt = PC_TRY(version_target(c, true));
  if (json_read::flag(*vt.version, "IsDefaultVersion"))
    return fail(ErrorCode::kDeleteConflict, "Cannot delete the default version of a policy.");
  json::object& doc = *vt.policy.doc;
  erase_where(versions(doc),
              [&](const json::value& x) { return str(obj(x), "VersionId") == vt.id; });
  return save_policy(c, doc);
}

Status set_default_version(Call& c) {
  auto vt = PC_TRY(version_target(c, true));
  json::object& doc = *vt.policy.doc;
  for (json::value& x : versions(doc))
    if (json::object* o = x.if_object()) (*o)["IsDefaultVersion"] = false;
  (*vt.version)["IsDefaultVersion"] = true;
  doc["DefaultVersionId"] = vt.id;
  doc["UpdateDate"] = iso_now(c);
  return save_policy(c, doc);
}

Status tag_policy(Call& c) {
  auto tags = PC_TRY(tags_param(c.params));
  if (tags.empty())
    return fail(ErrorCode::kValidationError,
                "1 validation error detected: Value null at 'tags' failed to satisfy "
                "constraint: Member must not be null");
  add_request_tags(c.context, tags);
  auto t = PC_TRY(existing_policy(c));
  c.has_result = false;
  PC_CHECK(refuse_aws_managed(t));
  PC_CHECK(merge_tags(*t.doc, tags));
  return save_policy(c, *t.doc);
}

Status untag_policy(Call& c) {
  std::vector<std::string> keys = list_param(c.params, "TagKeys");
  c.context.set_list("aws:TagKeys", keys);
  auto t = PC_TRY(existing_policy(c));
  c.has_result = false;
  PC_CHECK(refuse_aws_managed(t));
  if (auto it = t.doc->find("Tags"); it != t.doc->end()) {
    for (const std::string& key : keys)
      erase_where(ensure_array(it->value()), [&](const json::value& v) {
        return lower(str(obj(v), "Key")) == lower(key);
      });
  }
  return save_policy(c, *t.doc);
}

Status list_policy_tags(Call& c) {
  auto page = PC_TRY(page_param(c.params));
  auto t = PC_TRY(existing_policy(c));
  std::vector<json::object> items;
  for (const json::value& v : arr(*t.doc, "Tags"))
    if (const json::object* o = v.if_object()) items.push_back(*o);
  write_page(c.out, "Tags", page, items, nullptr, [&](const json::object& d) {
    write_fields(c.out, d, {"Key", "Value"});
  });
  return {};
}

Status list_entities_for_policy(Call& c) {
  auto t = PC_TRY(existing_policy(c));
  auto u = PC_TRY(usage(c.txn, t.arn));
  auto filter = c.params.get("EntityFilter");
  auto section = [&](std::string_view tag, std::string_view noun, std::string_view filter_name,
                     const std::vector<json::object>& docs) {
    c.out.open(tag);
    if (!filter || *filter == filter_name) {
      for (const json::object& d : docs) {
        c.out.open("member");
        c.out.element(std::string(noun) + "Name", str(d, std::string(noun) + "Name"));
        c.out.element(std::string(noun) + "Id", str(d, std::string(noun) + "Id"));
        c.out.close();
      }
    }
    c.out.close();
  };
  section("PolicyGroups", "Group", "Group", u.groups);
  section("PolicyUsers", "User", "User", u.users);
  section("PolicyRoles", "Role", "Role", u.roles);
  c.out.element("IsTruncated", "false");
  return {};
}

constexpr Op kOps[] = {
    {"CreatePolicy", true, create_policy},
    {"GetPolicy", false, get_policy},
    {"ListPolicies", false, list_policies},
    {"DeletePolicy", true, delete_policy},
    {"CreatePolicyVersion", true, create_version},
    {"GetPolicyVersion", false, get_version},
    {"ListPolicyVersions", false, list_versions},
    {"DeletePolicyVersion", true, delete_version},
    {"SetDefaultPolicyVersion", true, set_default_version},
    {"TagPolicy", true, tag_policy},
    {"UntagPolicy", true, untag_policy},
    {"ListPolicyTags", false, list_policy_tags},
    {"ListEntitiesForPolicy", false, list_entities_for_policy},
};

}  // namespace

std::span<const Op> policy_ops() { return kOps; }

}  // namespace portcullis::iam::api
