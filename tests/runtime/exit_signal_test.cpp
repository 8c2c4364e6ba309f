// Exit signals, as the Erlang Reference Manual ("Processes: Receiving Exit Signals") defines them.

#include <gtest/gtest.h>

#include <stdexcept>

#include <otp/runtime.hpp>

#include "support/runtime_support.hpp"

using namespace otp;
using namespace otp::literals;
using namespace otp::test;

namespace {

node_options two_schedulers() { return {.schedulers = 2}; }

}  // namespace

// A process that does not trap exits ignores an exit signal with reason normal.
TEST(ExitSignal, NormalIsIgnoredWhenNotTrapping) {
  node n(two_schedulers());
  EXPECT_TRUE(n.run([] {
    pid target = spawn([] { receive(); });
    exit(target, atoms::normal);
    // The signal is ordered before this message; the target must still be there to take it.
    ref m = monitor(target);
    send(target, "go"_a);
    return next_down(m)[4] == term(atoms::normal);
  }));
}

// An exit signal with any reason other than normal (and kill) ends a non-trapping process with it.
TEST(ExitSignal, AbnormalReasonEndsReceiver) {
  node n(two_schedulers());
  term reason = n.run([] {
    pid target = spawn([] { receive(); });
    ref m = monitor(target);
    exit(target, "boom"_a);
    return next_down(m)[4];
  });
  EXPECT_EQ(reason, term("boom"_a));
}

// A trapping process receives {'EXIT', From, Reason} instead of exiting, for normal too.
TEST(ExitSignal, TrappingConvertsSignalToMessage) {
  node n(two_schedulers());
  auto [first, second] = n.run([] {
    trap_exit(true);
    pid me = self();
    exit(me, "custom"_a);
    term a = next_exit_from(me);
    pid other = spawn([me] { exit(me, atoms::normal); });
    term b = next_exit_from(other);
    return std::pair{a, b};
  });
  EXPECT_EQ(first[2], term("custom"_a));
  EXPECT_EQ(second[2], term(atoms::normal));
}

// exit(Pid, kill) cannot be trapped; the victim ends with reason killed.
TEST(ExitSignal, KillIsUntrappableAndBecomesKilled) {
  node n(two_schedulers());
  term reason = n.run([] {
    pid target = spawn([] {
      trap_exit(true);
      for (;;) receive();
    });
    ref m = monitor(target);
    exit(target, atoms::kill);
    return next_down(m)[4];
  });
  EXPECT_EQ(reason, term(atoms::killed));
}

// A process that never receives still takes exit signals in: at the end of each turn, as the
// BEAM does when it schedules a process in. Here it sends, spawns or yields in a loop, on one
// scheduler (it shares the core with its killer) and on two (it has a core to itself).
TEST(ExitSignal, ProcessThatNeverReceivesIsKilled) {
  const std::vector<std::pair<const char*, std::function<void()>>> loops = {
      {"send",
       [] {
         const pid sink = spawn([] {
           for (;;) receive();
         });
         link(sink);  // ends with the looper
         for (;;) send(sink, "x"_a);
       }},
      {"spawn",
       [] {
         for (;;) spawn([] {});
       }},
      {"yield",
       [] {
         for (;;) yield();
       }},
  };
  for (const unsigned schedulers : {1u, 2u}) {
    node n({.schedulers = schedulers});
    for (const auto& [what, loop] : loops) {
      const term reason = n.run([&loop] {
        const auto [looper, watch] = spawn_monitor(loop);
        sleep(timeout::ms(20));  // well into its loop
        exit(looper, atoms::kill);
        return next_down(watch)[4];
      });
      EXPECT_EQ(reason, term(atoms::killed)) << what << " loop, " << schedulers << " scheduler(s)";
    }
  }
}

// An exit signal other than kill ends such a process too (it does not trap exits).
TEST(ExitSignal, LinkedExitEndsAProcessThatNeverReceives) {
  node n({.schedulers = 1});
  const term reason = n.run([] {
    const pid me = self();
    const auto [looper, watch] = spawn_monitor([me] {
      spawn_link([me] {
        send(me, tuple("partner"_a, self()));
        receive([](const term& m) { return m == term("go"_a); }, infinity);
        exit("partner_failed"_a);
      });
      const pid sink = spawn([] {
        for (;;) receive();
      });
      link(sink);
      for (;;) send(sink, "x"_a);
    });
    const term partner = next_matching([](const term& m) { return m.is_tuple(2); });
    send(partner[1].as_pid(), "go"_a);
    return next_down(watch)[4];
  });
  EXPECT_EQ(reason, term("partner_failed"_a));
}

