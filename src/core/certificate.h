// Self-signed X.509 certificates (OpenSSL): the client certificates API Gateway presents to
// HTTP backends.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"

namespace portcullis::crypto {

struct SelfSigned {
  std::string certificate_pem;
  std::string private_key_pem;  // a secret: seal it before keeping it
  SystemTime not_before, not_after;
};

// An RSA-2048 key and a certificate for it, signed with SHA-256 by the key itself, valid from
// `now` for `validity`, with subject and issuer CN=`common_name`.
Result<SelfSigned> self_signed_certificate(std::string_view common_name, SystemTime now,
                                           std::chrono::seconds validity);

}  // namespace portcullis::crypto
