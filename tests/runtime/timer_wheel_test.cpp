// The per-scheduler wheel of receive timers (src/runtime/timer_wheel.hpp), on its own and as
// `receive ... after` uses it. Erlang's rule for timeouts: never before the time asked for.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

#include <otp/runtime.hpp>

#include "runtime/timer_wheel.hpp"

using namespace otp;
using namespace otp::literals;
using otp::detail::receive_timer;
using otp::detail::timer_wheel;

namespace {

constexpr int64_t ms = 1'000'000;  // steady_clock ticks
constexpr int64_t t0 = 1000 * ms;  // an arbitrary start

std::unique_ptr<receive_timer> make_timer(int64_t deadline, uint64_t number) {
  auto t = std::make_unique<receive_timer>();
  t->deadline = deadline;
  t->number = number;
  t->seq = number * 10;
  t->wheel = 0;
  t->active = true;
  return t;
}

std::vector<uint64_t> numbers(const std::vector<timer_wheel::fired>& due) {
  std::vector<uint64_t> out;
  for (const auto& f : due) out.push_back(f.number);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST(TimerWheel, FiresWhatIsDueAndNothingEarly) {
  timer_wheel w;
  std::vector<timer_wheel::fired> due;
  w.expire(t0, due);  // starts the wheel's clock
  auto a = make_timer(t0 + 5 * ms, 1), b = make_timer(t0 + 5 * ms + 1, 2), c = make_timer(t0 + 40 * ms, 3);
  w.arm(a.get());
  w.arm(b.get());
  w.arm(c.get());
  w.expire(t0 + 5 * ms - 1, due);
  EXPECT_TRUE(due.empty());
  w.expire(t0 + 5 * ms, due);  // same slot as b, which is one tick of the clock later
  EXPECT_EQ(numbers(due), (std::vector<uint64_t>{1}));
  EXPECT_EQ(due[0].seq, 10u);
  EXPECT_FALSE(a->linked);
  EXPECT_TRUE(b->linked);
  due.clear();
  w.expire(t0 + 39 * ms, due);
  EXPECT_EQ(numbers(due), (std::vector<uint64_t>{2}));
  due.clear();
  w.expire(t0 + 41 * ms, due);
  EXPECT_EQ(numbers(due), (std::vector<uint64_t>{3}));
  EXPECT_TRUE(w.empty());
}

TEST(TimerWheel, DisarmedTimerNeverFires) {
  timer_wheel w;
  std::vector<timer_wheel::fired> due;
  w.expire(t0, due);
  auto a = make_timer(t0 + 2 * ms, 1), b = make_timer(t0 + 2 * ms, 2), c = make_timer(t0 + 2 * ms, 3);
  w.arm(a.get());
  w.arm(b.get());
  w.arm(c.get());
  w.disarm(b.get());  // the middle one of its slot's list
  EXPECT_FALSE(b->linked);
  w.expire(t0 + 3 * ms, due);
  EXPECT_EQ(numbers(due), (std::vector<uint64_t>{1, 3}));
  w.disarm(a.get());  // after it fired: nothing to unlink, nothing breaks
  EXPECT_TRUE(w.empty());
}

// A timer disarmed in place (left linked, inactive: receive_timer.hpp) leaves the wheel when it
// is due, without firing; one made active again in place fires at its new deadline.
TEST(TimerWheel, InactiveTimerLeavesWhenDueWithoutFiring) {
  timer_wheel w;
  std::vector<timer_wheel::fired> due;
  w.expire(t0, due);
  auto kept = make_timer(t0 + 2 * ms, 1), reused = make_timer(t0 + 2 * ms, 2);
  w.arm(kept.get());
  w.arm(reused.get());
  kept->active = false;
  reused->active = false;
  ASSERT_TRUE(timer_wheel::same_slot(t0 + 2 * ms, t0 + 2 * ms + ms / 2));
  reused->deadline = t0 + 2 * ms + ms / 2;
  reused->seq = 21;
  reused->active = true;
  w.expire(t0 + 2 * ms, due);
  EXPECT_TRUE(due.empty());
  EXPECT_FALSE(kept->linked);
  EXPECT_TRUE(reused->linked);
  w.expire(t0 + 3 * ms, due);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].number, 2u);
  EXPECT_EQ(due[0].seq, 21u);
  EXPECT_TRUE(w.empty());
}

// 256 slots of 1 ms: a timer one turn of the wheel later shares a slot with an earlier one.
TEST(TimerWheel, TimerOfALaterTurnWaitsForItsOwnTime) {
  timer_wheel w;
  std::vector<timer_wheel::fired> due;
  w.expire(t0, due);
  auto soon = make_timer(t0 + 3 * ms, 1), later = make_timer(t0 + 3 * ms + 256 * ms, 2);
  w.arm(later.get());
  w.arm(soon.get());
  EXPECT_EQ(w.next_deadline(), t0 + 3 * ms);
  w.expire(t0 + 4 * ms, due);
  EXPECT_EQ(numbers(due), (std::vector<uint64_t>{1}));
  EXPECT_EQ(w.next_deadline(), t0 + 259 * ms);
  due.clear();
  w.expire(t0 + 258 * ms, due);
  EXPECT_TRUE(due.empty());
  w.expire(t0 + 260 * ms, due);
  EXPECT_EQ(numbers(due), (std::vector<uint64_t>{2}));
  EXPECT_EQ(w.next_deadline(), timer_wheel::none);
}

