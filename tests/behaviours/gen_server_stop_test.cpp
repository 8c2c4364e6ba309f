// gen_server_SUITE "stop1..n": every way a server stops, and terminate's part in each.

#include <gtest/gtest.h>

#include <otp/otp.hpp>

#include "behaviours/gen_server_support.hpp"

using namespace otp;
using namespace otp::literals;
using namespace otp::test;

namespace {

/// State = the watcher pid. terminate(Reason) sends {terminated, Reason} to the watcher.
/// Calls: {stop, R} → stop without reply; {stop_reply, R} → stop with reply `bye`.
/// {link_to, Pid} links the server to Pid. Casts: {stop, R}. init(Watcher) traps exits when asked ({trap,
/// Watcher}).
class stopper : public gen_server::behaviour<stopper> {
 public:
  init_result init(term arg) {
    if (arg.is_tuple(2) && arg[0] == "trap"_a) {
      trap_exit(true);
      return ok(arg[1]);
    }
    return ok(arg);
  }
  call_result handle_call(const term& request, const from&, term watcher) {
    if (request.is_tuple(2) && request[0] == "stop"_a) return stop(request[1], watcher);
    if (request.is_tuple(2) && request[0] == "stop_reply"_a) return stop(request[1], "bye"_a, watcher);
    if (request.is_tuple(2) && request[0] == "link_to"_a) link(request[1].as_pid());
    return reply(atoms::ok, watcher);
  }
  cast_result handle_cast(const term& message, term watcher) {
    if (message.is_tuple(2) && message[0] == "stop"_a) return stop(message[1], watcher);
    return noreply(watcher);
  }
  info_result handle_info(const term& message, term watcher) {
    send(watcher.as_pid(), tuple("info"_a, message));
    return noreply(watcher);
  }
  void terminate(const term& reason, const term& watcher) {
    send(watcher.as_pid(), tuple("terminated"_a, reason));
    if (reason == "hang"_a) receive();  // a terminate that never finishes
  }
};

bool is_terminated(const term& m) { return m.is_tuple(2) && m[0] == "terminated"_a; }

}  // namespace

// stop1: gen_server:stop(S) runs terminate(normal) and returns once the server is gone.
TEST(GenServerStop, StopRunsTerminateWithNormal) {
  node n({.schedulers = 2});
  auto [terminated, alive] = n.run([] {
    pid s = started(gen_server::start<stopper>(term(self())));
    gen_server::stop(s);
    return std::pair{next_matching(is_terminated), is_process_alive(s)};
  });
  EXPECT_EQ(terminated, tuple("terminated"_a, atoms::normal));
  EXPECT_FALSE(alive);
}

// stop2: gen_server:stop(S, Reason, T) with another reason: terminate(Reason), exit Reason, and
// a crash report since the reason is abnormal.
TEST(GenServerStop, StopWithOtherReason) {
  log_capture logs;
  node n({.schedulers = 2});
  auto [terminated, down] = n.run([] {
    pid s = started(gen_server::start<stopper>(term(self()), {.name = "stop2"_a}));
    ref m = monitor(s);
    gen_server::stop("stop2"_a, "enough"_a, timeout::ms(5000));
    return std::pair{next_matching(is_terminated), next_down(m)[4]};
  });
  EXPECT_EQ(terminated, tuple("terminated"_a, "enough"_a));
  EXPECT_EQ(down, "enough"_a);
  EXPECT_EQ(logs.terminate_reports("stop2"_a).size(), 1u);
}

// stop3: gen_server:stop on a server that is not running exits the caller with noproc.
TEST(GenServerStop, StopOfDeadServerExitsWithNoproc) {
  node n({.schedulers = 2});
  auto [by_pid, by_name] = n.run([] {
    pid s = started(gen_server::start<stopper>(term(self())));
    gen_server::stop(s);
    return std::pair{exit_reason_of_call([&] { gen_server::stop(s); }),
                     exit_reason_of_call([] { gen_server::stop("not_running"_a); })};
  });
  EXPECT_EQ(by_pid, atoms::noproc);
  EXPECT_EQ(by_name, atoms::noproc);
}

