// Stress: reactors (spawn_reactor) under load.
//
// Erlang rules checked: a process handles its messages one at a time in arrival order (per sender:
// send order), however many processes wait idle; a process blocked in a selective receive inside
// a message handler (a gen_server calling another) takes only the matching reply and leaves every
// other message queued in order; calls along a chain of processes return the right answers when
// many callers use the chain at once.

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <vector>

#include <otp/runtime.hpp>

#include "stress/stress_support.hpp"

using namespace otp;
using namespace otp::literals;
using otp::stress::is_down;
using otp::stress::receive_bounded;
using otp::stress::require;

namespace {

/// Counts the integers it receives, checking each sender's sequence (origin << 40 | seq), and
/// reports {counted, Self} to `report_to` once it has them all. `stop` ends it.
class counting_reactor : public reactor {
 public:
  counting_reactor(pid report_to, std::size_t origins, int64_t per_origin)
      : report_to_(report_to), next_(origins, 0), expected_(int64_t(origins) * per_origin) {}

  void on_message(term m) override {
    if (m.is_atom("stop"_a)) otp::exit(atoms::normal);
    const int64_t v = m.as_int();
    const std::size_t origin = otp::stress::origin_of(v);
    require(origin < next_.size(), "origin", m);
    require(int64_t(otp::stress::sequence_of(v)) == next_[origin], "order",
            tuple(int64_t(origin), next_[origin], otp::stress::sequence_of(v)));
    ++next_[origin];
    if (++count_ == expected_) send(report_to_, tuple("counted"_a, self()));
  }

 private:
  pid report_to_;
  std::vector<int64_t> next_;
  int64_t expected_;
  int64_t count_ = 0;
};

/// One link of a chain: {call, From, Ref, N} is passed on as {call, Self, Ref2, N + 1} to the next
/// link, whose reply {Ref2, Answer} is awaited right here, inside on_message (a blocking selective
/// receive), and returned as {Ref, Answer}. The last link answers N + 1.
class relay_reactor : public reactor {
 public:
  explicit relay_reactor(std::optional<pid> next) : next_(next) {}

  void on_message(term m) override {
    if (m.is_atom("stop"_a)) otp::exit(atoms::normal);
    require(m.is_tuple(4) && m[0].is_atom("call"_a), "relay_message", m);
    const int64_t n = m[3].as_int();
    if (!next_) {
      send(m[1].as_pid(), tuple(m[2], n + 1));
      return;
    }
    const term r(make_ref());
    send(*next_, tuple("call"_a, self(), r, n + 1));
    term reply = receive_bounded([&](const term& x) { return x.is_tuple(2) && x[0] == r; }, "relay_reply");
    send(m[1].as_pid(), tuple(m[2], reply[1]));
  }

 private:
  std::optional<pid> next_;
};

}  // namespace

TEST(ReactorStress, HundredThousandIdleReactorsEachHandleTheirMessagesInSendOrder) {
  const std::size_t count = otp::stress::stress_scaled(100'000, 1000);
  static constexpr std::size_t senders = 4;
  static constexpr int64_t per_sender = 10;

  node n({.schedulers = 2});
  n.run([&] {
    const std::size_t baseline = n.process_count();
    const pid me = self();
    std::vector<pid> reactors;
    reactors.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      reactors.push_back(
          spawn_reactor(std::make_unique<counting_reactor>(me, senders, per_sender), {.monitor = true}).pid);
    }
    EXPECT_EQ(n.process_count(), baseline + count);
    for (std::size_t s = 0; s < senders; ++s) {
      spawn([&reactors, s] {
        for (int64_t seq = 0; seq < per_sender; ++seq) {
          for (const pid& r : reactors) send(r, otp::stress::tagged(s, uint64_t(seq)));
        }
      });
    }
    std::size_t counted = 0;
    while (counted < count) {
      term m = receive_bounded([](const term& x) { return x.is_tuple(2) && x[0].is_atom("counted"_a); },
                               "counted");
      ++counted;
    }
    for (const pid& r : reactors) send(r, "stop"_a);
    std::size_t downs = 0;
    while (downs < count) {
      term m = receive_bounded("reactor_down");
      ASSERT_TRUE(is_down(m)) << m;
      EXPECT_TRUE(m[4].is_atom(atoms::normal)) << m;
      ++downs;
    }
    EXPECT_EQ(n.process_count(), baseline);
  });
}

TEST(ReactorStress, ChainOfReactorsBlockingInSelectiveReceiveAnswersConcurrentCallers) {
  static constexpr std::size_t length = 200;
  static constexpr std::size_t callers = 16;
  const std::size_t calls_per_caller = otp::stress::stress_scaled(500, 20);

  node n({.schedulers = 2});
  n.run([&] {
    const std::size_t baseline = n.process_count();
    const pid me = self();
    // Built from the tail, so each link knows the next one.
    std::vector<pid> chain(length);
    std::optional<pid> next;
    for (std::size_t i = length; i-- > 0;) {
      chain[i] = spawn_reactor(std::make_unique<relay_reactor>(next), {.monitor = true}).pid;
      next = chain[i];
    }
    for (std::size_t c = 0; c < callers; ++c) {
      spawn_opt(
          [&chain, me, c, calls_per_caller] {
            uint64_t x = 0x9E3779B97F4A7C15ull * (c + 1);  // a fixed pseudo-random walk per caller
            for (std::size_t k = 0; k < calls_per_caller; ++k) {
              x ^= x << 13;
              x ^= x >> 7;
              x ^= x << 17;
              const std::size_t at = std::size_t(x % length);
              const term r(make_ref());
              send(chain[at], tuple("call"_a, self(), r, 0));
              term reply = receive_bounded([&](const term& m) { return m.is_tuple(2) && m[0] == r; }, "call");
              // Each link adds one: entering at `at`, the answer is the number of links passed.
              require(reply[1] == term(int64_t(length - at)), "answer", reply);
            }
            send(me, tuple("caller_done"_a, int64_t(c)));
          },
          {.monitor = true});
    }
    std::size_t done = 0, caller_downs = 0;
    while (done < callers || caller_downs < callers) {
      term m = receive_bounded("caller");
      if (is_down(m)) {
        EXPECT_TRUE(m[4].is_atom(atoms::normal)) << "a caller ended with " << m;
        ++caller_downs;
      } else {
        ++done;
      }
    }
    for (const pid& r : chain) send(r, "stop"_a);
    std::size_t downs = 0;
    while (downs < length) {
      term m = receive_bounded("relay_down");
      ASSERT_TRUE(is_down(m)) << m;
      EXPECT_TRUE(m[4].is_atom(atoms::normal)) << "a link ended with " << m;
      ++downs;
    }
    EXPECT_EQ(n.process_count(), baseline);
  });
}
