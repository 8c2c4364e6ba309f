// The gen_server loop: start, message dispatch and the interpretation of callback results.

#include <otp/detail/gen_server_core.hpp>
#include <otp/gen/proc_lib.hpp>
#include <otp/runtime/errors.hpp>
#include <otp/runtime/process.hpp>

namespace otp::detail {

gen_server_core::gen_server_core(gen::start_link_kind how, std::optional<term> name, std::vector<atom> debug)
    : how_(how),
      name_(name ? std::move(*name) : term()),
      start_debug_(debug.empty() ? nullptr : std::make_unique<std::vector<atom>>(std::move(debug))) {}

template <class Callback>
gen_server_core::action gen_server_core::guarded(const Callback& callback) {
  std::optional<term> failure;
  try {
    return callback();
  } catch (const exit_signal_exception&) {
    // A fatal exit signal (a linked process's exit, exit/2, kill) ends the server where it
    // stands: in Erlang no code of the victim runs then, so no terminate and no report.
    throw;
  } catch (...) {
    failure = exception_reason(std::current_exception());
  }
  terminate_and_exit(std::move(*failure));
}

void gen_server_core::on_start() {
  // Only a linked starter is the parent whose exit ends the server; gen_server:start (nolink)
  // makes the server its own parent, so no 'EXIT' is ever taken for the parent's.
  if (how_ == gen::start_link_kind::link) parent_ = gen::parent();
  if (start_debug_) sys_support();  // debug options at start: trace/log/statistics from now

  std::optional<action> result;
  std::optional<term> failure;
  try {
    result = call_init();
  } catch (const exit_signal_exception&) {
    throw;  // killed during init (e.g. by the starter's timeout): nothing more runs
  } catch (...) {
    failure = exception_reason(std::current_exception());
  }
  // init's failures end the start without terminate (gen_server:init_it): the starter gets
  // {error, Reason} and the process exits with Reason. gen unregisters the name first.
  if (failure) gen::init_stop(std::move(*failure));
  switch (result->what) {
    case action::kind::ignore:
      gen::init_ignore();
    case action::kind::stop:
      gen::init_stop(result->reason);
    default:
      break;
  }
  gen::init_ok();
  apply_next(*result);
}

namespace {

/// Points a server's last message at `message` while a callback handles it, however it returns.
class handling_message {
 public:
  handling_message(const term*& slot, const term& message) noexcept : slot_(slot) { slot_ = &message; }
  ~handling_message() { slot_ = nullptr; }
  handling_message(const handling_message&) = delete;
  handling_message& operator=(const handling_message&) = delete;

 private:
  const term*& slot_;
};

}  // namespace

void gen_server_core::on_message(term message) {
  // A system message leaves the loop as it was (still hibernating, same timeout), as sys does.
  if (handle_system(message)) return;
  hibernated_ = false;
  const handling_message last(last_message_, message);
  if (debugging()) sys_->record_in(tuple(atom("in"), message));
  dispatch(message);
}

void gen_server_core::on_timeout() {
  hibernated_ = false;
  const term timeout_message(atoms::timeout);
  const handling_message last(last_message_, timeout_message);
  if (debugging()) sys_->record_in(tuple(atom("in"), timeout_message));
  apply(guarded([&] { return call_handle_info(timeout_message); }), std::nullopt);
}

void gen_server_core::dispatch(const term& message) {
  if (message.is_tuple(3) && message[0].is_atom(atoms::gen_call)) {
    handle_call_message(message);
    return;
  }
  if (message.is_tuple(2) && message[0].is_atom(atoms::gen_cast)) {
    const term& cast = message[1];
    apply(guarded([&] { return call_handle_cast(cast); }), std::nullopt);
    return;
  }
  // The parent's exit signal, trapped: the server follows its parent (gen_server's rule), after
  // terminate. Any other 'EXIT' is an ordinary message for handle_info.
  if (parent_ && message.is_tuple(3) && message[0].is_atom(atoms::EXIT) && message[1] == term(*parent_)) {
    terminate_and_exit(message[2]);
  }
  apply(guarded([&] { return call_handle_info(message); }), std::nullopt);
}

void gen_server_core::handle_call_message(const term& message) {
  std::optional<gen::from> caller = gen::from::from_term(message[1]);
  if (!caller) {
    // Not a well-formed call: Erlang's gen_server treats it as an ordinary message.
    apply(guarded([&] { return call_handle_info(message); }), std::nullopt);
    return;
  }
  const term& request = message[2];
  apply(guarded([&] { return call_handle_call(request, *caller); }), caller);
}

void gen_server_core::apply(action result, const std::optional<gen::from>& caller) {
  switch (result.what) {
    case action::kind::reply:
      if (caller) {
        gen::reply(*caller, result.reply);
        if (debugging()) sys_->record_out(tuple(atom("out"), result.reply, term(caller->caller)));
      }
      break;
    case action::kind::stop:
      terminate_and_exit(std::move(result.reason));
    case action::kind::stop_reply:
      terminate_and_exit(std::move(result.reason), caller, result.reply);
    default:
      if (debugging()) sys_->record(tuple(atom("noreply"), state_term()));
      break;
  }
  apply_next(result);
}

void gen_server_core::apply_next(const action& result) {
  timeout_ = infinity;
  switch (result.then) {
    case action::next::timeout:
      timeout_ = result.after;
      break;
    case action::next::hibernate:
      // An idle server already holds no stack; what else it can give back is its sys support,
      // when no debug option or suspension lives in it (it is rebuilt on the next system message).
      hibernated_ = true;
      if (sys_ && !sys_->debugging() && !sys_->suspended()) sys_.reset();
      break;
    case action::next::continue_:
      run_continues(result.continue_arg);
      break;
    case action::next::none:
      break;
  }
}

void gen_server_core::run_continues(term arg) {
  // handle_continue runs now, inside the same turn of the loop, so no message can come first;
  // a continue may ask for another, which again runs before any message.
  std::optional<term> next = std::move(arg);
  while (next) {
    const term current = std::move(*next);
    next.reset();
    action result = guarded([&] { return call_handle_continue(current); });
    if (result.then == action::next::continue_) {
      next = result.continue_arg;
      result.then = action::next::none;
    }
    apply(std::move(result), std::nullopt);
  }
}

}  // namespace otp::detail
