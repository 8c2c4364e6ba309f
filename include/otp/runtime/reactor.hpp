#pragma once
// otp::reactor — a process whose receive loop lives in the runtime.
//
// A reactor owns no stack while it waits: the runtime takes each message from its mailbox in
// arrival order and calls on_message on the scheduler's current fiber. When a callback blocks (a
// selective receive, a call to another process, sleep), the process keeps that fiber until the
// callback returns and the scheduler carries on with a fresh one, so callbacks may block exactly as
// Erlang code does. An idle reactor therefore costs its control block and its own state.
// gen_server and the other behaviours are reactors.
//
// Callbacks run one at a time, on the process itself: no locking is needed for the reactor's state.
// A callback ends the process by calling otp::exit(Reason) or by letting an exception escape.

#include <cstddef>
#include <new>
#include <optional>

#include <otp/runtime/timeout.hpp>
#include <otp/term/term.hpp>

namespace otp {

class reactor {
 public:
  virtual ~reactor() = default;

  /// Runs once, first, in the new process (it may block).
  virtual void on_start() {}
  /// Called for each message, oldest first.
  virtual void on_message(term message) = 0;
  /// Called when receive_timeout() is finite and that long passed with no message.
  virtual void on_timeout() {}

  /// How long the loop waits for the next message before on_timeout; re-read after every callback.
  /// Default: forever.
  virtual timeout receive_timeout() const { return infinity; }

  // Reactors are made and dropped at the rate of spawns: one up to 128 bytes comes from the
  // runtime's per-thread block caches rather than malloc (an idle gen_server is two of them).
  static void* operator new(std::size_t size);
  static void operator delete(void* p, std::size_t size) noexcept;
  // Over-aligned reactors keep the global allocator's aligned forms.
  static void* operator new(std::size_t size, std::align_val_t alignment) {
    return ::operator new(size, alignment);
  }
  static void operator delete(void* p, std::size_t size, std::align_val_t alignment) noexcept {
    ::operator delete(p, size, alignment);
  }
};

}  // namespace otp
