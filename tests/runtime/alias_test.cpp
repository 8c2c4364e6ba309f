// Process aliases (erlang:alias/0, unalias/1, monitor/3 with {alias, Mode}), as OTP 24+ defines
// them: a message sent to an alias arrives only while the alias is active.

#include <gtest/gtest.h>

#include <future>

#include <otp/runtime.hpp>

#include "support/accepting_route.hpp"
#include "support/runtime_support.hpp"

using namespace otp;
using namespace otp::literals;
using namespace otp::test;

namespace {

/// Has a helper process send `message` to `alias`, and waits until it has been sent.
void send_via_helper(const ref& alias_ref, term message) {
  auto [p, m] = spawn_monitor([alias_ref, message] { send(alias_ref, message); });
  next_down(m);
  (void)p;
}

bool mailbox_empty() { return !receive(timeout::ms(0)).has_value(); }

}  // namespace

// A message to an active alias is delivered; after unalias/1 it is dropped.
TEST(Alias, DeliveredWhileActiveDroppedAfterUnalias) {
  node n({.schedulers = 2});
  auto [first, unaliased, empty] = n.run([] {
    ref a = alias();
    send_via_helper(a, "one"_a);
    term got = next_message();
    bool was_active = unalias(a);
    send_via_helper(a, "two"_a);
    return std::tuple{got, was_active, mailbox_empty()};
  });
  EXPECT_EQ(first, term("one"_a));
  EXPECT_TRUE(unaliased);
  EXPECT_TRUE(empty);
}

// {alias, demonitor}: the alias ends with demonitor/1, so a late reply is never seen.
TEST(Alias, MonitorAliasEndsWithDemonitor) {
  node n({.schedulers = 2});
  auto [got, empty] = n.run([] {
    pid server = spawn([] { receive(); });
    ref m = monitor(server, monitor_alias::demonitor);
    send_via_helper(m, "reply"_a);
    term r = next_message();
    demonitor(m, true);
    send_via_helper(m, "late reply"_a);
    exit(server, atoms::kill);
    return std::pair{r, mailbox_empty()};
  });
  EXPECT_EQ(got, term("reply"_a));
  EXPECT_TRUE(empty);
}

// {alias, demonitor}: the alias also ends when the DOWN message is delivered.
TEST(Alias, MonitorAliasEndsWithDown) {
  node n({.schedulers = 2});
  bool empty = n.run([] {
    pid server = spawn([] { receive(); });
    ref m = monitor(server, monitor_alias::demonitor);
    exit(server, atoms::kill);
    next_down(m);
    send_via_helper(m, "after down"_a);
    return mailbox_empty();
  });
  EXPECT_TRUE(empty);
}

// {alias, reply_demonitor}: the first message through the alias removes alias and monitor.
TEST(Alias, ReplyDemonitorTakesOneMessage) {
  node n({.schedulers = 2});
  auto [got, empty, monitors] = n.run([] {
    pid server = spawn([] { receive(); });
    ref m = monitor(server, monitor_alias::reply_demonitor);
    send_via_helper(m, "first"_a);
    send_via_helper(m, "second"_a);
    term r = next_message();
    bool e = mailbox_empty();
    auto count = process_info(self())->monitors.size();
    exit(server, atoms::kill);
    return std::tuple{r, e, count};
  });
  EXPECT_EQ(got, term("first"_a));
  EXPECT_TRUE(empty);
  EXPECT_EQ(monitors, 0u);
}

// An alias of a process that has exited, or a plain reference, takes nothing and harms nothing.
TEST(Alias, DeadOwnerOrPlainRefDropsMessage) {
  node n({.schedulers = 2});
  bool ok = n.run([] {
    const pid me = self();
    auto [p, m] = spawn_monitor([me] { send(me, term(alias())); });
    ref dead_alias = next_message().as_ref();
    next_down(m);
    send(dead_alias, "nobody"_a);
    send(make_ref(), "nothing"_a);
    return mailbox_empty();
  });
  EXPECT_TRUE(ok);
}

// An alias on another node goes through the remote route (ALIAS_SEND).
TEST(Alias, RemoteAliasGoesThroughRoute) {
  struct route : accepting_route {
    std::atomic<int> alias_sends{0};
    bool send_alias(const pid&, const ref&, const term&) override { return ++alias_sends, true; }
  };
  node n({.schedulers = 1});
  auto r = std::make_shared<route>();
  n.set_remote_route(r);
  n.run([] {
    ref remote{"far@away"_a, 3, 3, {1, 2, 3, 0, 0}};
    send(remote, "hi"_a);
  });
  EXPECT_EQ(r->alias_sends.load(), 1);
}

// An ALIAS_SEND arriving from another node reaches the process while the alias is active.
TEST(Alias, InboundAliasSendFromAnotherNode) {
  node n({.schedulers = 2});
  auto box = std::make_shared<std::promise<term>>();
  auto alias_box = std::make_shared<std::promise<ref>>();
  n.spawn([box, alias_box] {
    alias_box->set_value(alias());
    box->set_value(next_message());
  });
  auto af = alias_box->get_future();
  ASSERT_EQ(af.wait_for(bound), std::future_status::ready);
  n.deliver_alias_send(pid{"far@away"_a, 1, 0, 1}, af.get(), "via alias"_a);
  auto f = box->get_future();
  ASSERT_EQ(f.wait_for(bound), std::future_status::ready);
  EXPECT_EQ(f.get(), term("via alias"_a));
}

// send/2 with the destination held in a term (`Dest ! Msg`): a pid, a registered name, {Name,
// Node} on this node and an alias all deliver; anything else is badarg.
TEST(Alias, SendToADestinationHeldInATerm) {
  node n({.schedulers = 2});
  auto [got, badarg] = n.run([] {
    register_name("send_term_test"_a, self());
    const term alias_term(alias());
    send(term(self()), "by_pid"_a);
    send(term("send_term_test"_a), "by_name"_a);
    send(tuple("send_term_test"_a, self().node), "by_name_and_node"_a);
    send(alias_term, "by_alias"_a);
    std::vector<term> got;
    for (int i = 0; i < 4; ++i) got.push_back(next_message());
    bool badarg = false;
    try {
      send(term(42), "nowhere"_a);
    } catch (const erlang_error& e) {
      badarg = e.reason() == term(atoms::badarg);
    }
    return std::pair{got, badarg};
  });
  EXPECT_EQ(got, (std::vector<term>{"by_pid"_a, "by_name"_a, "by_name_and_node"_a, "by_alias"_a}));
  EXPECT_TRUE(badarg);
}

// {alias, reply_demonitor} answered by the monitored process itself (a gen call's reply): that
// one message ends the monitor on both sides, and the process's later exit sends no DOWN.
TEST(Alias, ReplyFromTheMonitoredProcessEndsTheMonitorOnBothSides) {
  node n({.schedulers = 2});
  auto [got, mine, theirs, no_down] = n.run([] {
    pid server = spawn([] {
      send(receive(), "reply"_a);
      receive();
    });
    const term m = monitor_term(server, monitor_alias::reply_demonitor);
    send(server, m);
    const term reply = next_message();
    const auto mine = process_info(self())->monitors.size();
    const auto theirs = process_info(server)->monitored_by.size();
    exit(server, atoms::kill);
    next_down(monitor(server));
    send_via_helper(m.as_ref(), "late"_a);
    return std::tuple{reply, mine, theirs, mailbox_empty()};
  });
  EXPECT_EQ(got, term("reply"_a));
  EXPECT_EQ(mine, 0u);
  EXPECT_EQ(theirs, 0u);
  EXPECT_TRUE(no_down);
}
