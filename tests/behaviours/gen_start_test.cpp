// gen::start: proc_lib's synchronous start with name registration (gen:start/5,6 as gen_server
// uses it).

#include <gtest/gtest.h>

#include "behaviours/l2_support.hpp"

using namespace otp;
using namespace otp::literals;
using namespace otp::test;

namespace {

node_options two_schedulers() { return {.schedulers = 2}; }

std::size_t my_queue_len() { return process_info(self())->message_queue_len; }

gen::start_options named(atom name) {
  gen::start_options o;
  o.name = server_ref(name);
  return o;
}

}  // namespace

// Erlang: starting under a taken name returns {error, {already_started, Pid}} and init never runs.
TEST(GenStart, NameAlreadyTakenReturnsAlreadyStartedWithoutRunningInit) {
  node n(two_schedulers());
  n.run([] {
    std::atomic<int> inits{0};
    gen::start_result first =
        start_test_server(gen::start_link_kind::nolink, named("l2_taken"_a), init_mode::ok, {}, &inits);
    ASSERT_EQ(first.kind, gen::start_result::ok);
    gen::start_result second =
        start_test_server(gen::start_link_kind::nolink, named("l2_taken"_a), init_mode::ok, {}, &inits);
    EXPECT_EQ(second.kind, gen::start_result::error);
    EXPECT_EQ(second.reason, tuple("already_started"_a, first.pid));
    EXPECT_EQ(second.to_term(), tuple(atoms::error, tuple("already_started"_a, first.pid)));
    EXPECT_EQ(inits.load(), 1);
    exit(first.pid, atoms::kill);
  });
}

// Erlang (gen_server:init_it): a failing init unregisters the name before acking, so an
// immediate retry under the same name succeeds.
TEST(GenStart, InitStopUnregistersNameBeforeAckSoAnImmediateRetrySucceeds) {
  node n(two_schedulers());
  n.run([] {
    gen::start_result failed =
        start_test_server(gen::start_link_kind::nolink, named("l2_retry"_a), init_mode::stop);
    EXPECT_EQ(failed.kind, gen::start_result::error);
    EXPECT_EQ(failed.reason, term("init_refused"_a));
    gen::start_result retry = start_test_server(gen::start_link_kind::nolink, named("l2_retry"_a));
    ASSERT_EQ(retry.kind, gen::start_result::ok);
    EXPECT_EQ(whereis("l2_retry"_a), retry.pid);
    exit(retry.pid, atoms::kill);
  });
}

// The same for a via name: the registry is released before the ack.
TEST(GenStart, InitStopReleasesAViaNameBeforeAck) {
  node n(two_schedulers());
  n.run([] {
    auto registry = std::make_shared<test_registry>();
    gen::start_options o;
    o.name = server_ref::via(registry, "svc"_a);
    EXPECT_EQ(start_test_server(gen::start_link_kind::nolink, o, init_mode::stop).kind,
              gen::start_result::error);
    gen::start_result retry = start_test_server(gen::start_link_kind::nolink, o);
    ASSERT_EQ(retry.kind, gen::start_result::ok);
    exit(retry.pid, atoms::kill);
  });
}

// Erlang (proc_lib:start_link): on a start timeout the half-started process is unlinked and
// killed, and its 'EXIT' flushed: no process, no name, no message left.
TEST(GenStart, StartTimeoutKillsTheHalfStartedProcessAndLeavesNothingBehind) {
  node n(two_schedulers());
  n.run([] {
    trap_exit(true);
    gen::start_options o = named("l2_slow"_a);
    o.start_timeout = timeout::ms(20);
    std::atomic<int> inits{0};
    gen::start_result r = start_test_server(gen::start_link_kind::link, o, init_mode::block, {}, &inits);
    EXPECT_EQ(r.kind, gen::start_result::error);
    EXPECT_EQ(r.reason, term(atoms::timeout));
    EXPECT_FALSE(whereis("l2_slow"_a).has_value());
    EXPECT_EQ(my_queue_len(), 0u);
    EXPECT_TRUE(process_info(self())->links.empty());
    EXPECT_TRUE(process_info(self())->monitors.empty());
  });
}

