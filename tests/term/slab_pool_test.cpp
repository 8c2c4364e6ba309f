// slab_pool: blocks carved from slabs, given back to their slab, slabs freed once all their
// blocks are back (one empty slab kept). Each test uses a block size of its own, one no block
// cache of the library uses, so each has a pool of its own.

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "term/block_cache.hpp"
#include "term/slab_pool.hpp"

using otp::detail::block_chain;
using otp::detail::free_block;
using otp::detail::slab_pool;

namespace {

template <std::size_t Size>
std::vector<free_block*> take_blocks(std::size_t n) {
  std::vector<free_block*> blocks;
  while (blocks.size() < n) {
    const auto want = unsigned(std::min<std::size_t>(n - blocks.size(), 1000));
    block_chain c = slab_pool<Size>::take(want);
    EXPECT_GE(c.count, 1u);
    EXPECT_LE(c.count, want);
    unsigned counted = 0;
    for (free_block* b = c.head; b != nullptr; b = b->next) {
      blocks.push_back(b);
      ++counted;
    }
    EXPECT_EQ(counted, c.count);
  }
  return blocks;
}

template <std::size_t Size>
void give_blocks(const std::vector<free_block*>& blocks) {
  free_block* head = nullptr;
  for (free_block* b : blocks) {
    b->next = head;
    head = b;
  }
  slab_pool<Size>::give(head);
}

}  // namespace

TEST(SlabPool, BlocksAreDistinctAlignedAndWholeUsable) {
  constexpr std::size_t size = 1008;
  const std::size_t n = 3 * slab_pool<size>::blocks_per_slab + 7;
  std::vector<free_block*> blocks = take_blocks<size>(n);
  std::set<std::uintptr_t> starts;
  for (free_block* b : blocks) {
    const auto at = reinterpret_cast<std::uintptr_t>(b);
    EXPECT_EQ(at % 16, 0u);
    starts.insert(at);
    std::memset(b, 0xab, size);  // the whole block is ours (ASan would report an overflow)
  }
  ASSERT_EQ(starts.size(), n);
  // No two blocks overlap.
  for (auto it = starts.begin(); std::next(it) != starts.end(); ++it) EXPECT_GE(*std::next(it) - *it, size);
  EXPECT_GE(slab_pool<size>::slabs_held(), 4u);
  give_blocks<size>(blocks);
}

TEST(SlabPool, SlabsGoBackOnceAllTheirBlocksAreBack) {
  constexpr std::size_t size = 1024;
  const std::size_t per_slab = slab_pool<size>::blocks_per_slab;
  std::vector<free_block*> blocks = take_blocks<size>(10 * per_slab);
  EXPECT_EQ(slab_pool<size>::slabs_held(), 10u);

  // Every other block back: every slab still has blocks out, so all stay.
  std::vector<free_block*> evens, odds;
  for (std::size_t i = 0; i < blocks.size(); ++i) (i % 2 == 0 ? evens : odds).push_back(blocks[i]);
  give_blocks<size>(evens);
  EXPECT_EQ(slab_pool<size>::slabs_held(), 10u);

  // The rest back: all slabs are empty; one is kept for the next peak.
  give_blocks<size>(odds);
  EXPECT_EQ(slab_pool<size>::slabs_held(), 1u);

  // Blocks given back are handed out again before a new slab is cut.
  std::vector<free_block*> again = take_blocks<size>(per_slab);
  EXPECT_EQ(slab_pool<size>::slabs_held(), 1u);
  give_blocks<size>(again);
  EXPECT_EQ(slab_pool<size>::slabs_held(), 1u);
}

TEST(SlabPool, GivenBackBlocksAreReusedBeforeNewSlabs) {
  constexpr std::size_t size = 1040;
  const std::size_t n = slab_pool<size>::blocks_per_slab / 2;
  std::vector<free_block*> first = take_blocks<size>(n);
  const std::set<free_block*> first_set(first.begin(), first.end());
  give_blocks<size>(first);
  std::vector<free_block*> second = take_blocks<size>(n);
  for (free_block* b : second)
    EXPECT_TRUE(first_set.count(b)) << "a block from a new cut, not a given-back one";
  EXPECT_EQ(slab_pool<size>::slabs_held(), 1u);
  give_blocks<size>(second);
}

// Threads taking and giving back concurrently, most blocks given back by another thread than the
// one that took them (through a shared hand-over list): every block has one owner at a time
// (each writes its mark and checks it is still there), and all slabs but the kept one are freed
// at the end. Under TSan this also checks the pool's locking.
TEST(SlabPool, ConcurrentTakeAndGiveAcrossThreads) {
  constexpr std::size_t size = 1056;
  constexpr int threads = 4;
  constexpr int rounds = 200;
  std::mutex handover_lock;
  std::vector<free_block*> handover;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([t, &handover_lock, &handover] {
      const auto mark = static_cast<unsigned char>(t + 1);
      for (int r = 0; r < rounds; ++r) {
        std::vector<free_block*> mine = take_blocks<size>(std::size_t(50 + (r * 37 + t) % 400));
        for (free_block* b : mine)
          std::memset(reinterpret_cast<char*>(b) + sizeof(void*), mark, size - sizeof(void*));
        for (free_block* b : mine) {
          const auto* bytes = reinterpret_cast<const unsigned char*>(b) + sizeof(void*);
          for (std::size_t i = 0; i < size - sizeof(void*); ++i) ASSERT_EQ(bytes[i], mark);
        }
        {
          std::lock_guard<std::mutex> lock(handover_lock);
          std::swap(mine, handover);  // leave mine for another thread, take what one left
        }
        give_blocks<size>(mine);
      }
    });
  }
  for (auto& w : workers) w.join();
  give_blocks<size>(handover);
  EXPECT_EQ(slab_pool<size>::slabs_held(), 1u);
}

// Through a block cache: a thread that holds a peak of blocks and then frees them gives the
// memory back (all but what the caches keep: the shared depot's few magazines and a kept slab),
// instead of keeping the peak's slabs for good.
TEST(BlockCache, MemoryOfAPeakGoesBack) {
#if defined(OTP_ASAN_FIBERS)
  GTEST_SKIP() << "under AddressSanitizer block caches use the global allocator directly";
#else
  constexpr std::size_t size = 1072;
  using cache = otp::detail::block_cache<size>;
  constexpr std::size_t peak = 100'000;
  std::thread([] {
    std::vector<void*> held;
    held.reserve(peak);
    for (std::size_t i = 0; i < peak; ++i) held.push_back(cache::allocate());
    EXPECT_GE(slab_pool<size>::slabs_held(), peak / slab_pool<size>::blocks_per_slab);
    for (void* p : held) cache::deallocate(p);
  }).join();
  // The depot keeps 8 magazines of 256 blocks: 2048 blocks, each slab holding 61.
  EXPECT_LE(slab_pool<size>::slabs_held(), 2048 / slab_pool<size>::blocks_per_slab + 2);
#endif
}
