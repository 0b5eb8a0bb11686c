#include "federation/oidc/jwt.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <boost/json.hpp>

#include "core/encoding.h"
#include "http/client.h"

namespace portcullis::federation::oidc {

namespace json = boost::json;

namespace {

Error invalid(std::string why) { return Error{ErrorCode::kInvalidIdentityToken, std::move(why)}; }

std::optional<std::string> b64url_decode(std::string_view text) {
  std::string s(text);
  for (char& c : s) {
    if (c == '-')
      c = '+';
    else if (c == '_')
      c = '/';
    else if (c == '+' || c == '/' || c == '=')
      return std::nullopt;
  }
  while (s.size() % 4) s.push_back('=');
  return base64_decode(s);
}

std::optional<json::object> json_object(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.get_object());
}

std::string string_member(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::shared_ptr<void> wrap(EVP_PKEY* k) {
  return std::shared_ptr<void>(k, [](void* p) { EVP_PKEY_free(static_cast<EVP_PKEY*>(p)); });
}

EVP_PKEY* rsa_key(const std::string& n, const std::string& e) {
  BIGNUM* bn_n = BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()),
                           static_cast<int>(n.size()), nullptr);
  BIGNUM* bn_e = BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()),
                           static_cast<int>(e.size()), nullptr);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  EVP_PKEY* key = nullptr;
  if (bn_n && bn_e && bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e)) {
    OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
    if (ctx && params && EVP_PKEY_fromdata_init(ctx) == 1)
      EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
  }
  OSSL_PARAM_BLD_free(bld);
  BN_free(bn_n);
  BN_free(bn_e);
  return key;
}

EVP_PKEY* ec_key(const std::string& x, const std::string& y) {
  if (x.size() != 32 || y.size() != 32) return nullptr;
  std::string point = std::string(1, '\x04') + x + y;
  char group[] = "P-256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end()};
  EVP_PKEY* key = nullptr;
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
  if (ctx && EVP_PKEY_fromdata_init(ctx) == 1)
    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params);
  EVP_PKEY_CTX_free(ctx);
  return key;
}

// JOSE's ES256 signature is r || s; OpenSSL wants DER.
std::optional<std::string> es256_to_der(std::string_view raw) {
  if (raw.size() != 64) return std::nullopt;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig, r, s) != 1) {
    ECDSA_SIG_free(sig);
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (len <= 0) return std::nullopt;
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

bool verify_with(const Jwt& jwt, EVP_PKEY* key) {
  std::string sig = jwt.signature;
  if (jwt.alg == "ES256") {
    auto der = es256_to_der(sig);
    if (!der) return false;
    sig = std::move(*der);
  }
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  bool ok = md && EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), nullptr, key) == 1;
  if (ok && jwt.alg == "PS256")
    ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
  ok = ok && EVP_DigestVerify(md, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                              reinterpret_cast<const unsigned char*>(jwt.signing_input.data()),
                              jwt.signing_input.size()) == 1;
  EVP_MD_CTX_free(md);
  return ok;
}

std::optional<int64_t> number_claim(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  if (v->is_double()) return static_cast<int64_t>(v->get_double());
  return std::nullopt;
}

}  // namespace

Result<Jwt> decode(std::string_view token) {
  size_t d1 = token.find('.');
  size_t d2 = d1 == std::string_view::npos ? d1 : token.find('.', d1 + 1);
  if (d2 == std::string_view::npos || token.find('.', d2 + 1) != std::string_view::npos)
    return std::unexpected(invalid("The web identity token is not a JWT."));
  auto header = b64url_decode(token.substr(0, d1));
  auto payload = b64url_decode(token.substr(d1 + 1, d2 - d1 - 1));
  auto signature = b64url_decode(token.substr(d2 + 1));
  if (!header || !payload || !signature)
    return std::unexpected(invalid("The web identity token is not a JWT."));
  auto h = json_object(*header);
  auto c = json_object(*payload);
  if (!h || !c) return std::unexpected(invalid("The web identity token is not a JWT."));
  Jwt jwt;
  jwt.header = std::move(*h);
  jwt.claims = std::move(*c);
  jwt.alg = string_member(jwt.header, "alg");
  jwt.kid = string_member(jwt.header, "kid");
  jwt.signing_input = std::string(token.substr(0, d2));
  jwt.signature = std::move(*signature);
  if (jwt.alg != "RS256" && jwt.alg != "PS256" && jwt.alg != "ES256")
    return std::unexpected(invalid("The web identity token's algorithm '" + jwt.alg +
                                   "' is not accepted; use RS256, PS256 or ES256."));
  return jwt;
}

