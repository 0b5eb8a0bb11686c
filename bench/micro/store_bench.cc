// The embedded store's write throughput: one small document per transaction, as a control-plane
// call writes, durable (WAL, synchronous=FULL) when write() returns; and a read beside it.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>

#include "store/store.h"

namespace {

using namespace portcullis;

struct TempStore {
  std::filesystem::path dir;
  std::unique_ptr<store::Store> store;
  TempStore() {
    dir = std::filesystem::temp_directory_path() / ("pc-store-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    store = std::move(*store::open_sqlite((dir / "db").string()));
  }
  ~TempStore() {
    store.reset();
    std::filesystem::remove_all(dir);
  }
};

void BM_StoreWrite(benchmark::State& state) {
  TempStore s;
  const std::string doc(512, 'x');
  size_t i = 0;
  for (auto _ : state) {
    auto st = s.store->write([&](store::Transaction& t) {
      return t.put("bench.docs", "key-" + std::to_string(i++ % 1000), doc);
    });
    if (!st) state.SkipWithError("write failed");
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_StoreWrite)->UseRealTime();

void BM_StoreRead(benchmark::State& state) {
  TempStore s;
  (void)s.store->write([&](store::Transaction& t) { return t.put("bench.docs", "k", "v"); });
  for (auto _ : state) {
    auto st = s.store->read([&](store::Transaction& t) -> Status {
      auto v = t.get("bench.docs", "k");
      benchmark::DoNotOptimize(v);
      return {};
    });
    if (!st) state.SkipWithError("read failed");
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_StoreRead)->UseRealTime();

}  // namespace
