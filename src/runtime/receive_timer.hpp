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

/// Whether the process's receive timer is armed (a kept, disarmed block does not count).
inline bool receive_timer_armed(const process& p) noexcept { return p.timer != nullptr && p.timer->active; }

/// Takes the timer out of its wheel (unless it fired) and frees it.
inline void drop_receive_timer(process& p) noexcept {
  receive_timer* t = p.timer;
  if (t == nullptr) return;
  p.timer = nullptr;
  p.node->schedulers[t->wheel]->timers().disarm(t);
  delete t;
}

/// Arms the running process's receive timer on the scheduler running it.
///
/// Every gen_server call arms a timer and disarms it a microsecond later. So a timer disarmed on
/// the scheduler whose wheel holds it stays there, linked and inactive, and the next arming on
/// that scheduler moves its deadline in place when the new one falls in the same slot of the
/// wheel (the usual case: the same timeout a moment later): no lock, no block to allocate or free.
/// Only this thread expires that wheel, and other threads' timers in it are unlinked under its lock
/// by their pointers alone, so the fields changed here are touched by nobody else meanwhile.
inline void arm_receive_timer(process& p, timeout after) {
  ++p.receive_seq;
  p.timed_out = false;
  scheduler& here = *current_scheduler();
  // Far enough that no run reaches it, and far from overflowing the clock's ticks.
  constexpr int64_t longest_ms = int64_t(1) << 40;
  const int64_t deadline = deadline_after(std::min(after.milliseconds(), longest_ms));
  receive_timer* t = p.timer;
  if (t != nullptr && t->wheel == here.index() && t->linked &&
      timer_wheel::same_slot(t->deadline, deadline)) {
    t->deadline = deadline;
    t->seq = p.receive_seq;
    t->active = true;
    return;
  }
  drop_receive_timer(p);
  t = new receive_timer;
  t->deadline = deadline;
  t->number = p.number;
  t->seq = p.receive_seq;
  t->wheel = here.index();
  t->active = true;
  here.timers().arm(t);
  p.timer = t;
}

/// Ends the current receive's timer: the block stays in the wheel when that is this scheduler's
/// (see arm_receive_timer), and goes otherwise.
inline void disarm_receive_timer(process& p) noexcept {
  if (receive_timer* t = p.timer; t != nullptr && t->active) {
    ++p.receive_seq;
    if (const scheduler* here = current_scheduler(); here != nullptr && t->wheel == here->index()) {
      t->active = false;
    } else {
      drop_receive_timer(p);
    }
  }
  p.timed_out = false;
}

}  // namespace otp::detail
