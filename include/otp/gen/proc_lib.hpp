#pragma once
// otp::proc_lib — processes that follow the OTP design principles (Erlang's proc_lib).
//
// A proc_lib process records '$ancestors' (its parent's pid first, then the parent's ancestors)
// and '$initial_call' in its process dictionary, and when its function ends abnormally — any
// reason other than normal, shutdown or {shutdown, _} — it logs a crash report through
// otp::logger (level error, domain "otp.sasl") before exiting with the same reason.
//
// start/start_link are the synchronous start protocol: the new process calls init_ack(Value) when
// it has initialised, and the starter returns Value. gen::start is built on it.
//
// A process ended by an exit signal (a link's exit, exit/2, kill) is not reported: no code of
// its own failed, as in Erlang. The runtime unwinds it with otp::exit_signal_exception.

#include <functional>
#include <optional>
#include <string>

#include <otp/runtime/process.hpp>
#include <otp/runtime/timeout.hpp>
#include <otp/term/term.hpp>

namespace otp::proc_lib {

// ---- spawning -----------------------------------------------------------------------------------
/// `initial_call` is stored as '$initial_call'; nil ([]) stores {erlang, apply, 2}, as Erlang
/// does for a fun.
pid spawn(process_body body, term initial_call = {});
pid spawn_link(process_body body, term initial_call = {});
spawn_result spawn_opt(process_body body, const spawn_options& options, term initial_call = {});

// ---- synchronous start --------------------------------------------------------------------------
enum class start_kind { nolink, link, monitor };

struct start_result {
  /// What the process passed to init_ack, or {error, timeout} after a start timeout.
  term ack;
  otp::pid pid;
  std::optional<otp::ref> monitor;  // start_kind::monitor
  bool timed_out = false;
};

/// Spawns `body` (which must call init_ack) and waits up to `t` for the acknowledgement. On
/// timeout: unlinks, kills the process, flushes its 'EXIT' and returns ack = {error, timeout}. If
/// the process dies before acking: ack = {error, Reason} (with link and trap_exit, its 'EXIT'
/// message is consumed, as proc_lib:start_link does). Must run in a process.
start_result start(start_kind how, process_body body, timeout t = infinity, const spawn_options& options = {},
                   term initial_call = {});
/// The shorthands: the ack value only.
term start(process_body body, timeout t = infinity);
term start_link(process_body body, timeout t = infinity);

/// In a process started by start(): sends `value` to the starter. Only the first call counts.
void init_ack(term value);
/// True while the calling process has a starter waiting for init_ack.
bool ack_pending();

// ---- crash reports ------------------------------------------------------------------------------
/// The crash report of the calling process for an exit of `error_class` (exit | error | throw)
/// with `reason`: [[{initial_call, _}, {pid, _}, {registered_name, _}, {error_info, {Class,
/// Reason, []}}, {ancestors, _}, {message_queue_len, _}, {links, _}, {dictionary, _},
/// {trap_exit, _}, {status, running}], []] — the second list is the neighbours (not collected).
term crash_report(atom error_class, const term& reason);
/// OTP's text form of a crash report ("  crasher:\n    initial call: ...").
std::string format_crash_report(const term& report);
/// True for reasons that never produce a crash report: normal, shutdown, {shutdown, _}.
bool is_normal_exit(const term& reason);

}  // namespace otp::proc_lib
