// supervisor: start order and reverse stop, the four strategies, restart types, restart intensity,
// shutdown specs, the child API and simple_one_for_one, against supervisor's documented rules.
//
// Every child here tells the test process {started, Id, Pid} from its init and, trapping exits,
// {terminated, Id, Reason} from its terminate: the order of those messages is the order in which
// the supervisor started and stopped its children.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>

#include <otp/otp.hpp>
#include <otp/supervisor/supervisor.hpp>

#include "behaviours/gen_server_support.hpp"

using namespace otp;
using namespace otp::literals;
using namespace otp::test;
using supervisor::auto_shutdown;
using supervisor::child_spec;
using supervisor::restart;
using supervisor::shutdown_spec;
using supervisor::strategy;

namespace {

struct worker_arg {
  term id;
  pid watcher;
  bool hang_in_terminate = false;  // a child that never finishes stopping
};

/// Casts: {stop, Reason} ends it with Reason.
class worker : public gen_server::behaviour<worker, worker_arg> {
 public:
  init_result init(worker_arg a) {
    trap_exit(true);
    send(a.watcher, tuple("started"_a, a.id, self()));
    return ok(std::move(a));
  }
  cast_result handle_cast(const term& message, worker_arg a) {
    if (message.is_tuple(2) && message[0] == "stop"_a) return stop(message[1], std::move(a));
    return noreply(std::move(a));
  }
  void terminate(const term& reason, const worker_arg& a) {
    send(a.watcher, tuple("terminated"_a, a.id, reason));
    if (a.hang_in_terminate) receive();
  }
};

supervisor::start_function starts(term id, pid watcher, bool hang = false) {
  return [=] { return gen_server::start_link<worker>(worker_arg{id, watcher, hang}); };
}

child_spec child(const char* id, enum restart restart = restart::permanent) {
  return {.id = atom(id), .start = starts(atom(id), self()), .restart = restart};
}

supervisor::sup_spec spec_of(strategy s, std::vector<child_spec> children, int intensity = 10) {
  return {.flags = {.strategy = s, .intensity = intensity}, .children = std::move(children)};
}

supervisor::sup_spec auto_shutdown_spec(strategy s, auto_shutdown when, std::vector<child_spec> children) {
  return {.flags = {.strategy = s, .intensity = 10, .auto_shutdown = when}, .children = std::move(children)};
}

child_spec significant_child(const char* id, enum restart restart) {
  child_spec c = child(id, restart);
  c.significant = true;
  return c;
}

bool tagged(const term& m, const char* tag) { return m.is_tuple(3) && m[0] == atom(tag); }

/// The pid in the next {started, Id, Pid}.
pid next_started(const char* id) {
  return next_matching([&](const term& m) { return tagged(m, "started") && m[1] == atom(id); })[2].as_pid();
}
/// The ids of the next `n` {started, ...} messages, in order.
std::vector<term> next_started_ids(std::size_t n) {
  std::vector<term> ids;
  while (ids.size() < n) ids.push_back(next_matching([](const term& m) { return tagged(m, "started"); })[1]);
  return ids;
}
/// The ids of the next `n` {terminated, ...} messages, in order.
std::vector<term> next_terminated_ids(std::size_t n) {
  std::vector<term> ids;
  while (ids.size() < n)
    ids.push_back(next_matching([](const term& m) { return tagged(m, "terminated"); })[1]);
  return ids;
}
bool nothing_tagged(const char* tag) {
  return !receive([&](const term& m) { return tagged(m, tag); }, timeout::ms(50)).has_value();
}

std::vector<term> ids_of(const std::vector<supervisor::child_info>& children) {
  std::vector<term> ids;
  for (const auto& c : children) ids.push_back(c.id);
  return ids;
}

term child_of(const gen::server_ref& sup, const char* id) {
  for (const auto& c : supervisor::which_children(sup))
    if (c.id == atom(id)) return c.child;
  return "absent"_a;
}

/// Waits (bounded) until `done` holds: for what the supervisor does on a child's exit signal,
/// which no message to the test process orders against the test's next call.
template <class Done>
void eventually(Done&& done) {
  for (int i = 0; i < 10000 && !done(); ++i) sleep(timeout::ms(1));
  ASSERT_TRUE(done());
}

void crash(const term& child_pid, term reason = "boom"_a) {
  gen_server::cast(child_pid.as_pid(), tuple("stop"_a, std::move(reason)));
}

/// Stops a supervisor the test process is linked to (and traps exits of) and returns its reason.
term stop_supervisor(const pid& sup) {
  exit(sup, atoms::shutdown);
  return next_exit_from(sup)[2];
}

}  // namespace

