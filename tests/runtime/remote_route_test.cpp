// Signals to other nodes go through the node's remote_route; without one they fail as towards an
// unreachable node (noconnection).

#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <mutex>
#include <thread>

#include <otp/runtime.hpp>

#include "support/accepting_route.hpp"
#include "support/runtime_support.hpp"

using namespace otp;
using namespace otp::literals;
using namespace otp::test;

namespace {

class recording_route : public remote_route {
 public:
  bool send(const pid&, const pid& to, const term& m) override { return log("send", to, m); }
  bool send_named(const pid&, atom name, atom, const term& m) override {
    return log("send_named", pid{}, tuple(name, m));
  }
  bool send_alias(const pid&, const ref&, const term& m) override { return log("send_alias", pid{}, m); }
  bool link(const pid&, const pid& to) override { return log("link", to, term()); }
  bool unlink(const pid&, const pid& to) override { return log("unlink", to, term()); }
  bool exit(const pid&, const pid& to, const term& r, bool) override { return log("exit", to, r); }
  bool monitor(const pid&, const pid& to, const ref&) override { return log("monitor", to, term()); }
  bool monitor_named(const pid&, atom name, atom node, const ref&) override {
    return log("monitor_named", pid{}, tuple(name, node));
  }
  bool demonitor_named(const pid&, atom name, atom node, const ref&) override {
    return log("demonitor_named", pid{}, tuple(name, node));
  }
  bool demonitor(const pid&, const pid& to, const ref&) override { return log("demonitor", to, term()); }
  bool down(const pid&, const pid& to, const ref&, const term& r) override { return log("down", to, r); }
  bool monitor_node(const pid&, atom node) override {
    log("monitor_node", pid{}, node);
    return node != "unreachable@away"_a;
  }
  void demonitor_node(const pid&, atom node) override { log("demonitor_node", pid{}, node); }
  void monitor_nodes(const pid&, bool on, const monitor_nodes_options& o) override {
    log("monitor_nodes", pid{}, tuple(on, o.type == node_type::all, o.nodedown_reason));
  }
  void forget_node_watcher(const pid& who) override { log("forget_node_watcher", pid{}, who); }

  std::vector<std::string> calls() {
    std::lock_guard<std::mutex> lock(mutex_);
    return calls_;
  }

 private:
  bool log(const char* what, const pid&, const term& t) {
    std::lock_guard<std::mutex> lock(mutex_);
    calls_.push_back(std::string(what) + " " + to_string(t));
    return true;
  }
  std::mutex mutex_;
  std::vector<std::string> calls_;
};

pid remote_pid() { return pid{"far@away"_a, 40, 0, 7}; }

}  // namespace

TEST(RemoteRoute, SignalsToOtherNodesGoThroughTheRoute) {
  node n({.schedulers = 2});
  auto route = std::make_shared<recording_route>();
  n.set_remote_route(route);
  n.run([] {
    send(remote_pid(), "hi"_a);
    link(remote_pid());
    ref m = monitor(remote_pid());
    demonitor(m);
    unlink(remote_pid());
  });
  EXPECT_EQ(route->calls(),
            (std::vector<std::string>{"send hi", "link []", "monitor []", "demonitor []", "unlink []"}));
}

// Without a route, a link to another node's process exits with noconnection and a monitor fires.
TEST(RemoteRoute, NoRouteMeansNoconnection) {
  node n({.schedulers = 2});
  auto [exit_reason, down_reason] = n.run([] {
    trap_exit(true);
    link(remote_pid());
    term e = next_exit_from(remote_pid())[2];
    term d = next_down(monitor(remote_pid()))[4];
    return std::pair{e, d};
  });
  EXPECT_EQ(exit_reason, term(atoms::noconnection));
  EXPECT_EQ(down_reason, term(atoms::noconnection));
}

// Signals coming in from another node reach local processes with Erlang's semantics.
TEST(RemoteRoute, InboundSignalsAreDelivered) {
  node n({.schedulers = 2});
  auto box = std::make_shared<std::promise<term>>();
  spawn_options trapping;
  trapping.trap_exit = true;  // set before any signal can arrive
  pid local = n.spawn(
      [box] {
        term m = next_message();
        term e = next_message();
        box->set_value(tuple(m, e));
      },
      trapping);
  n.deliver_send(remote_pid(), local, "from afar"_a);
  n.deliver_link(remote_pid(), local);
  n.deliver_exit(remote_pid(), local, "remote_crash"_a, true);
  auto f = box->get_future();
  ASSERT_EQ(f.wait_for(bound), std::future_status::ready);
  term got = f.get();
  EXPECT_EQ(got[0], term("from afar"_a));
  EXPECT_EQ(got[1], tuple(atoms::EXIT, remote_pid(), "remote_crash"_a));
}

