#include "core/seal.h"

#include <gtest/gtest.h>

#include "core/crypto.h"

namespace portcullis::crypto {
namespace {

TEST(Seal, RoundTripAndTamperDetection) {
  std::string key = random_bytes(kSealKeyBytes);
  std::string sealed = seal(key, "secret-value", "AKIAEXAMPLE");
  EXPECT_EQ(sealed.find("secret-value"), std::string::npos);
  auto opened = open(key, sealed, "AKIAEXAMPLE");
  ASSERT_TRUE(opened.has_value());
  EXPECT_EQ(*opened, "secret-value");
  EXPECT_FALSE(open(key, sealed, "AKIAOTHER").has_value());  // other associated data
  EXPECT_FALSE(open(random_bytes(kSealKeyBytes), sealed, "AKIAEXAMPLE").has_value());
  for (size_t i = 0; i < sealed.size(); ++i) {  // every byte matters
    std::string t = sealed;
    t[i] = static_cast<char>(t[i] ^ 1);
    EXPECT_FALSE(open(key, t, "AKIAEXAMPLE").has_value()) << i;
  }
  EXPECT_NE(seal(key, "x"), seal(key, "x"));  // fresh nonces
}

}  // namespace
}  // namespace portcullis::crypto
