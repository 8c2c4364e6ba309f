#pragma once
// A per-thread cache of free memory blocks of one size, in front of the global allocator.
//
// Terms and signals are allocated and freed at a high rate, mostly by one scheduler thread (a
// message is built by its sender and freed by its receiver, usually on the same scheduler). A
// pop and a push on a thread-local list replace malloc and free there. A thread that frees more
// than it allocates keeps at most `Limit` blocks and hands the rest back to the allocator; a
// thread's cache is freed when the thread ends. Under AddressSanitizer the cache is bypassed,
// so that a use after free is still reported.

#include <cstddef>
#include <new>

namespace otp::detail {

template <std::size_t Size, unsigned Limit = 512>
class block_cache {
  static_assert(Size >= sizeof(void*) && Size % alignof(std::max_align_t) == 0);

 public:
  static void* allocate() {
#if !defined(OTP_ASAN_FIBERS)
    free_list& l = local();
    if (l.head != nullptr) {
      block* b = l.head;
      l.head = b->next;
      --l.count;
      return b;
    }
#endif
    return ::operator new(Size);
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
    if (l.count < Limit && !l.closed) {
      drain_at_exit();
      auto* b = static_cast<block*>(p);
      b->next = l.head;
      l.head = b;
      ++l.count;
      return;
    }
#endif
    ::operator delete(p, Size);
  }

 private:
  struct block {
    block* next;
  };
  // Trivially destructible, so it stays usable until the thread is gone: a static term destroyed
  // after the thread's destructors ran still frees through here (to the global allocator).
  struct free_list {
    block* head;
    unsigned count;
    bool closed;
  };
  static free_list& local() noexcept {
    static thread_local free_list list{nullptr, 0, false};
    return list;
  }
  // Gives the cached blocks back when the thread ends, and closes the cache for what is freed
  // later.
  struct drainer {
    ~drainer() {
      free_list& l = local();
      l.closed = true;
      while (l.head != nullptr) {
        block* next = l.head->next;
        ::operator delete(l.head, Size);
        l.head = next;
      }
      l.count = 0;
    }
  };
  static void drain_at_exit() noexcept {
    static thread_local drainer d;
    (void)d;
  }
};

}  // namespace otp::detail
