// Construction, classification and accessors of otp::term.

#include <gtest/gtest.h>

#include <otp/term/term.hpp>

using namespace otp;

TEST(Term, DefaultIsNil) {
  term t;
  EXPECT_TRUE(t.is_nil());
  EXPECT_EQ(t.type(), term_type::nil);
}
