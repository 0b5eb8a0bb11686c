#include <gtest/gtest.h>

#include <filesystem>

#include "sts/sts_service.h"

namespace portcullis::sts {
namespace {

using std::chrono::seconds;
const SystemTime kNow = SystemTime(seconds(1'800'000'000));

TEST(AssertionLog, ReplaysRefusedAndGarbageRowsAnError) {
  auto dir = std::filesystem::temp_directory_path() / ("pc-assert-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto store = store::open_sqlite((dir / "t.db").string());
  ASSERT_TRUE(store.has_value());
  AssertionLog log(**store);
  auto first = log.first_use("a1", kNow + seconds(300), kNow);
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(*first);
  auto again = log.first_use("a1", kNow + seconds(300), kNow + seconds(1));
  ASSERT_TRUE(again.has_value());
  EXPECT_FALSE(*again);

  // A stored expiry that is not a number (a hand-edited state): an error, never an exception.
  ASSERT_TRUE((*store)->write([](store::Transaction& txn) {
    return txn.put("sts.assertions", "a2", "12abc");
  }).has_value());
  auto r = log.first_use("a2", kNow + seconds(300), kNow + seconds(2));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
  EXPECT_NE(r.error().message.find("sts.assertions/a2"), std::string::npos) << r.error().message;
  // The sweep (once a minute) meets it too.
  r = log.first_use("a3", kNow + seconds(300), kNow + seconds(120));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace portcullis::sts
