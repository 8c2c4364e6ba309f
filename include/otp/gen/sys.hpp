#pragma once
// otp::sys — Erlang's sys module: inspecting and debugging a running behaviour process.
//
// Client side: each function sends {system, {Self, Tag}, Request} through gen's call machinery
// and exits the caller with {Reason, {sys, Function, [Server…]}} when the server is gone or does
// not answer in time, as sys does.
//
// Server side: server_support is the part of a behaviour that answers system messages. The
// behaviour owns one, passes it every {system, From, Request} message, and reports the events it
// wants traced, logged and counted with record_in / record_out / record. While suspended,
// server_support itself waits (a selective receive on the process's fiber) for system messages
// only, so other messages stay queued in order until resume.

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include <otp/gen/from.hpp>
#include <otp/gen/server_ref.hpp>
#include <otp/runtime/timeout.hpp>
#include <otp/term/term.hpp>

namespace otp::sys {

// ---- client side ----------------------------------------------------------------------------------
term get_state(const server_ref& server, timeout t = timeout::ms(5000));
/// Replaces the state with fn(State) inside the server; returns the new state. The function runs
/// in the server process (local servers only: a C++ function cannot cross nodes).
term replace_state(const server_ref& server, std::function<term(term)> fn, timeout t = timeout::ms(5000));
/// {status, Pid, {module, Mod}, [PDict, running | suspended, Parent, Debug, FormattedStatus]}.
term get_status(const server_ref& server, timeout t = timeout::ms(5000));
void suspend(const server_ref& server, timeout t = timeout::ms(5000));
void resume(const server_ref& server, timeout t = timeout::ms(5000));
/// sys:statistics(S, true | false).
void statistics(const server_ref& server, bool enable, timeout t = timeout::ms(5000));
/// sys:statistics(S, get): [{start_time, _}, {current_time, _}, {reductions, _}, {messages_in, N},
/// {messages_out, N}], or nullopt when statistics are off.
std::optional<term> statistics(const server_ref& server, timeout t = timeout::ms(5000));
/// sys:trace(S, Bool): events are logged at level notice (Erlang prints them unconditionally),
/// domain "otp.sys".
void trace(const server_ref& server, bool enable, timeout t = timeout::ms(5000));
/// sys:log(S, true | false) (keeps the last 10 events).
void log(const server_ref& server, bool enable, timeout t = timeout::ms(5000));
/// sys:log(S, get): the kept events, oldest first.
std::vector<term> get_log(const server_ref& server, timeout t = timeout::ms(5000));

/// sys:change_code(S, Module, OldVsn, Extra): the behaviour's code_change runs in the server
/// (send it to a suspended server, as Erlang's release handling does). Returns ok or {error, R}.
term change_code(const server_ref& server, atom module, term old_vsn, term extra,
                 timeout t = timeout::ms(5000));
/// sys:terminate(S, Reason): the behaviour terminates with Reason; returns once it has exited
/// (gen::stop, with its exits).
void terminate(const server_ref& server, term reason, timeout t = infinity);

/// True for {system, From, Request}.
bool is_system_message(const term& message);

// ---- server side ----------------------------------------------------------------------------------
class server_support {
 public:
  struct callbacks {
    /// The state sys:get_state returns.
    std::function<term()> get_state;
    /// Replaces the state with fn(state) and returns the new state; an exception propagates to
    /// the caller of replace_state as an error reply and the state is kept.
    std::function<term(const std::function<term(term)>&)> replace_state;
    /// The FormattedStatus of get_status (a behaviour's format_status result).
    std::function<term()> format_status;
    /// Called for {'EXIT', Parent, Reason} received while suspended (the behaviour terminates);
    /// default: exit(Reason).
    std::function<void(term reason)> parent_exit;
    /// Requests only the behaviour can serve ({terminate, Reason}, {change_code, Mod, OldVsn,
    /// Extra}), running or suspended: the answer to send, or nullopt for "unknown". A hook may
    /// also not return (terminate ends the process; the caller watches it through its monitor).
    std::function<std::optional<term>(const from& caller, const term& request)> other_request;
  };

  /// `name` is how trace output names the process (pid or registered name), `module` the
  /// behaviour's callback module reported by get_status, `debug` the start options (trace, log,
  /// statistics).
  server_support(callbacks cbs, term name, atom module, std::optional<pid> parent,
                 const std::vector<atom>& debug = {});

  /// Handles `message` if it is a system message; returns false (and does nothing) otherwise.
  /// May block while the process is suspended. Must run in the behaviour's process.
  bool handle(const term& message);

  bool suspended() const noexcept { return suspended_; }
  /// A message received by the behaviour: counts messages_in; traced and logged as `event`
  /// (e.g. {in, Msg} or {in, Msg, From}).
  void record_in(const term& event);
  /// A message sent by the behaviour (a reply): counts messages_out; e.g. {out, Reply, To}.
  void record_out(const term& event);
  /// Any other event (e.g. {noreply, State}): traced and logged, not counted.
  void record(const term& event);

  /// The Debug element of get_status: the active debug options as a list.
  term debug_term() const;
  /// True when any of trace/log/statistics is on (the behaviour may skip building events).
  bool debugging() const noexcept { return trace_ || log_enabled_ || stats_.has_value(); }

 private:
  struct stats {
    term start_time;
    uint64_t in = 0;
    uint64_t out = 0;
  };
  void handle_request(const from& caller, const term& request);
  term debug_request(const term& option);
  void wait_for_resume();
  void keep(const term& event);

  callbacks cbs_;
  term name_;
  atom module_;
  std::optional<pid> parent_;
  bool suspended_ = false;
  bool trace_ = false;
  bool log_enabled_ = false;
  std::vector<term> log_;  // not a deque: an empty deque allocates, and every idle server has one
  std::optional<stats> stats_;
};

}  // namespace otp::sys
