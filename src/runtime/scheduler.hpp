#pragma once
// A scheduler: one thread, its run queue, and the fibers its loop runs on.
//
// The loop never runs on the thread's own stack. It runs on fibers, and a process runs inline on
// whichever loop fiber picked it. When the process blocks, it keeps that fiber and the thread
// continues the loop on another one (an idle loop fiber, or a new one). When a blocked process is
// resumed, the resuming loop fiber parks itself as idle and switches to the process's fiber; once
// the process's callback returns, that fiber simply carries on as a loop fiber. Every switch hands
// the target a switch_action saying what to do with the fiber it came from.
//
// Wake-up protocol (no lost wake-ups, no access after sleep): a process goes to sleep only after
// it has switched off its fiber, by parking its inbox (one CAS from empty to a `parked` mark).
// The sender whose push replaces the mark queues the process; if the CAS fails, signals came in
// and the loop queues the process itself. See inbox in signal.hpp.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "runtime/fiber.hpp"
#include "runtime/run_queue.hpp"
#include "runtime/timer_wheel.hpp"

namespace otp::detail {

struct node_state;
struct process;

struct switch_action {
  // yield_home: a yield that queues the process on the scheduler its `home` names (see
  // charge_for_backlog), not on the one it ran on.
  enum kind_t : uint8_t { start, park_source, suspend, yield, yield_home, exit_loop } kind;
  fiber* from;
  fiber* to;
  process* p;
};

class scheduler {
 public:
  scheduler(node_state& node, uint16_t index);
  scheduler(const scheduler&) = delete;
  ~scheduler();

  void start();
  void join();

  /// Queues a runnable process here (any thread).
  void enqueue(process* p) noexcept;
  /// This scheduler's thread only: `p` was just woken by the running process; it runs as soon as
  /// the running one blocks, in what is left of its turn (see pick_local). Returns true when that
  /// pushed an earlier woken process onto the queue.
  bool wake_next(process* p) noexcept;
  /// This scheduler's thread only: the running process stops, having spent `reductions` in its
  /// turn; `used_up`: it yields (its turn is over, not to be continued by the process it woke).
  void turn_ended(int32_t reductions, bool used_up) noexcept {
    chain_reductions_ = used_up ? reduction_budget : reductions;
  }
  /// Wakes this scheduler if it is parked; true if it was.
  bool unpark() noexcept;
  bool parked() const noexcept { return parked_.load(std::memory_order_seq_cst); }
  std::size_t queued() const noexcept {
    return queue_.size() + (next_.load(std::memory_order_seq_cst) != nullptr ? 1 : 0);
  }

  uint16_t index() const noexcept { return index_; }

  /// This scheduler's thread only: frees an ended process's control block once no scheduler can
  /// still hold a pointer to it from a lock-free table lookup (quiescent-state reclamation).
  void retire(process* p) noexcept;
  /// After every scheduler thread has ended: frees what is still waiting to be freed.
  void free_retired() noexcept;
  node_state& node() noexcept { return node_; }
  /// A reference number no other scheduler or thread of the node makes (this thread only).
  uint64_t next_ref_id() noexcept { return (uint64_t(index_) + 1) << 48 | ++refs_made_; }
  /// Counts a send of the running process that found `receiver`'s inbox already holding signals
  /// it has not taken in; returns how many such sends in a row went to that receiver during
  /// this turn (send_message charges for them).
  uint32_t count_send_into_backlog(const process* receiver) noexcept {
    if (burst_receiver_ != receiver) {
      burst_receiver_ = receiver;
      burst_sends_ = 0;
    }
    return ++burst_sends_;
  }
  /// The receive timers of the processes that armed them here.
  timer_wheel& timers() noexcept { return timers_; }

