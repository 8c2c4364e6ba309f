// caf_bench: the CAF 0.17 side of OTP++'s side-by-side benchmarks (bench/README.md), the same
// workloads as bench/peers/erlang/abench.erl, written as idiomatic CAF: event-based (stateful)
// actors, plain sends for one-way traffic, request(...).then(...) for calls.
//
// Run:    caf_bench <bench> [int args...] [--schedulers=N]   (N: scheduler.max-threads)
// Prints: RESULT bench=<name> impl=caf schedulers=<N> args=<a,b> key=value ...
// Each workload checks its own result; on a wrong one it prints
// `FAILED bench=<name> impl=caf ... <why>` on stderr and exits with status 1.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "caf/all.hpp"

using namespace caf;

// ping_atom, pong_atom and get_atom come with CAF.
using done_atom = atom_constant<atom("done")>;
using go_atom = atom_constant<atom("go")>;
using stop_atom = atom_constant<atom("stop")>;
using token_atom = atom_constant<atom("token")>;
using end_atom = atom_constant<atom("end")>;
using echo_atom = atom_constant<atom("echo")>;
using calls_atom = atom_constant<atom("calls")>;
using work_atom = atom_constant<atom("work")>;
using stats_atom = atom_constant<atom("stats")>;
using lat_atom = atom_constant<atom("lat")>;

