#pragma once
// What a gen_server callback returns: small action values in place of Erlang's positional tuples.
//
//   Erlang / Elixir                         OTP++ (inside a gen_server::behaviour)
//   {ok, State}                             ok(state)
//   {ok, State, 500 | hibernate}            ok(state).timeout(timeout::ms(500)) / ok(state).hibernate()
//   {ok, State, {continue, C}}              ok(state).continue_with(c)
//   ignore / {stop, Reason}                 ignore() / stop(reason)
//   {reply, R, State[, Opt]}                reply(r, state)[.timeout(t) | .hibernate() | .continue_with(c)]
//   {noreply, State[, Opt]}                 noreply(state)[...]
//   {stop, Reason, State}                   stop(reason, state)
//   {stop, Reason, Reply, State}            stop(reason, reply, state)
//
// Each callback has its own result type, so that returning what Erlang would reject at run time
// (a reply from handle_cast, ok from handle_call) does not compile:
//   init            -> init_result<State>       (ok, ignore, stop(reason))
//   handle_call     -> call_result<State>       (reply, noreply, stop(reason, state), stop(reason, reply,
//   state)) handle_cast, handle_info, handle_continue
//                   -> noreply_result<State>    (noreply, stop(reason, state))
// A noreply_result converts to a call_result, as {noreply, S} is valid from handle_call.
//
// The non-template part (detail::server_action) is what the gen_server loop interprets; the state
// travels beside it, typed.

#include <cstdint>
#include <optional>
#include <utility>

#include <otp/runtime/timeout.hpp>
#include <otp/term/term.hpp>

namespace otp::gen_server {

namespace detail {

/// The untyped half of a callback result: what to do, and what to do next.
struct server_action {
  enum class kind : uint8_t { ok, ignore, reply, noreply, stop, stop_reply };
  /// What the loop does before waiting for the next message (Erlang's Timeout | hibernate |
  /// {continue, C}); `none` is the same as an infinite timeout.
  enum class next : uint8_t { none, timeout, hibernate, continue_ };

  kind what = kind::noreply;
  next then = next::none;
  otp::timeout after = infinity;  // with next::timeout
  term continue_arg;              // with next::continue_
  term reply;                     // with kind::reply and kind::stop_reply
  term reason;                    // with kind::stop and kind::stop_reply

  void set_timeout(otp::timeout t) {
    then = next::timeout;
    after = t;
  }
  void set_hibernate() { then = next::hibernate; }
  void set_continue(term c) {
    then = next::continue_;
    continue_arg = std::move(c);
  }
};

/// The options every result can chain, shared by the three result types (CRTP on the result).
template <class Self>
class next_options {
 public:
  /// Erlang's Timeout: handle_info(timeout) follows if no message arrives within `t`.
  Self timeout(otp::timeout t) && {
    self().action_.set_timeout(t);
    return std::move(self());
  }
  /// Erlang's hibernate. An idle OTP++ server owns no stack already; the flag is recorded and
  /// shown by sys::get_status until the next message.
  Self hibernate() && {
    self().action_.set_hibernate();
    return std::move(self());
  }
  /// Erlang's {continue, C}: handle_continue(C, State) runs before any further message.
  Self continue_with(term c) && {
    self().action_.set_continue(std::move(c));
    return std::move(self());
  }

 private:
  Self& self() { return static_cast<Self&>(*this); }
};

}  // namespace detail

template <class State>
class call_result;

/// What handle_cast, handle_info and handle_continue return: noreply(state) or stop(reason, state).
template <class State>
class noreply_result : public detail::next_options<noreply_result<State>> {
 public:
  static noreply_result noreply(State s) { return noreply_result(detail::server_action{}, std::move(s)); }
  static noreply_result stop(term reason, State s) {
    detail::server_action a;
    a.what = detail::server_action::kind::stop;
    a.reason = std::move(reason);
    return noreply_result(std::move(a), std::move(s));
  }

  const detail::server_action& action() const noexcept { return action_; }
  State& state() noexcept { return state_; }

 private:
  friend class detail::next_options<noreply_result>;
  friend class call_result<State>;
  noreply_result(detail::server_action a, State s) : action_(std::move(a)), state_(std::move(s)) {}
  detail::server_action action_;
  State state_;
};

/// What handle_call returns: reply, noreply, stop(reason, state) or stop(reason, reply, state).
template <class State>
class call_result : public detail::next_options<call_result<State>> {
 public:
  /// {noreply, ...} and {stop, Reason, State} are valid answers to a call too.
  call_result(noreply_result<State>&& r)  // NOLINT: implicit, as in Erlang any of them may be returned
      : action_(std::move(r.action_)), state_(std::move(r.state_)) {}

  static call_result reply(term r, State s) {
    detail::server_action a;
    a.what = detail::server_action::kind::reply;
    a.reply = std::move(r);
    return call_result(std::move(a), std::move(s));
  }
  static call_result stop(term reason, term r, State s) {
    detail::server_action a;
    a.what = detail::server_action::kind::stop_reply;
    a.reason = std::move(reason);
    a.reply = std::move(r);
    return call_result(std::move(a), std::move(s));
  }

  const detail::server_action& action() const noexcept { return action_; }
  State& state() noexcept { return state_; }

 private:
  friend class detail::next_options<call_result>;
  call_result(detail::server_action a, State s) : action_(std::move(a)), state_(std::move(s)) {}
  detail::server_action action_;
  State state_;
};

/// What init returns: ok(state), ignore() or stop(reason). Only ok carries a state.
template <class State>
class init_result : public detail::next_options<init_result<State>> {
 public:
  static init_result ok(State s) {
    return init_result(detail::server_action{.what = kind::ok}, std::move(s));
  }
  static init_result ignore() { return init_result(detail::server_action{.what = kind::ignore}); }
  static init_result stop(term reason) {
    detail::server_action a;
    a.what = kind::stop;
    a.reason = std::move(reason);
    return init_result(std::move(a));
  }

  const detail::server_action& action() const noexcept { return action_; }
  std::optional<State>& state() noexcept { return state_; }

 private:
  using kind = detail::server_action::kind;
  friend class detail::next_options<init_result>;
  init_result(detail::server_action a, State s) : action_(std::move(a)), state_(std::move(s)) {}
  // No state: built empty rather than moved from an empty optional, which GCC 12 with ASan took
  // for a read of an uninitialised term (-Wmaybe-uninitialized).
  explicit init_result(detail::server_action a) : action_(std::move(a)) {}
  detail::server_action action_;
  std::optional<State> state_;
};

}  // namespace otp::gen_server
