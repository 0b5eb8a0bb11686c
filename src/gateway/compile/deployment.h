// A deployed stage, compiled once from the deployment's frozen copy of the API and the stage:
// the route trie, the methods with their resolved integrations, the execute-api ARN prefix,
// the merged gateway responses, the stage variables and the resource policy. Immutable; the
// invoke path reads nothing else (no store, no JSON).
#pragma once

#include <array>
#include <boost/json/fwd.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "gateway/compile/gateway_responses.h"
#include "gateway/compile/router.h"

namespace portcullis::gateway {

// The verbs a method may have; kAny is the ANY method.
enum class Verb : uint8_t { kDelete, kGet, kHead, kOptions, kPatch, kPost, kPut, kAny };
inline constexpr size_t kVerbCount = 8;
std::optional<Verb> verb_from_name(std::string_view name);  // exact, upper-case

// A resource policy compiled by the IAM engine, which this module does not know.
class CompiledPolicy {
 public:
  virtual ~CompiledPolicy() = default;
};
// Compiles a resource policy's text (the "execute-api:/" shorthand already expanded).
using PolicyCompiler =
    std::function<Result<std::shared_ptr<const CompiledPolicy>>(std::string_view document)>;

// A mapping template as stored. `literal` when it has no Velocity syntax at all ('$', '#'
// or '\'): its rendering is then its own text, known without the engine.
struct MappingTemplate {
  std::string content_type;
  std::string text;
  bool literal = false;
};

struct IntegrationResponse {
  std::string status_code;                                   // "200"
  std::string selection_pattern;                             // empty: the default response
  std::vector<std::pair<std::string, ValueSource>> headers;  // method.response.header.NAME
  std::vector<MappingTemplate> templates;
};

enum class IntegrationType : uint8_t { kMock, kHttp, kHttpProxy, kAws, kAwsProxy };

struct Integration {
  IntegrationType type = IntegrationType::kMock;
  std::string passthrough_behavior;  // WHEN_NO_MATCH, WHEN_NO_TEMPLATES, NEVER
  std::vector<MappingTemplate> request_templates;
  std::vector<IntegrationResponse> responses;
  int default_response = -1;  // index into responses, -1: none
};

enum class Authorization : uint8_t { kNone, kAwsIam, kCustom, kCognitoUserPools };

struct Method {
  std::string http_method;  // as declared: "GET", "ANY"
  int32_t resource = -1;
  Authorization authorization = Authorization::kNone;
  bool api_key_required = false;
  Integration integration;
  std::vector<std::string> response_statuses;  // the method responses declared
};

struct Resource {
  std::string id;
  std::string path;                         // the template, "/pets/{petId}"
  std::array<int32_t, kVerbCount> methods;  // index into Deployment::methods(), -1: none
  bool has_methods() const;
};

struct DeploymentSource {
  std::string region, account, api_id, stage, deployment_id;
  bool canary = false;
  // Stage variables, the canary's overrides already applied.
  std::vector<std::pair<std::string, std::string>> variables;
};

class Deployment {
 public:
  // `snapshot` is what CreateDeployment froze: {"api", "resources", "responses", …}.
  static Result<std::shared_ptr<const Deployment>> compile(DeploymentSource source,
                                                           const boost::json::object& snapshot,
                                                           const PolicyCompiler& policies);

  const std::string& region() const { return source_.region; }
  const std::string& account() const { return source_.account; }
  const std::string& api_id() const { return source_.api_id; }
  const std::string& stage() const { return source_.stage; }
  const std::string& deployment_id() const { return source_.deployment_id; }
  bool canary() const { return source_.canary; }
  const std::vector<std::pair<std::string, std::string>>& variables() const {
    return source_.variables;
  }
  const std::string* variable(std::string_view name) const;
  // "arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/": the ARN of a call appends
  // "{VERB}/{path}" (§2.7).
  const std::string& arn_prefix() const { return arn_prefix_; }
  const Router& router() const { return router_; }
  const std::vector<Resource>& resources() const { return resources_; }
  const std::vector<Method>& methods() const { return methods_; }
  const GatewayResponses& responses() const { return responses_; }
  const CompiledPolicy* policy() const { return policy_.get(); }
  // The API has a policy that no longer compiles: every call is denied (fail closed).
  bool policy_broken() const { return policy_broken_; }
  bool disable_execute_api_endpoint() const { return disable_execute_api_endpoint_; }

  // The method a verb reaches on a resource: the verb's own, else ANY, else null. HEAD is
  // not implied by GET (§2.5); a verb outside the seven reaches nothing.
  const Method* method_for(int32_t resource, std::string_view verb) const;

 private:
  DeploymentSource source_;
  std::string arn_prefix_;
  Router router_;
  std::vector<Resource> resources_;
  std::vector<Method> methods_;
  GatewayResponses responses_;
  std::shared_ptr<const CompiledPolicy> policy_;
  bool disable_execute_api_endpoint_ = false;
  bool policy_broken_ = false;
};

// Expands the "execute-api:/…" shorthand of an API Gateway resource policy into full ARNs of
// this API ("arn:aws:execute-api:{region}:{account}:{apiId}/…"), as API Gateway does.
std::string expand_policy_shorthand(std::string_view policy, std::string_view region,
                                    std::string_view account, std::string_view api_id);

}  // namespace portcullis::gateway
