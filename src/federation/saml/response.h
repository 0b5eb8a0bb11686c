// SAML 2.0 responses, verified with the hardened profile of docs/sts.md: no DTDs, entities,
// comments or processing instructions; exactly one assertion; a signature that is a child of
// the Response or of the assertion and references that very element by its registered ID; only
// enveloped-signature and exclusive c14n transforms, SHA-256 or stronger; keys only from the
// provider's metadata. Knows nothing of IAM or STS.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace portcullis::federation::saml {

struct VerifyRules {
  std::vector<std::string> certificates;  // DER, from the provider's metadata
  std::string issuer;                     // the provider's entityID
  std::vector<std::string> audiences;     // one must be the assertion's audience
  std::string recipient;                  // SubjectConfirmationData Recipient / Destination
  std::chrono::seconds skew{300};
  size_t max_bytes = 100000;  // of the base64 text
};

struct Assertion {
  std::string id;
  std::string issuer;
  std::string subject;         // NameID
  std::string subject_format;  // NameID Format
  std::string audience;        // the audience that matched
  SystemTime not_on_or_after;  // when the assertion (and its ID) expire
  std::optional<SystemTime> session_not_on_or_after;
  std::map<std::string, std::vector<std::string>> attributes;
};

// Verifies a base64 SAMLResponse. Errors use InvalidIdentityToken for anything wrong with the
// document or its signature, ExpiredToken for time windows.
Result<Assertion> verify_response(std::string_view base64_response, const VerifyRules& rules,
                                  SystemTime now);

}  // namespace portcullis::federation::saml
