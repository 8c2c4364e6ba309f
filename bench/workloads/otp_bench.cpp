// otp_bench — the OTP++ side of the benchmarks run next to Erlang/OTP and CAF (bench/peers/,
// scripts/bench.sh). Each workload is written as an OTP++ user would write it, checks its own result
// and prints one line:
//   otp_bench <bench> [int args...] --schedulers=N
//   RESULT bench=<bench> impl=otp schedulers=<N> args=<a,b> key=value ...
// A wrong result prints `FAILED bench=<bench> impl=otp <why>` on stderr and exits 1; bad usage
// exits 2. Times are steady_clock readings taken inside the runtime, node start-up excluded.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <thread>

#include "harness.hpp"
#include "workloads.hpp"

namespace otp_bench {
namespace {

constexpr workload table[] = {
    {"pingpong", "N", 1, pingpong, "N round trips between one pair of processes"},
    {"counting", "N", 1, counting, "N messages to a counter, then one request for the total"},
    {"fanin", "S M", 2, fanin, "S senders send M messages each to one receiver"},
    {"fjthrput", "A N", 2, fjthrput, "N messages to each of A processes, each message costs sin^2"},
    {"fjcreate", "N", 1, fjcreate, "N processes, each gets one message, computes, replies and exits"},
    {"threadring", "N R", 2, threadring, "a token passed R hops around a ring of N processes"},
    {"big", "W N", 2, big, "W processes each ping random peers N times, answering pings meanwhile"},
    {"spawnhold", "N", 1, spawnhold, "N idle reactors alive at once: spawn time, memory, kill time"},
    {"spawnhold_fiber", "N", 1, spawnhold_fiber, "the same with plain processes blocked in receive"},
    {"gsidle", "N", 1, gsidle, "N idle echo gen_servers: start time and memory"},
    {"gscall", "N C", 2, gscall, "C clients make N calls each to one echo gen_server: rate, latency"},
    {"dist", "N", 1, dist, "two OTP++ nodes on loopback: N one-way sends by name, then N/10 round trips"},
    {"dist_beam", "N", 1, dist_beam, "the same with a BEAM peer node (needs --ebin=DIR of abench.beam)"},
    {"dist_peer", "", 0, dist_peer, "the peer node of dist (--node=NAME@HOST --cookie=C)"},
};

int usage(const char* why) {
  std::fprintf(
      stderr, "otp_bench: %s\nusage: otp_bench <bench> [int args...] --schedulers=N [--key=value...]\n", why);
  for (const workload& w : table) {
    std::fprintf(stderr, "  %-16s %-5s %s\n", std::string(w.name).c_str(), std::string(w.params).c_str(),
                 std::string(w.what).c_str());
  }
  return 2;
}

// A positive integer, or nothing: every size and count of a workload is at least 1.
bool parse_positive(std::string_view text, int64_t& out) {
  if (text.empty() || text.size() > 18) return false;
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  out = value;
  return value > 0;
}

}  // namespace

std::span<const workload> workloads() { return table; }

}  // namespace otp_bench

int main(int argc, char** argv) {
  using namespace otp_bench;
  bench_args args;
  args.schedulers = std::max(1u, std::thread::hardware_concurrency());
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    constexpr std::string_view schedulers_flag = "--schedulers=";
    int64_t value = 0;
    if (arg == "--help" || arg == "-h") return usage("the workloads are");
    if (arg.starts_with(schedulers_flag)) {
      if (!parse_positive(arg.substr(schedulers_flag.size()), value) || value > 1024) {
        return usage("--schedulers wants a positive number");
      }
      args.schedulers = unsigned(value);
    } else if (arg.starts_with("--") && arg.find('=') != std::string_view::npos) {
      const std::size_t eq = arg.find('=');
      args.options[std::string(arg.substr(2, eq - 2))] = std::string(arg.substr(eq + 1));
    } else if (args.bench.empty()) {
      args.bench = arg;
    } else if (parse_positive(arg, value)) {
      args.ints.push_back(value);
    } else {
      return usage(("not a positive integer: " + std::string(arg)).c_str());
    }
  }
  if (args.bench.empty()) return usage("no bench named");

  const workload* chosen = nullptr;
  for (const workload& w : workloads()) {
    if (w.name == args.bench) chosen = &w;
  }
  if (chosen == nullptr) return usage(("unknown bench: " + args.bench).c_str());
  if (args.ints.size() != chosen->arity) {
    return usage((args.bench + " takes " + std::string(chosen->params)).c_str());
  }

  try {
    chosen->run(args);
    return 0;
  } catch (const bench_failure& e) {
    std::fprintf(stderr, "FAILED bench=%s impl=otp %s\n", args.bench.c_str(), e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "FAILED bench=%s impl=otp exception: %s\n", args.bench.c_str(), e.what());
  }
  return 1;
}
