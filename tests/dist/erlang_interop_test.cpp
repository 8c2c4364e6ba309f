// An OTP++ node in a cluster with real erl nodes (erlang-base), both ways round:
//  * erl connects to us: net_adm:ping, gen_server:call of a C++ server (with a 1 MB binary too),
//    a call to a name nobody holds (noproc at once), a monitor by {Name, Node} that gets the real
//    exit reason, a link whose exit reaches the trapping erl process, and a C++ process calling
//    an Erlang server in the same connection;
//  * we connect to erl: distributed_node::connect, then calls and sends;
//  * a wrong cookie: ping gives pang and our node carries on;
//  * monitor_nodes and monitor_node on our side see an erl node come and go;
//  * erl calls exported C++ functions: rpc:call, erpc:call/cast, spawn_request;
//  * link/unlink racing from both sides leaves neither linked;
//  * distribution headers with the atom cache, both ways, and pass-through framing without it;
//  * kill -9 of either node: links, monitors, calls in flight and monitor_node see it; an erl
//    node that restarts under its name leaves its old pids dead.
// Skips when erl or epmd is not installed (CI installs erlang-base, so it runs there).

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include <otp/otp.hpp>

#include "dist/atom_cache.hpp"
#include "dist/dist_support.hpp"
#include "support/runtime_support.hpp"

using namespace otp;
using namespace otp::literals;
using namespace otp::test;
using dist::distributed_node;

namespace {

bool have_erlang() { return test_epmd().available() && !find_program("erl").empty(); }

void wait_registered(otp::node& n, atom name) {
  for (int i = 0; i < 5000 && !n.whereis(name); ++i) std::this_thread::sleep_for(1ms);
}

/// erl node `erl_name` uses the processes of our node `cpp_name` (see the file's comment).
void erlang_node_uses_our_processes(const std::string& cpp_name, const std::string& erl_name,
                                    const dist::dist_options& options) {
  distributed_node cpp(node_options{.schedulers = 2, .name = cpp_name}, options);
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
  n.spawn([erl_node = atom(erl_name + "@127.0.0.1")] {
    register_name("coordinator"_a, self());
    term m = receive();  // {erl_ready, ErlPid}: call the Erlang server, answer with the result
    const server_ref erl_echo = server_ref::remote("erl_echo"_a, erl_node);
    term r = gen_server::call(erl_echo, "ping"_a);
    send(m[1].as_pid(), tuple("cpp_result"_a, r));
  });
  for (atom name : {"victim"_a, "linker"_a, "coordinator"_a}) wait_registered(n, name);

  const std::string script = "N = '" + cpp_name + "'," + R"(
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
  const erl_script_run run = run_erl_script(erl_name, script);
  ASSERT_TRUE(run.started);
  const std::string& output = run.output;
  ASSERT_TRUE(run.clean) << output;
  auto r = run.results;
  EXPECT_EQ(r["ping"], "pong") << output;
  EXPECT_EQ(r["hidden"], "{true,false}") << output;
  EXPECT_EQ(r["call"], "{echo,hello}") << output;
  EXPECT_EQ(r["call_noproc"], "{'EXIT',{noproc,{gen_server,call,[{nobody,'" + cpp_name + "'},hello,2000]}}}")
      << output;
  EXPECT_EQ(r["down"], "{{victim,'" + cpp_name + "'},{shot,42}}") << output;
  EXPECT_EQ(r["linked_exit"], "linker_died") << output;
  EXPECT_EQ(r["cpp_called"], "{erl_echo,ping}") << output;
  EXPECT_EQ(r["big"], "true") << output;
}

}  // namespace

TEST(ErlangInterop, ErlangNodeUsesOurProcesses) {
  if (!have_erlang()) GTEST_SKIP() << "needs erl and epmd (apt-get install erlang-base)";
  erlang_node_uses_our_processes("cpp@127.0.0.1", "t", test_dist_options());
}

