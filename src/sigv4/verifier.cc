#include "sigv4/verifier.h"

#include <algorithm>
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
  size_t pos = 0;
  while (pos < query.size()) {
    size_t amp = query.find('&', pos);
    std::string_view item = query.substr(pos, amp == query.npos ? query.npos : amp - pos);
    pos = amp == query.npos ? query.size() : amp + 1;
    size_t eq = item.find('=');
    if (item.substr(0, eq) == name)
      return eq == item.npos ? std::string() : percent_decode(item.substr(eq + 1));
  }
  return std::nullopt;
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
Status parse_authorization_header(std::string_view value, std::string& credential,
                                  std::string& signed_headers, std::string& signature) {
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
  return {};
}

struct CachedKey {
  std::string secret;
  crypto::Digest key;
};

const crypto::Digest& cached_signing_key(const ParsedAuth& a, std::string_view secret) {
  thread_local std::unordered_map<std::string, CachedKey> cache;
  std::string id;
  id.reserve(a.access_key_id.size() + a.date.size() + a.region.size() + a.service.size() + 3);
  id += a.access_key_id;
  id += '/';
  id += a.date;
  id += '/';
  id += a.region;
  id += '/';
  id += a.service;
  auto it = cache.find(id);
  if (it != cache.end() && crypto::constant_time_equal(it->second.secret, secret))
    return it->second.key;
  if (cache.size() >= 4096) {
    for (auto& [k, v] : cache) crypto::secure_zero(v.secret.data(), v.secret.size());
    cache.clear();
  }
  CachedKey& entry = cache[id];
  entry.secret = secret;
  entry.key = signing_key(secret, a.date, a.region, a.service);
  return entry.key;
}

}  // namespace

bool has_authentication(const http::Request& r) {
  return header_form(r) || query_param(r.query(), "X-Amz-Algorithm").has_value() ||
         query_param(r.query(), "X-Amz-Credential").has_value();
}

