#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <future>
#include <thread>

#include "store/store.h"

namespace portcullis::store {
namespace {

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pc-store-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::unique_ptr<Store> open() {
    auto s = open_sqlite((dir_ / "t.db").string());
    EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().message);
    return s ? std::move(*s) : nullptr;
  }
  std::filesystem::path dir_;
};

// Reads run on their own connections: one made while a write is open does not wait for it, and
// sees the last committed state.
TEST_F(SqliteStoreTest, ReadsDoNotWaitForAnOpenWrite) {
  auto s = open();
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->write([](Transaction& t) { return t.put("t", "k", "v1"); }));
  std::promise<void> writing, read_done;
  std::future<void> read_finished = read_done.get_future();
  std::thread writer([&] {
    (void)s->write([&](Transaction& t) -> Status {
      PC_CHECK(t.put("t", "k", "v2"));
      writing.set_value();
      // Held open until the read finished (or 5 s passed: the read then waited for us).
      read_finished.wait_for(std::chrono::seconds(5));
      return {};
    });
  });
  writing.get_future().wait();
  std::string seen;
  auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(s->read([&](Transaction& t) -> Status {
    seen = PC_TRY(t.get("t", "k")).value_or("");
    return {};
  }));
  bool waited = std::chrono::steady_clock::now() - started >= std::chrono::seconds(4);
  read_done.set_value();
  writer.join();
  EXPECT_FALSE(waited);
  EXPECT_EQ(seen, "v1");
  std::string after;
  ASSERT_TRUE(s->read([&](Transaction& t) -> Status {
    after = PC_TRY(t.get("t", "k")).value_or("");
    return {};
  }));
  EXPECT_EQ(after, "v2");
}

TEST_F(SqliteStoreTest, PutGetEraseScan) {
  auto s = open();
  ASSERT_TRUE(s->write([](Transaction& t) -> Status {
    if (auto st = t.put("a", "k2", "v2"); !st) return st;
    if (auto st = t.put("a", "k1", "v1"); !st) return st;
    if (auto st = t.put("a", "x1", "vx"); !st) return st;
    return t.put("b", "k1", "other");
  }));
  ASSERT_TRUE(s->read([](Transaction& t) -> Status {
    EXPECT_EQ(*t.get("a", "k1"), std::optional<std::string>("v1"));
    EXPECT_EQ(*t.get("a", "missing"), std::nullopt);
    auto all = t.scan("a");
    EXPECT_EQ(all->size(), 3u);
    EXPECT_EQ((*all)[0].first, "k1");  // key order
    auto k = t.scan("a", "k");
    EXPECT_EQ(k->size(), 2u);
    return {};
  }));
  ASSERT_TRUE(s->write([](Transaction& t) { return t.erase("a", "k1"); }));
  ASSERT_TRUE(s->read([](Transaction& t) -> Status {
    EXPECT_EQ(*t.get("a", "k1"), std::nullopt);
    EXPECT_EQ(t.scan("a")->size(), 2u);
    return {};
  }));
}

TEST_F(SqliteStoreTest, FailedWriteChangesNothing) {
  auto s = open();
  ASSERT_TRUE(s->write([](Transaction& t) { return t.put("a", "k", "before"); }));
  uint64_t version = s->version();
  Status st = s->write([](Transaction& t) -> Status {
    if (auto r = t.put("a", "k", "after"); !r) return r;
    if (auto r = t.put("a", "new", "x"); !r) return r;
    return fail(ErrorCode::kValidationError, "rejected");
  });
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().message, "rejected");
  EXPECT_EQ(s->version(), version);
  ASSERT_TRUE(s->read([](Transaction& t) -> Status {
    EXPECT_EQ(*t.get("a", "k"), std::optional<std::string>("before"));
    EXPECT_EQ(*t.get("a", "new"), std::nullopt);
    return {};
  }));
}

TEST_F(SqliteStoreTest, ReopenKeepsDataAndSchema) {
  {
    auto s = open();
    ASSERT_TRUE(s->write([](Transaction& t) { return t.put("a", "k", "v"); }));
  }
  auto s = open();
  ASSERT_TRUE(s->read([](Transaction& t) -> Status {
    EXPECT_EQ(*t.get("a", "k"), std::optional<std::string>("v"));
    return {};
  }));
}

TEST_F(SqliteStoreTest, RefusesANewerSchema) {
  { open(); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "t.db").string().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto s = open_sqlite((dir_ / "t.db").string());
  ASSERT_FALSE(s.has_value());
  EXPECT_NE(s.error().message.find("newer than this build"), std::string::npos);
}

}  // namespace
}  // namespace portcullis::store
