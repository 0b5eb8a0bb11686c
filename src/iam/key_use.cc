#include "iam/key_use.h"

#include <atomic>
#include <boost/json.hpp>


namespace portcullis::iam {

namespace json = boost::json;

namespace {
std::atomic<uint64_t> next_log_id{1};
}  // namespace

KeyUseLog::KeyUseLog() : id_(next_log_id.fetch_add(1)) {}

KeyUseLog::Slot& KeyUseLog::slot() {
  // This thread's slot of each log it noted into, found again without a lock. Logs are few (one
  // per server); entries of logs since destroyed are never matched, since ids are not reused.
  thread_local std::vector<std::pair<uint64_t, Slot*>> cached;
  for (const auto& [log, slot] : cached)
    if (log == id_) return *slot;
  std::lock_guard lock(mu_);
  slots_.push_back(std::make_unique<Slot>());
  cached.emplace_back(id_, slots_.back().get());
  return *slots_.back();
}

void KeyUseLog::note(std::string_view access_key_id, std::string_view service,
                     std::string_view region, SystemTime when) {
  Slot& s = slot();
  std::lock_guard lock(s.mu);
  auto it = s.pending.find(access_key_id);
  if (it == s.pending.end()) {
    s.pending.emplace(std::string(access_key_id), Use{when, std::string(service), std::string(region)});
    return;
  }
  Use& u = it->second;
  if (when < u.when) return;
  u.when = when;
  // Assigning equal strings is cheap but not free; most calls repeat the last service and region.
  if (u.service != service) u.service = service;
  if (u.region != region) u.region = region;
}

void KeyUseLog::merge_locked() const {
  for (const auto& s : slots_) {
    Map pending;
    {
      std::lock_guard lock(s->mu);
      pending.swap(s->pending);
    }
    for (auto& [key, use] : pending) {
      auto it = merged_.find(key);
      if (it != merged_.end() && it->second.when >= use.when) continue;
      dirty_.insert(key);
      merged_.insert_or_assign(key, std::move(use));
    }
  }
}

std::optional<KeyUseLog::Use> KeyUseLog::get(std::string_view access_key_id) const {
  std::lock_guard lock(mu_);
  merge_locked();
  auto it = merged_.find(access_key_id);
  if (it == merged_.end()) return std::nullopt;
  return it->second;
}

Status KeyUseLog::load(store::Store& store) {
  std::lock_guard lock(mu_);
  return store.read([&](store::Transaction& txn) -> Status {
    auto rows = PC_TRY(txn.scan(kKeyUse));
    for (const auto& [key, value] : rows) {
      boost::system::error_code ec;
      json::value v = json::parse(value, ec);
      const json::object* o = ec ? nullptr : v.if_object();
      if (!o) continue;
      auto text = [&](std::string_view k) -> std::string {
        auto it = o->find(k);
        const json::string* s = it == o->end() ? nullptr : it->value().if_string();
        return s ? std::string(*s) : std::string();
      };
      auto when = parse_iso8601(text("When"));
      if (!when) continue;
      merged_.insert_or_assign(key, Use{*when, text("Service"), text("Region")});
    }
    return {};
  });
}

Status KeyUseLog::flush(store::Store& store) {
  // Copied out first: the store is never entered with mu_ held, as callers inside a store
  // transaction (GetAccessKeyLastUsed, the credential report) take mu_ after the store's lock.
  std::vector<std::pair<std::string, Use>> rows;
  {
    std::lock_guard lock(mu_);
    merge_locked();
    for (const std::string& key : dirty_)
      if (auto it = merged_.find(key); it != merged_.end()) rows.emplace_back(key, it->second);
    dirty_.clear();
  }
  if (rows.empty()) return {};
  Status st = store.write([&](store::Transaction& txn) -> Status {
    for (const auto& [key, use] : rows) {
      json::object o{{"When", format_iso8601(use.when)},
                     {"Service", use.service},
                     {"Region", use.region}};
      PC_CHECK(txn.put(kKeyUse, key, json::serialize(o)));
    }
    return {};
  });
  if (!st) {
    // Tried again at the next flush.
    std::lock_guard lock(mu_);
    for (const auto& [key, use] : rows) dirty_.insert(key);
  }
  return st;
}

void KeyUseLog::forget(std::string_view access_key_id) {
  std::lock_guard lock(mu_);
  merge_locked();
  if (auto it = merged_.find(access_key_id); it != merged_.end()) merged_.erase(it);
  dirty_.erase(std::string(access_key_id));
}

}  // namespace portcullis::iam
