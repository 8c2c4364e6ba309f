// Idle populations: spawnhold (reactors), spawnhold_fiber (plain processes) and gsidle (gen_servers).
// Each spawns N processes that wait for a message that never comes, then reads how long that took,
// how much resident memory they hold (the RSS delta over N) and how long killing them all takes.
//
// The headline `spawnhold` uses reactors, because that is what OTP++ tells a user to write for a
// million waiting processes (README, docs/design.md "Known limits"): a reactor owns no stack while
// it waits. A plain spawned process blocked in receive keeps its fiber stack, a few KiB resident,
// so it is measured apart as `spawnhold_fiber` rather than hidden behind the headline.

#include <algorithm>
#include <functional>
#include <memory>
#include <vector>

#include <otp/runtime/reactor.hpp>

#include "echo_server.hpp"
#include "workloads.hpp"

using namespace otp;

namespace otp_bench {
namespace {

// Processes are started in batches and each batch's `ready` messages are taken before the next, so
// main's mailbox never holds more than one batch: a million queued acks would leave freed message
// memory behind in the allocator and inflate the RSS reading.
constexpr int64_t batch = 1000;

// The idle reactor: says it is up, then ignores whatever comes (nothing does).
class idle_reactor : public reactor {
 public:
  idle_reactor(pid report_to, atom ready) : report_to_(report_to), ready_(ready) {}
  void on_start() override { send(report_to_, ready_); }
  void on_message(term) override {}

 private:
  pid report_to_;
  atom ready_;
};

struct population {
  double spawn_secs = 0;
  double bytes_per_proc = 0;
  double kill_secs = 0;
};

// How to start one idle process. Unless `start` itself waits until the process is up (as
// gen_server::start does), the process must send `ready` to `me` just before it starts waiting.
struct idle_kind {
  std::function<pid(pid me, atom ready)> start;
  bool start_waits = false;
};

// Starts pids.size() processes, measures them, runs `probe` on the live population, then kills
// them all and waits until they are gone. Runs in main's process on node `n`.
population hold(node& n, std::vector<pid>& pids, const idle_kind& kind, const std::function<void()>& probe) {
  const atom ready("ready");
  const pid me = self();
  const std::size_t count = pids.size();
  const std::size_t processes_before = n.process_count();
  const std::size_t rss_before = resident_bytes();
  population p;

  const stopwatch spawn_clock;
  for (std::size_t first = 0; first < count; first += batch) {
    const std::size_t last = std::min(count, first + std::size_t(batch));
    for (std::size_t i = first; i < last; ++i) pids[i] = kind.start(me, ready);
    for (std::size_t i = first; i < last && !kind.start_waits; ++i) {
      if (!receive().is_atom(ready)) fail("a process sent something else than ready");
    }
  }
  p.spawn_secs = spawn_clock.secs();
  p.bytes_per_proc = double(resident_bytes()) - double(rss_before);
  p.bytes_per_proc /= double(count);
  expect_eq("processes alive", int64_t(count), int64_t(n.process_count() - processes_before));
  probe();

  const stopwatch kill_clock;
  for (const pid& target : pids) exit(target, atoms::kill);
  while (n.process_count() > processes_before) {
    if (kill_clock.secs() > 60)
      fail(std::to_string(n.process_count() - processes_before) + " processes left 60 s after kill");
    sleep(timeout::ms(1));
  }
  p.kill_secs = kill_clock.secs();
  return p;
}

void run_hold(const bench_args& a, const idle_kind& kind,
              const std::function<void(const std::vector<pid>&)>& probe = {}) {
  const int64_t count = a.ints[0];
  node n(node_options(a, std::size_t(count)));
  // Sized (and so touched) before the baseline: the pid list is the benchmark's, not the processes'.
  // One run only, so that the baseline process count is exact: a run's helper processes may still
  // be ending just after node::run has returned.
  std::vector<pid> pids(static_cast<std::size_t>(count));
  const population p = n.run([&] {
    return hold(n, pids, kind, [&] {
      if (probe) probe(pids);
    });
  });
  result(a)
      .add("procs", count)
      .add("spawn_secs", p.spawn_secs, 6)
      .add("us_per_spawn", p.spawn_secs * 1e6 / double(count), 3)
      .add("bytes_per_proc", p.bytes_per_proc, 0)
      // The same figure under the name the Erlang peer gives its RSS reading (its bytes_per_proc
      // is the VM's own accounting), so that the report can set RSS beside RSS.
      .add("rss_bytes_per_proc", p.bytes_per_proc, 0)
      .add("kill_secs", p.kill_secs, 6)
      .print();
}

}  // namespace

void spawnhold(const bench_args& a) {
  run_hold(a,
           {[](pid me, atom ready) { return spawn_reactor(std::make_unique<idle_reactor>(me, ready)).pid; }});
}

void spawnhold_fiber(const bench_args& a) {
  run_hold(a, {[](pid me, atom ready) {
             return spawn([me, ready] {
               send(me, ready);
               receive();
             });
           }});
}

// gen_server::start returns once init has run, so it needs no `ready` of its own.
void gsidle(const bench_args& a) {
  run_hold(a,
           {[](pid, atom) {
              const gen_server::start_result started = echo_server::start();
              if (started.kind != gen_server::start_result::ok)
                fail("start: " + to_string(started.to_term()));
              return started.pid;
            },
            true},
           [](const std::vector<pid>& servers) {
             // A sample of the population answers: the first, middle and last servers.
             for (std::size_t i : {std::size_t(0), servers.size() / 2, servers.size() - 1}) {
               const term reply = gen_server::call(servers[i], tuple(atom("echo"), int64_t(i)));
               if (reply != term(int64_t(i))) {
                 fail("idle gen_server " + std::to_string(i) + " answered " + to_string(reply));
               }
             }
           });
}

}  // namespace otp_bench
