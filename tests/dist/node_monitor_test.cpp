// monitor_node and monitor_nodes between two OTP++ nodes, with Erlang's rules: one nodedown per
// monitor, a node that cannot be reached answered with nodedown, nodeup before anything that
// comes through the new connection and nodedown after all of it, the Info list's contents and
// order, and subscriptions that end with their process.

#include <gtest/gtest.h>

#include <otp/otp.hpp>

#include "dist/dist_support.hpp"
#include "support/runtime_support.hpp"

using namespace otp;
using namespace otp::literals;
using namespace otp::test;
using dist::distributed_node;

namespace {

class NodeMonitor : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test_epmd().available()) GTEST_SKIP() << "no epmd (apt-get install erlang-base)";
    a_ = std::make_unique<distributed_node>(node_options{.schedulers = 2, .name = "nm_a@127.0.0.1"},
                                            test_dist_options());
    b_ = std::make_unique<distributed_node>(node_options{.schedulers = 2, .name = "nm_b@127.0.0.1"},
                                            test_dist_options());
  }
  std::unique_ptr<distributed_node> a_, b_;
};

/// Every message that comes within `quiet` of the one before.
std::vector<term> messages_until_quiet(timeout quiet = timeout::ms(200)) {
  std::vector<term> got;
  while (std::optional<term> m = receive(quiet)) got.push_back(*m);
  return got;
}

}  // namespace

// Three monitors, one of them ended: the connection going down gives two nodedowns, and no more.
TEST_F(NodeMonitor, OneNodedownPerMonitor) {
  ASSERT_TRUE(a_->connect("nm_b@127.0.0.1"_a));
  const std::vector<term> got = a_->local().run([&] {
    for (int i = 0; i < 3; ++i) monitor_node("nm_b@127.0.0.1"_a, true);
    monitor_node("nm_b@127.0.0.1"_a, false);
    a_->disconnect("nm_b@127.0.0.1"_a);
    std::vector<term> got{next_message()};  // within the test's bound, then any that follow
    for (const term& m : messages_until_quiet()) got.push_back(m);
    return got;
  });
  const term nodedown = tuple("nodedown"_a, "nm_b@127.0.0.1"_a);
  EXPECT_EQ(got, (std::vector<term>{nodedown, nodedown}));
}

// Not connected: monitor_node connects. A node nobody runs fails to connect, and a name that is
// no node name fails at once; both give nodedown. The local node is never down.
TEST_F(NodeMonitor, UnreachableNodesGiveNodedown) {
  const term got = a_->local().run([] {
    monitor_node("nm_a@127.0.0.1"_a, true);
    monitor_node("nobody@127.0.0.1"_a, true);
    monitor_node("no_at_sign"_a, true);
    // The first is answered at once, the second after epmd says no: either may come first.
    const term no_at_sign =
        next_matching([](const term& m) { return m.is_tuple(2) && m[1] == term("no_at_sign"_a); });
    const term nobody =
        next_matching([](const term& m) { return m.is_tuple(2) && m[1] != term("no_at_sign"_a); });
    return tuple(no_at_sign, nobody, int64_t(messages_until_quiet().size()));
  });
  EXPECT_EQ(got, tuple(tuple("nodedown"_a, "no_at_sign"_a), tuple("nodedown"_a, "nobody@127.0.0.1"_a), 0));
}

// A monitor set while connected, then the peer's whole node stopping: nodedown, and the monitor
// is gone with the connection (a new connection does not bring it back).
TEST_F(NodeMonitor, MonitorEndsWithTheConnection) {
  ASSERT_TRUE(a_->connect("nm_b@127.0.0.1"_a));
  const term got = a_->local().run([&] {
    monitor_node("nm_b@127.0.0.1"_a, true);
    // From the other side: a sees the peer close. b records the connection it accepted just
    // after the handshake's last message, which a may already have read: wait for it.
    for (int tries = 0; !b_->disconnect("nm_a@127.0.0.1"_a); ++tries) {
      if (tries == 1000) throw std::runtime_error("b never had the connection");
      sleep(timeout::ms(10));
    }
    const term first = next_message();
    EXPECT_TRUE(a_->connect("nm_b@127.0.0.1"_a));
    a_->disconnect("nm_b@127.0.0.1"_a);
    return tuple(first, int64_t(messages_until_quiet().size()));
  });
  EXPECT_EQ(got, tuple(tuple("nodedown"_a, "nm_b@127.0.0.1"_a), 0));
}