TEST(Supervisor, StartsChildrenInOrderAndStopsThemInReverse) {
  node n({.schedulers = 2});
  n.run([] {
    trap_exit(true);
    pid sup =
        started(supervisor::start_link(spec_of(strategy::one_for_one, {child("a"), child("b"), child("c")})));
    EXPECT_EQ(next_started_ids(3), (std::vector<term>{"a"_a, "b"_a, "c"_a}));
    // which_children lists the newest first, as Erlang's does.
    EXPECT_EQ(ids_of(supervisor::which_children(sup)), (std::vector<term>{"c"_a, "b"_a, "a"_a}));
    for (const auto& c : supervisor::which_children(sup)) EXPECT_TRUE(c.child.is_pid());
    EXPECT_EQ(stop_supervisor(sup), term(atoms::shutdown));
    EXPECT_EQ(next_terminated_ids(3), (std::vector<term>{"c"_a, "b"_a, "a"_a}));
  });
}

TEST(Supervisor, OneForOneRestartsOnlyTheChildThatEnded) {
  node n({.schedulers = 2});
  n.run([] {
    trap_exit(true);
    pid sup =
        started(supervisor::start_link(spec_of(strategy::one_for_one, {child("a"), child("b"), child("c")})));
    const pid a = next_started("a"), b = next_started("b"), c = next_started("c");
    crash(b);
    const pid b2 = next_started("b");
    EXPECT_NE(b2, b);
    EXPECT_EQ(child_of(sup, "a"), term(a));
    EXPECT_EQ(child_of(sup, "b"), term(b2));
    EXPECT_EQ(child_of(sup, "c"), term(c));
    EXPECT_EQ(next_terminated_ids(1), (std::vector<term>{"b"_a}));  // b's own end, nobody else's
    EXPECT_TRUE(nothing_tagged("terminated"));
    stop_supervisor(sup);
  });
}

TEST(Supervisor, OneForAllStopsTheOthersInReverseOrderThenRestartsAllInOrder) {
  node n({.schedulers = 2});
  n.run([] {
    trap_exit(true);
    pid sup = started(supervisor::start_link(
        spec_of(strategy::one_for_all, {child("a"), child("b"), child("c"), child("d")})));
    next_started_ids(4);
    crash(child_of(sup, "b"));
    // b ends by itself; then the supervisor stops d, c, a (newest first) and starts all four.
    EXPECT_EQ(next_terminated_ids(4), (std::vector<term>{"b"_a, "d"_a, "c"_a, "a"_a}));
    EXPECT_EQ(next_started_ids(4), (std::vector<term>{"a"_a, "b"_a, "c"_a, "d"_a}));
    stop_supervisor(sup);
  });
}

TEST(Supervisor, RestForOneRestartsTheChildAndThoseStartedAfterIt) {
  node n({.schedulers = 2});
  n.run([] {
    trap_exit(true);
    pid sup = started(supervisor::start_link(
        spec_of(strategy::rest_for_one, {child("a"), child("b"), child("c"), child("d")})));
    next_started_ids(4);
    const term a = child_of(sup, "a");
    crash(child_of(sup, "b"));
    EXPECT_EQ(next_terminated_ids(3), (std::vector<term>{"b"_a, "d"_a, "c"_a}));
    EXPECT_EQ(next_started_ids(3), (std::vector<term>{"b"_a, "c"_a, "d"_a}));
    EXPECT_EQ(child_of(sup, "a"), a);
    stop_supervisor(sup);
  });
}

TEST(Supervisor, TemporarySiblingsStoppedByARestartAreNotStartedAgain) {
  node n({.schedulers = 1});
  n.run([] {
    trap_exit(true);
    pid sup = started(supervisor::start_link(
        spec_of(strategy::one_for_all, {child("a"), child("t", restart::temporary), child("c")})));
    next_started_ids(3);
    crash(child_of(sup, "a"));
    EXPECT_EQ(next_started_ids(2), (std::vector<term>{"a"_a, "c"_a}));
    EXPECT_EQ(ids_of(supervisor::which_children(sup)), (std::vector<term>{"c"_a, "a"_a}));
    stop_supervisor(sup);
  });
}

