// The IAM service: owns IAM's part of the store and the snapshot built from it, bootstraps the
// account's administrator, and answers the IAM API (Query protocol, 2010-05-08).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "core/clock.h"
#include "core/result.h"
#include "http/message.h"
#include "iam/key_use.h"
#include "iam/snapshot.h"
#include "protocol/query.h"
#include "store/store.h"

namespace portcullis::iam {

inline constexpr std::string_view kVersion = "2010-05-08";

class IamService {
 public:
  IamService(store::Store& store, std::string account, std::string region, std::string master_key,
             const Clock& clock);

  // Builds the first snapshot.
  Status start();
  ~IamService();
  std::shared_ptr<const Snapshot> snapshot() const { return snapshot_.load(); }

  // Makes sure the user `admin` exists (with `user_id` when created) with AdministratorAccess
  // attached and the given access key, which replaces the key `replaced_key_id` if given.
  Status ensure_admin(std::string_view user_id, std::string_view access_key_id,
                      std::string_view secret, std::string_view replaced_key_id);

  // Answers one authenticated IAM call.
  void handle(const http::Request& request, const protocol::QueryParams& params,
              const PrincipalEntry& caller, http::Response& response);

  // Remembers when, for which service and in which region an access key was last used
  // (GetAccessKeyLastUsed); persisted every few seconds and when the service stops.
  void note_key_use(std::string_view access_key_id, std::string_view service,
                    std::string_view region) {
    key_use_.note(access_key_id, service, region, clock_.now());
  }
  std::optional<KeyUseLog::Use> last_use(std::string_view access_key_id) const {
    return key_use_.get(access_key_id);
  }
  void forget_key_use(std::string_view access_key_id) { key_use_.forget(access_key_id); }

  const std::string& account() const { return account_; }
  const std::string& region() const { return region_; }
  const std::string& master_key() const { return master_key_; }
  const Clock& clock() const { return clock_; }
  store::Store& store() const { return store_; }

 private:
  Status rebuild();
  void publish(std::shared_ptr<const Snapshot> next, uint64_t seq);

  store::Store& store_;
  std::string account_, region_, master_key_;
  const Clock& clock_;
  std::mutex rebuild_mu_;  // publication order
  std::atomic<uint64_t> build_seq_{0};
  uint64_t published_seq_ = 0;
  std::atomic<std::shared_ptr<const Snapshot>> snapshot_;
  KeyUseLog key_use_;
  std::jthread key_use_flusher_;
};

}  // namespace portcullis::iam
