#include "term/slab_memory.hpp"

#include <sys/mman.h>

#include <cstdint>

namespace otp::detail {

void* map_slabs(std::size_t slab_bytes, std::size_t count) noexcept {
  // Map one slab more than asked, then cut the unaligned head and the rest of the tail off.
  const std::size_t wanted = slab_bytes * count;
  void* raw =
      ::mmap(nullptr, wanted + slab_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  const auto start = reinterpret_cast<std::uintptr_t>(raw);
  const std::uintptr_t aligned = (start + slab_bytes - 1) & ~(std::uintptr_t(slab_bytes) - 1);
  const std::size_t head = aligned - start;
  const std::size_t tail = slab_bytes - head;
  if (head > 0) ::munmap(raw, head);
  if (tail > 0) ::munmap(reinterpret_cast<void*>(aligned + wanted), tail);
  return reinterpret_cast<void*>(aligned);
}

void unmap_slab(void* slab, std::size_t slab_bytes) noexcept { ::munmap(slab, slab_bytes); }

}  // namespace otp::detail
