// The integration a routed, authorized call reaches. MOCK is built: its status comes from
// the request template (or the default integration response without one). HTTP, HTTP_PROXY,
// AWS and AWS_PROXY are not built yet and answer 500 as an API configuration error.
#pragma once

#include <functional>

#include "gateway/invoke/invocation.h"

namespace portcullis::gateway::invoke {

// Renders a mapping template for a call: the seam where the Velocity engine plugs in. Without
// one, only literal templates (no Velocity syntax, which render as their own text) render;
// any other fails the call as an API configuration error.
using RenderTemplate = std::function<Result<std::string>(
    const MappingTemplate& tmpl, const Invocation& inv, std::string_view body)>;

// Renders `tmpl` with `render`, or literally when it has no Velocity syntax.
Step<std::string> render_template(const MappingTemplate& tmpl, const Invocation& inv,
                                  std::string_view body, const RenderTemplate& render);

struct IntegrationResult {
  const IntegrationResponse* response = nullptr;  // the integration response selected
  std::string body;                               // what the integration answered
};

Step<IntegrationResult> integrate(Invocation& inv, const RenderTemplate& render);

// The request template for a Content-Type (§5.2): its MIME type without parameters, and
// application/json when there is none. Null when no template has it.
const MappingTemplate* request_template(const Integration& integration,
                                        std::string_view content_type);

// The statusCode a rendered MOCK request template declares ({"statusCode": 200}, lax JSON
// such as {statusCode: 200} too); none when it declares none.
std::optional<int> mock_status(std::string_view rendered);

// Whether `pattern` (a Java-style regular expression) matches all of `subject`.
bool selection_matches(std::string_view pattern, std::string_view subject);

}  // namespace portcullis::gateway::invoke
