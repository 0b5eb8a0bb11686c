// SigV4 verification cost with a warm signing-key cache (target: <= 2 us per request).
#include <benchmark/benchmark.h>

#include "http/message.h"
#include "sigv4/canonical.h"
#include "sigv4/signer.h"
#include "sigv4/verifier.h"

namespace {

using namespace portcullis;

http::Request signed_request(const sigv4::Credentials& creds, SystemTime now, std::string body) {
  sigv4::OutgoingRequest out;
  out.method = "POST";
  out.path = "/test/pets/purchase";
  out.query = "limit=10&page=2";
  out.headers = {{"Host", "abc123.execute-api.localhost:4566"},
                 {"Content-Type", "application/json"},
                 {"User-Agent", "aws-sdk-js/3.600.0 ua/2.1 os/linux lang/js"}};
  out.body = std::move(body);
  sigv4::SigningParams p{"us-east-1", "execute-api", now};
  sigv4::sign(out, creds, p);
  return http::Request::make(out.method, out.path + "?" + out.query, out.headers, out.body);
}

void BM_VerifyHeaderForm(benchmark::State& state) {
  sigv4::Credentials creds{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
  SystemTime now = std::chrono::system_clock::now();
  http::Request req = signed_request(creds, now, std::string(state.range(0), 'x'));
  std::vector<std::string> regions{"us-east-1"};
  sigv4::VerifyOptions opt;
  opt.service = "execute-api";
  opt.regions = regions;
  for (auto _ : state) {
    auto parsed = sigv4::parse(req, opt, now);
    auto ok = sigv4::verify(req, *parsed, creds.secret_access_key, opt);
    if (!ok) state.SkipWithError("verification failed");
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_VerifyHeaderForm)->Arg(0)->Arg(256)->Arg(4096);

void BM_SigningKeyDerivation(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(sigv4::signing_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                                                "20260101", "us-east-1", "execute-api"));
}
BENCHMARK(BM_SigningKeyDerivation);

}  // namespace
