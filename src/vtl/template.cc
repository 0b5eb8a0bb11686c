#include "vtl/template.h"

#include "vtl/parse.h"
#include "vtl/render.h"

namespace portcullis::vtl {

const Value* Variables::find(std::string_view name) const {
  auto it = vars_.find(name);
  return it == vars_.end() ? nullptr : &it->second;
}

Value* Variables::find(std::string_view name) {
  auto it = vars_.find(name);
  return it == vars_.end() ? nullptr : &it->second;
}

void Variables::erase(std::string_view name) {
  auto it = vars_.find(name);
  if (it != vars_.end()) vars_.erase(it);
}

Template::Template(std::shared_ptr<const detail::Program> program) : program_(std::move(program)) {}

Result<Template> Template::compile(std::string_view source) {
  auto program = PC_TRY(detail::parse(source));
  return Template(std::move(program));
}

Result<std::string> Template::render(Variables& vars, const Options& options) const {
  return detail::render(*program_, vars, options);
}

}  // namespace portcullis::vtl
