#pragma once
// The node's timers: one thread sleeping until the earliest deadline.
//
// A timer, when it fires, delivers one signal to one pid through the ordinary send path; a timer
// whose process has died fires into the void. Cancelling is O(log n) under the service's lock.
//
// Two kinds share the one ordered map: timers named by an id (erlang:send_after and friends,
// which can be read and cancelled by id) and receive timers (`receive ... after`, one per
// blocked process), which every gen_server call arms and disarms. A receive timer is known by
// its process and receive sequence number, and its owner keeps the deadline, so it needs no
// id, no id index and no clock read to disarm.

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

  /// Arms the receive timer of process `number` for its receive `seq`: after `delay_ms`, `dest`
  /// gets a receive_timeout signal carrying `seq`. Returns the deadline (never 0) to disarm with.
  int64_t arm_receive(int64_t delay_ms, const pid& dest, uint64_t number, uint64_t seq);
  void disarm_receive(int64_t deadline, uint64_t number, uint64_t seq);

 private:
  struct entry {
    pid dest;
    signal_kind kind;
    term a;
  };
  // {deadline, id, 0} for a timer with an id; {deadline, process number | receive_bit, sequence}
  // for a receive timer.
  struct key {
    clock::time_point deadline;
    uint64_t id;
    uint64_t seq;
    auto operator<=>(const key&) const = default;
  };
  static constexpr uint64_t receive_bit = uint64_t(1) << 63;
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
