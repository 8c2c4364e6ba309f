#pragma once
// The process primitives: Erlang's process BIFs as free functions in namespace otp.
//
// Every function here that says "in a process" acts on the calling process (otp::self()) and
// throws otp::not_in_process when called from a thread that is not running an OTP++ process; use
// otp::node's members from plain threads. All of them follow Erlang's documented semantics:
//  * signals between one pair of processes arrive in the order they were sent;
//  * an exit signal with reason `normal` is ignored unless the receiver traps exits; `kill` (sent
//    with exit/2) cannot be trapped and ends the receiver with reason `killed`; a trapped exit
//    signal becomes the message {'EXIT', From, Reason};
//  * a monitor delivers {'DOWN', Ref, process, Pid, Reason} once; monitoring or linking a
//    process that does not exist gives reason `noproc`.

#include <cstdint>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include <otp/detail/function_ref.hpp>
#include <otp/runtime/errors.hpp>
#include <otp/runtime/process_body.hpp>
#include <otp/runtime/timeout.hpp>
#include <otp/term/term.hpp>

namespace otp {

class node;
class reactor;

enum class priority : uint8_t { low, normal, high, max };

/// Options of spawn_opt, as Erlang's spawn_opt/2 list.
struct spawn_options {
  bool link = false;
  bool monitor = false;
  bool trap_exit = false;
  enum priority priority = priority::normal;
};

/// What spawn_opt returns: the pid and, with monitor, the monitor's reference.
struct spawn_result {
  otp::pid pid;
  std::optional<otp::ref> monitor;
};

// ---- identity ------------------------------------------------------------------------------------
/// The calling process's pid (in a process).
pid self();
/// True when the calling thread is running an OTP++ process.
bool in_process() noexcept;

// ---- spawning --------------------------------------------------------------------------------------
/// A new process running `body` on its own fiber; from a process, on the caller's node.
pid spawn(process_body body);
pid spawn_link(process_body body);
std::pair<pid, ref> spawn_monitor(process_body body);
spawn_result spawn_opt(process_body body, const spawn_options& options);
/// A process whose loop lives in the runtime and which owns no stack while it waits (see reactor.hpp).
spawn_result spawn_reactor(std::unique_ptr<reactor> body, const spawn_options& options = {});

// ---- messages -----------------------------------------------------------------------------------------
/// Sends `message` to `to` (local or remote). Sending to a dead pid is not an error, as in Erlang.
void send(const pid& to, term message);
/// Sends to a locally registered name; throws erlang_error(badarg) if nothing is registered under it.
void send(atom registered_name, term message);
/// Sends to {Name, Node}; a remote node goes through the node's remote route.
void send(atom registered_name, atom node_name, term message);
/// Sends to a destination held in a term, as `Dest ! Msg` takes it: a pid, a registered name,
/// {Name, Node} or an alias reference. Anything else throws erlang_error(badarg).
void send(const term& destination, term message);

/// Selective receive. Returns the first message in the mailbox for which `match` is true, waiting
/// up to `after`; nullopt on timeout. Messages that do not match stay in the mailbox in order.
std::optional<term> receive(const std::function<bool(const term&)>& match, timeout after);
/// The first message, waiting forever.
term receive();
/// The first message, or nullopt after `after`.
std::optional<term> receive(timeout after);
/// Suspends the caller for `duration` (Erlang's timer:sleep/1: receive after T -> ok end).
void sleep(timeout duration);
/// Lets other processes run (erlang:yield/0).
void yield();

// ---- exits, links and monitors ------------------------------------------------------------------------
/// Ends the calling process with `reason` (erlang:exit/1). Never returns.
[[noreturn]] void exit(term reason);
/// Sends an exit signal to `target` (erlang:exit/2). From outside a process use node::exit.
void exit(const pid& target, term reason);
/// Links the caller and `target`. If `target` does not exist: with trap_exit the caller gets
/// {'EXIT', Target, noproc}; otherwise throws erlang_error(noproc), as link/1 does.
void link(const pid& target);
void unlink(const pid& target);
/// Monitors `target`; a {'DOWN', Ref, process, Target, Reason} message follows its exit.
ref monitor(const pid& target);
/// How a monitor's reference also serves as an alias (monitor/3's {alias, Mode}).
enum class monitor_alias : uint8_t {
  none,              // a plain monitor
  explicit_unalias,  // the alias stays until unalias/1
  demonitor,         // the alias ends with the monitor (demonitor or DOWN)
  reply_demonitor,   // ... or when the first message through the alias arrives
};
/// monitor/3 with an alias option: messages sent to the returned reference (send(ref, msg))
/// reach the caller while the alias is active, and are dropped after. gen calls use this so a
/// reply that comes after the caller gave up never lands in its mailbox.
ref monitor(const pid& target, monitor_alias alias_mode);
/// monitor/3, then send/2 to the same process, as one signal: a gen call's first step (Erlang's
/// gen does erlang:monitor(process, Pid, [{alias, Mode}]) then Pid ! Request). The message is
/// built by `make_message` from the monitor's reference, which a request carries as its reply
/// tag. Returns the reference; as separate calls would, a target that is gone gives DOWN noproc.
ref send_monitored(const pid& target, monitor_alias alias_mode,
                   detail::function_ref<term(const term& monitor_ref)> make_message);
/// monitor/3 giving the reference as a term, the form Erlang code holds it in. For callers that
/// put it into messages (gen's reply tag): the monitor's signals then share its one heap node
/// instead of each making its own.
term monitor_term(const pid& target, monitor_alias alias_mode);

/// A new alias of the calling process (erlang:alias/0); active until unalias/1.
ref alias();
/// Deactivates an alias of the calling process; false if it was not active.
bool unalias(const ref& alias_ref);
/// Sends to an alias: delivered if the alias is active when the message arrives, else dropped.
void send(const ref& alias_ref, term message);

/// Monitors the process registered as `name` (the DOWN message names {Name, Node}).
ref monitor(atom registered_name);
/// Monitors the process registered as `name` on `node` ({Name, Node}); for another node the
/// remote route resolves the name there, and an unreachable node gives DOWN noconnection.
ref monitor(atom registered_name, atom node_name);
/// monitor/3 by {Name, Node} with an alias option (a gen call to a server on another node).
ref monitor(atom registered_name, atom node_name, monitor_alias alias_mode);
/// Removes a monitor. With `flush`, also removes a DOWN message of it already in the mailbox.
/// Returns false when the monitor was not active (already fired or unknown), as demonitor/2 info.
bool demonitor(const ref& monitor_ref, bool flush = false);
/// demonitor/2 for a reference held as a term (as monitor_term gives it).
bool demonitor(const term& monitor_ref, bool flush = false);
/// process_flag(trap_exit, Value); returns the previous value.
bool trap_exit(bool value);
/// Whether the calling process traps exits (process_info(self(), trap_exit)).
bool trapping_exits();
/// process_flag(priority, Value); returns the previous value.
priority set_priority(priority value);

// ---- registered names ----------------------------------------------------------------------------------
/// register/2: false (Erlang: badarg) if the name is taken, the pid is dead or already has a name.
bool register_name(atom name, const pid& p);
bool unregister_name(atom name);
std::optional<pid> whereis(atom name);
std::vector<atom> registered();

// ---- inspection
// --------------------------------------------------------------------------------------------
bool is_process_alive(const pid& p);
/// erlang:system_info(scheduler_id): the scheduler running the calling process, 1 to the node's
/// number of schedulers. A process may move between schedulers at any switch.
unsigned scheduler_id();

struct process_info_t {
  atom status;  // running | runnable | waiting | exiting
  std::size_t message_queue_len = 0;
  std::vector<pid> links;
  std::vector<pid> monitors;      // processes this one monitors
  std::vector<pid> monitored_by;  // processes monitoring this one
  std::size_t memory = 0;         // bytes: control block, links, queued messages, owned stack pages
  bool trap_exit = false;
  enum priority priority = priority::normal;
  std::optional<atom> registered_name;
};
/// process_info/1 for a local process; nullopt if it is not alive.
std::optional<process_info_t> process_info(const pid& p);

/// A new unique reference (make_ref/0).
ref make_ref();

// ---- the process dictionary (put/2, get/1, erase/1) ---------------------------------------------------
/// Stores `value` under `key` in the calling process's dictionary; returns the previous value or
/// the atom undefined. proc_lib keeps '$ancestors' and '$initial_call' here, as in Erlang.
term put(term key, term value);
/// The value under `key`, or the atom undefined.
term get(const term& key);
/// Removes `key`; returns its value or undefined.
term erase(const term& key);
/// Every {Key, Value} pair of the dictionary.
std::vector<std::pair<term, term>> get_dictionary();

}  // namespace otp
