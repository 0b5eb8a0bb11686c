// STS: temporary credentials. Answers the STS API (Query protocol, 2011-06-15) and turns
// session credentials back into a caller, from the sealed token alone.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <condition_variable>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "federation/oidc/jwt.h"
#include "http/message.h"
#include "iam/iam_api.h"
#include "iam/snapshot.h"
#include "protocol/query.h"
#include "store/store.h"
#include "sts/session_token.h"

namespace portcullis::sts {

inline constexpr std::string_view kVersion = "2011-06-15";

struct SessionCaller {
  std::shared_ptr<const iam::PrincipalEntry> entry;
  std::string secret_access_key;
};

// Remembers identity-provider assertions until they expire, in the store, so each is used
// once: across restarts, across nodes sharing the store, and under concurrent submissions (the
// check and the record are one write transaction).
class AssertionLog {
 public:
  explicit AssertionLog(store::Store& store) : store_(store) {}
  Result<bool> first_use(const std::string& id, SystemTime expires, SystemTime now);

 private:
  store::Store& store_;
  std::atomic<int64_t> next_sweep_{0};
};

// What SAML assertions must be addressed to, and the clock skew allowed on their windows.
struct StsSettings {
  std::vector<std::string> saml_audiences{"https://signin.aws.amazon.com/saml",
                                          "urn:amazon:webservices"};
  std::string saml_recipient = "https://signin.aws.amazon.com/saml";
  std::chrono::seconds skew{300};
};

// The JSON Web Key sets of OpenID Connect providers, fetched through discovery, kept for an
// hour and fetched again (at most every 10 seconds) when a token names a key they lack.
class KeySetCache {
 public:
  using Keys = std::shared_ptr<const std::vector<federation::oidc::Jwk>>;
  // The keys of `issuer`; `refresh` asks for a new fetch (the token names an unknown kid).
  Result<Keys> keys(const std::string& issuer, const std::vector<std::string>& thumbprints,
                    bool refresh, SystemTime now);

 private:
  struct Entry {
    Keys keys;                   // null when the last fetch failed
    std::optional<Error> error;  // why, kept 10 seconds so a provider that is down costs little
    SystemTime fetched;
  };
  std::mutex mu_;
  std::unordered_map<std::string, Entry> sets_;
  // Providers whose keys are being fetched, with the number of calls held for it (the fetch's
  // own and those waiting for its result).
  static constexpr int kMaxWaiting = 1;
  std::unordered_map<std::string, int> fetching_;
  std::condition_variable fetched_;
};

class StsService {
 public:
  using Settings = StsSettings;
  StsService(iam::IamService& iam, store::Store& store, TokenKeys keys, const Clock& clock,
             StsSettings settings = StsSettings());

  // The caller behind session credentials (an ASIA… key with its token): InvalidClientTokenId
  // for a bad token or one whose role or user no longer exists, ExpiredToken when expired.
  // Built once per session, thread and IAM snapshot (SessionCache), then looked up.
  Result<SessionCaller> session_caller(std::string_view access_key_id, std::string_view token,
                                       const iam::Snapshot& snapshot) const;

  // Answers one authenticated STS call, made in `region` (its credential scope's).
  void handle(const http::Request& request, const protocol::QueryParams& params,
              const iam::PrincipalEntry& caller, const iam::Snapshot& snapshot,
              std::string_view region, http::Response& response) const;
  // Answers the calls AWS accepts unsigned: AssumeRoleWithSAML and AssumeRoleWithWebIdentity.
  void handle_unsigned(const http::Request& request, const protocol::QueryParams& params,
                       const iam::Snapshot& snapshot, std::string_view region,
                       http::Response& response) const;

 private:
  // session_caller without the cache; `expires` is the session's end.
  Result<SessionCaller> build_session_caller(std::string_view access_key_id,
                                             std::string_view token,
                                             const iam::Snapshot& snapshot, SystemTime now,
                                             SystemTime& expires) const;
  void dispatch(const http::Request& request, const protocol::QueryParams& params,
                const iam::PrincipalEntry* caller, const iam::Snapshot& snapshot,
                std::string_view region, http::Response& response) const;

  iam::IamService& iam_;
  TokenKeys keys_;
  const Clock& clock_;
  Settings settings_;
  mutable AssertionLog assertions_;
  mutable KeySetCache key_sets_;
};

}  // namespace portcullis::sts
