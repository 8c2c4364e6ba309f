#pragma once
// Private pieces of proc_lib shared with gen::start: the child's setup, crash reporting around a
// process body or reactor callback, and the starter's side of the synchronous start.

#include <functional>
#include <optional>

#include <otp/gen/proc_lib.hpp>
#include <otp/runtime/process.hpp>

namespace otp::proc_lib::internal {

/// What the parent hands to a new proc_lib child. Built in the parent, applied in the child.
struct child_setup {
  term ancestors;     // [Parent | Parent's ancestors]
  term initial_call;  // stored as '$initial_call'
  /// {Starter, Tag} for a synchronous start: init_ack sends {ack, Tag, Value} to Starter.
  term starter;  // [] when nobody waits
};

/// In the parent: ancestors and initial call (default {erlang, apply, 2}).
child_setup make_setup(const term& initial_call);
/// In the child, first thing: fills the process dictionary.
void enter_child(const child_setup& setup);

/// In a catch block: logs the exception being handled as a crash report if it ends the process
/// abnormally. The caller rethrows it, so the process exits with its reason.
void report_current_exception();
/// Runs `fn` under report_current_exception.
template <class F>
void guarded(F&& fn) {
  try {
    fn();
  } catch (...) {
    report_current_exception();
    throw;
  }
}

/// The starter's wait for init_ack.
struct waited {
  term ack;            // the value passed to init_ack, or {error, Reason}
  bool acked = false;  // false: the child died first, or timed out
  bool timed_out = false;
};
/// Waits for {ack, Tag, Value} or the DOWN of `mon` (the child's monitor) for up to `t`. On
/// timeout: unlinks, kills the child, waits for its DOWN and drops its 'EXIT', so nothing is
/// left. When the child dies first: drops its 'EXIT' (only a trapping caller has one).
waited wait_ack(const pid& child, const ref& mon, const term& tag, timeout t);
/// Removes an {'EXIT', Child, _} already in the mailbox, without waiting.
void drop_exit_of(const pid& child);

/// The '$proc_lib_start' dictionary key (internal: left out of crash reports).
term starter_key();

}  // namespace otp::proc_lib::internal
