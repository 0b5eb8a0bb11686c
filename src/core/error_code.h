// The one catalogue of error codes. The protocol layer maps each to the wire shape
// (status, AWS error code, body) of the service being spoken.
#pragma once

namespace portcullis {

enum class ErrorCode {
  kInternal,
  // Request framing and limits (HTTP layer).
  kBadRequest,
  kHeadersTooLarge,
  kPayloadTooLarge,
  // Authentication (SigV4).
  kMissingAuthenticationToken,
  kIncompleteSignature,
  kSignatureDoesNotMatch,
  kSignatureExpired,
  kInvalidClientTokenId,
  kExpiredToken,
  kAccessDenied,
  // Request validation (all services).
  kMissingAction,
  kInvalidAction,
  kMissingParameter,
  kInvalidParameterValue,
  kValidationError,
  kValidationException,  // a request member outside its model constraints (rest-json services)
  kNotImplemented,
  kUnknownService,
  kNotFound,
  // IAM.
  kMalformedPolicyDocument,
  kEntityAlreadyExists,
  kNoSuchEntity,
  kLimitExceeded,
  kDeleteConflict,
  kInvalidInput,
  kUnmodifiableEntity,
  kPasswordPolicyViolation,
  kInvalidAuthenticationCode,
  kInvalidUserType,
  kPolicyEvaluation,
  kPackedPolicyTooLarge,
  kInvalidIdentityToken,
  kIdpRejectedClaim,
  kExpiredIdentityToken,  // an identity provider's assertion or token, not our credentials
  // IAM certificates, SSH public keys and service-specific credentials.
  kMalformedCertificate,
  kDuplicateCertificate,
  kKeyPairMismatch,
  kInvalidPublicKey,
  kDuplicateSshPublicKey,
  kUnrecognizedPublicKeyEncoding,
  kServiceNotSupported,
  kReportNotPresent,      // GetCredentialReport before any GenerateCredentialReport
  kReportExpired,
  kOrganizationsNotInUse,  // Organizations access reports: the account is in no organization
  kTlsUntrusted,
};

}  // namespace portcullis
