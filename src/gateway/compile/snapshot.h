// The gateway snapshot: every deployed stage of every API in every served region, compiled,
// and the custom domain names with their base path mappings. Rebuilt inside each committed
// management write (from the state being committed) and published with one atomic swap; the
// invoke path reads only this, without a lock.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "gateway/compile/deployment.h"
#include "store/store.h"

namespace portcullis::gateway {

// A stage as calls see it: its deployment and, during a canary release, the canary's.
struct StageEntry {
  std::shared_ptr<const Deployment> primary;
  std::shared_ptr<const Deployment> canary;  // null: no canary
  double canary_percent = 0;                 // 0–100 of the calls go to the canary
  std::string digest;                        // of what it was compiled from
};

struct ApiEntry {
  std::string region, id;
  std::map<std::string, std::shared_ptr<const StageEntry>, std::less<>> stages;
  std::string digest;  // of the stored API document
  const StageEntry* find_stage(std::string_view name) const;
};

struct BasePathMapping {
  std::vector<std::string> segments;  // of the base path; empty for "(none)"
  std::string api_id;
  std::string stage;  // empty: the stage is the next path segment
};

struct DomainEntry {
  std::string region;
  std::vector<BasePathMapping> mappings;  // longest base path first
};

class Snapshot {
 public:
  const std::vector<std::string>& regions() const { return regions_; }
  const ApiEntry* find_api(std::string_view region, std::string_view id) const;
  // In any region, the served regions in order.
  const ApiEntry* find_api(std::string_view id) const;
  // A custom domain name by host (lower-case, without port): exact, then "*.parent".
  const DomainEntry* find_domain(std::string_view host) const;
  size_t api_count() const;

 private:
  friend class Publisher;
  std::vector<std::string> regions_;
  // apis_[i]: the APIs of regions_[i] that have stages.
  std::vector<std::map<std::string, std::shared_ptr<const ApiEntry>, std::less<>>> apis_;
  std::map<std::string, DomainEntry, std::less<>> domains_;
};

class Publisher {
 public:
  Publisher(std::vector<std::string> regions, std::string account, PolicyCompiler policies);

  // Builds from the committed state and publishes: the first snapshot.
  Status load(store::Store& store);

  struct Built {
    std::shared_ptr<const Snapshot> snapshot;
    uint64_t seq = 0;
  };
  // Builds the snapshot of what `txn` (every region's tables, unqualified) holds, inside the
  // management write about to commit it; parts whose source did not change are reused.
  Result<Built> build(store::Transaction& txn);
  // After the commit: publishes, unless a newer build was published already.
  void publish(Built built);

  // The published snapshot. The reference is this thread's and stays valid until this thread
  // calls current() again; re-reading costs one atomic load while nothing changed.
  const std::shared_ptr<const Snapshot>& current() const;

 private:
  std::vector<std::string> regions_;
  std::string account_;
  PolicyCompiler policies_;
  std::mutex mu_;                         // builds and publication order
  std::shared_ptr<const Snapshot> base_;  // the last built: parts to reuse
  uint64_t build_seq_ = 0, published_seq_ = 0;
  std::atomic<std::shared_ptr<const Snapshot>> snapshot_;
  std::atomic<uint64_t> version_{0};
  const uint64_t id_;
};

}  // namespace portcullis::gateway
