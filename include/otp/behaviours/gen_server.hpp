#pragma once
// otp::gen_server — Erlang's gen_server (Elixir's GenServer): a process that keeps a state and
// answers synchronous calls and asynchronous casts through callbacks.
//
// A callback class derives from gen_server::behaviour<Self, State = otp::term> (Erlang's
// -behaviour(gen_server), Elixir's `use GenServer`) and defines the callbacks it needs; the base
// supplies Elixir's defaults for the others:
//
//   init_result     init(Arg)                                              required
//   call_result     handle_call(const term& request, const from&, State)   default: stop {bad_call, Request}
//   cast_result     handle_cast(const term& message, State)                default: stop {bad_cast, Message}
//   info_result     handle_info(const term& message, State)                default: log it, noreply
//   continue_result handle_continue(const term& arg, State)                default: stop {undef, ...}
//   void            terminate(const term& reason, const State&)            default: nothing
//   State           code_change(const term& old_vsn, State, const term& extra)  default: the state
//   term            format_status(const State&)                            default: the state
//
// Callbacks return action values (gen_server_actions.hpp): ok(s), ignore(), stop(r), reply(x, s),
// noreply(s), stop(r, s), stop(r, x, s), each optionally followed by .timeout(t), .hibernate() or
// .continue_with(c). The state goes into each callback by value and comes back in its result.
//
// The client functions are free functions of this namespace, one line over otp::gen each, as
// gen_server.erl is over gen.erl: start / start_link / start_monitor, call / try_call, cast,
// reply, stop, abcast, multi_call.
//
// The process is an otp::reactor: it owns no stack while it waits, and any callback may block
// (call another server, receive selectively). It follows gen_server's documented rules:
//  * '$gen_call' → handle_call, '$gen_cast' → handle_cast, system messages → sys, the parent's
//    {'EXIT', Parent, Reason} (when trapping exits) → terminate(Reason) and exit(Reason), any
//    other message → handle_info; an inactivity timeout → handle_info(timeout);
//  * terminate runs on a stop action, on an exception escaping a callback (reason
//    {exception, Type, What}, or the reason of otp::exit / erlang_error), on gen_server::stop and
//    on the parent's exit; an abnormal reason (not normal, shutdown, {shutdown, _}) is logged as
//    "** Generic server Name terminating" with the last message and the state (format_status);
//  * an exit signal the server does not trap ends it without terminate, even inside a callback;
//  * init's {stop, Reason}, ignore and exceptions fail the start without calling terminate.
//
// Thread safety: callbacks run one at a time in the server process; client functions may be
// called from any process concurrently.

#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include <otp/behaviours/gen_server_actions.hpp>
#include <otp/detail/gen_server_process.hpp>
#include <otp/gen/from.hpp>
#include <otp/gen/gen.hpp>
#include <otp/gen/server_ref.hpp>
#include <otp/logger.hpp>
#include <otp/runtime/process.hpp>
#include <otp/runtime/reactor.hpp>
#include <otp/runtime/timeout.hpp>
#include <otp/term/term.hpp>

namespace otp::gen_server {

using start_options = gen::start_options;
using start_result = gen::start_result;
using call_error = gen::call_error;

// ---- the callback base ----------------------------------------------------------------------------

template <class Server, class State = term>
class behaviour {
 public:
  using state_type = State;
  using init_result = gen_server::init_result<State>;
  using call_result = gen_server::call_result<State>;
  using cast_result = noreply_result<State>;
  using info_result = noreply_result<State>;
  using continue_result = noreply_result<State>;

  // ---- action values -------------------------------------------------------------------------------
  /// {ok, State}
  static init_result ok(State state) { return init_result::ok(std::move(state)); }
  /// ignore: the start returns ignore and the process ends normally.
  static init_result ignore() { return init_result::ignore(); }
  /// {stop, Reason} from init: the start fails with Reason.
  static init_result stop(term reason) { return init_result::stop(std::move(reason)); }
  /// {reply, Reply, State}
  static call_result reply(term reply, State state) {
    return call_result::reply(std::move(reply), std::move(state));
  }
  /// {noreply, State}
  static noreply_result<State> noreply(State state) {
    return noreply_result<State>::noreply(std::move(state));
  }
  /// {stop, Reason, State}
  static noreply_result<State> stop(term reason, State state) {
    return noreply_result<State>::stop(std::move(reason), std::move(state));
  }
  /// {stop, Reason, Reply, State}: the reply is sent after terminate has run.
  static call_result stop(term reason, term reply, State state) {
    return call_result::stop(std::move(reason), std::move(reply), std::move(state));
  }

