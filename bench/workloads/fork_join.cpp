// Savina's fork-join pair: fjthrput (throughput of a few long-lived workers) and fjcreate (a
// short-lived process per message). Every message costs compute_work(), sin²(37.2).

#include <vector>

#include "workloads.hpp"

using namespace otp;

namespace otp_bench {
namespace {

// A fjthrput worker: does the work for each of its `n` messages, then tells `report_to`.
void throughput_worker(pid report_to, int64_t n, atom done) {
  for (int64_t i = 0; i < n; ++i) {
    receive();
    compute_work();
  }
  send(report_to, done);
}

}  // namespace

void fjthrput(const bench_args& a) {
  const int64_t actors = a.ints[0], per_actor = a.ints[1];
  node node(node_options(a, std::size_t(actors)));
  node.run([&] {
    const atom work("work"), done("done");
    const pid me = self();
    std::vector<pid> workers;
    workers.reserve(std::size_t(actors));
    for (int64_t i = 0; i < actors; ++i)
      workers.push_back(spawn([=] { throughput_worker(me, per_actor, done); }));

    const stopwatch clock;
    for (int64_t i = 0; i < per_actor; ++i) {
      for (const pid& w : workers) send(w, work);  // round-robin
    }
    int64_t finished = 0;
    while (finished < actors) finished += receive().is_atom(done) ? 1 : 0;
    const double secs = clock.secs();

    const int64_t total = actors * per_actor;
    result(a)
        .add("actors", actors)
        .add("msgs", total)
        .add("secs", secs, 6)
        .add("msgs_per_s", double(total) / secs, 0)
        .print();
  });
}

void fjcreate(const bench_args& a) {
  const int64_t n = a.ints[0];
  node node(node_options(a));
  node.run([&] {
    const atom work("work"), done("done");
    const pid me = self();

    const stopwatch clock;
    for (int64_t i = 0; i < n; ++i) {
      const pid p = spawn([=] {
        receive();
        compute_work();
        send(me, done);
      });
      send(p, work);
    }
    int64_t replies = 0;
    for (int64_t i = 0; i < n; ++i) replies += receive().is_atom(done) ? 1 : 0;
    const double secs = clock.secs();

    expect_eq("replies", n, replies);
    result(a)
        .add("actors", n)
        .add("secs", secs, 6)
        .add("us_per_spawn", secs * 1e6 / double(n), 3)
        .add("spawns_per_s", double(n) / secs, 0)
        .print();
  });
}

}  // namespace otp_bench
