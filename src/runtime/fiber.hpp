#pragma once
// Fibers: guard-paged mmap stacks and the context switch between them (Boost.Context fcontext).
//
// Stacks have a guard page below them while the kernel's mapping budget allows (see fiber.cpp).
// A fiber is a stack plus the saved context of whatever runs on it while it is suspended. The
// scheduler's loop runs on fibers, never on a thread's own stack, because a process that blocks
// keeps the fiber it blocked on and may later resume on another scheduler thread.
//
// Sanitizers must be told about every switch (ASan tracks the current stack's bounds, TSan keeps a
// per-fiber state); jump() does so when built with OTP_ASAN_FIBERS / OTP_TSAN_FIBERS.

#include <boost/context/detail/fcontext.hpp>
#include <cstddef>
#include <vector>

namespace otp::detail {

using boost::context::detail::fcontext_t;
using boost::context::detail::transfer_t;

struct fiber {
  fcontext_t ctx = nullptr;  // valid while suspended
  void* mapping = nullptr;   // mmap base, guard page included; nullptr for a thread's own stack
  std::size_t mapping_size = 0;
  bool guarded = false;          // has a guard page below the stack
  void* stack_bottom = nullptr;  // lowest usable address (for ASan)
  std::size_t stack_size = 0;
  void* tsan_fiber = nullptr;
};

/// Creates a fiber whose first switch-in calls `entry`. Throws std::bad_alloc when out of memory.
fiber* fiber_create(std::size_t stack_size, void (*entry)(transfer_t));
/// Frees a fiber that is not running; whatever was suspended on it is abandoned without unwinding,
/// so only fibers parked in the scheduler loop (which holds nothing that needs destroying) may go.
void fiber_destroy(fiber* f) noexcept;
/// Describes the calling thread's own stack, so that fibers can switch back to it.
void fiber_init_thread(fiber& native) noexcept;
void fiber_release_thread(fiber& native) noexcept;

/// Switches from the running fiber to `to`, handing it `data`; returns what the next switch back
/// to this fiber hands over (its source context in .fctx).
transfer_t jump(fiber& to, void* data) noexcept;
/// Must be the first call in a fiber's entry function.
void fiber_entered() noexcept;

/// The C++ runtime's exception state of a thread (Itanium C++ ABI 2.2.3, __cxa_eh_globals: the
/// caught exceptions not yet finished, the count thrown and not yet caught). It belongs to
/// whatever runs on a fiber, not to the thread: a fiber that switches away while holding some
/// (blocked inside a catch handler, or in a destructor while unwinding) takes it off the thread
/// and puts it back once it runs again, perhaps on another thread (scheduler::switch_out). The
/// thread's state is thus always the running fiber's.
struct exception_state {
  void* caught_exceptions = nullptr;
  unsigned int uncaught_exceptions = 0;
#if defined(__ARM_EABI_UNWINDER__)
  void* propagating_exceptions = nullptr;
#endif
  bool held() const noexcept { return caught_exceptions != nullptr || uncaught_exceptions != 0; }
};
/// The calling thread's (fixed for the thread's life: a scheduler looks it up once).
exception_state* thread_exception_state() noexcept;

/// Pages of a fiber's stack currently backed by memory (resident), for process_info(memory).
std::size_t fiber_resident_bytes(const fiber& f) noexcept;

}  // namespace otp::detail
