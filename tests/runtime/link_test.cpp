// link/1, unlink/1 and spawn_link, as erlang:link/1 documents them.

#include <gtest/gtest.h>

#include <otp/runtime.hpp>

#include "support/runtime_support.hpp"

using namespace otp;
using namespace otp::literals;
using namespace otp::test;

// A process exiting abnormally takes its non-trapping linked processes with it.
TEST(Link, AbnormalExitPropagates) {
  node n({.schedulers = 2});
  term reason = n.run([] {
    pid middle = spawn([] {
      spawn_link([] { exit("crash"_a); });
      receive();
    });
    ref m = monitor(middle);
    return next_down(m)[4];
  });
  EXPECT_EQ(reason, term("crash"_a));
}

// A linked process exiting normally does not affect a non-trapping partner.
TEST(Link, NormalExitDoesNotPropagate) {
  node n({.schedulers = 2});
  bool alive = n.run([] {
    pid me = self();
    pid middle = spawn([me] {
      pid child = spawn_link([] {});
      ref m = monitor(child);
      next_down(m);
      send(me, "survived"_a);
      receive();
    });
    bool ok = next_message() == term("survived"_a);
    return ok && is_process_alive(middle);
  });
  EXPECT_TRUE(alive);
}

// link/1 to a process that does not exist raises noproc when not trapping exits.
TEST(Link, LinkToDeadPidRaisesNoproc) {
  node n({.schedulers = 2});
  bool raised = n.run([] {
    auto [p, m] = spawn_monitor([] {});
    next_down(m);
    try {
      link(p);
    } catch (const erlang_error& e) {
      return e.reason() == term(atoms::noproc);
    }
    return false;
  });
  EXPECT_TRUE(raised);
}

// ... and gives {'EXIT', Pid, noproc} when trapping exits.
TEST(Link, LinkToDeadPidWhileTrappingGivesNoprocMessage) {
  node n({.schedulers = 2});
  term reason = n.run([] {
    trap_exit(true);
    auto [p, m] = spawn_monitor([] {});
    next_down(m);
    link(p);
    return next_exit_from(p)[2];
  });
  EXPECT_EQ(reason, term(atoms::noproc));
}

// After unlink/1 returns, the former link has no effect on the caller.
TEST(Link, UnlinkStopsPropagation) {
  node n({.schedulers = 2});
  bool alive = n.run([] {
    pid me = self();
    pid holder = spawn([me] {
      pid partner = spawn_link([] { exit(receive()); });
      unlink(partner);
      send(partner, "boom"_a);
      ref m = monitor(partner);
      next_down(m);
      send(me, "still here"_a);
      receive();
    });
    return next_message() == term("still here"_a) && is_process_alive(holder);
  });
  EXPECT_TRUE(alive);
}

// Links are bidirectional: either end's abnormal exit reaches the other, and both sides list it.
TEST(Link, LinksAreBidirectionalAndListed) {
  node n({.schedulers = 2});
  auto [mine, theirs] = n.run([] {
    pid me = self();
    pid other = spawn([] { receive(); });
    link(other);
    auto mine = process_info(me)->links;
    auto theirs = process_info(other)->links;
    unlink(other);
    exit(other, atoms::kill);
    return std::pair{mine, theirs};
  });
  ASSERT_EQ(mine.size(), 1u);
  ASSERT_EQ(theirs.size(), 1u);
}

// Linking twice is the same as linking once; linking to self does nothing.
TEST(Link, LinkIsIdempotentAndSelfLinkIgnored) {
  node n({.schedulers = 2});
  std::size_t count = n.run([] {
    pid other = spawn([] { receive(); });
    link(other);
    link(other);
    link(self());
    std::size_t c = process_info(self())->links.size();
    unlink(other);
    exit(other, atoms::kill);
    return c;
  });
  EXPECT_EQ(count, 1u);
}
