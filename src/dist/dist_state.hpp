#pragma once
// What a distributed_node holds: its listener, its epmd registration, its connections.

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include <otp/dist/distributed_node.hpp>
#include <otp/runtime/node_monitor.hpp>

#include "dist/connection.hpp"
#include "dist/epmd_client.hpp"

namespace otp::dist {

/// Module:Function/Arity of an exported C++ function.
struct exported_name {
  atom module;
  atom function;
  std::size_t arity;
  friend bool operator==(const exported_name&, const exported_name&) = default;
};
struct exported_name_hash {
  std::size_t operator()(const exported_name& n) const noexcept {
    return (std::hash<atom>()(n.module) * 31 + std::hash<atom>()(n.function)) * 31 + n.arity;
  }
};

/// A net_kernel:monitor_nodes subscription.
struct node_subscription {
  pid subscriber;
  monitor_nodes_options options;
};

struct distributed_node::state {
  dist_options options;
  std::unique_ptr<otp::node> local;
  std::string alive;  // the name before '@'
  detail::handshake_self self;
  detail::socket_fd listener;
  uint16_t port = 0;
  detail::epmd_registration registration;
  std::unique_ptr<detail::connection::context> context;

  mutable std::mutex mutex;  // guards the fields below
  std::unordered_map<atom, std::shared_ptr<detail::connection>> connections;
  std::vector<std::shared_ptr<detail::connection>> retired;  // down, threads not yet joined
  std::vector<std::thread> handshakes;                       // accepted sockets shaking hands
  std::vector<std::thread::id> finished_handshakes;
  std::vector<int> handshaking_sockets;  // shut down by stop(), so no stalled peer delays it
  bool stopping = false;
  std::thread acceptor;
  std::vector<node_subscription> subscriptions;  // one entry per monitor_nodes(true, ...)
  // Per node, its connections whose nodeup went out and whose nodedown has not yet: a new
  // connection's nodeup waits until none is left (net_kernel's order since OTP 23: the
  // nodedown of a connection being taken down comes before the nodeup of the next one).
  std::unordered_map<atom, int> nodedowns_owed;
  std::condition_variable nodedown_sent;  // with `mutex`: nodedowns_owed went down
  std::unordered_map<exported_name, distributed_node::remote_function, exported_name_hash> exports;

  /// The connection to `node`, set up (pending) if there is none; nullptr for a name that cannot
  /// be a node (no '@') or once stopping. Never blocks on the network.
  std::shared_ptr<detail::connection> connection_to(atom node);
  /// The connection to `node` if one exists (up or pending), else nullptr.
  std::shared_ptr<detail::connection> existing_connection(atom node) const;

  void accept_loop();
  /// Shakes hands on an accepted socket; a connection that comes of it takes the socket.
  void accept_one(detail::socket_fd& socket);
  void connection_down(detail::connection& c);

  // ---- spawn_service.cpp ------------------------------------------------------------------------
  /// The function exported as `name`, or an empty one.
  remote_function exported(const exported_name& name) const;
  /// Answers a SPAWN_REQUEST: starts the process (erpc's execute_call and execute_cast are
  /// understood as erpc runs them), sets up the link and monitor asked for, sends SPAWN_REPLY,
  /// and only then lets the process run, so that nothing it causes overtakes the reply.
  void spawn_request(detail::connection& c, const ref& request, const pid& requester, const term& mfa,
                     const term& options, const term& args);

  // ---- node_events.cpp -------------------------------------------------------------------------
  /// net_kernel:monitor_nodes(On, Options) for `subscriber`.
  void monitor_nodes(const pid& subscriber, bool on, const monitor_nodes_options& options);
  /// `watcher` has ended: its subscriptions and monitor_node monitors go.
  void forget_node_watcher(const pid& watcher);
  /// Sends nodeup or nodedown to the subscribers that asked for `c`'s kind of connection.
  void report_node_event(detail::connection& c, bool up, detail::connection::down_cause why) noexcept;
  /// Joins the threads of connections that went down and of finished handshakes.
  void reap();
};

/// The remote_route the node sends through: control messages over the connections.
std::shared_ptr<remote_route> make_route(distributed_node::state& state);

}  // namespace otp::dist
