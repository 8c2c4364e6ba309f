#pragma once
// The timer behind `receive ... after T` and a reactor's inactivity timeout, kept in the wheel of
// the scheduler it was armed on (timer_wheel.hpp). Each arming gets a new sequence number, so a
// timeout signal that was already in flight when the timer was disarmed is recognised as stale
// and ignored.

#include <algorithm>
#include <chrono>

#include <otp/runtime/timeout.hpp>

#include "runtime/node_state.hpp"
#include "runtime/process.hpp"

namespace otp::detail {

/// Arms the running process's receive timer on the scheduler running it.
inline void arm_receive_timer(process& p, timeout after) {
  ++p.receive_seq;
  p.timed_out = false;
  scheduler& here = *current_scheduler();
  // Far enough that no run reaches it, and far from overflowing the clock's ticks.
  constexpr int64_t longest_ms = int64_t(1) << 40;
  const int64_t ms = std::min(after.milliseconds(), longest_ms);
  auto* t = new receive_timer;
  t->deadline = deadline_after(ms);
  t->number = p.number;
  t->seq = p.receive_seq;
  t->wheel = here.index();
  here.timers().arm(t);
  p.timer = t;
}

/// Takes the timer out of its wheel (unless it fired) and frees it.
inline void drop_receive_timer(process& p) noexcept {
  receive_timer* t = p.timer;
  if (t == nullptr) return;
  p.timer = nullptr;
  p.node->schedulers[t->wheel]->timers().disarm(t);
  delete t;
}

inline void disarm_receive_timer(process& p) noexcept {
  if (p.timer != nullptr) {
    drop_receive_timer(p);
    ++p.receive_seq;
  }
  p.timed_out = false;
}

}  // namespace otp::detail