// Monitoring {Name, Node} on another node goes through the route by name; without a route the
// DOWN comes at once with noconnection and names {Name, Node}.
TEST(RemoteRoute, MonitorByRemoteName) {
  node n({.schedulers = 2});
  term down = n.run([] { return next_down(monitor("server"_a, "far@away"_a)); });
  EXPECT_EQ(down[3], tuple("server"_a, "far@away"_a));
  EXPECT_EQ(down[4], term(atoms::noconnection));

  auto route = std::make_shared<recording_route>();
  n.set_remote_route(route);
  n.run([] { demonitor(monitor("server"_a, "far@away"_a)); });
  EXPECT_EQ(route->calls(), (std::vector<std::string>{"monitor_named {server,far@away}",
                                                      "demonitor_named {server,far@away}"}));
}

// A process on another node monitoring a local one learns of its end through the route (the
// distribution sends it as MONITOR_P_EXIT), with the real reason; a monitor on a process that is
// gone is answered the same way at once, with noproc.
TEST(RemoteRoute, DownForARemoteWatcherGoesThroughTheRoute) {
  node n({.schedulers = 2});
  auto route = std::make_shared<recording_route>();
  n.set_remote_route(route);
  pid local = n.spawn([] { receive(); });
  n.deliver_monitor(remote_pid(), local, n.run([] { return make_ref(); }));
  n.send(local, "go"_a);
  n.await_exit(local);
  n.deliver_monitor(remote_pid(), local, n.run([] { return make_ref(); }));
  // The DOWN is sent from the dying process after await_exit's own DOWN: wait for it.
  for (int i = 0; i < 1000 && route->calls().size() < 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::vector<std::string> calls = route->calls();
  std::sort(calls.begin(), calls.end());  // the dying process's DOWN may come after the second monitor
  EXPECT_EQ(calls, (std::vector<std::string>{"down noproc", "down normal"}));
}

// monitor_node and monitor_nodes are answered by the route; the local node is never watched;
// a node the route cannot reach gives {nodedown, Node} at once; and when the watcher ends, the
// route is told to forget it.
TEST(RemoteRoute, NodeMonitorsGoThroughTheRoute) {
  node n({.schedulers = 2, .name = "here@host"});
  auto route = std::make_shared<recording_route>();
  n.set_remote_route(route);
  const auto [watcher, got] = n.run([] {
    EXPECT_TRUE(monitor_node("here@host"_a, true));  // the local node: nothing to watch
    EXPECT_TRUE(monitor_node("far@away"_a, true));
    EXPECT_TRUE(monitor_node("far@away"_a, false));
    EXPECT_TRUE(monitor_node("unreachable@away"_a, true));
    monitor_nodes(true, {.type = node_type::all, .nodedown_reason = true});
    monitor_nodes(false);
    const term nodedown = next_message();
    const bool more = receive(timeout::ms(0)).has_value();
    return std::pair{self(), tuple(nodedown, more)};
  });
  EXPECT_EQ(got, tuple(tuple("nodedown"_a, "unreachable@away"_a), false));
  for (int i = 0; i < 1000 && route->calls().size() < 6; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(route->calls(),
            (std::vector<std::string>{"monitor_node far@away", "demonitor_node far@away",
                                      "monitor_node unreachable@away", "monitor_nodes {true,true,true}",
                                      "monitor_nodes {false,false,false}",
                                      "forget_node_watcher " + to_string(term(watcher))}));
}

// A process that never watched a node costs its exit nothing more: the route hears nothing.
TEST(RemoteRoute, ProcessesThatWatchNoNodeAreNotForgotten) {
  node n({.schedulers = 1});
  auto route = std::make_shared<recording_route>();
  n.set_remote_route(route);
  n.run([] { monitor_nodes(false); });
  EXPECT_EQ(route->calls(), (std::vector<std::string>{"monitor_nodes {false,false,false}"}));
}

// As erlang:monitor_node/2 on a node started without a name: notalive. monitor_nodes records
// nothing there (there are no nodes to report) and does not fail, as net_kernel's does not.
TEST(RemoteRoute, MonitorNodeWithoutDistributionIsNotalive) {
  node n({.schedulers = 1});
  const term reason = n.run([] {
    monitor_nodes(true);
    try {
      monitor_node("far@away"_a, true);
    } catch (const erlang_error& e) {
      return e.reason();
    }
    return term("no_error"_a);
  });
  EXPECT_EQ(reason, term("notalive"_a));
}

// A route that does not implement node monitors treats every node as unreachable.
TEST(RemoteRoute, ARouteWithoutNodeMonitorsSaysNodedownAtOnce) {
  node n({.schedulers = 1});
  n.set_remote_route(std::make_shared<accepting_route>());
  const term got = n.run([] {
    monitor_node("far@away"_a, true);
    return next_message();
  });
  EXPECT_EQ(got, tuple("nodedown"_a, "far@away"_a));
}
