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

// fan-in receiver: counts `msg` until every one of `senders` has said `done` (each sender's done
// follows its messages, since signals between a pair keep their order), then reports the count.
void fanin_receiver(pid report_to, int64_t senders, atom msg) {
  int64_t count = 0, done = 0;
  for (;;) {
    const term m = receive();
    if (m.is_atom(msg)) {
      ++count;
    } else if (++done == senders) {
      send(report_to, count);
      return;
    }
  }
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
  node node(node_options(a));
  node.run([&] {
    const atom msg("msg"), done("done");
    const pid me = self();
    const pid receiver = spawn([=] { fanin_receiver(me, senders, msg); });

    const stopwatch clock;
    for (int64_t s = 0; s < senders; ++s) {
      spawn([=] {
        for (int64_t i = 0; i < per_sender; ++i) send(receiver, msg);
        send(receiver, done);
      });
    }
    const term received = receive();
    const double secs = clock.secs();

    const int64_t total = senders * per_sender;
    expect_eq("messages received", total, received.as_int());
    result(a)
        .add("senders", senders)
        .add("msgs", total)
        .add("secs", secs, 6)
        .add("msgs_per_s", double(total) / secs, 0)
        .print();
  });
}

}  // namespace otp_bench
