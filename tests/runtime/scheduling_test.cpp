// Scheduling order on one scheduler: a woken process runs next in its waker's turn but is not
// starved by processes that keep yielding, processes waking each other share one turn, and
// senders that flood a receiver let it keep up (its queue stays bounded), as the BEAM does by
// charging such senders reductions.

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

// On one scheduler: `flooders` processes each send `each` messages to a receiver, which reports
// how many had been sent in all when it got its first message.
int64_t sent_before_first_receive(int64_t flooders, int64_t each) {
  node n({.schedulers = 1});
  return n.run([=] {
    auto sent = std::make_shared<std::atomic<int64_t>>(0);
    const pid me = self();
    const pid receiver = spawn([me, sent] {
      receive();
      send(me, sent->load());
      for (;;) receive();
    });
    for (int64_t s = 0; s < flooders; ++s) {
      spawn([receiver, sent, each] {
        for (int64_t i = 0; i < each; ++i) {
          send(receiver, i);
          sent->fetch_add(1);
        }
      });
    }
    const term first = receive();
    exit(receiver, atoms::kill);
    return first.small_value();
  });
}

// On one scheduler: a process is queued (just spawned) while the caller and an echo process pass
// `round_trips` messages back and forth; returns how many round trips were done when the queued
// process first ran.
int64_t round_trips_before_queued_process_runs(int64_t round_trips) {
  node n({.schedulers = 1});
  return n.run([=] {
    auto trips = std::make_shared<std::atomic<int64_t>>(0);
    const pid me = self();
    const pid echo = spawn([me] {
      for (;;) send(me, receive());
    });
    spawn([me, trips] { send(me, tuple("ran"_a, trips->load())); });
    for (int64_t i = 0; i < round_trips; ++i) {
      send(echo, i);
      const auto back = receive([i](const term& m) { return m == term(i); }, infinity);
      EXPECT_TRUE(back.has_value());
      trips->store(i + 1);
    }
    exit(echo, atoms::kill);
    const auto ran = receive([](const term& m) { return m.is_tuple(2) && m[0] == term("ran"_a); }, infinity);
    return ran ? (*ran)[1].small_value() : -1;
  });
}
}  // namespace

// A process woken by the running one runs as soon as its waker waits, ahead of the queue, in
// what is left of its waker's turn (the wake-next slot, as Go's runnext): a caller and a server
// exchanging a hundred messages do so without the scheduler turning to the processes queued
// meanwhile, each message handled while it is in the cache.
TEST(Scheduling, WokenProcessContinuesItsWakersTurn) {
  EXPECT_EQ(round_trips_before_queued_process_runs(100), 100);
}

// ...but only for one turn's worth of reductions between them (4000, a send or a receive being
// one, a hop through the slot another): then the queued processes have theirs, as in Erlang.
TEST(Scheduling, ProcessesWakingEachOtherShareOneTurn) {
  const int64_t trips = round_trips_before_queued_process_runs(10'000);
  EXPECT_GT(trips, 100);
  EXPECT_LT(trips, 2000);
}

// A receiver woken by the first of several busy senders gets its turn after each of them has
// had one (Erlang's run queue is FIFO), not only once they have all finished sending.
TEST(Scheduling, WokenProcessRunsBeforeBusySendersTakeASecondTurn) {
  EXPECT_LT(sent_before_first_receive(senders, per_sender), senders * per_sender);
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

// A producer flooding a consumer that runs on another scheduler moves to the consumer's
// scheduler once the consumer falls behind (its sends cost it its turn), instead of the pair
// staying apart for good, every message crossing cores. The consumer is made slower than the
// producer, so it never empties its queue and parks (which would also bring them together).
TEST(Scheduling, SenderFloodingAReceiverOnAnotherSchedulerMovesToIt) {
  node n({.schedulers = 2});
  const bool met = n.run([] {
    auto consumer_scheduler = std::make_shared<std::atomic<unsigned>>(0);
    const pid consumer = spawn([consumer_scheduler] {
      consumer_scheduler->store(scheduler_id());
      for (;;) {
        const term m = receive();
        if (m.is_pid()) return send(m.as_pid(), "stopped"_a);
        int64_t work = 0;
        for (int k = 0; k < 1000; ++k) {
          work += k;
          asm volatile("" : "+r"(work));  // a microsecond or so of work the compiler keeps
        }
        consumer_scheduler->store(scheduler_id());
      }
    });
    // The consumer was queued on this scheduler: hogging it makes the other one take it.
    const unsigned producer_start = scheduler_id();
    while (consumer_scheduler->load() == 0) {
    }
    EXPECT_NE(consumer_scheduler->load(), producer_start);

    bool together = false;
    for (int64_t i = 0; i < 50'000 && !together; ++i) {
      send(consumer, i);
      together = scheduler_id() == consumer_scheduler->load();
    }
    send(consumer, self());
    EXPECT_EQ(receive(), term("stopped"_a));
    return together;
  });
  EXPECT_TRUE(met);
}

// A sender's burst into the inbox of a receiver that is not running ends its turn early: the
// receiver, woken by the first message, gets the core after a few hundred messages rather than
// after the sender's whole turn (4000 reductions), so messages in flight stay few (the BEAM's
// senders pay by the receiver's queue length to the same end).
TEST(Scheduling, BurstIntoAnUntakenInboxEndsTheSendersTurnEarly) {
  const int64_t sent = sent_before_first_receive(1, 10'000);
  EXPECT_GE(sent, 1);
  EXPECT_LT(sent, 1000);
}
