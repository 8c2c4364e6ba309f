#pragma once
// The process control block.
//
// Fields are grouped by who may touch them:
//  * any thread: `in` (the inbox) and `state`, with the wake-up protocol of scheduler.hpp;
//  * the scheduler that runs the process: `run_next`, `fib`, `home`;
//  * the process itself only (it is the single consumer of its signals): everything else.
// A process leaves the process table when it exits; its control block is freed only once no
// sender can still hold it: senders on scheduler threads after every scheduler has passed a
// quiescent point (scheduler::retire), others because they hold the table slot's lock
// (process_table::with_process), which the exit waits for.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include <otp/runtime/process.hpp>
#include <otp/runtime/reactor.hpp>

#include "runtime/process_dictionary.hpp"
#include "runtime/signal.hpp"
#include "runtime/small_table.hpp"

namespace otp::detail {

/// Reductions in one turn, as the BEAM's: a process that neither blocks nor waits yields after
/// this many runtime calls (receive, send), and a run of processes waking each other through the
/// wake-next slot shares one turn's worth (see scheduler::pick_local).
constexpr int32_t reduction_budget = 4000;

struct fiber;
struct node_state;
struct receive_timer;

enum class run_state : uint8_t { waiting, runnable, running };

/// A monitor this process holds on another: who, and the name it was set up by (if any).
struct monitor_target {
  pid target;
  term name;  // nil, or {Name, Node} for a monitor by registered name
};

/// A monitor held on this process: who holds it, and whether it ends with the first message this
/// process sends through its alias (reply_demonitor; see signal::ends_at_reply).
struct monitor_watcher {
  pid from;
  bool ends_at_reply = false;
};

/// Links and monitors, allocated on first use: most processes have none, and an idle process
/// should cost as little as possible. Once made they stay while small (process::trim_relations).
struct process_relations {
  small_set<pid> links;
  small_map<ref, monitor_target> monitors;       // monitors this process holds
  small_map<ref, monitor_watcher> monitored_by;  // monitors held on this process
  small_map<ref, monitor_alias> aliases;         // active aliases and how each ends

  // Created and dropped on every gen_server call (the caller's monitor and alias, the server's
  // monitored_by): from the small-block caches rather than malloc.
  static void* operator new(std::size_t size) { return small_allocate(size); }
  static void operator delete(void* p, std::size_t size) noexcept { small_deallocate(p, size); }

  bool empty() const noexcept {
    return links.empty() && monitors.empty() && monitored_by.empty() && aliases.empty();
  }
  /// Whether the tables' storage is that of a few entries (what trim_relations keeps).
  bool small_when_empty() const noexcept {
    constexpr std::size_t kept = 4;
    return links.capacity() <= kept && monitors.capacity() <= kept && monitored_by.capacity() <= kept &&
           aliases.capacity() <= kept;
  }
};

struct process {
  process(node_state& n, uint64_t num) noexcept : number(num), node(&n) {}
  process(const process&) = delete;

  // Control blocks come from a per-thread block cache (block_pools.cpp): spawn-heavy work frees
  // and allocates them at the rate of messages.
  static void* operator new(std::size_t size);
  static void operator delete(void* p, std::size_t size) noexcept;

  // The layout keeps the fields the process touches on every message at least a cache line
  // away from its inbox, which senders on other cores write on every message: sharing a line
  // with it made each receive miss (false sharing; counting with 2 schedulers ran at a third of
  // its speed). Blocks are only 16-byte aligned (block_pools.cpp), so the line holding `in` may
  // reach back 48 bytes into the previous block and forward to offset 63: the hot fields sit in
  // [64, 128), and the first 64 and last 48 bytes hold what senders and the scheduler touch and
  // what the process seldom does (checked by the static_asserts in block_pools.cpp). 176 bytes
  // in all: an idle process's footprint counts too.

