// The Store: where everything the control plane creates is kept. Tables of documents (key →
// JSON text), read and written in transactions; one write transaction per control-plane call.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace portcullis::store {

using Row = std::pair<std::string, std::string>;  // key, value

class Transaction {
 public:
  virtual ~Transaction() = default;
  virtual Result<std::optional<std::string>> get(std::string_view table, std::string_view key) = 0;
  virtual Status put(std::string_view table, std::string_view key, std::string_view value) = 0;
  virtual Status erase(std::string_view table, std::string_view key) = 0;
  // The rows of a table whose key starts with `prefix`, in key order.
  virtual Result<std::vector<Row>> scan(std::string_view table, std::string_view prefix = {}) = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  // Runs `fn` in one transaction, committed when it succeeds and rolled back when it fails:
  // a failed call changes nothing. Writes are serialized.
  virtual Status write(const std::function<Status(Transaction&)>& fn) = 0;
  virtual Status read(const std::function<Status(Transaction&)>& fn) = 0;
  // Increases on every committed write; readers use it to tell whether a snapshot is current.
  virtual uint64_t version() const = 0;
};

// The embedded store: SQLite in WAL mode at `path`, durable once write() returns.
Result<std::unique_ptr<Store>> open_sqlite(const std::string& path);

}  // namespace portcullis::store
