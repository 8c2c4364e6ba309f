// Allocation of signals and process control blocks from per-thread block caches rather than
// from malloc: every message is a signal, usually built and freed on the same scheduler thread,
// and a process's control block is freed by the scheduler it ended on, which spawns the next.

#include "runtime/process.hpp"
#include "runtime/signal.hpp"
#include "term/block_cache.hpp"

namespace otp::detail {
namespace {
constexpr std::size_t rounded(std::size_t n) { return (n + 15) / 16 * 16; }
using signal_blocks = block_cache<rounded(sizeof(signal)), 4096>;
using process_blocks = block_cache<rounded(sizeof(process)), 4096>;
}  // namespace

void* process::operator new(std::size_t size) { return process_blocks::allocate(size); }
void process::operator delete(void* p, std::size_t size) noexcept { process_blocks::deallocate(p, size); }

void* signal::operator new(std::size_t size) { return signal_blocks::allocate(size); }
void signal::operator delete(void* p, std::size_t size) noexcept { signal_blocks::deallocate(p, size); }

}  // namespace otp::detail
