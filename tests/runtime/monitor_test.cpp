// erlang:monitor/2 and demonitor/1,2.

#include <algorithm>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

#include <otp/runtime.hpp>

#include "support/runtime_support.hpp"

using namespace otp;
using namespace otp::literals;
using namespace otp::test;

// A monitor delivers {'DOWN', Ref, process, Pid, Reason} when the process exits.
TEST(Monitor, DownCarriesRefPidAndReason) {
  node n({.schedulers = 2});
  auto [down, target, mref] = n.run([] {
    pid p = spawn([] { exit(receive()); });
    ref m = monitor(p);
    send(p, "bye"_a);
    return std::tuple{next_down(m), p, m};
  });
  EXPECT_EQ(down, tuple(atoms::DOWN, mref, atoms::process, target, "bye"_a));
}

// Monitoring a process that does not exist gives an immediate DOWN with reason noproc.
TEST(Monitor, DeadTargetGivesNoproc) {
  node n({.schedulers = 2});
  term reason = n.run([] {
    auto [p, m] = spawn_monitor([] {});
    next_down(m);
    return next_down(monitor(p))[4];
  });
  EXPECT_EQ(reason, term(atoms::noproc));
}

// After demonitor/1, no DOWN message for that monitor arrives.
TEST(Monitor, DemonitorPreventsDown) {
  node n({.schedulers = 2});
  bool clean = n.run([] {
    pid p = spawn([] { exit(receive()); });
    ref m = monitor(p);
    EXPECT_TRUE(demonitor(m));
    ref m2 = monitor(p);
    send(p, "bye"_a);
    next_down(m2);  // the second monitor fired, so the first one would have too
    const term r(m);
    return !receive([&](const term& x) { return x.is_tuple(5) && x[1] == r; }, timeout::ms(0)).has_value();
  });
  EXPECT_TRUE(clean);
}

// demonitor(Ref, [flush]) also removes a DOWN message already in the mailbox.
TEST(Monitor, DemonitorFlushRemovesDeliveredDown) {
  node n({.schedulers = 2});
  auto [active, left] = n.run([] {
    auto [p, m] = spawn_monitor([] {});
    // Wait until the DOWN is in the mailbox (it is the only message that can come).
    for (int i = 0; i < 10000 && process_info(self())->message_queue_len == 0; ++i) sleep(timeout::ms(1));
    bool was_active = demonitor(m, true);
    const term r(m);
    bool still =
        receive([&](const term& x) { return x.is_tuple(5) && x[1] == r; }, timeout::ms(0)).has_value();
    return std::pair{was_active, still};
  });
  EXPECT_FALSE(active);  // the monitor had already fired
  EXPECT_FALSE(left);
}

// Signals between a pair keep their order, around an exit too: while a target sends its exit
// signals (here to a thousand linked children, which takes a while), a monitor set up on it meets
// a process that is no longer alive; its DOWN must still come after the DOWN the target sends
// for an older monitor, never ahead of it.
TEST(Monitor, DownsFromOneTargetKeepMonitorOrderAcrossItsExit) {
  node n({.schedulers = 2});
  const int overtaken = n.run([] {
    int overtaken = 0;
    for (int round = 0; round < 50; ++round) {
      const pid target = spawn([] {
        for (int i = 0; i < 1000; ++i) spawn_link([] { receive(); });
        exit(receive());  // not normal: the children go with it
      });
      const ref first = monitor(target);
      send(target, "stop"_a);
      std::size_t later = 1;
      monitor(target);
      while (is_process_alive(target)) {
        monitor(target);
        ++later;
      }
      monitor(target);  // once it is dead to is_process_alive, and maybe still exiting
      ++later;
      auto down_of_target = [&](const term& m) {
        return m.is_tuple(5) && m[0].is_atom(atoms::DOWN) && m[3] == term(target);
      };
      const term earliest = next_matching(down_of_target);
      if (earliest[1] != term(first)) ++overtaken;
      for (std::size_t i = 0; i < later; ++i) next_matching(down_of_target);
    }
    return overtaken;
  });
  EXPECT_EQ(overtaken, 0);
}

