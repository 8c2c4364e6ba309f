#include "runtime/timer_wheel.hpp"

#include <time.h>

#include <algorithm>
#include <chrono>

namespace otp::detail {

namespace {

constexpr int64_t coarse_from_ms = 1000;

int64_t steady_now() noexcept { return std::chrono::steady_clock::now().time_since_epoch().count(); }

#if defined(CLOCK_MONOTONIC_COARSE)
// steady_clock is CLOCK_MONOTONIC; its coarse variant is the same clock as of the last tick.
static_assert(std::chrono::steady_clock::period::num == 1 &&
              std::chrono::steady_clock::period::den == 1'000'000'000);

int64_t coarse_slack() noexcept {
  static const int64_t slack = [] {
    timespec res{};
    if (clock_getres(CLOCK_MONOTONIC_COARSE, &res) != 0) return int64_t(-1);
    return 2 * (int64_t(res.tv_sec) * 1'000'000'000 + res.tv_nsec);
  }();
  return slack;
}

int64_t coarse_now() noexcept {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
  return int64_t(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}
#endif

}  // namespace

int64_t deadline_after(int64_t ms) noexcept {
#if defined(CLOCK_MONOTONIC_COARSE)
  if (ms >= coarse_from_ms) {
    const int64_t slack = coarse_slack();
    if (slack >= 0) return coarse_now() + slack + ms * 1'000'000;
  }
#endif
  return steady_now() + ms * 1'000'000;
}

void timer_wheel::arm(receive_timer* t) noexcept {
  std::lock_guard<spin_lock> hold(lock_);
  receive_timer*& head = slot_[slot_of(t->deadline)];
  t->prev = nullptr;
  t->next = head;
  if (head != nullptr) head->prev = t;
  head = t;
  t->linked = true;
  count_.store(count_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

void timer_wheel::unlink(receive_timer* t) noexcept {
  if (t->prev != nullptr) {
    t->prev->next = t->next;
  } else {
    slot_[slot_of(t->deadline)] = t->next;
  }
  if (t->next != nullptr) t->next->prev = t->prev;
  t->prev = t->next = nullptr;
  t->linked = false;
  count_.store(count_.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
}

void timer_wheel::disarm(receive_timer* t) noexcept {
  std::lock_guard<spin_lock> hold(lock_);
  if (t->linked) unlink(t);
}

void timer_wheel::expire(int64_t now, std::vector<fired>& due) {
  std::lock_guard<spin_lock> hold(lock_);
  const int64_t now_tick = now / tick;
  if (cursor_ < 0) cursor_ = now_tick;
  // The slots of every tick since the last pass (all of them after a long pause); the current
  // tick's slot is looked at again next time, since some of its timers are not due yet.
  const int64_t first = std::max(cursor_, now_tick - int64_t(slots) + 1);
  for (int64_t k = first; k <= now_tick; ++k) {
    for (receive_timer* t = slot_[slot_at(k)]; t != nullptr;) {
      receive_timer* next = t->next;
      if (t->deadline <= now) {
        unlink(t);
        if (t->active) due.push_back({t->number, t->seq});
      }
      t = next;
    }
  }
  cursor_ = now_tick;
}

int64_t timer_wheel::next_deadline() noexcept {
  if (empty()) return none;
  std::lock_guard<spin_lock> hold(lock_);
  if (cursor_ < 0) return 0;  // never expired yet: look now
  // Slots in tick order from the cursor: the first one holding a timer of its own tick (not of a
  // later turn of the wheel) holds the earliest deadline, unless one of a later turn seen on the
  // way is earlier still.
  int64_t earliest = none;
  std::size_t walked = 0;
  for (int64_t k = cursor_; k < cursor_ + int64_t(slots); ++k) {
    int64_t this_turn = none;
    for (receive_timer* t = slot_[slot_at(k)]; t != nullptr; t = t->next) {
      if (t->deadline / tick <= k) this_turn = std::min(this_turn, t->deadline);
      earliest = std::min(earliest, t->deadline);
      if (++walked > walk_limit) return k * tick;
    }
    if (this_turn != none) return std::min(earliest, this_turn);
  }
  return earliest;
}

}  // namespace otp::detail
