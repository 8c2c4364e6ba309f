// A process acting on the signals it has received: Erlang's exit-signal rules live here.

#include <otp/runtime/errors.hpp>

#include "runtime/node_state.hpp"
#include "runtime/process.hpp"
#include "runtime/process_info_reply.hpp"
#include "runtime/receive_timer.hpp"

namespace otp::detail {

void end_monitor_alias(process& p, const ref& monitor_ref) noexcept {
  if (p.relations == nullptr) return;
  auto it = p.relations->aliases.find(monitor_ref);
  if (it != p.relations->aliases.end() && it->second != monitor_alias::explicit_unalias) {
    p.relations->aliases.erase(it);
  }
}

bool remove_monitor(process& p, const ref& monitor_ref, const term* ref_term) {
  if (p.relations == nullptr) return false;
  auto it = p.relations->monitors.find(monitor_ref);
  if (it == p.relations->monitors.end()) return false;
  const monitor_target target = std::move(it->second);
  p.relations->monitors.erase(it);
  end_monitor_alias(p, monitor_ref);
  const bool remote_name = target.name.is_tuple(2) && !p.node->is_local(target.target);
  if (!remote_name) {
    deliver_signal(
        *p.node, target.target,
        new signal(signal_kind::demonitor, p.self_pid(), ref_term ? *ref_term : term(monitor_ref)));
  } else if (auto route = p.node->remote()) {
    route->demonitor_named(p.self_pid(), target.name[0].as_atom(), target.name[1].as_atom(), monitor_ref);
  }
  return true;
}

namespace {

/// Applies an exit signal (Erlang's rules, in order):
///  1. exit/2 with reason kill cannot be trapped: the receiver ends with reason killed;
///  2. a process trapping exits gets {'EXIT', From, Reason} as a message;
///  3. reason normal is ignored, except exit(self(), normal), which ends the caller;
///  4. any other reason ends the receiver with that reason.
/// Returns the reason the process must end with, or nullopt. `s` becomes the message in case 2.
std::optional<term> apply_exit(process& p, signal* s, bool from_link, bool& keep_signal) {
  keep_signal = false;
  const term& reason = s->a;
  if (!from_link && reason.is_atom(atoms::kill)) return term(atoms::killed);
  if (p.trap_exit) {
    s->kind = signal_kind::message;
    s->a = tuple(atoms::EXIT, s->from, reason);
    p.mq.append(s);
    keep_signal = true;
    return std::nullopt;
  }
  if (reason.is_atom(atoms::normal)) {
    if (!from_link && s->from == p.self_pid()) return term(atoms::normal);
    return std::nullopt;
  }
  return reason;
}

/// Acts on one signal; returns a reason when the signal ends the process.
std::optional<term> handle_signal(process& p, signal* s) {
  bool keep = false;
  std::optional<term> death;
  switch (s->kind) {
    case signal_kind::message:
      p.mq.append(s);
      return std::nullopt;
    case signal_kind::exit_linked:
      // Only a live link carries an exit: after unlink/1 returns, the old link has no effect.
      if (p.relations == nullptr || p.relations->links.erase(s->from) == 0) break;
      death = apply_exit(p, s, true, keep);
      break;
    case signal_kind::exit:
      death = apply_exit(p, s, false, keep);
      break;
    case signal_kind::link:
      p.rel().links.insert(s->from);
      break;
    case signal_kind::unlink:
      if (p.relations != nullptr) p.relations->links.erase(s->from);
      p.trim_relations();
      break;
    case signal_kind::monitor:
      p.rel().monitored_by.emplace(s->a.as_ref(), monitor_watcher{s->from, s->ends_at_reply});
      break;
    case signal_kind::monitored_message:
      p.rel().monitored_by.emplace(s->b.as_ref(), monitor_watcher{s->from, s->ends_at_reply});
      s->kind = signal_kind::message;
      s->b = term();
      p.mq.append(s);
      return std::nullopt;
    case signal_kind::demonitor:
      if (p.relations != nullptr) p.relations->monitored_by.erase(s->a.as_ref());
      p.trim_relations();
      break;
    case signal_kind::down: {
      // A DOWN for a monitor already removed by demonitor is dropped: demonitor/1 promises that
      // no DOWN message follows it.
      if (p.relations == nullptr) break;
      auto it = p.relations->monitors.find(s->a.as_ref());
      if (it == p.relations->monitors.end()) break;
      term who = it->second.name.is_nil() ? term(s->from) : it->second.name;
      p.relations->monitors.erase(it);
      end_monitor_alias(p, s->a.as_ref());
      s->kind = signal_kind::message;
      s->a = tuple(atoms::DOWN, s->a, atoms::process, who, s->b);
      s->b = term();
      p.mq.append(s);
      return std::nullopt;
    }
    case signal_kind::receive_timeout:
      if (receive_timer_armed(p) && s->a.is_small() && uint64_t(s->a.small_value()) == p.receive_seq) {
        drop_receive_timer(p);
        p.timed_out = true;
      }
      break;
    case signal_kind::info_request:
      reply_process_info(p, s->from, s->a);
      break;
    case signal_kind::wake:
      break;
    case signal_kind::alias_message: {
      // Only an active alias lets the message in; one ended by unalias or demonitor drops it.
      if (p.relations == nullptr) break;
      const ref alias = s->a.as_ref();
      auto it = p.relations->aliases.find(alias);
      if (it == p.relations->aliases.end()) break;
      if (it->second == monitor_alias::reply_demonitor) {
        p.relations->aliases.erase(it);
        if (s->ends_at_reply) {
          // The monitored process sent it and has dropped the monitor already.
          p.relations->monitors.erase(alias);
        } else {
          remove_monitor(p, alias);
        }
      }
      s->kind = signal_kind::message;
      s->a = std::move(s->b);
      s->b = term();
      p.mq.append(s);
      return std::nullopt;
    }
  }
  if (!keep) delete s;
  if (death && exit_must_wait(p)) {
    // The first reason is the one that counts when several come meanwhile.
    if (!p.deferred_exit) p.deferred_exit = std::move(death);
    return std::nullopt;
  }
  return death;
}

/// The reason a process ends with when its queue is over node_options::max_message_queue_len.
std::optional<term> over_queue_limit(const process& p) {
  const std::size_t limit = p.node->options.max_message_queue_len;
  if (limit == 0 || p.mq.size() <= limit) [[likely]]
    return std::nullopt;
  return tuple(atom("max_message_queue_len"), int64_t(limit));
}

}  // namespace

std::optional<term> take_signals(process& p) {
  if (p.deferred_exit && !exit_must_wait(p)) [[unlikely]] {
    std::optional<term> death = std::move(p.deferred_exit);
    p.deferred_exit.reset();
    return death;
  }
  signal* newest = p.in.take_all_newest_first();
  if (newest == nullptr) return std::nullopt;
  // One walk puts the batch in order and sees whether it holds anything but messages. Most
  // batches do not: they join the message queue as one chain, with no per-signal work.
  signal* s = nullptr;
  std::size_t count = 0;
  bool only_messages = true;
  for (signal* next = newest; next != nullptr; ++count) {
    signal* older = next->next;
    only_messages &= next->kind == signal_kind::message;
    next->next = s;
    s = next;
    next = older;
  }
  if (only_messages) {
    p.mq.append_chain(s, newest, count);
    publish_backlog(p);
    return over_queue_limit(p);
  }
  while (s != nullptr) {
    signal* next = s->next;
    if (std::optional<term> death = handle_signal(p, s)) {
      // The rest are answered as signals to a dead process when the process finishes.
      p.pending = next;
      return death;
    }
    s = next;
  }
  publish_backlog(p);
  return over_queue_limit(p);
}

void drain_arrived_signals(process& p) {
  if (std::optional<term> death = take_signals(p)) throw exit_signal_exception(std::move(*death));
}

}  // namespace otp::detail
