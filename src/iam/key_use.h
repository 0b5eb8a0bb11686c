// When each long-term access key was last used, for GetAccessKeyLastUsed and the credential
// report: noted on the request path into the calling thread's own slot, merged and kept off it.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "store/store.h"

namespace portcullis::iam {

inline constexpr std::string_view kKeyUse = "iam.keyuse";  // key id → {When, Service, Region}

class KeyUseLog {
 public:
  struct Use {
    SystemTime when;
    std::string service, region;
  };

  KeyUseLog();

  // Request path: takes no lock that another thread holds but to merge (never for long).
  void note(std::string_view access_key_id, std::string_view service, std::string_view region,
            SystemTime when);
  // The last use noted or persisted, pending notes included.
  std::optional<Use> get(std::string_view access_key_id) const;

  // Reads what earlier runs persisted.
  Status load(store::Store& store);
  // Persists what was noted since the last flush, in one transaction (nothing when idle). Never
  // called inside a store transaction.
  Status flush(store::Store& store);
  // Drops a deleted key's record from memory; its stored row goes in the deleting transaction.
  void forget(std::string_view access_key_id);

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Map = std::unordered_map<std::string, Use, Hash, std::equal_to<>>;
  struct Slot {
    std::mutex mu;  // taken by its own thread and, briefly, by a merge
    Map pending;
  };
  Slot& slot();
  // Moves every slot's notes into merged_; mu_ held.
  void merge_locked() const;

  const uint64_t id_;  // tells this log's slots from a destroyed log's in thread-local caches
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Slot>> slots_;
  mutable Map merged_;
  mutable std::unordered_set<std::string> dirty_;
};

}  // namespace portcullis::iam
