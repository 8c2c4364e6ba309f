// Erlang's process BIFs: spawning, sending, exits, links, monitors, flags and names.

#include <otp/runtime/process.hpp>

#include "runtime/node_state.hpp"
#include "runtime/process.hpp"
#include "runtime/process_info_reply.hpp"

namespace otp {

using detail::current_process;
using detail::deliver_signal;
using detail::signal;
using detail::signal_kind;

pid self() { return current_process().self_pid(); }

bool in_process() noexcept { return detail::current_process_or_null() != nullptr; }

// ---- spawning ------------------------------------------------------------------------------------------

spawn_result spawn_opt(process_body body, const spawn_options& options) {
  detail::process& p = current_process();
  // A spawn costs a reduction, as a send does: a process spawning in a loop lets its children
  // (and everybody else) run, and takes its own signals in, at the end of each turn. Counted
  // before the child exists, so that a turn ending here never runs a child its parent has not
  // yet told what to do (spawn, then send it its work: it would block and take a stack).
  detail::consume_reduction(p);
  return detail::spawn_process(*p.node, &p, std::move(body), nullptr, options);
}

pid spawn(process_body body) { return spawn_opt(std::move(body), {}).pid; }

pid spawn_link(process_body body) {
  spawn_options options;
  options.link = true;
  return spawn_opt(std::move(body), options).pid;
}

std::pair<pid, ref> spawn_monitor(process_body body) {
  spawn_options options;
  options.monitor = true;
  spawn_result r = spawn_opt(std::move(body), options);
  return {r.pid, *r.monitor};
}

spawn_result spawn_reactor(std::unique_ptr<reactor> body, const spawn_options& options) {
  detail::process& p = current_process();
  detail::consume_reduction(p);  // first, as in spawn_opt
  return detail::spawn_process(*p.node, &p, nullptr, std::move(body), options);
}

// ---- messages ------------------------------------------------------------------------------------------

namespace {

/// After a message to another node: while the route says that node's connection is busy, the
/// sender waits (erts suspends a process sending to a busy distribution port), so that a fast
/// sender cannot queue unbounded memory in front of a slow link.
void wait_while_remote_busy(detail::process& p, atom node) {
  std::shared_ptr<remote_route> route = p.node->remote();
  while (route && route->busy(node)) sleep(timeout::ms(1));
}

}  // namespace

void send(const pid& to, term message) {
  // The send's reduction is counted after it, so that the scheduler looked up here is still the
  // process's own when the send uses it (a turn that ends may go on elsewhere).
  detail::scheduler& here = detail::running_scheduler();
  detail::process& p = *here.current;
  const detail::send_outcome sent = detail::send_message(p, here, to, std::move(message));
  if (sent.charge != 0) {
    ++p.reductions;
    detail::charge_for_backlog(p, sent);
  } else {
    detail::consume_reduction(p);
    if (!p.node->is_local(to)) wait_while_remote_busy(p, to.node);
  }
}

void send(atom registered_name, term message) {
  detail::process& p = current_process();
  std::optional<pid> to = p.node->names.find(registered_name);
  if (!to) throw erlang_error(term(atoms::badarg));
  send(*to, std::move(message));
}

void send(atom registered_name, atom node_name, term message) {
  detail::process& p = current_process();
  if (node_name == p.node->name) return send(registered_name, std::move(message));
  // {Name, Node} ! Msg never fails, even when the node cannot be reached.
  if (auto route = p.node->remote()) {
    route->send_named(p.self_pid(), registered_name, node_name, message);
    wait_while_remote_busy(p, node_name);
  }
}

// ---- exits and links -----------------------------------------------------------------------------------

void exit(term reason) { throw exit_exception(std::move(reason)); }

void exit(const pid& target, term reason) {
  detail::process& p = current_process();
  const pid me = p.self_pid();
  deliver_signal(*p.node, target, new signal(signal_kind::exit, me, std::move(reason)));
  // A signal to oneself takes effect before exit/2 returns.
  if (target == me) detail::drain_signals(p);
  detail::consume_reduction(p);
}

void link(const pid& target) {
  detail::process& p = current_process();
  const pid me = p.self_pid();
  if (target == me) return;
  // Counted first: the link is in place when link/1 returns, and a turn ending here leaves none
  // half made.
  detail::consume_reduction(p);
  auto& links = p.rel().links;
  if (links.contains(target)) return;
  if (p.node->is_local(target)) {
    auto* s = new signal(signal_kind::link, me);
    if (!detail::push_local(*p.node, target, s)) {
      delete s;
      if (!p.trap_exit) throw erlang_error(term(atoms::noproc));
      // A trapping caller is told with the exit message a dead link would send.
      p.mq.append(new signal(signal_kind::message, target, tuple(atoms::EXIT, target, atoms::noproc)));
      return;
    }
    links.insert(target);
    return;
  }
  links.insert(target);
  deliver_signal(*p.node, target, new signal(signal_kind::link, me));
}

void unlink(const pid& target) {
  detail::process& p = current_process();
  detail::consume_reduction(p);
  if (p.relations == nullptr || p.relations->links.erase(target) == 0) return;
  deliver_signal(*p.node, target, new signal(signal_kind::unlink, p.self_pid()));
}

bool trap_exit(bool value) {
  detail::process& p = current_process();
  const bool old = p.trap_exit;
  p.trap_exit = value;
  return old;
}

bool trapping_exits() { return current_process().trap_exit; }

priority set_priority(priority value) {
  detail::process& p = current_process();
  return std::exchange(p.prio, value);
}

// ---- monitors ------------------------------------------------------------------------------------------

ref monitor(const pid& target) { return monitor(target, monitor_alias::none); }

ref monitor(const pid& target, monitor_alias alias_mode) { return monitor_term(target, alias_mode).as_ref(); }

namespace {

/// A new monitor's reference; one that is also an alias names this process too.
ref new_monitor_ref(detail::process& p, monitor_alias alias_mode) {
  return alias_mode != monitor_alias::none ? detail::new_alias_ref(*p.node, p.number)
                                           : detail::new_ref(*p.node);
}

/// The monitor's record (and its alias's) on this side; the target learns of it by a signal.
void record_monitor(detail::process& p, const ref& r, const pid& target, monitor_alias alias_mode) {
  detail::process_relations& rel = p.rel();
  if (alias_mode != monitor_alias::none) rel.aliases.emplace(r, alias_mode);
  rel.monitors.emplace(r, detail::monitor_target{target, term()});
}

}  // namespace

term monitor_term(const pid& target, monitor_alias alias_mode) {
  detail::process& p = current_process();
  // Counted first, as send_monitored does: no monitor is half made when a turn ends.
  detail::consume_reduction(p);
  const ref r = new_monitor_ref(p, alias_mode);
  term ref_term(r);
  record_monitor(p, r, target, alias_mode);
  auto* s = new signal(signal_kind::monitor, p.self_pid(), ref_term);
  s->ends_at_reply = alias_mode == monitor_alias::reply_demonitor;
  deliver_signal(*p.node, target, s);
  return ref_term;
}

ref send_monitored(const pid& target, monitor_alias alias_mode,
                   detail::function_ref<term(const term& monitor_ref)> make_message) {
  detail::process& p = current_process();
  detail::consume_reduction(p);
  const ref r = new_monitor_ref(p, alias_mode);
  term ref_term(r);
  // Built before anything is recorded: if it throws, no monitor is left behind.
  term message = make_message(ref_term);
  record_monitor(p, r, target, alias_mode);
  auto* s = new signal(signal_kind::monitored_message, p.self_pid(), std::move(message), std::move(ref_term));
  s->ends_at_reply = alias_mode == monitor_alias::reply_demonitor;
  deliver_signal(*p.node, target, s);
  return r;
}

ref alias() {
  detail::process& p = current_process();
  ref r = detail::new_alias_ref(*p.node, p.number);
  p.rel().aliases.emplace(r, monitor_alias::explicit_unalias);
  return r;
}

bool unalias(const ref& alias_ref) {
  detail::process& p = current_process();
  return p.relations != nullptr && p.relations->aliases.erase(alias_ref) > 0;
}

void send(const ref& alias_ref, term message) { send(term(alias_ref), std::move(message)); }

void send(const term& destination, term message) {
  if (destination.is_pid()) return send(destination.as_pid(), std::move(message));
  if (destination.is_atom()) return send(destination.as_atom(), std::move(message));
  if (destination.is_tuple(2) && destination[0].is_atom() && destination[1].is_atom())
    return send(destination[0].as_atom(), destination[1].as_atom(), std::move(message));
  if (!destination.is_ref()) throw erlang_error(term(atoms::badarg));
  detail::process& p = current_process();
  detail::consume_reduction(p);
  // The reply a reply_demonitor monitor waits for, sent by the monitored process itself: the
  // monitor ends with it, so it is dropped here and the message tells the receiver so.
  bool ends_monitor = false;
  if (p.relations != nullptr) {
    auto& watchers = p.relations->monitored_by;
    auto it = watchers.find(destination.as_ref());
    if (it != watchers.end() && it->second.ends_at_reply) {
      watchers.erase(it);
      p.trim_relations();
      ends_monitor = true;
    }
  }
  detail::send_to_alias(*p.node, p.self_pid(), destination, std::move(message), ends_monitor);
}

ref monitor(atom registered_name) {
  detail::process& p = current_process();
  detail::consume_reduction(p);
  ref r = detail::new_ref(*p.node);
  term name = tuple(registered_name, p.node->name);
  std::optional<pid> target = p.node->names.find(registered_name);
  // An unregistered name is answered at once with a DOWN naming {Name, Node}, reason noproc.
  const pid to = target ? *target : pid{p.node->name, 0, 0, p.node->creation + 1};
  p.rel().monitors.emplace(r, detail::monitor_target{to, name});
  deliver_signal(*p.node, to, new signal(signal_kind::monitor, p.self_pid(), term(r), name));
  return r;
}

ref monitor(atom registered_name, atom node_name) {
  return monitor(registered_name, node_name, monitor_alias::none);
}

ref monitor(atom registered_name, atom node_name, monitor_alias alias_mode) {
  detail::process& p = current_process();
  if (node_name == p.node->name) {
    if (alias_mode == monitor_alias::none) return monitor(registered_name);
    std::optional<pid> target = p.node->names.find(registered_name);
    return monitor(target ? *target : pid{p.node->name, 0, 0, p.node->creation + 1}, alias_mode);
  }
  ref r = new_monitor_ref(p, alias_mode);
  if (alias_mode != monitor_alias::none) p.rel().aliases.emplace(r, alias_mode);
  // The pid behind the name is known only on the other node; the record keeps the node for
  // demonitor and the name for the DOWN message.
  p.rel().monitors.emplace(
      r, detail::monitor_target{pid{node_name, 0, 0, 0}, tuple(registered_name, node_name)});
  bool sent = false;
  if (auto route = p.node->remote()) sent = route->monitor_named(p.self_pid(), registered_name, node_name, r);
  if (!sent) {
    const pid unreachable{node_name, 0, 0, 0};
    deliver_signal(*p.node, p.self_pid(),
                   new signal(signal_kind::down, unreachable, term(r), term(atoms::noconnection)));
  }
  return r;
}

namespace {

/// demonitor/2; `ref_term` is the reference as a term when the caller has one (the demonitor
/// signal then shares it), else nullptr.
bool demonitor(const ref& monitor_ref, const term* ref_term, bool flush) {
  detail::process& p = current_process();
  detail::consume_reduction(p);
  const bool active = detail::remove_monitor(p, monitor_ref, ref_term);
  p.trim_relations();
  if (flush) {
    detail::drain_signals(p);
    signal* prev = nullptr;
    for (signal* m = p.mq.head(); m != nullptr;) {
      signal* next = m->next;
      if (m->a.is_tuple(5) && m->a[0].is_atom(atoms::DOWN) && m->a[1].is_ref() &&
          m->a[1].as_ref() == monitor_ref) {
        p.mq.remove(prev, m);
        delete m;
      } else {
        prev = m;
      }
      m = next;
    }
  }
  return active;
}

}  // namespace

bool demonitor(const ref& monitor_ref, bool flush) { return demonitor(monitor_ref, nullptr, flush); }

bool demonitor(const term& monitor_ref, bool flush) {
  if (!monitor_ref.is_ref()) throw erlang_error(term(atoms::badarg));
  return demonitor(monitor_ref.as_ref(), &monitor_ref, flush);
}

// ---- names
// -------------------------------------------------------------------------------------------------

bool register_name(atom name, const pid& target) {
  detail::process& p = current_process();
  detail::node_state& node = *p.node;
  if (name == atoms::undefined || !node.is_local(target)) return false;
  // The liveness check marks the process as named while its slot is locked: if it exits after
  // this, its exit sees the mark and removes the name; if before, the check fails.
  return node.names.add(name, target, [&] {
    return node.with_live_local_process(
        target, [](detail::process* t) { t->named.store(true, std::memory_order_relaxed); });
  });
}

bool unregister_name(atom name) { return current_process().node->names.remove(name); }

std::optional<pid> whereis(atom name) { return current_process().node->names.find(name); }

std::vector<atom> registered() { return current_process().node->names.names(); }

// ---- inspection
// ----------------------------------------------------------------------------------------------

bool is_process_alive(const pid& target) {
  detail::process& p = current_process();
  // A reduction, as every BIF costs one: a loop waiting for a process to end lets it run.
  detail::consume_reduction(p);
  return p.node->is_live_local(target);
}

unsigned scheduler_id() {
  (void)current_process();  // throws not_in_process outside a process
  return unsigned(detail::current_scheduler()->index()) + 1;
}

std::optional<process_info_t> process_info(const pid& target) {
  detail::process& p = current_process();
  const pid me = p.self_pid();
  if (target == me) return detail::describe_process(p);
  // The status is read as the request leaves: by the time the answer comes, the target is running.
  atom status = atoms::waiting;
  const bool alive = p.node->with_live_local_process(target, [&](detail::process* t) {
    switch (t->state.load(std::memory_order_relaxed)) {
      case detail::run_state::waiting:
        status = atoms::waiting;
        break;
      case detail::run_state::runnable:
        status = atoms::runnable;
        break;
      case detail::run_state::running:
        status = atoms::running;
        break;
    }
  });
  if (!alive) return std::nullopt;
  // The target answers {Ref, Info}; if it is gone before it can, the runtime answers
  // {Ref, undefined} for it, so no monitor is needed (and none shows up in the answer).
  const term reply_ref(detail::new_ref(*p.node));
  deliver_signal(*p.node, target, new signal(signal_kind::info_request, me, reply_ref));
  term answer = *receive([&](const term& m) { return m.is_tuple(2) && m[0] == reply_ref; }, infinity);
  const process_info_t* described = answer[1].opaque_get<process_info_t>();
  if (described == nullptr) return std::nullopt;
  process_info_t info = *described;
  info.status = status;
  return info;
}

ref make_ref() { return detail::new_ref(*current_process().node); }

// ---- the process dictionary ----------------------------------------------------------------------------

term put(term key, term value) {
  detail::process& p = current_process();
  if (p.dictionary == nullptr) p.dictionary = std::make_unique<detail::process_dictionary>();
  std::optional<term> old = p.dictionary->put(std::move(key), std::move(value));
  return old ? std::move(*old) : term(atoms::undefined);
}

term get(const term& key) {
  detail::process& p = current_process();
  const term* value = p.dictionary == nullptr ? nullptr : p.dictionary->find(key);
  return value == nullptr ? term(atoms::undefined) : *value;
}

term erase(const term& key) {
  detail::process& p = current_process();
  if (p.dictionary == nullptr) return term(atoms::undefined);
  std::optional<term> old = p.dictionary->erase(key);
  if (p.dictionary->empty()) p.dictionary.reset();
  return old ? std::move(*old) : term(atoms::undefined);
}

std::vector<std::pair<term, term>> get_dictionary() {
  detail::process& p = current_process();
  if (p.dictionary == nullptr) return {};
  return p.dictionary->items();
}

}  // namespace otp
