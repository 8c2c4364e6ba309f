// sys, client side: each request is a gen call labelled `system`, with sys's exit reasons.

#include <otp/gen/gen.hpp>
#include <otp/gen/sys.hpp>
#include <otp/runtime/errors.hpp>

namespace otp::sys {
namespace {

term timeout_term(timeout t) { return t.is_infinite() ? term(atoms::infinity) : term(t.milliseconds()); }

/// Sends {system, From, Request}; exits with {Reason, {sys, Function, [Server, Timeout]}} when the
/// server is gone or silent, as sys does.
term system_call(const server_ref& server, const char* function, term request, timeout t) {
  gen::call_spec spec;
  spec.module = atom("sys");
  spec.function = atom(function);
  spec.args = list(server.to_term(), timeout_term(t));
  spec.label = atoms::system;
  return gen::call(server, std::move(request), t, spec);
}

/// The server answers {error, {callback_failed, …}} when a state callback raised.
term checked(term reply) {
  if (reply.is_tuple(2) && reply[0].is_atom(atoms::error) && reply[1].is_tuple(2) &&
      reply[1][0].is_atom(atom("callback_failed")))
    throw erlang_error(reply[1]);
  return reply;
}

term debug(const server_ref& server, const char* function, term option, timeout t) {
  return system_call(server, function, tuple(atom("debug"), std::move(option)), t);
}

}  // namespace

bool is_system_message(const term& message) {
  return message.is_tuple(3) && message[0].is_atom(atoms::system);
}

term get_state(const server_ref& server, timeout t) {
  return checked(system_call(server, "get_state", atom("get_state"), t));
}

term replace_state(const server_ref& server, std::function<term(term)> fn, timeout t) {
  // A C++ function travels as an opaque term: local servers only, which is all there is here.
  term f = make_opaque<std::function<term(term)>>(std::move(fn));
  return checked(system_call(server, "replace_state", tuple(atom("replace_state"), f), t));
}

term get_status(const server_ref& server, timeout t) {
  return system_call(server, "get_status", atom("get_status"), t);
}

term change_code(const server_ref& server, atom module, term old_vsn, term extra, timeout t) {
  return system_call(server, "change_code",
                     tuple(atom("change_code"), module, std::move(old_vsn), std::move(extra)), t);
}

void terminate(const server_ref& server, term reason, timeout t) { gen::stop(server, std::move(reason), t); }

void suspend(const server_ref& server, timeout t) { system_call(server, "suspend", atom("suspend"), t); }

void resume(const server_ref& server, timeout t) { system_call(server, "resume", atom("resume"), t); }

void statistics(const server_ref& server, bool enable, timeout t) {
  debug(server, "statistics", tuple(atom("statistics"), enable), t);
}

std::optional<term> statistics(const server_ref& server, timeout t) {
  term r = debug(server, "statistics", tuple(atom("statistics"), atom("get")), t);
  if (r.is_tuple(2) && r[0].is_atom(atoms::ok) && r[1].is_list()) return r[1];
  return std::nullopt;
}

void trace(const server_ref& server, bool enable, timeout t) {
  debug(server, "trace", tuple(atom("trace"), enable), t);
}

void log(const server_ref& server, bool enable, timeout t) {
  debug(server, "log", tuple(atom("log"), enable), t);
}

std::vector<term> get_log(const server_ref& server, timeout t) {
  term r = debug(server, "log", tuple(atom("log"), atom("get")), t);
  if (r.is_tuple(2) && r[0].is_atom(atoms::ok) && r[1].list_length()) return r[1].list_elements();
  return {};
}

}  // namespace otp::sys
