// The operations that issue role sessions: AssumeRole (a signed caller) and AssumeRoleWithSAML
// (an identity provider's signed assertion, unsigned call).
#include <charconv>

#include "core/crypto.h"
#include "core/encoding.h"
#include "federation/saml/response.h"
#include "iam/authorize.h"
#include "sts/call.h"

namespace portcullis::sts::detail {

namespace {

bool external_id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("_+=,.@:/-").find(c) != std::string_view::npos;
}
const iam::Constraint kExternalId{2, 1224, "[\\w+=,.@:\\/-]*", external_id_char};
const iam::Constraint kSamlAssertion{4, 100000, "", nullptr, true};

}  // namespace

Status assume_role(Call& c) {
  auto role_arn = PC_TRY(iam::required(c.params, "RoleArn", iam::kArn));
  auto session_name = PC_TRY(iam::required(c.params, "RoleSessionName", kRoleSessionName));
  auto request = PC_TRY(session_request(c));
  auto external_id = PC_TRY(iam::optional(c.params, "ExternalId", kExternalId));
  auto source_identity = PC_TRY(iam::optional(c.params, "SourceIdentity", kSourceIdentity));
  auto tags = PC_TRY(iam::api::tags_param(c.params, "Tags"));
  std::vector<std::string> transitive = iam::api::list_param(c.params, "TransitiveTagKeys");
  for (const std::string& k : transitive) {
    bool tagged = false;
    for (const auto& [tk, tv] : tags) tagged = tagged || iam::lower(tk) == iam::lower(k);
    if (!tagged)
      return fail(ErrorCode::kInvalidParameterValue,
                  "The specified transitive tag key must be included in the requested tags.");
  }

  const PrincipalEntry& caller = *c.caller;
  // Checked now, since the trust policy may ask for MFA; spent only once the call is allowed.
  const bool mfa = PC_TRY(mfa_request(c, /*consume=*/false));
  // A role that does not exist is refused like one the caller may not assume.
  const PrincipalEntry* role = find_role(c.snapshot, role_arn);
  iam::RequestContext ctx = iam::request_context(caller, c.req, c.now, c.region);
  if (mfa) {
    ctx.set("aws:MultiFactorAuthPresent", "true");
    ctx.set("aws:MultiFactorAuthAge", "0");
  }
  ctx.resource = role_arn;
  ctx.set("sts:RoleSessionName", session_name);
  if (external_id) ctx.set("sts:ExternalId", *external_id);
  if (source_identity) ctx.set("sts:SourceIdentity", *source_identity);
  if (!tags.empty()) iam::add_request_tags(ctx, tags);
  if (!transitive.empty()) ctx.set_list("sts:TransitiveTagKeys", transitive);
  // Tags and a source identity need their own grants in the trust policy.
  for (std::string_view action : {"sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"}) {
    if (action == "sts:TagSession" && tags.empty()) continue;
    if (action == "sts:SetSourceIdentity" && !source_identity) continue;
    if (!role || !trusted(&caller, *role, ctx, action))
      return access_denied(caller.principal->arn, action, role_arn);
  }

  if (mfa) PC_CHECK(mfa_request(c));  // refused if another call spent the code meanwhile

  RoleSession s;
  s.role = role;
  s.session_name = session_name;
  s.request = std::move(request);
  s.seconds = s.request.duration.value_or(3600);
  s.tags = std::move(tags);
  s.transitive = std::move(transitive);
  s.chained = caller.session && !caller.session->role_arn.empty();
  s.source_identity = source_identity.value_or("");
  // The session keeps the MFA of this call, or else that of the session it comes from.
  if (mfa)
    s.mfa_time = epoch(c.now);
  else if (caller.session && caller.session->mfa_authenticated)
    s.mfa_time = epoch(*caller.session->mfa_authenticated);
  if (s.chained) {
    // A chained session keeps the transitive tags and the source identity of the session it
    // comes from; neither can be changed.
    for (const auto& [k, v] : caller.session->transitive_tags) {
      for (const auto& [tk, tv] : s.tags)
        if (iam::lower(tk) == iam::lower(k))
          return fail(ErrorCode::kInvalidParameterValue,
                      "The session tag " + tk +
                          " conflicts with a transitive tag of the calling "
                          "session.");
      s.tags.emplace_back(k, v);
      s.transitive.push_back(k);
    }
    const std::string& inherited = caller.session->source_identity;
    if (!inherited.empty()) {
      if (!s.source_identity.empty() && s.source_identity != inherited)
        return fail(ErrorCode::kInvalidParameterValue,
                    "The source identity of a role session cannot be changed when chaining "
                    "roles.");
      s.source_identity = inherited;
    }
  }
  return issue_role_session(c, s);
}

