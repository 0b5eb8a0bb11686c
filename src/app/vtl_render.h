// `portcullis vtl render`: renders a mapping template offline, as API Gateway would, for users
// who debug their mappings, and in batch (`--cases`, JSON lines) for tests and benchmarks.
#pragma once

#include <string>

namespace portcullis::app {

struct VtlRenderOptions {
  std::string template_file;    // "-": standard input
  std::string body_file;        // empty: no body; "-": standard input
  std::string params;           // JSON {"path":{…},"querystring":{…},"header":{…}}, or @file
  std::string stage_variables;  // JSON {"name":"value",…}, or @file
  std::string context;          // JSON shaped as $context (gateway/mapping/context.h), or @file
  bool velocity_nulls = false;  // print undefined references as Velocity does
  std::string cases_file;       // batch mode: one JSON case per line; "-": standard input
};

// Single mode: the rendered text on stdout, exit 0; a template that fails to compile or render
// prints its error on stderr, exit 1; unusable options exit 2. Batch mode: one JSON line per
// case on stdout ({"name", "output"} or {"name", "error"}), exit 0 unless the file is unreadable.
int vtl_render(const VtlRenderOptions& options);

}  // namespace portcullis::app
