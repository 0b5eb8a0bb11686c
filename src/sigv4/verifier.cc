#include "sigv4/verifier.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <memory>
#include <unordered_map>

#include "core/encoding.h"
#include "sigv4/canonical.h"

namespace portcullis::sigv4 {

namespace {

constexpr std::string_view kMismatch =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";

// Reads one parameter from a raw query string, decoded.
std::optional<std::string> query_param(std::string_view query, std::string_view name) {
  std::optional<std::string> found;
  for_each_param(query, [&](std::string_view n, std::string_view v) {
    if (!found && n == name) found = percent_decode(v);
  });
  return found;
}

bool header_form(const http::Request& r) {
  auto a = r.header("authorization");
  return a.has_value();
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string format_offset(SystemTime t, std::chrono::seconds d) { return format_amz_date(t + d); }

// "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…"
void parse_authorization_header(std::string_view value, std::string_view& credential,
                                std::string_view& signed_headers, std::string_view& signature) {
  std::string_view v = trim(value);
  bool known = v.size() > kAlgorithm.size() && v.substr(0, kAlgorithm.size()) == kAlgorithm &&
               (v[kAlgorithm.size()] == ' ');
  if (known) {
    v.remove_prefix(kAlgorithm.size() + 1);
    size_t pos = 0;
    while (pos < v.size()) {
      size_t comma = v.find(',', pos);
      std::string_view item = trim(v.substr(pos, comma == v.npos ? v.npos : comma - pos));
      pos = comma == v.npos ? v.size() : comma + 1;
      size_t eq = item.find('=');
      if (eq == item.npos) continue;
      std::string_view k = item.substr(0, eq), val = item.substr(eq + 1);
      if (k == "Credential")
        credential = val;
      else if (k == "SignedHeaders")
        signed_headers = val;
      else if (k == "Signature")
        signature = val;
    }
  }
}

struct CachedKey {
  std::string secret;
  std::unique_ptr<crypto::Hmac> hmac;  // keyed with the signing key
};

// The signing key for (access key id, date, region, service), bound to the secret it was
// derived from; one cache per thread, so no locks.
crypto::Hmac& cached_signer(const ParsedAuth& a, std::string_view secret) {
  thread_local std::unordered_map<std::string, CachedKey> cache;
  thread_local std::string id;
  id.clear();
  id += a.access_key_id;
  id += '/';
  id += a.date;
  id += '/';
  id += a.region;
  id += '/';
  id += a.service;
  auto it = cache.find(id);
  if (it != cache.end() && crypto::constant_time_equal(it->second.secret, secret))
    return *it->second.hmac;
  if (cache.size() >= 4096) {
    for (auto& [k, v] : cache) crypto::secure_zero(v.secret.data(), v.secret.size());
    cache.clear();
  }
  CachedKey& entry = cache[id];
  entry.secret = secret;
  crypto::Digest key = signing_key(secret, a.date, a.region, a.service);
  entry.hmac = std::make_unique<crypto::Hmac>(
      std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
  crypto::secure_zero(key.data(), key.size());
  return *entry.hmac;
}

}  // namespace

bool has_authentication(const http::Request& r) {
  return header_form(r) || query_param(r.query(), "X-Amz-Algorithm").has_value() ||
         query_param(r.query(), "X-Amz-Credential").has_value();
}

std::optional<std::string> scope_service(const http::Request& r) {
  std::string credential;
  if (auto a = r.header("authorization")) {
    std::string_view cred, sh, sig;
    parse_authorization_header(*a, cred, sh, sig);
    credential = cred;
  } else if (auto c = query_param(r.query(), "X-Amz-Credential")) {
    credential = *c;
  }
  // keyid/date/region/service/aws4_request
  size_t slashes = 0, start = 0, end = 0;
  for (size_t i = 0; i < credential.size(); ++i) {
    if (credential[i] != '/') continue;
    ++slashes;
    if (slashes == 3) start = i + 1;
    if (slashes == 4) end = i;
  }
  if (slashes != 4) return std::nullopt;
  return credential.substr(start, end - start);
}

namespace {
// The headers SigV4 reads, found in one pass.
struct AuthHeaders {
  std::optional<std::string_view> authorization, amz_date, date, token, content_sha256;
};

AuthHeaders auth_headers(const http::Request& r) {
  AuthHeaders h;
  for (size_t i = 0; i < r.field_count(); ++i) {
    std::string_view n = r.field_name(i);
    auto set = [&](std::optional<std::string_view>& slot) {
      if (!slot) slot = r.field_value(i);
    };
    switch (n.size()) {
      case 4:
        if (iequals(n, "date")) set(h.date);
        break;
      case 10:
        if (iequals(n, "x-amz-date")) set(h.amz_date);
        break;
      case 13:
        if (iequals(n, "authorization")) set(h.authorization);
        break;
      case 20:
        if (iequals(n, "x-amz-content-sha256"))
          set(h.content_sha256);
        else if (iequals(n, "x-amz-security-token"))
          set(h.token);
        break;
      default:
        break;
    }
  }
  return h;
}
}  // namespace

Result<ParsedAuth> parse(const http::Request& r, const VerifyOptions& opt, SystemTime now) {
  ParsedAuth a;
  const AuthHeaders h = auth_headers(r);
  std::string_view credential;
  std::string_view date_value;  // X-Amz-Date or Date, as sent
  std::string query_holder[3];  // decoded query-form values the views above point to
  std::optional<std::string> expires;
  bool date_from_http_date = false;

  if (auto auth = h.authorization) {
    a.form = Form::kHeader;
    std::string_view sh, sig;
    parse_authorization_header(*auth, credential, sh, sig);
    a.signed_headers = sh;
    a.signature = sig;
    std::string missing;
    if (credential.empty()) missing += "Authorization header requires 'Credential' parameter. ";
    if (a.signature.empty()) missing += "Authorization header requires 'Signature' parameter. ";
    if (a.signed_headers.empty())
      missing += "Authorization header requires 'SignedHeaders' parameter. ";
    if (h.amz_date) {
      date_value = *h.amz_date;
    } else if (h.date) {
      date_value = *h.date;
      date_from_http_date = true;
    } else {
      missing +=
          "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
    }
    if (!missing.empty()) {
      missing.pop_back();
      return fail(ErrorCode::kIncompleteSignature, missing);
    }
    if (h.token) a.session_token = *h.token;
  } else {
    a.form = Form::kQuery;
    std::string_view q = r.query();
    auto algorithm = query_param(q, "X-Amz-Algorithm");
    auto cred = query_param(q, "X-Amz-Credential");
    auto sig = query_param(q, "X-Amz-Signature");
    auto date = query_param(q, "X-Amz-Date");
    auto sh = query_param(q, "X-Amz-SignedHeaders");
    expires = query_param(q, "X-Amz-Expires");
    if (!algorithm && !cred && !sig) return fail(ErrorCode::kMissingAuthenticationToken, "");
    if (!algorithm || !cred || !sig || !date || !sh || !expires || cred->empty() || sig->empty() ||
        sh->empty()) {
      return fail(ErrorCode::kIncompleteSignature,
                  "AWS query-string parameters must include 'X-Amz-Algorithm', "
                  "'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders' "
                  "and 'X-Amz-Expires'. Re-examine the query-string parameters.");
    }
    if (*algorithm != kAlgorithm)
      return fail(ErrorCode::kIncompleteSignature, "Unsupported value for X-Amz-Algorithm: '" +
                                                       *algorithm +
                                                       "'. Only 'AWS4-HMAC-SHA256' is supported.");
    query_holder[0] = std::move(*cred);
    query_holder[1] = std::move(*date);
    credential = query_holder[0];
    date_value = query_holder[1];
    a.signature = std::move(*sig);
    a.signed_headers = std::move(*sh);
    if (auto t = query_param(q, "X-Amz-Security-Token")) a.session_token = *t;
  }
  if (h.content_sha256) a.content_sha256 = *h.content_sha256;

  // Credential: keyid/date/region/service/aws4_request
  std::array<std::string_view, 5> parts;
  size_t part_count = 0;
  {
    std::string_view c = credential;
    size_t pos = 0;
    for (;;) {
      size_t slash = c.find('/', pos);
      if (part_count < parts.size())
        parts[part_count] = c.substr(pos, slash == c.npos ? c.npos : slash - pos);
      ++part_count;
      if (slash == c.npos) break;
      pos = slash + 1;
    }
  }
  if (part_count != 5 || parts[0].empty()) {
    return fail(ErrorCode::kIncompleteSignature,
                "Credential must have exactly 5 slash-delimited elements, e.g. "
                "keyid/date/region/service/term, got '" +
                    std::string(credential) + "'");
  }
  a.access_key_id = parts[0];
  a.date = parts[1];
  a.region = parts[2];
  a.service = parts[3];

  // The request time.
  std::optional<SystemTime> t =
      date_from_http_date ? parse_http_date(date_value) : parse_amz_date(date_value);
  if (!t) {
    return fail(ErrorCode::kIncompleteSignature,
                date_from_http_date
                    ? "Date must be in RFC 7231 format. Got '" + std::string(date_value) + "'."
                    : "Date must be in ISO-8601 'basic format'. Got '" + std::string(date_value) +
                          "'. See http://en.wikipedia.org/wiki/ISO_8601");
  }
  a.time = *t;
  a.amz_date = date_from_http_date ? format_amz_date(*t) : std::string(date_value);

  // Signed headers: lower-case names, each at most once, sorted; host and the date signed.
  {
    bool host = false, date = false;
    std::string_view sh = a.signed_headers;
    size_t pos = 0;
    for (;;) {
      size_t semi = sh.find(';', pos);
      std::string_view n = sh.substr(pos, semi == sh.npos ? sh.npos : semi - pos);
      if (n == "host") host = true;
      if (n == (date_from_http_date ? "date" : "x-amz-date")) date = true;
      if (semi == sh.npos) break;
      pos = semi + 1;
    }
    if (!host)
      return fail(ErrorCode::kSignatureDoesNotMatch,
                  "'Host' must be a 'SignedHeader' in the AWS Authorization.");
    if (a.form == Form::kHeader && !date)
      return fail(ErrorCode::kSignatureDoesNotMatch,
                  date_from_http_date
                      ? "'Date' must be a 'SignedHeader' in the AWS Authorization."
                      : "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.");
  }

  // Scope: every problem is reported at once, as AWS does.
  std::string scope_errors;
  if (a.date != a.amz_date.substr(0, 8)) {
    scope_errors +=
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
        "date from HTTP: '" +
        a.date + "' != '" + a.amz_date.substr(0, 8) + "', from '" + a.amz_date + "'. ";
  }
  if (std::find(opt.regions.begin(), opt.regions.end(), a.region) == opt.regions.end())
    scope_errors += "Credential should be scoped to a valid region. ";
  if (a.service != opt.service)
    scope_errors +=
        "Credential should be scoped to correct service: '" + std::string(opt.service) + "'. ";
  if (parts[4] != kTerminator)
    scope_errors += "Credential should be scoped with a valid terminator: 'aws4_request', not '" +
                    std::string(parts[4]) + "'. ";
  if (!scope_errors.empty()) {
    scope_errors.pop_back();
    return fail(ErrorCode::kSignatureDoesNotMatch, scope_errors);
  }

  // Time window.
  using std::chrono::seconds;
  if (a.form == Form::kQuery) {
    int64_t e = -1;
    if (!expires->empty() && expires->size() <= 10 &&
        std::all_of(expires->begin(), expires->end(), [](char c) { return c >= '0' && c <= '9'; }))
      e = std::stoll(*expires);
    if (e < 0)
      return fail(ErrorCode::kIncompleteSignature,
                  "X-Amz-Expires should be a number. Got '" + *expires + "'.");
    if (e > opt.max_presign_expiry.count())
      return fail(ErrorCode::kIncompleteSignature,
                  "X-Amz-Expires must be less than a week (in seconds) that is 604800");
    if (now > a.time + seconds(e)) {
      return fail(ErrorCode::kSignatureExpired,
                  "Signature expired: " + a.amz_date + " is now earlier than " +
                      format_offset(now, -seconds(e)) + " (" + format_amz_date(now) + " - " +
                      std::to_string(e) + " sec.)");
    }
  }
  const auto skew = opt.max_skew;
  auto skew_text = [&] { return std::to_string(skew.count() / 60) + " min.)"; };
  if (a.form == Form::kHeader && a.time < now - skew) {
    return fail(ErrorCode::kSignatureExpired,
                "Signature expired: " + a.amz_date + " is now earlier than " +
                    format_offset(now, -skew) + " (" + format_amz_date(now) + " - " + skew_text());
  }
  if (a.time > now + skew) {
    return fail(ErrorCode::kSignatureExpired,
                "Signature not yet current: " + a.amz_date + " is still later than " +
                    format_offset(now, skew) + " (" + format_amz_date(now) + " + " + skew_text());
  }
  return a;
}

Result<std::string> verify(const http::Request& r, const ParsedAuth& a, std::string_view secret,
              const VerifyOptions& opt) {
  // The payload hash: what the client declares (checked against the body unless it chose
  // UNSIGNED-PAYLOAD), otherwise the hash of the raw body bytes.
  thread_local std::string body_hash;
  std::string_view payload_hash;
  if (!a.content_sha256.empty() && a.content_sha256 == kUnsignedPayload) {
    if (!opt.allow_unsigned_payload)
      return fail(ErrorCode::kSignatureDoesNotMatch,
                  "UNSIGNED-PAYLOAD is not accepted by this service: the payload must be signed.");
    payload_hash = kUnsignedPayload;
  } else {
    if (r.body.empty()) {
      payload_hash = kEmptySha256;
    } else {
      body_hash = crypto::sha256_hex(r.body);
      payload_hash = body_hash;
    }
    if (!a.content_sha256.empty() && !iequals(a.content_sha256, payload_hash))
      return fail(ErrorCode::kSignatureDoesNotMatch,
                  "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }

  thread_local std::vector<std::string_view> names;
  names.clear();
  {
    std::string_view sh = a.signed_headers;
    size_t pos = 0;
    for (;;) {
      size_t semi = sh.find(';', pos);
      names.push_back(sh.substr(pos, semi == sh.npos ? sh.npos : semi - pos));
      if (semi == sh.npos) break;
      pos = semi + 1;
    }
  }
  thread_local std::vector<HeaderRef> headers;
  headers.clear();
  for (size_t i = 0; i < r.field_count(); ++i)
    headers.emplace_back(r.field_name(i), r.field_value(i));

  const std::string query =
      canonical_query(r.query(), a.form == Form::kQuery ? "X-Amz-Signature" : "");
  const std::string cheaders = canonical_headers(names, headers);
  thread_local std::string scope;
  scope = a.date;
  scope += '/';
  scope += a.region;
  scope += '/';
  scope += a.service;
  scope += '/';
  scope += kTerminator;
  crypto::Hmac& signer = cached_signer(a, secret);
  crypto::Digest given{};
  const bool well_formed = hex_decode(a.signature, given);

  // Non-S3 clients encode the already-encoded path once more; some sign the path encoded only
  // once. Both forms are accepted (the second is tried only when the first does not match).
  thread_local std::string creq, sts;
  std::string first_creq;
  std::string first_sts;
  std::string decoded;
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::string_view raw_path = r.path();
    if (attempt == 1) {
      decoded = percent_decode(r.path());
      if (decoded == r.path()) break;  // nothing was encoded: the same as the first attempt
      raw_path = decoded;
    }
    creq.clear();
    append_canonical_request(creq, r.method(), canonical_uri(raw_path, true), query, cheaders,
                             a.signed_headers, payload_hash);
    sts.clear();
    append_string_to_sign(sts, a.amz_date, scope, creq);
    crypto::Digest expected = signer.mac(sts);
    if (well_formed && CRYPTO_memcmp(expected.data(), given.data(), given.size()) == 0)
      return std::string(raw_path);
    if (attempt == 0) {
      first_creq = creq;
      first_sts = sts;
    }
  }
  std::string message(kMismatch);
  if (opt.echo_canonical) {
    message += "\n\nThe Canonical String for this request should have been\n'" + first_creq +
               "'\n\nThe String-to-Sign should have been\n'" + first_sts + "'\n";
  }
  return fail(ErrorCode::kSignatureDoesNotMatch, message);
}

}  // namespace portcullis::sigv4
