#include "app/edge.h"

#include "app/signed_request.h"

#include <algorithm>

#include "core/encoding.h"
#include "iam/authorize.h"
#include "protocol/errors.h"
#include "protocol/query.h"
#include "sigv4/verifier.h"

namespace portcullis::app {

using protocol::Protocol;

struct Edge::Service {
  std::string_view name;
  Protocol protocol;
  std::string_view xmlns;
  bool global;  // also signed for us-east-1 when that region is not served (global endpoints)
};

namespace {

void write_error(http::Response& res, Protocol p, const http::Request& req, ErrorCode code,
                 std::string message, std::string_view xmlns = protocol::kStsXmlns) {
  protocol::write_error(res, p, Error{code, std::move(message)}, req.request_id, xmlns);
}

// Unsigned requests carry no scope: guess the protocol from the body's form.
Protocol guess_protocol(const http::Request& req) {
  auto ct = req.header("content-type");
  if (ct && to_lower(*ct).starts_with("application/x-www-form-urlencoded")) return Protocol::kQuery;
  if (req.query().find("Action=") != std::string_view::npos) return Protocol::kQuery;
  return Protocol::kRestJson;
}

}  // namespace

Edge::Edge(const Config& config, iam::IamService& iam, const sts::StsService& sts,
           gateway::ManagementApi& apigateway, const gateway::invoke::Pipeline& invoke,
           const Clock& clock)
    : config_(config),
      iam_(iam),
      sts_(sts),
      apigateway_(apigateway),
      invoke_(invoke),
      clock_(clock) {
  regions_ = config.served_regions;
  global_regions_ = config.served_regions;
  // STS's global endpoint is signed for us-east-1, whichever regions are served.
  if (std::find(regions_.begin(), regions_.end(), "us-east-1") == regions_.end())
    global_regions_.push_back("us-east-1");
}

const Edge::Service* Edge::find_service(std::string_view name) const {
  static constexpr Service services[] = {
      {"sts", Protocol::kQuery, protocol::kStsXmlns, true},
      {"iam", Protocol::kQuery, protocol::kIamXmlns, true},
      {"apigateway", Protocol::kRestJson, {}, false},
      {"lambda", Protocol::kRestJson, {}, false},
  };
  for (const Service& s : services)
    if (s.name == name) return &s;
  return nullptr;
}

bool Edge::blocking(const http::Request& req) const {
  return !req.path().starts_with("/_portcullis/") && !invoke_.is_invocation(req);
}

void Edge::handle(http::Request& req, http::Response& res) {
  std::string_view path = req.path();
  if (path.starts_with("/_portcullis/")) return own_endpoint(req, res);

  if (invoke_.is_invocation(req)) return invoke_.handle(req, res);

  std::optional<std::string> scope = sigv4::scope_service(req);
  if (!scope) {
    Protocol p = guess_protocol(req);
    if (p == Protocol::kQuery) {
      auto params = protocol::QueryParams::from_request(req);
      auto action = params.get("Action");
      // The federation calls, which AWS accepts unsigned.
      if (action && (*action == "AssumeRoleWithSAML" || *action == "AssumeRoleWithWebIdentity"))
        return sts_.handle_unsigned(req, params, *iam_.snapshot(), config_.region, res);
    }
    if (sigv4::has_authentication(req)) {
      // Signed, but the credential cannot even be split into its scope.
      sigv4::VerifyOptions opt;
      auto parsed = sigv4::parse(req, opt, clock_.now());
      if (!parsed) return write_error(res, p, req, parsed.error().code, parsed.error().message);
    }
    return write_error(res, p, req, ErrorCode::kMissingAuthenticationToken, "");
  }

  const Service* service = find_service(*scope);
  if (!service) {
    return write_error(res, guess_protocol(req), req, ErrorCode::kUnknownService,
                       "Portcullis does not serve the '" + *scope +
                           "' service; it serves sts, iam, apigateway and lambda.");
  }
  // The snapshot stays alive for the whole request.
  std::shared_ptr<const iam::Snapshot> snapshot = iam_.snapshot();
  std::optional<Authenticated> auth = authenticate(req, *service, *snapshot, res);
  if (!auth) return;
  const iam::PrincipalEntry& caller = *auth->caller;
  res.log_principal = caller.principal->arn;

  if (service->name == "sts")
    return sts_.handle(req, protocol::QueryParams::from_request(req), caller, *snapshot,
                       auth->region, res);
  if (service->name == "iam")
    return iam_.handle(req, protocol::QueryParams::from_request(req), caller, res);
  if (service->name == "apigateway") {
    iam::RequestContext ctx = iam::request_context(caller, req, clock_.now(), auth->region);
    auto authorize = [&](std::string_view action, std::string_view resource) -> Status {
      ctx.action = action;
      ctx.resource = resource;
      return iam::authorize(caller, ctx);
    };
    return apigateway_.handle(req, auth->region, authorize, res);
  }
  write_error(res, Protocol::kRestJson, req, ErrorCode::kNotImplemented,
              "The " + std::string(service->name) + " API is not implemented by Portcullis yet.");
}

std::optional<Edge::Authenticated> Edge::authenticate(const http::Request& req,
                                                     const Service& service,
                                                     const iam::Snapshot& snapshot,
                                                     http::Response& res) const {
  sigv4::VerifyOptions opt;
  opt.service = service.name;
  opt.regions = service.global ? global_regions_ : regions_;
  opt.max_skew = std::chrono::seconds(service.global ? config_.skew_control_plane_seconds
                                                     : config_.skew_execute_api_seconds);
  opt.echo_canonical = service.protocol == Protocol::kRestJson;
  auto fail_with = [&](const Error& e) -> std::optional<Authenticated> {
    protocol::write_error(res, service.protocol, e, req.request_id,
                          service.xmlns.empty() ? protocol::kStsXmlns : service.xmlns);
    return std::nullopt;
  };
  auto signed_caller = authenticate_signed(req, opt, snapshot, iam_, sts_, clock_.now());
  if (!signed_caller) return fail_with(signed_caller.error());
  return Authenticated{std::move(signed_caller->caller), std::move(signed_caller->region)};
}

void Edge::refuse(int status, std::string_view message, const http::Request& req,
                  http::Response& res) const {
  ErrorCode code = status == 500   ? ErrorCode::kInternal
                   : status == 413 ? ErrorCode::kPayloadTooLarge
                   : status == 431 ? ErrorCode::kHeadersTooLarge
                                   : ErrorCode::kBadRequest;
  // A request refused by its framing carries no fields: rest-json, as before any service is known.
  Protocol p = guess_protocol(req);
  std::string_view xmlns = protocol::kStsXmlns;
  if (std::optional<std::string> scope = sigv4::scope_service(req)) {
    if (const Service* s = find_service(*scope)) {
      p = s->protocol;
      if (!s->xmlns.empty()) xmlns = s->xmlns;
    }
  }
  // The 500's text is the catalogue's own; a cause never reaches the client.
  protocol::write_error(res, p, Error{code, status == 500 ? std::string() : std::string(message)},
                        req.request_id, xmlns);
}

void Edge::own_endpoint(const http::Request& req, http::Response& res) {
  res.set_header("x-amzn-RequestId", req.request_id);
  if (req.path() == "/_portcullis/health") {
    res.set_header("Content-Type", "application/json");
    if (ready_) {
      res.status = 200;
      res.body = "{\"status\":\"ok\"}";
    } else {
      res.status = 503;
      res.body = "{\"status\":\"starting\"}";
    }
    return;
  }
  write_error(res, Protocol::kRestJson, req, ErrorCode::kNotFound,
              "No such endpoint: " + std::string(req.path()));
}

}  // namespace portcullis::app
