// Allocation of signals, process control blocks, reactors and process bodies too large to be held
// in place (process_body.hpp) from per-thread block caches rather than from malloc: every message
// is a signal, usually built and freed on the same scheduler thread, and a process's control
// block is freed by the scheduler it ended on, which spawns the next.

#include <cstddef>

#include <otp/runtime/reactor.hpp>

#include "runtime/process.hpp"
#include "runtime/signal.hpp"
#include "term/block_cache.hpp"
#include "term/small_alloc.hpp"

namespace otp::detail {
namespace {
constexpr std::size_t rounded(std::size_t n) { return (n + 15) / 16 * 16; }
using process_blocks = block_cache<rounded(sizeof(process)), 4096>;

// process.hpp's layout: what the process touches on every message lies at least a cache line
// from its own inbox and from the next block's (blocks are 16-byte aligned, nothing more).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"
// The line of its own inbox (offset 0) ends by offset 63; the next block's may start 48 bytes
// before the end of this one.
static_assert(offsetof(process, timed_out) >= 64, "per-message fields share a line with the inbox");
static_assert(offsetof(process, reactor_body) + sizeof(process::reactor_body) <=
                  rounded(sizeof(process)) - 48,
              "per-message fields share a line with the next block's inbox");
#pragma GCC diagnostic pop
}  // namespace

void* process::operator new(std::size_t size) { return process_blocks::allocate(size); }
void process::operator delete(void* p, std::size_t size) noexcept { process_blocks::deallocate(p, size); }

void* signal::operator new(std::size_t size) { return small_allocate(size); }
void signal::operator delete(void* p, std::size_t size) noexcept { small_deallocate(p, size); }

}  // namespace otp::detail

void* otp::reactor::operator new(std::size_t size) { return detail::small_allocate(size); }
void otp::reactor::operator delete(void* p, std::size_t size) noexcept { detail::small_deallocate(p, size); }

namespace otp::detail {

void* allocate_body(std::size_t size) { return small_allocate(size); }
void deallocate_body(void* p, std::size_t size) noexcept { small_deallocate(p, size); }

}  // namespace otp::detail
