// example_erlang_cluster — a C++ gen_server that an Erlang node calls, and the other way round.
//
// The node `demo@127.0.0.1` (cookie otp_demo) runs the seed example's server, registered as
// my_server. Then a real Erlang node (erl from erlang-base) joins: it pings us, calls
// my_server:get_state, casts set_state and calls again, and answers a C++ call to a server of
// its own. Everything the Erlang node sees is printed as its shell would print it.
//
// Run it: ./scripts/demo.sh (after the processes example), or after any build
//   ./build/<preset>/examples/example_erlang_cluster
// Without erl installed it says so and exits. It uses the machine's epmd (port 4369), starting it
// if none runs and stopping it again afterwards.

#include <spawn.h>
#include <sys/wait.h>

#include <cstdlib>
#include <iostream>

#include <otp/otp.hpp>

extern char** environ;

using namespace otp;
using namespace otp::literals;
using namespace otp::patterns;

namespace {

// The seed example's MyServer: get_state / set_state.
class my_server : public gen_server::behaviour<my_server> {
 public:
  init_result init(term initial_state) { return ok(initial_state); }

  call_result handle_call(const term& request, const from& from, term state) {
    if (request == "get_state"_a) return reply(state, state);
    return behaviour::handle_call(request, from, state);
  }

  cast_result handle_cast(const term& message, term state) {
    term new_state;
    if (match(message, tuple_of("set_state"_a, bind(new_state)))) return noreply(new_state);
    return behaviour::handle_cast(message, state);
  }
};

// What the Erlang node does, printing each step as "erl> expression" and its result.
constexpr const char* erlang_side = R"(
  Cpp = 'demo@127.0.0.1',
  Show = fun(Expr, Value) -> io:format("erl> ~s~n~p~n", [Expr, Value]) end,
  Show("net_adm:ping('demo@127.0.0.1').", net_adm:ping(Cpp)),
  Show("gen_server:call({my_server, 'demo@127.0.0.1'}, get_state).", gen_server:call({my_server, Cpp}, get_state)),
  Show("gen_server:cast({my_server, 'demo@127.0.0.1'}, {set_state, <<\"from Erlang\">>}).",
       gen_server:cast({my_server, Cpp}, {set_state, <<"from Erlang">>})),
  Show("gen_server:call({my_server, 'demo@127.0.0.1'}, get_state).", gen_server:call({my_server, Cpp}, get_state)),
  Show("catch gen_server:call({nobody, 'demo@127.0.0.1'}, hello).", catch gen_server:call({nobody, Cpp}, hello)),
  Show("rpc:call('demo@127.0.0.1', demo, add, [40, 2]).", rpc:call(Cpp, demo, add, [40, 2])),
  Kv = spawn(fun Loop() -> receive {'$gen_call', From, {get, K}} -> gen:reply(From, {K, 42}), Loop() end end),
  register(erl_kv, Kv),
  {cpp_caller, Cpp} ! {go, self()},
  receive {cpp_got, Got} -> io:format("C++ called {erl_kv, 'erl@127.0.0.1'} with {get, answer} and got~n~p~n", [Got])
  after 5000 -> io:format("no call from C++~n") end,
  halt().
)";

std::string find_in_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "";
  for (std::size_t start = 0; start <= dirs.size();) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::string candidate = dirs.substr(start, end - start) + "/" + name;
    if (end > start && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return {};
}

}  // namespace

int main() {
  const std::string erl = find_in_path("erl");
  if (erl.empty()) {
    std::cout << "erl is not installed (apt-get install erlang-base): nothing to talk to\n";
    return 0;
  }
  const bool had_epmd = std::system("epmd -names >/dev/null 2>&1") == 0;
  int status = 1;
  {
    dist::distributed_node demo({.name = "demo@127.0.0.1"}, {.cookie = "otp_demo"});
    demo.local().run(
        [] { gen_server::start<my_server>(binary("from C++"), {.name = server_ref("my_server"_a)}); });
    // demo:add/2, for rpc:call from Erlang.
    demo.export_function("demo"_a, "add"_a, 2, [](const std::vector<term>& args) {
      return term(args[0].as_int() + args[1].as_int());
    });
    // A C++ process that calls the Erlang node's server when told to.
    demo.local().spawn([] {
      register_name("cpp_caller"_a, self());
      const term go = receive();  // {go, ErlangPid}
      const server_ref erl_kv = server_ref::remote("erl_kv"_a, "erl@127.0.0.1"_a);
      send(go[1].as_pid(), tuple("cpp_got"_a, gen_server::call(erl_kv, tuple("get"_a, "answer"_a))));
    });
    std::cout << "C++ node " << demo.name() << " is up (port " << demo.port() << "), my_server registered"
              << std::endl;  // before erl writes to the same terminal

    std::string script = erlang_side;
    const char* argv[] = {erl.c_str(), "-noshell", "-name",        "erl@127.0.0.1", "-setcookie",
                          "otp_demo",  "-eval",    script.c_str(), nullptr};
    pid_t child = 0;
    if (::posix_spawn(&child, erl.c_str(), nullptr, nullptr, const_cast<char**>(argv), environ) == 0) {
      ::waitpid(child, &status, 0);
    }
  }
  if (!had_epmd) std::system("epmd -kill >/dev/null 2>&1");
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
