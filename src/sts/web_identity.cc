// AssumeRoleWithWebIdentity: an OpenID Connect ID token, verified with the keys its provider
// publishes, traded for the credentials of a role whose trust policy names that provider.
#include <boost/json.hpp>

#include "federation/oidc/jwt.h"
#include "sts/call.h"

namespace portcullis::sts::detail {

namespace {

namespace json = boost::json;

const iam::Constraint kWebIdentityToken{4, 20000, "", nullptr, true};

std::string claim(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::vector<std::string> claim_list(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  const json::value* v = o.if_contains(key);
  if (v && v->is_string()) out.emplace_back(v->get_string());
  if (v && v->is_array())
    for (const json::value& e : v->get_array())
      if (e.is_string()) out.emplace_back(e.get_string());
  return out;
}

}  // namespace

Status assume_role_with_web_identity(Call& c) {
  auto role_arn = PC_TRY(iam::required(c.params, "RoleArn", iam::kArn));
  auto session_name = PC_TRY(iam::required(c.params, "RoleSessionName", kRoleSessionName));
  auto token = PC_TRY(iam::required(c.params, "WebIdentityToken", kWebIdentityToken));
  auto request = PC_TRY(session_request(c));

  auto jwt = PC_TRY(federation::oidc::decode(token));
  // The provider is the one registered for the token's issuer.
  std::string issuer = claim(jwt.claims, "iss");
  std::string url = issuer.starts_with("https://") ? issuer.substr(8) : issuer;
  while (url.ends_with('/')) url.pop_back();
  const iam::OidcProvider* provider = c.snapshot.find_oidc_provider(url);
  if (!provider)
    return fail(ErrorCode::kInvalidIdentityToken,
                "No OpenIDConnect provider found in your account for " + issuer);

  // Keys are fetched (and cached) for the registered provider's URL, whatever spelling of the
  // issuer a token uses, so unsigned calls cannot make the server fetch or cache at will.
  const std::string canonical_issuer = "https://" + provider->url;
  auto keys = PC_TRY(c.key_sets.keys(canonical_issuer, provider->thumbprints, false, c.now));
  Status verified = federation::oidc::verify_signature(jwt, *keys);
  if (!verified && verified.error().code == ErrorCode::kNotFound) {
    // A key the cached set lacks: the provider may have rotated its keys.
    keys = PC_TRY(c.key_sets.keys(canonical_issuer, provider->thumbprints, true, c.now));
    verified = federation::oidc::verify_signature(jwt, *keys);
  }
  if (!verified) {
    if (verified.error().code == ErrorCode::kNotFound)
      return fail(ErrorCode::kInvalidIdentityToken, "The web identity token's key is unknown.");
    return verified;
  }
  federation::oidc::ClaimRules rules{issuer, provider->client_ids, c.settings.skew};
  PC_CHECK(federation::oidc::check_claims(jwt, rules, c.now));

  const std::string sub = claim(jwt.claims, "sub");
  const std::vector<std::string> auds = claim_list(jwt.claims, "aud");
  std::string audience;
  for (const std::string& a : auds)
    for (const std::string& id : provider->client_ids)
      if (a == id && audience.empty()) audience = a;
  const std::string azp = claim(jwt.claims, "azp");

  const PrincipalEntry* role = find_role(c.snapshot, role_arn);
  iam::RequestContext ctx;
  ctx.resource = role_arn;
  ctx.principal.federated = provider->arn;
  ctx.principal.account = c.snapshot.account();
  // {provider}:aud is azp when the token has one, else aud; :oaud is aud.
  ctx.set(url + ":aud", azp.empty() ? audience : azp);
  ctx.set(url + ":oaud", audience);
  ctx.set(url + ":sub", sub);
  if (auto amr = claim_list(jwt.claims, "amr"); !amr.empty()) ctx.set_list(url + ":amr", amr);
  ctx.set("aws:CurrentTime", format_iso8601(c.now));
  ctx.set("aws:EpochTime", std::to_string(epoch(c.now)));
  if (!role || !trusted(nullptr, *role, ctx, "sts:AssumeRoleWithWebIdentity"))
    return fail(ErrorCode::kAccessDenied,
                "Not authorized to perform sts:AssumeRoleWithWebIdentity");

  RoleSession s;
  s.role = role;
  s.session_name = session_name;
  s.request = std::move(request);
  s.seconds = s.request.duration.value_or(3600);
  PC_CHECK(issue_role_session(c, s));
  protocol::XmlWriter& x = c.out.x;
  x.element("SubjectFromWebIdentityToken", sub);
  x.element("Provider", provider->arn);  // as AWS answers for registered OIDC providers
  x.element("Audience", audience);
  return {};
}

}  // namespace portcullis::sts::detail
