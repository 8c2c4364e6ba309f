// Message passing between a few processes: pingpong, counting, fanin. Plain spawned processes with
// a receive loop, as one writes them in Erlang: each loop is a function of its own.

#include "workloads.hpp"

using namespace otp;

namespace otp_bench {
namespace {

// pong: answers {ping, From} with pong; {stop, From} gets {served, Count} and ends the loop.
void ponger(atom ping, atom pong, atom served) {
  int64_t count = 0;
  for (;;) {
    const term m = receive();
    if (m.is_tuple(2) && m[0].is_atom(ping)) {
      send(m[1].as_pid(), pong);
      ++count;
    } else {
      send(m[1].as_pid(), tuple(served, count));
      return;
    }
  }
}

// counter: counts `inc`; {get, From} gets {total, Count} and ends the loop.
void counter(atom inc, atom total) {
  int64_t count = 0;
  for (;;) {
    const term m = receive();
    if (m.is_atom(inc)) {
      ++count;
    } else {
      send(m[1].as_pid(), tuple(total, count));
      return;
    }
  }
}

// fan-in receiver: takes {msg, I} from sender I until every one of `senders` has sent its
// {fanin_end, I} (each end marker follows that sender's messages, since signals between a pair
// keep their order), then reports {Count, IndexSum}: the sum tells that every sender's messages
// arrived, not just the right number of them.
void fanin_receiver(pid report_to, int64_t senders, atom msg) {
  int64_t count = 0, index_sum = 0, open = senders;
  while (open > 0) {
    const term m = receive();
    if (m[0].is_atom(msg)) {
      ++count;
      index_sum += m[1].small_value();
    } else {
      --open;
    }
  }
  send(report_to, tuple(count, index_sum));
}

}  // namespace

void pingpong(const bench_args& a) {
  const int64_t n = a.ints[0];
  node node(node_options(a));
  node.run([&] {
    const atom ping("ping"), pong("pong"), served("served"), stop("stop");
    const pid me = self();
    const pid partner = spawn([=] { ponger(ping, pong, served); });
    const term ping_message = tuple(ping, me);  // immutable: built once, shared by every send

    const stopwatch clock;
    int64_t pongs = 0;
    for (int64_t i = 0; i < n; ++i) {
      send(partner, ping_message);
      if (receive().is_atom(pong)) ++pongs;
    }
    const double secs = clock.secs();

    send(partner, tuple(stop, me));
    const term report = receive();
    expect_eq("pongs received", n, pongs);
    expect_eq("pings served", n, report[1].as_int());
    result(a)
        .add("roundtrips", n)
        .add("secs", secs, 6)
        .add("ns_per_roundtrip", secs * 1e9 / double(n), 1)
        .add("msgs_per_s", 2.0 * double(n) / secs, 0)
        .print();
  });
}

void counting(const bench_args& a) {
  const int64_t n = a.ints[0];
  node node(node_options(a));
  node.run([&] {
    const atom inc("inc"), total("total"), get("get");
    const pid me = self();
    const pid count_server = spawn([=] { counter(inc, total); });

    const stopwatch clock;
    for (int64_t i = 0; i < n; ++i) send(count_server, inc);
    send(count_server, tuple(get, me));
    const term reply = receive();
    const double secs = clock.secs();

    expect_eq("counter total", n, reply[1].as_int());
    result(a).add("msgs", n).add("secs", secs, 6).add("msgs_per_s", double(n) / secs, 0).print();
  });
}

void fanin(const bench_args& a) {
  const int64_t senders = a.ints[0], per_sender = a.ints[1];
  node node(node_options(a, std::size_t(senders)));
  node.run([&] {
    const atom msg("msg"), fanin_end("fanin_end");
    const pid me = self();
    const pid receiver = spawn([=] { fanin_receiver(me, senders, msg); });

    const stopwatch clock;
    for (int64_t s = 1; s <= senders; ++s) {
      spawn([=] {
        const term message = tuple(msg, s);  // immutable: built once, shared by every send
        for (int64_t i = 0; i < per_sender; ++i) send(receiver, message);
        send(receiver, tuple(fanin_end, s));
      });
    }
    const term received = receive();
    const double secs = clock.secs();

    const int64_t total = senders * per_sender;
    expect_eq("messages received", total, received[0].as_int());
    expect_eq("sum of their sender indexes", per_sender * senders * (senders + 1) / 2, received[1].as_int());
    result(a)
        .add("senders", senders)
        .add("msgs", total)
        .add("secs", secs, 6)
        .add("msgs_per_s", double(total) / secs, 0)
        .print();
  });
}

}  // namespace otp_bench
