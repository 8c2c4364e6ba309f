// Stress: starting and stopping a node again and again while its processes are blocked.
//
// Erlang rule checked: when a node goes down, every process on it ends (the runtime kills it,
// whatever it is waiting for) and everything it held is released: its stack is unwound (C++
// destructors run), its mailbox, timers, links, monitors and registered names are freed. ASan's
// leak checker verifies the last part in the sanitizer build.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include <otp/runtime.hpp>

#include "stress/stress_support.hpp"

using namespace otp;
using namespace otp::literals;
using otp::stress::receive_bounded;

namespace {

/// Counts live instances: a process that holds one on its stack must destroy it when killed.
struct stack_guard {
  static inline std::atomic<int64_t> alive{0};
  term held;  // a heap term, so a leaked guard also leaks term memory
  stack_guard() : held(tuple("guard"_a, binary(std::string(100, 'x')))) { alive.fetch_add(1); }
  stack_guard(const stack_guard&) = delete;
  ~stack_guard() { alive.fetch_sub(1); }
};

/// A reactor that, on `block`, waits inside on_message for a reply that never comes.
class blocking_reactor : public reactor {
 public:
  explicit blocking_reactor(pid ready_to) : ready_to_(ready_to) {}
  void on_message(term m) override {
    if (!m.is_atom("block"_a)) return;
    stack_guard guard;
    send(ready_to_, "ready"_a);
    receive([](const term& x) { return x.is_atom("never"_a); }, infinity);
  }

 private:
  pid ready_to_;
  stack_guard state_guard_;  // owned by the reactor object: freed with it
};

/// Starts every kind of blocked process on `n` and waits until each has reported ready.
/// Returns how many processes it left alive.
std::size_t populate(node& n, std::size_t index) {
  return n.run([&n, index] {
    const pid me = self();
    std::size_t ready_expected = 0;
    auto ready = [me] { send(me, "ready"_a); };

    // Plain receive, waiting forever, with a guard on the stack and unreceived messages queued.
    for (int i = 0; i < 20; ++i) {
      const pid p = spawn([ready] {
        stack_guard guard;
        ready();
        receive([](const term& x) { return x.is_atom("never"_a); }, infinity);
      });
      for (int k = 0; k < 10; ++k) send(p, tuple("queued"_a, k, binary("payload")));
      ++ready_expected;
    }
    // Selective receive with a long finite timeout (an armed receive timer), and sleep.
    for (int i = 0; i < 5; ++i) {
      spawn([ready] {
        stack_guard guard;
        ready();
        (void)receive([](const term&) { return false; }, std::chrono::hours(1));
      });
      spawn([ready] {
        stack_guard guard;
        ready();
        otp::sleep(std::chrono::hours(1));
      });
      ready_expected += 2;
    }
    // A trapping process with linked children and monitors on them, and a registered name.
    spawn_opt(
        [ready, index] {
          stack_guard guard;
          register_name(atom("restart_sup_" + std::to_string(index % 3)), self());
          for (int i = 0; i < 10; ++i) {
            const pid child = spawn_link([] {
              stack_guard g;
              receive();
            });
            monitor(child);
          }
          ready();
          for (;;) receive();
        },
        {.trap_exit = true});
    ++ready_expected;
    // Pending timers towards a blocked process.
    const pid target = spawn([ready] {
      stack_guard guard;
      ready();
      receive([](const term& x) { return x.is_atom("never"_a); }, infinity);
    });
    ++ready_expected;
    for (int i = 0; i < 5; ++i) send_after(std::chrono::hours(1), target, tuple("late"_a, binary("timer")));
    start_timer(std::chrono::hours(1), target, "late"_a);
    // Idle reactors, and reactors blocked inside on_message.
    for (int i = 0; i < 10; ++i) {
      spawn_reactor(std::make_unique<blocking_reactor>(me));
      const pid blocked = spawn_reactor(std::make_unique<blocking_reactor>(me)).pid;
      send(blocked, "block"_a);
      ++ready_expected;
    }
    // A process whose stack unwinding (when it is killed) spawns another process: the node must
    // kill that one too.
    spawn([ready] {
      struct spawns_on_unwind {
        ~spawns_on_unwind() {
          try {
            spawn([] {
              stack_guard g;
              receive();
            });
          } catch (...) {
          }
        }
      } s;
      ready();
      receive();
    });
    ++ready_expected;

    for (std::size_t i = 0; i < ready_expected; ++i) {
      receive_bounded([](const term& x) { return x.is_atom("ready"_a); }, "ready");
    }
    return n.process_count();
  });
}

}  // namespace

TEST(NodeRestart, StoppingANodeEndsEveryBlockedProcessAndReleasesItsStackEachTime) {
  const std::size_t restarts = otp::stress::stress_scaled(50, 10);
  for (std::size_t i = 0; i < restarts; ++i) {
    {
      node n({.schedulers = 2});
      const std::size_t alive = populate(n, i);
      EXPECT_GT(alive, 50u) << "restart " << i;
      EXPECT_GT(stack_guard::alive.load(), 0) << "restart " << i;
      // Even rounds stop explicitly (then the destructor stops again: stop is idempotent); odd
      // rounds leave it all to the destructor.
      if (i % 2 == 0) {
        n.stop();
        EXPECT_EQ(n.process_count(), 0u) << "restart " << i;
        EXPECT_EQ(stack_guard::alive.load(), 0) << "guards left after stop " << i;
      }
    }
    EXPECT_EQ(stack_guard::alive.load(), 0) << "guards left after restart " << i;
  }
}
