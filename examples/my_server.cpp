// The seed example: Elixir's MyServer (a GenServer holding one value, with get_state and
// set_state), written with otp::gen_server. Read it beside the Elixir in README.md ("GenServer"):
// the client API, then the callbacks, clause for clause.
//
// Run: ./build/dev/examples/example_my_server
// It starts the server, calls get_state, casts set_state, calls get_state again and prints each
// step as an Erlang shell would.

#include <iostream>

#include <otp/otp.hpp>

using namespace otp;
using namespace otp::patterns;

// Laid out like the Elixir it mirrors (clang-format would fold the one-line bodies).
// clang-format off
class my_server : public gen_server::behaviour<my_server> {
 public:
  // Client API

  static auto start_link(term initial_state) {
    return gen_server::start_link<my_server>(initial_state, {.name = "my_server"_a});
  }

  static term get_state() {
    return gen_server::call("my_server"_a, "get_state"_a);
  }

  static void set_state(term new_state) {
    gen_server::cast("my_server"_a, tuple("set_state"_a, new_state));
  }

  // Server (callbacks)

  init_result init(term initial_state) {
    return ok(initial_state);
  }

  call_result handle_call(const term& request, const from& from, term state) {
    if (request == "get_state"_a) return reply(state, state);
    return behaviour::handle_call(request, from, state);  // no clause matched
  }

  cast_result handle_cast(const term& message, term state) {
    term new_state;
    if (match(message, tuple_of("set_state"_a, bind(new_state)))) return noreply(new_state);
    return behaviour::handle_cast(message, state);  // no clause matched
  }
};
// clang-format on

int main() {
  node n;
  return n.run([] {
    int line = 0;
    auto shell = [&](const char* input, const term& result) {
      std::cout << ++line << "> " << input << "\n" << result << "\n";
    };
    const gen_server::start_result started = my_server::start_link("hello"_a);
    shell("my_server:start_link(hello).", started.to_term());
    if (started.kind != gen_server::start_result::ok) return 1;

    shell("my_server:get_state().", my_server::get_state());
    my_server::set_state("world"_a);
    shell("my_server:set_state(world).", atoms::ok);
    shell("my_server:get_state().", my_server::get_state());

    gen_server::stop("my_server"_a);
    return 0;
  });
}