TEST(Supervisor, RestartTypesDecideWhichEndsAreRestarted) {
  node n({.schedulers = 2});
  n.run([] {
    trap_exit(true);
    pid sup = started(supervisor::start_link(
        spec_of(strategy::one_for_one,
                {child("perm"), child("trans", restart::transient), child("temp", restart::temporary)})));
    next_started_ids(3);
    // permanent: even a normal end is restarted
    crash(child_of(sup, "perm"), atoms::normal);
    next_started("perm");
    // transient: normal, shutdown and {shutdown, _} are not restarted; the spec stays, not running
    crash(child_of(sup, "trans"), tuple(atoms::shutdown, "done"_a));
    eventually([&] { return child_of(sup, "trans") == term(atoms::undefined); });
    EXPECT_TRUE(nothing_tagged("started"));
    // ... and restart_child starts it again; an abnormal end is then restarted
    ASSERT_TRUE(supervisor::restart_child(sup, "trans"_a).has_value());
    next_started("trans");
    crash(child_of(sup, "trans"));
    next_started("trans");
    // temporary: never restarted, and its spec is dropped
    crash(child_of(sup, "temp"));
    eventually([&] { return child_of(sup, "temp") == term("absent"_a); });
    EXPECT_TRUE(nothing_tagged("started"));
    stop_supervisor(sup);
  });
}

TEST(Supervisor, MoreRestartsThanTheIntensityWithinThePeriodEndTheSupervisor) {
  node n({.schedulers = 2});
  log_capture logs;
  n.run([] {
    trap_exit(true);
    pid sup = started(supervisor::start_link(spec_of(strategy::one_for_one, {child("a"), child("b")}, 2)));
    next_started_ids(2);
    crash(child_of(sup, "a"));  // restart 1
    next_started("a");
    crash(child_of(sup, "a"));  // restart 2
    next_started("a");
    crash(child_of(sup, "a"));  // a third within 5 s: more than 2
    EXPECT_EQ(next_exit_from(sup)[2], term(atoms::shutdown));
    // b was stopped by the supervisor on its way out
    EXPECT_EQ(next_matching([](const term& m) { return tagged(m, "terminated") && m[1] == "b"_a; })[2],
              term(atoms::shutdown));
  });
  bool reported = false;
  for (const log_event& e : logs.events()) {
    const term* label = e.report.is_map() ? e.report.map_find("label"_a) : nullptr;
    if (label && *label == tuple("supervisor"_a, atoms::shutdown)) {
      reported = true;
      EXPECT_NE(e.text.find("reached_max_restart_intensity"), std::string::npos) << e.text;
    }
  }
  EXPECT_TRUE(reported);
}

TEST(Supervisor, IntensityZeroEndsTheSupervisorAtTheFirstRestart) {
  node n({.schedulers = 1});
  n.run([] {
    trap_exit(true);
    pid sup = started(supervisor::start_link(spec_of(strategy::one_for_one, {child("a")}, 0)));
    crash(term(next_started("a")));
    EXPECT_EQ(next_exit_from(sup)[2], term(atoms::shutdown));
    EXPECT_TRUE(nothing_tagged("started"));
  });
}

TEST(Supervisor, RestartsOlderThanThePeriodAreForgotten) {
  node n({.schedulers = 1});
  n.run([] {
    trap_exit(true);
    supervisor::sup_spec spec = spec_of(strategy::one_for_one, {child("a")}, 1);
    spec.flags.period = std::chrono::milliseconds(100);
    pid sup = started(supervisor::start_link(std::move(spec)));
    crash(term(next_started("a")));
    const pid a2 = next_started("a");
    sleep(timeout::ms(250));
    crash(term(a2));  // the first restart is out of the period: this one is the only one in it
    next_started("a");
    EXPECT_TRUE(is_process_alive(sup));
    stop_supervisor(sup);
  });
}

TEST(Supervisor, AChildThatFailsToStartFailsTheStartAndStopsTheOthers) {
  node n({.schedulers = 2});
  n.run([] {
    trap_exit(true);
    child_spec bad{.id = "b"_a, .start = [] {
                     gen::start_result r;
                     r.kind = gen::start_result::error;
                     r.reason = "no_db"_a;
                     return r;
                   }};
    gen::start_result r =
        supervisor::start_link(spec_of(strategy::one_for_one, {child("a"), bad, child("c")}));
    ASSERT_EQ(r.kind, gen::start_result::error);
    EXPECT_EQ(r.reason, tuple(atoms::shutdown, tuple("failed_to_start_child"_a, "b"_a, "no_db"_a)));
    EXPECT_EQ(next_started_ids(1), (std::vector<term>{"a"_a}));
    EXPECT_EQ(next_terminated_ids(1), (std::vector<term>{"a"_a}));
    EXPECT_TRUE(nothing_tagged("started"));  // c was never started
  });
}

