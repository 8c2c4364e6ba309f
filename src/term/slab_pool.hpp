#pragma once
// The memory behind a block_cache: blocks of one size carved from 64 KiB slabs.
//
// A block cache that runs dry gets its blocks here a magazine at a time, and what the caches
// have no room for comes back here. That happens when a mailbox holds a million messages: each
// block from malloc cost ~200 instructions to get and ~150 to give back (a fifth of a spawn in
// fjcreate, whose root holds a reply per child), a block from a slab a few. Each slab keeps the
// blocks given back to it and counts those still out; once all have come back it goes back to
// the kernel (one empty slab is kept, so that use swinging around a slab's worth does not map
// and unmap a slab each time), so memory taken for a peak does not stay taken. Blocks carry no
// allocator header: an idle process takes 224 bytes instead of malloc's 240.
//
// One lock per block size, taken once per magazine (hundreds of blocks), never per block.
// Slabs are aligned to their size, so a block finds its slab by masking its address; they are
// cut from kernel mappings of a megabyte (slab_memory.hpp), each slab unmapped on its own.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>

#include "term/slab_memory.hpp"
#include "term/spin_lock.hpp"

namespace otp::detail {

/// A free block, linked through its first word.
struct free_block {
  free_block* next;
};

/// A list of free blocks and its length.
struct block_chain {
  free_block* head = nullptr;
  unsigned count = 0;
};

template <std::size_t Size>
class slab_pool {
 public:
  static constexpr std::size_t slab_bytes = std::size_t(64) * 1024;

 private:
  struct slab {
    slab* prev;  // in the list of slabs that have blocks to hand out
    slab* next;
    free_block* given_back;
    unsigned carved;  // blocks cut so far; the rest of the slab is untouched memory
    unsigned out;     // blocks handed out and not given back
    bool listed;
  };
  static constexpr std::size_t first_block = (sizeof(slab) + 15) / 16 * 16;

 public:
  static constexpr unsigned blocks_per_slab = unsigned((slab_bytes - first_block) / Size);
  static_assert(Size >= sizeof(free_block) && Size % 16 == 0);
  static_assert(blocks_per_slab >= 16, "a slab should hold a good number of blocks");

  /// Up to `n` blocks (n >= 1), in ascending address order within each slab; throws
  /// std::bad_alloc if no memory is left for a new slab and none was found.
  static block_chain take(unsigned n) {
    state& st = get();
    block_chain chain;
    free_block* tail = nullptr;
    auto append = [&](free_block* b) {
      b->next = nullptr;
      (tail == nullptr ? chain.head : tail->next) = b;
      tail = b;
      ++chain.count;
    };
    st.guard.lock();
    while (chain.count < n) {
      slab* s = st.open;
      if (s == nullptr) {
        s = new_slab(st);
        if (s == nullptr) break;
        st.held.fetch_add(1, std::memory_order_relaxed);
        link(st, s);
      }
      if (s->out == 0 && s->carved > 0) --st.empty;
      while (chain.count < n && s->given_back != nullptr) {
        free_block* b = s->given_back;
        s->given_back = b->next;
        ++s->out;
        append(b);
      }
      while (chain.count < n && s->carved < blocks_per_slab) {
        append(reinterpret_cast<free_block*>(reinterpret_cast<char*>(s) + first_block + s->carved * Size));
        ++s->carved;
        ++s->out;
      }
      if (s->given_back == nullptr && s->carved == blocks_per_slab) unlink(st, s);
    }
    st.guard.unlock();
    if (chain.count == 0) throw std::bad_alloc();
    return chain;
  }

  /// Gives back a list of blocks from take (from any slabs), ending in nullptr.
  static void give(free_block* head) noexcept {
    if (head == nullptr) return;
    state& st = get();
    slab* to_free = nullptr;  // linked through `next`, freed after the lock is dropped
    st.guard.lock();
    while (head != nullptr) {
      free_block* b = head;
      head = b->next;
      slab* s = slab_of(b);
      b->next = s->given_back;
      s->given_back = b;
      if (!s->listed) link(st, s);
      if (--s->out == 0) {
        if (st.empty < kept_empty) {
          ++st.empty;
        } else {
          unlink(st, s);
          s->next = to_free;
          to_free = s;
          st.held.fetch_sub(1, std::memory_order_relaxed);
        }
      }
    }
    st.guard.unlock();
    while (to_free != nullptr) {
      slab* s = to_free;
      to_free = s->next;
      unmap_slab(s, slab_bytes);
    }
  }

  /// Slabs held now (for tests and statistics).
  static std::size_t slabs_held() noexcept { return get().held.load(std::memory_order_relaxed); }

 private:
  // Empty slabs kept rather than freed (see the top of the file).
  static constexpr unsigned kept_empty = 1;
  // Slabs mapped at once: a new slab is mostly a pointer bump, not three system calls.
  static constexpr std::size_t slabs_per_mapping = 16;

  // Trivially destructible, as block_cache's depot: blocks may come back after static destructors.
  struct state {
    spin_lock guard;
    slab* open;      // slabs with given-back or uncut blocks; guarded
    unsigned empty;  // slabs with nothing out, kept; guarded
    char* mapped;    // [mapped, mapped_end): mapped, not yet cut into slabs; guarded
    char* mapped_end;
    std::atomic<std::size_t> held;
  };
  static state& get() noexcept {
    static state s{};
    return s;
  }

  static slab* slab_of(free_block* b) noexcept {
    return reinterpret_cast<slab*>(reinterpret_cast<std::uintptr_t>(b) & ~(std::uintptr_t(slab_bytes) - 1));
  }
  static slab* new_slab(state& st) noexcept {
    if (st.mapped == st.mapped_end) {
      st.mapped = st.mapped_end = static_cast<char*>(map_slabs(slab_bytes, slabs_per_mapping));
      if (st.mapped == nullptr) return nullptr;
      st.mapped_end = st.mapped + slab_bytes * slabs_per_mapping;
    }
    void* memory = st.mapped;
    st.mapped += slab_bytes;
    return ::new (memory) slab{nullptr, nullptr, nullptr, 0, 0, false};
  }
  static void link(state& st, slab* s) noexcept {
    s->prev = nullptr;
    s->next = st.open;
    if (st.open != nullptr) st.open->prev = s;
    st.open = s;
    s->listed = true;
  }
  static void unlink(state& st, slab* s) noexcept {
    (s->prev == nullptr ? st.open : s->prev->next) = s->next;
    if (s->next != nullptr) s->next->prev = s->prev;
    s->prev = s->next = nullptr;
    s->listed = false;
  }
};

}  // namespace otp::detail