namespace {

constexpr std::string_view kAttributes = "https://aws.amazon.com/SAML/Attributes/";

// The SAML attributes AWS offers as condition keys, by OID (IAM User Guide, "Available keys for
// SAML-based AWS STS federation"); the eduPerson ones that hold sets are lists.
struct SamlKey {
  std::string_view oid;
  std::string_view key;
  bool list;
};
constexpr SamlKey kSamlKeys[] = {
    {"urn:oid:1.3.6.1.4.1.5923.1.1.1.1", "SAML:edupersonaffiliation", true},
    {"urn:oid:1.3.6.1.4.1.5923.1.1.1.2", "SAML:edupersonnickname", true},
    {"urn:oid:1.3.6.1.4.1.5923.1.1.1.3", "SAML:edupersonorgdn", false},
    {"urn:oid:1.3.6.1.4.1.5923.1.1.1.4", "SAML:edupersonorgunitdn", true},
    {"urn:oid:1.3.6.1.4.1.5923.1.1.1.5", "SAML:edupersonprimaryaffiliation", false},
    {"urn:oid:1.3.6.1.4.1.5923.1.1.1.6", "SAML:edupersonprincipalname", false},
    {"urn:oid:1.3.6.1.4.1.5923.1.1.1.7", "SAML:edupersonentitlement", true},
    {"urn:oid:1.3.6.1.4.1.5923.1.1.1.8", "SAML:edupersonprimaryorgunitdn", false},
    {"urn:oid:1.3.6.1.4.1.5923.1.1.1.9", "SAML:edupersonscopedaffiliation", true},
    {"urn:oid:1.3.6.1.4.1.5923.1.1.1.10", "SAML:edupersontargetedid", true},
    {"urn:oid:1.3.6.1.4.1.5923.1.1.1.11", "SAML:edupersonassurance", true},
    {"urn:oid:1.3.6.1.4.1.5923.1.2.1.2", "SAML:eduorghomepageuri", true},
    {"urn:oid:1.3.6.1.4.1.5923.1.2.1.3", "SAML:eduorgidentityauthnpolicyuri", true},
    {"urn:oid:1.3.6.1.4.1.5923.1.2.1.4", "SAML:eduorglegalname", true},
    {"urn:oid:1.3.6.1.4.1.5923.1.2.1.5", "SAML:eduorgsuperioruri", true},
    {"urn:oid:1.3.6.1.4.1.5923.1.2.1.6", "SAML:eduorgwhitepagesuri", true},
    {"urn:oid:2.5.4.3", "SAML:cn", true},
    {"urn:oid:2.5.4.11", "SAML:ou", false},
    {"urn:oid:0.9.2342.19200300.100.1.3", "SAML:mail", false},
    {"urn:oid:2.5.4.42", "SAML:givenName", false},
    {"urn:oid:2.5.4.4", "SAML:sn", false},
    {"urn:oid:0.9.2342.19200300.100.1.1", "SAML:uid", false},
};

std::string subject_type(std::string_view format) {
  constexpr std::string_view kPrefix = "urn:oasis:names:tc:SAML:2.0:nameid-format:";
  if (format == std::string(kPrefix) + "persistent") return "persistent";
  if (format == std::string(kPrefix) + "transient") return "transient";
  return std::string(format);
}

}  // namespace

