// Rendering one mapping template as API Gateway does: the one entry point of the invoke path.
// `$input`, `$util`, `$context` and `$stageVariables` are in scope; nulls print as nothing.
#pragma once

#include <span>
#include <string>
#include <utility>

#include "core/result.h"
#include "gateway/mapping/context.h"
#include "gateway/mapping/input.h"
#include "vtl/template.h"

namespace portcullis::gateway::mapping {

struct MappingInput {
  std::string body;  // the request body, or the integration's response body
  Params params;
  StringPairs stage_variables;
  RequestContext context;
};

struct MappingOutput {
  std::string body;
  Overrides overrides;
};

// Renders `tpl` over `input`. `options` defaults to AWS's (NullStyle::kEmpty, default limits).
// `extra` are more top-level variables, set first (the four objects win a clash).
// A rendering that fails (a limit, a malformed JSONPath, $util.parseJson of bad JSON…) is the
// engine's Error; the invoke path answers it as AWS does.
Result<MappingOutput> render(const vtl::Template& tpl, const MappingInput& input,
                             const vtl::Options& options = {},
                             std::span<const std::pair<std::string, vtl::Value>> extra = {});

}  // namespace portcullis::gateway::mapping
