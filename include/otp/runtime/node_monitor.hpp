#pragma once
// Watching other nodes: erlang:monitor_node/2 and net_kernel:monitor_nodes/1,2.
//
// Both are answered by the node's remote_route (the distribution): a node without one is not
// alive, as Erlang says of a node started without -name or -sname.
//
// An OTP++ node is hidden (see otp::dist::distributed_node), so every connection it has is a
// hidden connection, as Erlang counts them: monitor_nodes with the default options (visible nodes
// only) reports nothing; ask for node_type::hidden or node_type::all.

#include <cstdint>
#include <optional>

#include <otp/term/term.hpp>

namespace otp {

/// Which connections a monitor_nodes subscription reports (net_kernel's {node_type, T}).
enum class node_type : uint8_t { visible, hidden, all };

/// net_kernel:monitor_nodes/2's option list. Empty (the default) means Erlang's [] : visible
/// nodes only, and messages of the short form {nodeup, Node} / {nodedown, Node}. Anything else
/// gives {nodeup, Node, Info} / {nodedown, Node, Info}, Info a list holding
/// {nodedown_reason, Reason} (nodedown, when asked for) and {node_type, visible | hidden} (when
/// `type` is given), in the order Erlang puts them.
struct monitor_nodes_options {
  /// Unset: visible nodes only, and no node_type in Info.
  std::optional<node_type> type;
  /// nodedown messages say why the connection went: connection_closed, disconnect,
  /// net_tick_timeout, net_kernel_terminated.
  bool nodedown_reason = false;

  bool empty() const noexcept { return !type && !nodedown_reason; }
  friend bool operator==(const monitor_nodes_options&, const monitor_nodes_options&) = default;
};

/// erlang:monitor_node/2, in a process. With `on`, the caller gets {nodedown, Node} when the
/// connection to `node` goes down; if there is none, one is set up, and {nodedown, Node} comes if
/// that fails (a name that is no node name fails at once). Each call with true is one more
/// monitor and one more message; each call with false ends one of them. Monitoring the local
/// node does nothing. The monitors end with the process. Always true; throws
/// erlang_error(notalive) on a node without distribution.
bool monitor_node(atom node, bool on);

/// net_kernel:monitor_nodes/1,2, in a process. With `on`, a new subscription: {nodeup, ...} when a
/// connection of the asked type comes up, before any message that comes through it, and
/// {nodedown, ...} when it goes down, after every message that came through it. With false, every
/// subscription of the caller with the same options ends. Subscriptions end with the process.
/// On a node without distribution there are no nodes to report, and nothing is recorded.
void monitor_nodes(bool on, const monitor_nodes_options& options = {});

}  // namespace otp
