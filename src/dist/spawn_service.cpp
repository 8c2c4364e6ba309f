// Processes other nodes start here (SPAWN_REQUEST): rpc:call, erpc:call/cast, spawn_request of
// C++ functions exported with distributed_node::export_function.
//
// erpc sends {erpc, execute_call, [Ref, M, F, A]} (rpc:call and erpc:call, with a monitor) and
// {erpc, execute_cast, [M, F, A]} (erpc:cast). erpc's own functions do not exist in C++, so they
// are done here as erpc.erl does them: the called function's result or exception becomes the
// process's exit reason {Ref, return, V} | {Ref, exit, R} | {Ref, error, R, Stack}, which reaches
// the caller in the monitor's DOWN (MONITOR_P_EXIT) and which erpc on its side turns back into a
// value or an exception.

#include <stdexcept>

#include <otp/runtime/errors.hpp>
#include <otp/runtime/process.hpp>

#include "dist/control.hpp"
#include "dist/dist_state.hpp"

namespace otp::dist {

using detail::connection;

namespace {

/// What the new process calls: the exported function (empty if none) and its arguments.
struct call {
  exported_name name;
  std::vector<term> args;
  distributed_node::remote_function fn;

  /// The stack an Erlang error in it would show: [{M, F, Arity, []}].
  term stack() const { return list(tuple(name.module, name.function, int64_t(name.arity), term())); }
  /// The reason of a call to a function nobody exported, as erts gives it: {undef, [{M, F, Args, []}]}.
  term undef_stack() const { return list(tuple(name.module, name.function, make_list(args), term())); }

  /// Runs it; an exception goes on to end the process with its reason.
  term run() const {
    if (!fn) throw exit_exception(tuple(atom("undef"), undef_stack()));
    return fn(args);
  }

  /// erpc:execute_call's outcome of running it, with the caller's tag.
  term erpc_outcome(const term& tag) const {
    if (!fn) return tuple(tag, atoms::error, atom("undef"), undef_stack());
    try {
      return tuple(tag, atom("return"), fn(args));
    } catch (const exit_signal_exception&) {
      throw;  // killed by a signal: no code of the victim runs, the DOWN says why
    } catch (const exit_exception& e) {
      return tuple(tag, atom("exit"), e.reason());
    } catch (const erlang_error& e) {
      return tuple(tag, atoms::error, e.reason(), stack());
    } catch (...) {
      return tuple(tag, atoms::error, exception_reason(std::current_exception()), stack());
    }
  }
};

/// The elements of a proper list, or nullopt.
std::optional<std::vector<term>> proper_list(const term& t) {
  if (!t.list_length()) return std::nullopt;
  return t.list_elements();
}

}  // namespace

void distributed_node::export_function(atom module, atom function, std::size_t arity, remote_function fn) {
  std::lock_guard lock(state_->mutex);
  state_->exports[exported_name{module, function, arity}] = std::move(fn);
}

distributed_node::remote_function distributed_node::state::exported(const exported_name& name) const {
  std::lock_guard lock(mutex);
  auto it = exports.find(name);
  return it == exports.end() ? remote_function() : it->second;
}

void distributed_node::state::spawn_request(connection& c, const ref& request, const pid& requester,
                                            const term& mfa, const term& options, const term& args) {
  auto refuse = [&](const char* why) {
    c.send(tuple(detail::op::spawn_reply, term(request), requester, 0, atom(why)));
  };
  const std::optional<std::vector<term>> arg_list = proper_list(args);
  const std::optional<std::vector<term>> option_list = proper_list(options);
  if (!mfa.is_tuple(3) || !mfa[0].is_atom() || !mfa[1].is_atom() || !mfa[2].is_small() || !arg_list ||
      std::size_t(mfa[2].small_value()) != arg_list->size()) {
    return refuse("badarg");
  }
  if (!option_list) return refuse("badopt");
  bool link_to = false, monitored = false;
  for (const term& o : *option_list) {
    if (o.is_atom(atom("link"))) link_to = true;
    // {monitor, MonitorOpts} (OTP 24+) is a monitor too; its alias options concern the requester.
    if (o.is_atom(atom("monitor")) || (o.is_tuple(2) && o[0].is_atom(atom("monitor")))) monitored = true;
  }

  // erpc's two entry points, or a function of ours called directly.
  const atom m = mfa[0].as_atom(), f = mfa[1].as_atom();
  std::optional<term> erpc_tag;
  call work;
  const std::vector<term>& a = *arg_list;
  auto target = [&](const term& mod, const term& fun, const term& call_args) {
    const std::optional<std::vector<term>> inner = proper_list(call_args);
    if (!mod.is_atom() || !fun.is_atom() || !inner) return false;
    work.name = exported_name{mod.as_atom(), fun.as_atom(), inner->size()};
    work.args = *inner;
    return true;
  };
  if (m == atom("erpc") && f == atom("execute_call") && a.size() == 4) {
    if (!target(a[1], a[2], a[3])) return refuse("badarg");
    erpc_tag = a[0];
  } else if (m == atom("erpc") && f == atom("execute_cast") && a.size() == 3) {
    if (!target(a[0], a[1], a[2])) return refuse("badarg");
  } else {
    work.name = exported_name{m, f, a.size()};
    work.args = a;
  }
  work.fn = exported(work.name);

  // The process waits for `go`, sent once the reply is out: its exit must not overtake the reply.
  const term go = tuple(atom("$spawn_reply_sent"), term(request));
  pid child;
  try {
    child = local->spawn([work = std::move(work), erpc_tag, go] {
      receive([&](const term& message) { return message == go; }, infinity);
      if (erpc_tag) otp::exit(work.erpc_outcome(*erpc_tag));
      work.run();
    });
  } catch (const std::exception&) {
    return refuse("system_limit");  // the process table is full, or the node is stopping
  }
  int64_t flags = 0;
  if (monitored &&
      c.add_incoming_monitor(request, detail::incoming_monitor{requester, child, std::nullopt})) {
    local->deliver_monitor(requester, child, request);
    flags |= 2;
  }
  if (link_to && c.add_link(child, requester)) {
    local->deliver_link(requester, child);
    flags |= 1;
  }
  c.send(tuple(detail::op::spawn_reply, term(request), requester, flags, child));
  local->send(child, go);
}

}  // namespace otp::dist
