// Policy evaluation for a typical role: 8 statements, a few conditions, one variable
// (target: <= 1 us per decision).
#include <benchmark/benchmark.h>

#include "iam/policy/evaluate.h"

namespace {

using namespace portcullis::iam;

constexpr const char* kRolePolicy = R"({
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "ReadPets", "Effect": "Allow", "Action": ["execute-api:Invoke"],
     "Resource": "arn:aws:execute-api:us-east-1:123456789012:abc123/Test/GET/pets*"},
    {"Sid": "BuyPets", "Effect": "Allow", "Action": "execute-api:Invoke",
     "Resource": "arn:aws:execute-api:us-east-1:123456789012:abc123/Test/POST/pets/purchase",
     "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
    {"Sid": "OwnPrefix", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
     "Resource": "arn:aws:s3:::home/${aws:username}/*"},
    {"Sid": "Office", "Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*",
     "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]},
                   "DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}},
    {"Sid": "Tagged", "Effect": "Allow", "Action": "dynamodb:*", "Resource": "*",
     "Condition": {"StringEquals": {"aws:PrincipalTag/team": "pets"}}},
    {"Sid": "NoAdmin", "Effect": "Deny", "Action": "iam:*", "Resource": "*"},
    {"Sid": "NoDelete", "Effect": "Deny", "Action": "execute-api:Invoke",
     "Resource": "arn:aws:execute-api:*:*:*/*/DELETE/*"},
    {"Sid": "Logs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
     "Resource": "arn:aws:logs:*:*:log-group:/pets/*"}
  ]})";

void BM_EvaluateTypicalRole(benchmark::State& state) {
  auto policy = parse_policy(kRolePolicy, PolicyKind::kIdentity);
  if (!policy) {
    state.SkipWithError(policy.error().message.c_str());
    return;
  }
  RequestContext ctx;
  ctx.action = "execute-api:Invoke";
  ctx.resource = "arn:aws:execute-api:us-east-1:123456789012:abc123/Test/POST/pets/purchase";
  ctx.set("aws:SecureTransport", "true");
  ctx.set("aws:SourceIp", "10.1.2.3");
  ctx.set("aws:CurrentTime", "2026-11-25T08:00:00Z");
  ctx.set("aws:username", "alice");
  ctx.set("aws:PrincipalTag/team", "pets");
  const Policy* identity[] = {&*policy};
  PolicySet set;
  set.identity = identity;
  for (auto _ : state) {
    DecisionDetail d = decide(set, ctx);
    if (d.outcome != Outcome::kAllowed) state.SkipWithError("expected Allow");
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_EvaluateTypicalRole);

}  // namespace