TEST(Supervisor, AStartFunctionThatThrowsFailsWithItsExitReason) {
  node n({.schedulers = 1});
  n.run([] {
    trap_exit(true);
    child_spec throws{.id = "x"_a,
                      .start = []() -> gen::start_result { throw erlang_error("bad_config"_a); }};
    gen::start_result r = supervisor::start_link(spec_of(strategy::one_for_one, {throws}));
    ASSERT_EQ(r.kind, gen::start_result::error);
    EXPECT_EQ(r.reason, tuple(atoms::shutdown,
                              tuple("failed_to_start_child"_a, "x"_a, tuple(atoms::EXIT, "bad_config"_a))));
  });
}

TEST(Supervisor, BadSpecificationsAreRefused) {
  node n({.schedulers = 1});
  n.run([] {
    trap_exit(true);
    gen::start_result dup = supervisor::start_link(spec_of(strategy::one_for_one, {child("a"), child("a")}));
    EXPECT_EQ(dup.reason, tuple("start_spec"_a, tuple("duplicate_child_name"_a, "a"_a)));
    EXPECT_TRUE(nothing_tagged("started"));  // checked before any child starts
    gen::start_result intensity = supervisor::start_link(spec_of(strategy::one_for_one, {}, -1));
    EXPECT_EQ(intensity.reason, tuple("supervisor_data"_a, tuple("invalid_intensity"_a, -1)));
    gen::start_result no_start =
        supervisor::start_link(spec_of(strategy::one_for_one, {child_spec{.id = "a"_a}}));
    EXPECT_EQ(no_start.reason, tuple("start_spec"_a, "missing_start"_a));
    gen::start_result two =
        supervisor::start_link(spec_of(strategy::simple_one_for_one, {child("a"), child("b")}));
    EXPECT_EQ(two.reason, tuple("bad_start_spec"_a, list("a"_a, "b"_a)));
    EXPECT_EQ(supervisor::start_link(supervisor::init_function([] {
                return std::optional<supervisor::sup_spec>();
              })).kind,
              gen::start_result::ignore);
  });
}

TEST(Supervisor, IgnoredChildIsKeptNotRunningUnlessTemporary) {
  node n({.schedulers = 1});
  n.run([] {
    trap_exit(true);
    auto ignoring = [] {
      gen::start_result r;
      r.kind = gen::start_result::ignore;
      return r;
    };
    pid sup = started(supervisor::start_link(
        spec_of(strategy::one_for_one,
                {child_spec{.id = "i"_a, .start = ignoring},
                 child_spec{.id = "t"_a, .start = ignoring, .restart = restart::temporary}, child("a")})));
    EXPECT_EQ(ids_of(supervisor::which_children(sup)), (std::vector<term>{"a"_a, "i"_a}));
    EXPECT_EQ(child_of(sup, "i"), term(atoms::undefined));
    supervisor::child_counts counts = supervisor::count_children(sup);
    EXPECT_EQ(counts.specs, 2u);
    EXPECT_EQ(counts.active, 1u);
    EXPECT_EQ(counts.workers, 2u);
    stop_supervisor(sup);
  });
}

TEST(Supervisor, ShutdownTimeKillsAChildThatDoesNotStopAndReportsIt) {
  node n({.schedulers = 2});
  log_capture logs;
  n.run([] {
    trap_exit(true);
    child_spec slow{.id = "slow"_a,
                    .start = starts("slow"_a, self(), true),
                    .shutdown = shutdown_spec::after(timeout::ms(50))};
    child_spec brutal{
        .id = "brutal"_a, .start = starts("brutal"_a, self()), .shutdown = shutdown_spec::brutal_kill()};
    pid sup = started(supervisor::start_link(spec_of(strategy::one_for_one, {slow, brutal})));
    const pid slow_pid = next_started("slow"), brutal_pid = next_started("brutal");
    const ref watch_slow = monitor(slow_pid), watch_brutal = monitor(brutal_pid);
    EXPECT_EQ(stop_supervisor(sup), term(atoms::shutdown));
    EXPECT_EQ(next_down(watch_brutal)[4], term(atoms::killed));  // no terminate ran: no message
    // It ignored the shutdown (its terminate never returns) and was killed once the time ran out.
    EXPECT_EQ(next_down(watch_slow)[4], term(atoms::killed));
  });
  int shutdown_errors = 0;
  for (const log_event& e : logs.events()) {
    const term* label = e.report.is_map() ? e.report.map_find("label"_a) : nullptr;
    if (label && *label == tuple("supervisor"_a, "shutdown_error"_a)) {
      ++shutdown_errors;
      EXPECT_NE(e.text.find("killed"), std::string::npos) << e.text;
      EXPECT_NE(e.text.find("slow"), std::string::npos) << e.text;
    }
  }
  EXPECT_EQ(shutdown_errors, 1);  // brutal_kill's killed is what it asked for
}

