// A peer node flooding one mailbox: with node_options::max_message_queue_len set, the flooded
// process ends with {max_message_queue_len, Limit} instead of the node growing until the OS
// kills it; the connection and the node's other processes carry on.

#include <gtest/gtest.h>

#include <future>

#include <otp/otp.hpp>

#include "dist/dist_support.hpp"
#include "support/runtime_support.hpp"

using namespace otp;
using namespace otp::literals;
using namespace otp::test;
using dist::distributed_node;

TEST(MailboxFlood, FloodFromAPeerEndsOnlyTheFloodedProcess) {
  if (!test_epmd().available()) GTEST_SKIP() << "no epmd (apt-get install erlang-base)";
  distributed_node target(
      node_options{.schedulers = 2, .name = "flood_a@127.0.0.1", .max_message_queue_len = 10'000},
      test_dist_options());
  distributed_node flooder(node_options{.schedulers = 2, .name = "flood_b@127.0.0.1"}, test_dist_options());
  const gen_server::start_options named{.name = server_ref("echo"_a)};
  target.local().run([&] { gen_server::start<echo_server>(term(), named); });
  auto sink_box = std::make_shared<std::promise<pid>>();
  target.local().spawn([sink_box] {
    register_name("sink"_a, self());
    sink_box->set_value(self());
    receive([](const term& m) { return m == term("wanted"_a); }, infinity);
  });
  const pid sink = sink_box->get_future().get();

  const server_ref echo = server_ref::remote("echo"_a, "flood_a@127.0.0.1"_a);
  const term after = flooder.local().run([&] {
    const ref watch = monitor(sink);
    for (int i = 0; i < 100'000; ++i) send("sink"_a, "flood_a@127.0.0.1"_a, tuple("junk"_a, i));
    const term reason = next_down(watch)[4];
    return tuple(reason, gen_server::call(echo, "still_there"_a));
  });
  EXPECT_EQ(after, tuple(tuple("max_message_queue_len"_a, 10'000), tuple("echo"_a, "still_there"_a)));
  EXPECT_EQ(flooder.connected_nodes(), std::vector<atom>{"flood_a@127.0.0.1"_a});
}
