#include "sts/sts_service.h"

#include <array>
#include <charconv>

#include "core/ids.h"
#include "iam/authorize.h"
#include "protocol/errors.h"
#include "sts/call.h"
#include "sts/session_cache.h"

namespace portcullis::sts {

using iam::PrincipalEntry;
using namespace detail;

namespace {

// Every action of the STS model, so that one not implemented yet is named as such.
constexpr std::array<std::string_view, 9> kModelActions = {
    "AssumeRole",        "AssumeRoleWithSAML",         "AssumeRoleWithWebIdentity",
    "AssumeRoot",        "DecodeAuthorizationMessage", "GetAccessKeyInfo",
    "GetCallerIdentity", "GetFederationToken",         "GetSessionToken"};

void write_error(http::Response& res, const http::Request& req, const Error& e) {
  protocol::write_error(res, protocol::Protocol::kQuery, e, req.request_id, protocol::kStsXmlns);
}

Status get_session_token(Call& c) {
  auto duration = PC_TRY(iam::optional_int(c.params, "DurationSeconds", 900, 129600));
  if (c.caller->session)
    return fail(ErrorCode::kAccessDenied, "Cannot call GetSessionToken with session credentials");
  const bool mfa = PC_TRY(mfa_request(c));
  SessionClaims claims;
  claims.access_key_id = ids::access_key_id("ASIA");
  claims.secret_access_key = ids::secret_access_key();
  claims.role = false;
  claims.account = c.snapshot.account();
  claims.name = c.caller->principal->name;
  claims.unique_id = c.caller->principal->user_id;
  claims.issued = epoch(c.now);
  claims.expires = claims.issued + duration.value_or(43200);
  if (mfa) claims.mfa_time = claims.issued;
  write_credentials(c.out.x, claims, c.keys.seal(claims));
  return {};
}

Status get_access_key_info(Call& c) {
  auto id = PC_TRY(iam::required(c.params, "AccessKeyId", iam::kAccessKeyId));
  iam::RequestContext ctx = iam::request_context(*c.caller, c.req, c.now, c.region);
  ctx.action = "sts:GetAccessKeyInfo";
  ctx.resource = "*";
  PC_CHECK(iam::authorize(*c.caller, ctx));
  c.out.x.element("Account", c.snapshot.account());
  return {};
}

Status get_caller_identity(Call& c) {
  // No permission is needed, as on AWS.
  c.out.x.element("Arn", c.caller->principal->arn);
  c.out.x.element("UserId", c.caller->principal->user_id);
  c.out.x.element("Account", c.caller->principal->account_id);
  return {};
}

// A stored expiry (epoch seconds, as first_use writes them); kInternal when the row is not one.
Result<int64_t> stored_expiry(std::string_view table, std::string_view key,
                              std::string_view value) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || end != value.data() + value.size())
    return fail(ErrorCode::kInternal, "store: corrupt row " + std::string(table) + "/" +
                                          std::string(key) + ": not an expiry time");
  return n;
}

}  // namespace

Result<bool> AssertionLog::first_use(const std::string& id, SystemTime expires, SystemTime now) {
  constexpr std::string_view kTable = "sts.assertions";
  const int64_t t = epoch(now);
  bool first = false;
  Status st = store_.write([&](store::Transaction& txn) -> Status {
    // Once a minute, forget what has expired.
    int64_t sweep = next_sweep_.load();
    if (t >= sweep && next_sweep_.compare_exchange_strong(sweep, t + 60)) {
      auto rows = PC_TRY(txn.scan(kTable));
      for (const auto& [key, value] : rows)
        if (PC_TRY(stored_expiry(kTable, key, value)) < t) PC_CHECK(txn.erase(kTable, key));
    }
    auto seen = PC_TRY(txn.get(kTable, id));
    if (seen && PC_TRY(stored_expiry(kTable, id, *seen)) >= t) return {};
    first = true;
    return txn.put(kTable, id, std::to_string(epoch(expires)));
  });
  PC_CHECK(st);
  return first;
}

