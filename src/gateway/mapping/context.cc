#include "gateway/mapping/context.h"

#include <boost/json.hpp>
#include <charconv>
#include <cstdio>
#include <ctime>

#include "gateway/mapping/input.h"

namespace portcullis::gateway::mapping {
namespace json = boost::json;

namespace {

template <typename T>
struct Field {
  const char* name;
  std::string T::*member;
};

constexpr Field<RequestContext> kTopBefore[] = {{"accountId", &RequestContext::account_id},
                                                {"apiId", &RequestContext::api_id}};
constexpr Field<RequestContext> kTopMiddle[] = {
    {"awsEndpointRequestId", &RequestContext::aws_endpoint_request_id},
    {"deploymentId", &RequestContext::deployment_id},
    {"domainName", &RequestContext::domain_name},
    {"domainPrefix", &RequestContext::domain_prefix}};
constexpr Field<RequestContext> kTopAfterError[] = {
    {"extendedRequestId", &RequestContext::extended_request_id},
    {"httpMethod", &RequestContext::http_method}};
constexpr Field<RequestContext> kTopAfterIdentity[] = {{"path", &RequestContext::path},
                                                       {"protocol", &RequestContext::protocol},
                                                       {"requestId", &RequestContext::request_id}};
constexpr Field<RequestContext> kTopLast[] = {
    {"resourceId", &RequestContext::resource_id},
    {"resourcePath", &RequestContext::resource_path},
    {"stage", &RequestContext::stage},
    {"wafResponseCode", &RequestContext::waf_response_code},
    {"webaclArn", &RequestContext::webacl_arn}};

constexpr Field<Identity> kIdentity[] = {
    {"accountId", &Identity::account_id},
    {"apiKey", &Identity::api_key},
    {"apiKeyId", &Identity::api_key_id},
    {"caller", &Identity::caller},
    {"cognitoAuthenticationProvider", &Identity::cognito_authentication_provider},
    {"cognitoAuthenticationType", &Identity::cognito_authentication_type},
    {"cognitoIdentityId", &Identity::cognito_identity_id},
    {"cognitoIdentityPoolId", &Identity::cognito_identity_pool_id},
    {"principalOrgId", &Identity::principal_org_id},
    {"sourceIp", &Identity::source_ip},
    {"user", &Identity::user},
    {"userAgent", &Identity::user_agent},
    {"userArn", &Identity::user_arn},
    {"vpcId", &Identity::vpc_id},
    {"vpceId", &Identity::vpce_id}};

constexpr Field<ContextError> kError[] = {
    {"message", &ContextError::message},
    {"messageString", &ContextError::message_string},
    {"responseType", &ContextError::response_type},
    {"validationErrorString", &ContextError::validation_error_string}};

constexpr Field<ClientCert> kClientCert[] = {{"clientCertPem", &ClientCert::client_cert_pem},
                                             {"subjectDN", &ClientCert::subject_dn},
                                             {"issuerDN", &ClientCert::issuer_dn},
                                             {"serialNumber", &ClientCert::serial_number}};

vtl::Value text(const std::string& s) { return s.empty() ? vtl::Value() : vtl::Value(s); }

template <typename T, size_t N>
void put_fields(vtl::Map& m, const T& from, const Field<T> (&fields)[N]) {
  for (const auto& f : fields) m.put(f.name, text(from.*f.member));
}

vtl::Value string_map(const StringPairs& pairs) {
  auto m = vtl::make_map();
  for (const auto& [k, v] : pairs) m->put(k, vtl::Value(v));
  return vtl::Value(std::move(m));
}

// A scalar as Java's toString() prints it; nullopt for null, lists, maps and objects.
std::optional<std::string> scalar_text(const vtl::Value& v) {
  if (const std::string* s = v.string()) return *s;
  if (const int64_t* i = v.integer()) return std::to_string(*i);
  if (const bool* b = v.boolean()) return std::string(*b ? "true" : "false");
  if (const double* d = v.decimal()) return java_double(*d);
  return std::nullopt;
}

void read_string_map(const vtl::Value* v, StringPairs& out) {
  const vtl::Map* m = v ? v->map() : nullptr;
  if (!m) return;
  for (const auto& [k, val] : m->entries)
    if (auto s = scalar_text(val)) out.emplace_back(k, std::move(*s));
}

std::optional<int> read_status(const vtl::Value* v) {
  if (!v) return std::nullopt;
  int64_t n = 0;
  if (const int64_t* i = v->integer()) {
    n = *i;
  } else if (const std::string* s = v->string()) {
    auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), n);
    if (ec != std::errc() || p != s->data() + s->size()) return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (n < 100 || n > 599) return std::nullopt;
  return static_cast<int>(n);
}

// --- JSON → RequestContext ------------------------------------------------------------------

std::unexpected<Error> bad(std::string_view what) {
  return fail(ErrorCode::kBadRequest, "context: " + std::string(what));
}

std::optional<std::string> json_scalar_text(const json::value& v) {
  if (const json::string* s = v.if_string()) return std::string(*s);
  if (v.is_null() || v.is_structured()) return std::nullopt;
  return json::serialize(v);
}

template <typename T, size_t N>
Result<bool> read_field(const json::key_value_pair& kv, T& to, const Field<T> (&fields)[N],
                        std::string_view where) {
  for (const auto& f : fields) {
    if (kv.key() != f.name) continue;
    const json::string* s = kv.value().if_string();
    if (!s) return bad(std::string(where) + std::string(kv.key()) + " must be a string");
    to.*f.member = std::string(*s);
    return true;
  }
  return false;
}

Result<StringPairs> json_string_pairs(const json::value& v, std::string_view where) {
  const json::object* o = v.if_object();
  if (!o) return bad(std::string(where) + " must be an object");
  StringPairs out;
  for (const auto& kv : *o) {
    auto s = json_scalar_text(kv.value());
    if (!s) return bad(std::string(where) + "." + std::string(kv.key()) + " must be a scalar");
    out.emplace_back(std::string(kv.key()), std::move(*s));
  }
  return out;
}

Status read_identity(const json::value& v, Identity& id) {
  const json::object* o = v.if_object();
  if (!o) return bad("identity must be an object");
  for (const auto& kv : *o) {
    if (PC_TRY(read_field(kv, id, kIdentity, "identity."))) continue;
    if (kv.key() != "clientCert") return bad("unknown variable identity." + std::string(kv.key()));
    const json::object* c = kv.value().if_object();
    if (!c) return bad("identity.clientCert must be an object");
    ClientCert cert;
    for (const auto& ckv : *c) {
      if (PC_TRY(read_field(ckv, cert, kClientCert, "identity.clientCert."))) continue;
      const json::object* val = ckv.value().if_object();
      if (ckv.key() != "validity" || !val)
        return bad("unknown variable identity.clientCert." + std::string(ckv.key()));
      for (const auto& vkv : *val) {
        const json::string* s = vkv.value().if_string();
        if (!s) return bad("identity.clientCert.validity values must be strings");
        if (vkv.key() == "notBefore")
          cert.validity.not_before = std::string(*s);
        else if (vkv.key() == "notAfter")
          cert.validity.not_after = std::string(*s);
        else
          return bad("unknown variable identity.clientCert.validity." + std::string(vkv.key()));
      }
    }
    id.client_cert = std::move(cert);
  }
  return {};
}

Status read_authorizer(const json::value& v, Authorizer& a) {
  const json::object* o = v.if_object();
  if (!o) return bad("authorizer must be an object");
  for (const auto& kv : *o) {
    if (kv.key() == "principalId") {
      auto s = json_scalar_text(kv.value());
      if (!s) return bad("authorizer.principalId must be a string");
      a.principal_id = std::move(*s);
    } else if (kv.key() == "claims") {
      a.claims = PC_TRY(json_string_pairs(kv.value(), "authorizer.claims"));
    } else {
      auto s = json_scalar_text(kv.value());
      if (!s) return bad("authorizer." + std::string(kv.key()) + " must be a scalar");
      a.context.emplace_back(std::string(kv.key()), std::move(*s));
    }
  }
  return {};
}

}  // namespace

