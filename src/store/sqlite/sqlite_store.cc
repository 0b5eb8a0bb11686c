// The embedded store on SQLite: one table of documents, WAL, synchronous=FULL (a committed
// write survives a crash of the process or the machine), schema versioned with migrations.
#include <sqlite3.h>

#include <atomic>
#include <mutex>

#include "store/store.h"

namespace portcullis::store {

namespace {

// Each entry brings the schema from version i to i + 1.
constexpr const char* kMigrations[] = {
    "CREATE TABLE documents (tbl TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
    " PRIMARY KEY (tbl, key)) WITHOUT ROWID;",
};

constexpr int kReaders = 4;

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) != SQLITE_OK)
      stmt_ = nullptr;
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  sqlite3_stmt* get() { return stmt_; }
  bool ok() const { return stmt_ != nullptr; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// Resets a statement when the scope ends, whatever happened.
struct Reset {
  sqlite3_stmt* s;
  ~Reset() {
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
  }
};

void bind(sqlite3_stmt* s, int i, std::string_view v) {
  // A null pointer would bind SQL NULL; an empty view must bind the empty string.
  sqlite3_bind_text(s, i, v.data() ? v.data() : "", static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

std::string column(sqlite3_stmt* s, int i) {
  const unsigned char* p = sqlite3_column_text(s, i);
  return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(s, i))
           : std::string();
}

// One SQLite connection with its prepared statements, and the Transaction its calls make.
class Connection final : public Transaction {
 public:
  explicit Connection(sqlite3* db)
      : db_(db),
        get_(db, "SELECT value FROM documents WHERE tbl = ?1 AND key = ?2"),
        put_(db,
             "INSERT INTO documents (tbl, key, value) VALUES (?1, ?2, ?3)"
             " ON CONFLICT (tbl, key) DO UPDATE SET value = excluded.value"),
        erase_(db, "DELETE FROM documents WHERE tbl = ?1 AND key = ?2"),
        scan_(db,
              "SELECT key, value FROM documents WHERE tbl = ?1 AND key >= ?2"
              " AND substr(key, 1, length(?2)) = ?2 ORDER BY key") {}
  // close_v2 defers the close until the members' statements are finalized.
  ~Connection() override { sqlite3_close_v2(db_); }

  bool prepared() const { return get_.ok() && put_.ok() && erase_.ok() && scan_.ok(); }

  // Runs `fn` in a transaction begun with `begin`: committed when it succeeds, rolled back when
  // it fails.
  Status run(const char* begin, const std::function<Status(Transaction&)>& fn) {
    PC_CHECK(exec(begin));
    Status result = guarded(fn);
    if (result) result = exec("COMMIT");
    if (!result) {
      exec("ROLLBACK");
      return result;
    }
    return {};
  }

  std::mutex mu;  // one transaction at a time on a connection

 private:
  // An exception escaping `fn` fails the transaction (which is then rolled back) instead of
  // leaving it open for good.
  Status guarded(const std::function<Status(Transaction&)>& fn) {
    try {
      return fn(*this);
    } catch (const std::exception& e) {
      return fail(ErrorCode::kInternal, std::string("store transaction failed: ") + e.what());
    }
  }

  Status exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      return fail(ErrorCode::kInternal, std::string("store: ") + msg);
    }
    return {};
  }

  Status error(const char* what) {
    return fail(ErrorCode::kInternal, std::string("store: ") + what + ": " + sqlite3_errmsg(db_));
  }

  Result<std::optional<std::string>> get(std::string_view table, std::string_view key) override {
    sqlite3_stmt* s = get_.get();
    Reset r{s};
    bind(s, 1, table);
    bind(s, 2, key);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) return std::optional<std::string>(column(s, 0));
    if (rc == SQLITE_DONE) return std::optional<std::string>();
    return std::unexpected(error("get").error());
  }

  Status put(std::string_view table, std::string_view key, std::string_view value) override {
    sqlite3_stmt* s = put_.get();
    Reset r{s};
    bind(s, 1, table);
    bind(s, 2, key);
    bind(s, 3, value);
    return sqlite3_step(s) == SQLITE_DONE ? Status{} : error("put");
  }

  Status erase(std::string_view table, std::string_view key) override {
    sqlite3_stmt* s = erase_.get();
    Reset r{s};
    bind(s, 1, table);
    bind(s, 2, key);
    return sqlite3_step(s) == SQLITE_DONE ? Status{} : error("erase");
  }

  Result<std::vector<Row>> scan(std::string_view table, std::string_view prefix) override {
    sqlite3_stmt* s = scan_.get();
    Reset r{s};
    bind(s, 1, table);
    bind(s, 2, prefix);
    std::vector<Row> rows;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) rows.emplace_back(column(s, 0), column(s, 1));
    if (rc != SQLITE_DONE) return std::unexpected(error("scan").error());
    return rows;
  }

  sqlite3* db_;
  Statement get_, put_, erase_, scan_;
};

