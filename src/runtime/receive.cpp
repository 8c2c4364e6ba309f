// Selective receive, sleep and yield.

#include <otp/runtime/process.hpp>

#include "runtime/node_state.hpp"
#include "runtime/process.hpp"
#include "runtime/receive_timer.hpp"

namespace otp {
namespace detail {

/// Erlang's receive: scans the mailbox oldest first; messages that do not match stay where they
/// are. While waiting, only messages that arrived since the last scan are tested again.
std::optional<term> receive_matching(process& p, const std::function<bool(const term&)>* match,
                                     timeout after) {
  consume_reduction(p);
  signal* scanned = nullptr;  // the last message this receive has already tested
  bool armed = false;
  for (;;) {
    drain_signals(p);
    signal* prev = scanned;
    for (signal* m = scanned ? scanned->next : p.mq.head(); m != nullptr; prev = m, m = m->next) {
      if (match == nullptr || (*match)(m->a)) {
        p.mq.remove(prev, m);
        term message = std::move(m->a);
        delete m;
        if (armed) disarm_receive_timer(p);
        return message;
      }
    }
    scanned = prev;
    if (armed && p.timed_out) {
      disarm_receive_timer(p);
      return std::nullopt;
    }
    if (!after.is_infinite() && !armed) {
      if (after.milliseconds() == 0) return std::nullopt;
      arm_receive_timer(p, after);
      armed = true;
    }
    wait_for_signal(p);
  }
}

}  // namespace detail

std::optional<term> receive(const std::function<bool(const term&)>& match, timeout after) {
  return detail::receive_matching(detail::current_process(), &match, after);
}

term receive() {
  // receive_matching without a pattern or a timer: the oldest message, waiting for one if need be.
  detail::process& p = detail::current_process();
  detail::consume_reduction(p);
  for (;;) {
    detail::drain_signals(p);
    if (detail::signal* m = p.mq.head()) {
      p.mq.remove(nullptr, m);
      term message = std::move(m->a);
      delete m;
      return message;
    }
    detail::wait_for_signal(p);
  }
}

std::optional<term> receive(timeout after) {
  return detail::receive_matching(detail::current_process(), nullptr, after);
}

void sleep(timeout duration) {
  static const std::function<bool(const term&)> nothing = [](const term&) { return false; };
  detail::receive_matching(detail::current_process(), &nothing, duration);
}

void yield() {
  detail::process& p = detail::current_process();
  detail::current_scheduler()->switch_out(&p, detail::switch_action::yield);
  detail::take_in_after_turn(p);
}

}  // namespace otp
