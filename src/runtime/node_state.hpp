#pragma once
// Everything one node owns, and the runtime's internal operations on it.

#include <atomic>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <vector>

#include <otp/runtime/errors.hpp>
#include <otp/runtime/node.hpp>

#include "runtime/blocking_pool.hpp"
#include "runtime/name_registry.hpp"
#include "runtime/process_table.hpp"
#include "runtime/scheduler.hpp"
#include "runtime/timer_service.hpp"

namespace otp::detail {

struct node_state {
  explicit node_state(node_options opts);

  node_options options;
  atom name;
  uint32_t creation;
  process_table table;
  name_registry names;
  std::vector<std::unique_ptr<scheduler>> schedulers;
  timer_service timers;
  blocking_pool blocking;
  std::atomic<uint64_t> next_ref{1};
  std::atomic<unsigned> next_home{0};

  std::mutex route_mutex;
  std::shared_ptr<remote_route> route;  // guarded by route_mutex; copied out to use

  std::atomic<int> parked_schedulers{0};
  // Reclamation epoch: schedulers free the control blocks of ended processes only once every
  // other scheduler has seen a later epoch at a quiescent point (scheduler::retire).
  alignas(64) std::atomic<uint64_t> epoch{1};
  // Processes that ended off this node's schedulers (rare): freed when the node stops.
  std::mutex retired_mutex;
  std::vector<process*> retired_elsewhere;
  /// After every scheduler has ended: frees every ended process still waiting to be freed.
  void free_retired() noexcept;
  std::atomic<bool> stopping_schedulers{false};
  std::atomic<bool> stopped{false};
  std::mutex live_mutex;
  std::condition_variable live_cv;  // signalled when the last process exits

