#pragma once
// Signals: everything one process sends another (messages included) and the inbox they arrive in.
//
// One inbox per process carries messages and control signals together, so that everything a
// sender sends one receiver arrives in the order it was sent (Erlang's per-pair guarantee). The
// receiver moves signals out of the inbox in batches: control signals take effect at once (so they
// never wait behind unreceived messages), messages go on to the private message queue.

#include <atomic>
#include <cstddef>
#include <cstdint>

#include <otp/term/term.hpp>

namespace otp::detail {

enum class signal_kind : uint8_t {
  message,      // a: the message
  exit_linked,  // a: reason — a linked process ended
  exit,         // a: reason — exit/2
  link,
  unlink,
  monitor,          // a: the monitor's ref (as a term); b: the name monitored by, or nil
  demonitor,        // a: ref
  down,             // a: ref; b: reason — a monitored process ended
  receive_timeout,  // a: the receive sequence number the timer was armed for
  info_request,     // a: reply ref — process_info asked by `from`
  wake,             // nothing: only makes the process run (blocking work finished)
  alias_message,    // a: the alias (a ref); b: the message — delivered only while the alias is active
  // monitor then message, from the same sender in one signal (send_monitored, a gen call's
  // request): a: the message; b: the monitor's ref. Answered as a monitor when the target is gone.
  monitored_message,
};

/// Whether a signal of this kind asks something of its receiver beyond a message to receive (and
/// the wake-ups of its own receive): what a process that never receives must still act on. A
/// mask, not a switch: every push asks.
constexpr bool is_control(signal_kind k) noexcept {
  constexpr uint32_t not_control =
      1u << unsigned(signal_kind::message) | 1u << unsigned(signal_kind::alias_message) |
      1u << unsigned(signal_kind::monitored_message) | 1u << unsigned(signal_kind::receive_timeout) |
      1u << unsigned(signal_kind::wake);
  return ((1u << unsigned(k)) & not_control) == 0;
}

struct signal {
  signal* next = nullptr;
  signal_kind kind;
  // monitor, monitored_message: its alias ends with the first message through it (reply_demonitor), so the
  // target may drop the monitor itself when it sends that message. alias_message: sent by the monitored
  // process through such an alias, having dropped the monitor on its side; the receiver ends it
  // without a demonitor signal. (A gen call's monitor costs one signal less that way.)
  bool ends_at_reply = false;
  pid from;
  term a;
  term b;

  signal(signal_kind k, const pid& f) noexcept : kind(k), from(f) {}
  signal(signal_kind k, const pid& f, term x) noexcept : kind(k), from(f), a(std::move(x)) {}
  signal(signal_kind k, const pid& f, term x, term y) noexcept
      : kind(k), from(f), a(std::move(x)), b(std::move(y)) {}

  // Every message is one signal: they come from a per-thread cache of free blocks
  // (small_blocks.cpp) rather than from malloc each time.
  static void* operator new(std::size_t size);
  static void operator delete(void* block, std::size_t size) noexcept;
};

/// Lock-free multi-producer inbox. Producers push with a CAS; the owner takes everything at once.
///
/// The head word also carries the process's sleep: a process goes to sleep by swapping an empty
/// inbox for the `parked` bit, and the one producer that clears the bit with its push is the one
/// that must wake it. Sleeping and waking thus agree on a single atomic word, and a process that
/// parked is never touched again by its own scheduler (it may already be running, or gone,
/// elsewhere). A closed inbox (its process has ended) refuses pushes.
class inbox {
 public:
  enum class push_result { queued, woke, closed };

  inbox() = default;
  inbox(const inbox&) = delete;
  ~inbox() = default;

  /// Any thread. `woke`: the owner was parked and the caller must schedule it. `closed`: the
  /// caller keeps ownership of `s`.
  push_result push(signal* s) noexcept {
    static_assert(alignof(signal) > parked_bit, "the parked bit lives in a signal pointer's low bits");
    uintptr_t head = head_.load(std::memory_order_relaxed);
    do {
      if (head == closed) return push_result::closed;
      s->next = list_of(head);
    } while (!head_.compare_exchange_weak(head, reinterpret_cast<uintptr_t>(s), std::memory_order_acq_rel,
                                          std::memory_order_relaxed));
    return (head & parked_bit) != 0 ? push_result::woke : push_result::queued;
  }

  /// Owner only, as its last act before sleeping: parks if nothing is waiting. False when
  /// signals arrived meanwhile (the owner keeps running then).
  bool try_park() noexcept {
    uintptr_t expected = 0;
    return head_.compare_exchange_strong(expected, parked_bit, std::memory_order_acq_rel,
                                         std::memory_order_relaxed);
  }

  /// Owner only (running, so never parked): removes and returns every pending signal, newest
  /// first (the caller puts them in order as it walks them once anyway).
  signal* take_all_newest_first() noexcept {
    if (!has_arrivals()) return nullptr;
    return list_of(head_.exchange(0, std::memory_order_acquire));
  }

  /// Owner only, while running (so neither parked nor closed): whether signals wait in the inbox.
  /// A plain load: a push that it misses is seen by the next look, as with a take.
  bool has_arrivals() const noexcept { return head_.load(std::memory_order_relaxed) != 0; }

  /// Owner only: closes the inbox and returns what was left in it, oldest first.
  signal* close() noexcept { return reverse(head_.exchange(closed, std::memory_order_acq_rel)); }

  bool empty() const noexcept {
    const uintptr_t h = head_.load(std::memory_order_acquire);
    return h == closed || list_of(h) == nullptr;
  }

 private:
  static constexpr uintptr_t closed = 1;      // the whole word: no list
  static constexpr uintptr_t parked_bit = 2;  // the whole word while parked (never over a list)

  static signal* list_of(uintptr_t h) noexcept {
    return h == closed ? nullptr : reinterpret_cast<signal*>(h & ~parked_bit);
  }
  static signal* reverse(uintptr_t h) noexcept {
    signal* s = list_of(h);
    signal* out = nullptr;
    while (s != nullptr) {
      signal* next = s->next;
      s->next = out;
      out = s;
      s = next;
    }
    return out;
  }
  std::atomic<uintptr_t> head_{0};
};

/// The process's private queue of received messages, oldest first; only its owner touches it.
class message_queue {
 public:
  message_queue() = default;
  message_queue(const message_queue&) = delete;
  ~message_queue() { clear(); }

  void append(signal* s) noexcept {
    s->next = nullptr;
    if (tail_ == nullptr) {
      head_ = tail_ = s;
    } else {
      tail_->next = s;
      tail_ = s;
    }
    ++size_;
  }
  /// Appends the chain first..last (linked through next, last->next == nullptr) of n signals.
  void append_chain(signal* first, signal* last, std::size_t n) noexcept {
    (tail_ == nullptr ? head_ : tail_->next) = first;
    tail_ = last;
    size_ += n;
  }
  signal* head() const noexcept { return head_; }
  signal* tail() const noexcept { return tail_; }
  std::size_t size() const noexcept { return size_; }

  /// Unlinks `s`, whose predecessor is `prev` (nullptr when s is the head).
  void remove(signal* prev, signal* s) noexcept {
    (prev == nullptr ? head_ : prev->next) = s->next;
    if (tail_ == s) tail_ = prev;
    s->next = nullptr;
    --size_;
  }
  void clear() noexcept {
    while (head_ != nullptr) {
      signal* next = head_->next;
      delete head_;
      head_ = next;
    }
    tail_ = nullptr;
    size_ = 0;
  }

 private:
  signal* head_ = nullptr;
  signal* tail_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace otp::detail