  // ---- default callbacks (Elixir's `use GenServer`) ------------------------------------------------
  call_result handle_call(const term& request, const from&, State state) {
    return stop(tuple(atom("bad_call"), request), std::move(state));
  }
  cast_result handle_cast(const term& message, State state) {
    return stop(tuple(atom("bad_cast"), message), std::move(state));
  }
  info_result handle_info(const term& message, State state) {
    logger::error(std::string(Server::module_name().name()) + " " + to_string(term(self())) +
                      " received unexpected message in handle_info: " + to_string(message),
                  tuple(atom("unexpected_message"), message));
    return noreply(std::move(state));
  }
  /// Reached only when a callback asked for continue_with and the server defines no
  /// handle_continue: Erlang fails with undef.
  continue_result handle_continue(const term&, State state) {
    return stop(tuple(atom("undef"), tuple(Server::module_name(), atom("handle_continue"), 2)),
                std::move(state));
  }
  void terminate(const term&, const State&) {}
  State code_change(const term&, State state, const term&) { return state; }
  term format_status(const State& state) { return otp::detail::gen_server_state_to_term(state); }

  /// The module name in reports and sys:get_status; a server may define its own.
  static atom module_name() { return otp::detail::gen_server_module_name(typeid(Server)); }
};

// ---- starting ---------------------------------------------------------------------------------------

namespace detail {
template <class Server, class Arg>
start_result start(gen::start_link_kind how, Arg&& arg, start_options options) {
  using A = std::decay_t<Arg>;
  if (!options.initial_call) {
    // {Module, init, 1}: one term per server type, shared by every server's dictionary (built
    // once, and never freed: static terms must not outlive the allocator's per-thread caches).
    static const term* const initial_call = new term(tuple(Server::module_name(), atom("init"), 1));
    options.initial_call = *initial_call;
  }
  std::optional<term> name;
  if (options.name) name = options.name->to_term();
  auto make = [arg = A(std::forward<Arg>(arg)), how, name, debug = options.debug]() mutable {
    std::unique_ptr<reactor> server =
        std::make_unique<otp::detail::gen_server_process<Server, A>>(std::move(arg), how, name, debug);
    return server;
  };
  return gen::start(how, options, std::move(make));
}
}  // namespace detail

/// gen_server:start/3,4: a server not linked to the caller; waits for init. `arg` goes to
/// Server::init. With options.name the server is registered before init runs.
template <class Server, class Arg>
start_result start(Arg&& arg, start_options options = {}) {
  return detail::start<Server>(gen::start_link_kind::nolink, std::forward<Arg>(arg), std::move(options));
}
/// gen_server:start_link/3,4: linked to the caller (its parent).
template <class Server, class Arg>
start_result start_link(Arg&& arg, start_options options = {}) {
  return detail::start<Server>(gen::start_link_kind::link, std::forward<Arg>(arg), std::move(options));
}
/// gen_server:start_monitor/3,4: monitored by the caller (result.monitor).
template <class Server, class Arg>
start_result start_monitor(Arg&& arg, start_options options = {}) {
  return detail::start<Server>(gen::start_link_kind::monitor, std::forward<Arg>(arg), std::move(options));
}

// ---- the client -------------------------------------------------------------------------------------

/// gen_server:call/2,3: the reply, or the caller exits with {Reason, {gen_server, call, [Server,
/// Request, Timeout]}} (Reason: timeout, noproc, the server's exit reason, {nodedown, Node}).
term call(const server_ref& server, term request, timeout t = timeout::ms(5000));
/// The same, with the failure as a value instead of an exit.
expected<term, call_error> try_call(const server_ref& server, term request, timeout t = timeout::ms(5000));
/// gen_server:cast/2: never fails; a cast to a dead or unknown server is lost.
void cast(const server_ref& server, term message);
/// gen_server:reply/2: answers a call that handle_call left with noreply, from any process.
void reply(const from& caller, term reply);
/// gen_server:stop/1,3: the server runs terminate(Reason) and exits with Reason; returns once it
/// is gone. Exits the caller with noproc if the server is not running, with the server's exit
/// reason if it ended with another, and with timeout after `t`. Must run in a process.
void stop(const server_ref& server, term reason = atoms::normal, timeout t = infinity);

/// gen_server:abcast/2,3: casts to the server registered as `name` on each node (no answer).
void abcast(const std::vector<atom>& nodes, atom name, term message);
/// abcast to the local node (distribution will add the connected nodes).
void abcast(atom name, term message);

/// gen_server:multi_call's {Replies, BadNodes}.
struct multi_call_result {
  std::vector<std::pair<atom, term>> replies;  // {Node, Reply}
  std::vector<atom> bad_nodes;                 // no server there, it died, or no answer in time
};
/// gen_server:multi_call/3,4: calls `name` on each node; `t` bounds the whole operation.
multi_call_result multi_call(const std::vector<atom>& nodes, atom name, term request, timeout t = infinity);
/// multi_call on the local node (distribution will add the connected nodes).
multi_call_result multi_call(atom name, term request, timeout t = infinity);

}  // namespace otp::gen_server