// Erlang: init returning ignore gives ignore; the process is gone and the name free.
TEST(GenStart, InitIgnoreReturnsIgnoreAndReleasesTheName) {
  node n(two_schedulers());
  n.run([] {
    trap_exit(true);
    gen::start_result r =
        start_test_server(gen::start_link_kind::link, named("l2_ignored"_a), init_mode::ignore);
    EXPECT_EQ(r.kind, gen::start_result::ignore);
    EXPECT_EQ(r.to_term(), term("ignore"_a));
    EXPECT_FALSE(whereis("l2_ignored"_a).has_value());
    EXPECT_EQ(my_queue_len(), 0u);  // the trapped 'EXIT' (reason normal) was consumed
  });
}

// Erlang (proc_lib:start_link): a trapping caller does not keep the failed server's 'EXIT'.
TEST(GenStart, StartLinkWithTrapExitConsumesTheExitOfAFailedInit) {
  node n(two_schedulers());
  n.run([] {
    trap_exit(true);
    gen::start_result r = start_test_server(gen::start_link_kind::link, {}, init_mode::stop);
    EXPECT_EQ(r.kind, gen::start_result::error);
    EXPECT_EQ(my_queue_len(), 0u);
  });
}

// Erlang: an exception in init fails the start with the exit reason, and proc_lib logs a crash
// report.
TEST(GenStart, InitExceptionFailsTheStartAndLogsACrashReport) {
  node n(two_schedulers());
  l2_log_capture logs;
  n.run([&] {
    gen::start_result r =
        start_test_server(gen::start_link_kind::nolink, named("l2_raiser"_a), init_mode::raise);
    ASSERT_EQ(r.kind, gen::start_result::error);
    EXPECT_TRUE(r.reason.is_tuple(3));
    EXPECT_EQ(r.reason[0], term(atoms::exception));
    EXPECT_FALSE(whereis("l2_raiser"_a).has_value());
  });
  bool found = false;
  for (const log_event& e : logs.events())
    if (e.domain == "otp.sasl" && e.text.find("init blew up") != std::string::npos) found = true;
  EXPECT_TRUE(found);
}

// Erlang: start_link links the caller and the server.
TEST(GenStart, StartLinkLinksCallerAndServer) {
  node n(two_schedulers());
  n.run([] {
    trap_exit(true);
    gen::start_result r = start_test_server(gen::start_link_kind::link);
    ASSERT_EQ(r.kind, gen::start_result::ok);
    EXPECT_FALSE(r.monitor.has_value());
    const std::vector<pid> links = process_info(self())->links;
    EXPECT_NE(std::find(links.begin(), links.end(), r.pid), links.end());
    exit(r.pid, "bye"_a);
    EXPECT_EQ(next_exit_from(r.pid)[2], term("bye"_a));
  });
}

// Erlang: start_monitor returns {ok, {Pid, MonRef}}; the monitor reports the server's exit.
TEST(GenStart, StartMonitorGivesAMonitorOnTheServer) {
  node n(two_schedulers());
  n.run([] {
    gen::start_result r = start_test_server(gen::start_link_kind::monitor);
    ASSERT_EQ(r.kind, gen::start_result::ok);
    ASSERT_TRUE(r.monitor.has_value());
    EXPECT_EQ(r.to_term(), tuple(atoms::ok, tuple(r.pid, *r.monitor)));
    EXPECT_TRUE(process_info(self())->links.empty());
    exit(r.pid, atoms::kill);
    EXPECT_EQ(next_down(*r.monitor)[4], term(atoms::killed));
  });
}

// Erlang (proc_lib): '$ancestors' is the parent first, then the parent's own ancestors.
TEST(GenStart, AncestorsAreRecordedParentFirst) {
  node n(two_schedulers());
  n.run([] {
    put("$ancestors"_a, list("grandparent"_a));
    gen::start_result r = start_test_server(gen::start_link_kind::nolink);
    EXPECT_EQ(gen::call(r.pid, "ancestors"_a), list(self(), "grandparent"_a));
    exit(r.pid, atoms::kill);
  });
}
