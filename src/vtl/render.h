// The renderer: walks a compiled Program with one rendering's variables. All state of a
// rendering lives in its own context, so one Program renders on many threads at once.
#pragma once

#include <string>

#include "core/result.h"
#include "vtl/ast.h"
#include "vtl/template.h"

namespace portcullis::vtl::detail {

Result<std::string> render(const Program& program, Variables& vars, const Options& options);

}  // namespace portcullis::vtl::detail
