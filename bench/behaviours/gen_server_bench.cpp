// Hot paths of gen_server: a call round trip to an echo server, a cast, and start + stop.
//
// Run: cmake --preset release && cmake --build --preset release &&
//      build/release/bench/gen_server_bench [--benchmark_filter=...]
// Each iteration runs a batch inside one process (node::run), so the cost of entering the node
// from the benchmark thread is spread over the batch; the argument is the scheduler count.

#include <benchmark/benchmark.h>

#include <utility>

#include <otp/behaviours/gen_server.hpp>
#include <otp/runtime.hpp>

using namespace otp;

namespace {

node& shared_node(unsigned schedulers) {
  static node one({.schedulers = 1});
  static node two({.schedulers = 2});
  return schedulers == 1 ? one : two;
}

// Answers a call with its request; counts casts in its state.
class echo : public gen_server::behaviour<echo> {
 public:
  init_result init(term state) { return ok(std::move(state)); }
  call_result handle_call(const term& request, const from&, term state) {
    return reply(request, std::move(state));
  }
  cast_result handle_cast(const term&, term state) { return noreply(term(state.as_int() + 1)); }
};

pid start_echo(node& n) {
  return n.run([] { return gen_server::start<echo>(term(0)).pid; });
}

void stop_echo(node& n, const pid& server) {
  n.run([server] { gen_server::stop(server); });
}

void per_item_counters(benchmark::State& state, int batch) {
  state.SetItemsProcessed(state.iterations() * batch);
  state.counters["ns_per_item"] = benchmark::Counter(
      double(state.iterations() * batch), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// gen_server:call/2 with its default 5 s timeout, the reply checked.
void BM_GenServerCall(benchmark::State& state) {
  node& n = shared_node(unsigned(state.range(0)));
  const pid server = start_echo(n);
  constexpr int batch = 10'000;
  for (auto _ : state) {
    const int wrong = n.run([server] {
      int mismatches = 0;
      for (int i = 0; i < batch; ++i) mismatches += gen_server::call(server, i) == term(i) ? 0 : 1;
      return mismatches;
    });
    if (wrong != 0) state.SkipWithError("the echo server answered a call with something else");
  }
  stop_echo(n, server);
  per_item_counters(state, batch);
}
BENCHMARK(BM_GenServerCall)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// gen_server:cast/2; a call after the batch waits until the server has handled every cast.
void BM_GenServerCast(benchmark::State& state) {
  node& n = shared_node(unsigned(state.range(0)));
  const pid server = start_echo(n);
  constexpr int batch = 10'000;
  for (auto _ : state) {
    n.run([server] {
      for (int i = 0; i < batch; ++i) gen_server::cast(server, i);
      gen_server::call(server, atoms::ok);
    });
  }
  stop_echo(n, server);
  per_item_counters(state, batch);
}
BENCHMARK(BM_GenServerCast)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// gen_server:start/3 (waits for init) followed by gen_server:stop/1 (waits for terminate).
void BM_GenServerStartStop(benchmark::State& state) {
  node& n = shared_node(unsigned(state.range(0)));
  constexpr int batch = 1'000;
  for (auto _ : state) {
    n.run([] {
      for (int i = 0; i < batch; ++i) gen_server::stop(gen_server::start<echo>(term(0)).pid);
    });
  }
  per_item_counters(state, batch);
}
BENCHMARK(BM_GenServerStartStop)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
