#pragma once
// The timer behind `receive ... after T` and a reactor's inactivity timeout. Each arming gets a
// new sequence number, so a timeout signal that was already in flight when the timer was
// disarmed is recognised as stale and ignored.

#include <otp/runtime/timeout.hpp>

#include "runtime/node_state.hpp"
#include "runtime/process.hpp"

namespace otp::detail {

inline void arm_receive_timer(process& p, timeout after) {
  ++p.receive_seq;
  p.timed_out = false;
  p.timer_deadline = p.node->timers.arm_receive(after.milliseconds(), p.self_pid(), p.number, p.receive_seq);
}

inline void disarm_receive_timer(process& p) noexcept {
  if (p.timer_deadline != 0) {
    try {
      p.node->timers.disarm_receive(p.timer_deadline, p.number, p.receive_seq);
    } catch (...) {
    }
    p.timer_deadline = 0;
    ++p.receive_seq;
  }
  p.timed_out = false;
}

}  // namespace otp::detail
