// gen_server_SUITE "crash" group: an exception escaping a callback ends the server with a reason,
// runs terminate, exits the pending caller and logs "Generic server ... terminating".

#include <gtest/gtest.h>

#include <otp/otp.hpp>

#include "behaviours/gen_server_support.hpp"

using namespace otp;
using namespace otp::literals;
using namespace otp::test;

namespace {

/// State {Watcher, Count}. handle_call: crash → throws; exit → otp::exit(boom); error →
/// erlang_error(oops); block → tells the watcher and waits; anything else increments Count. terminate tells
/// the watcher.
class fragile : public gen_server::behaviour<fragile> {
 public:
  init_result init(term watcher) { return ok(tuple(watcher, 0)); }
  call_result handle_call(const term& request, const from&, term state) {
    if (request == "crash"_a) throw std::runtime_error("boom");
    if (request == "exit"_a) otp::exit("boom"_a);
    if (request == "error"_a) throw erlang_error("oops"_a);
    if (request == "block"_a) {
      send(state[0].as_pid(), "blocked"_a);
      receive();  // until an exit signal ends the server
    }
    term next = tuple(state[0], state[1].as_int() + 1);
    return reply(next[1], next);
  }
  cast_result handle_cast(const term& message, term state) {
    if (message == "crash"_a) throw std::logic_error("cast crash");
    return noreply(state);
  }
  void terminate(const term& reason, const term& state) {
    send(state[0].as_pid(), tuple("terminate"_a, reason, state[1]));
  }
};

/// Like fragile, but format_status hides the state.
class secretive : public gen_server::behaviour<secretive> {
 public:
  init_result init(term secret) { return ok(secret); }
  call_result handle_call(const term&, const from&, term) { throw std::runtime_error("leak?"); }
  term format_status(const term&) { return "redacted"_a; }
};

/// A server whose terminate itself throws.
class bad_terminate : public gen_server::behaviour<bad_terminate> {
 public:
  init_result init(term) { return ok(term()); }
  call_result handle_call(const term&, const from&, term state) {
    return stop(atoms::normal, atoms::ok, state);
  }
  void terminate(const term&, const term&) { throw std::runtime_error("terminate failed"); }
};

const term crash_reason = "{exception,<<\"std::runtime_error\">>,<<\"boom\">>}"_term;

}  // namespace

// crash1: an exception in handle_call exits the caller with {Reason, {gen_server, call, ...}},
// where Reason is the exception's {exception, Type, What}.
TEST(GenServerCrash, ExceptionInHandleCallExitsTheCaller) {
  node n({.schedulers = 2});
  auto [server, reason] = n.run([] {
    pid s = started(gen_server::start<fragile>(term(self())));
    term r = exit_reason_of_call([&] { gen_server::call(s, "crash"_a); });
    return std::pair{s, r};
  });
  EXPECT_EQ(reason, call_exit(crash_reason, server, "crash"_a, 5000));
}

// crash2: terminate runs with the crash reason and the state before the failing callback; the
// server's exit reason is the same reason.
TEST(GenServerCrash, TerminateRunsWithTheCrashReason) {
  node n({.schedulers = 2});
  auto [terminated, down] = n.run([] {
    pid s = started(gen_server::start<fragile>(term(self())));
    ref m = monitor(s);
    gen_server::call(s, "bump"_a);
    gen_server::cast(s, "crash"_a);
    term t = next_matching([](const term& msg) { return msg.is_tuple(3) && msg[0] == "terminate"_a; });
    return std::pair{t, next_down(m)[4]};
  });
  const term reason = "{exception,<<\"std::logic_error\">>,<<\"cast crash\">>}"_term;
  EXPECT_EQ(terminated, tuple("terminate"_a, reason, 1));
  EXPECT_EQ(down, reason);
}

// crash3: the crash is logged as OTP's gen_server terminate report: name, last message, state,
// reason, and the text "** Generic server Name terminating".
TEST(GenServerCrash, CrashReportNamesServerLastMessageStateAndReason) {
  log_capture logs;
  node n({.schedulers = 2});
  pid caller = n.run([] {
    pid s = started(gen_server::start<fragile>(term(self()), {.name = "reporter"_a}));
    ref m = monitor(s);
    exit_reason_of_call([&] { gen_server::call("reporter"_a, "crash"_a); });
    next_down(m);
    return self();
  });
  std::vector<log_event> reports = logs.terminate_reports("reporter"_a);
  ASSERT_EQ(reports.size(), 1u);
  const log_event& e = reports[0];
  EXPECT_EQ(e.level, log_level::error);
  EXPECT_EQ(field(e, "reason"), crash_reason);
  EXPECT_EQ(field(e, "state"), tuple(caller, 0));
  const term last = field(e, "last_message");
  ASSERT_TRUE(last.is_tuple(3)) << last;
  EXPECT_EQ(last[0], atoms::gen_call);
  EXPECT_EQ(last[2], "crash"_a);
  EXPECT_EQ(field(e, "client_info"), term(caller));
  EXPECT_NE(e.text.find("** Generic server reporter terminating"), std::string::npos) << e.text;
  EXPECT_NE(e.text.find("** Reason for termination =="), std::string::npos) << e.text;
}

