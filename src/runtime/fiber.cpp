#include "runtime/fiber.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <pthread.h>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>

#if defined(OTP_ASAN_FIBERS)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif
#if defined(OTP_TSAN_FIBERS)
#include <sanitizer/tsan_interface.h>
#endif

// The C++ runtime's per-thread exception state (Itanium C++ ABI, 2.2.3: the exceptions caught and
// not yet finished, and the count of those thrown and not yet caught). Declared here as the ABI
// lays it out; libstdc++ and libc++abi both do.
namespace __cxxabiv1 {
struct __cxa_eh_globals;
extern "C" __cxa_eh_globals* __cxa_get_globals() noexcept;
}  // namespace __cxxabiv1

namespace otp::detail {
namespace {

std::size_t page_size() noexcept {
  static const std::size_t size = std::size_t(::sysconf(_SC_PAGESIZE));
  return size;
}

std::size_t round_up(std::size_t n, std::size_t to) noexcept { return (n + to - 1) / to * to; }

// Each guard page splits its stack into two kernel mappings, and Linux caps mappings per process
// (vm.max_map_count, 65530 by default). Guarded stacks are therefore rationed to a quarter of
// that cap; beyond it stacks come without a guard page, and adjacent unguarded stacks merge into
// few mappings, so tens of thousands of blocked processes do not exhaust the cap.
std::size_t guarded_stack_budget() noexcept {
  static const std::size_t budget = [] {
    std::size_t cap = 65530;
    if (std::FILE* f = std::fopen("/proc/sys/vm/max_map_count", "r")) {
      unsigned long v = 0;
      if (std::fscanf(f, "%lu", &v) == 1 && v > 0) cap = v;
      std::fclose(f);
    }
    return cap / 4;
  }();
  return budget;
}

std::atomic<std::size_t> guarded_stacks{0};

}  // namespace

fiber* fiber_create(std::size_t stack_size, void (*entry)(transfer_t)) {
  const std::size_t page = page_size();
  const std::size_t usable = round_up(stack_size < 4 * page ? 4 * page : stack_size, page);
  const bool guarded = guarded_stacks.fetch_add(1, std::memory_order_relaxed) < guarded_stack_budget();
  if (!guarded) guarded_stacks.fetch_sub(1, std::memory_order_relaxed);
  const std::size_t guard = guarded ? page : 0;
  const std::size_t total = usable + guard;
  // MAP_NORESERVE: a fiber's stack costs only the pages it touches.
  void* mem = ::mmap(nullptr, total, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (mem == MAP_FAILED) {
    if (guarded) guarded_stacks.fetch_sub(1, std::memory_order_relaxed);
    throw std::bad_alloc();
  }
  if (guarded && ::mprotect(mem, page, PROT_NONE) != 0) {
    ::munmap(mem, total);
    guarded_stacks.fetch_sub(1, std::memory_order_relaxed);
    throw std::bad_alloc();
  }
  // The fiber record sits at the very top of its own stack: no separate allocation.
  char* top = static_cast<char*>(mem) + total;
  auto* f = reinterpret_cast<fiber*>(top - round_up(sizeof(fiber), 64));
  new (f) fiber();
  f->mapping = mem;
  f->mapping_size = total;
  f->guarded = guarded;
  f->stack_bottom = static_cast<char*>(mem) + guard;
  f->stack_size = usable - round_up(sizeof(fiber), 64);
  f->ctx = boost::context::detail::make_fcontext(f, f->stack_size, entry);
#if defined(OTP_TSAN_FIBERS)
  f->tsan_fiber = __tsan_create_fiber(0);
#endif
  return f;
}

void fiber_destroy(fiber* f) noexcept {
  if (f == nullptr) return;
#if defined(OTP_TSAN_FIBERS)
  if (f->tsan_fiber != nullptr) __tsan_destroy_fiber(f->tsan_fiber);
#endif
#if defined(OTP_ASAN_FIBERS)
  // An abandoned stack leaves poisoned shadow bytes behind; clear them before the pages go back.
  __asan_unpoison_memory_region(f->stack_bottom, f->stack_size);
#endif
  void* mem = f->mapping;
  std::size_t size = f->mapping_size;
  if (f->guarded) guarded_stacks.fetch_sub(1, std::memory_order_relaxed);
  f->~fiber();
  ::munmap(mem, size);
}

void fiber_init_thread(fiber& native) noexcept {
  native = fiber();
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    void* addr = nullptr;
    std::size_t size = 0;
    pthread_attr_getstack(&attr, &addr, &size);
    native.stack_bottom = addr;
    native.stack_size = size;
    pthread_attr_destroy(&attr);
  }
#if defined(OTP_TSAN_FIBERS)
  native.tsan_fiber = __tsan_get_current_fiber();
#endif
}

void fiber_release_thread(fiber& native) noexcept { native = fiber(); }

transfer_t jump(fiber& to, void* data) noexcept {
#if defined(OTP_ASAN_FIBERS)
  void* fake_stack = nullptr;
  __sanitizer_start_switch_fiber(&fake_stack, to.stack_bottom, to.stack_size);
#endif
#if defined(OTP_TSAN_FIBERS)
  __tsan_switch_to_fiber(to.tsan_fiber, 0);
#endif
  fcontext_t target = to.ctx;
  to.ctx = nullptr;
  transfer_t t = boost::context::detail::jump_fcontext(target, data);
#if defined(OTP_ASAN_FIBERS)
  __sanitizer_finish_switch_fiber(fake_stack, nullptr, nullptr);
#endif
  return t;
}

exception_state* thread_exception_state() noexcept {
  return reinterpret_cast<exception_state*>(__cxxabiv1::__cxa_get_globals());
}

void fiber_entered() noexcept {
#if defined(OTP_ASAN_FIBERS)
  __sanitizer_finish_switch_fiber(nullptr, nullptr, nullptr);
#endif
}

std::size_t fiber_resident_bytes(const fiber& f) noexcept {
  if (f.mapping == nullptr) return 0;
  const std::size_t page = page_size();
  const std::size_t pages = f.mapping_size / page;
  std::vector<unsigned char> vec(pages);
  if (::mincore(f.mapping, f.mapping_size, vec.data()) != 0) return f.stack_size;
  std::size_t resident = 0;
  for (unsigned char v : vec) resident += (v & 1) ? page : 0;
  return resident;
}

}  // namespace otp::detail
