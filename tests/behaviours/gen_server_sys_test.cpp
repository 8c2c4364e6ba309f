// gen_server_SUITE "sys" group: a gen_server answers sys requests: get_state, replace_state,
// get_status, suspend/resume, statistics, trace/log, and code_change through sys.

#include <gtest/gtest.h>

#include <otp/otp.hpp>

#include "behaviours/gen_server_support.hpp"

using namespace otp;
using namespace otp::literals;
using namespace otp::test;

namespace {

/// A counter: `inc` (call) adds one and answers the new value; {set, N} (cast).
/// code_change(OldVsn, N, Extra) gives {upgraded, OldVsn, N, Extra}, or throws for vsn `bad`.
class counter : public gen_server::behaviour<counter> {
 public:
  init_result init(term start) { return ok(start); }
  call_result handle_call(const term& request, const from&, term n) {
    if (request == "inc"_a) return reply(n.as_int() + 1, term(n.as_int() + 1));
    return reply(n, n);
  }
  cast_result handle_cast(const term& message, term) { return noreply(message[1]); }
  term code_change(const term& old_vsn, term n, const term& extra) {
    if (old_vsn == "bad"_a) throw erlang_error("no_upgrade"_a);
    return tuple("upgraded"_a, old_vsn, n, extra);
  }
};

/// A typed state (not a term): sys shows it as an opaque C++ value.
struct tally {
  int64_t count = 0;
};
class typed : public gen_server::behaviour<typed, tally> {
 public:
  init_result init(int64_t start) { return ok(tally{start}); }
  call_result handle_call(const term&, const from&, tally t) {
    ++t.count;
    return reply(t.count, t);
  }
};

}  // namespace

// sys1: sys:get_state returns the state; sys:replace_state changes it in place.
TEST(GenServerSys, GetStateAndReplaceState) {
  node n({.schedulers = 2});
  auto [before, replaced, after] = n.run([] {
    pid s = started(gen_server::start<counter>(term(5)));
    term b = sys::get_state(s);
    term r = sys::replace_state(s, [](term n) { return term(n.as_int() * 10); });
    term a = gen_server::call(s, "inc"_a);
    gen_server::stop(s);
    return std::tuple{b, r, a};
  });
  EXPECT_EQ(before, term(5));
  EXPECT_EQ(replaced, term(50));
  EXPECT_EQ(after, term(51));
}

// sys2: a typed state travels through sys as an opaque C++ value, and replace_state can put a
// new one in.
TEST(GenServerSys, TypedStateThroughSys) {
  node n({.schedulers = 2});
  term got = n.run([] {
    pid s = started(gen_server::start<typed>(int64_t(1)));
    term opaque = sys::get_state(s);
    EXPECT_EQ(opaque.opaque_get<tally>()->count, 1);
    sys::replace_state(s, [](term) { return make_opaque<tally>(tally{100}); });
    term next = gen_server::call(s, "inc"_a);
    gen_server::stop(s);
    return next;
  });
  EXPECT_EQ(got, term(101));
}

// sys3: sys:get_status gives {status, Pid, {module, gen_server}, [PDict, running, Parent, Debug,
// Status]} whose Status ends with gen_server's {data, [{"State", State}]}.
TEST(GenServerSys, GetStatusShowsModuleStatusAndState) {
  node n({.schedulers = 2});
  auto [server, status] = n.run([] {
    pid s = started(gen_server::start<counter>(term(3)));
    term st = sys::get_status(s);
    gen_server::stop(s);
    return std::pair{s, st};
  });
  ASSERT_TRUE(status.is_tuple(4)) << status;
  EXPECT_EQ(status[0], "status"_a);
  EXPECT_EQ(status[1], term(server));
  const std::vector<term> misc = status[3].list_elements();
  ASSERT_EQ(misc.size(), 5u) << status;
  EXPECT_EQ(misc[1], atoms::running);
  const std::vector<term> formatted = misc[4].list_elements();
  ASSERT_FALSE(formatted.empty());
  EXPECT_EQ(formatted.back(), tuple("data"_a, list(tuple(string("State"), 3))));
}

// sys4: while suspended the server answers only system messages; queued calls and casts run,
// in order, after resume.
TEST(GenServerSys, SuspendHoldsMessagesUntilResume) {
  node n({.schedulers = 2});
  auto [while_suspended, status, after] = n.run([] {
    pid s = started(gen_server::start<counter>(term(0)));
    sys::suspend(s);
    gen_server::cast(s, tuple("set"_a, 7));
    term during = sys::get_state(s);
    term st = sys::get_status(s).element(3).list_elements()[1];
    sys::resume(s);
    term a = gen_server::call(s, "get"_a);
    gen_server::stop(s);
    return std::tuple{during, st, a};
  });
  EXPECT_EQ(while_suspended, term(0));
  EXPECT_EQ(status, "suspended"_a);
  EXPECT_EQ(after, term(7));
}

