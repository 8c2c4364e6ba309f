#include "runtime/scheduler.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

#include "runtime/node_state.hpp"
#include "runtime/process.hpp"
#include "term/spin_lock.hpp"

namespace otp::detail {
namespace {

// initial-exec, as small_blocks.cpp's cache: read on every send and switch, it should be a plain
// %fs load, not a call to __tls_get_addr (the library is position-independent code).
constinit thread_local scheduler* tls_scheduler [[gnu::tls_model("initial-exec")]] = nullptr;

// Idle loop fibers kept for reuse per scheduler; beyond this they are freed.
constexpr std::size_t max_idle_fibers = 32;
// Rounds of looking for work (own queue, then stealing) before a scheduler parks its thread.
constexpr int spin_rounds = 200;
// Ended processes a scheduler collects before it advances the reclamation epoch and frees those
// every other scheduler is done with.
constexpr std::size_t reclaim_batch = 64;
// In its last round before it parks (once per park cycle), a scheduler also takes a lone queued
// process or a woken-next one from another: see steal.
constexpr int last_spin_round = spin_rounds - 1;
// A scheduler with receive timers armed looks for due ones every this many switches (and before
// it parks): a clock read per switch would cost more than the switch.
constexpr uint32_t timer_check_every = 32;
// Longest a parked scheduler sleeps before it looks for work to steal again.
constexpr auto park_limit = std::chrono::milliseconds(10);

void loop_entry(transfer_t t) {
  fiber_entered();
  fiber* me = static_cast<switch_action*>(t.data)->to;
  after_switch(t, me);
  scheduler::loop(me);
}

}  // namespace

__attribute__((noinline)) scheduler* current_scheduler() noexcept {
  // The empty asm keeps the compiler from treating this as a pure function whose result could be
  // reused across a fiber switch.
  asm volatile("" ::: "memory");
  return tls_scheduler;
}

void after_switch(transfer_t t, fiber* me) noexcept {
  auto* action = static_cast<switch_action*>(t.data);
  action->from->ctx = t.fctx;
  scheduler* s = current_scheduler();
  s->running = me;
  switch (action->kind) {
    case switch_action::start:
    case switch_action::exit_loop:
      break;
    case switch_action::park_source:
      s->park_fiber(action->from);
      break;
    case switch_action::suspend:
      // The process is off its fiber now; only from here may another scheduler resume it.
      action->p->fib = action->from;
      s->sleep(action->p);
      break;
    case switch_action::yield:
    case switch_action::yield_home: {
      process* p = action->p;
      p->fib = action->from;
      p->state.store(run_state::runnable, std::memory_order_seq_cst);
      if (action->kind == switch_action::yield) {
        s->enqueue_after_turn(p);
      } else {
        s->node().schedule_at_home(p);
      }
      break;
    }
  }
}

scheduler::scheduler(node_state& node, uint16_t index) : node_(node), index_(index) {}

scheduler::~scheduler() {
  join();
  free_retired();
}

void scheduler::start() {
  thread_ = std::thread([this] { thread_main(); });
}

void scheduler::join() {
  if (thread_.joinable()) thread_.join();
}

void scheduler::thread_main() {
  tls_scheduler = this;
  seen_switches_.assign(node_.schedulers.size(), 0);  // every scheduler exists before any starts
  go_online();
  fiber_init_thread(native_);
  thread_exceptions_ = thread_exception_state();
  fiber* first = fiber_create(node_.options.stack_size, loop_entry);
  switch_action start{switch_action::start, &native_, first, nullptr};
  transfer_t t = jump(*first, &start);
  // Back on the thread's own stack: the node is stopping and the loop has ended.
  fiber_destroy(static_cast<switch_action*>(t.data)->from);
  for (fiber* f : idle_fibers_) fiber_destroy(f);
  idle_fibers_.clear();
  fiber_release_thread(native_);
  quiescent_.store(offline, std::memory_order_release);
  tls_scheduler = nullptr;
}

void scheduler::loop(fiber* me) {
  for (;;) {
    scheduler* s = current_scheduler();
    process* p = s->next_process();
    if (p == nullptr) {
      switch_action done{switch_action::exit_loop, me, &s->native_, nullptr};
      jump(s->native_, &done);
      __builtin_unreachable();
    }
    s->run(p, me);
  }
}

void scheduler::run(process* p, fiber* me) {
  current = p;
  p->home.store(index_, std::memory_order_relaxed);
  p->follows_receiver = false;
  p->state.store(run_state::running, std::memory_order_relaxed);
  if (p->fib != nullptr) {
    // Resume a blocked process on its own fiber; this loop fiber parks until it is needed again.
    fiber* target = p->fib;
    p->fib = nullptr;
    switch_action resume{switch_action::park_source, me, target, p};
    transfer_t t = jump(*target, &resume);
    after_switch(t, me);
    return;
  }
  const bool alive = run_inline(p);
  // The process may have blocked and been resumed elsewhere: this fiber may be on another thread.
  scheduler* s = current_scheduler();
  s->current = nullptr;
  if (!alive) return;  // run_inline said how much of the turn it spent (p may be freed now)
  // A reactor that handled its batch yields: it used up its turn and goes to the back of the queue.
  const bool used_up = p->state.load(std::memory_order_relaxed) == run_state::runnable;
  s->turn_ended(p->reductions, used_up);
  if (used_up) {
    s->enqueue_after_turn(p);
  } else {
    s->sleep(p);
  }
}

void scheduler::sleep(process* p) noexcept {
  // After a successful try_park the process belongs to whoever wakes it: not one more access.
  p->state.store(run_state::waiting, std::memory_order_relaxed);
  if (!p->in.try_park()) {
    p->state.store(run_state::runnable, std::memory_order_relaxed);
    enqueue(p);
  }
}

void scheduler::switch_out(process* p, switch_action::kind_t why) {
  if (!thread_exceptions_->held()) [[likely]]
    return switch_away(p, why);
  // A process that blocks inside a catch handler, or while unwinding, keeps its exception state:
  // the next one must not see it (its `throw;` would rethrow this one), and it must find it again
  // on whichever thread it resumes (fiber.hpp). Put back by a destructor, so that a throw from
  // the switch itself (no fiber to switch to) joins it rather than losing it.
  struct exceptions_kept {
    const exception_state state;
    ~exceptions_kept() {
      // The thread's state is the resumed fiber's: none, or the exception thrown meanwhile.
      exception_state& now = *current_scheduler()->thread_exceptions_;
      now.caught_exceptions = state.caught_exceptions;
      now.uncaught_exceptions += state.uncaught_exceptions;
    }
  } const kept{std::exchange(*thread_exceptions_, exception_state{})};
  switch_away(p, why);
}

void scheduler::switch_away(process* p, switch_action::kind_t why) {
  fiber* me = running;
  turn_ended(p->reductions, why != switch_action::suspend);
  // Hand the thread straight to the next process when it is blocked on a fiber of its own: one
  // switch instead of two (to a loop fiber, then on to it). A process with no fiber yet is run
  // first by the loop fiber this switches to.
  process* next = pick_local();
  if (next != nullptr && next->fib != nullptr) {
    fiber* target = next->fib;
    next->fib = nullptr;
    next->home.store(index_, std::memory_order_relaxed);
    next->follows_receiver = false;
    next->state.store(run_state::running, std::memory_order_relaxed);
    current = next;
    switch_action action{why, me, target, p};
    transfer_t t = jump(*target, &action);
    after_switch(t, me);
    return;
  }
  handoff_ = next;
  current = nullptr;
  fiber* target = idle_fiber();
  switch_action action{why, me, target, p};
  transfer_t t = jump(*target, &action);
  after_switch(t, me);
}

void scheduler::park_fiber(fiber* f) noexcept {
  if (idle_fibers_.size() < max_idle_fibers) {
    idle_fibers_.push_back(f);
  } else {
    fiber_destroy(f);
  }
}

fiber* scheduler::idle_fiber() {
  if (!idle_fibers_.empty()) {
    fiber* f = idle_fibers_.back();
    idle_fibers_.pop_back();
    return f;
  }
  return fiber_create(node_.options.stack_size, loop_entry);
}

void scheduler::enqueue(process* p) noexcept { queue_.push(p); }

void scheduler::enqueue_after_turn(process* p) noexcept {
  // The woken-next process was made runnable before `p` used up its turn: it goes first.
  // Otherwise processes that keep yielding (senders flooding it) would run ahead of it turn after
  // turn, since after a yield the slot runs only once the queue is empty.
  if (next_.load(std::memory_order_relaxed) != nullptr) {
    if (process* earlier = next_.exchange(nullptr, std::memory_order_acq_rel)) queue_.push(earlier);
  }
  queue_.push(p);
}

// ---- reclamation --------------------------------------------------------------------------------
// Senders on scheduler threads find processes in the table without its slot lock
// (process_table::find_unlocked). An ended process is therefore freed only when every other
// scheduler has been through a quiescent point (a switch: pick_local) after the process left the
// table. The epoch bump that stamps a batch is a read-modify-write on the node's epoch, so a
// scheduler that reads that epoch (or a later one) also sees the table slots the batch cleared.

void scheduler::quiesce() noexcept {
  quiescent_.store(node_.epoch.load(std::memory_order_acquire), std::memory_order_release);
}

void scheduler::retire(process* p) noexcept {
  retired_.push_back({p, 0});
  if (++unstamped_ >= reclaim_batch) reclaim();
}

void scheduler::reclaim() noexcept {
  if (retired_.empty()) return;
  if (unstamped_ > 0) {
    const uint64_t stamp = node_.epoch.fetch_add(1, std::memory_order_seq_cst) + 1;
    for (auto it = retired_.rbegin(); it != retired_.rend() && it->epoch == 0; ++it) it->epoch = stamp;
    unstamped_ = 0;
  }
  quiesce();
  uint64_t seen_by_all = offline;
  for (const auto& other : node_.schedulers) {
    if (other.get() != this)
      seen_by_all = std::min(seen_by_all, other->quiescent_.load(std::memory_order_seq_cst));
  }
  std::size_t kept = 0;
  for (retired& r : retired_) {
    if (r.epoch <= seen_by_all) {
      delete r.p;
    } else {
      retired_[kept++] = r;
    }
  }
  retired_.resize(kept);
}

void scheduler::free_retired() noexcept {
  for (retired& r : retired_) delete r.p;
  retired_.clear();
  unstamped_ = 0;
}

void scheduler::go_offline() noexcept {
  reclaim();
  quiescent_.store(offline, std::memory_order_release);
}

void scheduler::go_online() noexcept {
  // 0 first ("may hold anything"), then the epoch: a reclaimer that still saw `offline` bumped the
  // epoch before that, so the epoch read here is the newer one and the slots it cleared are seen.
  quiescent_.store(0, std::memory_order_seq_cst);
  quiescent_.store(node_.epoch.load(std::memory_order_seq_cst), std::memory_order_seq_cst);
}

bool scheduler::wake_next(process* p) noexcept {
  // Only this thread stores a process into next_; thieves only take one out. So an empty slot
  // stays empty until the store below.
  if (next_.load(std::memory_order_relaxed) == nullptr) {
    next_.store(p, std::memory_order_release);
    return false;
  }
  process* earlier = next_.exchange(p, std::memory_order_acq_rel);
  if (earlier == nullptr) return false;  // stolen meanwhile
  queue_.push(earlier);
  return true;
}

process* scheduler::take_next() noexcept {
  if (next_.load(std::memory_order_relaxed) == nullptr) return nullptr;
  return next_.exchange(nullptr, std::memory_order_acquire);
}

void scheduler::fire_timers() {
  const int64_t now = std::chrono::steady_clock::now().time_since_epoch().count();
  timers_.expire(now, fired_);
  for (const timer_wheel::fired& f : fired_) {
    const pid to = node_.make_pid(f.number);
    deliver_signal(node_, to, new signal(signal_kind::receive_timeout, to, term(int64_t(f.seq))));
  }
  fired_.clear();
}

process* scheduler::pick_local() {
  quiesce();  // every switch passes through here, never inside a lock-free lookup
  burst_receiver_ = nullptr;
  const uint32_t switches = switches_.load(std::memory_order_relaxed) + 1;
  switches_.store(switches, std::memory_order_relaxed);
  if (!timers_.empty() && switches % timer_check_every == 0) fire_timers();
  // The woken-next process continues the turn of the process that woke it and then blocked (or
  // ended): it runs ahead of the queue, with the reductions its waker had spent plus one for the
  // hop. Whatever it was woken for is in the cache now, and it usually answers at once (a server
  // and its caller, a producer and its consumer). Processes that keep waking each other thus share
  // one turn, as Go's runnext and Tokio's LIFO slot do: once the turn's budget is spent (or the
  // last process yielded), the queue comes first and the slot, if nothing is queued. The queue's
  // processes wait for no longer than a turn, as in Erlang, where a woken process goes to the
  // back of the run queue and so behind a turn's worth of everybody else.
  // A queued max or high process goes first all the same: Erlang runs it at the next switch.
  const int32_t chain = std::exchange(chain_reductions_, reduction_budget);
  if (chain < reduction_budget && !queue_.has_urgent()) {
    if (process* p = take_next()) {
      p->reductions = chain + 1;
      return p;
    }
  }
  process* p = queue_.pop();
  if (p == nullptr) p = take_next();
  if (p != nullptr) p->reductions = 0;
  return p;
}

bool scheduler::unpark() noexcept {
  if (!parked_.exchange(false, std::memory_order_seq_cst)) return false;
  node_.parked_schedulers.fetch_sub(1, std::memory_order_seq_cst);
  // Taking the lock orders this wake-up after a parker's last look at parked_ (made under it).
  { std::lock_guard<std::mutex> lock(park_mutex_); }
  park_cv_.notify_one();
  return true;
}

bool scheduler::any_work() const noexcept {
  for (const auto& s : node_.schedulers) {
    if (s->queued() > 0) return true;
  }
  return false;
}

process* scheduler::steal(bool last_round) {
  const std::size_t n = node_.schedulers.size();
  // Every other scheduler once, starting one further on after each successful steal.
  for (std::size_t i = 0; i + 1 < n; ++i) {
    const std::size_t offset = 1 + (steal_start_ + i) % (n - 1);
    scheduler& victim = *node_.schedulers[(index_ + offset) % n];
    // A lone queued process is left to its scheduler until this one is about to park: it is
    // mostly one just spawned or woken there, which its scheduler runs within a switch or two,
    // next to the data it was made from (a gen_server start: the child's init and the ack).
    // Moving it made every start cross cores. More than one queued is work to share.
    process* p = last_round || victim.queue_.size() >= 2 ? victim.queue_.steal() : nullptr;
    if (p == nullptr && last_round) {
      // Its woken-next process only when the victim has not switched since this scheduler last
      // looked, a whole park cycle ago: its running process is hogging the core. Otherwise it
      // runs there soon, next to its waker, which is where a process fed by another belongs.
      const uint32_t switches = victim.switches_.load(std::memory_order_relaxed);
      uint32_t& seen = seen_switches_[victim.index_];
      if (switches == seen) p = victim.take_next();
      seen = switches;
    }
    if (p != nullptr) {
      ++steal_start_;
      return p;
    }
  }
  return nullptr;
}

process* scheduler::next_process() {
  if (process* p = std::exchange(handoff_, nullptr)) return p;
  for (int round = 0;; ++round) {
    if (process* p = pick_local()) return p;
    // A woken-next process is taken only as a last resort: its waker usually blocks within a
    // microsecond, or yields when its reductions are spent, and then runs it on the same core,
    // which is far cheaper than moving it. Taking it sooner split producer/consumer pairs across
    // cores, where every message costs cross-core cache traffic (counting with 2 schedulers: 7M
    // msgs/s when it was taken after a few microseconds of spinning). A waker that computes
    // without any runtime call loses it after a park cycle or two.
    if (process* p = steal(round >= last_spin_round)) {
      p->reductions = 0;
      return p;
    }
    if (node_.stopping_schedulers.load(std::memory_order_acquire)) return nullptr;
    if (round < spin_rounds) {
      cpu_relax();
      continue;
    }
    parked_.store(true, std::memory_order_seq_cst);
    node_.parked_schedulers.fetch_add(1, std::memory_order_seq_cst);
    // Look once more after announcing the park: a process queued before the announcement is seen
    // here, one queued after it finds this scheduler parked and wakes it. The park is bounded:
    // a process woken on a busy scheduler that did not wake anyone (see node_state::schedule)
    // is found by stealing within park_limit even if that scheduler never blocks.
    if (!timers_.empty()) fire_timers();
    if (!any_work() && !node_.stopping_schedulers.load(std::memory_order_seq_cst)) {
      // Asleep no longer than until the earliest receive timer armed here.
      auto wake_at = std::chrono::steady_clock::now() + park_limit;
      const int64_t deadline = timers_.next_deadline();
      if (deadline < wake_at.time_since_epoch().count()) {
        wake_at = std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(deadline));
      }
      go_offline();
      {
        std::unique_lock<std::mutex> lock(park_mutex_);
        park_cv_.wait_until(lock, wake_at, [&] { return !parked_.load(std::memory_order_seq_cst); });
      }
      go_online();
    }
    if (parked_.exchange(false, std::memory_order_seq_cst)) {
      node_.parked_schedulers.fetch_sub(1, std::memory_order_seq_cst);
    }
    round = 0;
  }
}

}  // namespace otp::detail
