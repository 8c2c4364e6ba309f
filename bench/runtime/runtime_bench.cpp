// Hot paths of the L1 runtime: spawn, send/receive (one-way stream, to self, round trip), bytes per
// idle process.
//
// Run: cmake --preset release -DOTP_BUILD_BENCH=ON && cmake --build --preset release &&
//      build/release/bench/runtime_bench [--benchmark_filter=...]
// The peer comparison (BEAM, CAF) is the benchmark issue's run script; these are the raw figures.

#include <benchmark/benchmark.h>

#include <fstream>
#include <string>

#include <otp/runtime.hpp>

using namespace otp;
using namespace otp::literals;

namespace {

node& shared_node(unsigned schedulers) {
  static node one({.schedulers = 1});
  static node two({.schedulers = 2});
  return schedulers == 1 ? one : two;
}

std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * 4096;
}

// Spawn a process that exits at once, waiting for every exit (spawn + run + exit + DOWN).
void BM_SpawnExit(benchmark::State& state) {
  node& n = shared_node(unsigned(state.range(0)));
  constexpr int batch = 10'000;
  for (auto _ : state) {
    n.run([] {
      const pid me = self();
      for (int i = 0; i < batch; ++i) spawn([me] { send(me, atoms::ok); });
      for (int i = 0; i < batch; ++i) receive();
    });
  }
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(BM_SpawnExit)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// One message in flight between two processes.
void BM_PingPong(benchmark::State& state) {
  node& n = shared_node(unsigned(state.range(0)));
  constexpr int rounds = 100'000;
  for (auto _ : state) {
    n.run([] {
      const pid me = self();
      pid echo = spawn([me] {
        for (int i = 0; i < rounds; ++i) send(me, receive());
      });
      term ball("ball"_a);
      for (int i = 0; i < rounds; ++i) {
        send(echo, ball);
        ball = receive();
      }
    });
  }
  state.SetItemsProcessed(state.iterations() * rounds);
  state.counters["ns_per_round_trip"] = benchmark::Counter(
      double(state.iterations() * rounds), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_PingPong)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// A one-way stream: one sender, one receiver that counts and acknowledges the whole batch (the
// path of counting and fanin: senders never wait, the receiver drains its inbox in bulk).
void BM_SendReceive(benchmark::State& state) {
  node& n = shared_node(unsigned(state.range(0)));
  constexpr int batch = 100'000;
  for (auto _ : state) {
    n.run([] {
      const pid me = self();
      const pid sink = spawn([me] {
        for (int i = 0; i < batch; ++i) receive();
        send(me, atoms::ok);
      });
      for (int i = 0; i < batch; ++i) send(sink, i);
      receive();
    });
  }
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(BM_SendReceive)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// Send to self, then receive it: the mailbox's own cost, with no wake-up and no other scheduler.
void BM_SendSelf(benchmark::State& state) {
  node& n = shared_node(1);
  constexpr int batch = 100'000;
  for (auto _ : state) {
    n.run([] {
      const pid me = self();
      for (int i = 0; i < batch; ++i) {
        send(me, i);
        benchmark::DoNotOptimize(receive());
      }
    });
  }
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(BM_SendSelf)->Unit(benchmark::kMillisecond)->UseRealTime();

// Selective receive past unmatched messages: 16 others wait in the mailbox while the wanted one is
// taken (the shape of a gen call's reply arriving behind queued requests).
void BM_SelectiveReceive(benchmark::State& state) {
  node& n = shared_node(1);
  constexpr int batch = 10'000;
  constexpr int queued = 16;
  for (auto _ : state) {
    n.run([] {
      const pid me = self();
      for (int i = 0; i < queued; ++i) send(me, "other"_a);
      const term wanted = tuple("reply"_a, 1);
      for (int i = 0; i < batch; ++i) {
        send(me, wanted);
        benchmark::DoNotOptimize(receive([](const term& m) { return m.is_tuple(); }, infinity));
      }
    });
  }
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(BM_SelectiveReceive)->Unit(benchmark::kMillisecond)->UseRealTime();

class idle : public reactor {
 public:
  void on_message(term) override {}
};

// Resident bytes per idle process: reactors (own no stack) and plain processes blocked in receive.
void BM_IdleProcessBytes(benchmark::State& state) {
  const bool plain = state.range(0) == 1;
  const int count = plain ? 20'000 : 1'000'000;
  for (auto _ : state) {
    node n({.schedulers = 2, .max_processes = std::size_t(count) * 2});
    n.run([] {});  // schedulers and fibers warmed up before the baseline
    const std::size_t before = resident_bytes();
    n.run([&] {
      const pid me = self();
      // Each process reports once it has run and is about to wait, so that all of them are idle
      // (and the plain ones hold their stacks) when memory is read.
      for (int i = 0; i < count; ++i) {
        if (plain) {
          spawn([me] {
            send(me, atoms::ok);
            receive();
          });
        } else {
          pid r = spawn_reactor(std::make_unique<idle>()).pid;
          send(r, atoms::ok);
          send(me, atoms::ok);
        }
      }
      for (int i = 0; i < count; ++i) receive();
    });
    const std::size_t after = resident_bytes();
    state.counters["bytes_per_process"] = double(after - before) / count;
  }
}
BENCHMARK(BM_IdleProcessBytes)->Arg(0)->Arg(1)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