// A process unwinding from its exit runs its destructors, which may send. A second exit signal
// that comes meanwhile does not interrupt them (a throw from a destructor while unwinding would
// end the program): the process ends with the first reason.
TEST(ExitSignal, SecondExitDoesNotInterruptDestructorsThatSend) {
  node n({.schedulers = 1});
  const term reason = n.run([] {
    const pid me = self();
    const pid second_killer = spawn([] {
      const term victim = receive();
      exit(victim.as_pid(), "second"_a);
    });
    const auto [victim, watch] = spawn_monitor([me, second_killer] {
      struct farewell {
        pid to, killer;
        ~farewell() {
          send(killer, self());
          // Enough sends into a mailbox nobody empties for several turns to end meanwhile.
          for (int64_t i = 0; i < 20'000; ++i) send(to, i);
        }
      } f{me, second_killer};
      receive([](const term& m) { return m == term("never"_a); }, infinity);
    });
    sleep(timeout::ms(20));  // in its receive (an exit before its first run skips the body)
    exit(victim, "first"_a);
    return next_down(watch)[4];
  });
  EXPECT_EQ(reason, term("first"_a));
}

// An exit that comes while a process unwinds from an exception it then catches waits for the
// unwinding to end, and then ends the process (here when its body returns).
TEST(ExitSignal, ExitDuringUnwindingTakesEffectAfterIt) {
  node n({.schedulers = 1});
  const term reason = n.run([] {
    const pid me = self();
    const auto [victim, watch] = spawn_monitor([me] {
      try {
        struct slow_guard {
          pid to;
          ~slow_guard() {
            send(to, "unwinding"_a);
            receive([](const term& m) { return m == term("proceed"_a); }, timeout::ms(10'000));
          }
        } guard{me};
        throw std::runtime_error("caught below");
      } catch (const std::runtime_error&) {
      }
    });
    next_matching([](const term& m) { return m == term("unwinding"_a); });
    exit(victim, "stop_it"_a);
    send(victim, "proceed"_a);
    return next_down(watch)[4];
  });
  EXPECT_EQ(reason, term("stop_it"_a));
}

// Links propagate killed (not kill) from a killed process, so linked processes can trap it.
TEST(ExitSignal, LinkedProcessesSeeKilledNotKill) {
  node n(two_schedulers());
  term reason = n.run([] {
    trap_exit(true);
    pid victim = spawn_link([] { receive(); });
    exit(victim, atoms::kill);
    return next_exit_from(victim)[2];
  });
  EXPECT_EQ(reason, term(atoms::killed));
}

// A process that exits with reason kill sends kill along its links, and there it is an ordinary
// (trappable) reason: only exit/2's kill is untrappable.
TEST(ExitSignal, KillReasonThroughLinkIsTrappable) {
  node n(two_schedulers());
  term reason = n.run([] {
    trap_exit(true);
    pid p = spawn_link([] { exit(atoms::kill); });
    return next_exit_from(p)[2];
  });
  EXPECT_EQ(reason, term(atoms::kill));
}

// exit(self(), normal) ends the calling process with reason normal.
TEST(ExitSignal, ExitSelfNormalEndsCaller) {
  node n(two_schedulers());
  auto [reason, reached] = n.run([] {
    auto after = std::make_shared<std::atomic<bool>>(false);
    auto [p, m] = spawn_monitor([after] {
      exit(self(), atoms::normal);
      after->store(true);
    });
    return std::pair{next_down(m)[4], after->load()};
  });
  EXPECT_EQ(reason, term(atoms::normal));
  EXPECT_FALSE(reached);
}

// A C++ exception escaping a process ends only that process, with a reason that names it.
TEST(ExitSignal, ExceptionBecomesExitReasonNamingIt) {
  node n(two_schedulers());
  auto [reason, alive] = n.run([] {
    pid bystander = spawn([] { receive(); });
    auto [p, m] = spawn_monitor([] { throw std::runtime_error("disk on fire"); });
    term r = next_down(m)[4];
    return std::pair{r, is_process_alive(bystander)};
  });
  ASSERT_TRUE(reason.is_tuple(3)) << reason;
  EXPECT_EQ(reason[0], term(atoms::exception));
  EXPECT_EQ(reason[1].bytes(), "std::runtime_error");
  EXPECT_EQ(reason[2].bytes(), "disk on fire");
  EXPECT_TRUE(alive);
}

// erlang_error(Reason) uncaught ends the process with Reason.
TEST(ExitSignal, ErlangErrorEndsWithItsReason) {
  node n(two_schedulers());
  term reason = n.run([] {
    auto [p, m] = spawn_monitor([] { throw erlang_error(tuple("badmatch"_a, 3)); });
    return next_down(m)[4];
  });
  EXPECT_EQ(reason, "{badmatch,3}"_term);
}

// Signals from one process to another arrive in the order sent: the messages a process sent
// before it died come before its exit signal.
TEST(ExitSignal, MessagesBeforeExitKeepOrder) {
  node n(two_schedulers());
  std::vector<term> got = n.run([] {
    trap_exit(true);
    pid me = self();
    pid p = spawn_link([me] {
      for (int i = 0; i < 100; ++i) send(me, i);
      exit("done"_a);
    });
    std::vector<term> out;
    for (int i = 0; i < 101; ++i) out.push_back(next_message());
    (void)p;
    return out;
  });
  ASSERT_EQ(got.size(), 101u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(got[i], term(i));
  EXPECT_TRUE(got[100].is_tuple(3) && got[100][0].is_atom(atoms::EXIT) && got[100][2] == term("done"_a));
}

// An exit signal that arrives before the process first runs ends it before its body starts.
TEST(ExitSignal, KillBeforeFirstRunSkipsBody) {
  node n({.schedulers = 1});
  bool ran = n.run([] {
    auto ran = std::make_shared<std::atomic<bool>>(false);
    // On one scheduler the child cannot run before this process blocks.
    pid p = spawn([ran] { ran->store(true); });
    ref m = monitor(p);
    exit(p, atoms::kill);
    EXPECT_EQ(next_down(m)[4], term(atoms::killed));
    return ran->load();
  });
  EXPECT_FALSE(ran);
}
