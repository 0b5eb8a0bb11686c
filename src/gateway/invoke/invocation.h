// One call to a deployed API as it goes through the pipeline (route → authenticate →
// authorize → integrate → respond), and the Failure a stage ends it with: the gateway-response
// type it is answered with, in the API's (customised) words, by respond alone.
#pragma once

#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "gateway/compile/deployment.h"
#include "gateway/compile/router.h"
#include "gateway/compile/snapshot.h"
#include "http/message.h"

namespace portcullis::gateway::invoke {

struct Failure {
  ResponseType type = ResponseType::kDefault4xx;
  std::string_view error_type;  // x-amzn-ErrorType, e.g. "MissingAuthenticationTokenException"
  std::string message;          // $context.error.message
  int status = 0;               // the failure's own status; 0: the type's
  // IAM denials answer {"Message": …} (capital M) unless the API customised the response.
  bool capital_message = false;
  // $context.error.messageString begins with a space for some errors (§3.1): the 500 of a
  // configuration error reads {"message": "Internal server error"}.
  bool spaced = false;
};

template <typename T>
using Step = std::expected<T, Failure>;
using StepStatus = Step<void>;

inline std::unexpected<Failure> failure(ResponseType type, std::string_view error_type,
                                        std::string message, int status = 0) {
  return std::unexpected<Failure>(Failure{type, error_type, std::move(message), status, false});
}

// 500 Internal server error, as an error of the API's configuration (or of an authorizer's).
inline std::unexpected<Failure> internal_error(
    ResponseType type = ResponseType::kApiConfigurationError) {
  return std::unexpected<Failure>(
      Failure{type, "InternalServerErrorException", "Internal server error", 0, false, true});
}

// Who signed a call, as the edge's authenticator found them.
struct Caller {
  std::shared_ptr<const void> principal;                  // the edge's own record of the principal
  std::shared_ptr<const void> keepalive;                  // what that record belongs to
  std::string arn, account_id, caller_id, access_key_id;  // for $context.identity
};

// How the call named its API.
enum class Form : uint8_t { kHost, kAwsPath, kUserRequest, kDomain };

struct Invocation {
  explicit Invocation(const http::Request& r) : request(r) {}
  const http::Request& request;
  SystemTime now{};
  std::string extended_request_id;  // x-amz-apigw-id

  // Located: the API, its stage and the deployment serving this call.
  Form form = Form::kHost;
  std::string_view host;  // without port
  const ApiEntry* api = nullptr;
  const StageEntry* stage = nullptr;
  const Deployment* deployment = nullptr;
  size_t first_segment = 0;  // of `segments`: where the resource path begins

  // Routed.
  PathSegments segments;     // of the whole path routed (the one the signature covered)
  std::string covered_path;  // when it differs from the request's: what `segments` views
  std::string joined;        // the {proxy+} value when it had to be rebuilt
  Router::Match match;
  const Resource* resource = nullptr;
  const Method* method = nullptr;
  std::string arn;  // arn:aws:execute-api:…/{stage}/{VERB}/{path}

  std::optional<Caller> caller;

  // The resource path as routed: the segments after the stage, joined ("" for the root).
  std::string routed_path() const;
};

}  // namespace portcullis::gateway::invoke