  // ---- any thread: [0, 40) ------------------------------------------------------------------------
  inbox in;
  std::atomic<run_state> state{run_state::runnable};
  // Set (under its table slot's lock) when a name is registered for it, so that only named
  // processes take the name registry's lock when they exit.
  std::atomic<bool> named{false};

  // ---- scheduler ------------------------------------------------------------------------------------
  // Scheduler it last ran on. Atomic: a sender reads its receiver's (see send_message).
  std::atomic<uint16_t> home{0};
  priority prio = priority::normal;  // read by whoever queues it

  // The process's own seldom-used flags, in what would otherwise be padding.
  bool trap_exit : 1 = false;
  bool started : 1 = false;
  bool exiting : 1 = false;
  // Queued at its receiver's scheduler by charge_for_backlog: thieves leave it there (until it
  // runs), or a flood's senders would be moved off the receiver's core as fast as they came.
  bool follows_receiver : 1 = false;
  // Its relations went empty once already (trim_relations): the next time they are kept.
  bool relations_recur : 1 = false;
  // It called monitor_node or monitor_nodes: its exit tells the remote route to forget it.
  bool watches_nodes : 1 = false;
  // Messages it had taken in but not yet received, as it last said (at each batch taken from
  // the inbox and whenever it stops running). Senders read it: a sender to a process that is
  // falling behind pays reductions for it, as the BEAM's do, so the receiver gets the core.
  std::atomic<uint16_t> backlog{0};

  process* run_next = nullptr;  // intrusive run-queue link
  fiber* fib = nullptr;         // the fiber it blocked on, while blocked
  // Pid number: slot in the process table plus generation. Read by every sender's lookup
  // (process_table::find_unlocked), so it lives here and not among the per-message fields.
  uint64_t number;

  // ---- the process itself, seldom: [40, 64) -------------------------------------------------------
  std::optional<term> deferred_exit;  // an exit that must wait (exit_must_wait): the first such reason
  signal* pending = nullptr;          // signals left unhandled when a signal ended the process

  // ---- the process itself, on every message: [64, 128) ---------------------------------------------
  bool timed_out = false;    // the armed receive timer fired
  bool in_blocking = false;  // waiting for otp::blocking work: exit signals are deferred
  bool in_callback = false;  // a reactor inside one of its callbacks (it owns the fiber then)
  // Set by whoever pushes it a signal that is not a message (an exit, a link, a monitor, a
  // process_info request): a process whose turn ended takes its inbox in only then
  // (take_in_after_turn), so that messages it is not receiving yet stay out of its backlog. In
  // what was padding: such signals are rare, so senders seldom write this line.
  std::atomic<bool> control_signals{false};
  int32_t reductions = 0;  // spent in this turn (set when the scheduler picks the process)
  node_state* node;
  uint64_t receive_seq = 0;        // identifies the current receive's timer
  receive_timer* timer = nullptr;  // the armed receive timer (timer_wheel.hpp), if any
  message_queue mq;
  std::unique_ptr<reactor> reactor_body;

  // ---- the process itself, seldom: [128, 176) -----------------------------------------------------
  process_body body;  // plain processes (run once)
  std::unique_ptr<process_relations> relations;
  std::unique_ptr<process_dictionary> dictionary;

  process_relations& rel() {
    if (!relations) relations = std::make_unique<process_relations>();
    return *relations;
  }
  /// After a link or monitor went away. Empty relations are freed the first time: an idle
  /// process should cost as little as possible, and a server monitored once by its starter
  /// would otherwise carry them for good. From the second time on they are kept while small:
  /// such a process monitors again and again (every gen_server call is a monitor and an alias
  /// at the caller, a monitored_by entry at the server), and allocating them each time showed in
  /// call latency. Tables that grew large (a server once monitored by thousands) always go.
  void trim_relations() noexcept {
    if (relations == nullptr || !relations->empty()) return;
    if (relations_recur && relations->small_when_empty()) return;
    relations_recur = true;
    relations.reset();
  }
  pid self_pid() const noexcept;
};

}  // namespace otp::detail
