#pragma once
// A test-and-test-and-set spin lock, for critical sections of a few stores that are nearly never
// contended (a scheduler's run queue and timer wheel, the block caches' depot): one
// read-modify-write to lock and a plain store to unlock, where a mutex takes two
// read-modify-writes. A waiter that has spun for a while yields its thread: the holder may have
// been descheduled (more threads than cores, or a busy VM), and spinning would only delay it.
// Trivially destructible, so that statics holding one stay usable until the end of the program.

#include <atomic>
#include <thread>

namespace otp::detail {

/// Tells the CPU this thread is spinning (lets a sibling hyper-thread run, saves power).
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

class spin_lock {
 public:
  constexpr spin_lock() noexcept = default;
  spin_lock(const spin_lock&) = delete;
  spin_lock& operator=(const spin_lock&) = delete;

  void lock() noexcept {
    for (unsigned spins = 0; held_.exchange(true, std::memory_order_acquire);) {
      while (held_.load(std::memory_order_relaxed)) {
        if (++spins > spins_before_yield) {
          std::this_thread::yield();
        } else {
          cpu_relax();
        }
      }
    }
  }
  void unlock() noexcept { held_.store(false, std::memory_order_release); }

 private:
  static constexpr unsigned spins_before_yield = 128;
  std::atomic<bool> held_{false};
};

}  // namespace otp::detail