std::optional<std::string> scope_service(const http::Request& r) {
  std::string credential;
  if (auto a = r.header("authorization")) {
    std::string sh, sig;
    (void)parse_authorization_header(*a, credential, sh, sig);
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

Result<ParsedAuth> parse(const http::Request& r, const VerifyOptions& opt, SystemTime now) {
  ParsedAuth a;
  std::string credential;
  std::string date_value;  // X-Amz-Date or Date, as sent
  std::optional<std::string> expires;
  bool date_from_http_date = false;

  if (auto auth = r.header("authorization")) {
    a.form = Form::kHeader;
    (void)parse_authorization_header(*auth, credential, a.signed_headers, a.signature);
    std::string missing;
    if (credential.empty()) missing += "Authorization header requires 'Credential' parameter. ";
    if (a.signature.empty()) missing += "Authorization header requires 'Signature' parameter. ";
    if (a.signed_headers.empty())
      missing += "Authorization header requires 'SignedHeaders' parameter. ";
    if (auto d = r.header("x-amz-date")) {
      date_value = *d;
    } else if (auto d2 = r.header("date")) {
      date_value = *d2;
      date_from_http_date = true;
    } else {
      missing +=
          "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
    }
    if (!missing.empty()) {
      missing.pop_back();
      return fail(ErrorCode::kIncompleteSignature, missing);
    }
    if (auto t = r.header("x-amz-security-token")) a.session_token = *t;
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
    credential = *cred;
    a.signature = *sig;
    a.signed_headers = *sh;
    date_value = *date;
    if (auto t = query_param(q, "X-Amz-Security-Token")) a.session_token = *t;
  }
  if (auto h = r.header("x-amz-content-sha256")) a.content_sha256 = *h;

  // Credential: keyid/date/region/service/aws4_request
  std::vector<std::string_view> parts;
  {
    std::string_view c = credential;
    size_t pos = 0;
    for (;;) {
      size_t slash = c.find('/', pos);
      parts.push_back(c.substr(pos, slash == c.npos ? c.npos : slash - pos));
      if (slash == c.npos) break;
      pos = slash + 1;
    }
  }
  if (parts.size() != 5 || parts[0].empty()) {
    return fail(ErrorCode::kIncompleteSignature,
                "Credential must have exactly 5 slash-delimited elements, e.g. "
                "keyid/date/region/service/term, got '" +
                    credential + "'");
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
                    ? "Date must be in RFC 7231 format. Got '" + date_value + "'."
                    : "Date must be in ISO-8601 'basic format'. Got '" + date_value +
                          "'. See http://en.wikipedia.org/wiki/ISO_8601");
  }
  a.time = *t;
  a.amz_date = format_amz_date(*t);

  // Signed headers: lower-case names, each at most once, sorted; host and the date signed.
  {
    std::vector<std::string_view> names;
    std::string_view sh = a.signed_headers;
    size_t pos = 0;
    for (;;) {
      size_t semi = sh.find(';', pos);
      names.push_back(sh.substr(pos, semi == sh.npos ? sh.npos : semi - pos));
      if (semi == sh.npos) break;
      pos = semi + 1;
    }
    bool host = false, date = false;
    for (std::string_view n : names) {
      if (n == "host" || n == ":authority") host = true;
      if (n == (date_from_http_date ? "date" : "x-amz-date")) date = true;
    }
    if (!host)
      return fail(ErrorCode::kSignatureDoesNotMatch,
                  "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
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
  const std::string skew_text = std::to_string(skew.count() / 60) + " min.)";
  if (a.form == Form::kHeader && a.time < now - skew) {
    return fail(ErrorCode::kSignatureExpired,
                "Signature expired: " + a.amz_date + " is now earlier than " +
                    format_offset(now, -skew) + " (" + format_amz_date(now) + " - " + skew_text);
  }
  if (a.time > now + skew) {
    return fail(ErrorCode::kSignatureExpired,
                "Signature not yet current: " + a.amz_date + " is still later than " +
                    format_offset(now, skew) + " (" + format_amz_date(now) + " + " + skew_text);
  }
  return a;
}

Status verify(const http::Request& r, const ParsedAuth& a, std::string_view secret,
              const VerifyOptions& opt) {
  // The payload hash: what the client declares (checked against the body unless it chose
  // UNSIGNED-PAYLOAD), otherwise the hash of the raw body bytes.
  std::string payload_hash;
  if (!a.content_sha256.empty() && a.content_sha256 == kUnsignedPayload) {
    payload_hash = kUnsignedPayload;
  } else {
    payload_hash = r.body.empty() ? std::string(kEmptySha256) : crypto::sha256_hex(r.body);
    if (!a.content_sha256.empty() && !iequals(a.content_sha256, payload_hash))
      return fail(ErrorCode::kSignatureDoesNotMatch,
                  "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }

  std::vector<std::string_view> names;
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
  std::vector<HeaderRef> headers;
  headers.reserve(r.field_count());
  for (size_t i = 0; i < r.field_count(); ++i)
    headers.emplace_back(r.field_name(i), r.field_value(i));

  const std::string query =
      canonical_query(r.query(), a.form == Form::kQuery ? "X-Amz-Signature" : "");
  const std::string cheaders = canonical_headers(names, headers);
  const std::string scope = credential_scope(a.date, a.region, a.service);
  const crypto::Digest& key = cached_signing_key(a, secret);

  // Non-S3 clients encode the already-encoded path once more; some sign the path encoded only
  // once. Both forms are accepted (the second is tried only when the first does not match).
  std::string first_creq;
  std::string first_sts;
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::string raw_path = attempt == 0 ? std::string(r.path()) : percent_decode(r.path());
    if (attempt == 1 && raw_path == r.path()) break;  // nothing was encoded: same as the first
    std::string creq = canonical_request(r.method(), canonical_uri(raw_path, true), query, cheaders,
                                         a.signed_headers, payload_hash);
    std::string sts = string_to_sign(a.amz_date, scope, creq);
    if (crypto::constant_time_equal(signature(key, sts), a.signature)) return {};
    if (attempt == 0) {
      first_creq = std::move(creq);
      first_sts = std::move(sts);
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