  bool is_local(const pid& p) const noexcept { return p.node == name; }
  pid make_pid(uint64_t number) const noexcept {
    return pid{name, uint32_t(number), uint32_t(number >> 32), creation};
  }
  /// Whether `p` is a pid of this node's current incarnation (its process may be gone).
  bool of_this_incarnation(const pid& p) const noexcept { return is_local(p) && p.creation == creation; }
  /// Calls fn(process*) with its table slot locked if `p` is a process of this node (of this
  /// incarnation) that still takes signals in, exiting or not; returns whether it was.
  template <class Fn>
  bool with_local_process(const pid& p, Fn&& fn) noexcept {
    return of_this_incarnation(p) && table.with_process(number_of(p), std::forward<Fn>(fn));
  }
  /// The same for a process that is not exiting: one that is alive to is_process_alive.
  template <class Fn>
  bool with_live_local_process(const pid& p, Fn&& fn) noexcept {
    return of_this_incarnation(p) && table.with_process(number_of(p), std::forward<Fn>(fn), true);
  }
  /// Whether `p` names a process of this node (this incarnation) that is not exiting.
  bool is_live_local(const pid& p) const noexcept {
    return of_this_incarnation(p) && table.is_live(number_of(p));
  }
  /// The live process `p` names, without a lock: only on one of this node's scheduler threads
  /// (process_table::find_unlocked says why that is safe).
  process* find_local_unlocked(const pid& p) const noexcept {
    if (!of_this_incarnation(p)) return nullptr;
    return table.find_unlocked(number_of(p));
  }
  static uint64_t number_of(const pid& p) noexcept { return (uint64_t(p.serial) << 32) | p.id; }
  std::shared_ptr<remote_route> remote() {
    std::lock_guard<std::mutex> lock(route_mutex);
    return route;
  }
  /// Puts a runnable process on a run queue and wakes a parked scheduler to share the work.
  /// `woken`: a signal from the running process woke it (rather than it being new).
  void schedule(process* p, bool woken) noexcept;
  /// Queues a runnable process on the scheduler its `home` names, waking that one if parked.
  void schedule_at_home(process* p) noexcept;
  void wake_one() noexcept;
};

// ---- signal delivery (signals.cpp) -----------------------------------------------------------------
/// Delivers `s` to `to` (taking ownership). A local target that does not exist, or a remote one
/// that cannot be reached, gets Erlang's answer: a link gets an exit signal `noproc` (or
/// `noconnection`), a monitor gets a DOWN; anything else is dropped.
void deliver_signal(node_state& node, const pid& to, signal* s) noexcept;
/// What a send tells its sender about the receiver: how many reductions the sender owes for
/// the receiver being behind (see charge_for_backlog) and where the receiver runs.
struct send_outcome {
  uint32_t charge = 0;
  uint16_t receiver_home = 0;
};
/// send/2 from the running process `sender`, on `here`: delivers `message` to `to`.
send_outcome send_message(process& sender, scheduler& here, const pid& to, term message) noexcept;
/// Erlang's answer for a signal whose target does not exist (or whose node cannot be reached),
/// with `reason`: a link request gets an exit signal back, a monitor request a DOWN, a
/// process_info request `undefined`; anything else is dropped. Takes ownership of `s`.
void answer_missing_target(node_state& node, const pid& target, signal* s, const term& reason) noexcept;
/// Pushes `s` into a live local process; false (ownership kept) if there is none.
bool push_local(node_state& node, const pid& to, signal* s) noexcept;

// ---- inside a process (process_ops.cpp) ------------------------------------------------------------
/// The running process, or nullptr. Inline: every send and receive starts here.
inline process* current_process_or_null() noexcept {
  scheduler* s = current_scheduler();
  return s == nullptr ? nullptr : s->current;
}
/// The scheduler running the calling process, or throws not_in_process. Valid until the process
/// next switches out (it may go on elsewhere).
inline scheduler& running_scheduler() {
  scheduler* s = current_scheduler();
  if (s == nullptr || s->current == nullptr) throw not_in_process();
  return *s;
}
/// The running process, or throws not_in_process.
inline process& current_process() { return *running_scheduler().current; }
/// Whether an exit signal that ends `p` must wait (process::deferred_exit): while blocking work
/// still uses its stack, and while it unwinds (a throw out of a destructor would end the
/// program: a destructor may send, call or receive). It takes effect at the next look at the
/// inbox once neither holds. The count is the process's own: fibers carry their exception state.
inline bool exit_must_wait(const process& p) noexcept {
  return p.in_blocking || std::uncaught_exceptions() > 0;
}
/// drain_signals when the inbox holds something.
void drain_arrived_signals(process& p);
/// Moves arrived signals out of the inbox and acts on them; may end the process (throws).
/// Inline: every receive looks, and most find nothing new.
inline void drain_signals(process& p) {
  if (p.in.has_arrivals() || p.deferred_exit.has_value()) [[unlikely]]
    drain_arrived_signals(p);
}
/// The same where no process code is on the stack to unwind: returns the reason the process must
/// end with instead of throwing it (an exception per exit is costly when many processes die).
std::optional<term> take_signals(process& p);
/// Removes a monitor the process holds (telling its target) and the alias it came with, if any.
/// False if there was no such monitor. `ref_term`, when the caller holds the reference as a term,
/// goes into the demonitor signal as it is (else one is made).
bool remove_monitor(process& p, const ref& monitor_ref, const term* ref_term = nullptr);
/// Ends the alias that came with a monitor (not one made to last until unalias).
void end_monitor_alias(process& p, const ref& monitor_ref) noexcept;
/// Blocks the running process until a signal arrives.
void wait_for_signal(process& p);
/// Ends the running process's turn: it queues behind the runnable ones.
void end_turn(process& p);
/// After a turn ended (the process runs again): acts on the signals other than messages that
/// came meanwhile (it may end the process: throws).
void take_in_after_turn(process& p);
/// Counts one reduction; yields the scheduler when the budget is spent. Inline: every send and
/// receive counts one.
inline void consume_reduction(process& p) {
  if (++p.reductions >= reduction_budget) end_turn(p);
}
/// What a send costs on top when its receiver is falling behind: a reduction per message waiting
/// in the receiver's queue, plus the sender's own run of sends into its untaken inbox (see
/// send_message), so that a flooded receiver gets the core instead of its senders and its queue
/// stays bounded (20 senders flooding one receiver on one scheduler: 17 MB instead of 640 MB).
/// The BEAM charges four per message; one keeps the queue bounded with fewer switches.
///
/// A sender whose turn ends that way goes on at the receiver's scheduler. Left where it was, a
/// producer and its consumer on two cores stay apart for good (the consumer, slower for the
/// cache misses of every message coming across, never empties its queue and so is never woken
/// back next to the producer); together on one core they ran 3x faster (counting). A scheduler
/// left idle by this takes a lone queued process only once per park cycle (scheduler::steal).
void charge_for_backlog(process& sender, const send_outcome& receiver);
/// Publishes how many messages the process holds unreceived (process::backlog).
inline void publish_backlog(process& p) noexcept {
  const std::size_t queued = p.mq.size();
  const uint16_t v = queued > 0xffff ? uint16_t(0xffff) : uint16_t(queued);
  if (p.backlog.load(std::memory_order_relaxed) != v) p.backlog.store(v, std::memory_order_relaxed);
}
/// A process that watched nodes (monitor_node, monitor_nodes) has ended: the route forgets it.
void forget_node_watcher(process& p) noexcept;
/// Ends the process: notifies links and monitors, frees its slot and itself.
void finish_process(process* p, term reason) noexcept;
/// Runs a process that has no fiber of its own on the current fiber (first run, or an idle reactor).
/// Returns true if the process is still alive (an idle reactor) and must be put to sleep.
bool run_inline(process* p);
/// Creates and starts a process on `node`.
spawn_result spawn_process(node_state& node, process* parent, process_body body,
                           std::unique_ptr<reactor> reactor_body, const spawn_options& options);
ref new_ref(node_state& node) noexcept;
/// A reference that names `owner` too (four words: the last two hold its pid number), so a send
/// to it finds the process without any table of aliases.
ref new_alias_ref(node_state& node, uint64_t owner) noexcept;
/// Delivers a message sent to an alias (local or remote); dropped if nothing can take it.
/// `alias_term` is the alias as a term (a reference): the signal carries it as it is.
/// `ends_monitor`: the sender is the process monitored through this reply_demonitor alias and
/// has dropped that monitor (signal::ends_at_reply).
void send_to_alias(node_state& node, const pid& from, const term& alias_term, term message,
                   bool ends_monitor = false) noexcept;

}  // namespace otp::detail
