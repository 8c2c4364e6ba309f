// small_allocate / small_deallocate: blocks of 16 to 128 bytes, in size classes of 16, from one
// per-thread cache for all classes.
//
// Every term node and every signal is one of these, and a gen_server call takes and gives back
// about fifteen of them, so the common case is a handful of instructions: the thread's cache is
// one thread_local (constant-initialized, so no guard on access), the class is an index into it,
// and a block is popped from or pushed onto that class's loaded magazine. Everything else (the
// first use on a thread, an empty or a full magazine, a thread that has ended) takes the slow
// path. The policy is block_cache.hpp's, per class: two magazines per thread, full magazines move
// between threads through a depot, blocks come from and go back to the class's slab_pool. (A
// block_cache per class, picked by a chain of compares, each with its own thread_local and exit
// guard, cost three times as much per block.)
// Under AddressSanitizer the cache is bypassed, so that a use after free is still reported.

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>

#include "term/magazine.hpp"
#include "term/slab_pool.hpp"
#include "term/small_alloc.hpp"

namespace otp::detail {
namespace {

constexpr std::size_t granule = 16;
constexpr std::size_t largest_cached = 128;
constexpr std::size_t class_count = largest_cached / granule;
// Blocks per magazine. A thread caches at most two magazines per class; a producer feeding a
// consumer on another core hands one magazine over per this many messages. 1024 rather than 256:
// a mailbox that fills up (fan-in) went to the slabs four times as often, ~15% of fanin's rate.
constexpr unsigned magazine_blocks = 1024;
// Full magazines the depot of a class keeps for other threads; more go back to the slabs.
constexpr unsigned depot_capacity = 8;

/// The class of a size in 1..largest_cached; past class_count for any other (0 wraps around).
constexpr std::size_t class_of(std::size_t size) noexcept { return (size - 1) / granule; }

// ---- per class: the slabs and the depot, reached through tables built at compile time -----------

template <std::size_t Class>
using class_slabs = slab_pool<(Class + 1) * granule>;

constinit magazine_depot<depot_capacity, magazine_blocks> depots[class_count];

struct class_ops {
  block_chain (*take)(unsigned n);
  void (*give)(free_block* head) noexcept;
  unsigned refill;  // blocks a dry cache takes from the slabs at once (a magazine, or a slab's worth)
};
template <std::size_t... C>
constexpr std::array<class_ops, class_count> make_ops(std::index_sequence<C...>) {
  return {class_ops{&class_slabs<C>::take, &class_slabs<C>::give,
                    std::min(magazine_blocks, class_slabs<C>::blocks_per_slab)}...};
}
constexpr std::array<class_ops, class_count> ops = make_ops(std::make_index_sequence<class_count>{});

void release(std::size_t c, magazine& m) noexcept {
  ops[c].give(m.head);
  m = magazine{};
}

// ---- the thread's cache --------------------------------------------------------------------------

enum class cache_mode : uint8_t {
  fresh,  // not used yet on this thread: its exit hook is not registered
  open,
  closed,  // the thread's destructors ran: blocks go straight to and come from the slabs
};

// Trivially destructible and constant-initialized: usable until the thread is gone (a static term
// destroyed after the thread's destructors ran still frees through here), with no guard on access.
struct thread_cache {
  magazine loaded[class_count];  // popped from and pushed to
  magazine spare[class_count];   // empty or full
  // How many blocks a loaded magazine may hold before a free takes the slow path: 0 unless the
  // cache is open, so that one compare tells a free whether it may push.
  unsigned push_limit;
  cache_mode mode;
};
// initial-exec: the library is compiled as position-independent code, where a thread_local is
// otherwise reached through a call to __tls_get_addr (and the fast paths then save registers
// around it even where the linker later turns it into a plain %fs access).
constinit thread_local thread_cache cache [[gnu::tls_model("initial-exec")]]{};

// Gives the cached blocks back when the thread ends, and closes the cache for what is freed later.
struct exit_hook {
  ~exit_hook() {
    thread_cache& t = cache;
    t.mode = cache_mode::closed;
    t.push_limit = 0;
    for (std::size_t c = 0; c < class_count; ++c) {
      release(c, t.loaded[c]);
      release(c, t.spare[c]);
    }
  }
};

/// False once the thread has ended; registers the exit hook on first use.
bool open_cache(thread_cache& t) noexcept {
  if (t.mode == cache_mode::fresh) {
    static thread_local exit_hook hook;
    (void)hook;
    t.mode = cache_mode::open;
    t.push_limit = magazine_blocks;
  }
  return t.mode == cache_mode::open;
}

// (maybe_unused: under AddressSanitizer the fast paths go to the global allocator instead.)
// The slow paths take the fast paths' arguments unchanged, so that the fast paths reach them by a
// jump and need no stack frame of their own.

[[gnu::noinline, gnu::cold, maybe_unused]] void* allocate_slow(std::size_t size) {
  if (size == 0 || size > largest_cached) return ::operator new(size);
  const std::size_t c = class_of(size);
  thread_cache& t = cache;
  if (!open_cache(t)) return ops[c].take(1).head;
  refill(t.loaded[c], t.spare[c], depots[c], [c] { return ops[c].take(ops[c].refill); });
  return t.loaded[c].pop();
}

[[gnu::noinline, gnu::cold, maybe_unused]] void deallocate_slow(void* p, std::size_t size) noexcept {
  if (p == nullptr) return;
  if (size == 0 || size > largest_cached) return ::operator delete(p, size);
  const std::size_t c = class_of(size);
  auto* b = static_cast<free_block*>(p);
  thread_cache& t = cache;
  if (!open_cache(t)) {
    b->next = nullptr;
    ops[c].give(b);
    return;
  }
  if (t.loaded[c].count == magazine_blocks)
    make_room(t.loaded[c], t.spare[c], depots[c], [c](magazine& m) { release(c, m); });
  t.loaded[c].push(b);
}

}  // namespace

void* small_allocate(std::size_t size) {
#if !defined(OTP_ASAN_FIBERS)
  thread_cache& t = cache;
  const std::size_t c = class_of(size);
  if (c < class_count && t.loaded[c].count != 0) [[likely]]
    return t.loaded[c].pop();
  return allocate_slow(size);
#else
  return ::operator new(size);
#endif
}

void small_deallocate(void* p, std::size_t size) noexcept {
#if !defined(OTP_ASAN_FIBERS)
  thread_cache& t = cache;
  const std::size_t c = class_of(size);
  if (p != nullptr && c < class_count && t.loaded[c].count < t.push_limit) [[likely]] {
    t.loaded[c].push(static_cast<free_block*>(p));
    return;
  }
  deallocate_slow(p, size);
#else
  if (p != nullptr) ::operator delete(p, size);
#endif
}

}  // namespace otp::detail
