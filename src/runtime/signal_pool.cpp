// Allocation of signals: every message is one, so they come from a per-thread block cache (a
// message is usually built and freed on the same scheduler thread) rather than from malloc.

#include "runtime/signal.hpp"
#include "term/block_cache.hpp"

namespace otp::detail {
namespace {
constexpr std::size_t block_size = (sizeof(signal) + 15) / 16 * 16;
using signal_blocks = block_cache<block_size, 1024>;
}  // namespace

void* signal::operator new(std::size_t size) {
  return size <= block_size ? signal_blocks::allocate() : ::operator new(size);
}

void signal::operator delete(void* block, std::size_t size) noexcept {
  if (block == nullptr) return;
  if (size <= block_size) {
    signal_blocks::deallocate(block);
  } else {
    ::operator delete(block, size);
  }
}

}  // namespace otp::detail
