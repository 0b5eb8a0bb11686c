// STS: temporary credentials. Answers the STS API (Query protocol, 2011-06-15) and turns
// session credentials back into a caller, from the sealed token alone.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "http/message.h"
#include "iam/iam_api.h"
#include "iam/snapshot.h"
#include "protocol/query.h"
#include "sts/session_token.h"

namespace portcullis::sts {

inline constexpr std::string_view kVersion = "2011-06-15";

struct SessionCaller {
  std::shared_ptr<const iam::PrincipalEntry> entry;
  std::string secret_access_key;
};

class StsService {
 public:
  StsService(iam::IamService& iam, TokenKeys keys, const Clock& clock);

  // The caller behind session credentials (an ASIA… key with its token): InvalidClientTokenId
  // for a bad token or one whose role or user no longer exists, ExpiredToken when expired.
  Result<SessionCaller> session_caller(std::string_view access_key_id, std::string_view token,
                                       const iam::Snapshot& snapshot) const;

  // Answers one authenticated STS call.
  void handle(const http::Request& request, const protocol::QueryParams& params,
              const iam::PrincipalEntry& caller, const iam::Snapshot& snapshot,
              http::Response& response) const;

 private:
  iam::IamService& iam_;
  TokenKeys keys_;
  const Clock& clock_;
};

}  // namespace portcullis::sts
