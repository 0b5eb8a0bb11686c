#include "gateway/invoke/integrate.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <cctype>

#include "core/log.h"

namespace portcullis::gateway::invoke {

namespace {

std::unexpected<Failure> configuration_error(const Invocation& inv, std::string_view why) {
  log::warn("invoke: " + inv.deployment->api_id() + "/" + inv.deployment->stage() + " " +
            inv.method->http_method + " " + inv.resource->path +
            ": execution failed due to configuration error: " + std::string(why));
  return internal_error();
}

std::string_view mime_type(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  return t;
}

}  // namespace

const MappingTemplate* request_template(const Integration& integration,
                                        std::string_view content_type) {
  std::string_view key = mime_type(content_type);
  if (key.empty()) key = "application/json";
  for (const MappingTemplate& t : integration.request_templates)
    if (t.content_type.size() == key.size() &&
        std::equal(key.begin(), key.end(), t.content_type.begin(),
                   [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
      return &t;
  return nullptr;
}

Step<std::string> render_template(const MappingTemplate& tmpl, const Invocation& inv,
                                  std::string_view body, const RenderTemplate& render) {
  if (render) {
    auto out = render(tmpl, inv, body);
    if (!out) return configuration_error(inv, "mapping template: " + out.error().message);
    return std::move(*out);
  }
  if (tmpl.literal) return tmpl.text;
  return configuration_error(inv, "mapping templates with Velocity syntax are not rendered yet");
}

std::optional<int> mock_status(std::string_view text) {
  constexpr std::string_view kKey = "statusCode";
  size_t at = text.find(kKey);
  if (at == std::string_view::npos) return std::nullopt;
  size_t i = at + kKey.size();
  if (i < text.size() && (text[i] == '"' || text[i] == '\'')) ++i;
  while (i < text.size() &&
         (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
    ++i;
  if (i >= text.size() || text[i] != ':') return std::nullopt;
  ++i;
  while (i < text.size() &&
         (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
    ++i;
  int value = 0, digits = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9' && digits < 4) {
    value = value * 10 + (text[i] - '0');
    ++i;
    ++digits;
  }
  if (digits == 0 || digits > 3 || (i < text.size() && text[i] >= '0' && text[i] <= '9'))
    return std::nullopt;
  return value;
}

bool selection_matches(std::string_view pattern, std::string_view subject) {
  // Anchored at both ends: the whole status must match (§5.4, chosen; see docs/invoke.md).
  std::string anchored = "(?:" + std::string(pattern) + ")\\z";
  int error = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(anchored.data()), anchored.size(),
                                   PCRE2_ANCHORED | PCRE2_UTF, &error, &offset, nullptr);
  if (!code) return false;
  pcre2_match_data* data = pcre2_match_data_create_from_pattern(code, nullptr);
  pcre2_match_context* ctx = pcre2_match_context_create(nullptr);
  pcre2_set_match_limit(ctx, 100'000);
  pcre2_set_depth_limit(ctx, 1'000);
  int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0, 0,
                       data, ctx);
  pcre2_match_context_free(ctx);
  pcre2_match_data_free(data);
  pcre2_code_free(code);
  return rc >= 0;
}

Step<IntegrationResult> integrate(Invocation& inv, const RenderTemplate& render) {
  const Integration& integration = inv.method->integration;
  if (integration.type != IntegrationType::kMock)
    return configuration_error(inv, "only MOCK integrations are supported so far");

  IntegrationResult out;
  std::optional<int> status;
  std::string_view content_type = inv.request.header("content-type").value_or("");
  if (const MappingTemplate* t = request_template(integration, content_type)) {
    std::string rendered = PC_TRY(render_template(*t, inv, inv.request.body, render));
    status = mock_status(rendered);
    if (!status)
      return configuration_error(inv, "the MOCK request template declares no statusCode");
  } else if (!integration.request_templates.empty() &&
             (integration.passthrough_behavior == "NEVER" ||
              integration.passthrough_behavior == "WHEN_NO_TEMPLATES")) {
    return failure(ResponseType::kUnsupportedMediaType, "BadRequestException",
                   "Unsupported Media Type");
  }
  // The integration response whose selection pattern matches the status, else the default.
  if (status) {
    const std::string code = std::to_string(*status);
    for (const IntegrationResponse& r : integration.responses)
      if (!r.selection_pattern.empty() && selection_matches(r.selection_pattern, code)) {
        out.response = &r;
        break;
      }
  }
  if (!out.response && integration.default_response >= 0)
    out.response = &integration.responses[integration.default_response];
  if (!out.response) return configuration_error(inv, "no integration response matches");
  return out;
}

}  // namespace portcullis::gateway::invoke
