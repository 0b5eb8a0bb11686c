// `$context` of mapping templates: built from a plain struct before rendering, and read back
// after it for what the template overrode (`$context.requestOverride.*`,
// `$context.responseOverride.status|header.*`). An empty string field is null in `$context`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "vtl/value.h"

namespace boost::json {
class value;
}

namespace portcullis::gateway::mapping {

using StringPairs = std::vector<std::pair<std::string, std::string>>;

struct ClientCertValidity {
  std::string not_before, not_after;
};

struct ClientCert {
  std::string client_cert_pem, subject_dn, issuer_dn, serial_number;
  ClientCertValidity validity;
};

struct Identity {
  std::string account_id, api_key, api_key_id, caller, cognito_authentication_provider,
      cognito_authentication_type, cognito_identity_id, cognito_identity_pool_id, principal_org_id,
      source_ip, user, user_agent, user_arn, vpc_id, vpce_id;
  std::optional<ClientCert> client_cert;  // mutual TLS only; else null
};

struct Authorizer {
  std::string principal_id;
  std::optional<StringPairs> claims;  // COGNITO_USER_POOLS; absent: `claims` is null
  StringPairs context;                // a Lambda authorizer's context, values stringified
};

struct ContextError {
  std::string message, message_string, response_type, validation_error_string;
};

// Every `$context` variable of a mapping template (apigw-invoke §9.1).
struct RequestContext {
  std::string account_id, api_id, aws_endpoint_request_id, deployment_id, domain_name,
      domain_prefix, extended_request_id, http_method, path, protocol, request_id, resource_id,
      resource_path, stage, waf_response_code, webacl_arn;
  Authorizer authorizer;
  ContextError error;
  Identity identity;
  bool is_canary_request = false;
  int64_t request_time_epoch = 0;  // milliseconds; also gives requestTime
};

// What a template wrote into `$context.requestOverride` and `$context.responseOverride`.
struct Overrides {
  StringPairs request_header, request_path, request_querystring;
  StringPairs response_header;
  std::optional<int> response_status;  // only an integer (or integer string) in 100–599
};

// `dd/MMM/yyyy:HH:mm:ss +0000` of a time in milliseconds since the epoch.
std::string clf_time(int64_t epoch_ms);

// The `$context` map, with empty `requestOverride.{header,path,querystring}` and
// `responseOverride.header` maps for the template to write.
vtl::Value build_context(const RequestContext& context);

// What the template left in `$context` (the value of the `context` variable after rendering).
// Values that are not strings are written as Java prints them (numbers, booleans); a list, a
// map or a null is skipped.
Overrides read_overrides(const vtl::Value& context);

// A RequestContext from JSON shaped as `$context` (camelCase names: {"requestId": "…",
// "identity": {"sourceIp": "…"}, "requestTimeEpoch": 1700000000000, …}). Unknown names are an
// Error, so that a typo is seen.
Result<RequestContext> context_from_json(const boost::json::value& json);

}  // namespace portcullis::gateway::mapping
