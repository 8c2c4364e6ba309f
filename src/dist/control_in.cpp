// Control messages from a peer, turned into signals for local processes. A peer can only reach
// this node's processes: a pid of any other node in a control message is ignored, so a hostile
// peer cannot make us forward signals.

#include <stdexcept>

#include "dist/connection.hpp"
#include "dist/control.hpp"

namespace otp::dist::detail {

namespace {

/// The fields of one control tuple, checked as they are read.
class fields {
 public:
  fields(const term& control, std::size_t arity) : control_(control) {
    if (control.tuple_size() != arity) {
      throw std::invalid_argument("control message " + to_string(control) + " has the wrong arity");
    }
  }
  pid pid_at(std::size_t i) const { return checked(i, control_[i].is_pid()).as_pid(); }
  ref ref_at(std::size_t i) const { return checked(i, control_[i].is_ref()).as_ref(); }
  atom atom_at(std::size_t i) const { return checked(i, control_[i].is_atom()).as_atom(); }
  const term& operator[](std::size_t i) const { return control_[i]; }

 private:
  const term& checked(std::size_t i, bool ok) const {
    if (!ok)
      throw std::invalid_argument("control message " + to_string(control_) + ": bad field " +
                                  std::to_string(i));
    return control_[i];
  }
  const term& control_;
};

const term& need_payload(const term* payload) {
  if (payload == nullptr) throw std::invalid_argument("send without a message");
  return *payload;
}

}  // namespace

void handle_control(connection& from, otp::node& local, const term& control, const term* payload) {
  if (!control.is_tuple() || control.tuple_size() == 0 || !control[0].is_small()) {
    throw std::invalid_argument("control message is not a tuple led by an operation: " + to_string(control));
  }
  const atom here = local.name();
  auto is_here = [&](const pid& p) { return p.node == here; };
  const int64_t code = control[0].small_value();
  switch (code) {
    case op::send:
    case op::send_tt: {  // {2, '', To} / {12, '', To, Token}
      const fields f(control, code == op::send ? 3 : 4);
      const pid to = f.pid_at(2);
      const pid unknown_sender{from.peer(), 0, 0, from.peer_creation()};
      if (is_here(to)) local.deliver_send(unknown_sender, to, need_payload(payload));
      return;
    }
    case op::reg_send:
    case op::reg_send_tt: {  // {6, From, '', Name} / {16, From, '', Name, Token}
      const fields f(control, code == op::reg_send ? 4 : 5);
      // A message to a name nobody holds is dropped, as erts drops it.
      local.deliver_send_named(f.pid_at(1), f.atom_at(3), need_payload(payload));
      return;
    }
    case op::alias_send:
    case op::alias_send_tt: {  // {33, From, Alias} / {34, From, Alias, Token}
      const fields f(control, code == op::alias_send ? 3 : 4);
      const ref alias = f.ref_at(2);
      if (alias.node == here) local.deliver_alias_send(f.pid_at(1), alias, need_payload(payload));
      return;
    }
    case op::link: {  // {1, From, To}
      const fields f(control, 3);
      const pid remote = f.pid_at(1), target = f.pid_at(2);
      if (!is_here(target)) return;
      if (from.add_link(target, remote)) local.deliver_link(remote, target);
      return;
    }
    case op::exit:
    case op::exit_tt: {  // {3, From, To, Reason} / {13, From, To, Token, Reason}
      const fields f(control, code == op::exit ? 4 : 5);
      const pid remote = f.pid_at(1), target = f.pid_at(2);
      if (!is_here(target)) return;
      from.remove_link(target, remote);
      local.deliver_exit(remote, target, f[code == op::exit ? 3 : 4], true);
      return;
    }
    case op::exit2:
    case op::exit2_tt: {  // {8, From, To, Reason} / {18, From, To, Token, Reason}
      const fields f(control, code == op::exit2 ? 4 : 5);
      const pid target = f.pid_at(2);
      if (is_here(target)) local.deliver_exit(f.pid_at(1), target, f[code == op::exit2 ? 3 : 4], false);
      return;
    }
    case op::unlink_id: {  // {35, Id, From, To}: acknowledged before anything else goes back
      const fields f(control, 4);
      const pid remote = f.pid_at(2), target = f.pid_at(3);
      from.send(tuple(op::unlink_id_ack, f[1], target, remote));
      if (!is_here(target)) return;
      from.remove_link(target, remote);
      local.deliver_unlink(remote, target);
      return;
    }
    case op::unlink_id_ack:  // our unlink is complete; no state waits for it
    case op::group_leader:   // no group leaders (no I/O servers) on this node yet
      return;
    case op::monitor_p: {  // {19, From, PidOrName, Ref}
      const fields f(control, 4);
      const pid watcher = f.pid_at(1);
      const ref r = f.ref_at(3);
      std::optional<atom> name;
      std::optional<pid> target;
      if (f[2].is_atom()) {
        name = f[2].as_atom();
        target = local.whereis(*name);
      } else if (pid p = f.pid_at(2); is_here(p)) {
        target = p;
      }
      if (!target) {
        // Nobody by that name (or a pid not of this node): the DOWN comes at once.
        from.send(tuple(op::monitor_p_exit, f[2], watcher, r, atoms::noproc));
        return;
      }
      if (from.add_incoming_monitor(r, incoming_monitor{watcher, *target, name})) {
        local.deliver_monitor(watcher, *target, r);
      }
      return;
    }
    case op::demonitor_p: {  // {20, From, PidOrName, Ref}
      const fields f(control, 4);
      const ref r = f.ref_at(3);
      if (auto m = from.take_incoming_monitor(r)) local.deliver_demonitor(m->watcher, m->target, r);
      return;
    }
    case op::monitor_p_exit: {  // {21, PidOrName, Watcher, Ref, Reason}
      const fields f(control, 5);
      const pid watcher = f.pid_at(2);
      const ref r = f.ref_at(3);
      from.remove_outgoing_monitor(r);
      // For a monitor by name the watcher's own record holds {Name, Node} for the DOWN.
      const pid monitored = f[1].is_pid() ? f[1].as_pid() : pid{from.peer(), 0, 0, 0};
      if (is_here(watcher)) local.deliver_down(monitored, watcher, r, f[4]);
      return;
    }
    case op::spawn_request:
    case op::spawn_request_tt: {  // {29, ReqId, From, GroupLeader, {M, F, Arity}, Opts} (+ Token)
      const fields f(control, code == op::spawn_request ? 6 : 7);
      const pid requester = f.pid_at(2);
      // Only a process of the peer may ask (the reply and the monitor go back over this connection).
      if (requester.node != from.peer())
        throw std::invalid_argument("spawn request from a pid of another node");
      from.spawn_request(f.ref_at(1), requester, f[4], f[5], need_payload(payload));
      return;
    }
    default:
      // An operation we did not offer the flags for (SEND_SENDER, PAYLOAD_EXIT, ...) or one from a
      // newer OTP: ignored rather than taking the connection down.
      return;
  }
}

}  // namespace otp::dist::detail
