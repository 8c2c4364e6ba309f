#pragma once
// The table of live processes, indexed by pid number.
//
// A pid number is a 64-bit counter value; its low bits pick the slot (as the BEAM's process table
// does), so a pid stays unique for 2^64 spawns and a stale pid never finds the new occupant of its
// slot (the numbers differ). Each slot is one word: the process pointer, with bit 0 as a tiny lock
// that senders hold while they push a signal, so the process cannot be freed under them, and bit
// 1 set once the process is exiting: dead to the world (is_process_alive, process_count) while
// it still takes signals in, until its exit signals and DOWNs have gone out.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace otp::detail {

struct process;

class process_table {
 public:
  /// Erlang's largest +P, and within what counts_ holds.
  static constexpr std::size_t max_capacity = std::size_t(1) << 27;
  /// Room for `capacity` processes, rounded up to a power of two (16 to max_capacity).
  explicit process_table(std::size_t capacity);

  /// Reserves a slot for `p` and gives it its number. False when the table is full (system_limit).
  bool insert(process* p, uint64_t& number_out) noexcept;
  /// Its owner, as it starts to exit: from now on `p` counts as dead (is_live, live_count), but
  /// signals still reach it.
  void mark_exiting(const process* p) noexcept;
  /// Frees the slot of `p` (its owner, at the end of its exit).
  void remove(const process* p) noexcept;
  /// Whether `number` names a process that is not exiting.
  bool is_live(uint64_t number) const noexcept {
    const uintptr_t v = slots_[number & mask_].load(std::memory_order_acquire);
    auto* p = reinterpret_cast<process*>(v & pointer_bits);
    return p != nullptr && number_of(p) == number && (v & exiting_bit) == 0;
  }

  /// Calls fn(process*) with the slot locked if `number` names a process in the table (an
  /// exiting one too, unless `live_only`); returns whether it did. fn must be short and must not
  /// touch the table.
  template <class Fn>
  bool with_process(uint64_t number, Fn&& fn, bool live_only = false) noexcept {
    std::atomic<uintptr_t>& slot = slots_[number & mask_];
    uintptr_t v = lock(slot);
    auto* p = reinterpret_cast<process*>(v & pointer_bits);
    bool found = p != nullptr && number_of(p) == number && !(live_only && (v & exiting_bit) != 0);
    if (found) fn(p);
    slot.store(v, std::memory_order_release);
    return found;
  }

  /// The live process `number` names, or nullptr, without the slot's lock. Only for a scheduler
  /// thread of the table's node: processes are freed only after every such thread has passed a
  /// quiescent point since (scheduler::retire), so the pointer stays valid until the caller's
  /// next one. The process may be ending meanwhile; its closed inbox then refuses pushes.
  process* find_unlocked(uint64_t number) const noexcept {
    const uintptr_t v = slots_[number & mask_].load(std::memory_order_acquire) & pointer_bits;
    auto* p = reinterpret_cast<process*>(v);
    return p != nullptr && number_of(p) == number ? p : nullptr;
  }

  /// Calls fn(process*) for every live process (slots locked one at a time).
  template <class Fn>
  void for_each(Fn&& fn) noexcept {
    for (auto& slot : slots_) {
      if (slot.load(std::memory_order_relaxed) == 0) continue;
      uintptr_t v = lock(slot);
      if (v != 0) fn(reinterpret_cast<process*>(v & pointer_bits));
      slot.store(v, std::memory_order_release);
    }
  }

  /// Processes in the table, exiting ones included (the node stops once there are none).
  std::size_t size() const noexcept {
    return std::size_t(counts_.load(std::memory_order_relaxed) & count_mask);
  }
  /// Processes in the table that are not exiting (erlang:system_info(process_count)).
  std::size_t live_count() const noexcept {
    return std::size_t(counts_.load(std::memory_order_relaxed) >> live_shift);
  }
  std::size_t capacity() const noexcept { return slots_.size(); }

 private:
  static constexpr uintptr_t lock_bit = 1;
  static constexpr uintptr_t exiting_bit = 2;
  static constexpr uintptr_t pointer_bits = ~(lock_bit | exiting_bit);

  static uintptr_t lock(std::atomic<uintptr_t>& slot) noexcept;
  static uint64_t number_of(const process* p) noexcept;

  // Both counts in one word (processes in the table in the low half, live ones in the high
  // half), so a spawn or a removal is one atomic add; on a line of their own, away from next_,
  // which only spawners touch, and from the read-only slots_ and mask_: a process spawned on one
  // core and ending on another then moves one line between them, not three.
  static constexpr int live_shift = 32;
  static constexpr uint64_t count_mask = (uint64_t(1) << live_shift) - 1;
  static constexpr uint64_t one_count = 1, one_live = uint64_t(1) << live_shift;

  std::vector<std::atomic<uintptr_t>> slots_;
  uint64_t mask_;
  alignas(64) std::atomic<uint64_t> next_{1};
  alignas(64) std::atomic<uint64_t> counts_{0};
};

}  // namespace otp::detail
