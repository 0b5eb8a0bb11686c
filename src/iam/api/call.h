// Inside the IAM API: one call's context, the operation table, and helpers the operations
// share (parameters, tags, pagination, writing entities as XML).
#pragma once

#include <boost/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "iam/authorize.h"
#include "iam/entities.h"
#include "iam/iam_api.h"
#include "iam/validate.h"
#include "protocol/xml.h"

namespace portcullis::iam::api {

struct Call {
  IamService& service;
  const protocol::QueryParams& params;
  const PrincipalEntry& caller;
  const Snapshot& snapshot;
  store::Transaction& txn;
  protocol::XmlWriter& out;  // inside <ActionResult>
  RequestContext context;    // global keys set; action set by the dispatcher
  SystemTime now;
  bool has_result = true;

  const std::string& account() const { return service.account(); }
  // Authorizes the call's action on `resource` for the caller.
  Status authorize(std::string_view resource);
  // Authorizes another action the call also needs (iam:TagUser when CreateUser carries tags).
  Status authorize_also(std::string_view action, std::string_view resource);
};

using OpFn = Status (*)(Call&);
struct Op {
  std::string_view name;
  bool writes;
  OpFn run;
};

std::span<const Op> entity_ops();         // users, groups, roles: CRUD, tags, membership
std::span<const Op> entity_policy_ops();  // their inline and attached policies, boundaries
std::span<const Op> policy_ops();    // managed policies and their versions
std::span<const Op> key_ops();       // access keys
std::span<const Op> simulate_ops();  // SimulateCustomPolicy, SimulatePrincipalPolicy
std::span<const Op> provider_ops();  // SAML and OpenID Connect providers
std::span<const Op> account_ops();   // GetAccountAuthorizationDetails
std::span<const Op> certificate_ops();     // signing and server certificates
std::span<const Op> ssh_credential_ops();  // SSH public keys, service-specific credentials
std::span<const Op> instance_profile_ops();   // instance profiles and their roles, tags
std::span<const Op> service_role_ops();       // service-linked roles
std::span<const Op> account_settings_ops();   // alias, STS preferences, GetAccountSummary
std::span<const Op> provider_tag_ops();       // tags on SAML and OpenID Connect providers
std::span<const Op> credential_report_ops();  // Generate/GetCredentialReport
std::span<const Op> access_report_ops();      // access advisor, Organizations reports
std::span<const Op> password_ops();  // login profiles, ChangePassword, the password policy
std::span<const Op> mfa_ops();       // virtual MFA devices

// Parameters.
using Tags = std::vector<std::pair<std::string, std::string>>;
// "Name.member.N" values, N = 1, 2, … until one is missing.
std::vector<std::string> list_param(const protocol::QueryParams& params, std::string_view name);
// Tags.member.N.Key / .Value, validated (at most 50, key and value lengths, no duplicates).
Result<Tags> tags_param(const protocol::QueryParams& params, std::string_view name = "Tags");
struct Page {
  std::string marker;
  size_t max_items = 100;
};
Result<Page> page_param(const protocol::QueryParams& params);
// Writes a page of `items` in the order of `key` (which is also the marker), or in their own
// order when `key` is null: the elements via `each`, then IsTruncated and Marker.
void write_page(protocol::XmlWriter& out, std::string_view list_tag, const Page& page,
                const std::vector<json::object>& items,
                const std::function<std::string(const json::object&)>& key,
                const std::function<void(const json::object&)>& each);

// Writes the listed members of `doc` that are present, lists as <member> elements.
void write_fields(protocol::XmlWriter& out, const json::object& doc,
                  std::initializer_list<std::string_view> fields);
void write_value(protocol::XmlWriter& out, std::string_view tag, const json::value& v);

json::array tags_json(const Tags& tags);
// Adds aws:ResourceTag/<key> for the tags of the entity a call acts on.
void add_resource_tags(RequestContext& ctx, const json::object& doc);
// Removes the elements of a JSON array for which pred holds.
template <typename Pred>
void erase_where(json::array& a, Pred pred) {
  for (auto it = a.begin(); it != a.end();) it = pred(*it) ? a.erase(it) : it + 1;
}
// Merges `add` into a document's Tags (replacing values of existing keys), at most 50.
Status merge_tags(json::object& doc, const Tags& add);
// A policy's size as IAM's quotas count it: characters other than white space.
size_t policy_size(std::string_view document);
std::string url_encode_policy(std::string_view document);
// Validates a policy document as IAM does, including the size quota.
Status check_policy_document(std::string_view document, PolicyKind kind);

std::string iso_now(const Call& call);
std::string new_id(std::string_view prefix);

}  // namespace portcullis::iam::api
