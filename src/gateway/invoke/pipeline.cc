#include "gateway/invoke/pipeline.h"

#include <cstring>
#include <random>

#include "core/encoding.h"
#include "gateway/invoke/authenticate.h"
#include "gateway/invoke/authorize.h"
#include "gateway/invoke/respond.h"
#include "gateway/invoke/route.h"

namespace portcullis::gateway::invoke {

namespace {

// A fast per-thread generator (xorshift64*): ids and canary draws need no cryptographic
// strength, only spread.
uint64_t next_random() {
  thread_local uint64_t state = [] {
    std::random_device rd;
    uint64_t s = (static_cast<uint64_t>(rd()) << 32) ^ rd();
    return s ? s : 0x9E3779B97F4A7C15ull;
  }();
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 0x2545F4914F6CDD1Dull;
}

double default_draw() { return static_cast<double>(next_random() >> 11) * 0x1.0p-53 * 100.0; }

}  // namespace

std::string extended_request_id() {
  char bytes[11];
  uint64_t a = next_random(), b = next_random();
  std::memcpy(bytes, &a, 8);
  std::memcpy(bytes + 8, &b, 3);
  return base64_encode(std::string_view(bytes, sizeof bytes));
}

Pipeline::Pipeline(const Publisher& publisher, const AccessControl& access, const Clock& clock,
                   Options options)
    : publisher_(publisher), access_(access), clock_(clock), options_(std::move(options)) {
  if (!options_.canary_draw) options_.canary_draw = default_draw;
}

bool Pipeline::is_invocation(const http::Request& request) const {
  return invoke::is_invocation(*publisher_.current(), request);
}

void Pipeline::handle(const http::Request& request, http::Response& response) const {
  // This thread's reference to the published snapshot: nothing else re-reads it during the
  // call, so it stays whole without touching a shared reference count.
  const std::shared_ptr<const Snapshot>& snapshot = publisher_.current();
  Invocation inv(request);
  inv.now = clock_.now();
  inv.extended_request_id = extended_request_id();
  const double draw = options_.canary_draw();
  auto same_draw = [draw] { return draw; };
  if (auto located = locate(*snapshot, request.path(), inv, same_draw); !located)
    return respond(located.error(), inv, response);
  if (auto st = run(*snapshot, inv, draw, response); !st) respond(st.error(), inv, response);
}

StepStatus Pipeline::run(const Snapshot& snapshot, Invocation& inv, double draw,
                         http::Response& response) const {
  const http::Request& req = inv.request;
  if (auto routed = route(inv); !routed) {
    // A non-SigV4 Authorization header on a route that does not exist gets its parse error.
    if (auto shape = authorization_shape(req)) return std::unexpected(std::move(*shape));
    return routed;
  }
  if (inv.method->authorization == Authorization::kAwsIam) {
    std::string covered = PC_TRY(authenticate(inv, access_));
    if (covered != req.path()) {
      // The signature covers another spelling of the path (the client signed it decoded
      // once): the call goes where that path leads, under that path's ARN, or nowhere.
      inv.covered_path = std::move(covered);
      const ApiEntry* api = inv.api;
      const StageEntry* stage = inv.stage;
      auto same_draw = [draw] { return draw; };
      auto mismatch = [] {
        return failure(ResponseType::kMissingAuthenticationToken,
                       "MissingAuthenticationTokenException", "Missing Authentication Token");
      };
      if (!locate(snapshot, inv.covered_path, inv, same_draw) || inv.api != api ||
          inv.stage != stage)
        return mismatch();
      PC_CHECK(route(inv));
    }
  }
  PC_CHECK(authorize(inv, access_));
  IntegrationResult result = PC_TRY(integrate(inv, options_.render));
  return respond(result, inv, options_.render, response);
}

}  // namespace portcullis::gateway::invoke
