// A C++ node in an OS process of its own, for the dist tests that kill one with SIGKILL.
//
// Usage: dist_killable_node Name@Host Cookie. Finds epmd through ERL_EPMD_PORT (the test's
// private one), registers a process `victim`, prints "ready" and runs until it is killed. The
// victim answers {whoami, From} with {victim_is, Pid} and leaves everything else unanswered (a
// gen_server call to it stays in flight).

#include <cstdio>

#include <otp/dist.hpp>
#include <otp/otp.hpp>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s Name@Host Cookie\n", argv[0]);
    return 2;
  }
  otp::dist::dist_options options;
  options.cookie = argv[2];
  options.listen_address = "127.0.0.1";
  otp::dist::distributed_node node(otp::node_options{.schedulers = 1, .name = argv[1]}, options);
  node.local().run([] {
    otp::register_name(otp::atom("victim"), otp::self());
    std::puts("ready");
    std::fflush(stdout);
    const otp::atom whoami("whoami"), victim_is("victim_is");
    for (;;) {
      const otp::term m = otp::receive();
      if (m.is_tuple(2) && m[0].is_atom(whoami) && m[1].is_pid())
        otp::send(m[1].as_pid(), otp::tuple(victim_is, otp::self()));
    }
  });
  return 0;
}
