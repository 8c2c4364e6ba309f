// Scheduling order on one scheduler: a woken process is not starved by processes that keep
// yielding, and senders that flood a receiver let it keep up (its queue stays bounded), as the
// BEAM does by charging such senders reductions.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>

#include <otp/runtime.hpp>

using namespace otp;
using namespace otp::literals;

namespace {
constexpr int64_t senders = 4;
constexpr int64_t per_sender = 100'000;
}  // namespace

// A receiver woken by the first of several busy senders gets its turn after each of them has
// had one (Erlang's run queue is FIFO), not only once they have all finished sending.
TEST(Scheduling, WokenProcessRunsBeforeBusySendersTakeASecondTurn) {
  node n({.schedulers = 1});
  const int64_t sent_before_first_receive = n.run([] {
    auto sent = std::make_shared<std::atomic<int64_t>>(0);
    const pid me = self();
    const pid receiver = spawn([me, sent] {
      receive();
      send(me, tuple("first"_a, sent->load()));
      for (;;) receive();
    });
    for (int64_t s = 0; s < senders; ++s) {
      spawn([receiver, sent] {
        for (int64_t i = 0; i < per_sender; ++i) {
          send(receiver, i);
          sent->fetch_add(1);
        }
      });
    }
    const term first = receive();
    exit(receiver, atoms::kill);
    return first[1].small_value();
  });
  EXPECT_LT(sent_before_first_receive, senders * per_sender);
}

// Senders flooding one receiver on one scheduler: the receiver's queue stays far below the
// total sent (without the charge it held nearly all of it, a message at a time).
TEST(Scheduling, FloodedReceiverQueueStaysBounded) {
  node n({.schedulers = 1});
  const int64_t longest_queue = n.run([] {
    const pid me = self();
    const pid receiver = spawn([me] {
      int64_t longest = 0;
      for (int64_t got = 0; got < senders * per_sender; ++got) {
        receive();
        if (got % 1000 == 0) {
          longest = std::max<int64_t>(longest, int64_t(process_info(self())->message_queue_len));
        }
      }
      send(me, longest);
    });
    for (int64_t s = 0; s < senders; ++s) {
      spawn([receiver] {
        for (int64_t i = 0; i < per_sender; ++i) send(receiver, i);
      });
    }
    return receive().small_value();
  });
  EXPECT_LT(longest_queue, senders * per_sender / 4);
}
