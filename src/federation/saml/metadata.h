// SAML 2.0 identity provider metadata: parsed with the hardened XML profile (no DTD, no
// entities, no network) and reduced to what verification needs: the entity id, the signing
// certificates and the validity.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace portcullis::federation::saml {

struct IdpMetadata {
  std::string entity_id;
  std::vector<std::string> signing_certificates;  // DER bytes, from KeyDescriptor use="signing"
  std::optional<std::string> valid_until;         // as written (ISO 8601)
};

// Fails with InvalidInput when the document is not well-formed, has a DOCTYPE, is not an
// EntityDescriptor with an IDPSSODescriptor, or has no usable signing certificate.
Result<IdpMetadata> parse_metadata(std::string_view xml);

}  // namespace portcullis::federation::saml
