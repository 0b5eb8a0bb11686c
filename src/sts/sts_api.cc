#include "sts/sts_api.h"

#include <array>

#include "protocol/errors.h"
#include "protocol/xml.h"

namespace portcullis::sts {

namespace {

using protocol::Protocol;

// Every action of the STS model, so that an action not implemented yet is named as such
// rather than reported as unknown.
constexpr std::array<std::string_view, 9> kModelActions = {
    "AssumeRole",        "AssumeRoleWithSAML",         "AssumeRoleWithWebIdentity",
    "AssumeRoot",        "DecodeAuthorizationMessage", "GetAccessKeyInfo",
    "GetCallerIdentity", "GetFederationToken",         "GetSessionToken"};

void error(http::Response& res, const http::Request& req, ErrorCode code, std::string message) {
  protocol::write_error(res, Protocol::kQuery, Error{code, std::move(message)}, req.request_id,
                        protocol::kStsXmlns);
}

void get_caller_identity(const http::Request& req, const iam::Principal& caller,
                         http::Response& res) {
  protocol::XmlWriter x;
  x.open("GetCallerIdentityResponse", protocol::kStsXmlns);
  x.open("GetCallerIdentityResult");
  x.element("Arn", caller.arn);
  x.element("UserId", caller.user_id);
  x.element("Account", caller.account_id);
  x.close();
  x.open("ResponseMetadata");
  x.element("RequestId", req.request_id);
  x.close();
  x.close();
  res.status = 200;
  res.set_header("x-amzn-RequestId", req.request_id);
  res.set_header("Content-Type", "text/xml");
  res.body = x.take();
}

}  // namespace

void handle(const http::Request& req, const protocol::QueryParams& params,
            const iam::Principal& caller, http::Response& res) {
  auto action = params.get("Action");
  if (!action || action->empty()) return error(res, req, ErrorCode::kMissingAction, "");
  auto version = params.get("Version");
  if (version && *version != kVersion) {
    return error(res, req, ErrorCode::kInvalidAction,
                 "Could not find operation " + std::string(*action) + " for version " +
                     std::string(*version));
  }
  if (*action == "GetCallerIdentity") return get_caller_identity(req, caller, res);
  for (std::string_view a : kModelActions) {
    if (a == *action)
      return error(res, req, ErrorCode::kNotImplemented,
                   "STS action " + std::string(a) + " is not implemented by Portcullis yet.");
  }
  error(
      res, req, ErrorCode::kInvalidAction,
      "Could not find operation " + std::string(*action) + " for version " + std::string(kVersion));
}

}  // namespace portcullis::sts
