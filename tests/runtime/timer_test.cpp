// erlang:send_after/3, start_timer/3, cancel_timer/1, read_timer/1.

#include <gtest/gtest.h>

#include <otp/runtime.hpp>

#include "support/runtime_support.hpp"

using namespace otp;
using namespace otp::literals;
using namespace otp::test;

TEST(Timer, SendAfterDeliversPlainMessage) {
  node n({.schedulers = 2});
  term got = n.run([] {
    send_after(timeout::ms(5), self(), "tick"_a);
    return next_message();
  });
  EXPECT_EQ(got, term("tick"_a));
}

TEST(Timer, StartTimerWrapsInTimeoutTuple) {
  node n({.schedulers = 2});
  auto [got, tref] = n.run([] {
    ref r = start_timer(timeout::ms(5), self(), "tock"_a);
    return std::pair{next_message(), r};
  });
  EXPECT_EQ(got, tuple(atoms::timeout, tref, "tock"_a));
}

// A cancelled timer never fires; cancel_timer reports the time that was left, then false.
TEST(Timer, CancelTimerStopsDeliveryAndReportsTimeLeft) {
  node n({.schedulers = 2});
  auto [left, again, read, none] = n.run([] {
    ref r = send_after(timeout::ms(60000), self(), "never"_a);
    auto read = read_timer(r);
    auto left = cancel_timer(r);
    auto again = cancel_timer(r);
    send_after(timeout::ms(20), self(), "later"_a);
    bool only_later = next_message() == term("later"_a);
    return std::tuple{left, again, read, only_later};
  });
  ASSERT_TRUE(left.has_value());
  EXPECT_GT(*left, 50000);
  EXPECT_FALSE(again.has_value());
  ASSERT_TRUE(read.has_value());
  EXPECT_TRUE(none);
}

// A timer aimed at a dead process fires into the void without harm.
TEST(Timer, TimerToDeadProcessIsHarmless) {
  node n({.schedulers = 2});
  bool ok = n.run([] {
    auto [p, m] = spawn_monitor([] {});
    next_down(m);
    send_after(timeout::ms(1), p, "lost"_a);
    send_after(timeout::ms(10), self(), "mine"_a);
    return next_message() == term("mine"_a);
  });
  EXPECT_TRUE(ok);
}

// Timers fire in deadline order.
TEST(Timer, FireInDeadlineOrder) {
  node n({.schedulers = 2});
  std::vector<term> got = n.run([] {
    send_after(timeout::ms(30), self(), 3);
    send_after(timeout::ms(10), self(), 1);
    send_after(timeout::ms(20), self(), 2);
    return std::vector<term>{next_message(), next_message(), next_message()};
  });
  EXPECT_EQ(got, (std::vector<term>{1, 2, 3}));
}
