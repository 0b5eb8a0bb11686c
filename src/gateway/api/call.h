// Inside the API Gateway management API: one call's context, the operation table, and what
// the operations share (typed body members, AWS's errors, ids, lists, the stored REST API).
#pragma once

#include <boost/json.hpp>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/json_read.h"
#include "gateway/api/management_api.h"
#include "gateway/api/patch.h"
#include "gateway/api/routes.h"

namespace portcullis::gateway::api {

namespace json = boost::json;

struct Call {
  ManagementApi& api;
  const http::Request& request;
  const RouteMatch& match;
  const json::object& body;
  store::Transaction& txn;
  SystemTime now;
  json::value out;  // the response body; null for none
  // A response that is not JSON (GetExport): its body; its Content-Type goes in `headers`.
  std::optional<std::string> raw_out;
  std::vector<std::pair<std::string, std::string>> headers;

  const std::string& label(std::string_view name) const;
  std::optional<std::string> query(std::string_view name) const;  // percent-decoded
  std::vector<std::string> query_all(std::string_view name) const;
  const std::string& account() const { return api.account(); }
  std::string region_name;  // the region the call was made in
  const std::string& region() const { return region_name; }
  int64_t epoch() const;
};

using OpFn = Status (*)(Call&);
// What an operation's request body is.
enum class Body {
  kJson,      // a JSON request, in Call::body
  kRaw,       // a file of the caller's (CSV), read from the request as is
  kDocument,  // an OpenAPI document, JSON or YAML, parsed (before the store is touched) into Call::body
};
struct Op {
  std::string_view name;
  OpFn run;
  Body body = Body::kJson;
};

std::span<const Op> restapi_ops();      // REST APIs, account, tags, SDK types
std::span<const Op> resource_ops();     // resources, methods, method responses
std::span<const Op> integration_ops();  // integrations and integration responses
std::span<const Op> stage_ops();        // deployments and stages
std::span<const Op> part_ops();         // models, request validators, authorizers, gateway responses
std::span<const Op> key_ops();          // API keys, usage plans and their keys, usage
std::span<const Op> openapi_ops();      // import, put and export
std::span<const Op> domain_ops();       // custom domain names and their base path mappings
std::span<const Op> doc_ops();          // documentation parts and versions
std::span<const Op> client_cert_ops();  // client certificates

// --- Errors, as API Gateway words them ------------------------------------------------------
Error bad_request(std::string message);
Error not_found(std::string message);
Error conflict(std::string message);

// --- Body members, type-checked -------------------------------------------------------------
Result<std::optional<std::string>> opt_str(const json::object& o, std::string_view key);
Result<std::string> req_str(const json::object& o, std::string_view key);
Result<std::optional<bool>> opt_bool(const json::object& o, std::string_view key);
Result<std::optional<int64_t>> opt_int(const json::object& o, std::string_view key);
Result<std::optional<double>> opt_number(const json::object& o, std::string_view key);
// A map of strings to strings (or to booleans when `bools`).
Result<std::optional<json::object>> opt_map(const json::object& o, std::string_view key,
                                            bool bools = false);
Result<std::optional<json::array>> opt_list(const json::object& o, std::string_view key);
// An integration's tlsConfig: {"insecureSkipVerification": boolean}.
Result<std::optional<json::object>> opt_tls_config(const json::object& o, std::string_view key);
// `value` must be one of `allowed`, in the words of AWS's request validation. A member the
// model declares as an enumeration, checked as the request arrives, is a ValidationException
// naming it as the model's input does (`member` "putIntegrationInput.type"); otherwise (a
// value from a patch, a string the service checks) a BadRequestException.
Status check_enum(std::string_view value, std::string_view member,
                  std::initializer_list<std::string_view> allowed, bool validation = false);
// Copies the members present in `from` (already validated) into `to`.
void copy_members(json::object& to, const json::object& from,
                  std::initializer_list<std::string_view> keys);

// The `tags` member of a request: at most 50, keys 1–128 characters not starting "aws:",
// values at most 256.
Result<std::optional<json::object>> opt_tags(const json::object& body,
                                             std::string_view key = "tags");
// Whether every character of `s` is an ASCII letter or digit or one of `extra`.
bool only_chars(std::string_view s, std::string_view extra = {});
// The methods a REST API method may be (ANY included).
bool is_http_method(std::string_view verb);

// --- Ids and lists --------------------------------------------------------------------------
std::string new_id(size_t length);  // lower-case letters and digits, as API Gateway's ids
// A new id of `length` that no row of `table` has yet (its key being `prefix` + id).
Result<std::string> unused_id(Call& c, std::string_view table, size_t length,
                              std::string_view prefix = {});
// A new id that is not yet a key of `section` (resources, validators, authorizers, …).
std::string unused_key(const json::object& section, size_t length = 6);
// Answers {"item": [...], "position": …} with the page `limit` and `position` select; the
// items are listed in the order given.
Status write_items(Call& c, const std::vector<json::value>& items);

// --- The store ------------------------------------------------------------------------------
// Tables. A REST API is one document: {"api": RestApi, "resources": {id: Resource with its
// methods}, "models": {name: Model}, "validators", "authorizers": {id: …}, "responses": {type:
// GatewayResponse}, "stages": {name: Stage}}. Deployments ("{api}/{id}" → {"deployment",
// "snapshot"}) are written once.
inline constexpr std::string_view kApis = "apigateway.apis";
inline constexpr std::string_view kDeployments = "apigateway.deployments";
inline constexpr std::string_view kApiKeys = "apigateway.apikeys";
inline constexpr std::string_view kUsagePlans = "apigateway.usageplans";
inline constexpr std::string_view kAccount = "apigateway.account";
inline constexpr std::string_view kDomainNames = "apigateway.domainnames";  // {"domain", "mappings"}
inline constexpr std::string_view kClientCertificates = "apigateway.clientcertificates";
inline constexpr std::string_view kPlanKeys = "apigateway.usageplankeys";  // "{plan}/{key}" → ""
inline constexpr std::string_view kUsage = "apigateway.usage";  // "{plan}/{key}/{yyyy-mm-dd}" → count
// Every table above. Each region has its own copy of each (see ManagementApi::handle).
inline constexpr std::string_view kTables[] = {kApis,        kDeployments, kApiKeys,
                                               kUsagePlans,  kAccount,     kDomainNames,
                                               kClientCertificates, kPlanKeys, kUsage};

// A region's copy of a table: "apigateway.apis" of eu-west-1 is "apigateway.apis@eu-west-1".
std::string regional_table(std::string_view table, std::string_view region);

// A row as JSON, or NotFound with `message`.
Result<json::object> load_row(Call& c, std::string_view table, std::string_view key,
                              std::string_view message);
Result<json::object> load_api(Call& c, std::string_view id);
Result<json::object> load_api(Call& c);  // the call's restapi_id
Status save_api(Call& c, const json::object& doc);
// Adds `part` to a section of the API under a new id (its "id" member, first), saves the API
// and answers the part: the end of every Create of a part kept by id.
Status add_part(Call& c, json::object& doc, std::string_view section_name, const json::object& part);
// The deployment a stage serves: {"api", "resources", "models", …, "stage"}, with
// "documentation" {version, parts} when the stage names a documentation version.
Result<json::object> deployed_api(Call& c, std::string_view api_id, std::string_view stage);
// Removes the stage (or, when `stage` is empty, every stage of the API) from the usage plans
// and base path mappings that name it.
Status forget_stage(Call& c, std::string_view api_id, std::string_view stage);

// Updates one part of the stored REST API: `find` (json::object& doc → Result<json::object*>)
// locates it; the call's patch operations, under `rules`, change a copy; `finish`
// (json::object& doc, json::object& part → Status) completes and checks the copy, which then
// replaces the part. The API is saved and the part answered.
template <typename Find, typename Finish>
Status patch_part(Call& c, Find find, std::span<const PatchRule> rules, Finish finish) {
  json::object doc = PC_TRY(load_api(c));
  json::object part = *PC_TRY(find(doc));
  PC_CHECK(apply_patch(part, PC_TRY(patch_operations(c.body)), rules));
  PC_CHECK(finish(doc, part));
  *PC_TRY(find(doc)) = part;
  PC_CHECK(save_api(c, doc));
  c.out = std::move(part);
  return {};
}

// --- Inside a REST API document ---------------------------------------------------------------
json::object& section(json::object& doc, std::string_view name);
// An entry of a section, or NotFound with `message`.
Result<json::object*> find_in(json::object& doc, std::string_view section_name,
                              std::string_view key, std::string message);
// A resource, a method of it, or AWS's NotFound.
Result<json::object*> find_resource(json::object& doc, std::string_view id);
Result<json::object*> find_method(json::object& doc, std::string_view resource_id,
                                  std::string_view http_method);
Result<json::object*> find_method(Call& c, json::object& doc);  // from the call's labels

// --- The rules each part of an API must satisfy, shared by the operations and the import ----
// `input` ("createRestApiInput"…) is set when the members come from a create or put body:
// their enumerations are then checked as AWS's request validation does (see check_enum).
Status check_api(const json::object& api, std::string_view input = {});
// A resource `part` placed under `parent` (`self`: the resource being moved, if any).
Status check_placement(json::object& doc, const json::object& parent, std::string_view part,
                       std::string_view self);
Status check_method(json::object& doc, const json::object& method);
Status check_method_response(json::object& doc, const json::object& response);
Status check_integration(const json::object& integration, const json::object& method,
                         std::string_view input = {});
// Fills in what API Gateway sets on an integration the caller did not: passthrough behaviour,
// timeout, cache namespace (the resource), cache key parameters, connection type.
void integration_defaults(json::object& integration, std::string_view resource_id);
Status check_integration_response(json::object& method, const json::object& response);
Status check_model(json::object& doc, const json::object& model);
Status check_authorizer(json::object& doc, const json::object& authorizer,
                        std::string_view input = {});
Status check_gateway_response(const json::object& response);
// A map of request or response parameters: every key is `prefix` followed by one of the
// `locations` and a name, e.g. method.request.querystring.page.
Status check_parameter_names(const json::object& params, std::string_view prefix,
                             std::initializer_list<std::string_view> locations,
                             std::string_view what);
Status check_status_code(std::string_view code);
// A documentation part's location, checked for its type and with its defaults filled in
// (path "/", method and statusCode "*").
Result<json::object> documentation_location(const json::value& location, bool validation);
// A documentation part {location, properties as text} from an entry of an OpenAPI document's
// x-amazon-apigateway-documentation.documentationParts.
Result<json::object> documentation_part(const json::value& entry);
// Adds a part to the API document, in place of the part of the same location (whose id it
// keeps); returns the part's id.
std::string put_documentation_part(json::object& doc, json::object part);

// --- JSON -------------------------------------------------------------------------------------
// Parses JSON text a caller gave (a schema, properties, a policy), as deep as an OpenAPI
// document may nest (200 levels); null when it does not parse.
json::value parse_json(std::string_view text);
// Reading our own stored documents without trusting their shape (core/json_read.h): a value
// of another type reads as absent or empty, never as an exception on the request path.
using json_read::arr;
using json_read::ensure_array;
using json_read::ensure_object;
using json_read::num;
using json_read::obj;
using json_read::sv;
// A stored row's text as an object; empty when it is not a JSON object.
json::object parse_row(std::string_view text);
// Removes the elements of a JSON array for which pred holds.
template <typename Pred>
void erase_where(json::array& a, Pred pred) {
  for (auto it = a.begin(); it != a.end();) it = pred(*it) ? a.erase(it) : it + 1;
}

}  // namespace portcullis::gateway::api
