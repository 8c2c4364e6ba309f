// gen's monitor-based call (gen:call/4 as gen_server:call uses it), cast and reply.

#include <gtest/gtest.h>

#include "behaviours/l2_support.hpp"

using namespace otp;
using namespace otp::literals;
using namespace otp::test;

namespace {

node_options two_schedulers() { return {.schedulers = 2}; }

/// The exit reason of `fn`, which must exit the calling process.
template <class F>
term exit_reason_from(F&& fn) {
  try {
    fn();
  } catch (const exit_exception& e) {
    return e.reason();
  }
  throw std::runtime_error("expected the call to exit the caller");
}

/// Neither a reply nor a DOWN nor anything else is left behind.
std::size_t my_queue_len() { return process_info(self())->message_queue_len; }

}  // namespace

// Erlang: gen_server:call to a pid that is not alive exits with {noproc, {gen_server, call, [Pid, Request,
// 5000]}}.
TEST(GenCall, ToDeadPidExitsWithNoprocAndTheCallArguments) {
  node n(two_schedulers());
  n.run([] {
    const pid dead = spawn([] {});
    exit_reason_of(dead);
    term reason = exit_reason_from([&] { gen::call(dead, "ping"_a); });
    EXPECT_EQ(reason, tuple(atoms::noproc, tuple("gen_server"_a, "call"_a, list(dead, "ping"_a, 5000))));
    EXPECT_EQ(my_queue_len(), 0u);
  });
}

// Erlang: calling a name nobody registered exits with noproc (the reason names the name).
TEST(GenCall, ToUnregisteredNameExitsWithNoproc) {
  node n(two_schedulers());
  n.run([] {
    term reason = exit_reason_from([&] { gen::call("nobody_here"_a, "ping"_a); });
    EXPECT_EQ(reason,
              tuple(atoms::noproc, tuple("gen_server"_a, "call"_a, list("nobody_here"_a, "ping"_a, 5000))));
  });
}

// Erlang: a call that gets no reply in time exits with {timeout, {gen_server, call, [S, R, T]}},
// and the call's monitor and DOWN are gone afterwards.
TEST(GenCall, TimeoutExitsWithTimeoutAndLeavesNothingInTheMailbox) {
  node n(two_schedulers());
  n.run([] {
    gen::start_result s = start_test_server(gen::start_link_kind::nolink);
    ASSERT_EQ(s.kind, gen::start_result::ok);
    term reason = exit_reason_from([&] { gen::call(s.pid, "hold"_a, timeout::ms(20)); });
    EXPECT_EQ(reason, tuple(atoms::timeout, tuple("gen_server"_a, "call"_a, list(s.pid, "hold"_a, 20))));
    EXPECT_EQ(my_queue_len(), 0u);
    EXPECT_TRUE(process_info(self())->monitors.empty());
    exit(s.pid, atoms::kill);
  });
}

// Erlang 24+: a reply that comes after the caller timed out goes to a deactivated alias and is
// dropped; the caller's mailbox never sees it.
TEST(GenCall, LateReplyAfterTimeoutIsDropped) {
  node n(two_schedulers());
  n.run([] {
    gen::start_result s = start_test_server(gen::start_link_kind::nolink);
    EXPECT_FALSE(gen::try_call(s.pid, "hold"_a, timeout::ms(10)).has_value());
    gen::cast(s.pid, tuple("release"_a, "too_late"_a));
    // The server answers the held call before this one (it handles our messages in order), so
    // a late reply that got through would be queued by the time this call returns.
    EXPECT_EQ(gen::call(s.pid, "get"_a), term(0));
    EXPECT_EQ(my_queue_len(), 0u);
    exit(s.pid, atoms::kill);
  });
}

// Erlang: a server that exits while handling the call makes the call exit with {Reason, {…}}.
TEST(GenCall, ServerExitDuringCallExitsCallerWithServerReason) {
  node n(two_schedulers());
  n.run([] {
    gen::start_result s = start_test_server(gen::start_link_kind::nolink);
    const term req = tuple("exit"_a, "went_away"_a);
    term reason = exit_reason_from([&] { gen::call(s.pid, req); });
    EXPECT_EQ(reason, tuple("went_away"_a, tuple("gen_server"_a, "call"_a, list(s.pid, req, 5000))));
    EXPECT_EQ(my_queue_len(), 0u);
  });
}

// Erlang: even a normal exit of the server during the call exits the caller, with {normal, {…}}.
TEST(GenCall, ServerNormalExitDuringCallGivesNormalReason) {
  node n(two_schedulers());
  n.run([] {
    gen::start_result s = start_test_server(gen::start_link_kind::nolink);
    expected<term, gen::call_error> r = gen::try_call(s.pid, tuple("exit"_a, atoms::normal));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind, gen::call_error::exited);
    EXPECT_EQ(r.error().reason[0], term(atoms::normal));
  });
}

// Erlang: gen_server:reply/2 from another process answers the caller (a deferred reply).
TEST(GenCall, DeferredReplyFromAnotherProcessCompletesTheCall) {
  node n(two_schedulers());
  n.run([] {
    gen::start_result s = start_test_server(gen::start_link_kind::nolink);
    EXPECT_EQ(gen::call(s.pid, "defer"_a), term("deferred"_a));
    EXPECT_EQ(my_queue_len(), 0u);
    exit(s.pid, atoms::kill);
  });
}

