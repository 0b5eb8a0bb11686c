#include "federation/saml/response.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/valid.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/keys.h>
#include <xmlsec/transforms.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>

#include <memory>
#include <mutex>

#include "core/encoding.h"

namespace portcullis::federation::saml {

namespace {

constexpr const char* kProtocolNs = "urn:oasis:names:tc:SAML:2.0:protocol";
constexpr const char* kAssertionNs = "urn:oasis:names:tc:SAML:2.0:assertion";
constexpr const char* kDsigNs = "http://www.w3.org/2000/09/xmldsig#";

Error invalid(std::string why) { return Error{ErrorCode::kInvalidIdentityToken, std::move(why)}; }

void quiet(const char*, int, const char*, const char*, const char*, int, const char*) {}

bool init_xmlsec() {
  static const bool ok = [] {
    // Failures are reported through our own errors; the library must not write to stderr,
    // which is the server's log.
    if (xmlSecInit() < 0 || xmlSecCryptoAppInit(nullptr) < 0 || xmlSecCryptoInit() < 0)
      return false;
    xmlSecErrorsSetCallback(quiet);  // after the initialisations, which set the default
    return true;
  }();
  return ok;
}

bool is(const xmlNode* n, const char* ns, const char* name) {
  return n && n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
         xmlStrEqual(n->ns->href, BAD_CAST ns) && xmlStrEqual(n->name, BAD_CAST name);
}

const xmlNode* child(const xmlNode* n, const char* ns, const char* name) {
  for (const xmlNode* c = n ? n->children : nullptr; c; c = c->next)
    if (is(c, ns, name)) return c;
  return nullptr;
}

std::string attr(const xmlNode* n, const char* name) {
  xmlChar* v = xmlGetProp(n, BAD_CAST name);
  std::string out = v ? reinterpret_cast<const char*>(v) : "";
  xmlFree(v);
  return out;
}

// The element's text: its text children only (comments were refused when parsing).
std::string text(const xmlNode* n) {
  std::string out;
  for (const xmlNode* c = n ? n->children : nullptr; c; c = c->next)
    if (c->type == XML_TEXT_NODE && c->content) out += reinterpret_cast<const char*>(c->content);
  return out;
}

void collect(xmlNode* n, const char* ns, const char* name, std::vector<xmlNode*>& out) {
  for (xmlNode* c = n ? n->children : nullptr; c; c = c->next) {
    if (is(c, ns, name)) out.push_back(c);
    collect(c, ns, name, out);
  }
}

// Refuses comments, processing instructions, CDATA and entity references anywhere.
bool plain_tree(const xmlNode* n) {
  for (const xmlNode* c = n ? n->children : nullptr; c; c = c->next) {
    switch (c->type) {
      case XML_COMMENT_NODE:
      case XML_PI_NODE:
      case XML_CDATA_SECTION_NODE:
      case XML_ENTITY_REF_NODE:
      case XML_ENTITY_NODE:
      case XML_DTD_NODE:
      case XML_XINCLUDE_START:
      case XML_XINCLUDE_END:
        return false;
      default:
        if (!plain_tree(c)) return false;
    }
  }
  return true;
}

std::optional<SystemTime> time_attr(const xmlNode* n, const char* name) {
  std::string v = attr(n, name);
  if (v.empty()) return std::nullopt;
  return parse_iso8601(v);
}

struct DocDeleter {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
struct DsigDeleter {
  void operator()(xmlSecDSigCtx* c) const { xmlSecDSigCtxDestroy(c); }
};
struct KeyDeleter {
  void operator()(xmlSecKey* k) const { xmlSecKeyDestroy(k); }
};

// Verifies one enveloped signature with one trusted certificate, allowing only the transforms
// and algorithms of the profile and a single reference to `expected_uri`.
bool verify_with(xmlNode* signature, const std::string& der, const std::string& expected_uri) {
  std::unique_ptr<xmlSecKey, KeyDeleter> key(xmlSecCryptoAppKeyLoadMemory(
      reinterpret_cast<const xmlSecByte*>(der.data()), static_cast<xmlSecSize>(der.size()),
      xmlSecKeyDataFormatCertDer, nullptr, nullptr, nullptr));
  if (!key) return false;
  std::unique_ptr<xmlSecDSigCtx, DsigDeleter> ctx(xmlSecDSigCtxCreate(nullptr));
  if (!ctx) return false;
  ctx->signKey = key.release();  // owned by ctx now; KeyInfo in the document is never used
  ctx->keyInfoReadCtx.maxRetrievalMethodLevel = 0;
  // References may only point into this document (no files, no URLs), and Manifests are not
  // followed: xmlsec digests references before it checks the signature value.
  ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
  ctx->flags |= XMLSEC_DSIG_FLAGS_IGNORE_MANIFESTS;
  // Once any transform is enabled, only the enabled ones are accepted.
  const xmlSecTransformId reference_transforms[] = {
      xmlSecTransformEnvelopedId, xmlSecTransformExclC14NId, xmlSecTransformSha256Id,
      xmlSecTransformSha384Id, xmlSecTransformSha512Id};
  const xmlSecTransformId signature_transforms[] = {
      xmlSecTransformExclC14NId,   xmlSecTransformRsaSha256Id,   xmlSecTransformRsaSha384Id,
      xmlSecTransformRsaSha512Id,  xmlSecTransformEcdsaSha256Id, xmlSecTransformEcdsaSha384Id,
      xmlSecTransformEcdsaSha512Id};
  for (auto id : reference_transforms)
    if (xmlSecDSigCtxEnableReferenceTransform(ctx.get(), id) < 0) return false;
  for (auto id : signature_transforms)
    if (xmlSecDSigCtxEnableSignatureTransform(ctx.get(), id) < 0) return false;
  if (xmlSecDSigCtxVerify(ctx.get(), signature) < 0) return false;
  if (ctx->status != xmlSecDSigStatusSucceeded) return false;
  if (xmlSecPtrListGetSize(&ctx->signedInfoReferences) != 1) return false;
  auto* ref =
      static_cast<xmlSecDSigReferenceCtx*>(xmlSecPtrListGetItem(&ctx->signedInfoReferences, 0));
  return ref && ref->uri && expected_uri == reinterpret_cast<const char*>(ref->uri) &&
         ref->status == xmlSecDSigStatusSucceeded;
}

}  // namespace

Result<Assertion> verify_response(std::string_view b64, const VerifyRules& rules, SystemTime now) {
  if (b64.size() > rules.max_bytes)
    return std::unexpected(invalid("The SAML assertion is too large."));
  auto xml = base64_decode(b64);
  if (!xml) return std::unexpected(invalid("The SAML assertion is not base64-encoded."));
  if (!init_xmlsec()) return fail(ErrorCode::kInternal, "XML signature library failed to start");

  // No DTD loading, no entity substitution, no network, no XInclude; errors not printed.
  const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
  std::unique_ptr<xmlDoc, DocDeleter> doc(
      xmlReadMemory(xml->data(), static_cast<int>(xml->size()), "response.xml", nullptr, options));
  if (!doc) return std::unexpected(invalid("The SAML response is not well-formed XML."));
  if (doc->intSubset || doc->extSubset)
    return std::unexpected(invalid("The SAML response must not have a DOCTYPE."));
  xmlNode* root = xmlDocGetRootElement(doc.get());
  if (!is(root, kProtocolNs, "Response"))
    return std::unexpected(invalid("The document is not a SAML 2.0 Response."));
  if (!plain_tree(reinterpret_cast<xmlNode*>(doc.get())))
    return std::unexpected(
        invalid("The SAML response must not contain comments, processing instructions or CDATA."));

  const xmlNode* status = child(child(root, kProtocolNs, "Status"), kProtocolNs, "StatusCode");
  if (!status || attr(status, "Value") != "urn:oasis:names:tc:SAML:2.0:status:Success")
    return std::unexpected(invalid("The SAML response does not report success."));
  std::vector<xmlNode*> assertions, encrypted;
  collect(root, kAssertionNs, "Assertion", assertions);
  collect(root, kAssertionNs, "EncryptedAssertion", encrypted);
  if (assertions.size() != 1 || !encrypted.empty())
    return std::unexpected(invalid("The SAML response must contain exactly one assertion."));
  xmlNode* assertion = assertions[0];
  if (assertion->parent != root)
    return std::unexpected(invalid("The assertion must be a child of the Response."));

  // Register exactly two IDs, so "#id" references resolve to these elements and nothing else.
  const std::string response_id = attr(root, "ID"), assertion_id = attr(assertion, "ID");
  if (response_id.empty() || assertion_id.empty() || response_id == assertion_id)
    return std::unexpected(invalid("The Response and the assertion need distinct IDs."));
  for (auto [node, id] : {std::pair{root, &response_id}, std::pair{assertion, &assertion_id}}) {
    xmlAttr* a = xmlHasProp(node, BAD_CAST "ID");
    if (!a || !xmlAddID(nullptr, doc.get(), BAD_CAST id->c_str(), a))
      return std::unexpected(invalid("Duplicate IDs in the SAML response."));
  }

  // Signatures: only as children of the Response or of the assertion, each referencing its
  // parent. At least one must verify with a metadata certificate; any that fails fails all.
  std::vector<xmlNode*> signatures;
  collect(root, kDsigNs, "Signature", signatures);
  if (signatures.empty()) return std::unexpected(invalid("The SAML response is not signed."));
  bool verified = false;
  for (xmlNode* sig : signatures) {
    xmlNode* parent = sig->parent;
    if (parent != root && parent != assertion)
      return std::unexpected(invalid("A signature is in a place the profile does not allow."));
    const std::string uri = "#" + (parent == root ? response_id : assertion_id);
    // Before any verification: exactly one Reference, to the signature's parent, and no Object
    // elements (where Manifests would live).
    std::vector<xmlNode*> references, objects;
    collect(sig, kDsigNs, "Reference", references);
    collect(sig, kDsigNs, "Object", objects);
    if (references.size() != 1 || attr(references[0], "URI") != uri || !objects.empty())
      return std::unexpected(invalid("A signature must reference its own parent element."));
    bool ok = false;
    for (const std::string& cert : rules.certificates) {
      if (verify_with(sig, cert, uri)) {
        ok = true;
        break;
      }
    }
    if (!ok) return std::unexpected(invalid("The SAML response signature is not valid."));
    verified = true;
  }
  if (!verified) return std::unexpected(invalid("The SAML response is not signed."));

  // The assertion's content, read only now that it is known to be signed.
  Assertion out;
  out.id = assertion_id;
  out.issuer = text(child(assertion, kAssertionNs, "Issuer"));
  if (out.issuer != rules.issuer)
    return std::unexpected(invalid("The issuer of the assertion is not the provider's."));
  if (const xmlNode* ri = child(root, kAssertionNs, "Issuer"); ri && text(ri) != rules.issuer)
    return std::unexpected(invalid("The issuer of the response is not the provider's."));
  std::string destination = attr(root, "Destination");
  if (!destination.empty() && destination != rules.recipient)
    return std::unexpected(invalid("The response's Destination is not this service."));

  const xmlNode* subject = child(assertion, kAssertionNs, "Subject");
  const xmlNode* name_id = child(subject, kAssertionNs, "NameID");
  if (!name_id) return std::unexpected(invalid("The assertion has no NameID."));
  out.subject = text(name_id);
  out.subject_format = attr(name_id, "Format");
  const xmlNode* conditions = child(assertion, kAssertionNs, "Conditions");
  if (!conditions) return std::unexpected(invalid("The assertion has no Conditions."));
  auto not_before = time_attr(conditions, "NotBefore");
  auto not_after = time_attr(conditions, "NotOnOrAfter");
  if (!not_after)
    return std::unexpected(invalid("The assertion's Conditions have no NotOnOrAfter."));
  if (not_before && now + rules.skew < *not_before)
    return fail(ErrorCode::kExpiredIdentityToken, "The SAML assertion is not yet valid.");
  if (now >= *not_after + rules.skew)
    return fail(ErrorCode::kExpiredIdentityToken, "The SAML assertion has expired.");
  // Redeemed soon after it was issued, as AWS requires (5 minutes, with the skew).
  for (const xmlNode* n :
       {static_cast<const xmlNode*>(root), static_cast<const xmlNode*>(assertion)}) {
    auto issued = time_attr(n, "IssueInstant");
    if (!issued) return std::unexpected(invalid("The SAML response has no IssueInstant."));
    if (now > *issued + std::chrono::minutes(5) + rules.skew)
      return fail(ErrorCode::kExpiredIdentityToken,
                  "Token must be redeemed within 5 minutes of issuance");
  }
  bool confirmed = false, expired = false;
  for (const xmlNode* sc = subject ? subject->children : nullptr; sc; sc = sc->next) {
    if (!is(sc, kAssertionNs, "SubjectConfirmation")) continue;
    if (attr(sc, "Method") != "urn:oasis:names:tc:SAML:2.0:cm:bearer") continue;
    const xmlNode* data = child(sc, kAssertionNs, "SubjectConfirmationData");
    if (!data || attr(data, "Recipient") != rules.recipient) continue;
    auto until = time_attr(data, "NotOnOrAfter");
    if (!until) continue;
    if (now >= *until + rules.skew) {
      expired = true;
      continue;
    }
    confirmed = true;
  }
  if (!confirmed && expired)
    return fail(ErrorCode::kExpiredIdentityToken, "The SAML assertion has expired.");
  if (!confirmed)
    return std::unexpected(
        invalid("The assertion has no bearer SubjectConfirmation for this recipient."));
  out.not_on_or_after = *not_after;
  // Audiences within one restriction are alternatives; every restriction must be met.
  bool restricted = false;
  for (const xmlNode* ar = conditions->children; ar; ar = ar->next) {
    if (!is(ar, kAssertionNs, "AudienceRestriction")) continue;
    restricted = true;
    std::string matched;
    for (const xmlNode* a = ar->children; a; a = a->next) {
      if (!is(a, kAssertionNs, "Audience")) continue;
      for (const std::string& want : rules.audiences)
        if (text(a) == want) matched = want;
    }
    if (matched.empty())
      return std::unexpected(invalid("The assertion's audience is not this service."));
    if (out.audience.empty()) out.audience = matched;
  }
  if (!restricted) return std::unexpected(invalid("The assertion's audience is not this service."));
  if (out.audience.empty())
    return std::unexpected(invalid("The assertion's audience is not this service."));

  if (const xmlNode* authn = child(assertion, kAssertionNs, "AuthnStatement"))
    out.session_not_on_or_after = time_attr(authn, "SessionNotOnOrAfter");
  for (const xmlNode* st = assertion->children; st; st = st->next) {
    if (!is(st, kAssertionNs, "AttributeStatement")) continue;
    for (const xmlNode* a = st->children; a; a = a->next) {
      if (!is(a, kAssertionNs, "Attribute")) continue;
      auto& values = out.attributes[attr(a, "Name")];
      for (const xmlNode* v = a->children; v; v = v->next)
        if (is(v, kAssertionNs, "AttributeValue")) values.push_back(text(v));
    }
  }
  return out;
}

}  // namespace portcullis::federation::saml
