// monitor_node and monitor_nodes: the process side. The remote route (the distribution) keeps
// who watches which node; the process only remembers that it watches some, so that its exit tells
// the route to forget it.

#include <otp/runtime/node_monitor.hpp>

#include <otp/runtime/errors.hpp>
#include <otp/runtime/process.hpp>
#include <otp/runtime/remote_route.hpp>

#include "runtime/node_state.hpp"
#include "runtime/process.hpp"

namespace otp {

bool monitor_node(atom node_name, bool on) {
  detail::process& p = detail::current_process();
  std::shared_ptr<remote_route> route = p.node->remote();
  if (!route) throw erlang_error(term(atom("notalive")));
  // The local node never goes down for its own processes: Erlang records nothing for it.
  if (node_name == p.node->name) return true;
  const pid me = p.self_pid();
  if (!on) {
    route->demonitor_node(me, node_name);
    return true;
  }
  p.watches_nodes = true;
  if (!route->monitor_node(me, node_name)) send(me, tuple(atom("nodedown"), node_name));
  return true;
}

void monitor_nodes(bool on, const monitor_nodes_options& options) {
  detail::process& p = detail::current_process();
  std::shared_ptr<remote_route> route = p.node->remote();
  if (!route) return;
  if (on) p.watches_nodes = true;
  route->monitor_nodes(p.self_pid(), on, options);
}

namespace detail {

void forget_node_watcher(process& p) noexcept {
  if (!p.watches_nodes) return;
  try {
    if (std::shared_ptr<remote_route> route = p.node->remote()) route->forget_node_watcher(p.self_pid());
  } catch (...) {
    // An exiting process has nobody to tell: at worst the route sends a nodedown to a dead pid.
  }
}

}  // namespace detail

}  // namespace otp