Result<std::vector<Jwk>> parse_jwks(std::string_view text) {
  auto o = json_object(text);
  const json::value* keys = o ? o->if_contains("keys") : nullptr;
  if (!keys || !keys->is_array())
    return std::unexpected(invalid("The provider's JWKS is malformed."));
  std::vector<Jwk> out;
  for (const json::value& v : keys->get_array()) {
    if (!v.is_object()) continue;
    const json::object& k = v.get_object();
    std::string use = string_member(k, "use");
    if (!use.empty() && use != "sig") continue;
    Jwk jwk{string_member(k, "kid"), string_member(k, "kty"), nullptr};
    if (jwk.kty == "RSA") {
      auto n = b64url_decode(string_member(k, "n")), e = b64url_decode(string_member(k, "e"));
      if (n && e && !n->empty() && !e->empty()) jwk.key = wrap(rsa_key(*n, *e));
    } else if (jwk.kty == "EC" && string_member(k, "crv") == "P-256") {
      auto x = b64url_decode(string_member(k, "x")), y = b64url_decode(string_member(k, "y"));
      if (x && y) jwk.key = wrap(ec_key(*x, *y));
    }
    if (jwk.key && static_cast<EVP_PKEY*>(jwk.key.get())) out.push_back(std::move(jwk));
  }
  return out;
}

Status verify_signature(const Jwt& jwt, const std::vector<Jwk>& keys) {
  const std::string kty = jwt.alg == "ES256" ? "EC" : "RSA";
  bool candidate = false;
  for (const Jwk& k : keys) {
    if (k.kty != kty || (!jwt.kid.empty() && k.kid != jwt.kid)) continue;
    candidate = true;
    if (verify_with(jwt, static_cast<EVP_PKEY*>(k.key.get()))) return {};
  }
  if (!candidate)
    return fail(ErrorCode::kNotFound, "The provider has no key with the token's kid.");
  return std::unexpected(invalid("The web identity token's signature is not valid."));
}

Status check_claims(const Jwt& jwt, const ClaimRules& rules, SystemTime now) {
  if (string_member(jwt.claims, "iss") != rules.issuer)
    return std::unexpected(invalid("The web identity token's issuer is not the provider's."));
  bool audience = false;
  if (const json::value* aud = jwt.claims.if_contains("aud")) {
    auto known = [&](std::string_view a) {
      for (const std::string& want : rules.audiences)
        if (a == want) return true;
      return false;
    };
    if (aud->is_string()) audience = known(aud->get_string());
    if (aud->is_array())
      for (const json::value& a : aud->get_array())
        audience = audience || (a.is_string() && known(a.get_string()));
  }
  if (!audience) return std::unexpected(invalid("Incorrect token audience"));
  const int64_t t =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const int64_t skew = rules.skew.count();
  auto exp = number_claim(jwt.claims, "exp");
  if (!exp) return std::unexpected(invalid("The web identity token has no expiration."));
  if (t >= *exp + skew)
    return fail(ErrorCode::kExpiredIdentityToken,
                "Token expired: current date/time " + std::to_string(t) +
                    " must be before the expiration date/time " + std::to_string(*exp));
  if (auto nbf = number_claim(jwt.claims, "nbf"); nbf && t + skew < *nbf)
    return std::unexpected(invalid("The web identity token is not valid yet."));
  if (auto iat = number_claim(jwt.claims, "iat"); iat && t + skew < *iat)
    return std::unexpected(invalid("The web identity token was issued in the future."));
  return {};
}

Result<std::vector<Jwk>> fetch_jwks(const std::string& issuer,
                                    const std::vector<std::string>& thumbprints,
                                    std::chrono::milliseconds timeout) {
  auto get = [&](const std::string& url) -> Result<std::string> {
    http::Url u = PC_TRY(http::parse_url(url));
    http::ClientRequest req;
    req.target = u.path + (u.query.empty() ? "" : "?" + u.query);
    req.headers = {{"Host", u.authority()}, {"Accept", "application/json"}};
    req.tls_thumbprints = thumbprints;
    req.max_response_bytes = 1024 * 1024;
    http::ClientResponse res = PC_TRY(http::fetch(u, req, timeout));
    if (res.status != 200)
      return fail(ErrorCode::kInternal, url + " answered " + std::to_string(res.status));
    return std::move(res.body);
  };
  std::string base = issuer;
  while (base.ends_with('/')) base.pop_back();
  auto config = get(base + "/.well-known/openid-configuration");
  if (!config && config.error().code == ErrorCode::kTlsUntrusted)
    return std::unexpected(
        invalid("OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint"));
  if (!config)
    return std::unexpected(
        invalid("Couldn't retrieve verification key from your identity provider, "
                "please reference AssumeRoleWithWebIdentity documentation for "
                "requirements"));
  auto c = json_object(*config);
  std::string jwks_uri = c ? string_member(*c, "jwks_uri") : "";
  if (jwks_uri.empty())
    return std::unexpected(invalid("The provider's discovery document has no jwks_uri."));
  if (!jwks_uri.starts_with("https://"))
    return std::unexpected(invalid("The provider's jwks_uri must be an https URL."));
  auto jwks = get(jwks_uri);
  if (!jwks && jwks.error().code == ErrorCode::kTlsUntrusted)
    return std::unexpected(
        invalid("OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint"));
  if (!jwks)
    return std::unexpected(
        invalid("Couldn't retrieve verification key from your identity provider, "
                "please reference AssumeRoleWithWebIdentity documentation for "
                "requirements"));
  return parse_jwks(*jwks);
}

}  // namespace portcullis::federation::oidc
