// `$input` of mapping templates: the request (or integration response) payload and the
// request's parameters. The body is parsed as JSON at most once per rendering, on first use.
#pragma once

#include <memory>
#include <string>

#include "gateway/mapping/context.h"
#include "vtl/value.h"

namespace boost::json {
class value;
}

namespace portcullis::gateway::mapping {

struct Params {
  StringPairs path, querystring, header;
};

// `$input` over `body` and `params` (copied: the object may outlive the caller's buffers).
//  - body: the raw payload; an empty payload reads as "{}", as on AWS.
//  - json(p): the JSON text of what p selects; "" (two quote characters) when the body is
//    empty or not JSON or a definite p selects nothing; an indefinite p gives a JSON array.
//  - path(p): the same as a template value (maps, JSON lists, scalars); null when nothing is
//    selected; for a body that is not JSON, path('$') is the body as a string.
//  - params(): {path, querystring, header}; params(name): the first of path, querystring and
//    header (header names compared ignoring case) that has `name`, else null.
// A malformed path is an Error that stops the rendering.
std::shared_ptr<vtl::Object> make_input(std::string body, Params params);

// Compact JSON as a Java JSON library writes it: doubles as Java's Double.toString prints them
// (1.0, 1.5E20), control characters as \u00XX, everything else as is.
std::string json_text(const boost::json::value& v);

// Java's Double.toString(d).
std::string java_double(double d);

}  // namespace portcullis::gateway::mapping
