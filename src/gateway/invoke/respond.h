// The only writer of an invocation's response: the method response of a successful
// integration (status, mapped headers, the response template), or the API's gateway response
// for a failure (§3.2, §3.3), with the headers of §4.1.
#pragma once

#include "gateway/invoke/integrate.h"
#include "gateway/invoke/invocation.h"
#include "gateway/invoke/route.h"

namespace portcullis::gateway::invoke {

// The method response for an integration's result. Fails (API configuration error) when the
// integration response's status has no method response, or its template cannot render.
StepStatus respond(const IntegrationResult& result, Invocation& inv, const RenderTemplate& render,
                   http::Response& response);

// The gateway response of the call's deployment for `failure`.
void respond(const Failure& failure, const Invocation& inv, http::Response& response);

// The answer to a call that reached no deployment.
void respond(const Unrouted& unrouted, const Invocation& inv, http::Response& response);

// What $context.NAME (without "context.") is for a call; none when it has no value.
std::optional<std::string> context_value(std::string_view name, const Invocation& inv,
                                         const Failure* failure);

// A string as a JSON string literal, quotes included.
std::string json_quote(std::string_view s);

}  // namespace portcullis::gateway::invoke
