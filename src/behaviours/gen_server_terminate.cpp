// How a gen_server ends: terminate, the "Generic server terminating" error report, the exit.

#include <string>

#include <otp/detail/gen_server_core.hpp>
#include <otp/gen/proc_lib.hpp>
#include <otp/logger.hpp>
#include <otp/runtime/errors.hpp>
#include <otp/runtime/process.hpp>

namespace otp::detail {

void gen_server_core::terminate_and_exit(term reason, const std::optional<gen::from>& reply_to,
                                         const term& reply) {
  bool terminate_failed = false;
  try {
    call_terminate(reason);
  } catch (const exit_signal_exception&) {
    throw;  // ended by a signal mid-terminate: nothing more runs
  } catch (...) {
    // As in Erlang, a failing terminate replaces the reason and is always reported.
    reason = exception_reason(std::current_exception());
    terminate_failed = true;
  }
  // {stop, Reason, Reply, State}: the caller is answered once terminate has run (even if it
  // failed), so a reply means the server's cleanup is done.
  if (reply_to) gen::reply(*reply_to, reply);
  if (terminate_failed || !proc_lib::is_normal_exit(reason)) log_terminating(reason);
  otp::exit(std::move(reason));
}

void gen_server_core::log_terminating(const term& reason) const {
  term state;
  try {
    state = formatted_state();
  } catch (...) {
    // format_status exists to hide or shorten the state: never fall back to the raw state.
    state = term(atom("format_status_failed"));
  }
  const term last = last_message_ != nullptr ? *last_message_ : term(atoms::undefined);
  std::optional<pid> client;
  if (last_message_ != nullptr && last.is_tuple(3) && last[0].is_atom(atoms::gen_call)) {
    if (auto caller = gen::from::from_term(last[1])) client = caller->caller;
  }
  const term report = map({{atom("label"), tuple(atom("gen_server"), atom("terminate"))},
                           {atom("name"), display_name()},
                           {atom("last_message"), last},
                           {atom("state"), state},
                           {atom("reason"), reason},
                           {atom("client_info"), client ? term(*client) : term(atoms::undefined)}});
  if (!logger::allowed(log_level::error)) return;
  // OTP's text for this report (gen_server's format_log).
  std::string text = "** Generic server " + to_string(display_name()) + " terminating \n";
  text += "** Last message in was " + to_string(last) + "\n";
  text += "** When Server state == " + to_string(state) + "\n";
  text += "** Reason for termination ==\n** " + to_string(reason) + "\n";
  if (client) text += "** Client " + to_string(term(*client)) + " stacktrace\n** []\n";
  logger::log(log_level::error, std::move(text), report, "otp");
}

}  // namespace otp::detail
