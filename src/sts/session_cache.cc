#include "sts/session_cache.h"

#include <functional>

namespace portcullis::sts {

SessionCache& SessionCache::local() {
  thread_local SessionCache cache;
  return cache;
}

std::optional<SessionCaller> SessionCache::find(std::string_view token,
                                                std::string_view access_key_id,
                                                uint64_t snapshot_id, SystemTime now) {
  auto [it, end] = entries_.equal_range(std::hash<std::string_view>{}(token));
  for (; it != end; ++it) {
    Entry& e = it->second;
    if (e.token != token) continue;
    if (e.snapshot_id != snapshot_id || now >= e.expires) {
      // Built from a replaced snapshot, or expired: the token is opened again, and answers
      // ExpiredToken or a caller as the IAM state is now.
      entries_.erase(it);
      return std::nullopt;
    }
    if (e.access_key_id != access_key_id) return std::nullopt;
    return e.caller;
  }
  return std::nullopt;
}

void SessionCache::put(std::string_view token, std::string_view access_key_id,
                       uint64_t snapshot_id, SystemTime expires, const SessionCaller& caller) {
  // Bounded: a thread that saw more sessions than this starts over, which costs one build each.
  if (entries_.size() >= kMaxEntries) entries_.clear();
  entries_.emplace(std::hash<std::string_view>{}(token),
                   Entry{std::string(token), std::string(access_key_id), snapshot_id, expires,
                         caller});
}

}  // namespace portcullis::sts
