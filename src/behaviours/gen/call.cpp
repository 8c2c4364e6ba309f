// gen's call, cast and send: every kind of server_ref goes through resolve() and one call path.
//
// The reply tag is [alias | MonitorRef], as Erlang 24+ sends it: the monitor ref doubles as an
// alias of the caller that ends with the monitor (monitor_alias::reply_demonitor), and gen::reply
// sends through the alias when the tag says so. A server that answers after the caller gave up
// (timeout, then demonitor) sends into a dead alias and the runtime drops the reply, so no stray
// {Tag, Reply} is left in the caller's mailbox. A reply already queued when the demonitor runs is
// removed by the flush below. Tags without the alias marker (a plain ref from an older node) are
// answered to the caller's pid.

#include <otp/gen/gen.hpp>
#include <otp/runtime/errors.hpp>

namespace otp::gen {
namespace {

term timeout_term(timeout t) {
  if (t.is_infinite()) return atoms::infinity;
  return term(t.milliseconds());
}

atom or_default(atom a, const char* fallback) { return a == atoms::empty ? atom(fallback) : a; }

/// {Module, Function, Args}: the second element of every call exit reason.
term call_mfa(const server_ref& server, const term& request, timeout t, const call_spec& spec) {
  term args = spec.args ? *spec.args : list(server.to_term(), request, timeout_term(t));
  return tuple(or_default(spec.module, "gen_server"), or_default(spec.function, "call"), args);
}

unexpected<call_error> fail(call_error::kind_t kind, term why, const term& mfa) {
  return unexpected(call_error{kind, tuple(std::move(why), mfa)});
}

/// The exit reason {Why, {Module, Function, Args}} of a failed call; built only on failure, so
/// that a successful call allocates nothing for it.
struct call_failure {
  const server_ref& server;
  const term& request;
  timeout t;
  const call_spec& spec;

  unexpected<call_error> operator()(call_error::kind_t kind, term why) const {
    return fail(kind, std::move(why), call_mfa(server, request, t, spec));
  }
};

/// The target pid, or the error when there is none to call (a name on another node is
/// resolved there, by the call's monitor and message).
expected<pid, call_error> target_of(const server_ref& server, const call_failure& failed) {
  std::optional<pid> p = resolve(server);
  if (!p) return failed(call_error::noproc, atoms::noproc);
  return *p;
}

bool names_another_node(const server_ref& server) {
  return server.kind() == server_ref::ref_kind::remote && server.node() != self().node;
}

}  // namespace

expected<term, call_error> try_call(const server_ref& server, term request, timeout t,
                                    const call_spec& spec) {
  // The request moves into the message below; the failure reasons name a copy (cheap: terms
  // share their boxed parts).
  const term request_copy = request;
  const call_failure failed{server, request_copy, t, spec};
  // The tag [alias | Mref] moves into the request, and the answer is recognised by the monitor's
  // reference alone: keeping the tag or the reference as terms here too would cost a locked
  // reference-count update each time one of them is copied or dropped.
  ref mref;
  atom target_node;
  if (names_another_node(server)) {
    // {Name, Node}: gen monitors the name there and sends to it; that node answers the monitor
    // with noproc at once if nobody holds the name.
    target_node = server.node();
    mref = monitor(server.name(), target_node, monitor_alias::reply_demonitor);
    otp::send(server.name(), target_node,
              tuple(spec.label, tuple(self(), cons(atoms::alias, term(mref))), std::move(request)));
  } else {
    expected<pid, call_error> target = target_of(server, failed);
    if (!target) return unexpected(target.error());
    // A process waiting for its own reply would wait forever; Erlang exits with calling_self.
    if (*target == self()) return failed(call_error::exited, atom("calling_self"));
    target_node = target->node;
    // reply_demonitor: the reply ends alias and monitor, and since the server sends it, the
    // server drops its side of the monitor as it replies (no demonitor signal after each call).
    // Equivalent here to gen's {alias, demonitor}: nothing but the reply comes through the
    // alias, and the demonitor below still ends both when no reply came.
    mref = send_monitored(*target, monitor_alias::reply_demonitor, [&](const term& monitor_ref) {
      return tuple(spec.label, tuple(self(), cons(atoms::alias, monitor_ref)), std::move(request));
    });
  }

  const auto is_mref = [&](const term& x) { return x.is_ref() && x.as_ref() == mref; };
  // {[alias | Mref], Reply}
  const auto is_reply = [&](const term& m) {
    if (!m.is_tuple(2)) return false;
    const term& tag = m[0];
    return tag.is_cons() && tag.head().is_atom(atoms::alias) && is_mref(tag.tail());
  };
  std::optional<term> answer = receive(
      [&](const term& m) {
        return is_reply(m) || (m.is_tuple(5) && m[0].is_atom(atoms::DOWN) && is_mref(m[1]));
      },
      t);
  if (!answer) {
    demonitor(mref, true);
    // The reply may have arrived between the receive timing out and the demonitor.
    receive(is_reply, timeout::ms(0));
    return failed(call_error::timeout, atoms::timeout);
  }
  if (answer->is_tuple(2)) {
    demonitor(mref, true);
    return (*answer)[1];
  }
  // DOWN: the monitor has fired, nothing to flush.
  const term& why = (*answer)[4];
  if (why.is_atom(atoms::noproc)) return failed(call_error::noproc, why);
  if (why.is_atom(atoms::noconnection))
    return failed(call_error::nodedown, tuple(atom("nodedown"), target_node));
  return failed(call_error::exited, why);
}

expected<term, call_error> try_call(const server_ref& server, term request, timeout t) {
  return try_call(server, std::move(request), t, call_spec{});
}

term call(const server_ref& server, term request, timeout t, const call_spec& spec) {
  expected<term, call_error> r = try_call(server, std::move(request), t, spec);
  if (!r) exit(r.error().reason);
  return std::move(r).value();
}

term call(const server_ref& server, term request, timeout t) {
  return call(server, std::move(request), t, call_spec{});
}

void send(const server_ref& server, term message) {
  if (server.kind() == server_ref::ref_kind::remote) {
    // send/3 never fails, connected node or not.
    otp::send(server.name(), server.node(), std::move(message));
    return;
  }
  if (std::optional<pid> p = resolve(server)) otp::send(*p, std::move(message));
}

void cast(const server_ref& server, term message) {
  send(server, tuple(atoms::gen_cast, std::move(message)));
}

void stop(const server_ref& server, term reason, timeout t) {
  // Watched with a monitor: a server that is already gone gives DOWN with noproc, which becomes
  // the caller's exit reason, as in Erlang.
  const std::optional<pid> target = resolve(server);
  if (!target) otp::exit(atoms::noproc);
  const ref watch = monitor(*target);
  const term tag(watch);
  otp::send(*target, tuple(atoms::system, tuple(self(), tag), tuple(atom("terminate"), reason)));
  std::optional<term> down =
      receive([&](const term& m) { return m.is_tuple(5) && m[0].is_atom(atoms::DOWN) && m[1] == tag; }, t);
  if (!down) {
    demonitor(watch, true);
    otp::exit(atoms::timeout);
  }
  const term& ended_with = (*down)[4];
  if (ended_with != reason) otp::exit(ended_with);
}

}  // namespace otp::gen
