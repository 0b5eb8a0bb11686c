#include "gateway/invoke/authenticate.h"

#include "core/encoding.h"

namespace portcullis::gateway::invoke {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool signed_in_query(const http::Request& req) {
  std::string_view q = req.query();
  return q.find("X-Amz-Algorithm=") != std::string_view::npos ||
         q.find("X-Amz-Credential=") != std::string_view::npos ||
         q.find("X-Amz-Signature=") != std::string_view::npos;
}

}  // namespace

std::optional<Failure> authorization_shape(const http::Request& req) {
  auto header = req.header("authorization");
  if (!header) return std::nullopt;
  std::string_view raw = *header;
  std::string_view v = trim(raw);
  // "<scheme> k=v, k=v": the scheme, then comma-separated pairs.
  size_t space = v.find(' ');
  bool credential = false, signature = false, signed_headers = false;
  if (space != std::string_view::npos) {
    std::string_view rest = v.substr(space + 1);
    size_t pos = 0;
    while (pos <= rest.size()) {
      size_t comma = rest.find(',', pos);
      if (comma == std::string_view::npos) comma = rest.size();
      std::string_view item = trim(rest.substr(pos, comma - pos));
      pos = comma + 1;
      if (item.empty()) continue;
      size_t eq = item.find('=');
      if (eq == std::string_view::npos)
        return Failure{ResponseType::kInvalidSignature, "IncompleteSignatureException",
                       "'" + std::string(item) +
                           "' not a valid key=value pair (missing equal-sign) in Authorization "
                           "header: '" +
                           std::string(raw) + "'.",
                       0, false};
      std::string_view key = item.substr(0, eq);
      bool has_value = eq + 1 < item.size();
      if (key == "Credential") credential = has_value;
      if (key == "Signature") signature = has_value;
      if (key == "SignedHeaders") signed_headers = has_value;
    }
  }
  const bool date = req.header("x-amz-date") || req.header("date");
  if (credential && signature && signed_headers && date) return std::nullopt;
  std::string message;
  if (!credential) message += "Authorization header requires 'Credential' parameter. ";
  if (!signature) message += "Authorization header requires 'Signature' parameter. ";
  if (!signed_headers) message += "Authorization header requires 'SignedHeaders' parameter. ";
  if (!date)
    message +=
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  message += "Authorization=";
  message += raw;
  return Failure{ResponseType::kInvalidSignature, "IncompleteSignatureException",
                 std::move(message), 0, false};
}

Failure from_auth_error(const Error& e) {
  switch (e.code) {
    case ErrorCode::kMissingAuthenticationToken:
      return {ResponseType::kMissingAuthenticationToken, "MissingAuthenticationTokenException",
              "Missing Authentication Token", 0, false};
    case ErrorCode::kIncompleteSignature:
      return {ResponseType::kInvalidSignature, "IncompleteSignatureException", e.message, 0, false};
    case ErrorCode::kSignatureDoesNotMatch:
    case ErrorCode::kSignatureExpired:
      return {ResponseType::kInvalidSignature, "InvalidSignatureException", e.message, 0, false};
    case ErrorCode::kExpiredToken:
      return {
          ResponseType::kExpiredToken, "ExpiredTokenException",
          e.message.empty() ? "The security token included in the request is expired" : e.message,
          0, false};
    case ErrorCode::kInvalidClientTokenId:
      return {ResponseType::kInvalidSignature, "UnrecognizedClientException",
              "The security token included in the request is invalid.", 0, false};
    case ErrorCode::kAccessDenied:
      return {ResponseType::kAccessDenied, "AccessDeniedException", e.message, 0, true};
    default:
      return {ResponseType::kApiConfigurationError,
              "InternalServerErrorException",
              "Internal server error",
              0,
              false,
              true};
  }
}

Step<std::string> authenticate(Invocation& inv, const AccessControl& access) {
  const http::Request& req = inv.request;
  if (!req.header("authorization") && !signed_in_query(req))
    return failure(ResponseType::kMissingAuthenticationToken, "MissingAuthenticationTokenException",
                   "Missing Authentication Token");
  if (auto shape = authorization_shape(req)) return std::unexpected(std::move(*shape));
  auto authenticated = access.authenticate(req, inv.deployment->region());
  if (!authenticated) return std::unexpected(from_auth_error(authenticated.error()));
  inv.caller = std::move(authenticated->caller);
  return std::move(authenticated->covered_path);
}

}  // namespace portcullis::gateway::invoke
