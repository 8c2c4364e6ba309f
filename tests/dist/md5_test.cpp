// The handshake digest's MD5 against RFC 1321's test suite (appendix A.5).

#include <gtest/gtest.h>

#include "dist/md5.hpp"

namespace {

std::string hex(const otp::dist::detail::md5_digest& d) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : d) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

}  // namespace

TEST(Md5, Rfc1321TestSuite) {
  using otp::dist::detail::md5;
  EXPECT_EQ(hex(md5("")), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(hex(md5("a")), "0cc175b9c0f1b6a831c399e269772661");
  EXPECT_EQ(hex(md5("abc")), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(hex(md5("message digest")), "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(hex(md5("abcdefghijklmnopqrstuvwxyz")), "c3fcd3d76192e4007dfb496cca67e13b");
  EXPECT_EQ(hex(md5("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")),
            "d174ab98d277d9f5a5611c2c9f419d9f");
  EXPECT_EQ(hex(md5("12345678901234567890123456789012345678901234567890123456789012345678901234567890")),
            "57edf4a22be3c955ac49da2e2107b67a");
}

// The digest is MD5 of the cookie followed by the challenge in decimal (unsigned, no padding).
TEST(Md5, ChallengeDigestIsOverCookieAndDecimalChallenge) {
  using namespace otp::dist::detail;
  EXPECT_EQ(challenge_digest("secret", 4294967295u), md5("secret4294967295"));
  EXPECT_EQ(challenge_digest("secret", 7), md5("secret7"));
}
