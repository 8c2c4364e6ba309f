// threadring: a token passed around a ring of processes, counting down one per hop; the process
// that receives 0 tells main. Each member also counts the hops it made, so main can check that the
// ring made exactly R of them.

#include <vector>

#include "workloads.hpp"

using namespace otp;

namespace otp_bench {
namespace {

struct ring_atoms {
  atom next{"next"}, done{"done"}, stop{"stop"}, hops{"hops"};
};

void ring_member(pid report_to, ring_atoms names) {
  // The first message names the next member. Selective receive: nothing orders main's {next, Pid}
  // against a token already coming round from the previous member.
  const term setup =
      *receive([&](const term& m) { return m.is_tuple(2) && m[0].is_atom(names.next); }, infinity);
  const pid next = setup[1].as_pid();
  int64_t forwarded = 0;
  for (;;) {
    const term m = receive();
    if (m.is_small()) {
      const int64_t token = m.small_value();
      if (token == 0) {
        send(report_to, names.done);
      } else {
        send(next, token - 1);
        ++forwarded;
      }
    } else {  // stop
      send(report_to, tuple(names.hops, forwarded));
      return;
    }
  }
}

}  // namespace

void threadring(const bench_args& a) {
  const int64_t size = a.ints[0], hops = a.ints[1];
  node node(node_options(a, std::size_t(size)));
  node.run([&] {
    const ring_atoms names;
    const pid me = self();
    std::vector<pid> ring;
    ring.reserve(std::size_t(size));
    for (int64_t i = 0; i < size; ++i) ring.push_back(spawn([=] { ring_member(me, names); }));
    for (std::size_t i = 0; i < ring.size(); ++i)
      send(ring[i], tuple(names.next, ring[(i + 1) % ring.size()]));

    const stopwatch clock;
    send(ring[0], hops);
    const term done = receive();
    const double secs = clock.secs();

    if (!done.is_atom(names.done)) fail("expected done, got " + to_string(done));
    for (const pid& p : ring) send(p, names.stop);
    int64_t counted = 0;
    for (std::size_t i = 0; i < ring.size(); ++i) counted += receive()[1].as_int();
    expect_eq("hops made", hops, counted);
    result(a)
        .add("ring", size)
        .add("hops", hops)
        .add("secs", secs, 6)
        .add("ns_per_hop", secs * 1e9 / double(hops), 1)
        .add("hops_per_s", double(hops) / secs, 0)
        .print();
  });
}

}  // namespace otp_bench
