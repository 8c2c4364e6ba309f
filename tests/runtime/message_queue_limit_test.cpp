// node_options::max_message_queue_len: a process whose queue of taken-in, unreceived messages
// grows past the limit ends with {max_message_queue_len, Limit}; the sender, the node and its
// other processes carry on; at the limit, or with no limit, nothing happens. A process that never
// receives is held to it as well.

#include <gtest/gtest.h>

#include <otp/runtime.hpp>

#include "support/runtime_support.hpp"

using namespace otp;
using namespace otp::literals;
using namespace otp::test;

namespace {

/// Sends `count` messages to a process that receives only `wanted` (never sent); returns its
/// queue length if it is still alive afterwards, else its exit reason.
term flood(node& n, int64_t count) {
  return n.run([count] {
    const auto [hoarder, watch] =
        spawn_monitor([] { receive([](const term& m) { return m == term("wanted"_a); }, infinity); });
    for (int64_t i = 0; i < count; ++i) send(hoarder, tuple("n"_a, i));
    // process_info is answered by the hoarder after it has taken in every message sent before.
    if (std::optional<process_info_t> info = process_info(hoarder)) {
      exit(hoarder, atoms::kill);
      return term(int64_t(info->message_queue_len));
    }
    return next_down(watch)[4];
  });
}

}  // namespace

TEST(MessageQueueLimit, FloodedProcessEndsWithTheLimitAsReason) {
  node n({.schedulers = 2, .max_message_queue_len = 1000});
  EXPECT_EQ(flood(n, 5000), tuple("max_message_queue_len"_a, 1000));
  // The node and its other processes are unharmed.
  EXPECT_EQ(n.run([] { return 6 * 7; }), 42);
}

TEST(MessageQueueLimit, AtTheLimitOrWithoutOneNothingHappens) {
  node limited({.schedulers = 2, .max_message_queue_len = 1000});
  EXPECT_EQ(flood(limited, 1000), term(1000));
  node unlimited({.schedulers = 2});
  EXPECT_EQ(flood(unlimited, 20000), term(20000));
}

// A process that never receives (it only sends) takes its arrivals in at the end of each turn,
// so the limit sees its mailbox too: a flood ends it instead of growing the node.
TEST(MessageQueueLimit, ProcessThatNeverReceivesIsBoundedToo) {
  node n({.schedulers = 1, .max_message_queue_len = 1000});
  const term reason = n.run([] {
    const auto [busy, watch] = spawn_monitor([] {
      const pid sink = spawn([] {
        for (;;) receive();
      });
      link(sink);
      for (;;) send(sink, "work"_a);
    });
    for (int64_t i = 0; i < 100'000 && is_process_alive(busy); ++i) send(busy, tuple("n"_a, i));
    return next_down(watch)[4];
  });
  EXPECT_EQ(reason, tuple("max_message_queue_len"_a, 1000));
}
