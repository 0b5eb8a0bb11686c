#include "gateway/api/management_api.h"

#include "core/encoding.h"
#include "core/log.h"
#include "gateway/api/call.h"
#include "gateway/compile/snapshot.h"
#include "gateway/openapi/openapi.h"
#include "protocol/errors.h"
#include "sigv4/canonical.h"

namespace portcullis::gateway {

using namespace api;

namespace {

const Op* find_op(std::string_view name) {
  for (auto ops : {restapi_ops(), resource_ops(), integration_ops(), stage_ops(), part_ops(),
                   key_ops(), openapi_ops(), domain_ops(), doc_ops(), client_cert_ops()})
    for (const Op& op : ops)
      if (op.name == name) return &op;
  return nullptr;
}

// The operations name tables as if there were one region; this view of the transaction keeps
// each region's state apart.
std::string regional(std::string_view table, std::string_view region) {
  return regional_table(table, region);
}

class RegionalTransaction final : public store::Transaction {
 public:
  RegionalTransaction(store::Transaction& txn, std::string_view region)
      : txn_(txn), region_(region) {}
  Result<std::optional<std::string>> get(std::string_view table, std::string_view key) override {
    return txn_.get(regional(table, region_), key);
  }
  Status put(std::string_view table, std::string_view key, std::string_view value) override {
    return txn_.put(regional(table, region_), key, value);
  }
  Status erase(std::string_view table, std::string_view key) override {
    return txn_.erase(regional(table, region_), key);
  }
  Result<std::vector<store::Row>> scan(std::string_view table, std::string_view prefix) override {
    return txn_.scan(regional(table, region_), prefix);
  }

 private:
  store::Transaction& txn_;
  std::string_view region_;
};

}  // namespace

ManagementApi::ManagementApi(store::Store& store, std::string account, std::string master_key,
                             const Clock& clock)
    : store_(store),
      account_(std::move(account)),
      master_key_(std::move(master_key)),
      clock_(clock) {}

Status ManagementApi::migrate(std::string_view default_region) {
  size_t moved = 0;
  PC_CHECK(store_.write([&](store::Transaction& txn) -> Status {
    for (std::string_view table : kTables) {
      std::string to = regional(table, default_region);
      for (const auto& [key, value] : PC_TRY(txn.scan(table))) {
        PC_CHECK(txn.put(to, key, value));
        PC_CHECK(txn.erase(table, key));
        ++moved;
      }
    }
    return {};
  }));
  if (moved)
    log::info("apigateway: moved " + std::to_string(moved) +
              " stored items of the single-region layout to region " +
              std::string(default_region));
  return {};
}

void ManagementApi::handle(const http::Request& req, std::string_view region,
                           const Authorize& authorize, http::Response& res) {
  auto fail_with = [&](const Error& e) {
    protocol::write_error(res, protocol::Protocol::kRestJson, e, req.request_id);
  };
  // The path as it was signed: "." and ".." resolved, repeated '/' collapsed.
  std::string path = sigv4::normalize_path(req.path());
  // Authorized first, as AWS does: a caller learns nothing of what it may not call.
  std::string resource =
      "arn:aws:apigateway:" + std::string(region) + "::" + percent_decode(path);
  if (auto st = authorize("apigateway:" + std::string(req.method()), resource); !st)
    return fail_with(st.error());
  auto match = match_route(req.method(), path, req.query());
  if (!match)
    return fail_with(Error{ErrorCode::kInvalidAction, "No API Gateway operation is " +
                                                          std::string(req.method()) + " " +
                                                          path});
  std::string_view op_name = match->route->op;
  const Op* op = find_op(op_name);
  if (!op)
    return fail_with(Error{ErrorCode::kNotImplemented,
                           "Portcullis does not implement the API Gateway operation " +
                               std::string(op_name) + " yet."});

  json::object body;
  if (op->body == Body::kJson && !req.body.empty()) {
    boost::system::error_code ec;
    json::value v = json::parse(req.body, ec);
    if (ec || !v.is_object())
      return fail_with(bad_request("Could not parse request body into json: " +
                                   (ec ? ec.message() : std::string("not a JSON object"))));
    body = std::move(v.get_object());
  } else if (op->body == Body::kDocument) {
    // Parsed here, outside the store's write transaction: a large document holds no lock.
    if (req.body.empty())
      return fail_with(bad_request("Invalid OpenAPI input: the request body is empty"));
    auto document = openapi::parse_document(req.body);
    if (!document) return fail_with(document.error());
    if (!document->is_object())
      return fail_with(bad_request("Invalid OpenAPI input: the document is not an object"));
    body = std::move(document->get_object());
  }

  std::optional<Call> call;
  const bool writes = req.method() != "GET";
  std::optional<Publisher::Built> built;
  auto run = [&](store::Transaction& store_txn) -> Status {
    RegionalTransaction txn(store_txn, region);
    call.emplace(
        Call{*this, req, *match, body, txn, clock_.now(), nullptr, std::nullopt, {},
             std::string(region)});
    try {
      PC_CHECK(op->run(*call));
      // What invocations will see once this commits: a state that cannot be built is a
      // fault of ours, and rolls the call back.
      if (writes && publisher_) built = PC_TRY(publisher_->build(store_txn));
      return {};
    } catch (const std::exception& e) {
      // Input is checked before it is used, and stored documents have the shape we wrote:
      // an exception here is a fault of ours, not the caller's.
      log::error("apigateway " + std::string(op_name) + ": " + e.what());
      return fail(ErrorCode::kInternal, "");
    }
  };
  Status st = writes ? store_.write(run) : store_.read(run);
  if (!st) return fail_with(st.error());
  if (built) publisher_->publish(std::move(*built));

  res.status = match->route->status;
  res.set_header("x-amzn-RequestId", req.request_id);
  for (auto& [k, v] : call->headers) res.set_header(k, v);
  if (call->raw_out) {
    res.body = std::move(*call->raw_out);
  } else if (!call->out.is_null()) {
    res.set_header("Content-Type", "application/json");
    res.body = json::serialize(call->out);
  }
}

}  // namespace portcullis::gateway
