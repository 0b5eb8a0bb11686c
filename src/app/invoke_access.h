// The invoke path's AccessControl: SigV4 for execute-api with the control plane's key and
// session lookup, and execute-api:Invoke decided by the IAM policy engine with the API's
// resource policy.
#pragma once

#include <string>
#include <vector>

#include "app/config.h"
#include "gateway/invoke/access.h"
#include "iam/iam_api.h"
#include "sts/sts_service.h"

namespace portcullis::app {

class InvokeAccess final : public gateway::invoke::AccessControl {
 public:
  InvokeAccess(const Config& config, iam::IamService& iam, const sts::StsService& sts,
               const Clock& clock);

  Result<Authenticated> authenticate(const http::Request& request,
                                     std::string_view region) const override;
  Denial authorize(const gateway::invoke::Caller* caller, const gateway::CompiledPolicy* policy,
                   std::string_view arn, const http::Request& request,
                   std::string_view region) const override;
  Result<std::shared_ptr<const gateway::CompiledPolicy>> compile_policy(
      std::string_view document) const override;

 private:
  iam::IamService& iam_;
  const sts::StsService& sts_;
  const Clock& clock_;
  std::chrono::seconds skew_;
};

}  // namespace portcullis::app