std::string name_qualifier(std::string_view issuer, std::string_view account,
                           std::string_view provider_name) {
  std::string input = std::string(issuer) + std::string(account) + "/" + std::string(provider_name);
  auto digest = crypto::sha1(input);
  return base64_encode(
      std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

Status assume_role_with_saml(Call& c) {
  auto role_arn = PC_TRY(iam::required(c.params, "RoleArn", iam::kArn));
  auto provider_arn = PC_TRY(iam::required(c.params, "PrincipalArn", iam::kArn));
  auto assertion_text = PC_TRY(iam::required(c.params, "SAMLAssertion", kSamlAssertion));
  auto request = PC_TRY(session_request(c));

  const iam::SamlProvider* provider = c.snapshot.find_saml_provider(provider_arn);
  if (!provider) return fail(ErrorCode::kInvalidIdentityToken, "Specified provider doesn't exist.");
  federation::saml::VerifyRules rules;
  rules.certificates = provider->certificates;
  rules.issuer = provider->entity_id;
  rules.audiences = c.settings.saml_audiences;
  rules.recipient = c.settings.saml_recipient;
  rules.skew = c.settings.skew;
  auto assertion = PC_TRY(federation::saml::verify_response(assertion_text, rules, c.now));

  // The Role attribute: "role-arn,provider-arn" in either order, one of many values.
  const auto& attrs = assertion.attributes;
  bool listed = false;
  if (auto it = attrs.find(std::string(kAttributes) + "Role"); it != attrs.end()) {
    for (const std::string& v : it->second) {
      size_t comma = v.find(',');
      if (comma == std::string::npos) continue;
      std::string a = v.substr(0, comma), b = v.substr(comma + 1);
      auto trim = [](std::string& s) {
        s.erase(0, s.find_first_not_of(" \t"));
        s.erase(s.find_last_not_of(" \t") + 1);
      };
      trim(a);
      trim(b);
      if ((a == role_arn && b == provider_arn) || (b == role_arn && a == provider_arn))
        listed = true;
    }
  }
  std::string session_name;
  if (auto it = attrs.find(std::string(kAttributes) + "RoleSessionName");
      it != attrs.end() && it->second.size() == 1)
    session_name = it->second[0];
  if (auto st = iam::check(session_name, kRoleSessionName, "roleSessionName"); !st)
    return fail(ErrorCode::kInvalidIdentityToken,
                "The RoleSessionName attribute of the SAML assertion is missing or invalid.");
  iam::api::Tags tags;
  std::vector<std::string> transitive;
  std::string source_identity;
  const std::string tag_prefix = std::string(kAttributes) + "PrincipalTag:";
  for (const auto& [name, values] : attrs) {
    if (name.starts_with(tag_prefix) && values.size() == 1)
      tags.emplace_back(name.substr(tag_prefix.size()), values[0]);
    if (name == std::string(kAttributes) + "TransitiveTagKeys") transitive = values;
    if (name == std::string(kAttributes) + "SourceIdentity" && values.size() == 1)
      source_identity = values[0];
  }

  // The trust policy decides, with the provider as the federated principal.
  const PrincipalEntry* role = find_role(c.snapshot, role_arn);
  iam::RequestContext ctx;
  ctx.resource = role_arn;
  ctx.principal.federated = provider->arn;
  ctx.principal.account = c.snapshot.account();
  const std::string qualifier =
      name_qualifier(assertion.issuer, c.snapshot.account(), provider->name);
  ctx.set("SAML:aud", c.settings.saml_recipient);
  ctx.set("SAML:iss", assertion.issuer);
  ctx.set("SAML:sub", assertion.subject);
  ctx.set("SAML:sub_type", subject_type(assertion.subject_format));
  ctx.set("SAML:namequalifier", qualifier);
  ctx.set("SAML:doc", c.snapshot.account() + "/" + provider->name);
  for (const SamlKey& k : kSamlKeys) {
    auto it = attrs.find(std::string(k.oid));
    if (it == attrs.end()) continue;
    if (k.list)
      ctx.set_list(k.key, it->second);
    else if (!it->second.empty())
      ctx.set(k.key, it->second[0]);
  }
  ctx.set("aws:CurrentTime", format_iso8601(c.now));
  ctx.set("aws:EpochTime", std::to_string(epoch(c.now)));
  if (!tags.empty()) iam::add_request_tags(ctx, tags);
  if (!source_identity.empty()) ctx.set("sts:SourceIdentity", source_identity);
  const std::string who = "arn:aws:sts::" + c.snapshot.account() + ":assumed-role/" +
                          (role ? role->principal->name : std::string("unknown")) + "/" +
                          session_name;
  for (std::string_view action :
       {"sts:AssumeRoleWithSAML", "sts:TagSession", "sts:SetSourceIdentity"}) {
    if (action == "sts:TagSession" && tags.empty()) continue;
    if (action == "sts:SetSourceIdentity" && source_identity.empty()) continue;
    if (!listed || !role || !trusted(nullptr, *role, ctx, action))
      return fail(ErrorCode::kAccessDenied, "Not authorized to perform " + std::string(action));
  }

  // One use per assertion, counted once the call is otherwise allowed, and remembered for as
  // long as the assertion could be accepted: its NotOnOrAfter plus the skew.
  auto first = PC_TRY(c.assertions.first_use(provider->arn + "#" + assertion.id,
                                      assertion.not_on_or_after + c.settings.skew, c.now));
  if (!first)
    return fail(ErrorCode::kInvalidIdentityToken, "The SAML assertion has already been used.");

  RoleSession s;
  s.role = role;
  s.session_name = session_name;
  s.request = std::move(request);
  // DurationSeconds, or else the assertion's SessionDuration attribute, or an hour.
  s.seconds = 3600;
  if (auto it = attrs.find(std::string(kAttributes) + "SessionDuration");
      it != attrs.end() && it->second.size() == 1) {
    const std::string& d = it->second[0];
    long n = 0;
    auto [end, ec] = std::from_chars(d.data(), d.data() + d.size(), n);
    if (d.empty() || d.size() > 5 || d.find_first_not_of("0123456789") != std::string::npos ||
        ec != std::errc() || end != d.data() + d.size() || n < 900 || n > 43200)
      return fail(ErrorCode::kInvalidIdentityToken,
                  "The SessionDuration attribute of the SAML assertion must be a number of seconds "
                  "from 900 to 43200.");
    s.seconds = n;
  }
  if (s.request.duration) s.seconds = *s.request.duration;
  s.not_after = assertion.session_not_on_or_after;
  s.tags = std::move(tags);
  s.transitive = std::move(transitive);
  s.source_identity = std::move(source_identity);
  PC_CHECK(issue_role_session(c, s));
  protocol::XmlWriter& x = c.out.x;
  x.element("Subject", assertion.subject);
  x.element("SubjectType", subject_type(assertion.subject_format));
  x.element("Issuer", assertion.issuer);
  x.element("Audience", c.settings.saml_recipient);
  x.element("NameQualifier", qualifier);
  return {};
}

}  // namespace portcullis::sts::detail
