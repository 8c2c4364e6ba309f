// Who watches other nodes: net_kernel:monitor_nodes subscriptions (kept here) and monitor_node
// monitors (kept on each connection, since they end with it), and the nodeup and nodedown
// messages they get.

#include <algorithm>

#include <otp/logger.hpp>

#include "dist/dist_state.hpp"

namespace otp::dist {

using detail::connection;

namespace {

// This node is hidden (it does not offer PUBLISHED), and a connection with a hidden node is a
// hidden connection on both sides: every one of ours is.
constexpr node_type our_connections = node_type::hidden;

bool reports(const monitor_nodes_options& options, node_type connection_type) {
  const node_type wanted = options.type.value_or(node_type::visible);
  return wanted == node_type::all || wanted == connection_type;
}

atom reason_atom(connection::down_cause why) {
  switch (why) {
    case connection::down_cause::disconnect:
      return atom("disconnect");
    case connection::down_cause::net_tick_timeout:
      return atom("net_tick_timeout");
    case connection::down_cause::net_kernel_terminated:
      return atom("net_kernel_terminated");
    case connection::down_cause::connection_closed:
      break;
  }
  return atom("connection_closed");
}

atom type_atom(node_type t) { return t == node_type::visible ? atom("visible") : atom("hidden"); }

/// {nodeup, Node} or {nodedown, Node} for the empty options, else the same with an Info list:
/// {nodedown_reason, R} first, then {node_type, T}, as net_kernel orders them.
term node_event_message(const monitor_nodes_options& options, atom node, bool up,
                        connection::down_cause why) {
  const atom kind = up ? atom("nodeup") : atom("nodedown");
  if (options.empty()) return tuple(kind, node);
  std::vector<term> info;
  if (!up && options.nodedown_reason) info.push_back(tuple(atom("nodedown_reason"), reason_atom(why)));
  if (options.type) info.push_back(tuple(atom("node_type"), type_atom(our_connections)));
  return tuple(kind, node, make_list(info));
}

}  // namespace

void distributed_node::state::monitor_nodes(const pid& subscriber, bool on,
                                            const monitor_nodes_options& options) {
  std::lock_guard lock(mutex);
  if (on) {
    subscriptions.push_back({subscriber, options});
    return;
  }
  std::erase_if(subscriptions, [&](const node_subscription& s) {
    return s.subscriber == subscriber && s.options == options;
  });
}

void distributed_node::state::forget_node_watcher(const pid& watcher) {
  std::lock_guard lock(mutex);
  std::erase_if(subscriptions, [&](const node_subscription& s) { return s.subscriber == watcher; });
  for (auto& [peer, c] : connections) c->forget_node_watcher(watcher);
}

void distributed_node::state::report_node_event(connection& c, bool up, connection::down_cause why) noexcept {
  const atom peer = c.peer();
  std::vector<node_subscription> to_tell;
  {
    std::unique_lock lock(mutex);
    if (up) {
      // An earlier connection to this node was taken down before this one was set up, so its
      // reader is ending and its nodedown comes soon; the bound only keeps a bug from hanging
      // this reader.
      const bool in_order = nodedown_sent.wait_for(lock, options.net_setuptime, [&] {
        auto it = nodedowns_owed.find(peer);
        return it == nodedowns_owed.end() || it->second == 0;
      });
      if (!in_order) {
        logger::warning("distribution: nodeup for " + std::string(peer.name()) +
                        " sent before the nodedown of its earlier connection");
      }
      ++nodedowns_owed[peer];
    }
    for (const node_subscription& s : subscriptions) {
      if (reports(s.options, our_connections)) to_tell.push_back(s);
    }
  }
  try {
    for (const node_subscription& s : to_tell) {
      local->send(s.subscriber, node_event_message(s.options, peer, up, why));
    }
  } catch (const std::exception& e) {
    // Only a node that is itself stopping refuses these; nobody is left to tell.
    logger::debug(std::string("distribution: node event for ") + std::string(peer.name()) +
                  " not sent: " + e.what());
  }
  if (!up) {
    {
      std::lock_guard lock(mutex);
      auto it = nodedowns_owed.find(peer);
      if (it != nodedowns_owed.end() && --it->second <= 0) nodedowns_owed.erase(it);
    }
    nodedown_sent.notify_all();
  }
}

}  // namespace otp::dist
