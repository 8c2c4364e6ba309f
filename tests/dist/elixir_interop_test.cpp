// An OTP++ node with a real Elixir node (the `elixir` package): the SEED's MyServer, written in
// C++, called and cast to from Elixir with an Elixir struct as its state and back; an Elixir
// GenServer called from C++; :rpc.call into an exported C++ function. Skips when elixir or epmd
// is not installed (scripts/setup.sh installs elixir, so CI runs it).

#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include <otp/otp.hpp>

#include "dist/dist_support.hpp"
#include "support/runtime_support.hpp"

using namespace otp;
using namespace otp::literals;
using namespace otp::test;
using dist::distributed_node;

namespace {

/// MyServer of shared/SEED.md: get_state and {set_state, S}.
class my_server : public gen_server::behaviour<my_server> {
 public:
  init_result init(term initial_state) { return ok(initial_state); }
  call_result handle_call(const term& request, const from& caller, term state) {
    if (request == term("get_state"_a)) return reply(state, state);
    return behaviour::handle_call(request, caller, state);
  }
  cast_result handle_cast(const term& message, term state) {
    if (message.is_tuple(2) && message[0].is_atom("set_state"_a)) return noreply(message[1]);
    return behaviour::handle_cast(message, state);
  }
};

}  // namespace

TEST(ElixirInterop, ElixirUsesMyServerWithStructsAndCppCallsElixirBack) {
  if (!test_epmd().available() || find_program("elixir").empty())
    GTEST_SKIP() << "needs elixir and epmd (apt-get install elixir)";
  distributed_node cpp(node_options{.schedulers = 2, .name = "cpp10@127.0.0.1"}, test_dist_options());
  // Elixir's MyServer is the atom 'Elixir.MyServer'.
  cpp.local().run([] { gen_server::start<my_server>(binary("from C++"), {.name = "Elixir.MyServer"_a}); });
  cpp.export_function("calc"_a, "add"_a, 2,
                      [](const std::vector<term>& a) { return term(a[0].as_int() + a[1].as_int()); });
  cpp.local().spawn([] {
    register_name("cpp_caller"_a, self());
    // {go, ElixirPid}, once the Elixir node is up and done with the calls above: it starts slowly.
    const term go = receive(timeout::ms(60'000)).value();
    const server_ref kv = server_ref::remote("Elixir.Kv"_a, "ex10@127.0.0.1"_a);
    send(go[1].as_pid(), tuple("cpp_got"_a, gen_server::call(kv, tuple("get"_a, "answer"_a))));
  });
  for (int i = 0; i < 5000 && !cpp.local().whereis("cpp_caller"_a); ++i) std::this_thread::sleep_for(1ms);

  auto elixir = start_elixir("ex10", "otp_test_cookie", R"(
    defmodule Point do
      defstruct [:x, :y]
    end
    defmodule Kv do
      use GenServer
      def init(s), do: {:ok, s}
      def handle_call({:get, k}, _from, s), do: {:reply, Map.get(s, k), s}
    end
    cpp = :"cpp10@127.0.0.1"
    p = fn tag, v -> IO.puts("R:#{tag} " <> inspect(v)) end
    {:ok, _} = GenServer.start_link(Kv, %{answer: 42}, name: Kv)
    p.(:connect, Node.connect(cpp))
    p.(:get, GenServer.call({MyServer, cpp}, :get_state))
    # struct/2: a %Point{} literal cannot be used in the script that defines Point.
    GenServer.cast({MyServer, cpp}, {:set_state, struct(Point, x: 1, y: [2, 3])})
    p.(:struct, GenServer.call({MyServer, cpp}, :get_state))
    p.(:rpc, :rpc.call(cpp, :calc, :add, [1, 2]))
    send({:cpp_caller, cpp}, {:go, self()})
    p.(:cpp_called, receive do {:cpp_got, got} -> got after 5000 -> :timeout end)
  )");
  ASSERT_TRUE(elixir->started());
  const bool clean = elixir->wait(std::chrono::seconds(60));
  const std::string output = elixir->output();
  ASSERT_TRUE(clean) << output;
  auto r = results_of(output);
  EXPECT_EQ(r["connect"], "true") << output;
  EXPECT_EQ(r["get"], "\"from C++\"") << output;
  EXPECT_EQ(r["struct"], "%Point{x: 1, y: [2, 3]}") << output;
  EXPECT_EQ(r["rpc"], "3") << output;
  EXPECT_EQ(r["cpp_called"], "42") << output;
}
