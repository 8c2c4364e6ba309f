// Signals from local processes to other nodes, written as control messages.

#include <otp/runtime/remote_route.hpp>

#include "dist/control.hpp"
#include "dist/dist_state.hpp"

namespace otp::dist {

namespace {

using detail::connection;
namespace op = detail::op;

class dist_route final : public remote_route {
 public:
  explicit dist_route(distributed_node::state& state) : state_(state) {}

  bool send(const pid& from, const pid& to, const term& message) override {
    (void)from;  // SEND carries no sender (we do not offer SEND_SENDER)
    auto c = state_.connection_to(to.node);
    if (!c) return false;
    if (is_old_incarnation(*c, to)) return true;  // a pid of a dead incarnation: dropped
    return c->send(tuple(op::send, atom(), to), &message);
  }

  bool send_named(const pid& from, atom name, atom node, const term& message) override {
    auto c = state_.connection_to(node);
    return c && c->send(tuple(op::reg_send, from, atom(), name), &message);
  }

  bool send_alias(const pid& from, const ref& alias, const term& message) override {
    auto c = state_.connection_to(alias.node);
    return c && c->send(tuple(op::alias_send, from, alias), &message);
  }

  bool link(const pid& from, const pid& to) override {
    auto c = state_.connection_to(to.node);
    return c && c->add_link(from, to) && c->send(tuple(op::link, from, to));
  }

  bool unlink(const pid& from, const pid& to) override {
    // A link lives on its connection: with none, there is no link left to undo.
    auto c = state_.existing_connection(to.node);
    if (!c) return true;
    c->remove_link(from, to);
    return c->send(tuple(op::unlink_id, term(c->next_unlink_id()), from, to));
  }

  bool exit(const pid& from, const pid& to, const term& reason, bool from_link) override {
    if (from_link) {
      // A link's exit goes over the link's connection; if that is gone, so is the link (it
      // fired noconnection here), and no connection is made just for this.
      auto c = state_.existing_connection(to.node);
      if (!c) return true;
      c->remove_link(from, to);
      return c->send(tuple(op::exit, from, to, reason));
    }
    auto c = state_.connection_to(to.node);  // exit/2 connects, as any signal does
    return c && c->send(tuple(op::exit2, from, to, reason));
  }

  bool monitor(const pid& from, const pid& to, const ref& monitor_ref) override {
    auto c = state_.connection_to(to.node);
    return c && c->add_outgoing_monitor(monitor_ref, {from, to}) &&
           c->send(tuple(op::monitor_p, from, to, monitor_ref));
  }

  bool monitor_named(const pid& from, atom name, atom node, const ref& monitor_ref) override {
    auto c = state_.connection_to(node);
    return c && c->add_outgoing_monitor(monitor_ref, {from, pid{node, 0, 0, 0}}) &&
           c->send(tuple(op::monitor_p, from, name, monitor_ref));
  }

  bool demonitor(const pid& from, const pid& to, const ref& monitor_ref) override {
    return demonitor_any(from, to.node, term(to), monitor_ref);
  }

  bool demonitor_named(const pid& from, atom name, atom node, const ref& monitor_ref) override {
    return demonitor_any(from, node, term(name), monitor_ref);
  }

  bool monitor_node(const pid& from, atom node) override {
    auto c = state_.connection_to(node);  // none for a name that is no node name: nodedown at once
    return c && c->add_node_watcher(from);
  }

  void demonitor_node(const pid& from, atom node) override {
    if (auto c = state_.existing_connection(node)) c->remove_node_watcher(from);
  }

  void monitor_nodes(const pid& from, bool on, const monitor_nodes_options& options) override {
    state_.monitor_nodes(from, on, options);
  }

  void forget_node_watcher(const pid& from) override { state_.forget_node_watcher(from); }

  bool busy(atom node) const override {
    auto c = state_.existing_connection(node);
    return c && c->busy();
  }

  bool down(const pid& from, const pid& to, const ref& monitor_ref, const term& reason) override {
    // Only over the connection the monitor came by: if that is gone, so is the watcher's interest.
    auto c = state_.existing_connection(to.node);
    if (!c) return true;
    auto m = c->take_incoming_monitor(monitor_ref);
    if (!m) return true;
    const term who = m->name ? term(*m->name) : term(from);
    return c->send(tuple(op::monitor_p_exit, who, to, monitor_ref, reason));
  }

 private:
  static bool is_old_incarnation(const connection& c, const pid& to) {
    return c.current_phase() == connection::phase::up && to.creation != c.peer_creation();
  }

  bool demonitor_any(const pid& from, atom node, const term& target, const ref& monitor_ref) {
    auto c = state_.existing_connection(node);
    if (!c) return true;  // the connection went down, and the monitor with it
    c->remove_outgoing_monitor(monitor_ref);
    return c->send(tuple(op::demonitor_p, from, target, monitor_ref));
  }

  distributed_node::state& state_;
};

}  // namespace

std::shared_ptr<remote_route> make_route(distributed_node::state& state) {
  return std::make_shared<dist_route>(state);
}

}  // namespace otp::dist
