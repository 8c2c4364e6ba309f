#include "harness.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace otp_bench {

otp::node_options node_options(const bench_args& a, std::size_t processes) {
  otp::node_options options;
  options.schedulers = a.schedulers;
  // Headroom for the workload's own main process and anything the runtime starts.
  options.max_processes = std::max(options.max_processes, processes + 1024);
  return options;
}

otp::node_options node_options_named(const bench_args& a, std::string name) {
  otp::node_options options = node_options(a);
  options.name = std::move(name);
  return options;
}

void fail(const std::string& why) { throw bench_failure(why); }

void expect_eq(std::string_view what, int64_t expected, int64_t got) {
  if (expected != got) {
    fail(std::string(what) + ": expected " + std::to_string(expected) + ", got " + std::to_string(got));
  }
}

std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * std::size_t(::sysconf(_SC_PAGESIZE));
}

result::result(const bench_args& a)
    : line_("RESULT bench=" + a.bench + " impl=otp schedulers=" + std::to_string(a.schedulers) + " args=") {
  // args=a,b as the peers print it: bench/report.py tells two runs of one bench apart by it.
  for (std::size_t i = 0; i < a.ints.size(); ++i) line_ += (i ? "," : "") + std::to_string(a.ints[i]);
}

result& result::add(std::string_view key, int64_t value) {
  line_ += ' ';
  line_ += key;
  line_ += '=';
  line_ += std::to_string(value);
  return *this;
}

result& result::add(std::string_view key, double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  line_ += ' ';
  line_ += key;
  line_ += '=';
  line_ += text;
  return *this;
}

void result::print() const {
  std::printf("%s\n", line_.c_str());
  std::fflush(stdout);
}

void compute_work() {
  volatile double angle = 37.2;
  const double s = std::sin(angle);
  volatile double squared = s * s;
  if (!(squared > 0.0)) std::abort();
}

}  // namespace otp_bench
