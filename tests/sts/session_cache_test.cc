#include "sts/session_cache.h"

#include <gtest/gtest.h>

namespace portcullis::sts {
namespace {

const SystemTime kNow = SystemTime(std::chrono::seconds(1'800'000'000));

SessionCaller caller(std::string secret) {
  return SessionCaller{std::make_shared<const iam::PrincipalEntry>(), std::move(secret)};
}

TEST(SessionCache, FindsWhatWasPutForTheSameKeySnapshotAndTime) {
  SessionCache cache;
  cache.put("token-a", "ASIA1", 7, kNow + std::chrono::seconds(60), caller("s-a"));
  auto hit = cache.find("token-a", "ASIA1", 7, kNow);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->secret_access_key, "s-a");
  EXPECT_FALSE(cache.find("token-b", "ASIA1", 7, kNow).has_value());
  // Another access key id with the same token is not this session.
  EXPECT_FALSE(cache.find("token-a", "ASIA2", 7, kNow).has_value());
}

TEST(SessionCache, DropsEntriesOfAReplacedSnapshotAndExpiredSessions) {
  SessionCache cache;
  cache.put("token-a", "ASIA1", 7, kNow + std::chrono::seconds(60), caller("s-a"));
  EXPECT_FALSE(cache.find("token-a", "ASIA1", 8, kNow).has_value());
  EXPECT_EQ(cache.size(), 0u);  // dropped, not kept beside
  cache.put("token-a", "ASIA1", 8, kNow + std::chrono::seconds(60), caller("s-a"));
  EXPECT_TRUE(cache.find("token-a", "ASIA1", 8, kNow + std::chrono::seconds(59)).has_value());
  EXPECT_FALSE(cache.find("token-a", "ASIA1", 8, kNow + std::chrono::seconds(60)).has_value());
  EXPECT_EQ(cache.size(), 0u);
}

TEST(SessionCache, IsBounded) {
  SessionCache cache;
  for (size_t i = 0; i < SessionCache::kMaxEntries + 10; ++i)
    cache.put("token-" + std::to_string(i), "ASIA1", 1, kNow + std::chrono::seconds(60),
              caller("s"));
  EXPECT_LE(cache.size(), SessionCache::kMaxEntries);
  EXPECT_TRUE(cache.find("token-" + std::to_string(SessionCache::kMaxEntries + 9), "ASIA1", 1, kNow)
                  .has_value());
}

}  // namespace
}  // namespace portcullis::sts
