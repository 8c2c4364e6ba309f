// A C++ supervisor driven from a real erl node with the supervisor module's own functions: its
// requests and replies are Erlang's, so which_children, count_children, terminate_child,
// restart_child, delete_child and get_childspec work across the cluster. The spec an Erlang node
// gets has no start function (a C++ object cannot leave the node). Skips without erl.

#include <gtest/gtest.h>

#include <otp/otp.hpp>

#include "dist/dist_support.hpp"
#include "support/runtime_support.hpp"

using namespace otp;
using namespace otp::literals;
using namespace otp::test;
using dist::distributed_node;

TEST(SupervisorInterop, ErlangNodeUsesTheSupervisorModuleOnACppSupervisor) {
  if (!test_epmd().available() || find_program("erl").empty())
    GTEST_SKIP() << "needs erl and epmd (apt-get install erlang-base)";
  distributed_node cpp(node_options{.schedulers = 2, .name = "cppsup@127.0.0.1"}, test_dist_options());
  otp::node& n = cpp.local();
  const auto echo_child = [](atom id) {
    return supervisor::child_spec{.id = id,
                                  .start = [] { return gen_server::start_link<echo_server>(term()); }};
  };
  const gen::start_result sup = n.run([&] {
    return supervisor::start({.children = {echo_child("a"_a), echo_child("b"_a)}}, {.name = "top"_a});
  });
  ASSERT_EQ(sup.kind, gen::start_result::ok);

  const std::string script = R"(
    N = 'cppsup@127.0.0.1',
    S = {top, N},
    P = fun(Tag, V) -> io:format("R:~s ~0p~n", [Tag, V]) end,
    P(ping, net_adm:ping(N)),
    Shape = fun() -> [{Id, is_pid(C), T, M} || {Id, C, T, M} <- supervisor:which_children(S)] end,
    P(children, Shape()),
    P(counts, supervisor:count_children(S)),
    P(terminate, supervisor:terminate_child(S, a)),
    P(after_terminate, Shape()),
    P(restart, element(1, supervisor:restart_child(S, a))),
    P(delete_running, supervisor:delete_child(S, a)),
    {ok, Spec} = supervisor:get_childspec(S, b),
    P(spec, maps:to_list(Spec)),
    P(not_found, supervisor:terminate_child(S, zz)),
    halt().
  )";
  const erl_script_run erl = run_erl_script("sup_t", script);
  ASSERT_TRUE(erl.started);
  const std::string& output = erl.output;
  ASSERT_TRUE(erl.clean) << output;
  auto r = erl.results;
  EXPECT_EQ(r["ping"], "pong") << output;
  EXPECT_EQ(r["children"], "[{b,true,worker,[]},{a,true,worker,[]}]") << output;
  EXPECT_EQ(r["counts"], "[{specs,2},{active,2},{supervisors,0},{workers,2}]") << output;
  EXPECT_EQ(r["terminate"], "ok") << output;
  EXPECT_EQ(r["after_terminate"], "[{b,true,worker,[]},{a,false,worker,[]}]") << output;
  EXPECT_EQ(r["restart"], "ok") << output;
  EXPECT_EQ(r["delete_running"], "{error,running}") << output;
  EXPECT_EQ(r["spec"],
            "[{id,b},{modules,[]},{restart,permanent},{shutdown,5000},{significant,false},{start,undefined},"
            "{type,worker}]")
      << output;
  EXPECT_EQ(r["not_found"], "{error,not_found}") << output;
  n.run([&] { gen_server::stop(sup.pid, atoms::shutdown); });
}
