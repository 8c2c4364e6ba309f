#pragma once
// The node's timers: one thread sleeping until the earliest deadline.
//
// A timer, when it fires, delivers one signal to one pid through the ordinary send path; a timer
// whose process has died fires into the void. Timers are named by an id (erlang:send_after and
// friends can read and cancel them by it); cancelling is O(log n) under the service's lock.
// Receive timeouts, which every gen_server call arms and disarms, are not kept here but in the
// wheel of each scheduler (timer_wheel.hpp).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include <otp/term/term.hpp>

#include "runtime/signal.hpp"

namespace otp::detail {

struct node_state;

class timer_service {
 public:
  using clock = std::chrono::steady_clock;

  explicit timer_service(node_state& node);
  ~timer_service();
  void start();
  void stop();

  /// Arms a timer that delivers a `kind` signal carrying `a` to `dest` after `delay_ms`.
  void arm(uint64_t id, int64_t delay_ms, const pid& dest, signal_kind kind, term a);
  /// Disarms; returns the milliseconds that were left, or nullopt if it was not armed.
  std::optional<int64_t> cancel(uint64_t id);
  std::optional<int64_t> remaining(uint64_t id);

 private:
  struct entry {
    pid dest;
    signal_kind kind;
    term a;
  };
  struct key {
    clock::time_point deadline;
    uint64_t id;
    auto operator<=>(const key&) const = default;
  };
  void insert(const key& k, entry e);
  void run();

  node_state& node_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::map<key, entry> by_deadline_;
  std::unordered_map<uint64_t, clock::time_point> deadlines_;
  bool stopping_ = false;
  // The deadline the thread is sleeping until (guarded by mutex_); a timer due later needs no
  // wake-up, the thread will look at the map when it wakes anyway.
  clock::time_point sleeping_until_ = clock::time_point::max();
  std::thread thread_;
};

}  // namespace otp::detail
