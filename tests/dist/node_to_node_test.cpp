// Two OTP++ nodes in one program, connected through epmd and the distribution protocol: sends by
// pid and by {Name, Node}, gen_server calls, links and monitors with Erlang's rules across nodes
// (noproc at once for a missing target, the real reason on exit, noconnection on disconnect),
// and a wrong cookie refused with both nodes unharmed.

#include <gtest/gtest.h>

#include <future>

#include <otp/otp.hpp>

#include "dist/dist_support.hpp"
#include "support/runtime_support.hpp"

using namespace otp;
using namespace otp::literals;
using namespace otp::test;
using dist::distributed_node;

namespace {

/// A process on `from` sends make(0) ... make(count - 1) to one on `to`, which takes them and
/// returns the first whose element `index_at` is not its place in the sequence, or the last.
term sent_in_order(distributed_node& from, distributed_node& to, int count, std::size_t index_at,
                   term (*make)(int)) {
  return to.local().run([&] {
    const pid me = self();
    from.local().spawn([me, count, make] {
      for (int i = 0; i < count; ++i) send(me, make(i));
    });
    term m;
    for (int i = 0; i < count; ++i) {
      m = next_message();
      if (m[index_at].as_int() != i) return m;
    }
    return m;
  });
}

class NodeToNode : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test_epmd().available()) GTEST_SKIP() << "no epmd (apt-get install erlang-base)";
    a_ = std::make_unique<distributed_node>(node_options{.schedulers = 2, .name = "a@127.0.0.1"},
                                            test_dist_options());
    b_ = std::make_unique<distributed_node>(node_options{.schedulers = 2, .name = "b@127.0.0.1"},
                                            test_dist_options());
  }
  std::unique_ptr<distributed_node> a_, b_;
};

}  // namespace

TEST_F(NodeToNode, MessagesByNameAndByPidBothWays) {
  const pid b_pid = b_->local().spawn([] {
    register_name("listener"_a, self());
    term m = next_message();  // {From, Text}
    send(m[0].as_pid(), tuple("got"_a, m[1]));
  });
  // Registration happens in the process: wait until the name is there.
  for (int i = 0; i < 1000 && !b_->local().whereis("listener"_a); ++i) std::this_thread::sleep_for(1ms);
  term reply = a_->local().run([] {
    send("listener"_a, "b@127.0.0.1"_a, tuple(self(), "hello"_a));
    return next_message();
  });
  EXPECT_EQ(reply, tuple("got"_a, "hello"_a));
  b_->local().await_exit(b_pid);
  EXPECT_EQ(a_->connected_nodes(), std::vector<atom>{"b@127.0.0.1"_a});
  EXPECT_EQ(b_->connected_nodes(), std::vector<atom>{"a@127.0.0.1"_a});
}

TEST_F(NodeToNode, ManyMessagesArriveInOrder) {
  const term last = sent_in_order(*a_, *b_, 20000, 1,
                                  [](int i) { return tuple("n"_a, i, binary(std::string(i % 100, 'x'))); });
  EXPECT_EQ(last[1], term(19999));
}

// With a tiny busy limit the sender is held up in its sends again and again (erts's busy
// distribution port); every message still arrives, in order.
TEST(NodeToNodeBusy, SenderHeldUpByABusyConnectionLosesNothing) {
  if (!test_epmd().available()) GTEST_SKIP() << "no epmd";
  dist::dist_options small = test_dist_options();
  small.busy_limit = 4096;
  distributed_node a(node_options{.schedulers = 2, .name = "busy_a@127.0.0.1"}, small);
  distributed_node b(node_options{.schedulers = 2, .name = "busy_b@127.0.0.1"}, small);
  const term last =
      sent_in_order(a, b, 3000, 0, [](int i) { return tuple(i, binary(std::string(1000, 'y'))); });
  EXPECT_EQ(last[0], term(2999));
}

TEST_F(NodeToNode, GenServerCallAcrossNodes) {
  // The server_refs are named here, not temporaries inside the lambdas: GCC 12 at -O2 warns
  // (maybe-uninitialized, wrongly) about destroying a temporary server_ref's variant there.
  const gen_server::start_options named{.name = server_ref("echo"_a)};
  b_->local().run([&] { gen_server::start<echo_server>(term(), named); });
  const server_ref echo = server_ref::remote("echo"_a, "b@127.0.0.1"_a);
  const server_ref nobody = server_ref::remote("nobody"_a, "b@127.0.0.1"_a);
  term r = a_->local().run([&] { return gen_server::call(echo, "hi"_a); });
  EXPECT_EQ(r, tuple("echo"_a, "hi"_a));
  // A name nobody holds: the caller exits with noproc at once (the MONITOR_P is answered).
  auto missing = a_->local().run([&] { return gen_server::try_call(nobody, "hi"_a); });
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().kind, gen::call_error::noproc);
  // The server crashing in the call: the caller exits with the server's reason.
  auto crashed = a_->local().run([&] { return gen_server::try_call(echo, "crash"_a); });
  ASSERT_FALSE(crashed.has_value());
  EXPECT_EQ(crashed.error().kind, gen::call_error::exited);
}

