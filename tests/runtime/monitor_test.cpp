// erlang:monitor/2 and demonitor/1,2.

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
    // Wait for the exit through a second monitor: then the first DOWN is in the mailbox too.
    next_down(monitor(p));
    bool was_active = demonitor(m, true);
    const term r(m);
    bool still =
        receive([&](const term& x) { return x.is_tuple(5) && x[1] == r; }, timeout::ms(0)).has_value();
    return std::pair{was_active, still};
  });
  EXPECT_FALSE(active);  // the monitor had already fired
  EXPECT_FALSE(left);
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
