// An OTP++ node in a cluster with real erl nodes (erlang-base), both ways round:
//  * erl connects to us: net_adm:ping, gen_server:call of a C++ server (with a 1 MB binary too),
//    a call to a name nobody holds (noproc at once), a monitor by {Name, Node} that gets the real
//    exit reason, a link whose exit reaches the trapping erl process, and a C++ process calling
//    an Erlang server in the same connection;
//  * we connect to erl: distributed_node::connect, then calls and sends;
//  * a wrong cookie: ping gives pang and our node carries on.
// Skips when erl or epmd is not installed (CI installs erlang-base, so it runs there).

#include <gtest/gtest.h>

#include <map>

#include <otp/otp.hpp>

#include "dist/dist_support.hpp"
#include "support/runtime_support.hpp"

using namespace otp;
using namespace otp::literals;
using namespace otp::test;
using dist::distributed_node;

namespace {

/// "Tag Value" lines that the erl scripts print, by tag.
std::map<std::string, std::string> results_of(const std::string& output) {
  std::map<std::string, std::string> out;
  std::stringstream in(output);
  for (std::string line; std::getline(in, line);) {
    const std::size_t space = line.find(' ');
    if (space != std::string::npos && line.rfind("R:", 0) == 0)
      out[line.substr(2, space - 2)] = line.substr(space + 1);
  }
  return out;
}

bool have_erlang() { return test_epmd().available() && !find_program("erl").empty(); }

void wait_registered(otp::node& n, atom name) {
  for (int i = 0; i < 5000 && !n.whereis(name); ++i) std::this_thread::sleep_for(1ms);
}

}  // namespace

TEST(ErlangInterop, ErlangNodeUsesOurProcesses) {
  if (!have_erlang()) GTEST_SKIP() << "needs erl and epmd (apt-get install erlang-base)";
  distributed_node cpp(node_options{.schedulers = 2, .name = "cpp@127.0.0.1"}, test_dist_options());
  otp::node& n = cpp.local();
  n.run([] { gen_server::start<echo_server>(term(), {.name = "echo"_a}); });
  n.spawn([] {
    register_name("victim"_a, self());
    receive();
    exit(tuple("shot"_a, 42));
  });
  n.spawn([] {
    register_name("linker"_a, self());
    term m = receive();  // {link_me, Pid}
    link(m[1].as_pid());
    exit("linker_died"_a);
  });
  n.spawn([] {
    register_name("coordinator"_a, self());
    term m = receive();  // {erl_ready, ErlPid}: call the Erlang server, answer with the result
    const server_ref erl_echo = server_ref::remote("erl_echo"_a, "t@127.0.0.1"_a);
    term r = gen_server::call(erl_echo, "ping"_a);
    send(m[1].as_pid(), tuple("cpp_result"_a, r));
  });
  for (atom name : {"victim"_a, "linker"_a, "coordinator"_a}) wait_registered(n, name);

  const std::string script = R"(
    N = 'cpp@127.0.0.1',
    P = fun(Tag, V) -> io:format("R:~s ~0p~n", [Tag, V]) end,
    P(ping, net_adm:ping(N)),
    P(hidden, {lists:member(N, nodes(hidden)), lists:member(N, nodes())}),
    P(call, gen_server:call({echo, N}, hello)),
    P(call_noproc, catch gen_server:call({nobody, N}, hello, 2000)),
    M = erlang:monitor(process, {victim, N}),
    {victim, N} ! stop,
    P(down, receive {'DOWN', M, process, Who, R} -> {Who, R} after 5000 -> timeout end),
    process_flag(trap_exit, true),
    {linker, N} ! {link_me, self()},
    P(linked_exit, receive {'EXIT', _, LR} -> LR after 5000 -> timeout end),
    Echo = spawn(fun Loop() -> receive {'$gen_call', From, Req} -> gen:reply(From, {erl_echo, Req}), Loop() end end),
    register(erl_echo, Echo),
    {coordinator, N} ! {erl_ready, self()},
    P(cpp_called, receive {cpp_result, CR} -> CR after 5000 -> timeout end),
    Big = binary:copy(<<"0123456789">>, 100000),
    P(big, gen_server:call({echo, N}, Big) =:= {echo, Big}),
    halt().
  )";
  auto erl = start_erl("t", "otp_test_cookie", script);
  ASSERT_TRUE(erl->started());
  const bool clean = erl->wait(std::chrono::seconds(60));
  const std::string output = erl->output();
  ASSERT_TRUE(clean) << output;
  auto r = results_of(output);
  EXPECT_EQ(r["ping"], "pong") << output;
  EXPECT_EQ(r["hidden"], "{true,false}") << output;
  EXPECT_EQ(r["call"], "{echo,hello}") << output;
  EXPECT_EQ(r["call_noproc"], "{'EXIT',{noproc,{gen_server,call,[{nobody,'cpp@127.0.0.1'},hello,2000]}}}")
      << output;
  EXPECT_EQ(r["down"], "{{victim,'cpp@127.0.0.1'},{shot,42}}") << output;
  EXPECT_EQ(r["linked_exit"], "linker_died") << output;
  EXPECT_EQ(r["cpp_called"], "{erl_echo,ping}") << output;
  EXPECT_EQ(r["big"], "true") << output;
}