// Monitoring a registered name reports {Name, Node} as the DOWN's object.
TEST(Monitor, ByNameReportsNameAndNode) {
  node n({.schedulers = 2});
  auto [down, node_name] = n.run([] {
    pid p = spawn([] { exit(receive()); });
    register_name("named_target"_a, p);
    ref m = monitor("named_target"_a);
    send(p, "stop"_a);
    return std::pair{next_down(m), 0};
  });
  (void)node_name;
  EXPECT_EQ(down[3], tuple("named_target"_a, atoms::nonode_nohost));
  EXPECT_EQ(down[4], term("stop"_a));
}

// Monitoring an unregistered name gives DOWN noproc with {Name, Node}.
TEST(Monitor, UnregisteredNameGivesNoproc) {
  node n({.schedulers = 2});
  term down = n.run([] { return next_down(monitor("nobody_here"_a)); });
  EXPECT_EQ(down[3], tuple("nobody_here"_a, atoms::nonode_nohost));
  EXPECT_EQ(down[4], term(atoms::noproc));
}

// Every monitor fires once: two monitors on one process give two DOWNs.
TEST(Monitor, EachMonitorFiresOnce) {
  node n({.schedulers = 2});
  int downs = n.run([] {
    pid p = spawn([] { receive(); });
    ref a = monitor(p);
    ref b = monitor(p);
    exit(p, atoms::kill);
    next_down(a);
    next_down(b);
    int extra = 0;
    while (receive(timeout::ms(20))) ++extra;
    return 2 + extra;
  });
  EXPECT_EQ(downs, 2);
}

// process_info lists monitors both ways.
TEST(Monitor, ProcessInfoListsMonitorsBothWays) {
  node n({.schedulers = 2});
  auto [mine, theirs] = n.run([] {
    pid p = spawn([] { receive(); });
    ref m = monitor(p);
    auto mine = process_info(self())->monitors.size();
    auto theirs = process_info(p)->monitored_by.size();
    demonitor(m);
    exit(p, atoms::kill);
    return std::pair{mine, theirs};
  });
  EXPECT_EQ(mine, 1u);
  EXPECT_EQ(theirs, 1u);
}

// Many monitors and links on one process (past the point where its tables get a hash index):
// demonitored and unlinked ones stay silent, every other one fires exactly once; monitors held
// on it are counted right after half of them are taken back.
TEST(Monitor, ManyMonitorsAndLinksEachFireOnceUnlessRemoved) {
  node n({.schedulers = 2});
  constexpr int count = 60;
  constexpr int firing = count - count / 3;
  auto [downs, exits, strays, watched_by] = n.run([] {
    trap_exit(true);
    std::vector<pid> targets;
    std::vector<ref> refs;
    for (int i = 0; i < count; ++i) {
      targets.push_back(spawn([] { exit(receive()); }));
      refs.push_back(monitor(targets.back()));
      link(targets.back());
    }
    // Monitors held on this process: `count` watchers, every other one taking its monitor back.
    const pid me = self();
    const std::size_t before = process_info(self())->monitored_by.size();  // node::run watches too
    std::vector<pid> watchers;
    for (int i = 0; i < count; ++i) {
      watchers.push_back(spawn([me, i] {
        const ref m = monitor(me);
        if (i % 2 == 0) demonitor(m);
        send(me, "watching"_a);
        receive();
      }));
    }
    for (int i = 0; i < count; ++i) receive([](const term& t) { return t.is_atom("watching"_a); }, bound);
    // Monitor and demonitor signals from one watcher arrive in order, before its `watching`.
    const std::size_t watched = process_info(self())->monitored_by.size() - before;
    for (const pid& w : watchers) exit(w, atoms::kill);

    for (int i = 0; i < count; i += 3) demonitor(refs[std::size_t(i)]);
    for (int i = 1; i < count; i += 3) unlink(targets[std::size_t(i)]);
    for (const pid& t : targets) send(t, "done"_a);
    int got_downs = 0, got_exits = 0, stray = 0;
    auto from_target = [&](const term& who) {
      return std::find(targets.begin(), targets.end(), who.as_pid()) != targets.end();
    };
    for (int i = 0; i < firing; ++i) {
      if (receive(
              [&](const term& t) { return t.is_tuple(5) && t[0].is_atom(atoms::DOWN) && from_target(t[3]); },
              bound))
        ++got_downs;
    }
    for (int i = 0; i < firing; ++i) {
      if (receive(
              [&](const term& t) { return t.is_tuple(3) && t[0].is_atom(atoms::EXIT) && from_target(t[1]); },
              bound))
        ++got_exits;
    }
    // The removed ones stay silent.
    while (receive(
        [&](const term& t) {
          return (t.is_tuple(5) && from_target(t[3])) || (t.is_tuple(3) && from_target(t[1]));
        },
        timeout::ms(50)))
      ++stray;
    return std::tuple{got_downs, got_exits, stray, watched};
  });
  EXPECT_EQ(downs, firing);
  EXPECT_EQ(exits, firing);
  EXPECT_EQ(strays, 0);
  EXPECT_EQ(watched_by, std::size_t(count / 2));
}

