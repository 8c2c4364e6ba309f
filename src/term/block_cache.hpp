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

  static void deallocate(void* p) noexcept {
#if !defined(OTP_ASAN_FIBERS)
    free_list& l = local();
    if (l.count < Limit) {
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
  struct free_list {
    block* head = nullptr;
    unsigned count = 0;
    free_list() = default;
    free_list(const free_list&) = delete;
    ~free_list() {
      while (head != nullptr) {
        block* next = head->next;
        ::operator delete(head, Size);
        head = next;
      }
    }
  };
  static free_list& local() noexcept {
    thread_local free_list list;
    return list;
  }
};

}  // namespace otp::detail
