// Creating, running and ending processes.

#include <algorithm>

#include <otp/runtime/errors.hpp>

#include "runtime/fiber.hpp"
#include "runtime/node_state.hpp"
#include "runtime/process.hpp"
#include "runtime/receive_timer.hpp"

namespace otp::detail {
namespace {

// Messages a reactor handles in one turn before it lets the other processes of its scheduler run.
constexpr int reactor_batch = 64;

enum class reactor_outcome { idle, yielded, ended };

/// Marks a reactor as inside a callback, where it may block and so keep the fiber it runs on.
struct callback_scope {
  explicit callback_scope(process& p) noexcept : p_(p) { p_.in_callback = true; }
  ~callback_scope() { p_.in_callback = false; }
  process& p_;
};

/// Runs a reactor's loop for one turn. Between callbacks nothing of the process is on the stack,
/// so an exit signal found there ends it without an exception (`death` is set, `ended` returned).
reactor_outcome run_reactor(process& p, std::optional<term>& death) {
  reactor& r = *p.reactor_body;
  if (!p.started) {
    if ((death = take_signals(p))) return reactor_outcome::ended;
    p.started = true;
    callback_scope scope(p);
    r.on_start();
  }
  for (int turn = 0; turn < reactor_batch; ++turn) {
    if ((death = take_signals(p))) return reactor_outcome::ended;
    if (signal* m = p.mq.head()) {
      p.mq.remove(nullptr, m);
      term message = std::move(m->a);
      delete m;
      // A gen_server-style timeout measures inactivity: any message restarts it.
      disarm_receive_timer(p);
      callback_scope scope(p);
      r.on_message(std::move(message));
      continue;
    }
    if (p.timed_out) {
      p.timed_out = false;
      callback_scope scope(p);
      r.on_timeout();
      continue;
    }
    const timeout wait = r.receive_timeout();
    if (!wait.is_infinite() && !receive_timer_armed(p)) {
      if (wait.milliseconds() == 0) {
        p.timed_out = true;
        continue;
      }
      arm_receive_timer(p, wait);
    }
    return reactor_outcome::idle;
  }
  return reactor_outcome::yielded;
}

}  // namespace

pid process::self_pid() const noexcept { return node->make_pid(number); }

void wait_for_signal(process& p) {
  publish_backlog(p);
  current_scheduler()->switch_out(&p, switch_action::suspend);
}

namespace {
void yield_turn(process& p, switch_action::kind_t how = switch_action::yield) {
  publish_backlog(p);
  current_scheduler()->switch_out(&p, how);
  take_in_after_turn(p);
}
}  // namespace

void end_turn(process& p) { yield_turn(p); }

void take_in_after_turn(process& p) {
  // Back on a core: signals that came meanwhile take effect now, as when the BEAM schedules a
  // process in, so an exit ends a process that sends, spawns or calls in a loop and never
  // receives, and process_info gets its answer. Only when one came, or when the node bounds
  // queues (the bound must see such a process's mailbox): messages taken in here would count
  // as its backlog, and their senders would pay for it (a parent spawning workers that report
  // back made every worker yield, and each yield of a process running on a loop fiber takes a
  // new stack: fjcreate went from 0.3 to 33 us a spawn).
  if (p.control_signals.exchange(false, std::memory_order_acquire) ||
      p.node->options.max_message_queue_len != 0)
    drain_signals(p);
}

void charge_for_backlog(process& sender, const send_outcome& receiver) {
  sender.reductions += int32_t(std::min<uint32_t>(receiver.charge, reduction_budget));
  if (sender.reductions < reduction_budget) return;
  if (receiver.receiver_home == sender.home.load(std::memory_order_relaxed)) return yield_turn(sender);
  sender.home.store(receiver.receiver_home, std::memory_order_relaxed);
  sender.follows_receiver = true;
  yield_turn(sender, switch_action::yield_home);
}

ref new_ref(node_state& node) noexcept {
  // Each scheduler numbers the references its processes make (its index in the top bits): no
  // shared counter bouncing between cores on every call. Other threads share the node's.
  scheduler* here = current_scheduler();
  const uint64_t v = here != nullptr && &here->node() == &node
                         ? here->next_ref_id()
                         : node.next_ref.fetch_add(1, std::memory_order_relaxed);
  ref r;
  r.node = node.name;
  r.creation = node.creation;
  r.len = 3;
  r.ids = {uint32_t(v), uint32_t(v >> 32), 0, 0, 0};
  return r;
}

ref new_alias_ref(node_state& node, uint64_t owner) noexcept {
  ref r = new_ref(node);
  r.len = 4;
  r.ids[2] = uint32_t(owner);
  r.ids[3] = uint32_t(owner >> 32);
  return r;
}

bool run_inline(process* p) {
  std::optional<term> reason;
  try {
    if (p->reactor_body) {
      const reactor_outcome outcome = run_reactor(*p, reason);
      if (outcome == reactor_outcome::yielded) p->state.store(run_state::runnable, std::memory_order_relaxed);
      if (outcome != reactor_outcome::ended) return true;
    } else if (!(reason = take_signals(*p))) {
      // An exit signal that arrived before the first run ended the process before its body.
      p->started = true;
      p->body();
      // An exit that had to wait (it came while the body unwound from an exception it then
      // caught, and no receive came after) ends it now.
      reason = p->deferred_exit ? std::move(*p->deferred_exit) : term(atoms::normal);
    }
  } catch (...) {
    // exit/1, a fatal signal, erlang_error or any other exception: exception_reason knows each.
    reason = exception_reason(std::current_exception());
  }
  current_scheduler()->turn_ended(p->reductions, false);
  finish_process(p, std::move(*reason));
  return false;
}

void finish_process(process* p, term reason) noexcept {
  node_state& node = *p->node;
  const pid self = p->self_pid();
  p->exiting = true;
  // The body's destructors are the process's last code; they still run as the process.
  try {
    p->body = nullptr;
    p->reactor_body.reset();
  } catch (...) {
  }
  // Dead to the world from here: is_process_alive and process_count say so, and the name is
  // free, before anyone can see a DOWN or exit signal from it.
  node.table.mark_exiting(p);
  if (p->named.load(std::memory_order_relaxed)) node.names.remove_pid(self);
  drop_receive_timer(*p);
  p->mq.clear();

  // Exit signals and DOWNs go out while the process still takes signals in: a link or monitor
  // that reaches it meanwhile waits in its inbox and is answered below, after them. So a watcher
  // never gets an answer for a newer monitor (noproc) ahead of the DOWN this process sent it for
  // an older one, as Erlang's per-pair order promises.
  if (p->relations != nullptr) {
    process_relations& rel = *p->relations;
    for (const pid& linked : rel.links) {
      deliver_signal(node, linked, new signal(signal_kind::exit_linked, self, reason));
    }
    for (const auto& [r, watcher] : rel.monitored_by) {
      deliver_signal(node, watcher.from, new signal(signal_kind::down, self, term(r), reason));
    }
    for (const auto& [r, target] : rel.monitors) {
      deliver_signal(node, target.target, new signal(signal_kind::demonitor, self, term(r)));
    }
  }

  forget_node_watcher(*p);

  // Signals that arrived but were never handled are answered as for a missing process, but with
  // the real exit reason. Once the inbox is closed, senders answer for the process themselves.
  signal* left = p->pending;
  p->pending = nullptr;
  for (int pass = 0; pass < 2; ++pass) {
    while (left != nullptr) {
      signal* next = left->next;
      answer_missing_target(node, self, left, reason);
      left = next;
    }
    if (pass == 0) left = p->in.close();
  }
  node.table.remove(p);
  scheduler* s = current_scheduler();
  if (s != nullptr) s->current = nullptr;
  if (s != nullptr && &s->node() == &node) {
    s->retire(p);  // freed once no other scheduler can still be pushing into it
  } else {
    std::lock_guard<std::mutex> lock(node.retired_mutex);
    node.retired_elsewhere.push_back(p);
  }
  if (node.stopped.load(std::memory_order_acquire) && node.table.size() == 0) {
    std::lock_guard<std::mutex> lock(node.live_mutex);
    node.live_cv.notify_all();
  }
}

spawn_result spawn_process(node_state& node, process* parent, process_body body,
                           std::unique_ptr<reactor> reactor_body, const spawn_options& options) {
  if ((options.link || options.monitor) && parent == nullptr) throw not_in_process();
  auto* p = new process(node, 0);
  p->body = std::move(body);
  p->reactor_body = std::move(reactor_body);
  p->prio = options.priority;
  p->trap_exit = options.trap_exit;
  uint64_t number = 0;
  if (!node.table.insert(p, number)) {
    delete p;
    throw erlang_error(term(atoms::system_limit));
  }
  spawn_result result{node.make_pid(number), std::nullopt};
  // Link and monitor are set up before the child can run, so that no exit can slip between.
  if (parent != nullptr) {
    const pid parent_pid = parent->self_pid();
    if (options.link) {
      parent->rel().links.insert(result.pid);
      p->rel().links.insert(parent_pid);
    }
    if (options.monitor) {
      ref r = new_ref(node);
      parent->rel().monitors.emplace(r, monitor_target{result.pid, term()});
      p->rel().monitored_by.emplace(r, monitor_watcher{parent_pid});
      result.monitor = r;
    }
  }
  scheduler* here = current_scheduler();
  p->home.store(
      (here != nullptr && &here->node() == &node)
          ? here->index()
          : uint16_t(node.next_home.fetch_add(1, std::memory_order_relaxed) % node.schedulers.size()),
      std::memory_order_relaxed);
  node.schedule(p, false);
  return result;
}

}  // namespace otp::detail
