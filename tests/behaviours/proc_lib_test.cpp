// proc_lib: spawn with ancestors and initial call, crash reports, the synchronous start protocol.

#include <gtest/gtest.h>

#include "behaviours/l2_support.hpp"

using namespace otp;
using namespace otp::literals;
using namespace otp::test;

namespace {

node_options two_schedulers() { return {.schedulers = 2}; }

}  // namespace

// Erlang: proc_lib:spawn records '$ancestors' ([Parent | its ancestors]) and '$initial_call'.
TEST(ProcLib, SpawnRecordsAncestorsAndInitialCall) {
  node n(two_schedulers());
  n.run([] {
    const pid me = self();
    const term ic = tuple("my_mod"_a, "run"_a, 0);
    proc_lib::spawn([me] { send(me, tuple(get("$ancestors"_a), get("$initial_call"_a))); }, ic);
    EXPECT_EQ(next_message(), tuple(list(me), ic));
    proc_lib::spawn([me] { send(me, get("$initial_call"_a)); });
    EXPECT_EQ(next_message(), tuple("erlang"_a, "apply"_a, 2));
  });
}

// Erlang: a proc_lib process that exits abnormally logs a crash report with its error_info.
TEST(ProcLib, AbnormalExitLogsACrashReport) {
  node n(two_schedulers());
  l2_log_capture logs;
  const pid victim = n.run([] {
    pid p = proc_lib::spawn([] {
      put("key"_a, "value"_a);
      exit("boom"_a);
    });
    exit_reason_of(p);
    return p;
  });
  std::vector<log_event> reports = logs.crash_reports_of(victim);
  ASSERT_EQ(reports.size(), 1u);
  const log_event& e = reports[0];
  EXPECT_EQ(e.level, log_level::error);
  const term& items = e.report.head();
  EXPECT_EQ(*prop(items, "pid"_a), term(victim));
  EXPECT_EQ(*prop(items, "error_info"_a), tuple("exit"_a, "boom"_a, term()));
  EXPECT_EQ(*prop(items, "dictionary"_a), list(tuple("key"_a, "value"_a)));  // proc_lib's keys left out
  EXPECT_TRUE(prop(items, "ancestors"_a)->is_cons());
  EXPECT_NE(e.text.find("crasher:"), std::string::npos);
  EXPECT_NE(e.text.find("exception exit: boom"), std::string::npos);
  EXPECT_EQ(logger::format(e).rfind("=CRASH REPORT==== ", 0), 0u);
}

// Erlang: normal, shutdown and {shutdown, _} are not crashes: no report.
TEST(ProcLib, NormalAndShutdownExitsLogNoCrashReport) {
  node n(two_schedulers());
  l2_log_capture logs;
  std::vector<pid> ps = n.run([] {
    std::vector<pid> out;
    out.push_back(proc_lib::spawn([] {}));
    out.push_back(proc_lib::spawn([] { exit(atoms::shutdown); }));
    out.push_back(proc_lib::spawn([] { exit(tuple(atoms::shutdown, "later"_a)); }));
    for (const pid& p : out) exit_reason_of(p);
    return out;
  });
  for (const pid& p : ps) EXPECT_TRUE(logs.crash_reports_of(p).empty());
}

// Erlang: a process ended by an exit signal from a link (or exit/2) runs no code of its own, so
// proc_lib writes no crash report for it, whatever the reason.
TEST(ProcLib, DeathByExitSignalLogsNoCrashReport) {
  node n(two_schedulers());
  l2_log_capture logs;
  std::vector<pid> ps = n.run([] {
    std::vector<pid> out;
    out.push_back(proc_lib::spawn([] { receive(); }));
    out.push_back(proc_lib::spawn([] { receive(); }));
    for (const pid& p : out) {
      ref m = monitor(p);
      exit(p, "external_reason"_a);
      next_down(m);
    }
    return out;
  });
  for (const pid& p : ps) EXPECT_TRUE(logs.crash_reports_of(p).empty());
}

// A C++ exception is a crash of class error with the runtime's {exception, Type, What} reason;
// erlang_error is class error with its own reason.
TEST(ProcLib, ExceptionsAreReportedAsErrorClass) {
  node n(two_schedulers());
  l2_log_capture logs;
  auto [a, b] = n.run([] {
    pid x = proc_lib::spawn([] { throw std::runtime_error("kaput"); });
    spawn_result y = proc_lib::spawn_opt([] { throw erlang_error("badarith"_a); }, {.monitor = true});
    EXPECT_EQ(next_down(*y.monitor)[4], term("badarith"_a));
    exit_reason_of(x);
    return std::pair{x, y.pid};
  });
  ASSERT_EQ(logs.crash_reports_of(a).size(), 1u);
  const term info = *prop(logs.crash_reports_of(a)[0].report.head(), "error_info"_a);
  EXPECT_EQ(info[0], term(atoms::error));
  EXPECT_EQ(info[1][0], term(atoms::exception));
  ASSERT_EQ(logs.crash_reports_of(b).size(), 1u);
  EXPECT_EQ(*prop(logs.crash_reports_of(b)[0].report.head(), "error_info"_a),
            tuple(atoms::error, "badarith"_a, term()));
}

// Erlang: proc_lib:spawn_link links, and the link carries the crash reason.
TEST(ProcLib, SpawnLinkLinksTheCaller) {
  node n(two_schedulers());
  n.run([] {
    trap_exit(true);
    pid p = proc_lib::spawn_link([] { exit("linked_crash"_a); });
    EXPECT_EQ(next_exit_from(p)[2], term("linked_crash"_a));
  });
}

// Erlang: proc_lib:start returns what the new process passes to init_ack, once it is passed.
TEST(ProcLib, StartReturnsTheInitAckValue) {
  node n(two_schedulers());
  n.run([] {
    EXPECT_EQ(proc_lib::start([] {
                EXPECT_TRUE(proc_lib::ack_pending());
                proc_lib::init_ack(tuple(atoms::ok, "ready"_a));
                EXPECT_FALSE(proc_lib::ack_pending());
              }),
              tuple(atoms::ok, "ready"_a));
    proc_lib::start_result r = proc_lib::start(proc_lib::start_kind::link, [] {
      proc_lib::init_ack(atoms::ok);
      receive();
    });
    EXPECT_EQ(r.ack, term(atoms::ok));
    const std::vector<pid> links = process_info(self())->links;
    EXPECT_NE(std::find(links.begin(), links.end(), r.pid), links.end());
    unlink(r.pid);
    exit(r.pid, atoms::kill);
  });
}

// Erlang: a process that dies before init_ack makes start return {error, Reason}.
TEST(ProcLib, ProcessDyingBeforeInitAckGivesError) {
  node n(two_schedulers());
  n.run([] {
    trap_exit(true);
    EXPECT_EQ(proc_lib::start_link([] { exit("early"_a); }), tuple(atoms::error, "early"_a));
    EXPECT_EQ(process_info(self())->message_queue_len, 0u);
  });
}

// Erlang: the start timeout kills the process; the caller gets {error, timeout} and no 'EXIT'.
TEST(ProcLib, StartTimeoutKillsTheProcess) {
  node n(two_schedulers());
  n.run([] {
    trap_exit(true);
    proc_lib::start_result r = proc_lib::start(
        proc_lib::start_kind::link, [] { receive(); }, timeout::ms(20));
    EXPECT_TRUE(r.timed_out);
    EXPECT_EQ(r.ack, tuple(atoms::error, atoms::timeout));
    EXPECT_FALSE(is_process_alive(r.pid));
    EXPECT_EQ(process_info(self())->message_queue_len, 0u);
  });
}
