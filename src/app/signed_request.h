// Authentication of a SigV4-signed request, shared by the control plane and the invoke path:
// the key is found in the IAM snapshot (long-term keys) or its session token opened (ASIA…),
// and the signature verified with that secret.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "http/message.h"
#include "iam/iam_api.h"
#include "sigv4/verifier.h"
#include "sts/sts_service.h"

namespace portcullis::app {

struct SignedCaller {
  std::shared_ptr<const iam::PrincipalEntry> caller;
  std::string region;  // of the credential scope
  std::string access_key_id;
  std::string covered_path;  // the path the signature covers (sigv4::verify)
};

// `options.service` names the service signed for; the IAM snapshot must outlive the caller
// answered (long-term keys' principals are shared with it).
Result<SignedCaller> authenticate_signed(const http::Request& request,
                                         const sigv4::VerifyOptions& options,
                                         const iam::Snapshot& snapshot, iam::IamService& iam,
                                         const sts::StsService& sts, SystemTime now);

}  // namespace portcullis::app
