// Allocation of signals and process control blocks from per-thread block caches rather than
// from malloc: every message is a signal, usually built and freed on the same scheduler thread,
// and a process's control block is freed by the scheduler it ended on, which spawns the next.

#include "runtime/process.hpp"
#include "runtime/signal.hpp"
#include "term/block_cache.hpp"

namespace otp::detail {
namespace {
constexpr std::size_t rounded(std::size_t n) { return (n + 15) / 16 * 16; }
constexpr std::size_t block_size = rounded(sizeof(signal));
using signal_blocks = block_cache<block_size, 4096>;
using process_blocks = block_cache<rounded(sizeof(process)), 4096>;
}  // namespace

void* process::operator new(std::size_t size) {
  return size <= rounded(sizeof(process)) ? process_blocks::allocate() : ::operator new(size);
}

void process::operator delete(void* p, std::size_t size) noexcept {
  if (p == nullptr) return;
  if (size <= rounded(sizeof(process))) {
    process_blocks::deallocate(p);
  } else {
    ::operator delete(p, size);
  }
}

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
