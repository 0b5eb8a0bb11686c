#include "iam/snapshot.h"

#include <atomic>
#include <boost/json.hpp>

#include "core/encoding.h"
#include "core/log.h"
#include "core/seal.h"
#include "federation/saml/metadata.h"
#include "iam/entities.h"

namespace portcullis::iam {

namespace {

// What a stored document that no longer compiles becomes: a policy that denies everything, so
// that whoever has it (as an identity policy, a boundary, a group's or a session's policy, or a
// role's trust policy) can do nothing, while everyone else is unaffected. Dropping it instead
// would be wrong: the document may have held a Deny.
std::shared_ptr<const Policy> deny_all(PolicyKind kind) {
  static const std::shared_ptr<const Policy> identity = [] {
    auto p = parse_policy(
        R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]})",
        PolicyKind::kIdentity);
    return std::make_shared<const Policy>(std::move(*p));
  }();
  static const std::shared_ptr<const Policy> trust = [] {
    auto p = parse_policy(
        R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*"}]})",
        PolicyKind::kTrust);
    return std::make_shared<const Policy>(std::move(*p));
  }();
  return kind == PolicyKind::kTrust ? trust : identity;
}

// Stored documents were validated when written, but a later release may parse more strictly.
std::shared_ptr<const Policy> compile(std::string_view doc, PolicyKind kind,
                                      std::string_view where) {
  auto p = parse_policy(doc, kind);
  if (p) return std::make_shared<const Policy>(std::move(*p));
  log::error("IAM: the stored policy " + std::string(where) +
             " no longer compiles (" + p.error().message +
             "); it now denies every action to whoever it applies to. Replace it to restore access.");
  return deny_all(kind);
}

const json::array* array_of(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it == o.end() ? nullptr : it->value().if_array();
}

std::vector<json::object> parse_rows(const std::vector<store::Row>& rows) {
  std::vector<json::object> out;
  for (const auto& [k, v] : rows) {
    boost::system::error_code ec;
    json::value doc = json::parse(v, ec);
    if (!ec && doc.is_object()) out.push_back(std::move(doc.get_object()));
  }
  return out;
}

}  // namespace

const KeyEntry* Snapshot::find_key(std::string_view id) const {
  auto it = keys_.find(std::string(id));
  return it == keys_.end() ? nullptr : &it->second;
}

const PrincipalEntry* Snapshot::find_user(std::string_view name) const {
  auto it = users_.find(lower(name));
  return it == users_.end() ? nullptr : it->second.get();
}

const PrincipalEntry* Snapshot::find_role(std::string_view name) const {
  auto it = roles_.find(lower(name));
  return it == roles_.end() ? nullptr : it->second.get();
}

const SamlProvider* Snapshot::find_saml_provider(std::string_view arn) const {
  auto it = saml_providers_.find(std::string(arn));
  return it == saml_providers_.end() ? nullptr : &it->second;
}

const OidcProvider* Snapshot::find_oidc_provider(std::string_view url) const {
  auto it = oidc_providers_.find(std::string(url));
  return it == oidc_providers_.end() ? nullptr : &it->second;
}

std::shared_ptr<const Policy> Snapshot::find_policy(std::string_view arn) const {
  auto it = policies_.find(std::string(arn));
  return it == policies_.end() ? nullptr : it->second;
}

