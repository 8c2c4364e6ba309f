// Stress: ten million messages between many senders and many receivers.
//
// Erlang rule checked: messages from one process to another arrive in the order they were sent,
// and none is lost, whatever else is sent concurrently (the per-pair ordering guarantee).

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include <otp/runtime.hpp>

#include "stress/stress_support.hpp"

using namespace otp;
using namespace otp::literals;
using otp::stress::is_down;
using otp::stress::receive_bounded;
using otp::stress::require;

TEST(MessageOrder, TenMillionMessagesArriveInSendOrderPerSenderReceiverPair) {
  static constexpr std::size_t senders = 20;
  static constexpr std::size_t receivers = 10;
  const std::size_t per_pair = otp::stress::stress_scaled(10'000'000 / (senders * receivers), 100);
  // Flow control, so that fast senders cannot pile up millions of queued messages: a receiver
  // acknowledges every `ack_every` messages of a sender; a sender keeps at most `window` messages
  // unacknowledged per receiver. Both directions are checked for order.
  static constexpr uint64_t ack_every = 512;
  static constexpr uint64_t window = 4 * ack_every;

  node n({.schedulers = 2});
  n.run([&] {
    const std::size_t baseline = n.process_count();
    const pid me = self();
    std::vector<pid> receiver_pids, sender_pids;
    std::vector<ref> refs;

    for (std::size_t r = 0; r < receivers; ++r) {
      auto [p, mref] = spawn_monitor([r, me, &sender_pids, per_pair] {
        // Wait until every sender exists (the go message is sent after sender_pids is filled).
        receive_bounded([](const term& m) { return m.is_atom("go"_a); }, "go");
        std::vector<uint64_t> next(senders, 0);
        const uint64_t expected = uint64_t(senders) * per_pair;
        for (uint64_t k = 0; k < expected; ++k) {
          const int64_t v = receive_bounded("sender_message").as_int();
          const std::size_t s = otp::stress::origin_of(v);
          const uint64_t seq = otp::stress::sequence_of(v);
          require(s < senders, "sender_index", v);
          require(seq == next[s], "order", tuple(int64_t(s), int64_t(next[s]), int64_t(seq)));
          ++next[s];
          if (next[s] % ack_every == 0 || next[s] == per_pair)
            send(sender_pids[s], otp::stress::tagged(r, next[s]));
        }
        send(me, tuple("received"_a, int64_t(r), int64_t(expected)));
      });
      receiver_pids.push_back(p);
      refs.push_back(mref);
    }
    for (std::size_t s = 0; s < senders; ++s) {
      auto [p, mref] = spawn_monitor([s, me, &receiver_pids, per_pair] {
        std::vector<uint64_t> acked(receivers, 0);
        auto take_ack = [&] {
          const int64_t v = receive_bounded("ack").as_int();
          const std::size_t r = otp::stress::origin_of(v);
          const uint64_t count = otp::stress::sequence_of(v);
          require(r < receivers, "receiver_index", v);
          // Acks from one receiver are in order too: each one acknowledges more than the last.
          require(count > acked[r], "ack_order", tuple(int64_t(r), int64_t(acked[r]), int64_t(count)));
          acked[r] = count;
        };
        for (uint64_t seq = 0; seq < per_pair; ++seq) {
          for (std::size_t r = 0; r < receivers; ++r) {
            while (seq - acked[r] >= window) take_ack();
            send(receiver_pids[r], otp::stress::tagged(s, seq));
          }
        }
        for (std::size_t r = 0; r < receivers; ++r) {
          while (acked[r] < per_pair) take_ack();
        }
        send(me, tuple("sent"_a, int64_t(s)));
      });
      sender_pids.push_back(p);
      refs.push_back(mref);
    }
    for (const pid& r : receiver_pids) send(r, "go"_a);

    std::size_t reports = 0, downs = 0;
    while (reports < senders + receivers || downs < senders + receivers) {
      term m = receive_bounded("report");
      if (is_down(m)) {
        EXPECT_TRUE(m[4].is_atom(atoms::normal)) << "a sender or receiver ended with " << m;
        ++downs;
      } else {
        ++reports;
      }
    }
    EXPECT_EQ(n.process_count(), baseline);
  });
}
