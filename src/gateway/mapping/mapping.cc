#include "gateway/mapping/mapping.h"

#include "gateway/mapping/util.h"

namespace portcullis::gateway::mapping {

Result<MappingOutput> render(const vtl::Template& tpl, const MappingInput& input,
                             const vtl::Options& options,
                             std::span<const std::pair<std::string, vtl::Value>> extra) {
  vtl::Variables vars;
  for (const auto& [name, value] : extra) vars.set(name, value);
  vars.set("input", vtl::Value(make_input(input.body, input.params)));
  vars.set("util", vtl::Value(make_util()));
  vars.set("context", build_context(input.context));
  auto stage = vtl::make_map();
  for (const auto& [k, v] : input.stage_variables) stage->put(k, vtl::Value(v));
  vars.set("stageVariables", vtl::Value(std::move(stage)));

  MappingOutput out;
  out.body = PC_TRY(tpl.render(vars, options));
  if (const vtl::Value* context = vars.find("context")) out.overrides = read_overrides(*context);
  return out;
}

}  // namespace portcullis::gateway::mapping