Result<std::shared_ptr<const Snapshot>> Snapshot::build(store::Transaction& txn,
                                                        std::string_view account,
                                                        std::string_view master_key) {
  static std::atomic<uint64_t> next_id{1};
  auto snap = std::make_shared<Snapshot>();
  snap->id_ = next_id.fetch_add(1);
  snap->account_ = account;

  // Managed policies first: principals share them.
  for (const AwsManagedPolicy& p : aws_managed_policies()) {
    std::string arn = std::string(kAwsPolicyArnPrefix) + std::string(p.name);
    snap->policies_[arn] = compile(p.document, PolicyKind::kIdentity, arn);
  }
  auto policy_rows = PC_TRY(txn.scan(kPolicies));
  for (const json::object& p : parse_rows(policy_rows)) {
    std::string_view default_version = str(p, "DefaultVersionId");
    const json::array* versions = array_of(p, "Versions");
    for (const json::value& v : versions ? *versions : json::array()) {
      const json::object* version = v.if_object();
      if (!version || str(*version, "VersionId") != default_version) continue;
      snap->policies_[std::string(str(p, "Arn"))] =
          compile(str(*version, "Document"), PolicyKind::kIdentity, str(p, "Arn"));
    }
  }

  // Inline and attached policies of an entity.
  auto policies_of = [&](const json::object& doc, std::string_view inline_source,
                         std::vector<IdentityPolicy>& out) -> Status {
    if (auto it = doc.find("InlinePolicies"); it != doc.end() && it->value().is_object()) {
      for (const auto& [name, text] : it->value().get_object()) {
        const json::string* t = text.if_string();
        std::string where = std::string(inline_source) + " " + std::string(str(doc, "Arn")) +
                            " inline policy " + std::string(name);
        out.push_back({compile(t ? std::string_view(*t) : std::string_view(), PolicyKind::kIdentity,
                               where),
                       std::string(name), std::string(inline_source)});
      }
    }
    if (const json::array* attached = array_of(doc, "AttachedPolicies")) {
      for (const json::value& v : *attached) {
        const json::string* s = v.if_string();
        if (!s) continue;
        std::string_view arn = *s;
        if (auto p = snap->find_policy(arn))
          out.push_back({p, std::string(arn.substr(arn.rfind('/') + 1)),
                         arn.starts_with(kAwsPolicyArnPrefix) ? "aws-managed" : "user-managed"});
      }
    }
    return {};
  };
  auto common = [&](const json::object& doc, EntityKind kind, PrincipalEntry& e) -> Status {
    const KindInfo& info = kind_info(kind);
    auto principal = std::make_shared<Principal>();
    principal->type =
        kind == EntityKind::kUser ? PrincipalType::kUser : PrincipalType::kAssumedRole;
    principal->account_id = account;
    principal->name = str(doc, std::string(info.Noun) + "Name");
    principal->arn = str(doc, "Arn");
    principal->user_id = str(doc, std::string(info.Noun) + "Id");
    e.principal = std::move(principal);
    e.path = str(doc, "Path");
    if (const json::array* tags = array_of(doc, "Tags"))
      for (const json::value& t : *tags)
        if (const json::object* o = t.if_object())
          e.tags.emplace_back(str(*o, "Key"), str(*o, "Value"));
    if (auto it = doc.find("PermissionsBoundary"); it != doc.end()) {
      const json::object* b = it->value().if_object();
      std::string_view arn = b ? str(*b, "PermissionsBoundaryArn") : std::string_view();
      e.boundary = snap->find_policy(arn);
      // A boundary that is gone or unreadable allows nothing, rather than lifting the limit.
      if (!e.boundary) e.boundary = deny_all(PolicyKind::kIdentity);
    }
    return policies_of(doc, info.noun, e.identity);
  };

  auto group_rows = PC_TRY(txn.scan(kGroups));
  std::unordered_map<std::string, std::vector<IdentityPolicy>> group_policies;
  for (const json::object& g : parse_rows(group_rows)) {
    auto& list = group_policies[lower(str(g, "GroupName"))];
    PC_CHECK(policies_of(g, "group", list));
  }

  auto user_rows = PC_TRY(txn.scan(kUsers));
  for (const json::object& u : parse_rows(user_rows)) {
    auto e = std::make_shared<PrincipalEntry>();
    PC_CHECK(common(u, EntityKind::kUser, *e));
    if (const json::array* groups = array_of(u, "Groups")) {
      for (const json::value& g : *groups) {
        const json::string* name = g.if_string();
        if (!name) continue;
        auto& list = group_policies[lower(*name)];
        e->identity.insert(e->identity.end(), list.begin(), list.end());
      }
    }
    snap->users_[lower(e->principal->name)] = std::move(e);
  }

  auto role_rows = PC_TRY(txn.scan(kRoles));
  for (const json::object& r : parse_rows(role_rows)) {
    auto e = std::make_shared<PrincipalEntry>();
    PC_CHECK(common(r, EntityKind::kRole, *e));
    e->trust = compile(str(r, "AssumeRolePolicyDocument"), PolicyKind::kTrust,
                       "trust policy of " + std::string(str(r, "Arn")));
    if (auto it = r.find("MaxSessionDuration"); it != r.end() && it->value().is_int64())
      e->max_session_duration = static_cast<long>(it->value().get_int64());
    snap->roles_[lower(e->principal->name)] = std::move(e);
  }

  auto saml_rows = PC_TRY(txn.scan(kSamlProviders));
  for (const json::object& p : parse_rows(saml_rows)) {
    // Validated when stored; a document that no longer parses trusts no key.
    auto m = federation::saml::parse_metadata(str(p, "SAMLMetadataDocument"));
    if (!m) continue;
    SamlProvider sp{std::string(str(p, "Arn")), std::string(str(p, "Name")), m->entity_id,
                    std::move(m->signing_certificates)};
    snap->saml_providers_[sp.arn] = std::move(sp);
  }

  auto oidc_rows = PC_TRY(txn.scan(kOidcProviders));
  for (const json::object& p : parse_rows(oidc_rows)) {
    OidcProvider op{std::string(str(p, "Arn")), std::string(str(p, "Url")), {}, {}};
    auto strings = [&](std::string_view key, std::vector<std::string>& out) {
      if (const json::array* a = array_of(p, key))
        for (const json::value& v : *a)
          if (const json::string* s = v.if_string()) out.emplace_back(*s);
    };
    strings("ClientIDList", op.client_ids);
    strings("ThumbprintList", op.thumbprints);
    snap->oidc_providers_[op.url] = std::move(op);
  }

  auto key_rows = PC_TRY(txn.scan(kKeys));
  for (const json::object& k : parse_rows(key_rows)) {
    auto owner = snap->users_.find(lower(str(k, "UserName")));
    if (owner == snap->users_.end()) continue;
    auto sealed = base64_decode(str(k, "SecretSealed"));
    if (!sealed) return fail(ErrorCode::kInternal, "store: corrupt access key");
    auto secret = crypto::open(master_key, *sealed, str(k, "AccessKeyId"));
    if (!secret)
      return fail(ErrorCode::kInternal,
                  "cannot decrypt access keys: the master key does not match this state");
    KeyEntry entry{std::string(str(k, "AccessKeyId")), std::move(*secret),
                   str(k, "Status") == "Active", owner->second};
    snap->keys_[entry.access_key_id] = std::move(entry);
  }
  return std::shared_ptr<const Snapshot>(std::move(snap));
}

}  // namespace portcullis::iam
