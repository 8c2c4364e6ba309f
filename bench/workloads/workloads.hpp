#pragma once
// The otp_bench workloads, one function each: it builds its node, runs, checks its own result
// (throwing bench_failure when it is wrong) and prints one RESULT line. The positional integer
// arguments arrive in bench_args::ints, already counted and checked positive by main.

#include <span>
#include <string_view>

#include "harness.hpp"

namespace otp_bench {

// messaging.cpp
void pingpong(const bench_args& a);  // N
void counting(const bench_args& a);  // N
void fanin(const bench_args& a);     // S M
// fork_join.cpp
void fjthrput(const bench_args& a);  // A N
void fjcreate(const bench_args& a);  // N
// ring.cpp
void threadring(const bench_args& a);  // N R
// big.cpp
void big(const bench_args& a);  // W N
// idle_processes.cpp
void spawnhold(const bench_args& a);        // N (reactors: the headline)
void spawnhold_fiber(const bench_args& a);  // N (plain processes blocked in receive)
void gsidle(const bench_args& a);           // N
// gen_server_calls.cpp
void gscall(const bench_args& a);  // N C
// distribution.cpp
void dist(const bench_args& a);       // N (OTP++ <-> OTP++)
void dist_beam(const bench_args& a);  // N --ebin=DIR (OTP++ client, BEAM peer)
void dist_peer(const bench_args& a);  // --node=NAME --cookie=C (the OTP++ peer of dist)

struct workload {
  std::string_view name;
  std::string_view params;  // usage text, one word per integer argument
  std::size_t arity;
  void (*run)(const bench_args&);
  std::string_view what;
};

/// Every workload, in the order `otp_bench --help` lists them.
std::span<const workload> workloads();

}  // namespace otp_bench