// The store: one connection for writes, serialized, and a few read-only connections, so that
// reads (in WAL mode, of the last committed state) neither wait for writes nor for each other.
class SqliteStore final : public Store {
 public:
  SqliteStore(std::unique_ptr<Connection> writer, std::vector<std::unique_ptr<Connection>> readers)
      : writer_(std::move(writer)), readers_(std::move(readers)) {}

  Status write(const std::function<Status(Transaction&)>& fn) override {
    std::lock_guard lock(writer_->mu);
    PC_CHECK(writer_->run("BEGIN IMMEDIATE", fn));
    ++version_;
    return {};
  }

  Status read(const std::function<Status(Transaction&)>& fn) override {
    // A free reader if there is one, else the next in turn.
    for (auto& r : readers_) {
      std::unique_lock lock(r->mu, std::try_to_lock);
      if (lock.owns_lock()) return r->run("BEGIN", fn);
    }
    Connection& r = *readers_[next_.fetch_add(1) % readers_.size()];
    std::lock_guard lock(r.mu);
    return r.run("BEGIN", fn);
  }

  uint64_t version() const override { return version_.load(); }

 private:
  std::unique_ptr<Connection> writer_;
  std::vector<std::unique_ptr<Connection>> readers_;
  std::atomic<size_t> next_{0};
  std::atomic<uint64_t> version_{0};
};

Status migrate(sqlite3* db) {
  auto exec = [db](const std::string& sql) -> Status {
    char* err = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      return fail(ErrorCode::kInternal, "store migration: " + msg);
    }
    return {};
  };
  if (auto st = exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
      !st)
    return st;
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, nullptr);
  int version = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
  sqlite3_finalize(s);
  const int target = static_cast<int>(std::size(kMigrations));
  if (version > target)
    return fail(ErrorCode::kInternal, "store schema version " + std::to_string(version) +
                                          " is newer than this build understands (" +
                                          std::to_string(target) + ")");
  for (int v = version; v < target; ++v) {
    std::string sql = std::string("BEGIN IMMEDIATE; ") + kMigrations[v] +
                      " PRAGMA user_version = " + std::to_string(v + 1) + "; COMMIT;";
    if (auto st = exec(sql); !st) {
      exec("ROLLBACK");
      return st;
    }
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<Store>> open_sqlite(const std::string& path) {
  auto open = [&](int flags) -> Result<sqlite3*> {
    sqlite3* db = nullptr;
    if (int rc = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
        rc != SQLITE_OK) {
      std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
      sqlite3_close_v2(db);
      return fail(ErrorCode::kInternal, "cannot open store " + path + ": " + msg);
    }
    sqlite3_busy_timeout(db, 5000);
    return db;
  };
  sqlite3* db = PC_TRY(open(SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
  if (auto st = migrate(db); !st) {
    sqlite3_close_v2(db);
    return std::unexpected(st.error());
  }
  auto writer = std::make_unique<Connection>(db);
  if (!writer->prepared()) return fail(ErrorCode::kInternal, "store: cannot prepare statements");
  // As many readers as control-plane calls may run at once is plenty; fewer only queue reads.
  std::vector<std::unique_ptr<Connection>> readers;
  for (int i = 0; i < kReaders; ++i) {
    auto reader = std::make_unique<Connection>(PC_TRY(open(SQLITE_OPEN_READONLY)));
    if (!reader->prepared()) return fail(ErrorCode::kInternal, "store: cannot prepare statements");
    readers.push_back(std::move(reader));
  }
  return std::unique_ptr<Store>(std::make_unique<SqliteStore>(std::move(writer), std::move(readers)));
}

}  // namespace portcullis::store