// Erlang: Timeout = infinity waits as long as it takes; the reason then carries infinity.
TEST(GenCall, InfinityWaitsForAReplyAndAppearsInReasons) {
  node n(two_schedulers());
  n.run([] {
    gen::start_result s = start_test_server(gen::start_link_kind::nolink);
    // A held call answered by a helper once the server holds it: the call waits without a
    // deadline.
    const pid helper = spawn([p = s.pid] {
      receive();  // held
      gen::cast(p, tuple("release"_a, "finally"_a));
    });
    EXPECT_EQ(gen::call(s.pid, tuple("hold"_a, helper), infinity), term("finally"_a));
    exit(s.pid, atoms::kill);
    exit_reason_of(s.pid);
    term reason = exit_reason_from([&] { gen::call(s.pid, "get"_a, infinity); });
    EXPECT_EQ(reason,
              tuple(atoms::noproc, tuple("gen_server"_a, "call"_a, list(s.pid, "get"_a, atoms::infinity))));
  });
}

// try_call gives the errors call would exit with, as values, and the caller keeps running.
TEST(GenCall, TryCallReturnsTheErrorsAsValues) {
  node n(two_schedulers());
  n.run([] {
    expected<term, gen::call_error> r = gen::try_call("nobody_here"_a, "x"_a);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind, gen::call_error::noproc);

    gen::start_result s = start_test_server(gen::start_link_kind::nolink);
    r = gen::try_call(s.pid, "hold"_a, timeout::ms(10));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind, gen::call_error::timeout);
    EXPECT_EQ(r.error().reason[0], term(atoms::timeout));

    r = gen::try_call(s.pid, tuple("add"_a, 2));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(*r, term(atoms::ok));
    exit(s.pid, atoms::kill);
  });
}

// Erlang: {Name, Node} with a node we are not connected to exits with {{nodedown, Node}, {…}}.
TEST(GenCall, RemoteNameOnUnconnectedNodeGivesNodedown) {
  node n(two_schedulers());
  n.run([] {
    expected<term, gen::call_error> r = gen::try_call(server_ref::remote("srv"_a, "other@host"_a), "x"_a);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind, gen::call_error::nodedown);
    EXPECT_EQ(r.error().reason[0], tuple("nodedown"_a, "other@host"_a));
  });
}

// Erlang: {Name, node()} is the local name; registered and via names reach the same server.
TEST(GenCall, LocalRemoteAndViaNamesShareOneCallPath) {
  node n(two_schedulers());
  n.run([] {
    auto registry = std::make_shared<test_registry>();
    gen::start_options via_opts;
    via_opts.name = server_ref::via(registry, "svc"_a);
    gen::start_result v = start_test_server(gen::start_link_kind::nolink, via_opts);
    ASSERT_EQ(v.kind, gen::start_result::ok);
    EXPECT_EQ(gen::call(server_ref::via(registry, "svc"_a), "get"_a), term(0));

    gen::start_options local_opts;
    local_opts.name = server_ref("l2_local_srv"_a);
    gen::start_result l = start_test_server(gen::start_link_kind::nolink, local_opts);
    gen::cast("l2_local_srv"_a, tuple("add"_a, 5));
    EXPECT_EQ(gen::call(server_ref::remote("l2_local_srv"_a, self().node), "get"_a), term(5));

    term reason = exit_reason_from([&] { gen::call(server_ref::via(registry, "other"_a), "get"_a); });
    EXPECT_EQ(reason[0], term(atoms::noproc));
    EXPECT_EQ(reason[1][2].head(), tuple("via"_a, "test_registry"_a, "other"_a));
    exit(v.pid, atoms::kill);
    exit(l.pid, atoms::kill);
  });
}

// Erlang: casting to a dead pid or to a name nobody holds is silently dropped.
TEST(GenCall, CastToDeadOrUnregisteredTargetIsDropped) {
  node n(two_schedulers());
  n.run([] {
    const pid dead = spawn([] {});
    exit_reason_of(dead);
    gen::cast(dead, "hello"_a);
    gen::cast("nobody_here"_a, "hello"_a);
    gen::cast(server_ref::remote("srv"_a, "other@host"_a), "hello"_a);
    EXPECT_TRUE(is_process_alive(self()));
  });
}

// Erlang: a process calling itself would deadlock; gen exits with calling_self instead.
TEST(GenCall, CallingSelfExitsWithCallingSelf) {
  node n(two_schedulers());
  n.run([] {
    expected<term, gen::call_error> r = gen::try_call(self(), "x"_a);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().reason[0], term("calling_self"_a));
  });
}

// gen:reply sends {Tag, Reply}: the From's tag is opaque to the server.
TEST(GenCall, ReplySendsTagAndReplyToTheCaller) {
  node n(two_schedulers());
  n.run([] {
    const term tag(make_ref());
    gen::reply(from{self(), tag}, "answer"_a);
    EXPECT_EQ(next_message(), tuple(tag, "answer"_a));
    EXPECT_EQ(from::from_term(tuple(self(), tag))->tag, tag);
    EXPECT_FALSE(from::from_term("junk"_a).has_value());
  });
}
