// gen_server_SUITE "start" group: what start / start_link / start_monitor return for each init
// outcome, and the name rules.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <mutex>

#include <otp/otp.hpp>

#include "behaviours/gen_server_support.hpp"
#include "behaviours/test_registry.hpp"

using namespace otp;
using namespace otp::literals;
using namespace otp::test;

namespace {

/// init(Arg) does what Arg says: ok | ignore | {stop, R} | throw | {sleep, Ms, ReportTo} |
/// {whereis, Name}.
class starter : public gen_server::behaviour<starter> {
 public:
  init_result init(term arg) {
    if (arg == "ignore"_a) return ignore();
    if (arg.is_tuple(2) && arg[0] == "stop"_a) return stop(arg[1]);
    if (arg == "throw"_a) throw std::runtime_error("init failed");
    if (arg.is_tuple(3) && arg[0] == "sleep"_a) {
      send(arg[2].as_pid(), tuple("initialising"_a, self()));
      otp::sleep(timeout::ms(arg[1].as_int()));
    }
    if (arg.is_tuple(2) && arg[0] == "whereis"_a) return ok(term(whereis(arg[1].as_atom()).value_or(pid{})));
    return ok(arg);
  }
  call_result handle_call(const term&, const from&, term state) { return reply(state, state); }
};

}  // namespace

// start1: gen_server:start/3 with init returning {ok, State} gives {ok, Pid} and a live server.
TEST(GenServerStart, StartReturnsOkPidWhenInitReturnsOk) {
  node n({.schedulers = 2});
  term got = n.run([] {
    gen_server::start_result r = gen_server::start<starter>(term(7));
    EXPECT_EQ(r.kind, gen_server::start_result::ok);
    term state = gen_server::call(r.pid, "get"_a);
    gen_server::stop(r.pid);
    return state;
  });
  EXPECT_EQ(got, term(7));
}

// start2: init returning ignore makes start return ignore and the process end normally.
TEST(GenServerStart, InitIgnoreReturnsIgnore) {
  node n({.schedulers = 2});
  term got = n.run([] { return gen_server::start<starter>("ignore"_a, {.name = "ignorer"_a}).to_term(); });
  EXPECT_EQ(got, "ignore"_a);
}

// start3: init returning {stop, Reason} gives {error, Reason}; start_link's caller (trapping
// exits) gets no stray 'EXIT' left in its mailbox.
TEST(GenServerStart, InitStopReturnsErrorWithReason) {
  node n({.schedulers = 2});
  auto [result, stray] = n.run([] {
    trap_exit(true);
    term r = gen_server::start_link<starter>(tuple("stop"_a, "no_way"_a)).to_term();
    return std::pair{r, receive(timeout::ms(0))};
  });
  EXPECT_EQ(result, "{error,no_way}"_term);
  EXPECT_FALSE(stray.has_value()) << to_string(*stray);
}

// start4: an exception in init fails the start with {exception, Type, What}, without terminate.
TEST(GenServerStart, ExceptionInInitFailsTheStart) {
  node n({.schedulers = 2});
  term got = n.run([] { return gen_server::start<starter>("throw"_a).to_term(); });
  ASSERT_TRUE(got.is_tuple(2)) << got;
  EXPECT_EQ(got[0], atoms::error);
  EXPECT_EQ(got[1], "{exception,<<\"std::runtime_error\">>,<<\"init failed\">>}"_term);
}

// start5: a second server under a taken name gets {error, {already_started, Pid}}, and its init
// never runs.
TEST(GenServerStart, TakenNameGivesAlreadyStarted) {
  node n({.schedulers = 2});
  auto [first, second] = n.run([] {
    pid p = started(gen_server::start<starter>(term(1), {.name = "only_one"_a}));
    term again = gen_server::start<starter>("throw"_a, {.name = "only_one"_a}).to_term();
    gen_server::stop(p);
    return std::pair{p, again};
  });
  EXPECT_EQ(second, tuple(atoms::error, tuple("already_started"_a, first)));
}

