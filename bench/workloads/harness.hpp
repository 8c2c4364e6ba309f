#pragma once
// What every otp_bench workload shares: its parsed arguments, the node it runs on, the clock, the
// resident-memory probe, the one RESULT line it prints and the way it reports a wrong result.
//
// The output is the contract with scripts/bench.sh and bench/report.py, which put these lines next
// to the Erlang/OTP and CAF peers' lines:
//   stdout: RESULT bench=<name> impl=otp schedulers=<N> args=<a,b> key=value ...   (one per run)
//   stderr: FAILED bench=<name> impl=otp <why>                             (and exit status 1)

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <otp/runtime.hpp>

namespace otp_bench {

/// The command line: `otp_bench <bench> [int args...] --schedulers=N [--key=value...]`.
struct bench_args {
  std::string bench;
  std::vector<int64_t> ints;
  unsigned schedulers = 1;
  /// The other --key=value options (the distribution workloads' --ebin, --node, --cookie).
  std::map<std::string, std::string> options;
};

/// A node sized for the workload: `a.schedulers` scheduler threads, and room for `processes`
/// processes alive at once when that is more than the default table holds.
otp::node_options node_options(const bench_args& a, std::size_t processes = 0);
/// node_options(a) for a distributed node called `name` (Name@Host).
otp::node_options node_options_named(const bench_args& a, std::string name);

/// Thrown by a workload whose result does not check out; main prints the FAILED line. Checks run in
/// the workload's main process (node::run rethrows there what escapes it), so other processes
/// report what they saw to it rather than throwing themselves.
class bench_failure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
[[noreturn]] void fail(const std::string& why);
/// fail() with "<what>: expected <expected>, got <got>" unless the two agree.
void expect_eq(std::string_view what, int64_t expected, int64_t got);

/// Wall-clock time since construction (steady_clock, so immune to clock adjustments).
class stopwatch {
 public:
  double secs() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

/// The whole program's resident set size (/proc/self/statm), in bytes.
std::size_t resident_bytes();

/// The RESULT line, built key by key and printed once.
class result {
 public:
  explicit result(const bench_args& a);
  result& add(std::string_view key, int64_t value);
  /// A decimal with `decimals` digits after the point (no exponent, so any parser reads it).
  result& add(std::string_view key, double value, int decimals);
  void print() const;

 private:
  std::string line_;
};

/// The sin²(37.2) every fork-join message costs (Savina's fjthrput/fjcreate "work"). The argument
/// is read through a volatile and the result checked, so the compiler can neither fold nor drop it;
/// a non-positive result would mean broken arithmetic and aborts.
void compute_work();

}  // namespace otp_bench