  // ---- only on this scheduler's thread ------------------------------------------------------------
  process* current = nullptr;  // the process running now
  fiber* running = nullptr;    // the fiber running now
  /// Puts a process that has nothing to do to sleep, unless signals arrived meanwhile (then it is
  /// queued again).
  void sleep(process* p) noexcept;
  /// Switches the running process `p` away from its fiber (it blocks or yields) to a loop fiber.
  void switch_out(process* p, switch_action::kind_t why);
  /// switch_out once the process's exception state is off the thread (or it has none).
  void switch_away(process* p, switch_action::kind_t why);
  /// The loop fibers' body; `me` is the fiber it runs on.
  [[noreturn]] static void loop(fiber* me);

 private:
  friend void after_switch(transfer_t t, fiber* me) noexcept;
  void thread_main();
  process* next_process();
  process* steal(bool last_round);
  process* take_next() noexcept;
  /// Queues a process whose turn is used up, behind the woken-next one (woken before it yielded).
  void enqueue_after_turn(process* p) noexcept;
  /// Marks a quiescent point: this thread holds no pointer from a lock-free lookup now.
  void quiesce() noexcept;
  void go_offline() noexcept;
  void go_online() noexcept;
  void reclaim() noexcept;
  process* pick_local();
  bool any_work() const noexcept;
  void run(process* p, fiber* me);
  /// Sends the receive_timeout signals of every timer due in this scheduler's wheel.
  void fire_timers();
  void park_fiber(fiber* f) noexcept;
  fiber* idle_fiber();

  node_state& node_;
  uint16_t index_;
  run_queue queue_;
  std::atomic<bool> parked_{false};
  std::mutex park_mutex_;
  std::condition_variable park_cv_;
  std::thread thread_;
  fiber native_;
  exception_state* thread_exceptions_ = nullptr;  // this thread's (see switch_out)
  std::vector<fiber*> idle_fibers_;
  process* handoff_ = nullptr;  // taken off the queue by switch_out for the loop to run next
  // The process woken last by this scheduler's running process: it runs as soon as that one
  // blocks, in the rest of its turn (see pick_local), without the queue's lock, which is what a
  // pair of processes passing messages back and forth mostly needs; after a yield it goes to the
  // queue ahead of the yielder (enqueue_after_turn). Only this thread stores into it; another scheduler may
  // take it (an exchange) when this one has not switched for a park cycle, so a woken process never waits
  // long behind a waker that hogs the core.
  std::atomic<process*> next_{nullptr};
  // Reductions spent by the run of processes that woke each other through next_ since the last
  // pick from the queue; reduction_budget when the process that stopped last yielded (the slot
  // then waits its turn behind the queue).
  int32_t chain_reductions_ = reduction_budget;

  // Reclamation. quiescent_: the epoch this thread saw at its last quiescent point; `offline`
  // while parked (it holds nothing then), 0 while coming back (it may hold anything).
  static constexpr uint64_t offline = ~uint64_t(0);
  alignas(64) std::atomic<uint64_t> quiescent_{0};
  struct retired {
    process* p;
    uint64_t epoch;  // freeable once every other scheduler has seen it; 0: not yet stamped
  };
  std::vector<retired> retired_;
  std::size_t unstamped_ = 0;
  unsigned steal_start_ = 0;

  uint64_t refs_made_ = 0;
  // The running process's current run of sends into one receiver's untaken inbox (reset at
  // every switch).
  const process* burst_receiver_ = nullptr;
  uint32_t burst_sends_ = 0;
  timer_wheel timers_;
  std::vector<timer_wheel::fired> fired_;
  // Counts pick_local calls (switches): the wheel is looked at every few, and a thief tells from
  // it whether this scheduler's running process has held the core for a long while.
  std::atomic<uint32_t> switches_{0};
  // The victims' switch counts this scheduler saw when it last considered taking their woken-next
  // process (see steal).
  std::vector<uint32_t> seen_switches_;
};

/// What a fiber does first after being switched to: takes over the state the switch handed it.
void after_switch(transfer_t t, fiber* me) noexcept;
/// The scheduler running the calling thread, or nullptr. Not inlined: a process may resume on
/// another thread, so the thread-local must be read afresh after every potential switch.
scheduler* current_scheduler() noexcept;

}  // namespace otp::detail
