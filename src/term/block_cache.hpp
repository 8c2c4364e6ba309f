#pragma once
// A per-thread cache of free memory blocks of one size, in front of the global allocator.
//
// Terms and signals are allocated and freed at a high rate. A message is built by its sender and
// freed by its receiver: on one scheduler thread when the pair shares a core, on two when they do
// not (a producer feeding a consumer on the other core allocates everything, the consumer frees
// everything). So each thread keeps its free blocks in two magazines of `Limit / 2` blocks (a
// loaded one it pops from and pushes to, and a spare that is either empty or full), and full
// magazines move between threads through a small shared depot: a thread that frees more than it
// allocates hands full magazines to the depot, one that allocates more takes them from it, one
// lock per half-Limit blocks rather than a malloc and a free per message. Blocks come from, and
// what the depot has no room for goes back to, the slabs of a slab_pool (slab_pool.hpp), a
// magazine at a time. A thread's magazines go back when it ends.
// Under AddressSanitizer the cache is bypassed, so that a use after free is still reported.

#include <atomic>
#include <cstddef>
#include <new>
#include <utility>

#include "term/magazine.hpp"
#include "term/slab_pool.hpp"

namespace otp::detail {

template <std::size_t Size, unsigned Limit = 512>
class block_cache {
  static_assert(Size >= sizeof(void*) && Size % alignof(std::max_align_t) == 0);
  static_assert(Limit >= 2 && Limit % 2 == 0);

 public:
  static void* allocate() {
#if !defined(OTP_ASAN_FIBERS)
    free_list& l = local();
    if (l.loaded.count == 0) {
      if (l.closed) return slabs::take(1).head;
      drain_at_exit();  // what this thread holds goes back when it ends, even if it never frees
      refill(l.loaded, l.spare, depot(), [] { return slabs::take(refill_size); });
    }
    return l.loaded.pop();
#else
    return ::operator new(Size);
#endif
  }

  /// For a class's operator new: a block when `size` fits one, else the global allocator.
  static void* allocate(std::size_t size) { return size <= Size ? allocate() : ::operator new(size); }
  /// For the matching sized operator delete.
  static void deallocate(void* p, std::size_t size) noexcept {
    if (p == nullptr) return;
    if (size <= Size) {
      deallocate(p);
    } else {
      ::operator delete(p, size);
    }
  }

  static void deallocate(void* p) noexcept {
#if !defined(OTP_ASAN_FIBERS)
    free_list& l = local();
    if (!l.closed) {
      drain_at_exit();
      if (l.loaded.count == magazine_size) make_room(l.loaded, l.spare, depot(), release);
      l.loaded.push(static_cast<free_block*>(p));
      return;
    }
    auto* b = static_cast<free_block*>(p);
    b->next = nullptr;
    slabs::give(b);
#else
    ::operator delete(p, Size);
#endif
  }

 private:
  using slabs = slab_pool<Size>;
  static constexpr unsigned magazine_size = Limit / 2;
  // Blocks a dry cache takes from the slabs at once: a magazine, or a slab's worth if less (a
  // block is written as it is taken, so not too much at a time).
  static constexpr unsigned refill_size =
      magazine_size < slabs::blocks_per_slab ? magazine_size : slabs::blocks_per_slab;
  // Full magazines the depot keeps for other threads; more go back to the slabs.
  static constexpr unsigned depot_capacity = 8;

  static void release(magazine& m) noexcept {
    slabs::give(m.head);
    m = magazine{};
  }

  // Trivially destructible, so it stays usable until the thread is gone: a static term destroyed
  // after the thread's destructors ran still frees through here (to the global allocator).
  struct free_list {
    magazine loaded;
    magazine spare;
    bool closed;
  };
  static free_list& local() noexcept {
    // initial-exec: see small_blocks.cpp.
    static constinit thread_local free_list list [[gnu::tls_model("initial-exec")]]{{}, {}, false};
    return list;
  }

  static magazine_depot<depot_capacity, magazine_size>& depot() noexcept {
    static constinit magazine_depot<depot_capacity, magazine_size> shared;
    return shared;
  }

  // Gives the cached blocks back when the thread ends, and closes the cache for what is freed
  // later.
  struct drainer {
    ~drainer() {
      free_list& l = local();
      l.closed = true;
      release(l.loaded);
      release(l.spare);
    }
  };
  static void drain_at_exit() noexcept {
    static thread_local drainer d;
    (void)d;
  }
};

}  // namespace otp::detail
