// A scheduler's run queue (src/runtime/run_queue.hpp): what its own scheduler takes and what a
// thief may take.

#include <gtest/gtest.h>

#include <otp/runtime.hpp>

#include "runtime/process.hpp"
#include "runtime/run_queue.hpp"

using namespace otp;
using otp::detail::process;
using otp::detail::run_queue;

// A sender queued at its receiver's scheduler by the backlog charge stays there for its turn: a
// thief takes the next process that may move, and leaves the follower to its own scheduler.
TEST(RunQueue, ThiefLeavesAProcessThatFollowedItsReceiver) {
  node n({.schedulers = 1});
  process follower(n.state(), 1), other(n.state(), 2), last(n.state(), 3);
  follower.follows_receiver = true;
  run_queue q;
  q.push(&follower);
  q.push(&other);
  q.push(&last);
  EXPECT_EQ(q.steal(), &other);
  EXPECT_EQ(q.steal(), &last);
  EXPECT_EQ(q.steal(), nullptr);
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.pop(), &follower);  // its own scheduler runs it
  EXPECT_EQ(q.pop(), nullptr);
}

// Thieves take in the owner's lane order: a high-priority process before a normal one.
TEST(RunQueue, ThiefTakesHigherPriorityFirst) {
  node n({.schedulers = 1});
  process normal(n.state(), 1), high(n.state(), 2);
  high.prio = priority::high;
  run_queue q;
  q.push(&normal);
  q.push(&high);
  EXPECT_EQ(q.steal(), &high);
  EXPECT_EQ(q.steal(), &normal);
  EXPECT_EQ(q.steal(), nullptr);
}

// The queue tells its scheduler whether a max or high process waits (it then goes before the
// woken-next slot), through pops and steals alike.
TEST(RunQueue, KnowsWhetherAnUrgentProcessWaits) {
  node n({.schedulers = 1});
  process normal(n.state(), 1), high(n.state(), 2), max(n.state(), 3);
  high.prio = priority::high;
  max.prio = priority::max;
  run_queue q;
  q.push(&normal);
  EXPECT_FALSE(q.has_urgent());
  q.push(&high);
  q.push(&max);
  EXPECT_TRUE(q.has_urgent());
  EXPECT_EQ(q.pop(), &max);
  EXPECT_TRUE(q.has_urgent());
  EXPECT_EQ(q.steal(), &high);
  EXPECT_FALSE(q.has_urgent());
  EXPECT_EQ(q.pop(), &normal);
  EXPECT_FALSE(q.has_urgent());
}