// monitor_term/demonitor(term): the reference as a term names the same monitor as its ref
// form; demonitor with flush takes away a DOWN already delivered.
TEST(Monitor, TermFormOfTheReferenceNamesTheSameMonitor) {
  node n({.schedulers = 2});
  auto [same, was_active, left] = n.run([] {
    pid p = spawn([] { receive(); });
    const term m = monitor_term(p, monitor_alias::none);
    exit(p, atoms::kill);
    // Wait for the exit through a second monitor: then the first DOWN is in the mailbox too.
    next_down(monitor(p));
    const bool active = demonitor(m, true);
    const bool still =
        receive([&](const term& x) { return x.is_tuple(5) && x[1] == m; }, timeout::ms(0)).has_value();
    return std::tuple{m.is_ref() && term(m.as_ref()) == m, active, still};
  });
  EXPECT_TRUE(same);
  EXPECT_FALSE(was_active);  // it had fired
  EXPECT_FALSE(left);
}

// send_monitored: the monitor and the message arrive as one (the target sees the monitor before
// the message), a target that is gone answers with DOWN noproc, and a message builder that throws
// leaves no monitor behind.
TEST(Monitor, SendMonitoredIsAMonitorThenASend) {
  node n({.schedulers = 2});
  auto [got, watched_by, down_reason, dead_reason, left] = n.run([] {
    const pid me = self();
    pid target = spawn([me] {
      const term m = receive();
      send(me, tuple(m, int64_t(process_info(self())->monitored_by.size())));
      receive();
    });
    const ref mref =
        send_monitored(target, monitor_alias::none, [&](const term& r) { return tuple("hello"_a, r); });
    const term reply = next_message();
    exit(target, atoms::kill);
    const term down = next_down(mref);

    auto [gone, gone_watch] = spawn_monitor([] {});
    next_down(gone_watch);
    const ref dead_ref =
        send_monitored(gone, monitor_alias::none, [](const term&) { return term("lost"_a); });
    const term dead_down = next_down(dead_ref);

    bool threw = false;
    try {
      send_monitored(me, monitor_alias::demonitor,
                     [](const term&) -> term { throw std::runtime_error("no"); });
    } catch (const std::runtime_error&) {
      threw = true;
    }
    const auto monitors_left = threw ? process_info(self())->monitors.size() : 99;
    return std::tuple{reply[0], reply[1].as_int(), down[4], dead_down[4], monitors_left};
  });
  EXPECT_TRUE(got.is_tuple(2) && got[0] == term("hello"_a) && got[1].is_ref());
  EXPECT_EQ(watched_by, 1);
  EXPECT_EQ(down_reason, term(atoms::killed));
  EXPECT_EQ(dead_reason, term(atoms::noproc));
  EXPECT_EQ(left, 0u);
}

// The link and monitor tables of a process monitored once (a gen_server by its starter) are
// given back when the monitor goes: an idle process costs as little as possible. A process
// monitored again and again (a server taking calls) keeps them, but never more than while
// monitored.
TEST(Monitor, TablesOfAProcessMonitoredOnceAreGivenBack) {
  struct idle final : reactor {
    void on_message(term) override {}
  };
  node n({.schedulers = 2});
  auto [before, during, after, churned] = n.run([] {
    const pid p = spawn_reactor(std::make_unique<idle>()).pid;
    const auto memory = [&] { return process_info(p)->memory; };
    const std::size_t before = memory();
    const ref m = monitor(p);
    const std::size_t during = memory();
    demonitor(m);
    const std::size_t after = memory();
    for (int i = 0; i < 3; ++i) demonitor(monitor(p));
    const std::size_t churned = memory();
    exit(p, atoms::kill);
    return std::tuple{before, during, after, churned};
  });
  EXPECT_GT(during, before);
  EXPECT_EQ(after, before);
  EXPECT_LE(churned, during);
}
