// The one place that turns an Error into the wire shape of the service being spoken: Query
// services (IAM, STS) answer <ErrorResponse> XML; rest-json services (API Gateway, Lambda) a
// JSON body with the x-amzn-ErrorType header.
#pragma once

#include <string_view>

#include "core/result.h"
#include "http/message.h"

namespace portcullis::protocol {

enum class Protocol { kQuery, kRestJson };

// XML namespaces of the Query services.
inline constexpr std::string_view kStsXmlns = "https://sts.amazonaws.com/doc/2011-06-15/";
inline constexpr std::string_view kIamXmlns = "https://iam.amazonaws.com/doc/2010-05-08/";

struct WireError {
  int status;
  std::string_view code;
  std::string_view message;  // used when the Error has none
};

WireError wire_error(Protocol protocol, ErrorCode code);

// Fills `res` with the error. `xmlns` is for the Query protocol only.
void write_error(http::Response& res, Protocol protocol, const Error& error,
                 std::string_view request_id, std::string_view xmlns = kStsXmlns);

}  // namespace portcullis::protocol
