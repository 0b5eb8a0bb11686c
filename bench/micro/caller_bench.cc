// What a signed call costs before its policies are evaluated, beside BM_VerifyHeaderForm: noting
// a long-term key's use, and finding the caller of session credentials, built (the first call
// of a session on a thread) or looked up (every later call).
#include <benchmark/benchmark.h>

#include <filesystem>

#include "core/clock.h"
#include "core/crypto.h"
#include "iam/iam_api.h"
#include "iam/key_use.h"
#include "sts/session_cache.h"
#include "sts/sts_service.h"

namespace {

using namespace portcullis;

void BM_NoteKeyUse(benchmark::State& state) {
  iam::KeyUseLog log;
  SystemTime now = std::chrono::system_clock::now();
  for (auto _ : state) log.note("AKIAIOSFODNN7EXAMPLE", "execute-api", "us-east-1", now);
}
BENCHMARK(BM_NoteKeyUse);

// A store with one role that has an inline policy, its IAM service and STS, and a role session's
// token, as AssumeRole issues them.
struct Sessions {
  std::string dir;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<iam::IamService> iam;
  std::unique_ptr<sts::StsService> sts;
  std::string token;
  sts::SessionClaims claims;

  Sessions() {
    dir = (std::filesystem::temp_directory_path() / ("pc-bench-" + std::to_string(::getpid())))
              .string();
    std::filesystem::create_directories(dir);
    store = std::move(*store::open_sqlite(dir + "/db"));
    const std::string role =
        R"({"Path":"/","RoleName":"pets-admin","RoleId":"AROAEXAMPLE000000001",)"
        R"("Arn":"arn:aws:iam::000000000000:role/pets-admin","CreateDate":"2026-01-01T00:00:00Z",)"
        R"("AssumeRolePolicyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::000000000000:root\"},\"Action\":\"sts:AssumeRole\"}]}",)"
        R"("InlinePolicies":{"invoke":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"execute-api:Invoke\",\"Resource\":\"*\"}]}"}})";
    (void)store->write([&](store::Transaction& txn) { return txn.put("iam.roles", "pets-admin", role); });
    std::string master = crypto::random_bytes(32);
    iam = std::make_unique<iam::IamService>(*store, "000000000000", "us-east-1", master,
                                            SystemClock::instance());
    (void)iam->start();
    sts::TokenKeys keys = sts::TokenKeys::with_key("benchkey", crypto::random_bytes(32));
    SystemTime now = std::chrono::system_clock::now();
    claims.access_key_id = "ASIAEXAMPLE000000001";
    claims.secret_access_key = "secret/of/the/session/0123456789abcdef";
    claims.account = "000000000000";
    claims.name = "pets-admin";
    claims.session_name = "alice";
    claims.unique_id = "AROAEXAMPLE000000001";
    claims.issued = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    claims.expires = claims.issued + 3600;
    claims.tags = {{"team", "pets"}};
    token = keys.seal(claims);
    sts = std::make_unique<sts::StsService>(*iam, *store, std::move(keys), SystemClock::instance());
  }
  ~Sessions() {
    sts.reset();
    iam.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }
};

void BM_SessionCaller(benchmark::State& state) {
  static Sessions s;
  const bool warm = state.range(0) != 0;
  auto snapshot = s.iam->snapshot();
  for (auto _ : state) {
    if (!warm) sts::SessionCache::local().clear();
    auto caller = s.sts->session_caller(s.claims.access_key_id, s.token, *snapshot);
    if (!caller) state.SkipWithError("no caller");
    benchmark::DoNotOptimize(caller);
  }
  state.SetLabel(warm ? "looked up" : "built");
}
BENCHMARK(BM_SessionCaller)->Arg(0)->Arg(1);

}  // namespace
