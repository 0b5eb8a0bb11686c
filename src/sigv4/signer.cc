#include "sigv4/signer.h"

#include <algorithm>

#include "core/encoding.h"
#include "sigv4/canonical.h"

namespace portcullis::sigv4 {

namespace {
void add_query(std::string& query, std::string_view name, std::string_view value) {
  if (!query.empty()) query.push_back('&');
  query += name;
  query.push_back('=');
  uri_encode_append(query, value);
}
}  // namespace

SigningResult sign(OutgoingRequest& req, const Credentials& creds, const SigningParams& params) {
  const std::string amz_date = format_amz_date(params.time);
  const std::string date = amz_date.substr(0, 8);
  const std::string scope = credential_scope(date, params.region, params.service);
  const std::string payload_hash =
      params.unsigned_payload ? std::string(kUnsignedPayload) : crypto::sha256_hex(req.body);
  const bool token = !creds.session_token.empty();

  if (!params.presign) {
    req.headers.emplace_back("X-Amz-Date", amz_date);
    if (params.content_sha256_header)
      req.headers.emplace_back("x-amz-content-sha256", payload_hash);
    if (token && params.sign_session_token)
      req.headers.emplace_back("X-Amz-Security-Token", creds.session_token);
  }

  std::vector<std::string> names;
  for (const auto& [n, v] : req.headers) names.push_back(to_lower(n));
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::string signed_headers;
  for (const std::string& n : names) {
    if (!signed_headers.empty()) signed_headers.push_back(';');
    signed_headers += n;
  }

  if (params.presign) {
    add_query(req.query, "X-Amz-Algorithm", kAlgorithm);
    add_query(req.query, "X-Amz-Credential", creds.access_key_id + "/" + scope);
    add_query(req.query, "X-Amz-Date", amz_date);
    add_query(req.query, "X-Amz-SignedHeaders", signed_headers);
    add_query(req.query, "X-Amz-Expires", std::to_string(params.expires.count()));
    if (token && params.sign_session_token)
      add_query(req.query, "X-Amz-Security-Token", creds.session_token);
  }

  std::vector<std::string_view> name_views(names.begin(), names.end());
  std::vector<HeaderRef> refs;
  for (const auto& [n, v] : req.headers) refs.emplace_back(n, v);

  SigningResult out;
  out.canonical_request = canonical_request(
      req.method, canonical_uri(req.path, params.normalize_path), canonical_query(req.query),
      canonical_headers(name_views, refs), signed_headers,
      params.presign && params.unsigned_payload ? std::string(kUnsignedPayload) : payload_hash);
  out.string_to_sign = string_to_sign(amz_date, scope, out.canonical_request);
  out.signature =
      signature(signing_key(creds.secret_access_key, date, params.region, params.service),
                out.string_to_sign);

  if (params.presign) {
    if (token && !params.sign_session_token)
      add_query(req.query, "X-Amz-Security-Token", creds.session_token);
    add_query(req.query, "X-Amz-Signature", out.signature);
  } else {
    req.headers.emplace_back("Authorization", std::string(kAlgorithm) +
                                                  " Credential=" + creds.access_key_id + "/" +
                                                  scope + ", SignedHeaders=" + signed_headers +
                                                  ", Signature=" + out.signature);
    if (token && !params.sign_session_token)
      req.headers.emplace_back("X-Amz-Security-Token", creds.session_token);
  }
  return out;
}

}  // namespace portcullis::sigv4