// A scheduler that looked at its wheel last long ago (it ran one long process) still fires
// everything due, whatever slot it is in.
TEST(TimerWheel, LongPauseFiresEverythingDue) {
  timer_wheel w;
  std::vector<timer_wheel::fired> due;
  w.expire(t0, due);
  std::vector<std::unique_ptr<receive_timer>> timers;
  for (uint64_t i = 1; i <= 600; ++i) {
    timers.push_back(make_timer(t0 + int64_t(i) * ms, i));
    w.arm(timers.back().get());
  }
  w.expire(t0 + 2000 * ms, due);
  EXPECT_EQ(due.size(), 600u);
  EXPECT_TRUE(w.empty());
}

// receive ... after T on processes spread over two schedulers, some of them first woken by a
// message long before an earlier timeout: no timeout comes early, and every one comes.
TEST(TimerWheel, ReceiveTimeoutsAcrossSchedulersComeNeverEarly) {
  node n({.schedulers = 2});
  const int early = n.run([] {
    const pid me = self();
    constexpr int waiters = 40;
    std::vector<pid> woken_first;
    for (int i = 0; i < waiters; ++i) {
      const pid p = spawn([me, i] {
        using clock = std::chrono::steady_clock;
        const int wait_ms = 1 + i % 12;
        // Woken by the parent's message long before this 5 s timeout, which must then not fire.
        if (i % 4 == 0 && !receive(timeout::ms(5000))) exit("timed_out_instead_of_woken"_a);
        const auto start = clock::now();
        const bool timed_out = !receive(timeout::ms(wait_ms)).has_value();
        const auto waited = std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - start);
        send(me, tuple(timed_out ? "timeout"_a : "message"_a, waited.count() >= wait_ms * 1000 ? 0 : 1));
      });
      if (i % 4 == 0) woken_first.push_back(p);
    }
    for (const pid& p : woken_first) send(p, "wake"_a);
    int early_count = 0, timeouts = 0;
    for (int got = 0; got < waiters; ++got) {
      const term m = receive();
      if (m[0].is_atom("timeout"_a)) ++timeouts;
      early_count += int(m[1].small_value());
    }
    return timeouts == waiters ? early_count : -1;
  });
  EXPECT_EQ(early, 0);
}

// A receive timer disarmed by a message stays in its wheel and is moved in place by the next
// receive of the same timeout (receive_timer.hpp). Each such receive still times out, never
// early, and only once: the kept timer neither fires for the receive it was disarmed in nor is
// lost for the next one.
TEST(TimerWheel, ReusedReceiveTimerTimesOutEachTime) {
  node n({.schedulers = 1});
  const auto [early, missed, stray] = n.run([] {
    using clock = std::chrono::steady_clock;
    const pid echo = spawn([] {
      for (;;) {
        const term m = receive();
        send(m[0].as_pid(), m[1]);
      }
    });
    int early_count = 0, missed_count = 0, stray_count = 0;
    for (int round = 0; round < 20; ++round) {
      // Answered long before its timeout: the timer is armed (the answer comes later) and kept.
      send(echo, tuple(self(), int64_t(round)));
      const std::optional<term> answer = receive(timeout::ms(20));
      if (!answer || *answer != term(int64_t(round))) ++missed_count;
      // Nothing comes: this one must time out, after its own 20 ms.
      const auto start = clock::now();
      if (receive(timeout::ms(20))) ++stray_count;
      if (clock::now() - start < std::chrono::milliseconds(20)) ++early_count;
    }
    exit(echo, atoms::kill);
    return std::tuple{early_count, missed_count, stray_count};
  });
  EXPECT_EQ(early, 0);
  EXPECT_EQ(missed, 0);
  EXPECT_EQ(stray, 0);
}

// A timer's deadline is never before now + its time, whichever clock it was read from (a long
// timer reads the coarse one), and not much after it either.
TEST(TimerWheel, DeadlineIsNeverEarly) {
  for (const int64_t after_ms : {1, 10, 999, 1000, 5000, 60000}) {
    for (int i = 0; i < 1000; ++i) {
      const int64_t before = std::chrono::steady_clock::now().time_since_epoch().count();
      const int64_t deadline = otp::detail::deadline_after(after_ms);
      ASSERT_GE(deadline, before + after_ms * ms) << after_ms << " ms";
      // The coarse clock's slack is two of its ticks: a few ms on any kernel configuration.
      ASSERT_LE(deadline, before + after_ms * ms + 100 * ms) << after_ms << " ms";
    }
  }
}
