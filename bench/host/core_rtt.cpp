// core_rtt: the round trip of one cache line between CPU 0 and CPU 1, in nanoseconds.
//
// scripts/bench.sh runs it before and after every workload run and writes the larger figure into
// the run's RESULT line (core_rtt_ns). On a virtual machine the host may move the vCPUs onto cores
// that are far apart for a while: on this project's 2-vCPU VM the round trip is ~80 ns most of
// the time and ~450 ns in such spells, and a workload whose processes pass messages between the
// two schedulers then runs ~3x slower (gen_server calls from four clients on two schedulers:
// 0.5 s or 1.4 s), whichever runtime it is. The report names the runs made in such a spell.
//
// Two threads, pinned to CPU 0 and CPU 1, hand a counter back and forth; the median of a few
// batches is printed as `core_rtt_ns=<ns>`. With fewer than two CPUs it prints nothing; on a busy
// machine it stops after half a second with what it measured.

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

constexpr int batches = 5;
constexpr int round_trips_per_batch = 20000;
// A loaded machine (the partner's CPU busy with another thread) makes each round trip a wait for
// the OS scheduler: the probe then stops at this bound and reports what it measured so far.
constexpr auto time_limit = std::chrono::milliseconds(500);

alignas(64) std::atomic<int> ball{0};
alignas(64) std::atomic<bool> stop{false};

bool pin_to(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0;
}

/// Spins until the ball holds `value`; false if the probe was stopped meanwhile (or, with a
/// deadline, once it passed).
bool wait_for(int value, const clock_type::time_point* deadline = nullptr) {
  for (unsigned spins = 1; ball.load(std::memory_order_acquire) != value; ++spins) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
    if (spins % 1024 == 0) {
      if (stop.load(std::memory_order_relaxed)) return false;
      if (deadline != nullptr && clock_type::now() > *deadline) return false;
    }
  }
  return true;
}

}  // namespace

int main() {
  if (std::thread::hardware_concurrency() < 2) return 0;
  std::thread partner([] {
    pin_to(1);
    for (int i = 0; wait_for(2 * i + 1); ++i) ball.store(2 * i + 2, std::memory_order_release);
  });
  pin_to(0);
  const auto deadline = clock_type::now() + time_limit;
  std::vector<double> ns_per_round_trip;
  int next = 0;
  for (int b = 0; b < batches; ++b) {
    const auto start = clock_type::now();
    int done = 0;
    for (; done < round_trips_per_batch; ++done, ++next) {
      ball.store(2 * next + 1, std::memory_order_release);
      if (!wait_for(2 * next + 2, &deadline)) break;
    }
    const std::chrono::duration<double, std::nano> took = clock_type::now() - start;
    if (done > 0) ns_per_round_trip.push_back(took.count() / done);
    if (done < round_trips_per_batch) break;
  }
  stop.store(true, std::memory_order_relaxed);
  partner.join();
  if (ns_per_round_trip.empty()) return 0;
  std::sort(ns_per_round_trip.begin(), ns_per_round_trip.end());
  std::printf("core_rtt_ns=%.1f\n", ns_per_round_trip[ns_per_round_trip.size() / 2]);
  return 0;
}