// sys5: sys:statistics counts messages in and out once enabled.
TEST(GenServerSys, StatisticsCountMessages) {
  node n({.schedulers = 2});
  term got = n.run([] {
    pid s = started(gen_server::start<counter>(term(0)));
    EXPECT_FALSE(sys::statistics(s).has_value());
    sys::statistics(s, true);
    for (int i = 0; i < 3; ++i) gen_server::call(s, "inc"_a);
    std::optional<term> stats = sys::statistics(s);
    gen_server::stop(s);
    return stats.value_or(term());
  });
  int64_t in = -1, out = -1;
  for (const term& kv : got.list_elements()) {
    if (kv[0] == "messages_in"_a) in = kv[1].as_int();
    if (kv[0] == "messages_out"_a) out = kv[1].as_int();
  }
  EXPECT_EQ(in, 3);
  EXPECT_EQ(out, 3);
}

// sys6: sys:log keeps the server's events ({in, Msg}, {out, Reply, To}); sys:trace logs them
// (domain otp.sys).
TEST(GenServerSys, LogAndTraceRecordEvents) {
  log_capture logs;
  node n({.schedulers = 2});
  auto [events, caller] = n.run([] {
    pid s = started(gen_server::start<counter>(term(0)));
    sys::log(s, true);
    sys::trace(s, true);
    gen_server::call(s, "inc"_a);
    gen_server::cast(s, tuple("set"_a, 9));
    std::vector<term> e = sys::get_log(s);
    sys::trace(s, false);
    gen_server::stop(s);
    return std::pair{e, self()};
  });
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events[0][0], "in"_a);
  EXPECT_EQ(events[0][1][0], atoms::gen_call);
  EXPECT_EQ(events[1], tuple("out"_a, 1, caller));
  EXPECT_EQ(events[2], tuple("in"_a, tuple(atoms::gen_cast, tuple("set"_a, 9))));
  std::size_t traced = 0;
  for (const log_event& e : logs.events()) traced += e.domain == "otp.sys";
  EXPECT_GE(traced, 3u);
}

// sys7: sys:change_code calls code_change(OldVsn, State, Extra); a failing code_change answers
// {error, Reason} and keeps the state.
TEST(GenServerSys, CodeChangeIsCallableThroughSys) {
  node n({.schedulers = 2});
  auto [refused, kept, accepted, state] = n.run([] {
    // As Erlang's release handling does: suspend, change code, resume.
    pid s = started(gen_server::start<counter>(term(4)));
    sys::suspend(s);
    term r = sys::change_code(s, "counter"_a, "bad"_a, "extra"_a);
    term k = sys::get_state(s);
    term a = sys::change_code(s, "counter"_a, "1"_a, "extra"_a);
    sys::resume(s);
    term st = sys::get_state(s);
    gen_server::stop(s);
    return std::tuple{r, k, a, st};
  });
  EXPECT_EQ(refused, "{error,no_upgrade}"_term);
  EXPECT_EQ(kept, term(4));
  EXPECT_EQ(accepted, atoms::ok);
  EXPECT_EQ(state, "{upgraded,'1',4,extra}"_term);
}

// sys9: sys:terminate/2 ends a suspended server too; terminate runs with the reason.
TEST(GenServerSys, TerminateWorksWhileSuspended) {
  node n({.schedulers = 2});
  term reason = n.run([] {
    pid s = started(gen_server::start<counter>(term(1)));
    ref m = monitor(s);
    sys::suspend(s);
    sys::terminate(s, atoms::shutdown);
    return next_down(m)[4];
  });
  EXPECT_EQ(reason, term(atoms::shutdown));
}

// sys8: the debug start option ({debug, [statistics]}) turns sys statistics on from the start.
TEST(GenServerSys, DebugStartOptionEnablesStatistics) {
  node n({.schedulers = 2});
  bool on = n.run([] {
    pid s = started(gen_server::start<counter>(term(0), {.debug = {"statistics"_a}}));
    gen_server::call(s, "inc"_a);
    bool has = sys::statistics(s).has_value();
    gen_server::stop(s);
    return has;
  });
  EXPECT_TRUE(on);
}
