// The STS API over the Query protocol: the actions of the 2011-06-15 model.
#pragma once

#include "http/message.h"
#include "iam/identity.h"
#include "protocol/query.h"

namespace portcullis::sts {

inline constexpr std::string_view kVersion = "2011-06-15";

// Answers one authenticated STS call by `caller`.
void handle(const http::Request& request, const protocol::QueryParams& params,
            const iam::Principal& caller, http::Response& response);

}  // namespace portcullis::sts