// stop4: {stop, Reason, State} from handle_call: terminate runs and the caller exits with
// {Reason, {gen_server, call, ...}} (no reply).
TEST(GenServerStop, StopFromHandleCallWithoutReply) {
  node n({.schedulers = 2});
  auto [server, reason, terminated] = n.run([] {
    pid s = started(gen_server::start<stopper>(term(self())));
    term r = exit_reason_of_call([&] { gen_server::call(s, tuple("stop"_a, "done"_a)); });
    return std::tuple{s, r, next_matching(is_terminated)};
  });
  EXPECT_EQ(reason, call_exit("done"_a, server, tuple("stop"_a, "done"_a), 5000));
  EXPECT_EQ(terminated, tuple("terminated"_a, "done"_a));
}

// stop5: {stop, Reason, Reply, State} from handle_call: the caller gets Reply, which is sent
// after terminate ran (its message is already in the caller's mailbox), then the server exits.
TEST(GenServerStop, StopFromHandleCallWithReplyAfterTerminate) {
  node n({.schedulers = 2});
  auto [answer, first, down] = n.run([] {
    pid s = started(gen_server::start<stopper>(term(self())));
    ref m = monitor(s);
    term a = gen_server::call(s, tuple("stop_reply"_a, atoms::normal));
    std::optional<term> f = receive(timeout::ms(0));
    return std::tuple{a, f.value_or(term()), next_down(m)[4]};
  });
  EXPECT_EQ(answer, "bye"_a);
  EXPECT_EQ(first, tuple("terminated"_a, atoms::normal));
  EXPECT_EQ(down, atoms::normal);
}

// stop6: {stop, Reason, State} from handle_cast: terminate(Reason), exit Reason.
TEST(GenServerStop, StopFromHandleCast) {
  node n({.schedulers = 2});
  auto [terminated, down] = n.run([] {
    pid s = started(gen_server::start<stopper>(term(self())));
    ref m = monitor(s);
    gen_server::cast(s, tuple("stop"_a, "{shutdown,cast}"_term));
    return std::pair{next_matching(is_terminated), next_down(m)[4]};
  });
  EXPECT_EQ(terminated, tuple("terminated"_a, "{shutdown,cast}"_term));
  EXPECT_EQ(down, "{shutdown,cast}"_term);
}

// stop7: a server trapping exits whose parent (the start_link caller) exits runs
// terminate(Reason) and exits with the parent's reason.
TEST(GenServerStop, ParentExitWhenTrappingRunsTerminate) {
  node n({.schedulers = 2});
  auto [terminated, down] = n.run([] {
    const pid me = self();
    pid parent = spawn([me] {
      pid s = started(gen_server::start_link<stopper>(tuple("trap"_a, me)));
      send(me, tuple("server"_a, s));
      receive();
      otp::exit("parent_quit"_a);
    });
    const pid s = next_message()[1].as_pid();
    ref m = monitor(s);
    send(parent, "go"_a);
    return std::pair{next_matching(is_terminated), next_down(m)[4]};
  });
  EXPECT_EQ(terminated, tuple("terminated"_a, "parent_quit"_a));
  EXPECT_EQ(down, "parent_quit"_a);
}

// stop8: an 'EXIT' from a linked process that is not the parent is an ordinary handle_info
// message when trapping exits; the server goes on.
TEST(GenServerStop, NonParentExitIsAnInfoMessage) {
  node n({.schedulers = 2});
  auto [info, other, alive] = n.run([] {
    pid s = started(gen_server::start<stopper>(tuple("trap"_a, self())));
    pid o = spawn([] { receive(); });
    gen_server::call(s, tuple("link_to"_a, o));
    exit(o, "gone"_a);
    term m = next_message();
    bool still = gen_server::call(s, "ping"_a) == atoms::ok;
    gen_server::stop(s);
    return std::tuple{m, o, still};
  });
  EXPECT_EQ(info, tuple("info"_a, tuple(atoms::EXIT, other, "gone"_a)));
  EXPECT_TRUE(alive);
}

// stop9: gen_server:stop with a timeout exits the caller with timeout when terminate does not
// finish in time.
TEST(GenServerStop, StopTimesOutWhenTerminateHangs) {
  node n({.schedulers = 2});
  auto [reason, terminated] = n.run([] {
    pid s = started(gen_server::start<stopper>(term(self())));
    term r = exit_reason_of_call([&] { gen_server::stop(s, "hang"_a, timeout::ms(10)); });
    term t = next_matching(is_terminated);
    exit(s, atoms::kill);
    return std::pair{r, t};
  });
  EXPECT_EQ(reason, atoms::timeout);
  EXPECT_EQ(terminated, tuple("terminated"_a, "hang"_a));
}
