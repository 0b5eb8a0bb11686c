// Helpers for the engine's tests: compile and render in one call.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "vtl/print.h"
#include "vtl/template.h"

namespace portcullis::vtl::testing {

inline std::string render(std::string_view source, Variables& vars, Options options = {}) {
  auto t = Template::compile(source);
  if (!t) return "COMPILE ERROR: " + t.error().message;
  auto out = t->render(vars, options);
  if (!out) return "RENDER ERROR: " + out.error().message;
  return *out;
}

inline std::string render(std::string_view source, Options options = {}) {
  Variables vars;
  return render(source, vars, options);
}

inline std::string velocity(std::string_view source) {
  Options o;
  o.nulls = NullStyle::kVelocity;
  return render(source, o);
}

inline std::string velocity(std::string_view source, Variables& vars) {
  Options o;
  o.nulls = NullStyle::kVelocity;
  return render(source, vars, o);
}

}  // namespace portcullis::vtl::testing
