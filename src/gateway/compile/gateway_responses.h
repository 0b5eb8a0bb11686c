// Gateway responses: the answer API Gateway gives for each kind of failure, with their AWS
// defaults, merged once per deployment with what the API customised (§3.2, §3.3), and the
// `$context.*` / `$stageVariables.*` substitution their templates use (they are not VTL).
#pragma once

#include <array>
#include <boost/json/fwd.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace portcullis::gateway {

enum class ResponseType : uint8_t {
  kAccessDenied,
  kApiConfigurationError,
  kAuthorizerConfigurationError,
  kAuthorizerFailure,
  kBadRequestBody,
  kBadRequestParameters,
  kDefault4xx,
  kDefault5xx,
  kExpiredToken,
  kIntegrationFailure,
  kIntegrationTimeout,
  kInvalidApiKey,
  kInvalidSignature,
  kMissingAuthenticationToken,
  kQuotaExceeded,
  kRequestTooLarge,
  kResourceNotFound,
  kThrottled,
  kUnauthorized,
  kUnsupportedMediaType,
  kWafFiltered,
};
inline constexpr size_t kResponseTypeCount = 21;

std::string_view response_type_name(ResponseType type);
std::optional<ResponseType> response_type_from_name(std::string_view name);
int default_status(ResponseType type);  // 0 for DEFAULT_4XX and DEFAULT_5XX

// Where a mapped value comes from: 'literal', method.request.{header,path,querystring}.NAME,
// stageVariables.NAME or context.NAME.
struct ValueSource {
  enum Kind : uint8_t {
    kLiteral,
    kRequestHeader,
    kRequestPath,
    kRequestQuery,
    kStageVariable,
    kContext
  };
  Kind kind = kLiteral;
  std::string value;  // the literal, or the name
};
// Parses a mapping expression; none when it is not one of the forms above.
std::optional<ValueSource> parse_value_source(std::string_view expression);

struct GatewayResponse {
  int status = 0;
  std::vector<std::pair<std::string, ValueSource>> headers;    // gatewayresponse.header.NAME
  std::vector<std::pair<std::string, std::string>> templates;  // content type → template
};

// Every type's effective response for one deployment.
class GatewayResponses {
 public:
  GatewayResponses();  // AWS's defaults alone
  // `customised` is the API's "responses" section: type → {statusCode, responseParameters,
  // responseTemplates}.
  static GatewayResponses compile(const boost::json::object& customised);
  const GatewayResponse& get(ResponseType type) const {
    return responses_[static_cast<size_t>(type)];
  }
  bool customised(ResponseType type) const { return customised_[static_cast<size_t>(type)]; }

 private:
  std::array<GatewayResponse, kResponseTypeCount> responses_;
  std::array<bool, kResponseTypeCount> customised_{};
};

// The template a response answers with for a request's Accept header (§5.3): its first media
// type if a template has it, else application/json, else the first template; null for none.
const std::pair<std::string, std::string>* choose_template(
    const std::vector<std::pair<std::string, std::string>>& templates, std::string_view accept);

// Replaces `$context.NAME` and `$stageVariables.NAME` (also `${…}`) with what `lookup`
// answers for ("context.error.message", "stageVariables.x"); unknown names become "".
// Everything else is copied as it is.
using Lookup = std::function<std::optional<std::string>(std::string_view name)>;
std::string substitute(std::string_view text, const Lookup& lookup);

}  // namespace portcullis::gateway
