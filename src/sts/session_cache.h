// The callers built from session tokens, kept per thread so that a session's later calls cost a
// lookup instead of opening the token and building the principal again. No lock: each worker
// thread has its own cache, bounded, whose entries hold until the session expires or the IAM
// snapshot they were built from is replaced.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"
#include "sts/sts_service.h"

namespace portcullis::sts {

class SessionCache {
 public:
  static constexpr size_t kMaxEntries = 4096;

  // The calling thread's cache.
  static SessionCache& local();

  // The caller of `token`, if built for the same access key from snapshot `snapshot_id` and not
  // expired at `now`.
  std::optional<SessionCaller> find(std::string_view token, std::string_view access_key_id,
                                    uint64_t snapshot_id, SystemTime now);
  void put(std::string_view token, std::string_view access_key_id, uint64_t snapshot_id,
           SystemTime expires, const SessionCaller& caller);
  size_t size() const { return entries_.size(); }
  void clear() { entries_.clear(); }

 private:
  struct Entry {
    std::string token;  // compared whole: the hash below only finds it
    std::string access_key_id;
    uint64_t snapshot_id = 0;
    SystemTime expires;
    SessionCaller caller;
  };
  std::unordered_multimap<size_t, Entry> entries_;
};

}  // namespace portcullis::sts
