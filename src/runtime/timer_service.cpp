#include "runtime/timer_service.hpp"

#include <vector>

#include "runtime/node_state.hpp"

namespace otp::detail {

timer_service::timer_service(node_state& node) : node_(node) {}

timer_service::~timer_service() { stop(); }

void timer_service::start() {
  thread_ = std::thread([this] { run(); });
}

void timer_service::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lock(mutex_);
  by_deadline_.clear();
  deadlines_.clear();
}

void timer_service::insert(const key& k, entry e) {
  bool sooner;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    by_deadline_.emplace(k, std::move(e));
    deadlines_[k.id] = k.deadline;
    // Wake the thread only if it would sleep past this deadline.
    sooner = k.deadline < sleeping_until_;
  }
  if (sooner) wake_.notify_one();
}

void timer_service::arm(uint64_t id, int64_t delay_ms, const pid& dest, signal_kind kind, term a) {
  insert(key{clock::now() + std::chrono::milliseconds(delay_ms), id}, entry{dest, kind, std::move(a)});
}

std::optional<int64_t> timer_service::cancel(uint64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = deadlines_.find(id);
  if (it == deadlines_.end()) return std::nullopt;
  const auto deadline = it->second;
  by_deadline_.erase(key{deadline, id});
  deadlines_.erase(it);
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
  return left < 0 ? 0 : left;
}

std::optional<int64_t> timer_service::remaining(uint64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = deadlines_.find(id);
  if (it == deadlines_.end()) return std::nullopt;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(it->second - clock::now()).count();
  return left < 0 ? 0 : left;
}

void timer_service::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  std::vector<std::pair<pid, signal*>> due;
  while (!stopping_) {
    if (by_deadline_.empty()) {
      sleeping_until_ = clock::time_point::max();
      wake_.wait(lock);
      continue;
    }
    // A copy: the entry may be cancelled (and freed) while this thread waits without the lock.
    const clock::time_point next = by_deadline_.begin()->first.deadline;
    if (next > clock::now()) {
      sleeping_until_ = next;
      wake_.wait_until(lock, next);
      continue;
    }
    // Collect everything due, then deliver without holding the lock: delivery may wake schedulers.
    const auto now = clock::now();
    while (!by_deadline_.empty() && by_deadline_.begin()->first.deadline <= now) {
      auto it = by_deadline_.begin();
      deadlines_.erase(it->first.id);
      entry& e = it->second;
      due.emplace_back(e.dest, new signal(e.kind, e.dest, std::move(e.a)));
      by_deadline_.erase(it);
    }
    lock.unlock();
    for (auto& [dest, sig] : due) deliver_signal(node_, dest, sig);
    due.clear();
    lock.lock();
  }
}

}  // namespace otp::detail