TEST(Supervisor, ChildApiAddsStopsRestartsAndDeletes) {
  node n({.schedulers = 2});
  n.run([] {
    trap_exit(true);
    pid sup = started(supervisor::start_link(spec_of(strategy::one_for_one, {child("a")})));
    next_started("a");
    auto added = supervisor::start_child(sup, child("b"));
    ASSERT_TRUE(added.has_value());
    EXPECT_EQ(**added, next_started("b"));
    // the newest child is listed first
    EXPECT_EQ(ids_of(supervisor::which_children(sup)), (std::vector<term>{"b"_a, "a"_a}));
    EXPECT_EQ(supervisor::start_child(sup, child("b")).error(), tuple("already_started"_a, **added));
    EXPECT_EQ(supervisor::delete_child(sup, "b"_a).error(), term("running"_a));
    ASSERT_TRUE(supervisor::terminate_child(sup, "b"_a).has_value());
    EXPECT_EQ(next_terminated_ids(1), (std::vector<term>{"b"_a}));
    EXPECT_EQ(child_of(sup, "b"), term(atoms::undefined));
    EXPECT_TRUE(nothing_tagged("started"));  // stopped by request: not restarted
    EXPECT_EQ(supervisor::start_child(sup, child("b")).error(), term("already_present"_a));
    auto restarted = supervisor::restart_child(sup, "b"_a);
    ASSERT_TRUE(restarted.has_value());
    EXPECT_EQ(**restarted, next_started("b"));
    EXPECT_EQ(supervisor::restart_child(sup, "b"_a).error(), term("running"_a));
    ASSERT_TRUE(supervisor::terminate_child(sup, "b"_a).has_value());
    ASSERT_TRUE(supervisor::delete_child(sup, "b"_a).has_value());
    EXPECT_EQ(supervisor::delete_child(sup, "b"_a).error(), term("not_found"_a));
    EXPECT_EQ(supervisor::terminate_child(sup, "zz"_a).error(), term("not_found"_a));
    EXPECT_EQ(supervisor::restart_child(sup, "zz"_a).error(), term("not_found"_a));
    auto spec = supervisor::get_childspec(sup, "a"_a);
    ASSERT_TRUE(spec.has_value());
    EXPECT_EQ(spec->id, term("a"_a));
    EXPECT_EQ(spec->shutdown->wait().milliseconds(), 5000);  // a worker's default
    EXPECT_TRUE(bool(spec->start));
    EXPECT_EQ(supervisor::get_childspec(sup, "zz"_a).error(), term("not_found"_a));
    // a temporary child stopped by request is forgotten
    ASSERT_TRUE(supervisor::start_child(sup, child("t", restart::temporary)).has_value());
    next_started("t");
    ASSERT_TRUE(supervisor::terminate_child(sup, "t"_a).has_value());
    EXPECT_EQ(child_of(sup, "t"), term("absent"_a));
    // an unknown request is answered with an error, and the supervisor goes on
    EXPECT_EQ(gen_server::call(sup, "bogus"_a), tuple(atoms::error, tuple("bad_call"_a, "bogus"_a)));
    stop_supervisor(sup);
  });
}