// crash4: exit(Reason) in a callback ends the server with exactly Reason; erlang_error(R) too.
TEST(GenServerCrash, ExitAndErlangErrorGiveTheirReasons) {
  node n({.schedulers = 2});
  auto [exit_down, error_down] = n.run([] {
    pid a = started(gen_server::start<fragile>(term(self())));
    pid b = started(gen_server::start<fragile>(term(self())));
    ref ma = monitor(a);
    ref mb = monitor(b);
    exit_reason_of_call([&] { gen_server::call(a, "exit"_a); });
    exit_reason_of_call([&] { gen_server::call(b, "error"_a); });
    return std::pair{next_down(ma)[4], next_down(mb)[4]};
  });
  EXPECT_EQ(exit_down, "boom"_a);
  EXPECT_EQ(error_down, "oops"_a);
}

// crash5: format_status decides what the crash report shows as the state.
TEST(GenServerCrash, FormatStatusIsUsedInTheCrashReport) {
  log_capture logs;
  node n({.schedulers = 2});
  n.run([] {
    pid s = started(gen_server::start<secretive>("password"_a, {.name = "secretive"_a}));
    ref m = monitor(s);
    exit_reason_of_call([&] { gen_server::call(s, "peek"_a); });
    next_down(m);
  });
  std::vector<log_event> reports = logs.terminate_reports("secretive"_a);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(field(reports[0], "state"), "redacted"_a);
  EXPECT_EQ(reports[0].text.find("password"), std::string::npos) << reports[0].text;
}

// crash6: a normal stop logs no report; a terminate that throws replaces the reason and is
// always reported.
TEST(GenServerCrash, FailingTerminateReplacesTheReasonAndIsReported) {
  log_capture logs;
  node n({.schedulers = 2});
  term down = n.run([] {
    pid s = started(gen_server::start<bad_terminate>(term(), {.name = "bad_terminate"_a}));
    ref m = monitor(s);
    gen_server::call(s, "stop"_a);
    return next_down(m)[4];
  });
  const term reason = "{exception,<<\"std::runtime_error\">>,<<\"terminate failed\">>}"_term;
  EXPECT_EQ(down, reason);
  std::vector<log_event> reports = logs.terminate_reports("bad_terminate"_a);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(field(reports[0], "reason"), reason);
}

// crash7: a server killed with exit(Pid, kill) ends with killed and runs no terminate.
TEST(GenServerCrash, KilledServerRunsNoTerminate) {
  node n({.schedulers = 2});
  auto [down, stray] = n.run([] {
    pid s = started(gen_server::start<fragile>(term(self())));
    ref m = monitor(s);
    exit(s, atoms::kill);
    term reason = next_down(m)[4];
    return std::pair{reason, receive(timeout::ms(0))};
  });
  EXPECT_EQ(down, atoms::killed);
  EXPECT_FALSE(stray.has_value()) << to_string(*stray);
}

// crash8: an exit signal that ends a server blocked inside a callback (not trapping exits) runs
// no terminate and logs no gen_server report: in Erlang no code of the victim runs then.
TEST(GenServerCrash, ExitSignalDuringCallbackRunsNoTerminate) {
  log_capture logs;
  node n({.schedulers = 2});
  auto [down, stray] = n.run([] {
    pid s = started(gen_server::start<fragile>(term(self()), {.name = "blocked"_a}));
    ref m = monitor(s);
    const pid me = self();
    spawn([s, me] {
      send(me, tuple("call_ended"_a, gen_server::try_call(s, "block"_a, infinity).has_value()));
    });
    next_matching([](const term& msg) { return msg == "blocked"_a; });
    exit(s, "shot"_a);
    term reason = next_down(m)[4];
    next_matching([](const term& msg) { return msg.is_tuple(2) && msg[0] == "call_ended"_a; });
    return std::pair{reason, receive(timeout::ms(0))};
  });
  EXPECT_EQ(down, "shot"_a);
  EXPECT_FALSE(stray.has_value()) << to_string(*stray);
  EXPECT_TRUE(logs.terminate_reports("blocked"_a).empty());
}
