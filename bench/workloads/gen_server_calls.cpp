// gscall: C clients each make N calls ({echo, V}, V counting up) to one echo gen_server, back to
// back, and check every reply; the server's own call count is checked at the end.
// Each call's latency goes into a slot reserved before the clock starts; the percentiles are taken
// over all C·N calls at the end, and calls_in_flight tells whether the C clients overlapped.

#include <algorithm>
#include <chrono>
#include <vector>

#include "echo_server.hpp"
#include "workloads.hpp"

using namespace otp;

namespace otp_bench {
namespace {

// Nearest-rank percentile of sorted samples, in per mille: the ceil(pm·n/1000)-th smallest (the
// Erlang peer's definition, in integers so that both pick the same rank).
int64_t percentile(const std::vector<int64_t>& sorted, std::size_t per_mille) {
  const std::size_t rank = std::max<std::size_t>(1, (per_mille * sorted.size() + 999) / 1000);
  return sorted[rank - 1];
}

// One client: waits for `go`, then calls; reports {done, WrongReplies}.
void call_client(pid report_to, pid server, int64_t first_value, std::vector<int64_t>& latencies_ns,
                 atom echo, atom done) {
  using clock = std::chrono::steady_clock;
  receive();  // go
  int64_t wrong = 0;
  for (std::size_t i = 0; i < latencies_ns.size(); ++i) {
    const int64_t value = first_value + int64_t(i);
    const auto start = clock::now();
    const term reply = gen_server::call(server, tuple(echo, value));
    latencies_ns[i] = std::chrono::duration_cast<std::chrono::nanoseconds>(clock::now() - start).count();
    if (!reply.is_small() || reply.small_value() != value) ++wrong;
  }
  send(report_to, tuple(done, wrong));
}

}  // namespace

void gscall(const bench_args& a) {
  const int64_t calls = a.ints[0], clients = a.ints[1];
  // Outlives the node, so no client can still be writing into it when it goes.
  std::vector<std::vector<int64_t>> latencies(std::size_t(clients),
                                              std::vector<int64_t>(std::size_t(calls), 0));
  node n(node_options(a, std::size_t(clients)));
  n.run([&] {
    const atom go("go"), done("done"), echo("echo");
    const pid me = self();
    const gen_server::start_result server = echo_server::start();
    if (server.kind != gen_server::start_result::ok) fail("start: " + to_string(server.to_term()));
    // Monitored: a client that dies (a call that timed out exits it) must fail the run, not hang it.
    std::vector<pid> callers;
    for (std::size_t c = 0; c < latencies.size(); ++c) {
      std::vector<int64_t>& slots = latencies[c];
      const int64_t first_value = int64_t(c) * calls;
      callers.push_back(spawn_monitor([&slots, me, s = server.pid, first_value, echo, done] {
                          call_client(me, s, first_value, slots, echo, done);
                        }).first);
    }

    const stopwatch clock;
    for (const pid& c : callers) send(c, go);
    int64_t finished = 0, wrong = 0;
    while (finished < clients) {
      const term m = receive();
      if (m.is_tuple(2) && m[0].is_atom(done)) {
        ++finished;
        wrong += m[1].as_int();
      } else if (m.is_tuple(5) && m[0].is_atom(atoms::DOWN) && !m[4].is_atom(atoms::normal)) {
        fail("a client died: " + to_string(m[4]));
      }
    }
    const double secs = clock.secs();
    const term answered = gen_server::call(server.pid, atom("calls"));
    gen_server::stop(server.pid);

    const int64_t total = clients * calls;
    expect_eq("wrong replies", 0, wrong);
    expect_eq("calls the server answered", total, answered.as_int());
    std::vector<int64_t> all;
    all.reserve(std::size_t(clients * calls));
    for (const auto& slots : latencies) all.insert(all.end(), slots.begin(), slots.end());
    std::sort(all.begin(), all.end());
    // Little's law: the latencies' sum over the run's length is the mean number of calls in
    // flight. C means the clients really overlapped; 1, that they ran one after another.
    double latency_sum_ns = 0;
    for (const int64_t ns : all) latency_sum_ns += double(ns);
    result(a)
        .add("clients", clients)
        .add("calls", total)
        .add("calls_per_client", calls)
        .add("secs", secs, 6)
        .add("calls_per_s", double(total) / secs, 0)
        .add("p50_ns", percentile(all, 500))
        .add("p99_ns", percentile(all, 990))
        .add("p999_ns", percentile(all, 999))
        .add("max_ns", all.back())
        .add("calls_in_flight", latency_sum_ns / (secs * 1e9), 2)
        .print();
  });
}

}  // namespace otp_bench
