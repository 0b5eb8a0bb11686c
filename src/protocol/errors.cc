#include "protocol/errors.h"

#include "core/log.h"
#include "protocol/xml.h"

namespace portcullis::protocol {

namespace {

struct Entry {
  ErrorCode code;
  WireError query;
  WireError json;
};

// Codes, statuses and default messages as AWS sends them (docs/errors.md lists the sources
// and the choices made where AWS's behaviour is not documented).
constexpr Entry kCatalogue[] = {
    {ErrorCode::kInternal,
     {500, "InternalFailure", "An internal error occurred."},
     {500, "InternalFailure", "An internal error occurred."}},
    {ErrorCode::kBadRequest,
     {400, "MalformedHttpRequest", "The request could not be parsed."},
     {400, "BadRequestException", "The request could not be parsed."}},
    {ErrorCode::kHeadersTooLarge,
     {431, "RequestHeaderFieldsTooLarge", "Request header too large"},
     {431, "RequestHeaderFieldsTooLarge", "Request header too large"}},
    {ErrorCode::kPayloadTooLarge,
     {413, "RequestEntityTooLarge", "Request body too large"},
     {413, "RequestEntityTooLargeException", "Request body too large"}},
    {ErrorCode::kMissingAuthenticationToken,
     {403, "MissingAuthenticationToken", "Request is missing Authentication Token"},
     {403, "MissingAuthenticationTokenException", "Missing Authentication Token"}},
    {ErrorCode::kIncompleteSignature,
     {400, "IncompleteSignature", ""},
     {403, "IncompleteSignatureException", ""}},
    {ErrorCode::kSignatureDoesNotMatch,
     {403, "SignatureDoesNotMatch", ""},
     {403, "InvalidSignatureException", ""}},
    {ErrorCode::kSignatureExpired,
     {403, "SignatureDoesNotMatch", ""},
     {403, "InvalidSignatureException", ""}},
    {ErrorCode::kInvalidClientTokenId,
     {403, "InvalidClientTokenId", "The security token included in the request is invalid."},
     {403, "UnrecognizedClientException",
      "The security token included in the request is invalid."}},
    {ErrorCode::kExpiredToken,
     {400, "ExpiredToken", "The security token included in the request is expired"},
     {403, "ExpiredTokenException", "The security token included in the request is expired"}},
    {ErrorCode::kAccessDenied, {403, "AccessDenied", ""}, {403, "AccessDeniedException", ""}},
    {ErrorCode::kMissingAction,
     {400, "MissingAction", "Missing Action"},
     {400, "BadRequestException", "Missing Action"}},
    {ErrorCode::kInvalidAction, {400, "InvalidAction", ""}, {404, "UnknownOperationException", ""}},
    {ErrorCode::kMissingParameter, {400, "MissingParameter", ""}, {400, "BadRequestException", ""}},
    {ErrorCode::kInvalidParameterValue,
     {400, "InvalidParameterValue", ""},
     {400, "BadRequestException", ""}},
    {ErrorCode::kValidationError, {400, "ValidationError", ""}, {400, "BadRequestException", ""}},
    {ErrorCode::kValidationException,
     {400, "ValidationError", ""},
     {400, "ValidationException", ""}},
    {ErrorCode::kNotImplemented, {501, "NotImplemented", ""}, {501, "NotImplementedException", ""}},
    {ErrorCode::kUnknownService, {400, "UnknownService", ""}, {400, "UnknownServiceException", ""}},
    {ErrorCode::kNotFound, {404, "NotFound", ""}, {404, "NotFoundException", ""}},
    {ErrorCode::kMalformedPolicyDocument,
     {400, "MalformedPolicyDocument", ""},
     {400, "MalformedPolicyDocumentException", ""}},
    {ErrorCode::kEntityAlreadyExists,
     {409, "EntityAlreadyExists", ""},
     {409, "ConflictException", ""}},
    {ErrorCode::kNoSuchEntity, {404, "NoSuchEntity", ""}, {404, "NotFoundException", ""}},
    {ErrorCode::kLimitExceeded, {409, "LimitExceeded", ""}, {429, "LimitExceededException", ""}},
    {ErrorCode::kDeleteConflict, {409, "DeleteConflict", ""}, {409, "ConflictException", ""}},
    {ErrorCode::kInvalidInput, {400, "InvalidInput", ""}, {400, "BadRequestException", ""}},
    {ErrorCode::kUnmodifiableEntity,
     {400, "UnmodifiableEntity", ""},
     {400, "BadRequestException", ""}},
    {ErrorCode::kPasswordPolicyViolation,
     {400, "PasswordPolicyViolation", ""},
     {400, "BadRequestException", ""}},
    {ErrorCode::kInvalidAuthenticationCode,
     {403, "InvalidAuthenticationCode", ""},
     {403, "AccessDeniedException", ""}},
    {ErrorCode::kInvalidUserType, {400, "InvalidUserType", ""}, {400, "BadRequestException", ""}},
    {ErrorCode::kPackedPolicyTooLarge, {400, "PackedPolicyTooLarge", ""},
     {400, "PackedPolicyTooLargeException", ""}},
    {ErrorCode::kInvalidIdentityToken, {400, "InvalidIdentityToken", ""},
     {400, "InvalidIdentityTokenException", ""}},
    {ErrorCode::kIdpRejectedClaim, {403, "IDPRejectedClaim", ""},
     {403, "IDPRejectedClaimException", ""}},
    {ErrorCode::kExpiredIdentityToken, {400, "ExpiredTokenException", ""},
     {400, "ExpiredTokenException", ""}},
    {ErrorCode::kMalformedCertificate, {400, "MalformedCertificate", ""},
     {400, "MalformedCertificateException", ""}},
    {ErrorCode::kDuplicateCertificate, {409, "DuplicateCertificate", ""},
     {409, "DuplicateCertificateException", ""}},
    {ErrorCode::kKeyPairMismatch, {400, "KeyPairMismatch", ""},
     {400, "KeyPairMismatchException", ""}},
    {ErrorCode::kInvalidPublicKey, {400, "InvalidPublicKey", ""},
     {400, "InvalidPublicKeyException", ""}},
    {ErrorCode::kDuplicateSshPublicKey, {400, "DuplicateSSHPublicKey", ""},
     {400, "DuplicateSSHPublicKeyException", ""}},
    {ErrorCode::kUnrecognizedPublicKeyEncoding, {400, "UnrecognizedPublicKeyEncoding", ""},
     {400, "UnrecognizedPublicKeyEncodingException", ""}},
    {ErrorCode::kServiceNotSupported, {404, "NotSupportedService", ""},
     {404, "ServiceNotSupportedException", ""}},
    {ErrorCode::kReportNotPresent, {410, "ReportNotPresent", ""}, {410, "ReportNotPresent", ""}},
    {ErrorCode::kReportExpired, {410, "ReportExpired", ""}, {410, "ReportExpired", ""}},
    {ErrorCode::kOrganizationsNotInUse, {400, "AWSOrganizationsNotInUseException", ""},
     {400, "AWSOrganizationsNotInUseException", ""}},
    {ErrorCode::kTlsUntrusted, {502, "BadGateway", ""}, {502, "BadGatewayException", ""}},
    {ErrorCode::kPolicyEvaluation, {500, "PolicyEvaluation", ""}, {500, "InternalFailure", ""}},
};

}  // namespace

WireError wire_error(Protocol protocol, ErrorCode code) {
  for (const Entry& e : kCatalogue)
    if (e.code == code) return protocol == Protocol::kQuery ? e.query : e.json;
  return protocol == Protocol::kQuery ? kCatalogue[0].query : kCatalogue[0].json;
}

void write_error(http::Response& res, Protocol protocol, const Error& error,
                 std::string_view request_id, std::string_view xmlns) {
  WireError w = wire_error(protocol, error.code);
  // An internal failure's cause is ours to log, never the client's to read.
  if (error.code == ErrorCode::kInternal && !error.message.empty())
    log::error("request " + std::string(request_id) + ": " + error.message);
  std::string_view message = error.message.empty() || error.code == ErrorCode::kInternal
                                 ? w.message
                                 : std::string_view(error.message);
  res.status = w.status;
  res.set_header("x-amzn-RequestId", std::string(request_id));
  if (protocol == Protocol::kQuery) {
    XmlWriter x;
    x.open("ErrorResponse", xmlns);
    x.open("Error");
    x.element("Type", w.status >= 500 ? "Receiver" : "Sender");
    x.element("Code", w.code);
    x.element("Message", message);
    x.close();
    x.element("RequestId", request_id);
    x.close();
    res.set_header("Content-Type", "text/xml");
    res.body = x.take();
  } else {
    res.set_header("x-amzn-ErrorType", std::string(w.code));
    res.set_header("Content-Type", "application/json");
    res.body = "{\"message\":";
    log::append_json_string(res.body, message);
    res.body += "}";
  }
}

}  // namespace portcullis::protocol