TEST(ErlangInterop, WeConnectToAnErlangNode) {
  if (!have_erlang()) GTEST_SKIP() << "needs erl and epmd (apt-get install erlang-base)";
  const std::string script = R"(
    Echo = spawn(fun Loop() -> receive {'$gen_call', From, Req} -> gen:reply(From, {erl_echo, Req}), Loop() end end),
    register(erl_echo, Echo),
    register(waiter, self()),
    io:format("R:ready true~n"),
    receive {done, From} -> From ! {bye, node()} after 30000 -> timeout end,
    P = fun(Tag, V) -> io:format("R:~s ~0p~n", [Tag, V]) end,
    P(hidden, [atom_to_list(X) || X <- nodes(hidden)]),
    halt().
  )";
  auto erl = start_erl("t2", "otp_test_cookie", script);
  ASSERT_TRUE(erl->started());
  distributed_node cpp(node_options{.schedulers = 1, .name = "cpp2@127.0.0.1"}, test_dist_options());
  bool connected = false;
  for (int i = 0; i < 300 && !connected; ++i) {
    connected = cpp.connect("t2@127.0.0.1"_a);
    if (!connected) std::this_thread::sleep_for(50ms);
  }
  ASSERT_TRUE(connected) << erl->output();
  term got = cpp.local().run([] {
    // erl is registered with epmd before its -eval script has registered erl_echo: until then
    // the call fails at once with noproc (the name is looked up there, by the call's monitor).
    const server_ref erl_echo = server_ref::remote("erl_echo"_a, "t2@127.0.0.1"_a);
    auto r = gen_server::try_call(erl_echo, "hi"_a);
    for (int i = 0; i < 500 && !r && r.error().kind == gen::call_error::noproc; ++i) {
      sleep(timeout::ms(10));
      r = gen_server::try_call(erl_echo, "hi"_a);
    }
    if (!r) return r.error().reason;
    send("waiter"_a, "t2@127.0.0.1"_a, tuple("done"_a, self()));
    return tuple(*r, next_message());
  });
  const bool clean = erl->wait(std::chrono::seconds(30));
  const std::string output = erl->output();
  EXPECT_EQ(got, tuple(tuple("erl_echo"_a, "hi"_a), tuple("bye"_a, "t2@127.0.0.1"_a))) << output;
  ASSERT_TRUE(clean) << output;
  EXPECT_EQ(results_of(output)["hidden"], "[\"cpp2@127.0.0.1\"]") << output;
}

TEST(ErlangInterop, WrongCookieGivesPangAndWeCarryOn) {
  if (!have_erlang()) GTEST_SKIP() << "needs erl and epmd (apt-get install erlang-base)";
  distributed_node cpp(node_options{.schedulers = 1, .name = "cpp3@127.0.0.1"}, test_dist_options());
  auto erl = start_erl("t3", "not_the_cookie", R"(
    io:format("R:ping ~p~n", [net_adm:ping('cpp3@127.0.0.1')]),
    halt().
  )");
  ASSERT_TRUE(erl->started());
  const bool clean = erl->wait(std::chrono::seconds(60));
  const std::string output = erl->output();
  ASSERT_TRUE(clean) << output;
  EXPECT_EQ(results_of(output)["ping"], "pang") << output;
  EXPECT_TRUE(cpp.connected_nodes().empty());
  EXPECT_EQ(cpp.local().run([] { return 6 * 7; }), 42);
}

// kill -9 of the Erlang node (DISTRIBUTION.md scenario 8): our link to one of its processes
// gets an exit signal noconnection, our monitor a DOWN noconnection, and a gen_server call in
// flight fails with {nodedown, Node}.
TEST(ErlangInterop, ErlangNodeKilledFiresNoconnection) {
  if (!have_erlang()) GTEST_SKIP() << "needs erl and epmd (apt-get install erlang-base)";
  distributed_node cpp(node_options{.schedulers = 2, .name = "cpp4@127.0.0.1"}, test_dist_options());
  auto erl = start_erl("t4", "otp_test_cookie", R"(
    Silent = spawn(fun() -> receive never -> ok end end),
    register(erl_silent, Silent),
    {waiter, 'cpp4@127.0.0.1'} ! {ready, Silent},
    receive never -> ok end.
  )");
  ASSERT_TRUE(erl->started());
  term got = cpp.local().run([&] {
    register_name("waiter"_a, self());
    const term ready = receive([](const term& m) { return m.is_tuple(2); }, timeout::ms(30'000)).value();
    const pid silent = ready[1].as_pid();
    trap_exit(true);
    link(silent);
    const ref r = monitor(silent);
    // A call the Erlang side never answers, in flight when the node dies.
    const pid me = self();
    spawn([me] {
      const server_ref target = server_ref::remote("erl_silent"_a, "t4@127.0.0.1"_a);
      auto result = gen_server::try_call(target, "hello"_a, timeout::ms(30'000));
      send(me, tuple("call"_a, result ? term(atoms::ok) : result.error().reason[0]));
    });
    // A round trip through the connection (a monitor the Erlang node answers noproc) before the
    // kill; the call is usually on its way by then. If the caller has not run yet, its call
    // meets no node instead, which must end the same way: {nodedown, Node}.
    next_down(monitor("nobody"_a, "t4@127.0.0.1"_a));
    erl->kill();
    const term e = next_exit_from(silent);
    const term d = next_down(r);
    const term c = next_matching([](const term& m) { return m.is_tuple(2) && m[0].is_atom("call"_a); });
    return tuple(e[2], d[4], c[1]);
  });
  EXPECT_EQ(got, tuple(atoms::noconnection, atoms::noconnection, tuple("nodedown"_a, "t4@127.0.0.1"_a)));
}
