// The parser: template source to the compiled tree (ast.h), once per template.
#pragma once

#include <memory>
#include <string_view>

#include "core/result.h"
#include "vtl/ast.h"

namespace portcullis::vtl::detail {

// Parses a whole template. Syntax errors are kBadRequest with "line L, column C: …".
// Nesting (blocks, parentheses, literals) is bounded, so hostile input cannot exhaust the stack.
Result<std::shared_ptr<const Program>> parse(std::string_view source);

// True when evaluating `e` cannot change any value (it calls no method).
bool is_pure(const Expr& e);

inline constexpr int kMaxParseDepth = 200;

}  // namespace portcullis::vtl::detail
