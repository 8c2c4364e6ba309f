#pragma once
// otp::gen — the machinery every behaviour shares (Erlang's gen module): synchronous start with
// name registration, the monitor-based call, cast and reply.
//
// Start (gen:start/5,6): the new process registers its name first (a taken name gives
// {error, {already_started, Pid}} and init never runs), records '$ancestors' and '$initial_call',
// runs the behaviour's on_start (its init) and acknowledges the outcome to the starter, which
// waits up to start_timeout. A failing init unregisters the name before the ack, so an immediate
// retry cannot see already_started. On a start timeout the starter unlinks, kills the new process
// and flushes its 'EXIT': nothing is left behind.
//
// Call (gen:call/4): monitor the server, send {'$gen_call', {Self, Ref}, Request}, wait for
// {Ref, Reply}, the monitor's DOWN or the timeout, and demonitor with flush on every path.
// call() exits the caller with Erlang's reasons; try_call() returns them as values.
//
// All functions must run inside a process. A via name_service must forget the names of processes
// that die (as Erlang's global and Elixir's Registry do): gen releases a via name itself only
// when init fails, never when a running server exits or is killed.

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <otp/expected.hpp>
#include <otp/gen/from.hpp>
#include <otp/gen/server_ref.hpp>
#include <otp/runtime/process.hpp>
#include <otp/runtime/reactor.hpp>
#include <otp/runtime/timeout.hpp>
#include <otp/term/term.hpp>

namespace otp::gen {

// ---- start ----------------------------------------------------------------------------------------

enum class start_link_kind { nolink, link, monitor };

struct start_options {
  /// Registered under this name before init runs (kind local or via; remote is refused).
  std::optional<server_ref> name;
  /// How long the starter waits for the init acknowledgement.
  timeout start_timeout = infinity;
  /// link/monitor are set from start_link_kind; trap_exit and priority are passed through.
  spawn_options spawn;
  /// sys debug options to start with: trace, log, statistics.
  std::vector<atom> debug;
  /// Stored as '$initial_call' ({Module, init, 1} for a behaviour); default {gen, init_it, 6}.
  std::optional<term> initial_call;
};

struct start_result {
  enum kind_t { ok, ignore, error };
  kind_t kind = error;
  otp::pid pid;                     // ok only
  std::optional<otp::ref> monitor;  // ok with start_link_kind::monitor
  /// error only: {already_started, Pid}, init's stop reason, timeout, an exit reason…
  term reason;

  /// {ok, Pid} | {ok, {Pid, MonRef}} | ignore | {error, Reason}.
  term to_term() const;
};

/// Starts a behaviour process: a reactor made by `make_server` inside the new process (so its
/// construction, too, runs there). Its on_start is the behaviour's init; it reports the outcome
/// with init_ok / init_ignore / init_stop below. If on_start returns without reporting, the start
/// counts as ok; if it throws, the start fails with the exception's exit reason.
/// Must run in a process (the starter); blocks until the acknowledgement or start_timeout.
start_result start(start_link_kind how, const start_options& options,
                   unique_function<std::unique_ptr<reactor>()> make_server);

/// In a behaviour's on_start: init succeeded; the starter gets {ok, Pid} now (before on_start
/// returns, e.g. before a handle_continue runs). Later calls do nothing.
void init_ok();
/// In on_start: init returned ignore. Unregisters the name, acks ignore, exits with `normal`.
[[noreturn]] void init_ignore();
/// In on_start: init returned {stop, Reason} (or failed). Unregisters the name, acks
/// {error, Reason}, then exits with `exit_reason` (Reason itself when not given).
[[noreturn]] void init_stop(term reason, std::optional<term> exit_reason = std::nullopt);

/// The parent of the calling process: the starter of a gen/proc_lib process (head of
/// '$ancestors'), or nullopt for a process not started through proc_lib.
std::optional<pid> parent();

// ---- call -----------------------------------------------------------------------------------------

struct call_error {
  enum kind_t { timeout, noproc, nodedown, exited };
  kind_t kind;
  /// The full exit reason call() would exit with, e.g. {timeout, {gen_server, call, [S, R, 5000]}}.
  term reason;
};

/// Options of the call machinery beyond target, request and timeout.
struct call_spec {
  /// Module in the reason's {Module, Function, Args}: gen_server, sys, gen_statem…
  atom module = atoms::empty;  // empty: gen_server
  /// Function in that tuple: call (or get_state… for sys).
  atom function = atoms::empty;  // empty: call
  /// Args in that tuple; default [Server, Request, Timeout].
  std::optional<term> args;
  /// First element of the message: '$gen_call', or system for sys requests.
  atom label = atoms::gen_call;
};

/// gen_server:call: exits the caller (throws exit_exception) with {Reason, {Module, call, Args}}
/// on timeout, noproc, server exit or nodedown. The reply otherwise.
term call(const server_ref& server, term request, timeout t = timeout::ms(5000));
/// The same with the module/label a behaviour needs (gen_statem, sys…).
term call(const server_ref& server, term request, timeout t, const call_spec& spec);
/// The same without exiting: the error as a value.
expected<term, call_error> try_call(const server_ref& server, term request, timeout t = timeout::ms(5000));
expected<term, call_error> try_call(const server_ref& server, term request, timeout t, const call_spec& spec);

/// gen_server:cast: sends {'$gen_cast', Msg}. Never fails: to a dead or unregistered target the
/// message is dropped. Must run in a process (the runtime's send does).
void cast(const server_ref& server, term message);

/// Sends any message to what `server` names (dropped when it resolves to nothing).
void send(const server_ref& server, term message);

/// gen:stop / proc_lib:stop: asks the behaviour to terminate with `reason` (the system request
/// {terminate, Reason}, served running or suspended) and returns once it has exited. Exits the
/// caller with noproc if it is not running, timeout if it does not end in time, or the reason
/// it ended with when that differs from `reason`.
void stop(const server_ref& server, term reason = term(atoms::normal), timeout t = infinity);

}  // namespace otp::gen
