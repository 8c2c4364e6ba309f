#pragma once
// otp::remote_route — the path for signals to processes on other nodes.
//
// The runtime never knows how other nodes are reached: when a send, link, monitor or exit targets a
// pid (or {Name, Node}) whose node is not the local one, it hands the signal to the node's
// remote_route. The distribution layer implements this interface and the node main installs it
// (node::set_remote_route). Signals coming in from other nodes enter through node::deliver_*.
//
// Without a route, signals to other nodes behave as they do towards an unreachable node in Erlang:
// messages are dropped, links and monitors fire at once with reason `noconnection`.
//
// Thread safety: called concurrently from every scheduler thread; implementations must be
// thread-safe and must not block for long (queue the work).

#include <otp/runtime/node_monitor.hpp>
#include <otp/term/term.hpp>

namespace otp {

class remote_route {
 public:
  virtual ~remote_route() = default;

  /// Returns false if `node` cannot be reached (the caller then applies `noconnection` rules).
  virtual bool send(const pid& from, const pid& to, const term& message) = 0;
  virtual bool send_named(const pid& from, atom name, atom node, const term& message) = 0;
  /// A message to a process alias on another node (ALIAS_SEND).
  virtual bool send_alias(const pid& from, const ref& alias, const term& message) = 0;
  virtual bool link(const pid& from, const pid& to) = 0;
  virtual bool unlink(const pid& from, const pid& to) = 0;
  /// An exit signal; `from_link` tells a link's exit apart from exit/2.
  virtual bool exit(const pid& from, const pid& to, const term& reason, bool from_link) = 0;
  /// A monitor by pid, or by registered name on `node` when `name` is not empty.
  virtual bool monitor(const pid& from, const pid& to, const ref& monitor_ref) = 0;
  virtual bool monitor_named(const pid& from, atom name, atom node, const ref& monitor_ref) = 0;
  virtual bool demonitor(const pid& from, const pid& to, const ref& monitor_ref) = 0;
  virtual bool demonitor_named(const pid& from, atom name, atom node, const ref& monitor_ref) = 0;
  /// The local process `from`, monitored by `to` on another node, has ended (or never existed):
  /// the DOWN that tells `to` so (MONITOR_P_EXIT).
  virtual bool down(const pid& from, const pid& to, const ref& monitor_ref, const term& reason) = 0;

  // Node monitors. A route without them treats every node as unreachable: monitor_node gets its
  // {nodedown, Node} at once, and monitor_nodes never reports anything.

  /// erlang:monitor_node(Node, true) for the local process `from`: {nodedown, Node} is to reach
  /// it when the connection to `node` goes down, or cannot be set up (one is set up if there is
  /// none). False if `node` cannot be reached at all: the caller then sends the nodedown itself.
  virtual bool monitor_node(const pid& from, atom node) {
    (void)from;
    (void)node;
    return false;
  }
  /// monitor_node(Node, false): one of `from`'s monitors of `node` ends (if it has one).
  virtual void demonitor_node(const pid& from, atom node) {
    (void)from;
    (void)node;
  }
  /// net_kernel:monitor_nodes(On, Options) for the local process `from`.
  virtual void monitor_nodes(const pid& from, bool on, const monitor_nodes_options& options) {
    (void)from;
    (void)on;
    (void)options;
  }
  /// `from`, which has called monitor_node or monitor_nodes, has ended: what it watched goes.
  virtual void forget_node_watcher(const pid& from) { (void)from; }

  /// Whether messages to `node` are piling up (erts's busy distribution port): a process that has
  /// just sent one waits, in its send, until this is false again.
  virtual bool busy(atom node) const {
    (void)node;
    return false;
  }
};

}  // namespace otp