Result<KeySetCache::Keys> KeySetCache::keys(const std::string& issuer,
                                            const std::vector<std::string>& thumbprints,
                                            bool refresh, SystemTime now) {
  // Keys fetched under other thumbprints are not reused: changing them refetches.
  std::string id = issuer;
  for (const std::string& t : thumbprints) id += "|" + iam::lower(t);
  {
    std::unique_lock lock(mu_);
    auto usable = [&]() -> std::optional<Result<Keys>> {
      auto it = sets_.find(id);
      if (it == sets_.end()) return std::nullopt;
      const Entry& e = it->second;
      auto age = now - e.fetched;
      bool recent = age < std::chrono::seconds(10);
      if (e.error && recent) return std::unexpected(*e.error);
      if (e.keys && (recent || (!refresh && age < std::chrono::hours(1)))) return e.keys;
      return std::nullopt;
    };
    if (auto r = usable()) return *r;
    // One fetch per provider at a time, and at most kMaxWaiting callers waiting for it: a slow
    // provider holds a bounded part of the blocking pool, never all of it. Callers beyond that
    // get the keys the provider had, or AWS's answer for a provider that cannot be reached.
    auto& waiting = fetching_[id];  // created as 0 when no fetch is in flight
    if (waiting > 0) {
      auto it = sets_.find(id);
      if (waiting > kMaxWaiting) {
        if (it != sets_.end() && it->second.keys) return it->second.keys;
        return fail(ErrorCode::kInvalidIdentityToken,
                    "Couldn't retrieve verification key from your identity provider, please "
                    "reference AssumeRoleWithWebIdentity documentation for requirements");
      }
      ++waiting;
      // The fetch gives up after 5 seconds; once it ended, the counter went with it.
      if (!fetched_.wait_for(lock, std::chrono::seconds(6),
                             [&] { return !fetching_.contains(id); }))
        --fetching_[id];
      if (auto r = usable()) return *r;
      return fail(ErrorCode::kInvalidIdentityToken,
                  "Couldn't retrieve verification key from your identity provider, please "
                  "reference AssumeRoleWithWebIdentity documentation for requirements");
    }
    waiting = 1;  // the fetcher itself
  }
  // Fetched without the lock: other providers' tokens are not held up.
  const auto started = std::chrono::steady_clock::now();
  auto fetched = federation::oidc::fetch_jwks(issuer, thumbprints, std::chrono::seconds(5));
  std::lock_guard lock(mu_);
  fetching_.erase(id);
  fetched_.notify_all();
  if (!fetched) {
    // A slow failure (a timeout) is remembered, so a provider that hangs holds one call every
    // 10 seconds, not every call; a quick one (refused, an HTTP error) is simply tried again.
    if (std::chrono::steady_clock::now() - started >= std::chrono::seconds(1))
      sets_[id] = Entry{nullptr, fetched.error(), now};
    return std::unexpected(fetched.error());
  }
  auto keys = std::make_shared<const std::vector<federation::oidc::Jwk>>(std::move(*fetched));
  sets_[id] = Entry{keys, std::nullopt, now};
  return keys;
}

StsService::StsService(iam::IamService& iam, store::Store& store, TokenKeys keys,
                       const Clock& clock, StsSettings settings)
    : iam_(iam),
      keys_(std::move(keys)),
      clock_(clock),
      settings_(std::move(settings)),
      assertions_(store) {}

Result<SessionCaller> StsService::session_caller(std::string_view access_key_id,
                                                 std::string_view token,
                                                 const iam::Snapshot& snapshot) const {
  const SystemTime now = clock_.now();
  SessionCache& cache = SessionCache::local();
  if (auto hit = cache.find(token, access_key_id, snapshot.id(), now)) return std::move(*hit);
  SystemTime expires;
  auto built = build_session_caller(access_key_id, token, snapshot, now, expires);
  if (built) cache.put(token, access_key_id, snapshot.id(), expires, *built);
  return built;
}

