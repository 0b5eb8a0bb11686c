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

// Early return for Results, so that a chain of fallible steps reads as one. PC_TRY(expr)
// yields the value of a successful Result<T>; PC_CHECK(expr) checks a Status. Both return the
// error from the enclosing function (which returns a Result) when the step fails. PC_TRY is
// a GNU statement expression, which g++ and clang support.
#define PC_TRY(expr)                                                     \
  ({                                                                     \
    auto pc_try_result = (expr);                                         \
    if (!pc_try_result) return std::unexpected(std::move(pc_try_result.error())); \
    std::move(*pc_try_result);                                           \
  })
#define PC_CHECK(expr)                                                     \
  do {                                                                     \
    if (auto pc_check_status = (expr); !pc_check_status)                   \
      return std::unexpected(std::move(pc_check_status.error()));          \
  } while (0)
