// Tags on SAML and OpenID Connect providers (the tags given at creation are kept in the same
// documents): Tag…, Untag…, List…Tags.
#include "iam/api/resource_tags.h"

namespace portcullis::iam::api {

namespace {

Result<Tagged> saml_lookup(Call& c) {
  std::string arn = PC_TRY(required(c.params, "SAMLProviderArn", kArn));
  std::string key = lower(arn.substr(arn.rfind('/') + 1));
  auto doc = PC_TRY(load(c.txn, kSamlProviders, key));
  if (doc && str(*doc, "Arn") != arn) doc.reset();
  if (doc) add_resource_tags(c.context, *doc);
  PC_CHECK(c.authorize(arn));
  if (!doc) return fail(ErrorCode::kNoSuchEntity, "Manifest not found for arn " + arn);
  return Tagged{std::string(kSamlProviders), key, std::move(*doc)};
}

Result<Tagged> oidc_lookup(Call& c) {
  std::string arn = PC_TRY(required(c.params, "OpenIDConnectProviderArn", kArn));
  const std::string prefix = "arn:aws:iam::" + c.account() + ":oidc-provider/";
  std::string key = arn.starts_with(prefix) ? lower(arn.substr(prefix.size())) : std::string();
  std::optional<json::object> doc;
  if (!key.empty()) doc = PC_TRY(load(c.txn, kOidcProviders, key));
  if (doc) add_resource_tags(c.context, *doc);
  PC_CHECK(c.authorize(arn));
  if (!doc)
    return fail(ErrorCode::kNoSuchEntity, "OpenIDConnect Provider not found for arn " + arn);
  return Tagged{std::string(kOidcProviders), key, std::move(*doc)};
}

Status tag_saml(Call& c) { return tag_resource(c, saml_lookup); }
Status untag_saml(Call& c) { return untag_resource(c, saml_lookup); }
Status list_saml_tags(Call& c) { return list_resource_tags(c, saml_lookup); }
Status tag_oidc(Call& c) { return tag_resource(c, oidc_lookup); }
Status untag_oidc(Call& c) { return untag_resource(c, oidc_lookup); }
Status list_oidc_tags(Call& c) { return list_resource_tags(c, oidc_lookup); }

constexpr Op kOps[] = {
    {"TagSAMLProvider", true, tag_saml},
    {"UntagSAMLProvider", true, untag_saml},
    {"ListSAMLProviderTags", false, list_saml_tags},
    {"TagOpenIDConnectProvider", true, tag_oidc},
    {"UntagOpenIDConnectProvider", true, untag_oidc},
    {"ListOpenIDConnectProviderTags", false, list_oidc_tags},
};

}  // namespace

std::span<const Op> provider_tag_ops() { return kOps; }

}  // namespace portcullis::iam::api
