#include "gateway/invoke/respond.h"

#include <charconv>

#include "core/clock.h"
#include "core/encoding.h"
#include "core/log.h"

namespace portcullis::gateway::invoke {

namespace {

// The headers every answer has; `res.headers` is empty but for Content-Type.
void common_headers(const Invocation& inv, http::Response& res) {
  res.headers.emplace_back("x-amzn-RequestId", inv.request.request_id);
  res.headers.emplace_back("x-amz-apigw-id", inv.extended_request_id);
}

void start_headers(http::Response& res, std::string content_type, size_t more) {
  res.headers.clear();
  res.headers.reserve(4 + more);
  res.headers.emplace_back("Content-Type", std::move(content_type));
}

const MappingTemplate* choose(const std::vector<MappingTemplate>& templates,
                              std::string_view accept) {
  if (templates.empty()) return nullptr;
  std::string_view first = accept.substr(0, accept.find(','));
  first = first.substr(0, first.find(';'));
  while (!first.empty() && first.front() == ' ') first.remove_prefix(1);
  while (!first.empty() && first.back() == ' ') first.remove_suffix(1);
  if (!first.empty())
    for (const MappingTemplate& t : templates)
      if (t.content_type == first) return &t;
  for (const MappingTemplate& t : templates)
    if (t.content_type == "application/json") return &t;
  return &templates.front();
}

std::string_view path_param(const Invocation& inv, std::string_view name) {
  for (const PathParam& p : inv.match.params)
    if (p.name == name) return p.value;
  return {};
}

std::optional<std::string> query_param(const http::Request& req, std::string_view name) {
  std::optional<std::string> found;
  // The last value of a repeated key, as $input.params and queryStringParameters hold (§1.4).
  for_each_param(req.query(), [&](std::string_view n, std::string_view v) {
    if (percent_decode(n, true) == name) found = percent_decode(v, true);
  });
  return found;
}

std::optional<std::string> source_value(const ValueSource& s, const Invocation& inv,
                                        const Failure* failure) {
  switch (s.kind) {
    case ValueSource::kLiteral:
      return s.value;
    case ValueSource::kRequestHeader:
      if (auto h = inv.request.header(s.value)) return std::string(*h);
      return std::nullopt;
    case ValueSource::kRequestPath:
      if (auto v = path_param(inv, s.value); !v.empty()) return std::string(v);
      return std::nullopt;
    case ValueSource::kRequestQuery:
      return query_param(inv.request, s.value);
    case ValueSource::kStageVariable:
      if (inv.deployment)
        if (const std::string* v = inv.deployment->variable(s.value)) return *v;
      return std::nullopt;
    case ValueSource::kContext:
      return context_value(s.value, inv, failure);
  }
  return std::nullopt;
}

std::string request_time(SystemTime t) {
  // dd/MMM/yyyy:HH:mm:ss +0000 (§7.3)
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%02d/%s/%04d:%02d:%02d:%02d +0000", tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

}  // namespace

std::string json_quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

std::optional<std::string> context_value(std::string_view name, const Invocation& inv,
                                         const Failure* failure) {
  const Deployment* d = inv.deployment;
  if (failure) {
    if (name == "error.message") return failure->message;
    if (name == "error.messageString")
      return (failure->spaced ? " " : "") + json_quote(failure->message);
    if (name == "error.responseType") return std::string(response_type_name(failure->type));
  }
  if (name == "requestId") return inv.request.request_id;
  if (name == "extendedRequestId") return inv.extended_request_id;
  if (name == "httpMethod") return std::string(inv.request.method());
  if (name == "path") return std::string(inv.request.path());
  if (name == "protocol") return std::string("HTTP/1.1");
  if (name == "domainName") return std::string(inv.host);
  if (name == "domainPrefix") return std::string(inv.host.substr(0, inv.host.find('.')));
  if (name == "requestTime") return request_time(inv.now);
  if (name == "requestTimeEpoch")
    return std::to_string(
        std::chrono::duration_cast<std::chrono::milliseconds>(inv.now.time_since_epoch()).count());
  if (name == "identity.sourceIp") {
    std::string_view remote = inv.request.remote_address;
    if (size_t colon = remote.rfind(':'); colon != std::string_view::npos)
      remote = remote.substr(0, colon);
    return std::string(remote);
  }
  if (name == "identity.userAgent") {
    if (auto ua = inv.request.header("user-agent")) return std::string(*ua);
    return std::nullopt;
  }
  if (inv.caller) {
    if (name == "identity.userArn") return inv.caller->arn;
    if (name == "identity.accountId") return inv.caller->account_id;
    if (name == "identity.caller" || name == "identity.user") return inv.caller->caller_id;
    if (name == "identity.accessKey") return inv.caller->access_key_id;
  }
  if (!d) return std::nullopt;
  if (name == "apiId") return d->api_id();
  if (name == "stage") return d->stage();
  if (name == "accountId") return d->account();
  if (name == "deploymentId") return d->deployment_id();
  if (name == "isCanaryRequest") return std::string(d->canary() ? "true" : "false");
  if (inv.resource) {
    if (name == "resourcePath") return inv.resource->path;
    if (name == "resourceId") return inv.resource->id;
  }
  return std::nullopt;
}

StepStatus respond(const IntegrationResult& result, Invocation& inv, const RenderTemplate& render,
                   http::Response& res) {
  const IntegrationResponse& ir = *result.response;
  const Method& m = *inv.method;
  int status = 0;
  auto [ptr, ec] =
      std::from_chars(ir.status_code.data(), ir.status_code.data() + ir.status_code.size(), status);
  (void)ptr;
  bool declared = false;
  for (const std::string& s : m.response_statuses) declared = declared || s == ir.status_code;
  if (ec != std::errc() || status < 100 || status > 599 || !declared) {
    log::warn("invoke: " + inv.deployment->api_id() + " " + m.http_method + " " +
              inv.resource->path +
              ": execution failed due to configuration error: no method "
              "response for status " +
              ir.status_code);
    return internal_error();
  }
  std::string body = result.body;
  std::string content_type = "application/json";
  if (const MappingTemplate* t = choose(ir.templates, inv.request.header("accept").value_or(""))) {
    body = PC_TRY(render_template(*t, inv, result.body, render));
    content_type = t->content_type;
  }
  res.status = status;
  start_headers(res, std::move(content_type), ir.headers.size());
  common_headers(inv, res);
  for (const auto& [name, source] : ir.headers)
    if (auto v = source_value(source, inv, nullptr)) res.set_header(name, std::move(*v));
  res.body = std::move(body);
  return {};
}

void respond(const Failure& failure, const Invocation& inv, http::Response& res) {
  static const GatewayResponses kDefaults;
  const GatewayResponses& all = inv.deployment ? inv.deployment->responses() : kDefaults;
  const GatewayResponse& gr = all.get(failure.type);
  // IAM's own body ({"Message": …}) until the API customises how denials read.
  const bool customised = all.customised(failure.type) || all.customised(ResponseType::kDefault4xx);
  res.status = failure.status && !all.customised(failure.type) ? failure.status : gr.status;
  if (res.status == 0) res.status = failure.type == ResponseType::kDefault5xx ? 500 : 400;
  std::string content_type = "application/json";
  if (failure.capital_message && !customised) {
    res.body = "{\"Message\":" + json_quote(failure.message) + "}";
  } else if (const auto* t =
                 choose_template(gr.templates, inv.request.header("accept").value_or(""))) {
    content_type = t->first;
    res.body = substitute(t->second, [&](std::string_view name) -> std::optional<std::string> {
      if (name.starts_with("context.")) return context_value(name.substr(8), inv, &failure);
      if (name.starts_with("stageVariables.") && inv.deployment)
        if (const std::string* v = inv.deployment->variable(name.substr(15))) return *v;
      return std::nullopt;
    });
  } else {
    res.body.clear();
  }
  start_headers(res, std::move(content_type), gr.headers.size());
  common_headers(inv, res);
  res.headers.emplace_back("x-amzn-ErrorType", std::string(failure.error_type));
  for (const auto& [name, source] : gr.headers)
    if (auto v = source_value(source, inv, &failure)) res.set_header(name, std::move(*v));
}

void respond(const Unrouted& u, const Invocation& inv, http::Response& res) {
  res.status = u.status;
  start_headers(res, "application/json", 0);
  common_headers(inv, res);
  res.headers.emplace_back("x-amzn-ErrorType", std::string(u.error_type));
  res.body = u.body;
}

}  // namespace portcullis::gateway::invoke
