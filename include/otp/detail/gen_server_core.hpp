#pragma once
// otp::detail::gen_server_core — the non-template part of every gen_server process (Erlang's
// gen_server loop). Not for callers: use <otp/behaviours/gen_server.hpp>.
//
// The core is the reactor: it decodes each message ('$gen_call', '$gen_cast', system, the
// parent's 'EXIT', anything else), calls the typed callback through the virtual hooks below,
// interprets the returned action (reply, noreply, stop; timeout, hibernate, continue), and owns
// what follows a stop or a crash: terminate, the "Generic server terminating" error report and the
// exit. gen_server_process<Server> (gen_server_process.hpp) implements the hooks for one callback
// class and keeps its typed state.
//
// Everything here runs in the server process, one callback at a time.

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <otp/behaviours/gen_server_actions.hpp>
#include <otp/gen/from.hpp>
#include <otp/gen/gen.hpp>
#include <otp/gen/sys.hpp>
#include <otp/runtime/process.hpp>
#include <otp/runtime/reactor.hpp>
#include <otp/runtime/timeout.hpp>
#include <otp/term/term.hpp>

namespace otp::detail {

class gen_server_core : public reactor {
 public:
  using action = gen_server::detail::server_action;

  gen_server_core(gen::start_link_kind how, std::optional<term> name, std::vector<atom> debug);

  void on_start() final;
  void on_message(term message) final;
  void on_timeout() final;
  timeout receive_timeout() const final { return timeout_; }

 protected:
  // ---- hooks: one typed callback each ------------------------------------------------------------
  virtual action call_init() = 0;
  virtual action call_handle_call(const term& request, const gen::from& from) = 0;
  virtual action call_handle_cast(const term& message) = 0;
  virtual action call_handle_info(const term& message) = 0;
  virtual action call_handle_continue(const term& arg) = 0;
  virtual void call_terminate(const term& reason) = 0;
  /// Runs code_change; throws to refuse it (the state is then unchanged).
  virtual void call_code_change(const term& old_vsn, const term& extra) = 0;
  /// The state as sys:get_state returns it.
  virtual term state_term() const = 0;
  /// sys:replace_state: the state becomes fn(state_term()); returns the new state term.
  virtual term replace_state(const std::function<term(term)>& fn) = 0;
  /// format_status: the state as reports and sys:get_status show it.
  virtual term formatted_state() const = 0;
  /// The callback module's name (Erlang's Mod).
  virtual atom module() const = 0;

 private:
  // ---- dispatch (gen_server_core.cpp) ------------------------------------------------------------
  void dispatch(const term& message);
  void handle_call_message(const term& message);
  /// Runs a callback; an exception in it crashes the server (terminate, report, exit). A template
  /// rather than a std::function: the call path's closure would not fit std::function's inline
  /// buffer, and a heap allocation per message showed in the call-latency profile.
  template <class Callback>
  action guarded(const Callback& callback);
  /// Applies the result of a callback; `caller` is set for a call's result.
  void apply(action result, const std::optional<gen::from>& caller);
  void apply_next(const action& result);
  void run_continues(term arg);

  // ---- ending (gen_server_terminate.cpp) -----------------------------------------------------------
  /// terminate(Reason), the error report when the reason is abnormal, then exit(Reason).
  [[noreturn]] void terminate_and_exit(term reason, const std::optional<gen::from>& reply_to = std::nullopt,
                                       const term& reply = term());
  void log_terminating(const term& reason) const;

  // ---- sys (gen_server_sys.cpp) ------------------------------------------------------------------
  /// The sys support, made on first use: most servers never see a system message, and an idle
  /// server should cost only its state.
  sys::server_support& sys_support();
  bool debugging() const noexcept { return sys_ && sys_->debugging(); }
  /// True if `message` was a system message (handled).
  bool handle_system(const term& message);
  /// The system requests only a gen_server serves (terminate, change_code), whether running or
  /// suspended; nullopt for any other request.
  std::optional<term> behaviour_request(const term& request);
  term format_status_term() const;

  gen::start_link_kind how_;
  term name_;  // the registered name term; nil for an unnamed server (see display_name)
  /// The name reports and sys show: the registered name, or the pid (made only when asked for,
  /// so an idle unnamed server holds no boxed pid).
  term display_name() const { return name_.is_nil() ? term(self()) : name_; }
  std::unique_ptr<std::vector<atom>> start_debug_;  // debug options to start with, until applied
  std::optional<pid> parent_;                       // nullopt: the server is its own parent (not linked)
  std::unique_ptr<sys::server_support> sys_;
  timeout timeout_ = infinity;
  bool hibernated_ = false;
  // The message a callback is handling, for its crash report; set only while it runs (it points
  // at on_message's own copy: no reference count taken and given back per message).
  const term* last_message_ = nullptr;
};

}  // namespace otp::detail
