// The portcullis command: `serve` runs the gateway, `curl` calls it with SigV4-signed requests,
// `vtl render` renders a mapping template offline.
#include <CLI/CLI.hpp>
#include <iostream>

#include "app/config.h"
#include "app/curl.h"
#include "app/serve.h"
#include "app/vtl_render.h"

int main(int argc, char** argv) {
  using namespace portcullis::app;
  CLI::App cli{"Portcullis: a self-hosted, AWS-compatible API gateway with IAM security"};
  cli.require_subcommand(1);

  auto* serve_cmd = cli.add_subcommand("serve", "Run the gateway");
  std::string config_file;
  serve_cmd->add_option("--config", config_file, "YAML configuration file")
      ->envname("PORTCULLIS_CONFIG");
  std::vector<std::pair<const Setting*, std::string>> flag_values;
  flag_values.reserve(settings().size());
  for (const Setting& s : settings()) {
    flag_values.emplace_back(&s, std::string());
    serve_cmd->add_option(flag_name(s.key), flag_values.back().second, std::string(s.help));
  }

  CurlOptions curl_options;
  auto* curl_cmd = cli.add_subcommand("curl", "Send a SigV4-signed HTTP request");
  curl_cmd->add_option("url", curl_options.url, "URL to call")->required();
  curl_cmd->add_option("-X,--request", curl_options.method, "HTTP method");
  curl_cmd->add_option("-H,--header", curl_options.headers, "Extra header 'Name: value'");
  curl_cmd->add_option("-d,--data,--data-binary", curl_options.data,
                       "Request body, or @file to read it from a file");
  curl_cmd->add_flag("-i,--include", curl_options.include_headers, "Print response headers");
  curl_cmd->add_flag("-f,--fail", curl_options.fail_on_error, "Exit 22 on HTTP errors");
  curl_cmd->add_option("--service", curl_options.service, "Signing service name")
      ->capture_default_str();
  curl_cmd->add_option("--region", curl_options.region, "Signing region");
  curl_cmd->add_option("--profile", curl_options.profile, "Profile in ~/.aws/credentials");
  curl_cmd->add_option("--max-time", curl_options.timeout_seconds, "Timeout in seconds")
      ->capture_default_str();

  VtlRenderOptions vtl_options;
  auto* vtl_cmd = cli.add_subcommand("vtl", "Mapping templates");
  vtl_cmd->require_subcommand(1);
  auto* render_cmd =
      vtl_cmd->add_subcommand("render", "Render a mapping template as API Gateway does");
  render_cmd->add_option("--template", vtl_options.template_file, "Template file, or - for stdin");
  render_cmd->add_option("--body", vtl_options.body_file, "Request body file, or - for stdin");
  render_cmd->add_option("--params", vtl_options.params,
                         "JSON {\"path\":{},\"querystring\":{},\"header\":{}}, or @file");
  render_cmd->add_option("--stage-variables", vtl_options.stage_variables,
                         "JSON {\"name\":\"value\"}, or @file");
  render_cmd->add_option("--context", vtl_options.context,
                         "JSON shaped as $context ({\"requestId\":…,\"identity\":{…}}), or @file");
  render_cmd->add_flag("--velocity-nulls", vtl_options.velocity_nulls,
                       "Print undefined references as plain Velocity does ($x)");
  render_cmd->add_option("--cases", vtl_options.cases_file,
                         "Batch: one JSON case per line (- for stdin); one JSON result per line");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }

  if (serve_cmd->parsed()) {
    Config config;
    if (!config_file.empty()) {
      if (auto st = apply_file(config, config_file); !st) {
        std::cerr << "portcullis: " << st.error().message << "\n";
        return 2;
      }
    }
    if (auto st = apply_env(config); !st) {
      std::cerr << "portcullis: " << st.error().message << "\n";
      return 2;
    }
    for (const auto& [setting, value] : flag_values) {
      if (serve_cmd->count(flag_name(setting->key)) == 0) continue;
      if (auto st = setting->set(config, value); !st) {
        std::cerr << "portcullis: " << flag_name(setting->key) << ": " << st.error().message
                  << "\n";
        return 2;
      }
    }
    return serve(std::move(config));
  }
  if (vtl_cmd->parsed()) return vtl_render(vtl_options);
  return curl(curl_options);
}
