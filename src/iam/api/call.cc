#include "iam/api/call.h"

#include <algorithm>
#include <condition_variable>

#include "core/encoding.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/seal.h"
#include "protocol/errors.h"

namespace portcullis::iam {

namespace {

// Every operation of the IAM model (botocore iam 2010-05-08), so that one not implemented yet
// is named as such instead of being called unknown.
constexpr std::string_view kModelOperations =
    " AddClientIDToOpenIDConnectProvider AddRoleToInstanceProfile AddUserToGroup "
    "AttachGroupPolicy AttachRolePolicy AttachUserPolicy ChangePassword CreateAccessKey "
    "CreateAccountAlias CreateGroup CreateInstanceProfile CreateLoginProfile "
    "CreateOpenIDConnectProvider CreatePolicy CreatePolicyVersion CreateRole CreateSAMLProvider "
    "CreateServiceLinkedRole CreateServiceSpecificCredential CreateUser CreateVirtualMFADevice "
    "DeactivateMFADevice DeleteAccessKey DeleteAccountAlias DeleteAccountPasswordPolicy "
    "DeleteGroup DeleteGroupPolicy DeleteInstanceProfile DeleteLoginProfile "
    "DeleteOpenIDConnectProvider DeletePolicy DeletePolicyVersion DeleteRole "
    "DeleteRolePermissionsBoundary DeleteRolePolicy DeleteSAMLProvider DeleteSSHPublicKey "
    "DeleteServerCertificate DeleteServiceLinkedRole DeleteServiceSpecificCredential "
    "DeleteSigningCertificate DeleteUser DeleteUserPermissionsBoundary DeleteUserPolicy "
    "DeleteVirtualMFADevice DetachGroupPolicy DetachRolePolicy DetachUserPolicy EnableMFADevice "
    "GenerateCredentialReport GenerateOrganizationsAccessReport "
    "GenerateServiceLastAccessedDetails GetAccessKeyLastUsed GetAccountAuthorizationDetails "
    "GetAccountPasswordPolicy GetAccountSummary GetContextKeysForCustomPolicy "
    "GetContextKeysForPrincipalPolicy GetCredentialReport GetGroup GetGroupPolicy "
    "GetInstanceProfile GetLoginProfile GetOpenIDConnectProvider GetOrganizationsAccessReport "
    "GetPolicy GetPolicyVersion GetRole GetRolePolicy GetSAMLProvider GetSSHPublicKey "
    "GetServerCertificate GetServiceLastAccessedDetails GetServiceLastAccessedDetailsWithEntities "
    "GetServiceLinkedRoleDeletionStatus GetUser GetUserPolicy ListAccessKeys ListAccountAliases "
    "ListAttachedGroupPolicies ListAttachedRolePolicies ListAttachedUserPolicies "
    "ListEntitiesForPolicy ListGroupPolicies ListGroups ListGroupsForUser ListInstanceProfileTags "
    "ListInstanceProfiles ListInstanceProfilesForRole ListMFADeviceTags ListMFADevices "
    "ListOpenIDConnectProviderTags ListOpenIDConnectProviders ListPolicies "
    "ListPoliciesGrantingServiceAccess ListPolicyTags ListPolicyVersions ListRolePolicies "
    "ListRoleTags ListRoles ListSAMLProviderTags ListSAMLProviders ListSSHPublicKeys "
    "ListServerCertificateTags ListServerCertificates ListServiceSpecificCredentials "
    "ListSigningCertificates ListUserPolicies ListUserTags ListUsers ListVirtualMFADevices "
    "PutGroupPolicy PutRolePermissionsBoundary PutRolePolicy PutUserPermissionsBoundary "
    "PutUserPolicy RemoveClientIDFromOpenIDConnectProvider RemoveRoleFromInstanceProfile "
    "RemoveUserFromGroup ResetServiceSpecificCredential ResyncMFADevice SetDefaultPolicyVersion "
    "SetSecurityTokenServicePreferences SimulateCustomPolicy SimulatePrincipalPolicy "
    "TagInstanceProfile TagMFADevice TagOpenIDConnectProvider TagPolicy TagRole TagSAMLProvider "
    "TagServerCertificate TagUser UntagInstanceProfile UntagMFADevice UntagOpenIDConnectProvider "
    "UntagPolicy UntagRole UntagSAMLProvider UntagServerCertificate UntagUser UpdateAccessKey "
    "UpdateAccountPasswordPolicy UpdateAssumeRolePolicy UpdateGroup UpdateLoginProfile "
    "UpdateOpenIDConnectProviderThumbprint UpdateRole UpdateRoleDescription UpdateSAMLProvider "
    "UpdateSSHPublicKey UpdateServerCertificate UpdateServiceSpecificCredential "
    "UpdateSigningCertificate UpdateUser UploadSSHPublicKey UploadServerCertificate "
    "UploadSigningCertificate ";

const api::Op* find_op(std::string_view name) {
  for (auto ops : {api::entity_ops(), api::entity_policy_ops(), api::policy_ops(), api::key_ops(), api::simulate_ops(),
                   api::provider_ops(), api::account_ops(), api::certificate_ops(),
                   api::ssh_credential_ops(), api::instance_profile_ops(),
                   api::service_role_ops(), api::account_settings_ops(), api::provider_tag_ops(),
                   api::credential_report_ops(), api::access_report_ops(), api::password_ops(),
                   api::mfa_ops()})
    for (const api::Op& op : ops)
      if (op.name == name) return &op;
  return nullptr;
}

void write_error(http::Response& res, const http::Request& req, const Error& e) {
  protocol::write_error(res, protocol::Protocol::kQuery, e, req.request_id, protocol::kIamXmlns);
}

}  // namespace

IamService::IamService(store::Store& store, std::string account, std::string region,
                       std::string master_key, const Clock& clock)
    : store_(store),
      account_(std::move(account)),
      region_(std::move(region)),
      master_key_(std::move(master_key)),
      clock_(clock) {}

Status IamService::start() {
  PC_CHECK(key_use_.load(store_));
  PC_CHECK(rebuild());
  key_use_flusher_ = std::jthread([this](std::stop_token stop) {
    std::mutex mu;
    std::condition_variable_any wake;
    while (!stop.stop_requested()) {
      {
        std::unique_lock lock(mu);
        wake.wait_for(lock, stop, std::chrono::seconds(5), [] { return false; });
      }
      if (auto st = key_use_.flush(store_); !st)
        log::error("recording access key use: " + st.error().message);
    }
  });
  return {};
}

IamService::~IamService() {
  if (key_use_flusher_.joinable()) {
    key_use_flusher_.request_stop();
    key_use_flusher_.join();  // its last round flushes what is left
  }
}

Status IamService::rebuild() {
  std::shared_ptr<const Snapshot> next;
  uint64_t seq = 0;
  PC_CHECK(store_.read([&](store::Transaction& txn) -> Status {
    next = PC_TRY(Snapshot::build(txn, account_, master_key_));
    seq = ++build_seq_;
    return {};
  }));
  publish(std::move(next), seq);
  return {};
}

void IamService::publish(std::shared_ptr<const Snapshot> next, uint64_t seq) {
  // Builds are numbered inside the store's transactions, so in the order of the states they
  // read; a slower publisher of an older state must not replace a newer one.
  std::lock_guard lock(rebuild_mu_);
  if (seq <= published_seq_) return;
  published_seq_ = seq;
  snapshot_.store(std::move(next));
}

Status IamService::ensure_admin(std::string_view user_id, std::string_view access_key_id,
                                std::string_view secret, std::string_view replaced_key_id) {
  const std::string now = format_iso8601(clock_.now());
  Status st = store_.write([&](store::Transaction& txn) -> Status {
    auto user = PC_TRY(load(txn, kUsers, "admin"));
    json::object doc;
    if (user) {
      doc = std::move(*user);
    } else {
      doc["Path"] = "/";
      doc["UserName"] = "admin";
      doc["UserId"] = user_id;
      doc["Arn"] = entity_arn(account_, "user", "/", "admin");
      doc["CreateDate"] = now;
    }
    // The administrator's power comes from an ordinary attached policy.
    std::string admin_arn = std::string(kAwsPolicyArnPrefix) + "AdministratorAccess";
    json::array& attached = ensure_array(doc["AttachedPolicies"]);
    bool has = false;
    for (const json::value& a : attached) has = has || sv(a) == admin_arn;
    if (!has) attached.emplace_back(admin_arn);
    PC_CHECK(save(txn, kUsers, "admin", doc));
    if (!replaced_key_id.empty() && replaced_key_id != access_key_id) {
      auto old = PC_TRY(load(txn, kKeys, replaced_key_id));
      if (old && str(*old, "UserName") == "admin")
        PC_CHECK(txn.erase(kKeys, replaced_key_id));
    }
    auto key = PC_TRY(load(txn, kKeys, access_key_id));
    if (key) return {};
    json::object k;
    k["AccessKeyId"] = access_key_id;
    k["UserName"] = "admin";
    k["Status"] = "Active";
    k["CreateDate"] = now;
    k["SecretSealed"] = base64_encode(crypto::seal(master_key_, secret, access_key_id));
    return save(txn, kKeys, access_key_id, k);
  });
  if (!st) return st;
  return rebuild();
}

void IamService::handle(const http::Request& req, const protocol::QueryParams& params,
                        const PrincipalEntry& caller, http::Response& res) {
  auto action = params.get("Action");
  if (!action || action->empty())
    return write_error(res, req, Error{ErrorCode::kMissingAction, ""});
  if (auto version = params.get("Version"); version && *version != kVersion)
    return write_error(
        res, req,
        Error{ErrorCode::kInvalidAction, "Could not find operation " + std::string(*action) +
                                             " for version " + std::string(*version)});
  const api::Op* op = find_op(*action);
  if (!op) {
    std::string padded = " " + std::string(*action) + " ";
    if (kModelOperations.find(padded) != std::string_view::npos)
      return write_error(res, req,
                         Error{ErrorCode::kNotImplemented, "IAM action " + std::string(*action) +
                                                               " is not implemented by "
                                                               "Portcullis yet."});
    return write_error(
        res, req,
        Error{ErrorCode::kInvalidAction, "Could not find operation " + std::string(*action) +
                                             " for version " + std::string(kVersion)});
  }

  auto snap = snapshot();
  protocol::XmlWriter out;
  const std::string response_tag = std::string(*action) + "Response";
  const std::string result_tag = std::string(*action) + "Result";
  out.open(response_tag, protocol::kIamXmlns);
  out.open(result_tag);
  bool has_result = true;
  std::shared_ptr<const Snapshot> next;
  uint64_t seq = 0;
  auto run = [&](store::Transaction& txn) -> Status {
    api::Call call{*this,
                   params,
                   caller,
                   *snap,
                   txn,
                   out,
                   request_context(caller, req, clock_.now(), region_),
                   clock_.now()};
    call.context.action = "iam:" + std::string(*action);
    PC_CHECK(op->run(call));
    has_result = call.has_result;
    if (op->writes) {
      // The snapshot of the state about to be committed: if it cannot be built, the change is
      // rolled back and the caller told so; once committed, it is what requests see.
      next = PC_TRY(Snapshot::build(txn, account_, master_key_));
      seq = ++build_seq_;
    }
    return {};
  };
  Status st = op->writes ? store_.write(run) : store_.read(run);
  if (st && next) publish(std::move(next), seq);
  if (!st) return write_error(res, req, st.error());  // an internal cause is logged there
  res.status = 200;
  res.set_header("x-amzn-RequestId", req.request_id);
  res.set_header("Content-Type", "text/xml");
  if (!has_result) {
    protocol::XmlWriter x;
    x.open(response_tag, protocol::kIamXmlns);
    x.open("ResponseMetadata");
    x.element("RequestId", req.request_id);
    res.body = x.take();
    return;
  }
  out.close();  // the Result element
  out.open("ResponseMetadata");
  out.element("RequestId", req.request_id);
  res.body = out.take();
}

namespace api {

Status Call::authorize(std::string_view resource) {
  context.resource = resource;
  return iam::authorize(caller, context);
}

Status Call::authorize_also(std::string_view action, std::string_view resource) {
  std::string own = std::exchange(context.action, std::string(action));
  Status st = authorize(resource);
  context.action = std::move(own);
  return st;
}

std::vector<std::string> list_param(const protocol::QueryParams& params, std::string_view name) {
  std::vector<std::string> out;
  for (size_t i = 1;; ++i) {
    auto v = params.get(std::string(name) + ".member." + std::to_string(i));
    if (!v) break;
    out.emplace_back(*v);
  }
  return out;
}

Result<Tags> tags_param(const protocol::QueryParams& params, std::string_view name) {
  Tags tags;
  for (size_t i = 1;; ++i) {
    std::string prefix = std::string(name) + ".member." + std::to_string(i);
    auto key = params.get(prefix + ".Key");
    auto value = params.get(prefix + ".Value");
    if (!key && !value) break;
    if (!key)
      return fail(ErrorCode::kValidationError,
                  "1 validation error detected: Value null at 'tags." + std::to_string(i) +
                      ".member.key' failed to satisfy constraint: Member must not be null");
    if (!value)
      return fail(ErrorCode::kValidationError,
                  "1 validation error detected: Value null at 'tags." + std::to_string(i) +
                      ".member.value' failed to satisfy constraint: Member must not be null");
    PC_CHECK(check(*key, kTagKey, "tags." + std::to_string(i) + ".member.key"));
    PC_CHECK(check(*value, kTagValue, "tags." + std::to_string(i) + ".member.value"));
    for (const auto& [k, v] : tags)
      if (lower(k) == lower(*key))
        return fail(ErrorCode::kInvalidInput,
                    "Duplicate tag keys found. Please note that Tag "
                    "keys are case insensitive.");
    tags.emplace_back(*key, *value);
  }
  if (tags.size() > 50)
    return fail(ErrorCode::kValidationError,
                "1 validation error detected: Value at 'tags' failed to satisfy constraint: "
                "Member must have length less than or equal to 50");
  return tags;
}

Result<Page> page_param(const protocol::QueryParams& params) {
  Page page;
  auto marker = PC_TRY(optional(params, "Marker", kMarker));
  if (marker) page.marker = *marker;
  auto max = PC_TRY(optional_int(params, "MaxItems", 1, 1000));
  if (max) page.max_items = static_cast<size_t>(*max);
  return page;
}

void write_page(protocol::XmlWriter& out, std::string_view list_tag, const Page& page,
                const std::vector<json::object>& items,
                const std::function<std::string(const json::object&)>& key,
                const std::function<void(const json::object&)>& each) {
  // Pages follow the order of the marker key, whatever order the items came in.
  // Without a key function the items keep their order and the marker is their position.
  std::vector<std::pair<std::string, const json::object*>> keyed;
  keyed.reserve(items.size());
  for (const json::object& item : items) {
    char position[16];
    std::snprintf(position, sizeof position, "%06zu", keyed.size());
    keyed.emplace_back(key ? key(item) : std::string(position), &item);
  }
  if (key)
    std::stable_sort(keyed.begin(), keyed.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
  out.open(list_tag);
  size_t written = 0;
  std::string next;
  for (const auto& [k, item_ptr] : keyed) {
    const json::object& item = *item_ptr;
    if (!page.marker.empty() && k < page.marker) continue;
    if (written == page.max_items) {
      next = k;
      break;
    }
    out.open("member");
    each(item);
    out.close();
    ++written;
  }
  out.close();
  out.element("IsTruncated", next.empty() ? "false" : "true");
  if (!next.empty()) out.element("Marker", next);
}

void write_value(protocol::XmlWriter& out, std::string_view tag, const json::value& v) {
  switch (v.kind()) {
    case json::kind::string:
      out.element(tag, v.get_string());
      break;
    case json::kind::bool_:
      out.element(tag, v.get_bool() ? "true" : "false");
      break;
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      out.element(tag, json::serialize(v));
      break;
    case json::kind::array:
      out.open(tag);
      for (const json::value& e : v.get_array()) write_value(out, "member", e);
      out.close();
      break;
    case json::kind::object:
      out.open(tag);
      for (const auto& [k, e] : v.get_object()) write_value(out, k, e);
      out.close();
      break;
    default:
      break;
  }
}

void write_fields(protocol::XmlWriter& out, const json::object& doc,
                  std::initializer_list<std::string_view> fields) {
  for (std::string_view f : fields) {
    auto it = doc.find(f);
    if (it == doc.end()) continue;
    if (it->value().is_array() && it->value().get_array().empty() && f == "Tags") continue;
    write_value(out, f, it->value());
  }
}

void add_resource_tags(RequestContext& ctx, const json::object& doc) {
  for (const json::value& t : arr(doc, "Tags"))
    ctx.set("aws:ResourceTag/" + std::string(str(obj(t), "Key")),
            std::string(str(obj(t), "Value")));
}

json::array tags_json(const Tags& tags) {
  json::array a;
  for (const auto& [k, v] : tags) a.push_back(json::object{{"Key", k}, {"Value", v}});
  return a;
}

Status merge_tags(json::object& doc, const Tags& add) {
  json::array& tags = ensure_array(doc["Tags"]);
  for (const auto& [k, v] : add) {
    bool replaced = false;
    for (json::value& t : tags) {
      json::object& o = ensure_object(t);
      if (lower(str(o, "Key")) == lower(k)) {
        o["Value"] = v;
        replaced = true;
      }
    }
    if (!replaced) tags.push_back(json::object{{"Key", k}, {"Value", v}});
  }
  if (tags.size() > 50)
    return fail(ErrorCode::kLimitExceeded, "The number of tags has reached the maximum limit.");
  return {};
}

size_t policy_size(std::string_view doc) {
  return static_cast<size_t>(std::count_if(doc.begin(), doc.end(), [](char ch) {
    return ch != ' ' && ch != '\n' && ch != '\r' && ch != '\t';
  }));
}

std::string url_encode_policy(std::string_view document) { return uri_encode(document); }

Status check_policy_document(std::string_view document, PolicyKind kind) {
  auto p = PC_TRY(parse_policy(document, kind));
  return {};
}

std::string iso_now(const Call& call) { return format_iso8601(call.now); }
std::string new_id(std::string_view prefix) { return ids::unique_id(prefix); }

}  // namespace api

}  // namespace portcullis::iam