TEST_F(NodeToNode, MonitorAcrossNodesGetsTheRealReason) {
  const pid target = b_->local().spawn([] {
    receive();
    exit("went_away"_a);
  });
  term down = a_->local().run([&] {
    ref r = monitor(target);
    send(target, "go"_a);
    return next_down(r);
  });
  EXPECT_EQ(down[3], term(target));
  EXPECT_EQ(down[4], "went_away"_a);
  // A monitor on a process that is gone: DOWN noproc at once.
  term gone = a_->local().run([&] { return next_down(monitor(target)); });
  EXPECT_EQ(gone[4], term(atoms::noproc));
}

TEST_F(NodeToNode, LinkAcrossNodesCarriesExitsBothWays) {
  const pid target = b_->local().spawn([] {
    term m = receive();
    if (m == "die"_a) exit("linked_death"_a);
  });
  term exit_message = a_->local().run([&] {
    trap_exit(true);
    link(target);
    send(target, "die"_a);
    return next_exit_from(target);
  });
  EXPECT_EQ(exit_message[2], "linked_death"_a);
}

// unlink/1 across nodes (the UNLINK_ID protocol): afterwards the other side holds no link, and
// the process's exit no longer reaches us.
TEST_F(NodeToNode, UnlinkAcrossNodes) {
  const pid target = b_->local().spawn([] {
    term m = receive();
    if (m == "die"_a) exit("after_unlink"_a);
  });
  auto links_of_target = [&] { return b_->local().run([&] { return process_info(target)->links.size(); }); };
  term got = a_->local().run([&] {
    trap_exit(true);
    link(target);
    for (int i = 0; i < 1000 && links_of_target() == 0; ++i) sleep(timeout::ms(1));
    unlink(target);
    for (int i = 0; i < 1000 && links_of_target() != 0; ++i) sleep(timeout::ms(1));
    const std::size_t left = links_of_target();
    const ref r = monitor(target);
    send(target, "die"_a);
    next_down(r);  // the exit signal, had there been a link, would have come before this DOWN
    const bool exit_came =
        receive([](const term& m) { return m.is_tuple(3) && m[0].is_atom(atoms::EXIT); }, timeout::ms(0))
            .has_value();
    return tuple(int64_t(left), exit_came);
  });
  EXPECT_EQ(got, tuple(0, false));
}

TEST_F(NodeToNode, DisconnectFiresNoconnection) {
  // The target is watched on b from its start, so its exit reason is seen however early it dies.
  auto target_box = std::make_shared<std::promise<pid>>();
  auto reason_box = std::make_shared<std::promise<term>>();
  b_->local().spawn([target_box, reason_box] {
    auto [p, r] = spawn_monitor([] { receive(); });
    target_box->set_value(p);
    reason_box->set_value(next_down(r)[4]);
  });
  const pid target = target_box->get_future().get();
  term result = a_->local().run([&] {
    trap_exit(true);
    link(target);
    ref r = monitor(target);
    // A round trip first, so that the link and monitor are in place on b.
    send("net_kernel"_a, "b@127.0.0.1"_a, "hello"_a);
    for (int i = 0; i < 1000 && b_->local().run([&] { return process_info(target)->links.size(); }) == 0; ++i)
      std::this_thread::sleep_for(1ms);
    a_->disconnect("b@127.0.0.1"_a);
    term e = next_exit_from(target);
    term d = next_down(r);
    return tuple(e[2], d[4], d[3]);
  });
  // The DOWN names the monitored process, as erts does.
  EXPECT_EQ(result, tuple(atoms::noconnection, atoms::noconnection, target));
  // b saw the connection go: its side of the link fired too, and the target (not trapping) died.
  auto reason = reason_box->get_future();
  ASSERT_EQ(reason.wait_for(bound), std::future_status::ready);
  EXPECT_EQ(reason.get(), term(atoms::noconnection));
}

TEST(NodeToNodeCookies, WrongCookieIsRefusedAndBothNodesCarryOn) {
  if (!test_epmd().available()) GTEST_SKIP() << "no epmd";
  distributed_node a(node_options{.schedulers = 1, .name = "c1@127.0.0.1"}, test_dist_options("one"));
  distributed_node b(node_options{.schedulers = 1, .name = "c2@127.0.0.1"}, test_dist_options("two"));
  EXPECT_FALSE(a.connect("c2@127.0.0.1"_a));
  EXPECT_TRUE(a.connected_nodes().empty());
  EXPECT_TRUE(b.connected_nodes().empty());
  EXPECT_EQ(a.local().run([] { return 1 + 1; }), 2);
  EXPECT_EQ(b.local().run([] { return 2 + 2; }), 4);
}