// monitor_nodes: the default options report visible nodes only, and every connection of a hidden
// node is hidden, so that subscriber hears nothing; {node_type, all} with nodedown_reason gets
// nodeup with [{node_type, hidden}] and nodedown with the reason first. nodeup comes before the
// first message that came through the new connection, nodedown after the last one.
TEST_F(NodeMonitor, MonitorNodesReportsUpAndDownAroundTheConnectionsMessages) {
  const term report = a_->local().run([&] {
    const pid me = self();
    // What each other subscriber finds first in its mailbox when asked: `asked` means nothing
    // came before the question.
    auto subscriber = [me](auto subscribe) {
      return spawn([me, subscribe] {
        subscribe();
        send(me, "subscribed"_a);
        const term first = next_message();
        send(me, tuple(self(), first));
      });
    };
    const pid visible_only = subscriber([] { monitor_nodes(true); });
    const pid unsubscribed = subscriber([] {
      monitor_nodes(true, {.type = node_type::all});
      monitor_nodes(true, {.type = node_type::all});
      monitor_nodes(false, {.type = node_type::all});  // ends both
    });
    const pid other_options = subscriber([] {
      monitor_nodes(true, {.type = node_type::hidden});
      monitor_nodes(false, {.type = node_type::all});  // another option set: ends nothing
    });
    for (int i = 0; i < 3; ++i) next_matching([](const term& m) { return m == term("subscribed"_a); });

    register_name("watcher"_a, self());
    monitor_nodes(true, {.type = node_type::all, .nodedown_reason = true});
    // b connects by sending to us, then goes at once: nodeup must come before its first message
    // and nodedown after its last (some may be lost with the connection, none may come after).
    b_->local().spawn([this] {
      for (int i = 0; i < 1000; ++i) send("watcher"_a, "nm_a@127.0.0.1"_a, tuple("n"_a, i));
      b_->disconnect("nm_a@127.0.0.1"_a);
    });
    // Everything but the other subscribers' reports, which are {Pid, First}.
    auto not_a_report = [](const term& m) { return !(m.is_tuple(2) && m[0].is_pid()); };
    std::vector<term> got{next_matching(not_a_report)};
    while (!got.back().is_tuple(3) || !got.back()[0].is_atom("nodedown"_a))
      got.push_back(next_matching(not_a_report));
    int64_t in_order = 0;
    for (std::size_t i = 1; i + 1 < got.size(); ++i) {
      if (got[i] == tuple("n"_a, int64_t(i - 1))) ++in_order;
    }
    const term after = receive(not_a_report, timeout::ms(200)).value_or(term("nothing"_a));

    std::vector<term> firsts;
    for (const pid& p : {visible_only, unsubscribed, other_options}) {
      send(p, "asked"_a);
      firsts.push_back(next_matching([&](const term& m) { return m.is_tuple(2) && m[0] == term(p); })[1]);
    }
    return tuple(got.front(), got.back(), in_order == int64_t(got.size()) - 2, after,
                 list(firsts[0], firsts[1]), firsts[2]);
  });
  const term b = "nm_b@127.0.0.1"_a;
  EXPECT_EQ(report[0], tuple("nodeup"_a, b, list(tuple("node_type"_a, "hidden"_a))));
  EXPECT_EQ(report[1],
            tuple("nodedown"_a, b,
                  list(tuple("nodedown_reason"_a, "connection_closed"_a), tuple("node_type"_a, "hidden"_a))));
  EXPECT_EQ(report[2], term(true)) << "the messages between nodeup and nodedown are b's, in order";
  EXPECT_EQ(report[3], term("nothing"_a));
  EXPECT_EQ(report[4], list("asked"_a, "asked"_a));
  EXPECT_EQ(report[5], tuple("nodeup"_a, b, list(tuple("node_type"_a, "hidden"_a))));
}

// The reason nodedown gives for our own disconnect (a peer closing is connection_closed, above).
// (net_kernel_terminated, for a node stopping, reaches only processes that are ended right after.)
TEST_F(NodeMonitor, NodedownReasonForADisconnect) {
  ASSERT_TRUE(a_->connect("nm_b@127.0.0.1"_a));
  const term disconnected = a_->local().run([&] {
    monitor_nodes(true, {.nodedown_reason = true});  // no node_type: visible only, so nothing
    monitor_nodes(true, {.type = node_type::hidden, .nodedown_reason = true});
    a_->disconnect("nm_b@127.0.0.1"_a);
    const term down = next_message();
    return tuple(down, int64_t(messages_until_quiet().size()));
  });
  EXPECT_EQ(disconnected,
            tuple(tuple("nodedown"_a, "nm_b@127.0.0.1"_a,
                        list(tuple("nodedown_reason"_a, "disconnect"_a), tuple("node_type"_a, "hidden"_a))),
                  0));
}
