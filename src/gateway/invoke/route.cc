#include "gateway/invoke/route.h"

#include <algorithm>

#include "gateway/invoke/respond.h"
#include "sigv4/verifier.h"

namespace portcullis::gateway::invoke {

namespace {

constexpr std::string_view kExecuteApi = ".execute-api.";

std::string_view host_of(const http::Request& req) {
  std::string_view h = req.header("host").value_or("");
  // Strip the port ("[::1]:80" keeps its brackets).
  if (size_t colon = h.rfind(':');
      colon != std::string_view::npos && h.find(']', colon) == std::string_view::npos)
    h = h.substr(0, colon);
  return h;
}

bool has_upper(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// The lower-case host, in `buffer` only when the request's is not already.
std::string_view lower_host(std::string_view host, std::string& buffer) {
  if (!has_upper(host)) return host;
  buffer.assign(host);
  for (char& c : buffer)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return buffer;
}

bool is_aws_path(std::span<const std::string_view> s) {
  return s.size() >= 3 && s[0] == "_aws" && s[1] == "execute-api";
}

bool is_user_request(std::span<const std::string_view> s) {
  return s.size() >= 4 && s[0] == "restapis" && s[3] == "_user_request_";
}

Unrouted unknown_api(std::string_view id) {
  // LocalStack's words (§1.6): AWS has no DNS name for an API that does not exist. The id is
  // the caller's text, so it is escaped.
  std::string quoted = json_quote("The API id '" + std::string(id) +
                                  "' does not correspond to a deployed API Gateway API");
  return {404, "NotFoundException", "{\"message\": " + quoted + "}"};
}

Unrouted forbidden() { return {403, "ForbiddenException", "{\"message\":\"Forbidden\"}"}; }

}  // namespace

std::string Invocation::routed_path() const {
  std::string out;
  auto segs = segments.segments();
  for (size_t i = first_segment; i < segs.size(); ++i) {
    if (i > first_segment) out += '/';
    out += segs[i];
  }
  return out;
}

bool is_invocation(const Snapshot& snapshot, const http::Request& req) {
  std::string_view host = host_of(req);
  if (host.find(kExecuteApi) != std::string_view::npos) return true;
  std::string_view path = req.path();
  if (path.find("_aws") != std::string_view::npos ||
      path.find("_user_request_") != std::string_view::npos) {
    thread_local PathSegments segments;
    segments.split(path);
    if (is_aws_path(segments.segments())) return true;
    // GetStage of a stage named "_user_request_" has this shape too: a call signed for the
    // management API is one.
    if (is_user_request(segments.segments()))
      return sigv4::scope_service(req).value_or("") != "apigateway";
  }
  thread_local std::string buffer;
  return snapshot.find_domain(lower_host(host, buffer)) != nullptr;
}

std::expected<void, Unrouted> locate(const Snapshot& snapshot, std::string_view path,
                                     Invocation& inv, const std::function<double()>& draw) {
  thread_local std::string host_buffer;
  std::string_view host = lower_host(host_of(inv.request), host_buffer);
  inv.segments.split(path);
  auto segs = inv.segments.segments();
  std::string_view api_id, region;
  const DomainEntry* domain = nullptr;
  size_t stage_at = 0;
  std::string_view mapped_stage;

  if (size_t at = host.find(kExecuteApi); at != std::string_view::npos && at > 0) {
    inv.form = Form::kHost;
    api_id = host.substr(0, at);
    // The region in the host, when it is one this server serves, selects it.
    std::string_view rest = host.substr(at + kExecuteApi.size());
    std::string_view label = rest.substr(0, rest.find('.'));
    const auto& regions = snapshot.regions();
    if (std::find(regions.begin(), regions.end(), label) != regions.end()) region = label;
    stage_at = 0;
  } else if (is_aws_path(segs)) {
    inv.form = Form::kAwsPath;
    api_id = segs[2];
    stage_at = 3;
  } else if (is_user_request(segs)) {
    inv.form = Form::kUserRequest;
    api_id = segs[1];
    stage_at = 2;
  } else if ((domain = snapshot.find_domain(host))) {
    inv.form = Form::kDomain;
    const BasePathMapping* mapping = nullptr;
    for (const BasePathMapping& m : domain->mappings) {
      if (m.segments.size() > segs.size()) continue;
      if (std::equal(m.segments.begin(), m.segments.end(), segs.begin())) {
        mapping = &m;
        break;
      }
    }
    if (!mapping) return std::unexpected(forbidden());
    api_id = mapping->api_id;
    region = domain->region;
    stage_at = mapping->segments.size();
    mapped_stage = mapping->stage;
  } else {
    return std::unexpected(forbidden());
  }
  inv.host = host;

  const ApiEntry* api =
      region.empty() ? snapshot.find_api(api_id) : snapshot.find_api(region, api_id);
  if (!api) return std::unexpected(unknown_api(api_id));
  std::string_view stage_name = mapped_stage;
  if (stage_name.empty()) {
    if (inv.form == Form::kUserRequest) {
      stage_name = segs[stage_at];
      stage_at += 2;  // the stage, then "_user_request_"
    } else {
      if (stage_at >= segs.size()) return std::unexpected(forbidden());
      stage_name = segs[stage_at];
      stage_at += 1;
    }
  }
  const StageEntry* stage = api->find_stage(stage_name);
  if (!stage || !stage->primary) return std::unexpected(forbidden());
  const Deployment* d = stage->primary.get();
  if (stage->canary && stage->canary_percent > 0 && draw && draw() < stage->canary_percent)
    d = stage->canary.get();
  // An API whose default endpoint is disabled answers only through its custom domain names.
  if (d->disable_execute_api_endpoint() && inv.form != Form::kDomain)
    return std::unexpected(forbidden());
  inv.api = api;
  inv.stage = stage;
  inv.deployment = d;
  inv.first_segment = stage_at;
  return {};
}

StepStatus route(Invocation& inv) {
  const Deployment& d = *inv.deployment;
  inv.match = d.router().match(inv.segments, inv.first_segment, inv.joined,
                               [&](int32_t id) { return d.resources()[id].has_methods(); });
  if (inv.match.id < 0 || !(inv.method = d.method_for(inv.match.id, inv.request.method())))
    return failure(ResponseType::kMissingAuthenticationToken, "MissingAuthenticationTokenException",
                   "Missing Authentication Token");
  inv.resource = &d.resources()[inv.match.id];
  // The ARN names the path as routed, so that what a policy sees is what the router matched.
  inv.arn.reserve(d.arn_prefix().size() + 8 + inv.request.path().size());
  inv.arn = d.arn_prefix();
  inv.arn += inv.request.method();
  inv.arn += '/';
  auto segs = inv.segments.segments();
  for (size_t i = inv.first_segment; i < segs.size(); ++i) {
    if (i > inv.first_segment) inv.arn += '/';
    inv.arn += segs[i];
  }
  return {};
}

}  // namespace portcullis::gateway::invoke