namespace {

using clk = std::chrono::steady_clock;

struct cli {
  std::string bench;
  std::vector<long> args;
  std::string args_text;  // "a,b" as given
  std::size_t schedulers = 0;
};
cli g_cli;

double secs_since(clk::time_point t0) { return std::chrono::duration<double>(clk::now() - t0).count(); }

long ns_between(clk::time_point t0, clk::time_point t1) {
  return static_cast<long>(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
}

// Prints the FAILED line and ends the process at once (actors may still be running).
[[noreturn]] __attribute__((format(printf, 1, 2))) void fail(const char* fmt, ...) {
  std::fprintf(stderr, "FAILED bench=%s impl=caf schedulers=%zu ", g_cli.bench.c_str(), g_cli.schedulers);
  va_list ap;
  va_start(ap, fmt);
  std::vfprintf(stderr, fmt, ap);
  va_end(ap);
  std::fprintf(stderr, "\n");
  std::fflush(stdout);
  std::fflush(stderr);
  std::_Exit(1);
}

#define CHECK_OR_FAIL(cond, ...)    \
  do {                              \
    if (!(cond)) fail(__VA_ARGS__); \
  } while (false)

void result(std::initializer_list<std::pair<const char*, double>> kvs) {
  std::printf("RESULT bench=%s impl=caf schedulers=%zu args=%s", g_cli.bench.c_str(), g_cli.schedulers,
              g_cli.args_text.c_str());
  for (const auto& [key, value] : kvs) {
    if (value == std::floor(value) && std::fabs(value) < 1e15)
      std::printf(" %s=%.0f", key, value);
    else
      std::printf(" %s=%.3f", key, value);
  }
  std::printf("\n");
  std::fflush(stdout);
}

long rss_bytes() {
  std::ifstream f("/proc/self/statm");
  long pages = 0, resident = 0;
  f >> pages >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

void compute(double theta) {
  volatile double s = std::sin(theta);
  if (s * s <= 0) std::abort();
}

// Nearest-rank percentile (per mille): the ceil(pm * n / 1000)-th smallest, 1-based.
long pct(const std::vector<long>& sorted, long pm) {
  auto n = static_cast<long>(sorted.size());
  long rank = std::max(1L, (pm * n + 999) / 1000);
  return sorted[static_cast<std::size_t>(rank - 1)];
}

// ---- pingpong ---------------------------------------------------------------------------------
behavior pong_actor(stateful_actor<long>* self) {
  return {[=](ping_atom) {
            ++self->state;
            return pong_atom::value;
          },
          [=](get_atom) { return self->state; }};
}

struct ping_state {
  long left = 0;
  long got = 0;
};

behavior ping_actor(stateful_actor<ping_state>* self, actor pong, actor main, long n) {
  self->state.left = n;
  return {[=](go_atom) { self->send(pong, ping_atom::value); },
          [=](pong_atom) {
            auto& st = self->state;
            ++st.got;
            if (--st.left == 0) {
              self->send(main, done_atom::value, st.got);
              self->quit();
            } else {
              self->send(pong, ping_atom::value);
            }
          }};
}

// ---- counting ---------------------------------------------------------------------------------
behavior count_actor(stateful_actor<long>* self) {
  return {[=](work_atom) { ++self->state; }, [=](get_atom) { return self->state; }};
}

// ---- fanin ------------------------------------------------------------------------------------
struct fanin_state {
  long open = 0;
  long count = 0;
  long sum = 0;
};

behavior fanin_receiver(stateful_actor<fanin_state>* self, long senders, actor main) {
  self->state.open = senders;
  return {[=](long idx) {
            ++self->state.count;
            self->state.sum += idx;
          },
          [=](end_atom, long) {
            auto& st = self->state;
            if (--st.open == 0) {
              self->send(main, done_atom::value, st.count, st.sum);
              self->quit();
            }
          }};
}

// Sends its M messages (its index) and an end marker as soon as it starts, then ends.
behavior fanin_sender(event_based_actor* self, actor receiver, long idx, long m) {
  for (long k = 0; k < m; ++k) self->send(receiver, idx);
  self->send(receiver, end_atom::value, idx);
  return {};
}

// ---- fjthrput ---------------------------------------------------------------------------------
behavior fj_worker(stateful_actor<long>* self, actor main, long n) {
  return {[=](work_atom) {
    compute(37.2);
    if (++self->state == n) {
      self->send(main, done_atom::value, self->state);
      self->quit();
    }
  }};
}

// ---- fjcreate ---------------------------------------------------------------------------------
behavior fjc_actor(event_based_actor* self) {
  return {[=](go_atom) {
    compute(37.2);
    self->quit();
    return done_atom::value;
  }};
}

// ---- threadring -------------------------------------------------------------------------------
struct ring_state {
  actor next;
};

behavior ring_node(stateful_actor<ring_state>* self, actor main) {
  return {[=](const actor& next) { self->state.next = next; },
          [=](token_atom, long k, long hops) {
            if (k == 0)
              self->send(main, done_atom::value, hops);
            else
              self->send(self->state.next, token_atom::value, k - 1, hops + 1);
          }};
}

// ---- big --------------------------------------------------------------------------------------
struct big_state {
  std::vector<actor> peers;
  std::minstd_rand rng;
  long left = 0;
  long pongs = 0;
  long served = 0;
};

void big_ping_next(stateful_actor<big_state>* self) {
  auto& st = self->state;
  std::uniform_int_distribution<std::size_t> pick(0, st.peers.size() - 1);
  self->send(st.peers[pick(st.rng)], ping_atom::value);
}

behavior big_actor(stateful_actor<big_state>* self, long id, long n, actor main) {
  self->state.left = n;
  self->state.rng.seed(static_cast<unsigned>(id));
  return {[=](const std::vector<actor>& peers) {
            self->state.peers = peers;
            big_ping_next(self);
          },
          [=](ping_atom) {
            ++self->state.served;
            return pong_atom::value;
          },
          [=](pong_atom) {
            auto& st = self->state;
            ++st.pongs;
            if (--st.left == 0)
              self->send(main, done_atom::value);
            else
              big_ping_next(self);
          },
          [=](stop_atom) {
            self->send(main, stats_atom::value, self->state.pongs, self->state.served);
            self->quit();
          }};
}

// ---- the call server (gscall, gsidle) --------------------------------------------------------
// The gen_server analogue: a stateful event-based actor that answers requests; its state counts
// the calls it answered.
behavior echo_server(stateful_actor<long>* self) {
  return {[=](echo_atom, long x) {
            ++self->state;
            return x;
          },
          [=](calls_atom) { return self->state; }};
}

struct client_state {
  std::vector<long> lat;
  clk::time_point t;
  long next = 0;
  long left = 0;
};

void client_call(stateful_actor<client_state>* self, actor server, actor main) {
  auto& st = self->state;
  if (st.left == 0) {
    self->send(main, lat_atom::value, std::move(st.lat));
    self->quit();
    return;
  }
  long v = st.next;
  st.t = clk::now();
  self->request(server, infinite, echo_atom::value, v)
      .then(
          [=](long reply) {
            auto& s = self->state;
            s.lat.push_back(ns_between(s.t, clk::now()));
            CHECK_OR_FAIL(reply == v, "call %ld answered %ld", v, reply);
            ++s.next;
            --s.left;
            client_call(self, server, main);
          },
          [=](error& e) { fail("call %ld failed: %s", v, to_string(e).c_str()); });
}

behavior call_client(stateful_actor<client_state>* self, actor server, long first, long n, actor main) {
  self->state.lat.reserve(static_cast<std::size_t>(n));
  self->state.next = first;
  self->state.left = n;
  client_call(self, server, main);
  return {[](go_atom) {}};  // the requests drive the actor; it quits after the last reply
}

// ---- spawnhold, gsidle ------------------------------------------------------------------------
behavior idle_actor(event_based_actor*) {
  return {[](work_atom) {}};
}

template <class Spawn>
void hold(actor_system& sys, scoped_actor& self, long n, bool call_each, Spawn spawn_one) {
  std::vector<actor> v;
  v.reserve(static_cast<std::size_t>(n));
  auto base = sys.registry().running();
  long m0 = rss_bytes();
  auto t0 = clk::now();
  for (long i = 0; i < n; ++i) v.push_back(spawn_one());
  double s = secs_since(t0);
  long m1 = rss_bytes();
  auto alive = sys.registry().running() - base;
  CHECK_OR_FAIL(alive == static_cast<std::size_t>(n), "%zu of %ld actors running", alive, n);
  if (call_each) {
    long bad = 0;
    for (long i = 0; i < n; ++i)
      self->request(v[static_cast<std::size_t>(i)], infinite, echo_atom::value, i)
          .receive([&](long r) { bad += (r != i); }, [&](error&) { ++bad; });
    CHECK_OR_FAIL(bad == 0, "%ld of %ld servers answered wrongly", bad, n);
  }
  auto t2 = clk::now();
  for (auto& x : v) anon_send_exit(x, exit_reason::user_shutdown);
  sys.registry().await_running_count_equal(base);
  double kill = secs_since(t2);
  v.clear();
  result({{"procs", n},
          {"spawn_secs", s},
          {"us_per_spawn", s * 1e6 / n},
          {"bytes_per_proc", double(m1 - m0) / n},
          {"kill_secs", kill}});
}

// ---- the workloads ----------------------------------------------------------------------------
void run_pingpong(actor_system& sys, scoped_actor& self, long n) {
  auto pong = sys.spawn(pong_actor);
  auto ping = sys.spawn(ping_actor, pong, actor{self}, n);
  auto t0 = clk::now();
  anon_send(ping, go_atom::value);
  long got = 0;
  self->receive([&](done_atom, long g) { got = g; });
  double s = secs_since(t0);
  long served = -1;
  self->request(pong, infinite, get_atom::value).receive([&](long x) { served = x; }, [](error&) {});
  anon_send_exit(pong, exit_reason::user_shutdown);
  CHECK_OR_FAIL(got == n && served == n, "%ld pongs received, %ld pings served, expected %ld", got, served,
                n);
  result({{"roundtrips", n}, {"secs", s}, {"msgs_per_s", 2 * n / s}, {"ns_per_roundtrip", s * 1e9 / n}});
}

void run_counting(actor_system& sys, scoped_actor& self, long n) {
  auto c = sys.spawn(count_actor);
  auto t0 = clk::now();
  for (long i = 0; i < n; ++i) self->send(c, work_atom::value);
  long got = -1;
  self->request(c, infinite, get_atom::value).receive([&](long x) { got = x; }, [](error&) {});
  double s = secs_since(t0);
  anon_send_exit(c, exit_reason::user_shutdown);
  CHECK_OR_FAIL(got == n, "counter says %ld, expected %ld", got, n);
  result({{"msgs", n}, {"secs", s}, {"msgs_per_s", n / s}});
}

void run_fanin(actor_system& sys, scoped_actor& self, long senders, long m) {
  auto recv = sys.spawn(fanin_receiver, senders, actor{self});
  auto t0 = clk::now();
  for (long i = 1; i <= senders; ++i) sys.spawn(fanin_sender, recv, i, m);
  long count = 0, sum = 0;
  self->receive([&](done_atom, long c, long s) {
    count = c;
    sum = s;
  });
  double s = secs_since(t0);
  long want_sum = m * senders * (senders + 1) / 2;
  CHECK_OR_FAIL(count == senders * m && sum == want_sum,
                "received %ld messages (index sum %ld), expected %ld (%ld)", count, sum, senders * m,
                want_sum);
  result({{"senders", senders}, {"msgs", senders * m}, {"secs", s}, {"msgs_per_s", senders * m / s}});
}

void run_fjthrput(actor_system& sys, scoped_actor& self, long a, long n) {
  std::vector<actor> workers;
  for (long i = 0; i < a; ++i) workers.push_back(sys.spawn(fj_worker, actor{self}, n));
  auto t0 = clk::now();
  for (long k = 0; k < n; ++k)
    for (auto& w : workers) self->send(w, work_atom::value);
  long bad = 0;
  int i = 0;
  self->receive_for(i, static_cast<int>(a))([&](done_atom, long count) { bad += (count != n); });
  double s = secs_since(t0);
  CHECK_OR_FAIL(bad == 0, "%ld workers processed a wrong number of messages", bad);
  result({{"actors", a}, {"msgs", a * n}, {"secs", s}, {"msgs_per_s", a * n / s}});
}

void run_fjcreate(actor_system& sys, scoped_actor& self, long n) {
  auto t0 = clk::now();
  for (long i = 0; i < n; ++i) self->send(sys.spawn(fjc_actor), go_atom::value);
  long got = 0;
  int i = 0;
  self->receive_for(i, static_cast<int>(n))([&](done_atom) { ++got; });
  double s = secs_since(t0);
  long extra = 0;
  self->receive([&](done_atom) { ++extra; }, after(std::chrono::seconds(0)) >> [] {});
  CHECK_OR_FAIL(got == n && extra == 0, "%ld replies (+%ld extra), expected %ld", got, extra, n);
  result({{"actors", n}, {"secs", s}, {"spawns_per_s", n / s}, {"us_per_spawn", s * 1e6 / n}});
}

void run_threadring(actor_system& sys, scoped_actor& self, long n, long r) {
  std::vector<actor> ring;
  for (long i = 0; i < n; ++i) ring.push_back(sys.spawn(ring_node, actor{self}));
  for (std::size_t i = 0; i < ring.size(); ++i) anon_send(ring[i], ring[(i + 1) % ring.size()]);
  auto t0 = clk::now();
  anon_send(ring[0], token_atom::value, r, 0L);
  long hops = -1;
  self->receive([&](done_atom, long h) { hops = h; });
  double s = secs_since(t0);
  for (auto& x : ring) anon_send_exit(x, exit_reason::user_shutdown);
  CHECK_OR_FAIL(hops == r, "token arrived after %ld hops, expected %ld", hops, r);
  result({{"ring", n}, {"hops", r}, {"secs", s}, {"hops_per_s", r / s}, {"ns_per_hop", s * 1e9 / r}});
}

void run_big(actor_system& sys, scoped_actor& self, long w, long n) {
  std::vector<actor> actors;
  for (long i = 1; i <= w; ++i) actors.push_back(sys.spawn(big_actor, i, n, actor{self}));
  auto t0 = clk::now();
  for (auto& a : actors) anon_send(a, actors);
  int i = 0;
  self->receive_for(i, static_cast<int>(w))([](done_atom) {});
  double s = secs_since(t0);
  for (auto& a : actors) anon_send(a, stop_atom::value);
  long bad = 0, served = 0;
  i = 0;
  self->receive_for(i, static_cast<int>(w))([&](stats_atom, long pongs, long sv) {
    bad += (pongs != n);
    served += sv;
  });
  CHECK_OR_FAIL(bad == 0 && served == w * n,
                "%ld actors got a wrong pong count; %ld pings served, expected %ld", bad, served, w * n);
  result({{"actors", w}, {"pings_per_actor", n}, {"secs", s}, {"msgs_per_s", 2 * w * n / s}});
}

void run_gscall(actor_system& sys, scoped_actor& self, long n, long c) {
  auto srv = sys.spawn(echo_server);
  auto t0 = clk::now();
  for (long i = 0; i < c; ++i) sys.spawn(call_client, srv, i * n, n, actor{self});
  std::vector<long> lat;
  lat.reserve(static_cast<std::size_t>(n * c));
  int i = 0;
  self->receive_for(i, static_cast<int>(c))(
      [&](lat_atom, const std::vector<long>& v) { lat.insert(lat.end(), v.begin(), v.end()); });
  double s = secs_since(t0);
  long calls = -1;
  self->request(srv, infinite, calls_atom::value).receive([&](long x) { calls = x; }, [](error&) {});
  anon_send_exit(srv, exit_reason::user_shutdown);
  auto len = static_cast<long>(lat.size());
  CHECK_OR_FAIL(len == n * c && calls == n * c, "%ld latencies, server counted %ld calls, expected %ld", len,
                calls, n * c);
  std::sort(lat.begin(), lat.end());
  double lat_sum_ns = 0;  // over the run's length: the mean number of calls in flight
  for (long x : lat) lat_sum_ns += double(x);
  result({{"clients", c},
          {"calls", n * c},
          {"secs", s},
          {"calls_per_s", n * c / s},
          {"p50_ns", pct(lat, 500)},
          {"p99_ns", pct(lat, 990)},
          {"p999_ns", pct(lat, 999)},
          {"max_ns", lat.back()},
          {"calls_in_flight", lat_sum_ns / (s * 1e9)}});
}

struct bench_def {
  const char* name;
  std::size_t arity;
};
constexpr bench_def benches[] = {{"pingpong", 1}, {"counting", 1},   {"fanin", 2}, {"fjthrput", 2},
                                 {"fjcreate", 1}, {"threadring", 2}, {"big", 2},   {"spawnhold", 1},
                                 {"gsidle", 1},   {"gscall", 2}};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "caf_bench: %s\nusage: caf_bench <bench> [int args...] [--schedulers=N]\nbenches:", why);
  for (const auto& b : benches) std::fprintf(stderr, " %s/%zu", b.name, b.arity);
  std::fprintf(stderr, "\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) usage("no bench given");
  g_cli.bench = argv[1];
  g_cli.schedulers = std::max(1u, std::thread::hardware_concurrency());
  for (int i = 2; i < argc; ++i) {
    if (std::strncmp(argv[i], "--schedulers=", 13) == 0) {
      g_cli.schedulers = static_cast<std::size_t>(std::atol(argv[i] + 13));
      if (g_cli.schedulers == 0) usage("--schedulers must be at least 1");
    } else {
      char* end = nullptr;
      long v = std::strtol(argv[i], &end, 10);
      if (end == argv[i] || *end != '\0' || v <= 0) usage("arguments must be positive integers");
      g_cli.args.push_back(v);
      g_cli.args_text += (g_cli.args_text.empty() ? "" : ",") + std::string(argv[i]);
    }
  }
  const auto* def = std::find_if(std::begin(benches), std::end(benches),
                                 [](const bench_def& b) { return g_cli.bench == b.name; });
  if (def == std::end(benches)) usage("unknown bench");
  if (def->arity != g_cli.args.size()) usage("wrong number of arguments");
  const auto& a = g_cli.args;

  actor_system_config cfg;
  cfg.set("scheduler.max-threads", g_cli.schedulers);
  actor_system sys{cfg};
  {
    scoped_actor self{sys};
    if (g_cli.bench == "pingpong") {
      run_pingpong(sys, self, a[0]);
    } else if (g_cli.bench == "counting") {
      run_counting(sys, self, a[0]);
    } else if (g_cli.bench == "fanin") {
      run_fanin(sys, self, a[0], a[1]);
    } else if (g_cli.bench == "fjthrput") {
      run_fjthrput(sys, self, a[0], a[1]);
    } else if (g_cli.bench == "fjcreate") {
      run_fjcreate(sys, self, a[0]);
    } else if (g_cli.bench == "threadring") {
      run_threadring(sys, self, a[0], a[1]);
    } else if (g_cli.bench == "big") {
      run_big(sys, self, a[0], a[1]);
    } else if (g_cli.bench == "spawnhold") {
      hold(sys, self, a[0], false, [&] { return sys.spawn(idle_actor); });
    } else if (g_cli.bench == "gsidle") {
      hold(sys, self, a[0], true, [&] { return sys.spawn(echo_server); });
    } else if (g_cli.bench == "gscall") {
      run_gscall(sys, self, a[0], a[1]);
    }
  }
  return 0;
}
