// Node-to-node traffic over loopback, as the BEAM's `abench dist` measures it between two erl
// nodes: N one-way sends of {msg, 1, <<16 bytes>>} to a sink registered on the peer node (each
// `{abench_sink, Peer} ! Msg`, a REG_SEND on the wire), a count request, then N/10 synchronous
// round trips to an echo process. Each node is an OS process of its own:
//   dist       OTP++ client, OTP++ peer (this program, run as `otp_bench dist_peer`)
//   dist_beam  OTP++ client, BEAM peer (erl running abench:dist_peer/0; needs --ebin=DIR)
//   dist_peer  the OTP++ peer: abench_sink and abench_echo, until the sink is told to stop
// Both clients ask epmd for the peer; when no epmd ran before, the one started for the run is
// stopped after it (as bench/peers/erlang/run_dist.sh does).

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <memory>

#include <otp/dist.hpp>

#include "workloads.hpp"

extern char** environ;

using namespace otp;

namespace otp_bench {
namespace {

/// A child OS process, stopped (SIGTERM, then waited for) when this goes out of scope.
class peer_process {
 public:
  explicit peer_process(std::vector<std::string> argv) {
    std::vector<char*> args;
    for (auto& arg : argv) args.push_back(arg.data());
    args.push_back(nullptr);
    // The peer's output (a BEAM's shutdown report) is not part of the RESULT output.
    posix_spawn_file_actions_t quiet;
    posix_spawn_file_actions_init(&quiet);
    posix_spawn_file_actions_addopen(&quiet, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&quiet, 1, 2);
    const int rc = ::posix_spawnp(&pid_, args[0], &quiet, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&quiet);
    if (rc != 0) fail("cannot start the peer node: " + argv[0]);
  }
  ~peer_process() {
    if (pid_ <= 0) return;
    // The OTP++ peer ends by itself once its sink is told to stop; a BEAM peer is stopped here.
    for (int i = 0; i < 200; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
      if (i == 50) ::kill(pid_, SIGTERM);
      ::usleep(10'000);
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  peer_process(const peer_process&) = delete;
  peer_process& operator=(const peer_process&) = delete;

 private:
  pid_t pid_ = -1;
};

bool epmd_running() { return std::system("epmd -names >/dev/null 2>&1") == 0; }

/// The short host name, as erl -sname uses it.
std::string short_host() {
  char host[HOST_NAME_MAX + 1] = {};
  ::gethostname(host, sizeof host);
  std::string h(host);
  return h.substr(0, h.find('.'));
}

std::string option(const bench_args& a, const std::string& key) {
  auto it = a.options.find(key);
  if (it == a.options.end()) fail("missing --" + key + "=...");
  return it->second;
}

dist::dist_options dist_options_with(const std::string& cookie) {
  dist::dist_options o;
  o.cookie = cookie;
  return o;
}

/// The client: waits for the peer's processes, then measures. Runs in a process of `self`.
void run_client(const bench_args& a, dist::distributed_node& self_node, atom peer) {
  const int64_t n = a.ints[0];
  const atom sink("abench_sink"), echo("abench_echo"), msg("msg"), ping("ping"), pong("pong"), reset("reset"),
      reset_ok("reset_ok"), get("get"), count("count"), stop("stop");
  self_node.local().run([&] {
    const pid me = self();
    // The peer may still be starting: ping its echo until it answers (10 s at most).
    bool ready = false;
    for (int attempt = 0; attempt < 200 && !ready; ++attempt) {
      send(echo, peer, tuple(ping, me));
      ready = receive([&](const term& m) { return m.is_atom(pong); }, timeout::ms(50)).has_value();
    }
    if (!ready) fail("the peer node " + std::string(peer.name()) + " does not answer");
    while (receive([&](const term& m) { return m.is_atom(pong); }, timeout::ms(0))) {
    }
    send(sink, peer, tuple(reset, me));
    if (!receive([&](const term& m) { return m.is_atom(reset_ok); }, timeout::ms(10'000))) {
      fail("the peer's sink does not answer");
    }

    const term payload = tuple(msg, 1, binary("0123456789abcdef"));
    const stopwatch oneway;
    for (int64_t i = 0; i < n; ++i) send(sink, peer, payload);
    send(sink, peer, tuple(get, me));
    const term counted =
        receive([&](const term& m) { return m.is_tuple(2) && m[0].is_atom(count); }, timeout::ms(600'000))
            .value_or(tuple(count, -1));
    const double oneway_secs = oneway.secs();

    const int64_t rtts = std::max<int64_t>(1, n / 10);
    const term ping_message = tuple(ping, me);
    int64_t pongs = 0;
    const stopwatch round_trips;
    for (int64_t i = 0; i < rtts; ++i) {
      send(echo, peer, ping_message);
      if (receive().is_atom(pong)) ++pongs;
    }
    const double rtt_secs = round_trips.secs();
    send(sink, peer, stop);

    expect_eq("messages counted by the sink", n, counted[1].as_int());
    expect_eq("pongs", rtts, pongs);
    result(a)
        .add("oneway_msgs", n)
        .add("oneway_msgs_per_s", double(n) / oneway_secs, 3)
        .add("rtts", rtts)
        .add("rtt_us", rtt_secs * 1e6 / double(rtts), 3)
        .print();
  });
}

/// Runs `client` with epmd stopped afterwards if this run started it.
template <class F>
void with_epmd(F&& client) {
  const bool had_epmd = epmd_running();
  try {
    client();
  } catch (...) {
    if (!had_epmd) std::system("epmd -kill >/dev/null 2>&1");
    throw;
  }
  if (!had_epmd) std::system("epmd -kill >/dev/null 2>&1");
}

}  // namespace

void dist(const bench_args& a) {
  with_epmd([&] {
    const std::string tag = std::to_string(::getpid());
    const std::string cookie = "abench_" + tag, peer_name = "abench_peer_" + tag + "@127.0.0.1";
    char self_path[PATH_MAX] = {};
    if (::readlink("/proc/self/exe", self_path, sizeof self_path - 1) <= 0) fail("no /proc/self/exe");
    dist::distributed_node client(node_options_named(a, "abench_client_" + tag + "@127.0.0.1"),
                                  dist_options_with(cookie));
    const peer_process peer({self_path, "dist_peer", "--schedulers=" + std::to_string(a.schedulers),
                             "--node=" + peer_name, "--cookie=" + cookie});
    run_client(a, client, atom(peer_name));
  });
}

void dist_beam(const bench_args& a) {
  with_epmd([&] {
    const std::string tag = std::to_string(::getpid());
    const std::string cookie = "abench_" + tag, host = short_host();
    const std::string s = std::to_string(a.schedulers);
    // erl -sname: the peer's name has the short host name, so ours must too.
    dist::distributed_node client(node_options_named(a, "abench_client_" + tag + "@" + host),
                                  dist_options_with(cookie));
    const peer_process peer({"erl", "+S", s + ":" + s, "-sname", "abench_peer_" + tag, "-setcookie", cookie,
                             "-noshell", "-pa", option(a, "ebin"), "-s", "abench", "dist_peer"});
    run_client(a, client, atom("abench_peer_" + tag + "@" + host));
  });
}

void dist_peer(const bench_args& a) {
  dist::distributed_node node(node_options_named(a, option(a, "node")),
                              dist_options_with(option(a, "cookie")));
  const atom sink("abench_sink"), echo("abench_echo"), msg("msg"), ping("ping"), pong("pong"), reset("reset"),
      reset_ok("reset_ok"), get("get"), count("count");
  const pid echo_pid = node.local().spawn([=] {
    for (;;) {
      const term m = receive();
      if (m.is_tuple(2) && m[0].is_atom(ping)) send(m[1].as_pid(), pong);
    }
  });
  const pid sink_pid = node.local().spawn([=] {
    int64_t k = 0;
    for (;;) {
      const term m = receive();
      if (m.is_tuple(3) && m[0].is_atom(msg)) {
        ++k;
      } else if (m.is_tuple(2) && m[0].is_atom(reset)) {
        k = 0;
        send(m[1].as_pid(), reset_ok);
      } else if (m.is_tuple(2) && m[0].is_atom(get)) {
        send(m[1].as_pid(), tuple(count, k));
      } else {
        return;  // stop
      }
    }
  });
  node.local().run([&] {
    register_name(sink, sink_pid);
    register_name(echo, echo_pid);
  });
  node.local().await_exit(sink_pid, std::chrono::hours(1));
}

}  // namespace otp_bench
