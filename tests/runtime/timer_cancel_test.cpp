// Erlang rule: a `receive ... after T` whose message arrives in time cancels its timer, and
// cancelling a timer is safe at any moment, whatever the timer thread is doing.
//
// Regression test for a use-after-free found by the stress tests under ASan: timer_service::run()
// passed the map node's own deadline to condition_variable::wait_until by reference; when the
// earliest timer was cancelled while the timer thread waited on it, wait_until read the freed node
// on waking. Each iteration below arms a receive timer earlier than the last one (so the timer
// thread is woken to wait on it) and cancels it as the reply arrives. Only ASan sees the bug.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>

#include <otp/runtime.hpp>

using namespace otp;
using namespace otp::literals;

TEST(Timers, CancellingTheEarliestReceiveTimerWhileTheTimerThreadWaitsOnItIsSafe) {
  node n({.schedulers = 2});
  const int answered = n.run([] {
    const pid echo = spawn([] {
      for (;;) {
        term m = receive();
        if (m.is_atom("stop"_a)) return;
        send(m[0].as_pid(), tuple("pong"_a, m[1]));
      }
    });
    int count = 0;
    for (int i = 0; i < 2000; ++i) {
      send(echo, tuple(self(), i));
      const term expected = tuple("pong"_a, i);
      // A long timeout, shorter at every iteration: the newest timer is always the earliest one.
      auto reply = receive([&](const term& m) { return m == expected; }, std::chrono::seconds(100'000 - i));
      if (reply) ++count;
    }
    send(echo, "stop"_a);
    return count;
  });
  EXPECT_EQ(answered, 2000);
}
