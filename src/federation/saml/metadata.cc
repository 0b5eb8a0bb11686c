#include "federation/saml/metadata.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/x509.h>

#include <memory>

#include "core/encoding.h"

namespace portcullis::federation::saml {

namespace {

constexpr const char* kMetadataNs = "urn:oasis:names:tc:SAML:2.0:metadata";
constexpr const char* kDsigNs = "http://www.w3.org/2000/09/xmldsig#";

Error invalid(std::string why) {
  return Error{ErrorCode::kInvalidInput, "Could not parse metadata: " + std::move(why)};
}

bool is(const xmlNode* n, const char* ns, const char* name) {
  return n && n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
         xmlStrEqual(n->ns->href, BAD_CAST ns) && xmlStrEqual(n->name, BAD_CAST name);
}

std::string attribute(const xmlNode* n, const char* name) {
  xmlChar* v = xmlGetProp(n, BAD_CAST name);
  std::string out = v ? reinterpret_cast<const char*>(v) : "";
  xmlFree(v);
  return out;
}

std::string text(const xmlNode* n) {
  xmlChar* v = xmlNodeGetContent(n);
  std::string out = v ? reinterpret_cast<const char*>(v) : "";
  xmlFree(v);
  return out;
}

void find_all(const xmlNode* n, const char* ns, const char* name,
              std::vector<const xmlNode*>& out) {
  for (const xmlNode* c = n ? n->children : nullptr; c; c = c->next) {
    if (is(c, ns, name)) out.push_back(c);
    find_all(c, ns, name, out);
  }
}

}  // namespace

Result<IdpMetadata> parse_metadata(std::string_view xml) {
  // No DTD loading or validation, no entity substitution, no network, and any DOCTYPE refused.
  const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
  std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> doc(
      xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "metadata.xml", nullptr, options),
      xmlFreeDoc);
  if (!doc) return std::unexpected(invalid("the document is not well-formed XML"));
  if (doc->intSubset || doc->extSubset) return std::unexpected(invalid("a DOCTYPE is not allowed"));
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  if (!is(root, kMetadataNs, "EntityDescriptor"))
    return std::unexpected(invalid("the root element must be md:EntityDescriptor"));
  IdpMetadata m;
  m.entity_id = attribute(root, "entityID");
  if (m.entity_id.empty()) return std::unexpected(invalid("entityID is missing"));
  if (std::string v = attribute(root, "validUntil"); !v.empty()) m.valid_until = v;

  std::vector<const xmlNode*> idps;
  find_all(root, kMetadataNs, "IDPSSODescriptor", idps);
  if (idps.empty()) return std::unexpected(invalid("no IDPSSODescriptor"));
  for (const xmlNode* idp : idps) {
    std::vector<const xmlNode*> keys;
    find_all(idp, kMetadataNs, "KeyDescriptor", keys);
    for (const xmlNode* key : keys) {
      std::string use = attribute(key, "use");
      if (!use.empty() && use != "signing") continue;
      std::vector<const xmlNode*> certs;
      find_all(key, kDsigNs, "X509Certificate", certs);
      for (const xmlNode* c : certs) {
        auto der = base64_decode(text(c));
        if (!der) return std::unexpected(invalid("an X509Certificate is not base64"));
        const unsigned char* p = reinterpret_cast<const unsigned char*>(der->data());
        X509* x = d2i_X509(nullptr, &p, static_cast<long>(der->size()));
        if (!x) return std::unexpected(invalid("an X509Certificate is not a certificate"));
        X509_free(x);
        m.signing_certificates.push_back(std::move(*der));
      }
    }
  }
  if (m.signing_certificates.empty())
    return std::unexpected(invalid("no signing certificate in the IDPSSODescriptor"));
  return m;
}

}  // namespace portcullis::federation::saml