// The same without the distribution header's atom cache: both nodes frame pass-through.
TEST(ErlangInterop, ErlangNodeUsesOurProcessesWithoutTheAtomCache) {
  if (!have_erlang()) GTEST_SKIP() << "needs erl and epmd (apt-get install erlang-base)";
  dist::dist_options options = test_dist_options();
  options.atom_cache = false;
  erlang_node_uses_our_processes("cpp_p@127.0.0.1", "t_p", options);
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

// kill -9 of our node (DISTRIBUTION.md scenario 7), seen from Erlang: a link to a process there
// gives {'EXIT', Pid, noconnection}, a monitor DOWN noconnection, a gen_server call in flight
// exits with {nodedown, Node}, and monitor_node delivers {nodedown, Node}.
TEST(ErlangInterop, OurNodeKilledFiresNoconnectionInErlang) {
  if (!have_erlang()) GTEST_SKIP() << "needs erl and epmd (apt-get install erlang-base)";
  child_process cpp({OTP_KILLABLE_NODE, "cpp5@127.0.0.1", "otp_test_cookie"},
                    (test_epmd().dir() / "cpp5.out").string());
  ASSERT_TRUE(cpp.started());
  auto wait_for_line = [](child_process& p, const std::string& line) {
    for (int i = 0; i < 3000; ++i) {
      if (p.output().find(line + "\n") != std::string::npos) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  };
  ASSERT_TRUE(wait_for_line(cpp, "ready")) << cpp.output();
  auto erl = start_erl("t5", "otp_test_cookie", R"(
    N = 'cpp5@127.0.0.1',
    P = fun(Tag, V) -> io:format("R:~s ~0p~n", [Tag, V]) end,
    P(ping, net_adm:ping(N)),
    {victim, N} ! {whoami, self()},
    V = receive {victim_is, Pid} -> Pid after 10000 -> none end,
    process_flag(trap_exit, true),
    link(V),
    M = erlang:monitor(process, V),
    monitor_node(N, true),
    Self = self(),
    %% Unanswered: in flight when the node dies (or, if it has not gone out by then, made to a
    %% node that is gone, which ends the same way).
    spawn(fun() -> Self ! {call, catch gen_server:call({victim, N}, hello, 30000)} end),
    io:format("monitoring~n"),
    P(exit, receive {'EXIT', V, R1} -> R1 after 30000 -> timeout end),
    P(down, receive {'DOWN', M, process, V, R2} -> R2 after 30000 -> timeout end),
    P(call, receive {call, {'EXIT', {R3, _}}} -> R3 after 30000 -> timeout end),
    P(nodedown, receive {nodedown, Node} -> Node after 30000 -> timeout end),
    halt().
  )");
  ASSERT_TRUE(erl->started());
  ASSERT_TRUE(wait_for_line(*erl, "monitoring")) << erl->output();
  cpp.kill();
  const bool clean = erl->wait(std::chrono::seconds(60));
  const std::string output = erl->output();
  ASSERT_TRUE(clean) << output;
  auto r = results_of(output);
  EXPECT_EQ(r["ping"], "pong") << output;
  EXPECT_EQ(r["exit"], "noconnection") << output;
  EXPECT_EQ(r["down"], "noconnection") << output;
  EXPECT_EQ(r["call"], "{nodedown,'cpp5@127.0.0.1'}") << output;
  EXPECT_EQ(r["nodedown"], "'cpp5@127.0.0.1'") << output;
}

// The Erlang node restarts under the same name (DISTRIBUTION.md scenario 8): epmd hands it a
// new creation, so the pids of its first life are dead for good: a monitor gets noproc, a
// message is dropped, and the new life's processes are reached as usual.
TEST(ErlangInterop, ErlangNodeRestartedLeavesItsOldPidsDead) {
  if (!have_erlang()) GTEST_SKIP() << "needs erl and epmd (apt-get install erlang-base)";
  distributed_node cpp(node_options{.schedulers = 2, .name = "cpp6@127.0.0.1"}, test_dist_options());
  const std::string script = R"(
    Sink = spawn(fun Loop() -> receive {probe, From} -> From ! {sink_got, self()}, Loop() end end),
    {waiter, 'cpp6@127.0.0.1'} ! {ready, Sink},
    receive never -> ok end.
  )";
  term got = cpp.local().run([&] {
    register_name("waiter"_a, self());
    auto sink_of = [](child_process& erl) {
      std::optional<term> ready = receive([](const term& m) { return m.is_tuple(2); }, timeout::ms(30'000));
      EXPECT_TRUE(ready.has_value()) << erl.output();
      return ready ? (*ready)[1].as_pid() : pid{};
    };
    auto first = start_erl("t6", "otp_test_cookie", script);
    const pid old_sink = sink_of(*first);
    first->kill();
    auto second = start_erl("t6", "otp_test_cookie", script);
    const pid new_sink = sink_of(*second);
    EXPECT_NE(old_sink.creation, new_sink.creation);
    const term old_monitor = next_down(monitor(old_sink))[4];
    // Both probes go over the one connection, the old pid's first: had it been delivered (to
    // anyone), its answer would come first.
    send(old_sink, tuple("probe"_a, self()));
    send(new_sink, tuple("probe"_a, self()));
    const term answer = receive();
    const bool more = receive(timeout::ms(300)).has_value();
    return tuple(old_monitor, answer, term(more), new_sink);
  });
  EXPECT_EQ(got[0], term(atoms::noproc));
  EXPECT_EQ(got[1], tuple("sink_got"_a, got[3]));
  EXPECT_EQ(got[2], term(false));
}

// Ordering under load (DISTRIBUTION.md scenario 11): four Erlang processes send sequenced
// messages to one C++ process, interleaved, each linking/unlinking and monitoring/demonitoring
// it along the way. Per sender, every message arrives, in order.
TEST(ErlangInterop, MessagesFromErlangKeepPerSenderOrderAmidLinksAndMonitors) {
  if (!have_erlang()) GTEST_SKIP() << "needs erl and epmd (apt-get install erlang-base)";
  constexpr int64_t senders = 4, per_sender = 10'000;
  distributed_node cpp(node_options{.schedulers = 2, .name = "cpp7@127.0.0.1"}, test_dist_options());
  term got = cpp.local().run([&] {
    register_name("sink"_a, self());
    trap_exit(true);  // an Erlang sender's link may outlive it for a moment
    auto erl = start_erl("t7", "otp_test_cookie",
                         R"(
      N = 'cpp7@127.0.0.1',
      {sink, N} ! {hello, self()},
      S = receive {sink_is, P} -> P after 10000 -> exit(no_sink) end,
      Send = fun(I) -> spawn(fun() ->
        lists:foreach(fun(K) ->
            S ! {seq, I, K},
            case K rem 500 of
              0 -> link(S), unlink(S);
              250 -> M = erlang:monitor(process, S), erlang:demonitor(M, [flush]);
              _ -> ok
            end
          end, lists:seq(1, )" +
                             std::to_string(per_sender) + R"()),
        S ! {done, I}
      end) end,
      [Send(I) || I <- lists:seq(1, )" +
                             std::to_string(senders) + R"()],
      receive never -> ok end.
    )");
    const term hello =
        receive([](const term& m) { return m.is_tuple(2) && m[0].is_atom("hello"_a); }, timeout::ms(30'000))
            .value();
    send(hello[1].as_pid(), tuple("sink_is"_a, self()));
    std::map<int64_t, int64_t> next;  // per sender, the sequence number due next
    int64_t received = 0, done = 0;
    bool in_order = true;
    while (done < senders) {
      std::optional<term> m = receive(timeout::ms(60'000));
      if (!m) break;
      if (m->is_tuple(3) && (*m)[0].is_atom("seq"_a)) {
        int64_t& due = next.try_emplace((*m)[1].as_int(), 1).first->second;
        in_order = in_order && (*m)[2].as_int() == due;
        due = (*m)[2].as_int() + 1;
        ++received;
      } else if (m->is_tuple(2) && (*m)[0].is_atom("done"_a)) {
        ++done;
      }
    }
    return tuple(received, term(in_order));
  });
  EXPECT_EQ(got, tuple(senders * per_sender, term(true)));
}

// An Erlang node seen through monitor_nodes and monitor_node: nodeup (as a hidden connection,
// which every one of ours is) before the first message it sends, then, when it halts, nodedown
// to the subscriber and to the monitor.
TEST(ErlangInterop, NodeupAndNodedownForAnErlangNode) {
  if (!have_erlang()) GTEST_SKIP() << "needs erl and epmd (apt-get install erlang-base)";
  distributed_node cpp(node_options{.schedulers = 2, .name = "cpp7@127.0.0.1"}, test_dist_options());
  std::unique_ptr<child_process> erl;
  const term got = cpp.local().run([&] {
    register_name("watcher"_a, self());
    monitor_nodes(true, {.type = node_type::all});
    erl = start_erl("t7", "otp_test_cookie", R"(
      N = 'cpp7@127.0.0.1',
      pong = net_adm:ping(N),
      {watcher, N} ! {hello, self()},
      receive go -> ok after 30000 -> ok end,
      halt().
    )");
    // An erl node takes a moment to start (longer on a loaded machine): the first wait is long.
    const term up = receive(timeout::ms(30'000)).value();
    const term hello = next_message();
    monitor_node(up[1].as_atom(), true);
    send(hello[1].as_pid(), "go"_a);
    std::vector<term> downs{next_message(), next_message()};
    std::sort(downs.begin(), downs.end());
    return tuple(up, hello[0], downs[0], downs[1]);
  });
  ASSERT_TRUE(erl->wait(std::chrono::seconds(30))) << erl->output();
  const term t7 = "t7@127.0.0.1"_a;
  const term hidden = list(tuple("node_type"_a, "hidden"_a));
  EXPECT_EQ(got, tuple(tuple("nodeup"_a, t7, hidden), "hello"_a, tuple("nodedown"_a, t7),
                       tuple("nodedown"_a, t7, hidden)));
}

// Erlang calls C++ functions: rpc:call and erpc:call (a result; erlang:error, exit and an unknown
// function as Erlang reports each), a function that itself calls a C++ gen_server, erpc:cast,
// and spawn_request with a monitor.
TEST(ErlangInterop, ErlangCallsExportedCppFunctions) {
  if (!have_erlang()) GTEST_SKIP() << "needs erl and epmd (apt-get install erlang-base)";
  distributed_node cpp(node_options{.schedulers = 2, .name = "cpp8@127.0.0.1"}, test_dist_options());
  cpp.local().run([] { gen_server::start<echo_server>(term(), {.name = "echo"_a}); });
  using args = const std::vector<term>&;
  cpp.export_function("calc"_a, "add"_a, 2, [](args a) { return term(a[0].as_int() + a[1].as_int()); });
  cpp.export_function("calc"_a, "fail"_a, 1, [](args a) -> term { throw erlang_error(a[0]); });
  cpp.export_function("calc"_a, "quit"_a, 1, [](args a) -> term { otp::exit(a[0]); });
  cpp.export_function("calc"_a, "via_server"_a, 1, [](args a) { return gen_server::call("echo"_a, a[0]); });
  cpp.export_function("calc"_a, "notify"_a, 1, [](args a) {
    send(a[0].as_pid(), tuple("cast_ran_in"_a, self()));
    return term(atoms::ok);
  });
  const std::string script = R"(
    N = 'cpp8@127.0.0.1',
    P = fun(Tag, V) -> io:format("R:~s ~0p~n", [Tag, V]) end,
    Try = fun(F) -> try F() catch C:R -> {C, R} end end,
    P(rpc, rpc:call(N, calc, add, [2, 3])),
    P(erpc, erpc:call(N, calc, add, [40, 2])),
    P(rpc_error, rpc:call(N, calc, fail, [boom])),
    P(erpc_error, Try(fun() -> erpc:call(N, calc, fail, [boom]) end)),
    P(erpc_exit, Try(fun() -> erpc:call(N, calc, quit, [bye]) end)),
    P(undef, rpc:call(N, nomod, nofun, [1])),
    P(via_server, rpc:call(N, calc, via_server, [hi])),
    ok = erpc:cast(N, calc, notify, [self()]),
    P(cast, receive {cast_ran_in, CastPid} -> node(CastPid) after 5000 -> timeout end),
    ReqId = spawn_request(N, calc, add, [1, 1], [monitor]),
    P(spawned, receive {spawn_reply, ReqId, ok, SPid} ->
        receive {'DOWN', ReqId, process, SPid, Why} -> {node(SPid), Why} after 5000 -> no_down end
      after 5000 -> no_reply end),
    halt().
  )";
  const erl_script_run run = run_erl_script("t8", script);
  ASSERT_TRUE(run.started);
  const std::string& output = run.output;
  ASSERT_TRUE(run.clean) << output;
  auto r = run.results;
  EXPECT_EQ(r["rpc"], "5") << output;
  EXPECT_EQ(r["erpc"], "42") << output;
  EXPECT_EQ(r["rpc_error"], "{badrpc,{'EXIT',{boom,[{calc,fail,1,[]}]}}}") << output;
  EXPECT_EQ(r["erpc_error"], "{error,{exception,boom,[{calc,fail,1,[]}]}}") << output;
  EXPECT_EQ(r["erpc_exit"], "{exit,{exception,bye}}") << output;
  EXPECT_EQ(r["undef"], "{badrpc,{'EXIT',{undef,[{nomod,nofun,[1],[]}]}}}") << output;
  EXPECT_EQ(r["via_server"], "{echo,hi}") << output;
  EXPECT_EQ(r["cast"], "'cpp8@127.0.0.1'") << output;
  EXPECT_EQ(r["spawned"], "{'cpp8@127.0.0.1',normal}") << output;
}

// The link protocol under a race (DISTRIBUTION.md scenario 12): a C++ process and an Erlang one
// link and unlink each other 2000 times at once, each ending with unlink. Afterwards neither
// holds a link (process_info on both sides), and the C++ process's end does not reach the
// trapping Erlang one: no stale half of a link survived the UNLINK_ID exchanges.
TEST(ErlangInterop, LinkUnlinkRaceLeavesBothSidesUnlinked) {
  if (!have_erlang()) GTEST_SKIP() << "needs erl and epmd (apt-get install erlang-base)";
  distributed_node cpp(node_options{.schedulers = 2, .name = "cpp9@127.0.0.1"}, test_dist_options());
  std::unique_ptr<child_process> erl;
  const term got = cpp.local().run([&] {
    register_name("racer"_a, self());
    trap_exit(true);
    erl = start_erl("t9", "otp_test_cookie", R"(
      N = 'cpp9@127.0.0.1',
      P = fun(Tag, V) -> io:format("R:~s ~0p~n", [Tag, V]) end,
      process_flag(trap_exit, true),
      {racer, N} ! {hello, self()},
      A = receive {racer, Pid} -> Pid after 30000 -> exit(no_racer) end,
      Loop = fun L(0) -> ok; L(I) -> link(A), unlink(A), L(I - 1) end,
      Loop(2000),
      receive cpp_done -> ok after 30000 -> exit(no_cpp_done) end,
      {links, Links} = process_info(self(), links),  % init's link to the -eval process is one
      P(erl_linked, lists:member(A, Links)),
      A ! probe_me,
      P(exit_seen, receive {'EXIT', A, R} -> R after 1000 -> none end),
      halt().
    )");
    // An erl node takes a moment to start (longer on a loaded machine): the first wait is long.
    const pid e =
        receive([](const term& m) { return m.is_tuple(2) && m[0].is_atom("hello"_a); }, timeout::ms(30'000))
            .value()[1]
            .as_pid();
    send(e, tuple("racer"_a, self()));
    for (int i = 0; i < 2000; ++i) {
      link(e);
      unlink(e);
    }
    send(e, "cpp_done"_a);
    next_matching([](const term& m) { return m == term("probe_me"_a); });
    // Then this process ends: a link Erlang still held would bring it {'EXIT', A, normal}.
    return int64_t(process_info(self())->links.size());
  });
  ASSERT_TRUE(erl->wait(std::chrono::seconds(30))) << erl->output();
  auto r = results_of(erl->output());
  EXPECT_EQ(got, term(0));
  EXPECT_EQ(r["erl_linked"], "false") << erl->output();
  EXPECT_EQ(r["exit_seen"], "none") << erl->output();
}

// The atom cache against erts, both ways: tuples of 302 atoms (more than the 255 refs a header
// holds, so some are spelled out), one of them 400 bytes long (LongAtoms), atoms that share a
// cache entry in one frame and across frames (evicting each other), sent three times over one
// connection so later frames refer to entries earlier ones filled. erl compares what it got with
// the atoms it makes from their names (sent alongside in a binary) and sends it back; we compare
// what comes back with the original.
TEST(ErlangInterop, AtomCacheHeadersCarryManyLongAndCollidingAtoms) {
  if (!have_erlang()) GTEST_SKIP() << "needs erl and epmd (apt-get install erlang-base)";
  using dist::detail::atom_cache_entry;
  // An atom named prefix + N that our side puts in the same cache entry as `a`.
  auto colliding = [](atom a, const std::string& prefix) {
    for (int i = 0;; ++i) {
      const atom b(prefix + std::to_string(i));
      if (atom_cache_entry(b) == atom_cache_entry(a)) return b;
    }
  };
  std::string long_name;
  for (int i = 0; i < 200; ++i) long_name += "\xc3\xa9";  // é
  auto atoms_with = [&](const std::string& prefix, atom collider) {
    // Within the 255 refs: the collider and the long atom.
    std::vector<atom> atoms = {collider, atom(long_name)};
    for (int i = 0; i < 300; ++i) atoms.push_back(atom(prefix + std::to_string(i)));
    return atoms;
  };
  // Frame 0: one sharing ac_0's entry, then ac_0; frame 1: one sharing ac_1's entry, then others.
  const std::vector<atom> first = atoms_with("ac_", colliding(atom("ac_0"), "acx_"));
  const std::vector<atom> second = atoms_with("acb_", colliding(atom("ac_1"), "acy_"));
  std::vector<term> frames, names;
  for (const auto* atoms : {&first, &second, &first}) {
    std::string joined;
    for (atom a : *atoms) joined += std::string(a.name()) + "\n";
    joined.pop_back();
    frames.push_back(make_tuple(std::vector<term>(atoms->begin(), atoms->end())));
    names.push_back(binary(joined));
  }

  distributed_node cpp(node_options{.schedulers = 2, .name = "cpp11@127.0.0.1"}, test_dist_options());
  cpp.local().spawn([&frames, &names] {
    register_name("atoms"_a, self());
    for (;;) {
      const term m = receive();
      const auto k = std::size_t(m[1].as_int());
      if (m.is_tuple(3) && m[0] == "give"_a)
        send(m[2].as_pid(), tuple("atoms"_a, k, frames.at(k), names.at(k)));
      if (m.is_tuple(4) && m[0] == "back"_a) send(m[3].as_pid(), tuple("checked"_a, k, m[2] == frames.at(k)));
    }
  });
  wait_registered(cpp.local(), "atoms"_a);
  const erl_script_run run = run_erl_script("t11", R"(
    N = 'cpp11@127.0.0.1',
    P = fun(Tag, V) -> io:format("R:~s ~0p~n", [Tag, V]) end,
    Check = fun(K) ->
      {atoms, N} ! {give, K, self()},
      {T, Names} = receive {atoms, K, X, Ns} -> {X, Ns} after 5000 -> {timeout, <<>>} end,
      Made = list_to_tuple([binary_to_atom(B, utf8) || B <- binary:split(Names, <<"\n">>, [global])]),
      {atoms, N} ! {back, K, T, self()},
      Back = receive {checked, K, B} -> B after 5000 -> timeout end,
      P("frame" ++ integer_to_list(K), {T =:= Made, tuple_size(T), Back})
    end,
    Check(0), Check(1), Check(2),
    halt().
  )");
  ASSERT_TRUE(run.started);
  ASSERT_TRUE(run.clean) << run.output;
  auto r = run.results;
  for (const char* frame : {"frame0", "frame1", "frame2"}) {
    EXPECT_EQ(r[frame], "{true,302,true}") << frame << "\n" << run.output;
  }
}

// Messages sent to an erl node before there is a connection (Erlang's implicit connect) are held
// while it is set up, then go out in order in the form the handshake chose: with the atom cache
// erts takes only frames with a distribution header, so a held frame in the old form would be
// refused and the connection dropped.
TEST(ErlangInterop, MessagesSentWhileConnectingReachErlangInOrder) {
  if (!have_erlang()) GTEST_SKIP() << "needs erl and epmd (apt-get install erlang-base)";
  auto erl = start_erl("t12", "otp_test_cookie", R"(
    register(collector, self()),
    io:format("R:ready true~n"),
    Got = [receive {seq, I, From} -> {I, From} after 10000 -> timeout end || _ <- lists:seq(1, 200)],
    InOrder = [I || {I, _} <- Got] =:= lists:seq(1, 200),
    {_, Sender} = lists:last(Got),
    Sender ! {in_order, InOrder},
    io:format("R:in_order ~p~n", [InOrder]),
    receive after 200 -> ok end,
    halt().
  )");
  ASSERT_TRUE(erl->started());
  for (int i = 0; i < 400 && results_of(erl->output())["ready"] != "true"; ++i)
    std::this_thread::sleep_for(50ms);
  ASSERT_EQ(results_of(erl->output())["ready"], "true") << erl->output();
  distributed_node cpp(node_options{.schedulers = 2, .name = "cpp12@127.0.0.1"}, test_dist_options());
  const term got = cpp.local().run([] {
    for (int i = 1; i <= 200; ++i) send("collector"_a, "t12@127.0.0.1"_a, tuple("seq"_a, i, self()));
    return receive([](const term& m) { return m.is_tuple(2) && m[0] == "in_order"_a; }, timeout::ms(15'000))
        .value_or("timeout"_a);
  });
  EXPECT_EQ(got, tuple("in_order"_a, atoms::true_)) << erl->output();
  EXPECT_TRUE(erl->wait(std::chrono::seconds(30))) << erl->output();
}
