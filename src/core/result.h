// Result<T> and Error: how every fallible function on the request path reports failure.
// An Error carries a code from one catalogue (error_code.h) and a human message.
#pragma once

#include <expected>
#include <string>
#include <utility>

#include "core/error_code.h"

namespace portcullis {

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

template <typename T>
using Result = std::expected<T, Error>;

using Status = Result<void>;

inline std::unexpected<Error> fail(ErrorCode code, std::string message) {
  return std::unexpected<Error>(Error{code, std::move(message)});
}

}  // namespace portcullis
