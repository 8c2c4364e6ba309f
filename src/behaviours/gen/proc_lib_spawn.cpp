// proc_lib's spawn family: dictionary setup in the child and the crash-report guard.

#include <otp/gen/proc_lib.hpp>
#include <otp/logger.hpp>
#include <otp/runtime/errors.hpp>

#include "behaviours/gen/proc_lib_internal.hpp"

namespace otp::proc_lib {
namespace internal {

term starter_key() { return atoms::proc_lib_start_key; }

namespace {

/// [Self | Self's ancestors] for the children of one parent: the same list for all of them, so
/// it is built once per parent (per thread) rather than once per child. A supervisor of a
/// million workers keeps one list, not a million.
term ancestors_for_children() {
  struct cached {
    pid parent;
    term mine;
    term list;
  };
  thread_local cached cache;
  const pid me = self();
  term mine = get(atoms::ancestors_key);
  if (!mine.is_list()) mine = term();
  if (cache.list.is_nil() || cache.parent != me || cache.mine != mine) {
    cache = cached{me, mine, cons(me, mine)};
  }
  return cache.list;
}

}  // namespace

child_setup make_setup(const term& initial_call) {
  child_setup s;
  s.ancestors = ancestors_for_children();
  s.initial_call = initial_call.is_nil() ? tuple(atom("erlang"), atom("apply"), 2) : initial_call;
  return s;
}

void enter_child(const child_setup& setup) {
  put(atoms::ancestors_key, setup.ancestors);
  put(atoms::initial_call_key, setup.initial_call);
  if (!setup.starter.is_nil()) put(starter_key(), setup.starter);
}

namespace {

void report(atom error_class, const term& reason) {
  if (is_normal_exit(reason)) return;
  if (!logger::allowed(log_level::error)) return;
  term r = crash_report(error_class, reason);
  logger::log(log_level::error, format_crash_report(r), r, "otp.sasl");
}

}  // namespace

void report_current_exception() {
  try {
    throw;
  } catch (const exit_signal_exception&) {
    // Ended by an exit signal: no code of the process failed, so Erlang reports nothing.
  } catch (const exit_exception& e) {
    report(atom("exit"), e.reason());
  } catch (const erlang_error& e) {
    report(atoms::error, e.reason());
  } catch (...) {
    report(atoms::error, exception_reason(std::current_exception()));
  }
}

}  // namespace internal

bool is_normal_exit(const term& reason) {
  return reason.is_atom(atoms::normal) || reason.is_atom(atoms::shutdown) ||
         (reason.is_tuple(2) && reason[0].is_atom(atoms::shutdown));
}

spawn_result spawn_opt(process_body body, const spawn_options& options, term initial_call) {
  internal::child_setup setup = internal::make_setup(initial_call);
  return otp::spawn_opt(
      [setup = std::move(setup), body = std::move(body)] {
        internal::enter_child(setup);
        internal::guarded(body);
      },
      options);
}

pid spawn(process_body body, term initial_call) {
  return spawn_opt(std::move(body), {}, std::move(initial_call)).pid;
}

pid spawn_link(process_body body, term initial_call) {
  spawn_options o;
  o.link = true;
  return spawn_opt(std::move(body), o, std::move(initial_call)).pid;
}

}  // namespace otp::proc_lib
