#include "sts/session_token.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/crypto.h"

namespace portcullis::sts {
namespace {

using std::chrono::seconds;
const SystemTime kNow = SystemTime(seconds(1'800'000'000));

SessionClaims claims() {
  SessionClaims c;
  c.access_key_id = "ASIAEXAMPLEEXAMPLE1";
  c.secret_access_key = "secret/with+chars";
  c.account = "000000000000";
  c.name = "reader";
  c.session_name = "s1";
  c.unique_id = "AROAEXAMPLE";
  c.issued = 1'800'000'000;
  c.expires = c.issued + 900;
  c.policy = R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}})";
  c.policy_arns = {"arn:aws:iam::aws:policy/IAMReadOnlyAccess"};
  c.tags = {{"team", "pets"}, {"cost", ""}};
  c.transitive_tag_keys = {"team"};
  c.source_identity = "alice";
  c.chained = true;
  return c;
}

TEST(SessionToken, RoundTripsEveryClaim) {
  TokenKeys keys = TokenKeys::with_key("keyid-01", crypto::random_bytes(32));
  std::string token = keys.seal(claims());
  EXPECT_TRUE(token.starts_with("PCS1"));
  EXPECT_EQ(token.find("secret"), std::string::npos);  // sealed, not encoded
  EXPECT_EQ(token.find_first_of("+/="), std::string::npos);  // safe in URLs and headers
  auto c = keys.open(token, kNow);
  ASSERT_TRUE(c.has_value()) << c.error().message;
  SessionClaims want = claims();
  EXPECT_EQ(c->access_key_id, want.access_key_id);
  EXPECT_EQ(c->secret_access_key, want.secret_access_key);
  EXPECT_EQ(c->name, want.name);
  EXPECT_EQ(c->session_name, want.session_name);
  EXPECT_EQ(c->expires, want.expires);
  EXPECT_EQ(c->policy, want.policy);
  EXPECT_EQ(c->policy_arns, want.policy_arns);
  EXPECT_EQ(c->tags, want.tags);
  EXPECT_EQ(c->transitive_tag_keys, want.transitive_tag_keys);
  EXPECT_EQ(c->source_identity, want.source_identity);
  EXPECT_TRUE(c->chained);
}

TEST(SessionToken, ExpiryTamperingAndUnknownKeys) {
  TokenKeys keys = TokenKeys::with_key("keyid-01", crypto::random_bytes(32));
  std::string token = keys.seal(claims());
  EXPECT_TRUE(keys.open(token, kNow + seconds(899)).has_value());
  auto expired = keys.open(token, kNow + seconds(900));
  ASSERT_FALSE(expired.has_value());
  EXPECT_EQ(expired.error().code, ErrorCode::kExpiredToken);
  // Every character matters.
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (size_t i = 0; i < token.size(); ++i) {
    std::string t = token;
    t[i] = alphabet[(alphabet.find(t[i]) + 1) % alphabet.size()];
    auto r = keys.open(t, kNow);
    ASSERT_FALSE(r.has_value()) << i;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidClientTokenId) << i;
  }
  TokenKeys other = TokenKeys::with_key("keyid-01", crypto::random_bytes(32));  // same id
  EXPECT_EQ(other.open(token, kNow).error().code, ErrorCode::kInvalidClientTokenId);
  TokenKeys unknown = TokenKeys::with_key("keyid-02", crypto::random_bytes(32));
  EXPECT_EQ(unknown.open(token, kNow).error().code, ErrorCode::kInvalidClientTokenId);
  EXPECT_EQ(keys.open("", kNow).error().code, ErrorCode::kInvalidClientTokenId);
  EXPECT_EQ(keys.open("PCS1!!!", kNow).error().code, ErrorCode::kInvalidClientTokenId);
}

TEST(SessionToken, KeysRotateWithOldTokensValid) {
  auto dir = std::filesystem::temp_directory_path() / ("pc-sts-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto store = store::open_sqlite((dir / "t.db").string());
  ASSERT_TRUE(store.has_value());
  const std::string master = crypto::random_bytes(32);
  const auto day = std::chrono::hours(24);

  auto first = TokenKeys::load(**store, master, kNow, day);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->size(), 1u);
  std::string old_token = first->seal(claims());
  SessionClaims long_lived = claims();
  long_lived.expires = long_lived.issued + 3 * 86400;
  std::string long_token = first->seal(long_lived);

  // Reloaded before the rotation age: the same key.
  auto same = TokenKeys::load(**store, master, kNow + std::chrono::hours(1), day);
  EXPECT_EQ(same->size(), 1u);
  EXPECT_TRUE(same->open(old_token, kNow).has_value());

  // After a day a new key seals, and the old one still opens its tokens.
  auto rotated = TokenKeys::load(**store, master, kNow + day + seconds(1), day);
  EXPECT_EQ(rotated->size(), 2u);
  std::string new_token = rotated->seal(claims());
  EXPECT_TRUE(rotated->open(old_token, kNow).has_value());
  EXPECT_TRUE(rotated->open(new_token, kNow).has_value());
  EXPECT_FALSE(first->open(new_token, kNow).has_value());

  // Once replaced for longer than the longest session (36 h), the old key is dropped.
  auto later = TokenKeys::load(**store, master, kNow + 3 * day, day);
  EXPECT_FALSE(later->open(long_token, kNow).has_value());

  // The keys are sealed under the master key: another master key cannot load them.
  auto wrong = TokenKeys::load(**store, crypto::random_bytes(32), kNow, day);
  EXPECT_FALSE(wrong.has_value());
  std::filesystem::remove_all(dir);
}

TEST(SessionToken, CorruptKeyRowsAreAnErrorNotAnException) {
  auto dir = std::filesystem::temp_directory_path() / ("pc-sts-bad-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto store = store::open_sqlite((dir / "t.db").string());
  ASSERT_TRUE(store.has_value());
  const std::string master = crypto::random_bytes(32);
  ASSERT_TRUE(TokenKeys::load(**store, master, kNow, std::chrono::hours(24)).has_value());
  std::string good;
  ASSERT_TRUE((*store)->write([&](store::Transaction& txn) -> Status {
    auto rows = PC_TRY(txn.scan("sts.keys"));
    good = rows.at(0).second;
    return {};
  }).has_value());
  const std::string bad_rows[] = {"not json", "[1,2]", R"({"created":1})",
                                  R"({"created":"soon","sealed":"AAAA"})",
                                  R"({"created":1,"sealed":7})"};
  for (const std::string& bad : bad_rows) {
    ASSERT_TRUE((*store)->write([&](store::Transaction& txn) {
      return txn.put("sts.keys", "AAAAAAAAAAA", bad);
    }).has_value());
    auto r = TokenKeys::load(**store, master, kNow, std::chrono::hours(24));
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInternal);
    EXPECT_NE(r.error().message.find("sts.keys"), std::string::npos) << r.error().message;
  }
  // A well-formed record under an id that is not base64url.
  ASSERT_TRUE((*store)->write([&](store::Transaction& txn) -> Status {
    PC_CHECK(txn.erase("sts.keys", "AAAAAAAAAAA"));
    return txn.put("sts.keys", "not*base64", good);
  }).has_value());
  auto r = TokenKeys::load(**store, master, kNow, std::chrono::hours(24));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace portcullis::sts
