#include "app/vtl_render.h"

#include <boost/json.hpp>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unordered_map>

#include "gateway/mapping/mapping.h"
#include "gateway/mapping/util.h"

namespace portcullis::app {

namespace json = boost::json;
namespace mapping = gateway::mapping;

namespace {

std::unexpected<Error> bad(std::string what) {
  return fail(ErrorCode::kBadRequest, std::move(what));
}

Result<std::string> read_all(const std::string& file) {
  if (file == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return bad("cannot read " + file);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// An option's JSON: inline, or `@file`.
Result<json::value> option_json(const std::string& text, std::string_view option) {
  std::string source = text;
  if (!text.empty() && text[0] == '@') source = PC_TRY(read_all(text.substr(1)));
  boost::system::error_code ec;
  json::value v = json::parse(source, ec);
  if (ec) return bad(std::string(option) + ": invalid JSON: " + ec.message());
  return v;
}

Result<mapping::StringPairs> string_pairs(const json::value& v, std::string_view what) {
  const json::object* o = v.if_object();
  if (!o) return bad(std::string(what) + " must be a JSON object");
  mapping::StringPairs out;
  for (const auto& kv : *o) {
    const json::value& val = kv.value();
    if (const json::string* s = val.if_string()) {
      out.emplace_back(std::string(kv.key()), std::string(*s));
    } else if (!val.is_null() && !val.is_structured()) {
      out.emplace_back(std::string(kv.key()), json::serialize(val));
    } else {
      return bad(std::string(what) + "." + std::string(kv.key()) + " must be a string");
    }
  }
  return out;
}

Result<mapping::Params> params_of(const json::value& v) {
  const json::object* o = v.if_object();
  if (!o) return bad("params must be a JSON object");
  mapping::Params p;
  for (const auto& kv : *o) {
    if (kv.key() == "path")
      p.path = PC_TRY(string_pairs(kv.value(), "params.path"));
    else if (kv.key() == "querystring")
      p.querystring = PC_TRY(string_pairs(kv.value(), "params.querystring"));
    else if (kv.key() == "header")
      p.header = PC_TRY(string_pairs(kv.value(), "params.header"));
    else
      return bad("params: unknown member " + std::string(kv.key()));
  }
  return p;
}

// One rendering: render, or the error's message.
Result<std::string> render_one(const Result<vtl::Template>& tpl, const mapping::MappingInput& input,
                               const vtl::Options& options,
                               std::span<const std::pair<std::string, vtl::Value>> extra = {}) {
  if (!tpl) return std::unexpected(tpl.error());
  mapping::MappingOutput out = PC_TRY(mapping::render(*tpl, input, options, extra));
  return std::move(out.body);
}

// Batch files repeat templates (benchmarks render one many times): each distinct text is
// compiled once, as a deployment would, up to kMax texts at a time.
class TemplateCache {
 public:
  const Result<vtl::Template>& get(const std::string& source) {
    if (auto it = compiled_.find(source); it != compiled_.end()) return it->second;
    if (compiled_.size() >= kMax) compiled_.clear();
    return compiled_.emplace(source, vtl::Template::compile(source)).first->second;
  }

 private:
  static constexpr size_t kMax = 256;
  std::unordered_map<std::string, Result<vtl::Template>> compiled_;
};

// A case line's result: the output, or the error.
Result<std::string> run_case(const json::object& c, TemplateCache& cache) {
  const json::value* tv = c.if_contains("template");
  const json::string* source = tv ? tv->if_string() : nullptr;
  if (!source) return bad("the case has no \"template\" string");
  mapping::MappingInput input;
  if (const json::value* b = c.if_contains("body"); b && !b->is_null()) {
    const json::string* s = b->if_string();
    if (!s) return bad("\"body\" must be a string");
    input.body = std::string(*s);
  }
  if (const json::value* p = c.if_contains("params"); p && !p->is_null())
    input.params = PC_TRY(params_of(*p));
  if (const json::value* s = c.if_contains("stageVariables"); s && !s->is_null())
    input.stage_variables = PC_TRY(string_pairs(*s, "stageVariables"));
  if (const json::value* x = c.if_contains("context"); x && !x->is_null())
    input.context = PC_TRY(mapping::context_from_json(*x));
  std::vector<std::pair<std::string, vtl::Value>> extra;
  if (const json::value* v = c.if_contains("vars"); v && !v->is_null()) {
    const json::object* o = v->if_object();
    if (!o) return bad("\"vars\" must be a JSON object");
    for (const auto& kv : *o)
      extra.emplace_back(std::string(kv.key()), vtl::Value::from_json(kv.value()));
  }
  vtl::Options options;
  if (const json::value* n = c.if_contains("nulls"); n && !n->is_null()) {
    const json::string* s = n->if_string();
    if (s && *s == "velocity")
      options.nulls = vtl::NullStyle::kVelocity;
    else if (!s || *s != "aws")
      return bad("\"nulls\" must be \"aws\" or \"velocity\"");
  }
  return render_one(cache.get(std::string(*source)), input, options, extra);
}

int run_cases(const std::string& file) {
  std::ifstream in_file;
  std::istream* in = &std::cin;
  if (file != "-") {
    in_file.open(file, std::ios::binary);
    if (!in_file) {
      std::cerr << "portcullis vtl render: cannot read " << file << "\n";
      return 2;
    }
    in = &in_file;
  }
  TemplateCache cache;
  std::string line;
  json::parse_options opts;
  opts.max_depth = 512;
  while (std::getline(*in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    json::object out;
    boost::system::error_code ec;
    json::value c = json::parse(line, ec, {}, opts);
    const json::object* o = ec ? nullptr : c.if_object();
    const json::value* name = o ? o->if_contains("name") : nullptr;
    out["name"] = name ? *name : json::value();
    Result<std::string> r =
        o ? run_case(*o, cache)
          : bad("the line is not a JSON object" + (ec ? ": " + ec.message() : ""));
    // JSON text must be UTF-8: invalid bytes read as U+FFFD, as Java would have them.
    if (r)
      out["output"] = mapping::sanitize_utf8(*r);
    else
      out["error"] = mapping::sanitize_utf8(r.error().message);
    std::cout << json::serialize(out) << '\n';
  }
  std::cout.flush();
  return 0;
}

}  // namespace

int vtl_render(const VtlRenderOptions& o) {
  if (!o.cases_file.empty()) return run_cases(o.cases_file);
  auto fail_options = [](const Error& e) {
    std::cerr << "portcullis vtl render: " << e.message << "\n";
    return 2;
  };
  if (o.template_file.empty())
    return fail_options({ErrorCode::kBadRequest, "--template or --cases is required"});
  if (o.template_file == "-" && o.body_file == "-")
    return fail_options({ErrorCode::kBadRequest, "the template and the body cannot both be stdin"});
  auto source = read_all(o.template_file);
  if (!source) return fail_options(source.error());
  mapping::MappingInput input;
  if (!o.body_file.empty()) {
    auto body = read_all(o.body_file);
    if (!body) return fail_options(body.error());
    input.body = std::move(*body);
  }
  if (!o.params.empty()) {
    auto v = option_json(o.params, "--params");
    auto p = v ? params_of(*v) : Result<mapping::Params>(std::unexpected(v.error()));
    if (!p) return fail_options(p.error());
    input.params = std::move(*p);
  }
  if (!o.stage_variables.empty()) {
    auto v = option_json(o.stage_variables, "--stage-variables");
    auto s = v ? string_pairs(*v, "--stage-variables")
               : Result<mapping::StringPairs>(std::unexpected(v.error()));
    if (!s) return fail_options(s.error());
    input.stage_variables = std::move(*s);
  }
  if (!o.context.empty()) {
    auto v = option_json(o.context, "--context");
    auto c = v ? mapping::context_from_json(*v)
               : Result<mapping::RequestContext>(std::unexpected(v.error()));
    if (!c) return fail_options(c.error());
    input.context = std::move(*c);
  }
  vtl::Options options;
  if (o.velocity_nulls) options.nulls = vtl::NullStyle::kVelocity;
  auto r = render_one(vtl::Template::compile(*source), input, options);
  if (!r) {
    // As API Gateway's execution log words a template that cannot be applied.
    std::cerr << "Execution failed due to configuration error: Unable to transform request: "
              << r.error().message << "\n";
    return 1;
  }
  std::cout << *r;
  std::cout.flush();
  return 0;
}

}  // namespace portcullis::app
