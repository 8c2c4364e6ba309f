#pragma once
// otp::detail::gen_server_process<Server, Arg> — one gen_server process: the callback object, its
// typed state and init's argument, plugged into gen_server_core's hooks. Not for callers.
//
// The state is handed to each callback Elixir-style, by value, and the callback's result carries
// the next state back. A term state is passed as a copy (one reference count), so the state
// shown in a crash report is the one the failing callback received. A state of another type is
// moved in, to avoid copies: take it as `const State&` if a crash report must show it intact.

#include <cstddef>
#include <functional>
#include <optional>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include <otp/detail/gen_server_core.hpp>
#include <otp/runtime/errors.hpp>
#include <otp/term/term.hpp>

namespace otp::detail {

/// The module name a callback class is reported under: its unqualified C++ name.
atom gen_server_module_name(const std::type_info& type);

/// The term sys:get_state shows for a state of type State.
template <class State>
term gen_server_state_to_term(const State& state) {
  if constexpr (std::is_constructible_v<term, const State&>) {
    return term(state);
  } else if constexpr (std::is_copy_constructible_v<State>) {
    return make_opaque<State>(state);  // a C++ value: visible locally, never sent to another node
  } else {
    return term(atom("$state"));
  }
}

template <class Server, class Arg>
class gen_server_process final : public gen_server_core {
 public:
  using State = typename Server::state_type;

  gen_server_process(Arg arg, gen::start_link_kind how, std::optional<term> name, std::vector<atom> debug)
      : gen_server_core(how, std::move(name), std::move(debug)), arg_(std::move(arg)) {}

 protected:
  action call_init() override {
    auto result = server_.init(std::move(*arg_));
    arg_.reset();
    if (result.state()) state_.emplace(std::move(*result.state()));
    return result.action();
  }
  action call_handle_call(const term& request, const gen::from& from) override {
    return take(server_.handle_call(request, from, state_arg()));
  }
  action call_handle_cast(const term& message) override {
    return take(server_.handle_cast(message, state_arg()));
  }
  action call_handle_info(const term& message) override {
    return take(server_.handle_info(message, state_arg()));
  }
  action call_handle_continue(const term& arg) override {
    return take(server_.handle_continue(arg, state_arg()));
  }
  void call_terminate(const term& reason) override {
    if (state_) server_.terminate(reason, std::as_const(*state_));
  }
  void call_code_change(const term& old_vsn, const term& extra) override {
    if constexpr (std::is_copy_constructible_v<State>) {
      state_.emplace(server_.code_change(old_vsn, State(*state_), extra));  // a throw keeps the state
    } else {
      state_.emplace(server_.code_change(old_vsn, std::move(*state_), extra));
    }
  }
  term state_term() const override { return state_ ? gen_server_state_to_term(*state_) : term(); }
  term replace_state(const std::function<term(term)>& fn) override {
    term next = fn(state_term());
    if constexpr (std::is_same_v<State, term>) {
      state_.emplace(next);
    } else if (State* typed = next.template opaque_get<State>()) {
      if constexpr (std::is_copy_constructible_v<State>) {
        state_.emplace(*typed);
      } else {
        throw erlang_error(term(atoms::badarg));
      }
    } else {
      throw erlang_error(term(atoms::badarg));  // not a State: the old one is kept
    }
    return next;
  }
  term formatted_state() const override {
    return state_ ? term(server_.format_status(std::as_const(*state_))) : term();
  }
  atom module() const override { return Server::module_name(); }

 private:
  /// What a callback receives: a copy of a term state, the typed state moved.
  decltype(auto) state_arg() {
    if constexpr (std::is_same_v<State, term>) {
      return State(*state_);
    } else {
      return std::move(*state_);
    }
  }
  template <class Result>
  action take(Result&& result) {
    state_.emplace(std::move(result.state()));
    return result.action();
  }

  mutable Server server_;  // callbacks need not be const: format_status runs from const hooks
  std::optional<Arg> arg_;
  std::optional<State> state_;
};

}  // namespace otp::detail
