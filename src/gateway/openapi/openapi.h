// OpenAPI 2.0 (Swagger) and 3.0 documents, JSON or YAML, to and from the stored form of a
// REST API, with AWS's x-amazon-apigateway-* extensions.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace portcullis::gateway::openapi {

namespace json = boost::json;

// A JSON or YAML document as JSON (YAML 1.2 core schema: plain scalars may be booleans,
// numbers or null; quoted ones are strings).
Result<json::value> parse_document(std::string_view text);
// JSON as YAML that parse_document reads back identically.
std::string to_yaml(const json::value& v);
// A number as YAML and JSON readers alike take for a float: shortest form, with a point.
std::string format_double(double d);

struct ImportOptions {
  std::string api_id;              // the REST API the models' references point into
  std::string basepath = "ignore";  // ignore | prepend | split
  std::string region, account;      // for ${AWS::Region} and ${AWS::AccountId}
};

struct Imported {
  json::object api;  // RestApi members the document sets (name, description, policy, …)
  json::object doc;  // sections of the stored API: resources, models, validators, authorizers, responses
  std::vector<std::string> warnings;
  std::vector<std::string> errors;  // the import fails with these
};

// Reads a parsed document (see parse_document).
Result<Imported> import_document(const json::object& document, const ImportOptions& options);

struct ExportOptions {
  bool oas30 = true;
  bool integrations = false;  // x-amazon-apigateway-integration on methods
  bool authorizers = false;   // x-amazon-apigateway-authorizer in security schemes
  bool apigateway = false;    // both, and the API-level extensions
  std::string region;
  std::string host;  // "{id}.execute-api.{region}.amazonaws.com"
};

// `deployed`: {"api", "resources", "models", "validators", "authorizers", "responses", "stage"}.
json::object export_document(const json::object& deployed, const ExportOptions& options);

}  // namespace portcullis::gateway::openapi
