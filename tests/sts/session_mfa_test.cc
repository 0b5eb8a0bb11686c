// The MFA authentication time sealed in session tokens, and tokens sealed before it existed,
// which must still open (without MFA).
#include <gtest/gtest.h>

#include "core/crypto.h"
#include "core/encoding.h"
#include "core/seal.h"
#include "sts/session_token.h"

namespace portcullis::sts {
namespace {

using std::chrono::seconds;
const SystemTime kNow = SystemTime(seconds(1'800'000'000));

std::string b64url(std::string_view bytes) {
  std::string s = base64_encode(bytes);
  for (char& ch : s) ch = ch == '+' ? '-' : ch == '/' ? '_' : ch;
  while (!s.empty() && s.back() == '=') s.pop_back();
  return s;
}

TEST(SessionTokenMfa, RoundTripsTheMfaTime) {
  TokenKeys keys = TokenKeys::with_key("keyid-01", crypto::random_bytes(32));
  SessionClaims c;
  c.access_key_id = "ASIAEXAMPLEEXAMPLE1";
  c.account = "000000000000";
  c.issued = 1'800'000'000;
  c.expires = c.issued + 900;
  c.mfa_time = c.issued - 5;
  auto opened = keys.open(keys.seal(c), kNow);
  ASSERT_TRUE(opened.has_value());
  EXPECT_EQ(opened->mfa_time, c.issued - 5);
  c.mfa_time = 0;
  EXPECT_EQ(keys.open(keys.seal(c), kNow)->mfa_time, 0);
}

TEST(SessionTokenMfa, TokensWithoutTheMemberStillOpen) {
  const std::string id = "keyid-01", key = crypto::random_bytes(32);
  TokenKeys keys = TokenKeys::with_key(id, key);
  // A token as sealed before the MFA time was recorded: no "m" member.
  const std::string old_claims =
      R"({"k":"ASIAEXAMPLEEXAMPLE1","s":"x","r":false,"a":"000000000000","n":"u","sn":"",)"
      R"("u":"AIDAEXAMPLE","i":1800000000,"e":1800000900,"p":"","pa":[],"t":[],"tt":[],)"
      R"("si":"","c":false})";
  std::string token = "PCS1" + b64url(id + crypto::seal(key, old_claims, "PCS1" + id));
  auto opened = keys.open(token, kNow);
  ASSERT_TRUE(opened.has_value()) << opened.error().message;
  EXPECT_EQ(opened->name, "u");
  EXPECT_EQ(opened->mfa_time, 0);
  // A mistyped member still makes the token invalid.
  std::string bad = old_claims;
  bad.insert(bad.size() - 1, R"(,"m":"yes")");
  token = "PCS1" + b64url(id + crypto::seal(key, bad, "PCS1" + id));
  EXPECT_FALSE(keys.open(token, kNow).has_value());
}

}  // namespace
}  // namespace portcullis::sts
