#pragma once
// The pieces of a per-thread block cache (block_cache.hpp, small_blocks.cpp): a magazine of free
// blocks, and the depot through which full magazines move between threads.
//
// A thread pops blocks from and pushes them onto its magazines without any lock. A thread that
// frees more than it allocates (the consumer of a producer on another core) fills magazines and
// puts them in the depot; one that allocates more takes them out: one lock per magazine, never
// per block.

#include <atomic>
#include <utility>

#include "term/slab_pool.hpp"
#include "term/spin_lock.hpp"

namespace otp::detail {

/// A list of free blocks and its length.
struct magazine {
  free_block* head = nullptr;
  unsigned count = 0;

  free_block* pop() noexcept {
    free_block* b = head;
    head = b->next;
    --count;
    return b;
  }
  void push(free_block* b) noexcept {
    b->next = head;
    head = b;
    ++count;
  }
};

/// Refills the empty magazine `loaded` of a thread: with its spare if that is full, else with a
/// full magazine from `depot`, else with `from_slabs()` (a block_chain).
template <class Depot, class FromSlabs>
void refill(magazine& loaded, magazine& spare, Depot& depot, FromSlabs from_slabs) {
  if (spare.count > 0) {
    std::swap(loaded, spare);
    return;
  }
  loaded = depot.take();
  if (loaded.count == 0) {
    const block_chain chain = from_slabs();
    loaded = magazine{chain.head, chain.count};
  }
}

/// Makes room in a thread's full magazine `loaded`: the spare (empty or full) takes its blocks,
/// after a full spare went to `depot`, or through `release(spare)` back to the slabs when the
/// depot has no room.
template <class Depot, class Release>
void make_room(magazine& loaded, magazine& spare, Depot& depot, Release release) noexcept {
  if (spare.count > 0 && !depot.put(spare)) release(spare);
  spare = loaded;
  loaded = magazine{};
}

/// Full magazines of `Blocks` blocks each, shared by all threads; up to `Capacity` of them.
/// Trivially destructible (a spin lock held for a few stores, not a mutex): static terms may be
/// freed, and threads may end, after static destructors ran.
template <unsigned Capacity, unsigned Blocks>
class magazine_depot {
 public:
  /// Keeps the full magazine `m` and leaves it empty; false (and `m` untouched) when the depot
  /// is full.
  bool put(magazine& m) noexcept {
    guard_.lock();
    const unsigned n = count_.load(std::memory_order_relaxed);
    const bool kept = n < Capacity;
    if (kept) {
      full_[n] = m.head;
      count_.store(n + 1, std::memory_order_relaxed);
    }
    guard_.unlock();
    if (kept) m = magazine{};
    return kept;
  }

  /// A full magazine, or an empty one when the depot has none.
  magazine take() noexcept {
    if (count_.load(std::memory_order_relaxed) == 0) return magazine{};  // skips the lock
    guard_.lock();
    free_block* head = nullptr;
    if (const unsigned n = count_.load(std::memory_order_relaxed); n > 0) {
      head = full_[n - 1];
      count_.store(n - 1, std::memory_order_relaxed);
    }
    guard_.unlock();
    return head == nullptr ? magazine{} : magazine{head, Blocks};
  }

 private:
  spin_lock guard_;
  // Changed under `guard_` only; atomic so that take() may look at it without the lock.
  std::atomic<unsigned> count_{0};
  free_block* full_[Capacity] = {};
};

}  // namespace otp::detail
