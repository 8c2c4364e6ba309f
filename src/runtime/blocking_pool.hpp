#pragma once
// Threads for work that would stall a scheduler (blocking I/O, long computations): Erlang's dirty
// schedulers. A process hands work over and waits without holding its scheduler.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace otp::detail {

class blocking_pool {
 public:
  blocking_pool() = default;
  ~blocking_pool() { stop(); }
  void start(unsigned threads);
  void stop();
  void post(std::function<void()> job);

 private:
  void run();
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  bool stopping_ = false;
};

}  // namespace otp::detail
