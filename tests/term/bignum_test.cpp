// Integers of any size: the 63-bit immediate boundary, int64/uint64 boundaries, decimal text and
// the ETF magnitude layout (sign + little-endian bytes).

#include <gtest/gtest.h>

#include <otp/term/term.hpp>

using namespace otp;

namespace {
std::string dec(const term& t) { return integer_to_string(t); }
}  // namespace

TEST(Integer, SmallImmediateRangeIs63Bits) {
  EXPECT_TRUE(term(term::small_max).is_small());
  EXPECT_TRUE(term(term::small_min).is_small());
  EXPECT_FALSE(term(term::small_max + 1).is_small());
  EXPECT_FALSE(term(term::small_min - 1).is_small());
  EXPECT_TRUE(term(term::small_max + 1).is_integer());
  EXPECT_EQ(term(term::small_max + 1).type(), term_type::integer);
}

TEST(Integer, BoundariesAround2To62) {
  EXPECT_EQ(dec(term(int64_t(1) << 62)), "4611686018427387904");
  EXPECT_EQ(dec(term(-(int64_t(1) << 62))), "-4611686018427387904");
  EXPECT_EQ(dec(term(-(int64_t(1) << 62) - 1)), "-4611686018427387905");
  EXPECT_EQ(term(int64_t(1) << 62).as_int(), int64_t(1) << 62);
  EXPECT_EQ(term(-(int64_t(1) << 62) - 1).as_int(), -(int64_t(1) << 62) - 1);
}

TEST(Integer, BoundariesAround2To63) {
  EXPECT_EQ(dec(term(INT64_MAX)), "9223372036854775807");
  EXPECT_EQ(dec(term(INT64_MIN)), "-9223372036854775808");
  EXPECT_EQ(term(INT64_MAX).as_int(), INT64_MAX);
  EXPECT_EQ(term(INT64_MIN).as_int(), INT64_MIN);
  EXPECT_EQ(dec(term(uint64_t(1) << 63)), "9223372036854775808");
  EXPECT_FALSE(term(uint64_t(1) << 63).to_int64().has_value());
  EXPECT_FALSE(integer_from_string("-9223372036854775809").to_int64().has_value());
  EXPECT_THROW((void)term(uint64_t(1) << 63).as_int(), bad_term_access);
}

TEST(Integer, BoundariesAround2To64) {
  EXPECT_EQ(dec(term(UINT64_MAX)), "18446744073709551615");
  const term two64 = integer_from_string("18446744073709551616");
  EXPECT_EQ(dec(two64), "18446744073709551616");
  EXPECT_LT(term(UINT64_MAX), two64);
  bool neg = true;
  EXPECT_EQ(integer_magnitude(two64, &neg), (std::vector<uint8_t>{0, 0, 0, 0, 0, 0, 0, 0, 1}));
  EXPECT_FALSE(neg);
}

TEST(Integer, DecimalTextRoundTrips) {
  for (const char* s : {"0", "1", "-1", "999999999", "1000000000", "-1000000000000000000000",
                        "123456789012345678901234567890123456789012345678901234567890",
                        "-340282366920938463463374607431768211456"}) {
    EXPECT_EQ(dec(integer_from_string(s)), s);
  }
  EXPECT_EQ(dec(integer_from_string("+42")), "42");
  EXPECT_EQ(dec(integer_from_string("-0")), "0");
  EXPECT_EQ(dec(integer_from_string("000123")), "123");
}

TEST(Integer, FromStringRejectsNonDigits) {
  EXPECT_THROW(integer_from_string(""), std::invalid_argument);
  EXPECT_THROW(integer_from_string("-"), std::invalid_argument);
  EXPECT_THROW(integer_from_string("12a"), std::invalid_argument);
  EXPECT_THROW(integer_from_string("1.5"), std::invalid_argument);
}

// Normalisation: leading zero bytes are dropped, and a value that fits becomes a small integer,
// so equal integers have one representation (and compare equal bit for bit).
TEST(Integer, FromMagnitudeNormalises) {
  const uint8_t five[] = {5, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  const term t = integer_from_magnitude(false, five);
  EXPECT_TRUE(t.is_small());
  EXPECT_EQ(t, term(5));
  const uint8_t zero[] = {0, 0};
  EXPECT_EQ(integer_from_magnitude(true, zero), term(0));
  const uint8_t two62[] = {0, 0, 0, 0, 0, 0, 0, 0x40};
  EXPECT_TRUE(integer_from_magnitude(true, two62).is_small());  // -2^62 is the smallest immediate
  EXPECT_FALSE(integer_from_magnitude(false, two62).is_small());
  EXPECT_EQ(integer_from_magnitude(false, two62), term(int64_t(1) << 62));
}

TEST(Integer, MagnitudeRoundTrips) {
  for (const char* s : {"0", "7", "-7", "4611686018427387904", "-18446744073709551616",
                        "98765432109876543210987654321098765432109876543210"}) {
    const term t = integer_from_string(s);
    bool neg = false;
    const auto mag = integer_magnitude(t, &neg);
    EXPECT_TRUE(mag.empty() || mag.back() != 0);
    EXPECT_EQ(integer_from_magnitude(neg, mag), t) << s;
  }
}

TEST(Integer, AsNumberConvertsBigIntegers) {
  EXPECT_DOUBLE_EQ(integer_from_string("18446744073709551616").as_number(), 18446744073709551616.0);
  EXPECT_DOUBLE_EQ(integer_from_string("-1" + std::string(30, '0')).as_number(), -1e30);
  EXPECT_DOUBLE_EQ(term(3).as_number(), 3.0);
}

TEST(Float, NanAndInfinityAreNotErlangFloats) {
  EXPECT_THROW(term(std::numeric_limits<double>::quiet_NaN()), std::domain_error);
  EXPECT_THROW(term(std::numeric_limits<double>::infinity()), std::domain_error);
  EXPECT_THROW(term(-std::numeric_limits<double>::infinity()), std::domain_error);
  EXPECT_EQ(term(2.5).as_float(), 2.5);
  EXPECT_TRUE(term(2.5).is_float());
  EXPECT_THROW((void)term(2).as_float(), bad_term_access);
}
