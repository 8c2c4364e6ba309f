// Selective receive with `after`, sleep and yield.

#include <gtest/gtest.h>

#include <otp/runtime.hpp>

#include "support/runtime_support.hpp"

using namespace otp;
using namespace otp::literals;
using namespace otp::test;

// Messages that do not match stay in the mailbox, in their order, for later receives.
TEST(Receive, SelectiveReceiveKeepsOthersInOrder) {
  node n({.schedulers = 2});
  std::vector<term> got = n.run([] {
    pid me = self();
    for (int i = 1; i <= 5; ++i) send(me, i);
    std::vector<term> out;
    out.push_back(next_matching([](const term& m) { return m == term(3); }));
    for (int i = 0; i < 4; ++i) out.push_back(next_message());
    return out;
  });
  EXPECT_EQ(got, (std::vector<term>{3, 1, 2, 4, 5}));
}

// receive ... after T returns nothing once T has passed with no matching message.
TEST(Receive, AfterTimesOut) {
  node n({.schedulers = 2});
  bool timed_out = n.run([] { return !receive(timeout::ms(20)).has_value(); });
  EXPECT_TRUE(timed_out);
}

// after 0 checks the mailbox without waiting.
TEST(Receive, AfterZeroPollsMailbox) {
  node n({.schedulers = 1});
  auto [empty, full] = n.run([] {
    bool e = !receive(timeout::ms(0)).has_value();
    send(self(), "x"_a);
    bool f = receive(timeout::ms(0)) == std::optional<term>("x"_a);
    return std::pair{e, f};
  });
  EXPECT_TRUE(empty);
  EXPECT_TRUE(full);
}

// A message that arrives while waiting is taken, and the pending timeout no longer fires later.
TEST(Receive, MessageBeforeTimeoutWinsAndTimerIsCancelled) {
  node n({.schedulers = 2});
  bool ok = n.run([] {
    pid me = self();
    spawn([me] { send(me, "hello"_a); });
    auto m = receive(timeout::ms(5000));
    // A stale timeout must not cut the next receive short.
    spawn([me] {
      sleep(timeout::ms(30));
      send(me, "second"_a);
    });
    auto m2 = receive(timeout::ms(5000));
    return m == std::optional<term>("hello"_a) && m2 == std::optional<term>("second"_a);
  });
  EXPECT_TRUE(ok);
}

// A non-matching message wakes the receiver but does not end its wait.
TEST(Receive, NonMatchingArrivalsDoNotEndTheWait) {
  node n({.schedulers = 2});
  term got = n.run([] {
    pid me = self();
    spawn([me] {
      for (int i = 0; i < 10; ++i) send(me, "noise"_a);
      send(me, "signal"_a);
    });
    term m = next_matching([](const term& x) { return x.is_atom("signal"_a); });
    return tuple(m, int64_t(process_info(self())->message_queue_len));
  });
  EXPECT_EQ(got, tuple("signal"_a, 10));
}

// sleep/1 suspends only the caller: other processes run meanwhile (one scheduler).
TEST(Receive, SleepLetsOthersRun) {
  node n({.schedulers = 1});
  term got = n.run([] {
    pid me = self();
    spawn([me] { send(me, "ran"_a); });
    sleep(timeout::ms(10));
    return next_message();
  });
  EXPECT_EQ(got, term("ran"_a));
}

// yield/0 lets another runnable process go first on the same scheduler.
TEST(Receive, YieldLetsOthersRun) {
  node n({.schedulers = 1});
  bool ran = n.run([] {
    auto flag = std::make_shared<std::atomic<bool>>(false);
    spawn([flag] { flag->store(true); });
    for (int i = 0; i < 3 && !flag->load(); ++i) yield();
    return flag->load();
  });
  EXPECT_TRUE(ran);
}

// A process that sends in a tight loop still lets others run (reductions).
TEST(Receive, BusySenderDoesNotStarveOthers) {
  node n({.schedulers = 1});
  bool ran = n.run([] {
    auto flag = std::make_shared<std::atomic<bool>>(false);
    pid sink = spawn([] {
      for (;;) receive();
    });
    spawn([flag] { flag->store(true); });
    for (int i = 0; i < 1'000'000 && !flag->load(); ++i) send(sink, i);
    exit(sink, atoms::kill);
    return flag->load();
  });
  EXPECT_TRUE(ran);
}
