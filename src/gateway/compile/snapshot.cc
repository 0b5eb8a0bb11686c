#include "gateway/compile/snapshot.h"

#include <algorithm>
#include <boost/json.hpp>

#include "core/crypto.h"
#include "core/log.h"
#include "gateway/api/call.h"

namespace portcullis::gateway {

namespace json = boost::json;

namespace {

std::string_view str(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  const json::string* s = v ? v->if_string() : nullptr;
  return s ? std::string_view(*s) : std::string_view();
}

const json::object& object_member(const json::object& o, std::string_view key) {
  static const json::object kEmpty;
  const json::value* v = o.if_contains(key);
  const json::object* p = v ? v->if_object() : nullptr;
  return p ? *p : kEmpty;
}

json::object parse_object(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return {};
  return std::move(v.get_object());
}

std::vector<std::pair<std::string, std::string>> string_map(const json::object& o) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& kv : o)
    if (const json::string* s = kv.value().if_string())
      out.emplace_back(std::string(kv.key()), std::string(*s));
  return out;
}

std::vector<std::string> split_base_path(std::string_view base) {
  std::vector<std::string> out;
  if (base == "(none)") return out;
  size_t pos = 0;
  while (pos <= base.size()) {
    size_t slash = base.find('/', pos);
    if (slash == std::string_view::npos) slash = base.size();
    if (slash > pos) out.emplace_back(base.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return out;
}

// Tells publishers apart in the per-thread cache (an address may be reused).
std::atomic<uint64_t> next_publisher_id{0};

}  // namespace

const StageEntry* ApiEntry::find_stage(std::string_view name) const {
  auto it = stages.find(name);
  return it == stages.end() ? nullptr : it->second.get();
}

const ApiEntry* Snapshot::find_api(std::string_view region, std::string_view id) const {
  for (size_t i = 0; i < regions_.size(); ++i) {
    if (regions_[i] != region) continue;
    auto it = apis_[i].find(id);
    return it == apis_[i].end() ? nullptr : it->second.get();
  }
  return nullptr;
}

const ApiEntry* Snapshot::find_api(std::string_view id) const {
  for (const auto& apis : apis_)
    if (auto it = apis.find(id); it != apis.end()) return it->second.get();
  return nullptr;
}

const DomainEntry* Snapshot::find_domain(std::string_view host) const {
  if (domains_.empty()) return nullptr;
  if (auto it = domains_.find(host); it != domains_.end()) return &it->second;
  size_t dot = host.find('.');
  if (dot == std::string_view::npos) return nullptr;
  std::string wildcard = "*" + std::string(host.substr(dot));
  if (auto it = domains_.find(wildcard); it != domains_.end()) return &it->second;
  return nullptr;
}

size_t Snapshot::api_count() const {
  size_t n = 0;
  for (const auto& a : apis_) n += a.size();
  return n;
}

Publisher::Publisher(std::vector<std::string> regions, std::string account, PolicyCompiler policies)
    : regions_(std::move(regions)),
      account_(std::move(account)),
      policies_(std::move(policies)),
      id_(next_publisher_id.fetch_add(1) + 1) {
  auto empty = std::make_shared<Snapshot>();
  empty->regions_ = regions_;
  empty->apis_.resize(regions_.size());
  snapshot_.store(empty);
}

Status Publisher::load(store::Store& store) {
  Built built;
  PC_CHECK(store.read([&](store::Transaction& txn) -> Status {
    built = PC_TRY(build(txn));
    return {};
  }));
  publish(std::move(built));
  return {};
}

Result<Publisher::Built> Publisher::build(store::Transaction& txn) {
  std::lock_guard lock(mu_);
  auto next = std::make_shared<Snapshot>();
  next->regions_ = regions_;
  next->apis_.resize(regions_.size());
  const Snapshot* base = base_.get();

  for (size_t ri = 0; ri < regions_.size(); ++ri) {
    const std::string& region = regions_[ri];
    for (auto& [api_id, text] : PC_TRY(txn.scan(api::regional_table(api::kApis, region)))) {
      std::string digest = crypto::sha256_hex(text);
      if (base)
        if (auto it = base->apis_[ri].find(api_id);
            it != base->apis_[ri].end() && it->second->digest == digest) {
          next->apis_[ri].emplace(api_id, it->second);
          continue;
        }
      json::object doc = parse_object(text);
      const json::object& stages = object_member(doc, "stages");
      if (stages.empty()) continue;
      auto entry = std::make_shared<ApiEntry>();
      entry->region = region;
      entry->id = api_id;
      entry->digest = digest;
      // Loads and compiles one deployment of this API for a stage.
      auto compile = [&](std::string_view stage, std::string_view deployment_id, bool canary,
                         std::vector<std::pair<std::string, std::string>> variables)
          -> Result<std::shared_ptr<const Deployment>> {
        auto row = PC_TRY(txn.get(api::regional_table(api::kDeployments, region),
                                  api_id + "/" + std::string(deployment_id)));
        if (!row) return std::shared_ptr<const Deployment>();
        json::object stored = parse_object(*row);
        DeploymentSource src{region,
                             account_,
                             api_id,
                             std::string(stage),
                             std::string(deployment_id),
                             canary,
                             std::move(variables)};
        return Deployment::compile(std::move(src), object_member(stored, "snapshot"), policies_);
      };
      const ApiEntry* before = nullptr;
      if (base)
        if (auto it = base->apis_[ri].find(api_id); it != base->apis_[ri].end())
          before = it->second.get();
      for (const auto& kv : stages) {
        const json::object* s = kv.value().if_object();
        if (!s) continue;
        // Deployments never change: a stage whose own settings did not change is reused, so
        // editing resources (not deployed yet) recompiles nothing.
        std::string stage_digest = crypto::sha256_hex(json::serialize(*s));
        if (before)
          if (auto it = before->stages.find(std::string_view(kv.key()));
              it != before->stages.end() && it->second->digest == stage_digest) {
            entry->stages.emplace(std::string(kv.key()), it->second);
            continue;
          }
        auto se = std::make_shared<StageEntry>();
        se->digest = std::move(stage_digest);
        auto variables = string_map(object_member(*s, "variables"));
        se->primary = PC_TRY(compile(kv.key(), str(*s, "deploymentId"), false, variables));
        if (!se->primary) continue;
        const json::object& canary = object_member(*s, "canarySettings");
        if (std::string_view cd = str(canary, "deploymentId"); !cd.empty()) {
          auto overridden = variables;
          for (auto& [k, v] : string_map(object_member(canary, "stageVariableOverrides"))) {
            auto it = std::find_if(overridden.begin(), overridden.end(),
                                   [&](const auto& e) { return e.first == k; });
            if (it != overridden.end())
              it->second = v;
            else
              overridden.emplace_back(k, v);
          }
          se->canary = PC_TRY(compile(kv.key(), cd, true, std::move(overridden)));
          if (const json::value* p = canary.if_contains("percentTraffic"))
            se->canary_percent = p->is_number() ? p->to_number<double>() : 0;
          se->canary_percent = std::clamp(se->canary_percent, 0.0, 100.0);
        }
        entry->stages.emplace(std::string(kv.key()), std::move(se));
      }
      if (!entry->stages.empty()) next->apis_[ri].emplace(api_id, std::move(entry));
    }
    for (auto& [name, text] : PC_TRY(txn.scan(api::regional_table(api::kDomainNames, region)))) {
      // The first served region that has a domain name answers for it.
      if (next->domains_.contains(name)) continue;
      json::object stored = parse_object(text);
      DomainEntry d;
      d.region = region;
      for (const auto& kv : object_member(stored, "mappings")) {
        const json::object* m = kv.value().if_object();
        if (!m) continue;
        d.mappings.push_back({split_base_path(kv.key()), std::string(str(*m, "restApiId")),
                              std::string(str(*m, "stage"))});
      }
      std::stable_sort(d.mappings.begin(), d.mappings.end(), [](const auto& a, const auto& b) {
        return a.segments.size() > b.segments.size();
      });
      next->domains_.emplace(name, std::move(d));
    }
  }
  base_ = next;
  return Built{std::move(next), ++build_seq_};
}

void Publisher::publish(Built built) {
  std::lock_guard lock(mu_);
  // Builds are numbered inside the store's transactions, in the order of the states they read.
  if (built.seq <= published_seq_) return;
  published_seq_ = built.seq;
  snapshot_.store(std::move(built.snapshot));
  version_.fetch_add(1, std::memory_order_release);
}

const std::shared_ptr<const Snapshot>& Publisher::current() const {
  struct Cache {
    uint64_t owner = 0;
    uint64_t version = 0;
    std::shared_ptr<const Snapshot> snapshot;
  };
  thread_local Cache cache;
  const uint64_t v = version_.load(std::memory_order_acquire);
  if (cache.owner != id_ || cache.version != v || !cache.snapshot) {
    cache.snapshot = snapshot_.load();
    cache.owner = id_;
    cache.version = v;
  }
  return cache.snapshot;
}

}  // namespace portcullis::gateway