TEST(Supervisor, SimpleOneForOneStartsChildrenFromItsTemplate) {
  node n({.schedulers = 2});
  n.run([] {
    trap_exit(true);
    const pid me = self();
    // The template's start takes start_child's argument: here the child's id.
    child_spec tmpl{.id = "conn"_a, .start = [me](const term& id) {
                      return gen_server::start_link<worker>(worker_arg{id, me});
                    }};
    pid sup = started(supervisor::start_link(spec_of(strategy::simple_one_for_one, {tmpl})));
    EXPECT_TRUE(supervisor::which_children(sup).empty());
    std::vector<pid> kids;
    for (const char* id : {"c1", "c2", "c3"}) {
      auto r = supervisor::start_child(sup, atom(id));
      ASSERT_TRUE(r.has_value());
      kids.push_back(**r);
      EXPECT_EQ(next_started(id), kids.back());
    }
    std::vector<supervisor::child_info> listed = supervisor::which_children(sup);
    ASSERT_EQ(listed.size(), 3u);
    for (const auto& c : listed) EXPECT_EQ(c.id, term(atoms::undefined));
    EXPECT_EQ(supervisor::count_children(sup).active, 3u);
    EXPECT_EQ(supervisor::count_children(sup).specs, 1u);
    // a child that crashes comes back with the same argument
    crash(term(kids[1]));
    const pid c2 = next_started("c2");
    EXPECT_NE(c2, kids[1]);
    // stopped by pid; not by id
    ASSERT_TRUE(supervisor::terminate_child(sup, kids[0]).has_value());
    EXPECT_EQ(supervisor::terminate_child(sup, kids[0]).error(), term("not_found"_a));
    EXPECT_EQ(supervisor::terminate_child(sup, "conn"_a).error(), term("simple_one_for_one"_a));
    EXPECT_EQ(supervisor::restart_child(sup, "conn"_a).error(), term("simple_one_for_one"_a));
    EXPECT_EQ(supervisor::delete_child(sup, "conn"_a).error(), term("simple_one_for_one"_a));
    EXPECT_EQ(supervisor::count_children(sup).active, 2u);
    next_terminated_ids(2);  // c2's crash, c1's stop
    // the supervisor's end stops all of them
    stop_supervisor(sup);
    std::vector<term> last = next_terminated_ids(2);
    std::sort(last.begin(), last.end());
    EXPECT_EQ(last, (std::vector<term>{"c2"_a, "c3"_a}));
  });
}

TEST(Supervisor, AFailedRestartIsTriedAgainAndEachTryCounts) {
  node n({.schedulers = 2});
  n.run([] {
    trap_exit(true);
    const pid me = self();
    auto starts_made = std::make_shared<std::atomic<int>>(0);
    // Starts, then fails twice, then starts again.
    child_spec flaky{.id = "f"_a, .start = [me, starts_made] {
                       const int n = ++*starts_made;
                       if (n == 2 || n == 3) {
                         gen::start_result r;
                         r.reason = "not_yet"_a;
                         return r;
                       }
                       return gen_server::start_link<worker>(worker_arg{"f"_a, me});
                     }};
    pid sup = started(supervisor::start_link(spec_of(strategy::one_for_one, {flaky}, 3)));
    next_started("f");
    crash(child_of(sup, "f"));
    next_started("f");  // after two failed tries: three restarts in all, within the intensity
    EXPECT_EQ(starts_made->load(), 4);
    EXPECT_TRUE(child_of(sup, "f").is_pid());
    stop_supervisor(sup);

    // With one restart allowed, the first retry is one too many.
    starts_made->store(0);
    pid sup2 = started(supervisor::start_link(spec_of(strategy::one_for_one, {flaky}, 1)));
    next_started("f");
    crash(child_of(sup2, "f"));
    EXPECT_EQ(next_exit_from(sup2)[2], term(atoms::shutdown));
    EXPECT_EQ(starts_made->load(), 2);
  });
}

TEST(Supervisor, NestedSupervisorsStopTheirOwnChildrenFirst) {
  node n({.schedulers = 2});
  n.run([] {
    trap_exit(true);
    const pid me = self();
    child_spec inner{.id = "inner"_a,
                     .start =
                         [me] {
                           return supervisor::start_link(
                               supervisor::sup_spec{.children = {{.id = "x"_a, .start = starts("x"_a, me)},
                                                                 {.id = "y"_a, .start = starts("y"_a, me)}}});
                         },
                     .type = supervisor::child_type::supervisor};
    pid sup =
        started(supervisor::start_link(spec_of(strategy::one_for_one, {child("a"), inner, child("b")})));
    EXPECT_EQ(next_started_ids(4), (std::vector<term>{"a"_a, "x"_a, "y"_a, "b"_a}));
    supervisor::child_counts counts = supervisor::count_children(sup);
    EXPECT_EQ(counts.supervisors, 1u);
    EXPECT_EQ(counts.workers, 2u);
    EXPECT_EQ(stop_supervisor(sup), term(atoms::shutdown));
    EXPECT_EQ(next_terminated_ids(4), (std::vector<term>{"b"_a, "y"_a, "x"_a, "a"_a}));
  });
}

