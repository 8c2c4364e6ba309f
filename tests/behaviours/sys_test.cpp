// sys against a minimal behaviour (test_server in l2_support.hpp) that uses sys::server_support.

#include <gtest/gtest.h>

#include "behaviours/l2_support.hpp"

using namespace otp;
using namespace otp::literals;
using namespace otp::test;

namespace {

node_options two_schedulers() { return {.schedulers = 2}; }

pid started(std::vector<atom> debug = {}) {
  gen::start_result r = start_test_server(gen::start_link_kind::nolink, {}, init_mode::ok, std::move(debug));
  if (r.kind != gen::start_result::ok) throw std::runtime_error("test_server did not start");
  return r.pid;
}

}  // namespace

// Erlang: sys:get_state returns the state; sys:replace_state runs the fun in the server.
TEST(Sys, GetStateAndReplaceState) {
  node n(two_schedulers());
  n.run([] {
    pid s = started();
    gen::cast(s, tuple("add"_a, 4));
    EXPECT_EQ(sys::get_state(s), term(4));
    EXPECT_EQ(sys::replace_state(s, [](term st) { return term(st.as_int() * 10); }), term(40));
    EXPECT_EQ(gen::call(s, "get"_a), term(40));
    exit(s, atoms::kill);
  });
}

// Erlang: a failing replace_state fun leaves the state as it was and raises callback_failed in
// the caller; the server lives on.
TEST(Sys, FailingReplaceStateKeepsTheStateAndRaisesCallbackFailed) {
  node n(two_schedulers());
  n.run([] {
    pid s = started();
    try {
      sys::replace_state(s, [](term) -> term { throw erlang_error("nope"_a); });
      ADD_FAILURE() << "replace_state should raise";
    } catch (const erlang_error& e) {
      EXPECT_EQ(e.reason(), tuple("callback_failed"_a, "nope"_a));
    }
    EXPECT_EQ(sys::get_state(s), term(0));
    exit(s, atoms::kill);
  });
}

// Erlang: a suspended process answers only system messages; other messages wait, in order,
// until sys:resume.
TEST(Sys, SuspendedServerQueuesOrdinaryMessagesUntilResume) {
  node n(two_schedulers());
  n.run([] {
    pid s = started();
    sys::suspend(s);
    gen::cast(s, tuple("add"_a, 1));
    gen::cast(s, tuple("add"_a, 2));
    EXPECT_EQ(sys::get_state(s), term(0));  // system messages are still served
    EXPECT_EQ(sys::get_status(s)[3].list_elements()[1], term("suspended"_a));
    EXPECT_EQ(process_info(s)->message_queue_len, 2u);
    sys::resume(s);
    // The casts came before this call from the same sender, so they are handled first.
    EXPECT_EQ(gen::call(s, "get"_a), term(3));
    exit(s, atoms::kill);
  });
}

// Erlang: {status, Pid, {module, Mod}, [PDict, SysState, Parent, Debug, Misc]}.
TEST(Sys, GetStatusHasOtpShape) {
  node n(two_schedulers());
  n.run([] {
    pid s = started();
    term st = sys::get_status(s);
    ASSERT_TRUE(st.is_tuple(4));
    EXPECT_EQ(st[0], term("status"_a));
    EXPECT_EQ(st[1], term(s));
    EXPECT_EQ(st[2], tuple("module"_a, "test_server"_a));
    std::vector<term> items = st[3].list_elements();
    ASSERT_EQ(items.size(), 5u);
    EXPECT_NE(prop(items[0], "$ancestors"_a), nullptr);
    EXPECT_EQ(items[1], term(atoms::running));
    EXPECT_EQ(items[2], term(self()));
    EXPECT_EQ(items[3], term());
    EXPECT_EQ(items[4], list(tuple("data"_a, list(tuple(string("State"), 0)))));
    exit(s, atoms::kill);
  });
}

// Erlang: sys:statistics counts messages in and out while enabled; get without it is
// no_statistics.
TEST(Sys, StatisticsCountMessagesInAndOut) {
  node n(two_schedulers());
  n.run([] {
    pid s = started();
    EXPECT_FALSE(sys::statistics(s).has_value());
    sys::statistics(s, true);
    gen::cast(s, tuple("add"_a, 1));
    gen::call(s, "get"_a);
    std::optional<term> stats = sys::statistics(s);
    ASSERT_TRUE(stats.has_value());
    EXPECT_EQ(*prop(*stats, "messages_in"_a), term(2));
    EXPECT_EQ(*prop(*stats, "messages_out"_a), term(1));
    EXPECT_NE(prop(*stats, "start_time"_a), nullptr);
    sys::statistics(s, false);
    EXPECT_FALSE(sys::statistics(s).has_value());
    exit(s, atoms::kill);
  });
}

// Erlang: sys:log keeps the latest events (10 by default) and returns them oldest first.
TEST(Sys, LogKeepsTheLatestEvents) {
  node n(two_schedulers());
  n.run([] {
    pid s = started({atom("log")});  // enabled from the start options, as the debug option does
    for (int i = 1; i <= 12; ++i) gen::cast(s, tuple("add"_a, i));
    std::vector<term> events = sys::get_log(s);
    ASSERT_EQ(events.size(), 10u);
    EXPECT_EQ(events.front(), tuple("in"_a, tuple("add"_a, 3)));
    EXPECT_EQ(events.back(), tuple("in"_a, tuple("add"_a, 12)));
    sys::log(s, false);
    EXPECT_TRUE(sys::get_log(s).empty());
    exit(s, atoms::kill);
  });
}

// Erlang: sys:trace prints each event; here through the logger (domain otp.sys).
TEST(Sys, TraceLogsEachEvent) {
  node n(two_schedulers());
  l2_log_capture logs;
  n.run([] {
    pid s = started();
    sys::trace(s, true);
    gen::cast(s, tuple("add"_a, 7));
    sys::trace(s, false);
    gen::cast(s, tuple("add"_a, 8));
    sys::get_state(s);
    exit(s, atoms::kill);
  });
  std::vector<term> traced;
  for (const log_event& e : logs.events())
    if (e.domain == "otp.sys") traced.push_back(e.report);
  EXPECT_EQ(traced, std::vector<term>{tuple("in"_a, tuple("add"_a, 7))});
}

// Erlang: a sys request to a dead process exits with {noproc, {sys, Function, [Name, Timeout]}}.
TEST(Sys, RequestToDeadServerExitsWithSysReason) {
  node n(two_schedulers());
  n.run([] {
    pid dead = spawn([] {});
    exit_reason_of(dead);
    try {
      sys::get_state(dead);
      ADD_FAILURE() << "get_state should exit";
    } catch (const exit_exception& e) {
      EXPECT_EQ(e.reason(), tuple(atoms::noproc, tuple("sys"_a, "get_state"_a, list(dead, 5000))));
    }
  });
}
