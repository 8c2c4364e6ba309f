#pragma once
// Small blocks (up to 128 bytes) from the per-thread cache of small_blocks.cpp: term nodes,
// signals, and runtime bookkeeping that comes and goes at the rate of messages (a gen_server call
// creates and drops a monitor and an alias on both sides, each with its table storage).

#include <cstddef>

namespace otp::detail {

/// A block of at least `size` bytes, 16-byte aligned; the global allocator beyond 128 bytes.
void* small_allocate(std::size_t size);
/// Frees a block from small_allocate; `size` must be the size it was allocated with.
void small_deallocate(void* p, std::size_t size) noexcept;

/// A standard allocator over small_allocate (for containers that stay small).
template <class T>
struct small_allocator {
  static_assert(alignof(T) <= 16, "small blocks are 16-byte aligned");
  using value_type = T;

  small_allocator() noexcept = default;
  template <class U>
  small_allocator(const small_allocator<U>&) noexcept {}

  T* allocate(std::size_t n) { return static_cast<T*>(small_allocate(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { small_deallocate(p, n * sizeof(T)); }

  friend bool operator==(const small_allocator&, const small_allocator&) noexcept { return true; }
};

}  // namespace otp::detail
