#include "runtime/process_table.hpp"

#include <algorithm>
#include <bit>
#include <thread>

#include "runtime/process.hpp"

namespace otp::detail {

process_table::process_table(std::size_t capacity)
    : slots_(std::bit_ceil(std::clamp(capacity, std::size_t(16), max_capacity))), mask_(slots_.size() - 1) {}

static_assert(alignof(process) > 2, "the slot's lock and exiting bits live in a process pointer's low bits");

uint64_t process_table::number_of(const process* p) noexcept { return p->number; }

uintptr_t process_table::lock(std::atomic<uintptr_t>& slot) noexcept {
  for (int spins = 0;; ++spins) {
    uintptr_t v = slot.load(std::memory_order_relaxed);
    if ((v & lock_bit) == 0 &&
        slot.compare_exchange_weak(v, v | lock_bit, std::memory_order_acquire, std::memory_order_relaxed)) {
      return v;
    }
    if (spins > 64) std::this_thread::yield();
  }
}

bool process_table::insert(process* p, uint64_t& number_out) noexcept {
  // A full sweep of the table without a free slot means it is full.
  for (std::size_t tries = 0; tries <= slots_.size(); ++tries) {
    uint64_t n = next_.fetch_add(1, std::memory_order_relaxed);
    std::atomic<uintptr_t>& slot = slots_[n & mask_];
    uintptr_t expected = 0;
    p->number = n;
    if (slot.compare_exchange_strong(expected, reinterpret_cast<uintptr_t>(p), std::memory_order_acq_rel)) {
      counts_.fetch_add(one_count + one_live, std::memory_order_relaxed);
      number_out = n;
      return true;
    }
  }
  return false;
}

void process_table::mark_exiting(const process* p) noexcept {
  std::atomic<uintptr_t>& slot = slots_[p->number & mask_];
  uintptr_t v = lock(slot);
  if (reinterpret_cast<const process*>(v & pointer_bits) == p && (v & exiting_bit) == 0) {
    v |= exiting_bit;
    counts_.fetch_sub(one_live, std::memory_order_relaxed);
  }
  slot.store(v, std::memory_order_release);
}

void process_table::remove(const process* p) noexcept {
  std::atomic<uintptr_t>& slot = slots_[p->number & mask_];
  uintptr_t v = lock(slot);
  if (reinterpret_cast<const process*>(v & pointer_bits) == p) {
    counts_.fetch_sub((v & exiting_bit) == 0 ? one_count + one_live : one_count, std::memory_order_relaxed);
    v = 0;
  }
  slot.store(v, std::memory_order_release);
}

}  // namespace otp::detail