// auto_shutdown and significant children (OTP 24), as OTP 25's supervisor behaves: checked
// against erl for each case below.
TEST(Supervisor, SignificantChildrenNeedAnAutoShutdownAndARestartThatEnds) {
  node n({.schedulers = 2});
  n.run([] {
    trap_exit(true);
    const term significant = tuple("significant"_a, true);
    auto never = supervisor::start_link(auto_shutdown_spec(strategy::one_for_one, auto_shutdown::never,
                                                           {significant_child("a", restart::transient)}));
    EXPECT_EQ(never.to_term(),
              tuple("error"_a,
                    tuple("start_spec"_a, tuple("bad_combination"_a,
                                                list(tuple("auto_shutdown"_a, "never"_a), significant)))));
    auto permanent = supervisor::start_link(auto_shutdown_spec(
        strategy::one_for_one, auto_shutdown::any_significant, {significant_child("a", restart::permanent)}));
    EXPECT_EQ(
        permanent.to_term(),
        tuple("error"_a, tuple("start_spec"_a, tuple("bad_combination"_a,
                                                     list(tuple("restart"_a, "permanent"_a), significant)))));
    EXPECT_TRUE(nothing_tagged("started"));
    // start_child checks the same, without the start_spec wrapper
    pid sup = started(supervisor::start_link(spec_of(strategy::one_for_one, {})));
    EXPECT_EQ(supervisor::start_child(sup, significant_child("z", restart::transient)).error(),
              tuple("bad_combination"_a, list(tuple("auto_shutdown"_a, "never"_a), significant)));
    stop_supervisor(sup);
  });
}

TEST(Supervisor, AnySignificantStopsWhenASignificantChildEndsForGood) {
  node n({.schedulers = 2});
  n.run([] {
    trap_exit(true);
    pid sup = started(
        supervisor::start_link(auto_shutdown_spec(strategy::one_for_one, auto_shutdown::any_significant,
                                                  {significant_child("a", restart::transient), child("b")})));
    const pid a = next_started("a");
    next_started("b");
    // a crash is restarted as usual: the supervisor stays
    crash(term(a));
    const pid a2 = next_started("a");
    EXPECT_TRUE(supervisor::get_childspec(sup, "a"_a)->significant);
    EXPECT_FALSE(supervisor::get_childspec(sup, "b"_a)->significant);
    // stopped by the supervisor itself: no auto shutdown, and a restart_child brings it back
    ASSERT_TRUE(supervisor::terminate_child(sup, "a"_a).has_value());
    EXPECT_EQ(child_of(sup, "a"), term(atoms::undefined));
    const auto again = supervisor::restart_child(sup, "a"_a);
    ASSERT_TRUE(again.has_value());
    EXPECT_NE(**again, a2);
    // a normal end of a significant transient child stops the others, then the supervisor
    crash(term(**again), atoms::normal);
    EXPECT_EQ(next_exit_from(sup)[2], term(atoms::shutdown));
    const std::vector<term> ended = next_terminated_ids(4);  // a's crash, its stop, its normal end, b
    EXPECT_EQ(ended, (std::vector<term>{"a"_a, "a"_a, "a"_a, "b"_a}));
  });
}

TEST(Supervisor, AllSignificantStopsWhenTheLastSignificantChildEnds) {
  node n({.schedulers = 2});
  n.run([] {
    trap_exit(true);
    pid sup = started(supervisor::start_link(
        auto_shutdown_spec(strategy::one_for_all, auto_shutdown::all_significant,
                           {significant_child("a", restart::transient),
                            significant_child("c", restart::temporary), child("b", restart::transient)})));
    next_started("a");
    next_started("c");
    const pid b = next_started("b");
    // a bystander's crash restarts the group (one_for_all), the supervisor stays
    crash(term(b));
    next_started("a");
    next_started("b");
    // the temporary significant child c was not started again: a alone is left running
    EXPECT_EQ(child_of(sup, "c"), term("absent"_a));
    const term a2 = child_of(sup, "a");
    // a non-significant child ending for good changes nothing
    crash(child_of(sup, "b"), atoms::normal);
    eventually([&] { return child_of(sup, "b") == term(atoms::undefined); });
    EXPECT_FALSE(
        receive([&](const term& m) { return m.is_tuple(3) && m[0] == term(atoms::EXIT); }, timeout::ms(50)));
    crash(a2, atoms::normal);
    EXPECT_EQ(next_exit_from(sup)[2], term(atoms::shutdown));
  });
}

