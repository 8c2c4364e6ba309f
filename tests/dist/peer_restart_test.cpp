// A peer node that restarts under the same name while the node still holds its old connection
// (the handshake answers `alive`, the peer asks for the old connection to be replaced): the
// subscribers of net_kernel:monitor_nodes hear the old connection's nodedown before the new
// one's nodeup, as net_kernel guarantees since OTP 23. The peer is this test itself, speaking
// the protocol through the library's handshake.

#include <gtest/gtest.h>

#include <otp/otp.hpp>

#include "dist/dist_support.hpp"
#include "dist/fake_peer.hpp"
#include "support/runtime_support.hpp"

using namespace otp;
using namespace otp::literals;
using namespace otp::test;
using dist::distributed_node;

namespace {

constexpr const char* target_name = "restart_target@127.0.0.1";
constexpr const char* peer_name = "restarting@127.0.0.1";

class PeerRestart : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test_epmd().available()) GTEST_SKIP() << "no epmd (apt-get install erlang-base)";
    node_ = std::make_unique<distributed_node>(node_options{.schedulers = 2, .name = target_name},
                                               test_dist_options());
  }

  /// A process subscribed to every connection's nodeup and nodedown: it keeps them until
  /// `expected` came (or none came for the test's bound) and then answers {report, From} with
  /// their list.
  pid start_collector(std::size_t expected) {
    return node_->local().run([expected] {
      const pid parent = self();
      const pid collector = spawn([parent, expected] {
        monitor_nodes(true, {.type = node_type::all});
        send(parent, "subscribed"_a);
        std::vector<term> events;
        auto node_event = [](const term& m) { return m.is_tuple(3); };
        while (events.size() < expected) {
          const std::optional<term> m = receive(node_event, timeout::ms(10'000));
          if (!m) break;
          events.push_back(*m);
        }
        const term question =
            next_matching([](const term& m) { return m.is_tuple(2) && m[0] == term("report"_a); });
        send(question[1].as_pid(), make_list(events));
      });
      next_matching([](const term& m) { return m == term("subscribed"_a); });
      return collector;
    });
  }

  std::vector<term> report_of(const pid& collector) {
    return node_->local().run([collector] {
      send(collector, tuple("report"_a, self()));
      // Longer than the collector's own wait for a missing event.
      const std::optional<term> events = receive(timeout::ms(30'000));
      if (!events) throw std::runtime_error("the collector did not answer");
      return events->list_elements();
    });
  }

  std::unique_ptr<distributed_node> node_;
};

}  // namespace

TEST_F(PeerRestart, OldConnectionsNodedownComesBeforeTheNewNodeup) {
  constexpr uint32_t incarnations = 30;
  const pid collector = start_collector(2 * incarnations);
  {
    dist::detail::socket_fd current = connect_as_peer(node_->port(), peer_name, 1, target_name);
    for (uint32_t creation = 2; creation <= incarnations; ++creation) {
      // The restarted peer connects while the node's old connection is up (its socket still
      // open on this side): the node answers `alive`, the peer replaces it.
      dist::detail::socket_fd next = connect_as_peer(node_->port(), peer_name, creation, target_name);
      current = std::move(next);
    }
  }  // the last one closes: its nodedown ends the list

  const std::vector<term> events = report_of(collector);
  ASSERT_EQ(events.size(), 2 * incarnations) << to_string(make_list(events));
  const term peer = atom(peer_name);
  std::size_t first_out_of_order = events.size();
  for (std::size_t i = 0; i < events.size() && first_out_of_order == events.size(); ++i) {
    const term expected =
        tuple(i % 2 == 0 ? "nodeup"_a : "nodedown"_a, peer, list(tuple("node_type"_a, "hidden"_a)));
    if (events[i] != expected) first_out_of_order = i;
  }
  EXPECT_EQ(first_out_of_order, events.size())
      << "nodeup and nodedown alternate: " << to_string(make_list(events));
}