Result<SessionCaller> StsService::build_session_caller(std::string_view access_key_id,
                                                       std::string_view token,
                                                       const iam::Snapshot& snapshot,
                                                       SystemTime now, SystemTime& expires) const {
  auto claims = PC_TRY(keys_.open(token, now));
  const Error invalid{ErrorCode::kInvalidClientTokenId, ""};
  if (claims.access_key_id != access_key_id || claims.account != snapshot.account())
    return std::unexpected(invalid);
  expires = from_epoch(claims.expires);
  auto entry = std::make_shared<PrincipalEntry>();
  PrincipalEntry::Session session;
  session.issued = from_epoch(claims.issued);
  session.source_identity = claims.source_identity;
  session.chained = claims.chained;
  if (claims.mfa_time) session.mfa_authenticated = from_epoch(claims.mfa_time);
  for (const auto& [k, v] : claims.tags)
    for (const std::string& t : claims.transitive_tag_keys)
      if (iam::lower(t) == iam::lower(k)) session.transitive_tags.emplace_back(k, v);
  if (claims.role) {
    // The role as it is now: a deleted (or deleted and recreated) role ends its sessions.
    const PrincipalEntry* role = snapshot.find_role(claims.name);
    if (!role || role->principal->user_id != claims.unique_id) return std::unexpected(invalid);
    *entry = *role;
    auto p = std::make_shared<iam::Principal>();
    p->type = iam::PrincipalType::kAssumedRole;
    p->account_id = claims.account;
    p->name = role->principal->name + "/" + claims.session_name;
    p->arn = session_arn(claims.account, role->principal->name, claims.session_name);
    p->user_id = claims.unique_id + ":" + claims.session_name;
    entry->principal = std::move(p);
    session.role_arn = role->principal->arn;
    // Session tags override the role's tags of the same key.
    for (const auto& [k, v] : claims.tags) {
      std::erase_if(entry->tags,
                    [&](const auto& t) { return iam::lower(t.first) == iam::lower(k); });
      entry->tags.emplace_back(k, v);
    }
  } else {
    const PrincipalEntry* user = snapshot.find_user(claims.name);
    if (!user || user->principal->user_id != claims.unique_id) return std::unexpected(invalid);
    *entry = *user;
    session.from_session_token = true;
  }
  if (!claims.policy.empty()) {
    auto p = iam::parse_policy(claims.policy, iam::PolicyKind::kIdentity);
    if (!p) return std::unexpected(invalid);
    session.policies.push_back(std::make_shared<const iam::Policy>(std::move(*p)));
  }
  for (const std::string& arn : claims.policy_arns)
    if (auto p = snapshot.find_policy(arn)) session.policies.push_back(p);
  session.has_policies = !claims.policy.empty() || !claims.policy_arns.empty();
  entry->session = std::move(session);
  return SessionCaller{std::move(entry), std::move(claims.secret_access_key)};
}

void StsService::handle(const http::Request& req, const protocol::QueryParams& params,
                        const PrincipalEntry& caller, const iam::Snapshot& snapshot,
                        std::string_view region, http::Response& res) const {
  dispatch(req, params, &caller, snapshot, region, res);
}

void StsService::handle_unsigned(const http::Request& req, const protocol::QueryParams& params,
                                 const iam::Snapshot& snapshot, std::string_view region,
                                 http::Response& res) const {
  dispatch(req, params, nullptr, snapshot, region, res);
}

void StsService::dispatch(const http::Request& req, const protocol::QueryParams& params,
                          const PrincipalEntry* caller, const iam::Snapshot& snapshot,
                          std::string_view region, http::Response& res) const {
  auto action = params.get("Action");
  if (!action || action->empty())
    return write_error(res, req, Error{ErrorCode::kMissingAction, ""});
  auto version = params.get("Version");
  if (version && *version != kVersion)
    return write_error(
        res, req,
        Error{ErrorCode::kInvalidAction, "Could not find operation " + std::string(*action) +
                                             " for version " + std::string(*version)});
  using Fn = Status (*)(Call&);
  struct Op {
    std::string_view name;
    Fn fn;
    bool unsigned_call;  // AWS accepts it without a signature (and then has no caller)
  };
  static constexpr Op kOps[] = {
      {"AssumeRole", assume_role, false},
      {"AssumeRoleWithSAML", assume_role_with_saml, true},
      {"AssumeRoleWithWebIdentity", assume_role_with_web_identity, true},
      {"GetSessionToken", get_session_token, false},
      {"GetAccessKeyInfo", get_access_key_info, false},
      {"GetCallerIdentity", get_caller_identity, false},
  };
  const Op* op = nullptr;
  for (const Op& o : kOps)
    if (o.name == *action) op = &o;
  if (!op) {
    for (std::string_view a : kModelActions)
      if (a == *action)
        return write_error(res, req,
                           Error{ErrorCode::kNotImplemented, "STS action " + std::string(a) +
                                                                 " is not implemented by "
                                                                 "Portcullis yet."});
    return write_error(
        res, req,
        Error{ErrorCode::kInvalidAction, "Could not find operation " + std::string(*action) +
                                             " for version " + std::string(kVersion)});
  }
  if (!caller && !op->unsigned_call)
    return write_error(res, req, Error{ErrorCode::kMissingAuthenticationToken, ""});
  Writer out(req, *action);
  Call call{req,  params,      caller,    snapshot,     settings_, keys_,
            iam_, assertions_, key_sets_, clock_.now(), region, out};
  if (auto st = op->fn(call); !st) return write_error(res, req, st.error());
  out.finish(res);
}

}  // namespace portcullis::sts