TEST(Supervisor, AllSignificantSimpleOneForOneStopsWithItsLastChild) {
  node n({.schedulers = 2});
  n.run([] {
    trap_exit(true);
    const pid me = self();
    child_spec tmpl{.id = "job"_a,
                    .start =
                        [me](const term& id) {
                          return gen_server::start_link<worker>(worker_arg{id, me});
                        },
                    .restart = restart::temporary,
                    .significant = true};
    pid sup = started(supervisor::start_link(
        auto_shutdown_spec(strategy::simple_one_for_one, auto_shutdown::all_significant, {tmpl})));
    const pid j1 = **supervisor::start_child(sup, "j1"_a);
    const pid j2 = **supervisor::start_child(sup, "j2"_a);
    crash(term(j1), "failed"_a);  // a temporary child counts however it ends
    eventually([&] { return supervisor::count_children(sup).active == 1; });
    crash(term(j2), atoms::normal);
    EXPECT_EQ(next_exit_from(sup)[2], term(atoms::shutdown));
  });
}

// Progress reports (logged at info, so only when the level lets them through): one per child
// started by a supervisor, restarts included; none for simple_one_for_one's children (as OTP).
TEST(Supervisor, ProgressReportsNameEachStartedChild) {
  const log_level was = logger::primary_level();
  logger::set_primary_level(log_level::info);
  node n({.schedulers = 2});
  log_capture logs;
  std::vector<term> expected_started;
  n.run([&] {
    trap_exit(true);
    pid sup = started(supervisor::start_link(spec_of(strategy::one_for_one, {child("a"), child("b")})));
    const pid a = next_started("a"), b = next_started("b");
    crash(term(b));
    const pid b2 = next_started("b");
    const pid me = self();
    child_spec tmpl{.id = "job"_a, .start = [me](const term& id) {
                      return gen_server::start_link<worker>(worker_arg{id, me});
                    }};
    pid simple = started(supervisor::start_link(spec_of(strategy::simple_one_for_one, {tmpl})));
    ASSERT_TRUE(supervisor::start_child(simple, "j"_a).has_value());
    next_started("j");
    stop_supervisor(simple);
    stop_supervisor(sup);
    expected_started = {term(a), term(b), term(b2)};
  });
  logger::set_primary_level(was);
  std::vector<term> reported;
  for (const log_event& e : logs.events()) {
    const term* label = e.report.is_map() ? e.report.map_find("label"_a) : nullptr;
    if (!label || *label != tuple("supervisor"_a, "progress"_a)) continue;
    EXPECT_EQ(e.level, log_level::info);
    const term& report = *e.report.map_find("report"_a);
    ASSERT_TRUE(report.is_list()) << to_string(report);
    const term started_info = report.list_elements()[1];  // {started, [{pid, P}, {id, Id}, ...]}
    ASSERT_TRUE(started_info.is_tuple(2) && started_info[0] == term("started"_a)) << to_string(report);
    const std::vector<term> fields = started_info[1].list_elements();
    ASSERT_GE(fields.size(), 2u);
    EXPECT_EQ(fields[0][0], term("pid"_a));
    reported.push_back(fields[0][1]);
    EXPECT_NE(std::find(fields.begin(), fields.end(), tuple("significant"_a, false)), fields.end());
  }
  EXPECT_EQ(reported, expected_started);
}

// check_childspecs/1,2 (answers checked against erl).
TEST(Supervisor, CheckChildspecsGivesTheErrorAStartWould) {
  node n({.schedulers = 1});
  n.run([] {
    EXPECT_TRUE(supervisor::check_childspecs({child("a"), child("b")}).has_value());
    EXPECT_EQ(supervisor::check_childspecs({child("a"), child("a")}).error(),
              tuple("duplicate_child_name"_a, "a"_a));
    EXPECT_EQ(supervisor::check_childspecs({child_spec{.id = "a"_a}}).error(), term("missing_start"_a));
    const term significant = tuple("significant"_a, true);
    // without an auto_shutdown only the restart type is checked against significant
    EXPECT_TRUE(supervisor::check_childspecs({significant_child("a", restart::transient)}).has_value());
    EXPECT_EQ(supervisor::check_childspecs({significant_child("a", restart::permanent)}).error(),
              tuple("bad_combination"_a, list(tuple("restart"_a, "permanent"_a), significant)));
    EXPECT_EQ(supervisor::check_childspecs({significant_child("a", restart::transient)}, auto_shutdown::never)
                  .error(),
              tuple("bad_combination"_a, list(tuple("auto_shutdown"_a, "never"_a), significant)));
    EXPECT_TRUE(supervisor::check_childspecs({significant_child("a", restart::temporary)},
                                             auto_shutdown::any_significant)
                    .has_value());
  });
}
