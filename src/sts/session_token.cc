#include "sts/session_token.h"

#include <boost/json.hpp>

#include "core/crypto.h"
#include "core/encoding.h"
#include "core/json_read.h"
#include "core/seal.h"

namespace portcullis::sts {

namespace json = boost::json;

namespace {

constexpr std::string_view kTable = "sts.keys";
constexpr std::string_view kPrefix = "PCS1";  // token format version, authenticated
constexpr int64_t kLongestSession = 129600;   // 36 hours (GetSessionToken's maximum)

Error invalid() { return Error{ErrorCode::kInvalidClientTokenId, ""}; }

int64_t seconds(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

json::array string_array(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

std::string to_json(const SessionClaims& c) {
  json::array tags;  // key, value, key, value, …
  for (const auto& [k, v] : c.tags) {
    tags.emplace_back(k);
    tags.emplace_back(v);
  }
  json::object o{{"k", c.access_key_id},
                 {"s", c.secret_access_key},
                 {"r", c.role},
                 {"a", c.account},
                 {"n", c.name},
                 {"sn", c.session_name},
                 {"u", c.unique_id},
                 {"i", c.issued},
                 {"e", c.expires},
                 {"p", c.policy},
                 {"pa", string_array(c.policy_arns)},
                 {"t", tags},
                 {"tt", string_array(c.transitive_tag_keys)},
                 {"si", c.source_identity},
                 {"c", c.chained},
                 {"m", c.mfa_time}};
  return json::serialize(o);
}

// Reads the claims without exceptions: any missing or mistyped member makes the token invalid.
Result<SessionClaims> from_json(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::unexpected(invalid());
  const json::object& o = v.get_object();
  bool ok = true;
  auto text_of = [&](std::string_view key) -> std::string {
    const json::value* m = o.if_contains(key);
    if (!m || !m->is_string()) {
      ok = false;
      return {};
    }
    return std::string(m->get_string());
  };
  auto flag = [&](std::string_view key) {
    const json::value* m = o.if_contains(key);
    ok = ok && m && m->is_bool();
    return ok && m->get_bool();
  };
  auto number = [&](std::string_view key) -> int64_t {
    const json::value* m = o.if_contains(key);
    ok = ok && m && m->is_int64();
    return ok ? m->get_int64() : 0;
  };
  auto strings = [&](std::string_view key, std::vector<std::string>& out) {
    const json::value* m = o.if_contains(key);
    if (!m || !m->is_array()) {
      ok = false;
      return;
    }
    for (const json::value& e : m->get_array()) {
      if (!e.is_string()) {
        ok = false;
        return;
      }
      out.emplace_back(e.get_string());
    }
  };
  SessionClaims c;
  c.access_key_id = text_of("k");
  c.secret_access_key = text_of("s");
  c.role = flag("r");
  c.account = text_of("a");
  c.name = text_of("n");
  c.session_name = text_of("sn");
  c.unique_id = text_of("u");
  c.issued = number("i");
  c.expires = number("e");
  c.policy = text_of("p");
  strings("pa", c.policy_arns);
  strings("tt", c.transitive_tag_keys);
  std::vector<std::string> flat_tags;
  strings("t", flat_tags);
  if (flat_tags.size() % 2) ok = false;
  for (size_t i = 0; ok && i < flat_tags.size(); i += 2)
    c.tags.emplace_back(flat_tags[i], flat_tags[i + 1]);
  c.source_identity = text_of("si");
  c.chained = flag("c");
  // Tokens sealed before MFA was recorded have no "m".
  if (o.if_contains("m")) c.mfa_time = number("m");
  if (!ok) return std::unexpected(invalid());
  return c;
}

// base64url without padding: tokens travel in headers and query strings.
std::string b64url(std::string_view bytes) {
  std::string s = base64_encode(bytes);
  for (char& ch : s) ch = ch == '+' ? '-' : ch == '/' ? '_' : ch;
  while (!s.empty() && s.back() == '=') s.pop_back();
  return s;
}

std::optional<std::string> unb64url(std::string_view text) {
  std::string s(text);
  for (char& ch : s) {
    if (ch == '-')
      ch = '+';
    else if (ch == '_')
      ch = '/';
    else if (ch == '+' || ch == '/' || ch == '=')
      return std::nullopt;
  }
  while (s.size() % 4) s.push_back('=');
  auto bytes = base64_decode(s);
  // Only the canonical encoding: unused trailing bits must be zero, so each token has exactly
  // one spelling.
  if (!bytes || b64url(*bytes) != text) return std::nullopt;
  return bytes;
}

}  // namespace

TokenKeys TokenKeys::with_key(std::string id, std::string key) {
  TokenKeys k;
  k.keys_.push_back(Key{std::move(id), std::move(key), 0});
  return k;
}

Result<TokenKeys> TokenKeys::load(store::Store& store, std::string_view master_key, SystemTime now,
                                  std::chrono::seconds rotate_after) {
  TokenKeys out;
  const int64_t t = seconds(now);
  Status st = store.write([&](store::Transaction& txn) -> Status {
    auto rows = PC_TRY(txn.scan(kTable));
    for (const auto& [id, value] : rows) {
      json::object o = PC_TRY(json_read::parse_object(value, std::string(kTable) + "/" + id));
      auto sealed = base64_decode(json_read::sv(o, "sealed"));
      auto created = json_read::int_member(o, "created");
      auto key_id = unb64url(id);
      if (!sealed || sealed->empty() || !created || !key_id)
        return fail(ErrorCode::kInternal, "store: corrupt session key " + std::string(kTable) + "/" +
                                              id + ": needs a base64 \"sealed\", an integer "
                                                   "\"created\" and a base64url id");
      auto key = crypto::open(master_key, *sealed, id);
      if (!key)
        return fail(ErrorCode::kInternal,
                    "cannot decrypt session keys: the master key does not match this state");
      out.keys_.push_back(Key{std::move(*key_id), std::move(*key), *created});
    }
    std::sort(out.keys_.begin(), out.keys_.end(),
              [](const Key& a, const Key& b) { return a.created > b.created; });
    if (out.keys_.empty() || t - out.keys_.front().created >= rotate_after.count()) {
      Key k{crypto::random_bytes(8), crypto::random_bytes(crypto::kSealKeyBytes), t};
      std::string id = b64url(k.id);
      json::object o{{"created", t},
                     {"sealed", base64_encode(crypto::seal(master_key, k.bytes, id))}};
      PC_CHECK(txn.put(kTable, id, json::serialize(o)));
      out.keys_.insert(out.keys_.begin(), std::move(k));
    }
    // A key retired (replaced) longer ago than the longest session can no longer open anything.
    for (size_t i = 1; i < out.keys_.size();) {
      if (t - out.keys_[i - 1].created > kLongestSession) {
        PC_CHECK(txn.erase(kTable, b64url(out.keys_[i].id)));
        out.keys_.erase(out.keys_.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        ++i;
      }
    }
    return {};
  });
  PC_CHECK(st);
  return out;
}

std::string TokenKeys::seal(const SessionClaims& claims) const {
  const Key& k = keys_.front();
  std::string header = std::string(kPrefix) + k.id;
  std::string sealed = crypto::seal(k.bytes, to_json(claims), header);
  return std::string(kPrefix) + b64url(k.id + sealed);
}

Result<SessionClaims> TokenKeys::open(std::string_view token, SystemTime now) const {
  if (!token.starts_with(kPrefix)) return std::unexpected(invalid());
  auto raw = unb64url(token.substr(kPrefix.size()));
  if (!raw || raw->size() < 8) return std::unexpected(invalid());
  std::string_view id = std::string_view(*raw).substr(0, 8);
  for (const Key& k : keys_) {
    if (!crypto::constant_time_equal(k.id, id)) continue;
    auto plain = crypto::open(k.bytes, std::string_view(*raw).substr(8),
                              std::string(kPrefix) + std::string(id));
    if (!plain) return std::unexpected(invalid());
    auto claims = from_json(*plain);
    crypto::secure_zero(plain->data(), plain->size());
    if (!claims) return claims;
    if (seconds(now) >= claims->expires) return fail(ErrorCode::kExpiredToken, "");
    return claims;
  }
  return std::unexpected(invalid());
}

}  // namespace portcullis::sts
