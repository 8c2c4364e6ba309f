// gen_server_SUITE "continue" and "hibernate": {continue, C} runs handle_continue before any
// other message; hibernate is accepted and shown by sys.

#include <gtest/gtest.h>

#include <otp/otp.hpp>

#include "behaviours/gen_server_support.hpp"

using namespace otp;
using namespace otp::literals;
using namespace otp::test;

namespace {

/// The state is the list of events seen, newest first. init and the `go` call ask for a
/// continue; handle_continue(N) asks for another until N reaches 0. `hibernate` hibernates.
class continuer : public gen_server::behaviour<continuer> {
 public:
  init_result init(term arg) {
    if (arg == "no_continue"_a) return ok(list());
    // A message queued before init returns must still come after the continue.
    send(self(), "queued"_a);
    return ok(list("init"_a)).continue_with(1);
  }
  call_result handle_call(const term& request, const from&, term events) {
    if (request == "go"_a) return reply(atoms::ok, cons("go"_a, events)).continue_with(2);
    if (request == "hibernate"_a) return reply(atoms::ok, events).hibernate();
    return reply(events, events);
  }
  info_result handle_info(const term& message, term events) { return noreply(cons(message, events)); }
  continue_result handle_continue(const term& n, term events) {
    term next = cons(tuple("continue"_a, n), events);
    if (n.as_int() > 1) return noreply(next).continue_with(n.as_int() - 1);
    return noreply(next);
  }
};

/// Asks for a continue but has no handle_continue: Erlang's undef.
class forgetful : public gen_server::behaviour<forgetful> {
 public:
  init_result init(term) { return ok(term()).continue_with("x"_a); }
};

term events_of(const pid& s) { return gen_server::call(s, "events"_a); }

}  // namespace

// continue1: {ok, State, {continue, C}}: handle_continue runs right after init, before a
// message that was already queued.
TEST(GenServerContinue, ContinueFromInitRunsBeforeQueuedMessages) {
  node n({.schedulers = 2});
  term got = n.run([] {
    pid s = started(gen_server::start<continuer>(term()));
    term e = events_of(s);
    gen_server::stop(s);
    return e;
  });
  EXPECT_EQ(got, "[queued,{continue,1},init]"_term);
}

// continue2: {reply, R, State, {continue, C}} from handle_call: the caller gets R, and the
// continues (chained) run before the next message.
TEST(GenServerContinue, ContinueFromHandleCallRunsBeforeTheNextMessage) {
  node n({.schedulers = 2});
  term got = n.run([] {
    pid s = started(gen_server::start<continuer>("no_continue"_a));
    gen_server::call(s, "go"_a);
    send(s, "after"_a);
    term e = events_of(s);
    gen_server::stop(s);
    return e;
  });
  EXPECT_EQ(got, "[after,{continue,1},{continue,2},go]"_term);
}

// continue3: a continue without handle_continue stops the server with {undef, ...}.
TEST(GenServerContinue, ContinueWithoutHandleContinueStops) {
  node n({.schedulers = 2});
  term got = n.run([] {
    trap_exit(true);
    pid s = started(gen_server::start_link<forgetful>(term()));
    return next_exit_from(s)[2];
  });
  ASSERT_TRUE(got.is_tuple(2)) << got;
  EXPECT_EQ(got[0], "undef"_a);
}

// hibernate1: {reply, R, State, hibernate}: the server goes on serving; sys:get_status shows it
// hibernated until the next ordinary message.
TEST(GenServerHibernate, HibernateIsRecordedAndServingContinues) {
  node n({.schedulers = 2});
  auto [during, after] = n.run([] {
    pid s = started(gen_server::start<continuer>("no_continue"_a));
    gen_server::call(s, "hibernate"_a);
    term st1 = sys::get_status(s);
    gen_server::call(s, "events"_a);
    term st2 = sys::get_status(s);
    gen_server::stop(s);
    return std::pair{st1, st2};
  });
  // {status, Pid, {module, M}, [PDict, SysState, Parent, Debug, [Header, {data, SysData}, ...]]}
  auto hibernated = [](const term& status) {
    const term sys_data = status[3].list_elements()[4].list_elements()[1][1];
    for (const term& kv : sys_data.list_elements()) {
      if (kv[0] == string("Hibernated")) return kv[1];
    }
    return term();
  };
  EXPECT_EQ(hibernated(during), atoms::true_);
  EXPECT_EQ(hibernated(after), atoms::false_);
}

// hibernate2: hibernating gives back the server's sys support unless a debug option or a
// suspension lives in it: sys keeps working afterwards, and statistics turned on survive it.
TEST(GenServerHibernate, HibernateKeepsDebugOptionsAndSysStillWorks) {
  node n({.schedulers = 2});
  auto [stats_kept, state_ok] = n.run([] {
    pid s = started(gen_server::start<continuer>("no_continue"_a));
    sys::get_state(s);  // builds the sys support
    gen_server::call(s, "hibernate"_a);
    term st = sys::get_state(s);  // rebuilt on demand
    sys::statistics(s, true);
    gen_server::call(s, "hibernate"_a);
    bool kept = sys::statistics(s).has_value();
    gen_server::stop(s);
    return std::pair{kept, st.is_list()};
  });
  EXPECT_TRUE(stats_kept);
  EXPECT_TRUE(state_ok);
}
