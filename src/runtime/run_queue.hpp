#pragma once
// A scheduler's run queue: one FIFO per priority, intrusive through process::run_next, behind a
// spin_lock (held for a few instructions; other schedulers take it only to steal).
//
// Selection follows Erlang: max before high before normal and low; low processes share the
// normal lane's turns, one low pick for every eight normal ones when both are waiting. A queued
// max or high process also goes before the scheduler's woken-next slot (scheduler::pick_local).

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "runtime/process.hpp"
#include "term/spin_lock.hpp"

namespace otp::detail {

class run_queue {
 public:
  void push(process* p) noexcept {
    lock_.lock();
    lane& l = lanes_[static_cast<int>(p->prio)];
    p->run_next = nullptr;
    if (l.tail == nullptr) {
      l.head = l.tail = p;
    } else {
      l.tail->run_next = p;
      l.tail = p;
    }
    // Only lock holders write size_: a plain store, not a read-modify-write, is enough.
    size_.store(size_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    if (urgent(p)) urgent_.store(urgent_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    lock_.unlock();
  }

  /// The next process to run, or nullptr.
  process* pop() noexcept {
    if (size_.load(std::memory_order_relaxed) == 0) return nullptr;
    lock_.lock();
    process* p = take();
    lock_.unlock();
    return p;
  }

  /// For a thief: the first process in pop's lane order that may move (not one that followed its
  /// receiver here, see process::follows_receiver), or nullptr.
  process* steal() noexcept {
    if (size_.load(std::memory_order_relaxed) == 0) return nullptr;
    lock_.lock();
    process* p = nullptr;
    for (int prio : {int(priority::max), int(priority::high), int(priority::normal), int(priority::low)}) {
      if ((p = take_movable(lanes_[prio])) != nullptr) break;
    }
    lock_.unlock();
    return p;
  }

  std::size_t size() const noexcept { return size_.load(std::memory_order_seq_cst); }
  /// Whether a max or high priority process is queued (the owner's look before it runs its
  /// woken-next slot: such a process goes first, as it would in Erlang's run queues).
  bool has_urgent() const noexcept { return urgent_.load(std::memory_order_relaxed) != 0; }

 private:
  struct lane {
    process* head = nullptr;
    process* tail = nullptr;
  };
  // A queued process is not running, so its priority stays what it was when it was pushed.
  static bool urgent(const process* p) noexcept { return p->prio >= priority::high; }
  void count_out(const process* p) noexcept {
    size_.store(size_.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
    if (urgent(p)) urgent_.store(urgent_.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
  }
  process* take_from(lane& l) noexcept {
    process* p = l.head;
    if (p == nullptr) return nullptr;
    l.head = p->run_next;
    if (l.head == nullptr) l.tail = nullptr;
    p->run_next = nullptr;
    count_out(p);
    return p;
  }
  process* take_movable(lane& l) noexcept {
    process* prev = nullptr;
    for (process* p = l.head; p != nullptr; prev = p, p = p->run_next) {
      if (p->follows_receiver) continue;
      (prev == nullptr ? l.head : prev->run_next) = p->run_next;
      if (l.tail == p) l.tail = prev;
      p->run_next = nullptr;
      count_out(p);
      return p;
    }
    return nullptr;
  }
  process* take() noexcept {
    if (process* p = take_from(lanes_[int(priority::max)])) return p;
    if (process* p = take_from(lanes_[int(priority::high)])) return p;
    lane& normal = lanes_[int(priority::normal)];
    lane& low = lanes_[int(priority::low)];
    if (low.head != nullptr && (normal.head == nullptr || ++low_turn_ >= 8)) {
      low_turn_ = 0;
      return take_from(low);
    }
    return take_from(normal);
  }

  spin_lock lock_;
  lane lanes_[4];
  unsigned low_turn_ = 0;
  std::atomic<std::size_t> size_{0};
  std::atomic<uint32_t> urgent_{0};  // queued processes of max or high priority
};

}  // namespace otp::detail
