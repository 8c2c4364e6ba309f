// gen_server's side of sys: the server_support it owns, the system requests only a gen_server
// can serve (terminate, change_code), and its FormattedStatus.

#include <string>

#include <otp/detail/gen_server_core.hpp>
#include <otp/gen/gen.hpp>
#include <otp/runtime/process.hpp>

namespace otp::detail {

sys::server_support& gen_server_core::sys_support() {
  if (sys_) return *sys_;
  sys::server_support::callbacks cbs;
  cbs.get_state = [this] { return state_term(); };
  cbs.replace_state = [this](const std::function<term(term)>& fn) { return replace_state(fn); };
  cbs.format_status = [this] { return format_status_term(); };
  cbs.parent_exit = [this](term reason) { terminate_and_exit(std::move(reason)); };
  cbs.other_request = [this](const gen::from&, const term& request) { return behaviour_request(request); };
  // The start's debug options apply once: a support made again later (after hibernate gave an
  // idle one back, or sys turned them off) starts without them.
  const std::unique_ptr<std::vector<atom>> debug = std::move(start_debug_);
  sys_ = std::make_unique<sys::server_support>(std::move(cbs), display_name(), module(),
                                               parent_ ? *parent_ : self(),
                                               debug ? *debug : std::vector<atom>{});
  return *sys_;
}

std::optional<term> gen_server_core::behaviour_request(const term& request) {
  // sys:terminate (what gen_server::stop sends): terminate, then exit; the caller watches the
  // exit through its monitor, so no reply is sent.
  if (request.is_tuple(2) && request[0].is_atom(atom("terminate"))) terminate_and_exit(request[1]);
  // sys:change_code: code_change(OldVsn, State, Extra); a throw leaves the state as it was and
  // answers {error, Reason}, as a callback returning {error, Reason} does in Erlang.
  if (request.is_tuple(4) && request[0].is_atom(atom("change_code"))) {
    try {
      call_code_change(request[2], request[3]);
    } catch (const exit_signal_exception&) {
      throw;  // the server is being ended by a signal: not code_change's failure
    } catch (...) {
      return tuple(atoms::error, exception_reason(std::current_exception()));
    }
    return term(atoms::ok);
  }
  return std::nullopt;
}

bool gen_server_core::handle_system(const term& message) {
  if (!sys::is_system_message(message)) return false;
  sys_support().handle(message);
  return true;
}

term gen_server_core::format_status_term() const {
  // gen_server's FormattedStatus: a header, the sys data, then the (format_status'ed) state.
  const term header = tuple(atom("header"), string("Status for generic server " + to_string(display_name())));
  const term sys_data =
      list(tuple(string("Status"), sys_ && sys_->suspended() ? atom("suspended") : atoms::running),
           tuple(string("Parent"), parent_ ? term(*parent_) : term(self())),
           tuple(string("Logged events"), sys_ ? sys_->debug_term() : term()),
           tuple(string("Hibernated"), hibernated_));
  term state;
  try {
    state = formatted_state();
  } catch (...) {
    state = term(atom("format_status_failed"));
  }
  return list(header, tuple(atom("data"), sys_data),
              tuple(atom("data"), list(tuple(string("State"), state))));
}

}  // namespace otp::detail