std::string clf_time(int64_t epoch_ms) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  time_t secs = static_cast<time_t>(epoch_ms >= 0 ? epoch_ms / 1000 : (epoch_ms - 999) / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%02d/%s/%04d:%02d:%02d:%02d +0000", tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

vtl::Value build_context(const RequestContext& c) {
  auto m = vtl::make_map();
  put_fields(*m, c, kTopBefore);

  auto auth = vtl::make_map();
  auth->put("principalId", text(c.authorizer.principal_id));
  if (c.authorizer.claims) auth->put("claims", string_map(*c.authorizer.claims));
  for (const auto& [k, v] : c.authorizer.context) auth->put(k, vtl::Value(v));
  m->put("authorizer", vtl::Value(std::move(auth)));

  put_fields(*m, c, kTopMiddle);
  auto err = vtl::make_map();
  put_fields(*err, c.error, kError);
  m->put("error", vtl::Value(std::move(err)));
  put_fields(*m, c, kTopAfterError);

  auto id = vtl::make_map();
  put_fields(*id, c.identity, kIdentity);
  if (c.identity.client_cert) {
    const ClientCert& cc = *c.identity.client_cert;
    auto cert = vtl::make_map();
    put_fields(*cert, cc, kClientCert);
    auto validity = vtl::make_map();
    validity->put("notBefore", text(cc.validity.not_before));
    validity->put("notAfter", text(cc.validity.not_after));
    cert->put("validity", vtl::Value(std::move(validity)));
    id->put("clientCert", vtl::Value(std::move(cert)));
  } else {
    id->put("clientCert", vtl::Value());
  }
  m->put("identity", vtl::Value(std::move(id)));

  m->put("isCanaryRequest", vtl::Value(c.is_canary_request));
  put_fields(*m, c, kTopAfterIdentity);

  auto req = vtl::make_map();
  req->put("header", vtl::Value(vtl::make_map()));
  req->put("path", vtl::Value(vtl::make_map()));
  req->put("querystring", vtl::Value(vtl::make_map()));
  m->put("requestOverride", vtl::Value(std::move(req)));
  auto resp = vtl::make_map();
  resp->put("header", vtl::Value(vtl::make_map()));
  m->put("responseOverride", vtl::Value(std::move(resp)));

  m->put("requestTime", vtl::Value(clf_time(c.request_time_epoch)));
  m->put("requestTimeEpoch", vtl::Value(c.request_time_epoch));
  put_fields(*m, c, kTopLast);
  return vtl::Value(std::move(m));
}

Overrides read_overrides(const vtl::Value& context) {
  Overrides out;
  const vtl::Map* m = context.map();
  if (!m) return out;
  if (const vtl::Value* req = m->find("requestOverride"); req && req->map()) {
    read_string_map(req->map()->find("header"), out.request_header);
    read_string_map(req->map()->find("path"), out.request_path);
    read_string_map(req->map()->find("querystring"), out.request_querystring);
  }
  if (const vtl::Value* resp = m->find("responseOverride"); resp && resp->map()) {
    read_string_map(resp->map()->find("header"), out.response_header);
    out.response_status = read_status(resp->map()->find("status"));
  }
  return out;
}

Result<RequestContext> context_from_json(const json::value& v) {
  const json::object* o = v.if_object();
  if (!o) return bad("the context must be a JSON object");
  RequestContext c;
  for (const auto& kv : *o) {
    if (PC_TRY(read_field(kv, c, kTopBefore, "")) || PC_TRY(read_field(kv, c, kTopMiddle, "")) ||
        PC_TRY(read_field(kv, c, kTopAfterError, "")) ||
        PC_TRY(read_field(kv, c, kTopAfterIdentity, "")) || PC_TRY(read_field(kv, c, kTopLast, "")))
      continue;
    std::string_view k = kv.key();
    if (k == "identity") {
      PC_CHECK(read_identity(kv.value(), c.identity));
    } else if (k == "authorizer") {
      PC_CHECK(read_authorizer(kv.value(), c.authorizer));
    } else if (k == "error") {
      const json::object* e = kv.value().if_object();
      if (!e) return bad("error must be an object");
      for (const auto& ekv : *e)
        if (!PC_TRY(read_field(ekv, c.error, kError, "error.")))
          return bad("unknown variable error." + std::string(ekv.key()));
    } else if (k == "isCanaryRequest") {
      const bool* b = kv.value().if_bool();
      if (!b) return bad("isCanaryRequest must be a boolean");
      c.is_canary_request = *b;
    } else if (k == "requestTimeEpoch") {
      const int64_t* i = kv.value().if_int64();
      if (!i) return bad("requestTimeEpoch must be an integer (milliseconds)");
      c.request_time_epoch = *i;
    } else {
      return bad("unknown variable " + std::string(k) +
                 (k == "requestTime" ? " (give requestTimeEpoch)" : ""));
    }
  }
  return c;
}

}  // namespace portcullis::gateway::mapping
