// big (Savina): W processes each ping a random peer N times, one ping in flight at a time, and
// answer every ping they get meanwhile; each tells the sink (main) when its N pongs have come back,
// then keeps answering until main stops it. 2·W·N messages in all.

#include <cstdint>
#include <vector>

#include "workloads.hpp"

using namespace otp;

namespace otp_bench {
namespace {

struct big_atoms {
  atom peers{"peers"}, ping{"ping"}, pong{"pong"}, done{"done"}, stop{"stop"};
};

// xorshift64*: a tiny generator seeded per process, so every run picks the same peers.
class peer_picker {
 public:
  explicit peer_picker(uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ull + 1) {}
  std::size_t next(std::size_t bound) {
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return std::size_t((state_ * 0x2545F4914F6CDD1Dull) >> 32) % bound;
  }

 private:
  uint64_t state_;
};

void big_member(pid sink, uint64_t seed, int64_t pings, big_atoms names) {
  // Main sends every member the tuple of all members once they all exist. Selective receive: a
  // member that got its list first may already be pinging this one.
  const term peers =
      (*receive([&](const term& m) { return m.is_tuple(2) && m[0].is_atom(names.peers); }, infinity))[1];
  const std::size_t count = peers.tuple_size();
  const term ping_message = tuple(names.ping, self());
  peer_picker pick(seed);
  int64_t pongs = 0;
  send(peers[pick.next(count)].as_pid(), ping_message);
  for (;;) {
    const term m = receive();
    if (m.is_tuple(2)) {  // {ping, From}
      send(m[1].as_pid(), names.pong);
    } else if (m.is_atom(names.pong)) {
      if (++pongs < pings) {
        send(peers[pick.next(count)].as_pid(), ping_message);
      } else {
        send(sink, tuple(names.done, pongs));
      }
    } else {  // stop
      return;
    }
  }
}

}  // namespace

void big(const bench_args& a) {
  const int64_t width = a.ints[0], pings = a.ints[1];
  node node(node_options(a, std::size_t(width)));
  node.run([&] {
    const big_atoms names;
    const pid me = self();
    std::vector<term> members;
    members.reserve(std::size_t(width));
    for (int64_t i = 0; i < width; ++i) {
      members.emplace_back(spawn([=] { big_member(me, uint64_t(i), pings, names); }));
    }
    const term peers = tuple(names.peers, make_tuple(members));

    const stopwatch clock;
    for (const term& m : members) send(m.as_pid(), peers);
    int64_t pongs = 0;
    for (int64_t i = 0; i < width; ++i) {
      const term done = receive();
      expect_eq("pongs of one member", pings, done[1].as_int());
      pongs += done[1].as_int();
    }
    const double secs = clock.secs();

    for (const term& m : members) send(m.as_pid(), names.stop);
    expect_eq("pongs", width * pings, pongs);
    result(a)
        .add("actors", width)
        .add("pings_per_actor", pings)
        .add("secs", secs, 6)
        .add("msgs_per_s", 2.0 * double(width * pings) / secs, 0)
        .print();
  });
}

}  // namespace otp_bench
