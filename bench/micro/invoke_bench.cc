// The invoke path on the worker: a call to a NONE method with a MOCK integration, routed in a
// deployment of 10 or 10,000 resources (what 10,000 routes cost per call against 10), and the
// snapshot rebuild a management write pays for an API of that size.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>

#include "core/clock.h"
#include "gateway/compile/snapshot.h"
#include "gateway/invoke/pipeline.h"
#include "gateway/invoke/route.h"

namespace {

using namespace portcullis;
using namespace portcullis::gateway;
namespace json = boost::json;

class AllowAll final : public invoke::AccessControl {
 public:
  Result<Authenticated> authenticate(const http::Request&, std::string_view) const override {
    return fail(ErrorCode::kInvalidClientTokenId, "");
  }
  Denial authorize(const invoke::Caller*, const CompiledPolicy*, std::string_view,
                   const http::Request&, std::string_view) const override {
    return Denial::kNone;
  }
  Result<std::shared_ptr<const CompiledPolicy>> compile_policy(std::string_view) const override {
    return std::shared_ptr<const CompiledPolicy>();
  }
};

json::object mock_method(std::string_view name) {
  return json::parse(R"({"httpMethod":"GET","authorizationType":"NONE","apiKeyRequired":false,
    "methodResponses":{"200":{"statusCode":"200"}},
    "methodIntegration":{"type":"MOCK","passthroughBehavior":"WHEN_NO_MATCH",
      "integrationResponses":{"200":{"statusCode":"200",
        "responseTemplates":{"application/json":")" +
                     std::string(name) + R"("}}}}})")
      .as_object();
}

// A store holding one API, deployed to stage prod, with `routes` resources /r0 … and
// /pets/{id}.
struct Deployed {
  std::string dir;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<Publisher> publisher;
  AllowAll access;
  std::unique_ptr<invoke::Pipeline> pipeline;

  explicit Deployed(int routes) {
    dir = (std::filesystem::temp_directory_path() /
           ("pc-invoke-bench-" + std::to_string(::getpid()) + "-" + std::to_string(routes)))
              .string();
    std::filesystem::create_directories(dir);
    store = std::move(*store::open_sqlite(dir + "/db"));
    json::object resources;
    resources["root"] = {{"id", "root"}, {"path", "/"}};
    for (int i = 0; i < routes; ++i) {
      std::string id = "r" + std::to_string(i);
      resources[id] = {
          {"id", id}, {"path", "/" + id}, {"resourceMethods", {{"GET", mock_method(id)}}}};
    }
    resources["pets"] = {{"id", "pets"}, {"path", "/pets"}};
    resources["pet"] = {
        {"id", "pet"}, {"path", "/pets/{id}"}, {"resourceMethods", {{"GET", mock_method("pet")}}}};
    json::object snapshot{{"api", {{"id", "bench00001"}}}, {"resources", resources}};
    json::object doc{{"api", {{"id", "bench00001"}}},
                     {"stages", {{"prod", {{"deploymentId", "d1"}, {"stageName", "prod"}}}}}};
    (void)store->write([&](store::Transaction& txn) -> Status {
      PC_CHECK(txn.put("apigateway.apis@us-east-1", "bench00001", json::serialize(doc)));
      return txn.put(
          "apigateway.deployments@us-east-1", "bench00001/d1",
          json::serialize(json::object{{"deployment", {{"id", "d1"}}}, {"snapshot", snapshot}}));
    });
    publisher =
        std::make_unique<Publisher>(std::vector<std::string>{"us-east-1"}, "000000000000", nullptr);
    (void)publisher->load(*store);
    pipeline = std::make_unique<invoke::Pipeline>(*publisher, access, SystemClock::instance(),
                                                  invoke::Pipeline::Options{});
  }
  ~Deployed() {
    pipeline.reset();
    publisher.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }
};

Deployed& deployed(int routes) {
  static Deployed small(10), large(10'000);
  return routes > 10 ? large : small;
}

void BM_InvokeMock(benchmark::State& state) {
  Deployed& d = deployed(static_cast<int>(state.range(0)));
  auto req = http::Request::make(
      "GET", "/prod/pets/42",
      {{"host", "bench00001.execute-api.us-east-1.amazonaws.com"}, {"accept", "application/json"}});
  req.request_id = "0d2c7f6e-1111-2222-3333-444455556666";
  for (auto _ : state) {
    http::Response res;
    d.pipeline->handle(req, res);
    if (res.status != 200) state.SkipWithError(res.body.c_str());
    benchmark::DoNotOptimize(res);
  }
}
BENCHMARK(BM_InvokeMock)->Arg(10)->Arg(10'000);

void BM_LocateAndRoute(benchmark::State& state) {
  Deployed& d = deployed(static_cast<int>(state.range(0)));
  auto req = http::Request::make("GET", "/prod/r7",
                                 {{"host", "bench00001.execute-api.us-east-1.amazonaws.com"}});
  const Snapshot& snap = *d.publisher->current();
  for (auto _ : state) {
    invoke::Invocation inv(req);
    if (!invoke::locate(snap, req.path(), inv, [] { return 50.0; }) || !invoke::route(inv))
      state.SkipWithError("not routed");
    benchmark::DoNotOptimize(inv.method);
  }
}
BENCHMARK(BM_LocateAndRoute)->Arg(10)->Arg(10'000);

// A management write's snapshot rebuild when the API's document changed (no reuse).
void BM_CompileDeployment(benchmark::State& state) {
  Deployed& d = deployed(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    Publisher fresh({"us-east-1"}, "000000000000", nullptr);
    (void)fresh.load(*d.store);
    benchmark::DoNotOptimize(fresh.current());
  }
}
BENCHMARK(BM_CompileDeployment)->Arg(10)->Arg(10'000)->Unit(benchmark::kMillisecond);

}  // namespace
