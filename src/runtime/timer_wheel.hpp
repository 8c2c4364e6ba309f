#pragma once
// Receive timers (`receive ... after T`, a gen_server's timeout, every gen_server call's 5 s) kept
// by the scheduler the process armed them on, in a hashed wheel of 1 ms slots.
//
// Every gen_server call arms one and disarms it a microsecond later. In the node's timer service
// that took its mutex twice (shared with the timer thread) and an ordered-map node; here it is a
// small block linked into a slot list under the wheel's own lock, which only its scheduler takes
// unless the process was resumed on another one. The scheduler fires what is due as it switches
// between processes and before it parks (scheduler::fire_timers), and parks no longer than until
// the earliest deadline.
//
// The process owns its timer block: the wheel unlinks a block when it fires (and sends the
// receive_timeout signal), the process frees it when it takes the timeout, disarms it from another
// scheduler, or ends; disarmed on the scheduler whose wheel holds it, the block stays linked for
// the next receive (receive_timer.hpp). A timeout already in flight when the process disarmed
// carries a stale sequence number and is ignored.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>  // std::lock_guard
#include <vector>

#include "term/small_alloc.hpp"
#include "term/spin_lock.hpp"

namespace otp::detail {

struct receive_timer {
  receive_timer* prev = nullptr;
  receive_timer* next = nullptr;
  int64_t deadline;  // steady_clock ticks
  uint64_t number;   // the process's pid number
  uint64_t seq;      // the receive it was armed for
  uint16_t wheel;    // the scheduler whose wheel holds it
  bool linked = false;
  // Armed for the current receive. A disarmed timer may stay linked (receive_timer.hpp): the
  // wheel then unlinks it when it is due, without firing it.
  bool active = false;

  static void* operator new(std::size_t size) { return small_allocate(size); }
  static void operator delete(void* p, std::size_t size) noexcept { small_deallocate(p, size); }
};

/// The deadline of a timer of `ms` milliseconds armed now, in steady_clock ticks; never earlier
/// than steady_clock's now + ms. Every gen_server call arms a 5 s timer, and a precise clock read
/// was a twentieth of a call's latency: a long timer (a second or more) takes the kernel's coarse
/// clock instead, a memory read, plus twice its resolution (the most it lags the precise clock),
/// so that it fires a few milliseconds late at worst, never early.
int64_t deadline_after(int64_t ms) noexcept;

class timer_wheel {
 public:
  struct fired {
    uint64_t number;
    uint64_t seq;
  };
  static constexpr int64_t none = INT64_MAX;

  timer_wheel() = default;
  timer_wheel(const timer_wheel&) = delete;

  /// Any thread: links `t` (deadline set) into the wheel.
  void arm(receive_timer* t) noexcept;
  /// Any thread: unlinks `t` unless it has fired. The caller still owns (and frees) it.
  void disarm(receive_timer* t) noexcept;
  /// Whether two deadlines fall in the same slot: a linked timer's deadline may then be moved
  /// from one to the other in place.
  static bool same_slot(int64_t a, int64_t b) noexcept { return slot_of(a) == slot_of(b); }
  /// Unlinks every timer due at `now`, and appends the active ones to `due`.
  void expire(int64_t now, std::vector<fired>& due);
  /// The earliest deadline armed (or a time before it), `none` if nothing is armed.
  int64_t next_deadline() noexcept;
  bool empty() const noexcept { return count_.load(std::memory_order_relaxed) == 0; }

 private:
  static constexpr int64_t tick = 1'000'000;  // 1 ms in steady_clock ticks (ns)
  static constexpr std::size_t slots = 256;
  // next_deadline walks at most this many timers (then answers with a time that is early, not
  // late): a parking scheduler should not walk a million idle servers' timeouts.
  static constexpr std::size_t walk_limit = 4096;

  /// The slot of the tick numbered `k` (time / tick), and of a deadline.
  static std::size_t slot_at(int64_t k) noexcept { return std::size_t(uint64_t(k) % slots); }
  static std::size_t slot_of(int64_t deadline) noexcept { return slot_at(deadline / tick); }
  void unlink(receive_timer* t) noexcept;

  // Held for a few pointer moves, nearly always by the owning scheduler alone.
  spin_lock lock_;
  receive_timer* slot_[slots] = {};
  int64_t cursor_ = -1;  // the tick expire() last reached; slots before it hold no due timer
  std::atomic<std::size_t> count_{0};
};

}  // namespace otp::detail