// start6: the name is registered before init runs (init can whereis itself).
TEST(GenServerStart, NameIsRegisteredBeforeInit) {
  node n({.schedulers = 2});
  auto [p, seen] = n.run([] {
    pid s = started(gen_server::start<starter>(tuple("whereis"_a, "early"_a), {.name = "early"_a}));
    term state = gen_server::call("early"_a, "get"_a);
    gen_server::stop(s);
    return std::pair{s, state};
  });
  EXPECT_EQ(seen, term(p));
}

// start7: a failed init unregisters the name before the start returns, so an immediate retry
// under the same name succeeds (no already_started).
TEST(GenServerStart, FailedInitFreesTheNameForAnImmediateRetry) {
  node n({.schedulers = 2});
  term got = n.run([] {
    gen_server::start<starter>(tuple("stop"_a, "bad"_a), {.name = "retry"_a});
    gen_server::start_result r = gen_server::start<starter>(term(2), {.name = "retry"_a});
    term out = r.to_term();
    if (r.kind == gen_server::start_result::ok) gen_server::stop(r.pid);
    return out[0];
  });
  EXPECT_EQ(got, atoms::ok);
}

// start8: init slower than the start timeout: {error, timeout}, and the server was killed.
TEST(GenServerStart, InitTimeoutKillsTheServer) {
  node n({.schedulers = 2});
  auto [result, end, registered] = n.run([] {
    gen_server::start_options o{.name = "slow"_a, .start_timeout = timeout::ms(20)};
    term r = gen_server::start<starter>(tuple("sleep"_a, 600000, self()), o).to_term();
    const pid server = next_message()[1].as_pid();
    term reason = exit_reason_of(server);  // noproc if it was gone before the monitor
    return std::tuple{r, reason, whereis("slow"_a).has_value()};
  });
  EXPECT_EQ(result, "{error,timeout}"_term);
  EXPECT_TRUE(end == atoms::killed || end == atoms::noproc) << end;
  EXPECT_FALSE(registered);
}

// start9: start_link links the server to the caller: the server's exit reaches the caller.
TEST(GenServerStart, StartLinkLinksTheCaller) {
  node n({.schedulers = 2});
  term got = n.run([] {
    trap_exit(true);
    pid p = started(gen_server::start_link<starter>(term(0)));
    gen_server::stop(p, "bye"_a);
    return next_exit_from(p)[2];
  });
  EXPECT_EQ(got, "bye"_a);
}

// start10: start_monitor returns a monitor on the server.
TEST(GenServerStart, StartMonitorMonitorsTheServer) {
  node n({.schedulers = 2});
  term got = n.run([] {
    gen_server::start_result r = gen_server::start_monitor<starter>(term(0));
    EXPECT_TRUE(r.monitor.has_value());
    exit(r.pid, "gone"_a);
    return next_down(*r.monitor)[4];
  });
  EXPECT_EQ(got, "gone"_a);
}

// start11: {via, Module, Name}: the server registers through the registry and is reached by the
// same name; a second start under it gets already_started.
TEST(GenServerStart, ViaNameRegistersThroughTheRegistry) {
  node n({.schedulers = 2});
  auto registry = std::make_shared<test_registry>();
  auto [state, again, server] = n.run([registry] {
    const server_ref name = server_ref::via(registry, "{worker,1}"_term);
    pid s = started(gen_server::start<starter>("via"_a, {.name = name}));
    term st = gen_server::call(name, "get"_a);
    term second = gen_server::start<starter>("via"_a, {.name = name}).to_term();
    gen_server::stop(name);
    return std::tuple{st, second, s};
  });
  EXPECT_EQ(state, "via"_a);
  EXPECT_EQ(again, tuple(atoms::error, tuple("already_started"_a, server)));
}
