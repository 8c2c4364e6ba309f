// supervisor's start and client functions: each a gen_server call with Erlang's request and
// reply terms (so that an Erlang node's supervisor:which_children/1 works on a C++ supervisor),
// turned into C++ values here.

#include <otp/behaviours/gen_server.hpp>
#include <otp/supervisor/supervisor.hpp>

#include "supervisor/supervisor_server.hpp"

namespace otp::supervisor {
namespace {

using detail::supervisor_server;

init_function returning(sup_spec spec) {
  return [spec = std::move(spec)]() -> std::optional<sup_spec> { return spec; };
}

/// Erlang's supervisor calls wait as long as the request takes (a start may be slow).
term request(const gen::server_ref& sup, term message) {
  return gen_server::call(sup, std::move(message), infinity);
}

term bad_reply(const term& reply) { return tuple(atom("bad_reply"), reply); }

/// {ok, Pid | undefined} | {error, Reason}
expected<started, term> as_started(const term& reply) {
  if (reply.is_tuple(2) && reply[0].is_atom(atoms::ok)) {
    if (reply[1].is_pid()) return started(reply[1].as_pid());
    if (reply[1].is_atom(atoms::undefined)) return started();
  }
  if (reply.is_tuple(2) && reply[0].is_atom(atoms::error)) return unexpected(reply[1]);
  return unexpected(bad_reply(reply));
}

/// ok | {error, Reason}
expected<done, term> as_done(const term& reply) {
  if (reply.is_atom(atoms::ok)) return done{};
  if (reply.is_tuple(2) && reply[0].is_atom(atoms::error)) return unexpected(reply[1]);
  return unexpected(bad_reply(reply));
}

child_type type_of(const term& t) {
  return t.is_atom(atom("supervisor")) ? child_type::supervisor : child_type::worker;
}

enum restart restart_of(const term& t) {
  if (t.is_atom(atom("transient"))) return restart::transient;
  if (t.is_atom(atom("temporary"))) return restart::temporary;
  return restart::permanent;
}

shutdown_spec shutdown_of(const term& t) {
  if (t.is_atom(atom("brutal_kill"))) return shutdown_spec::brutal_kill();
  if (t.is_integer()) return shutdown_spec::after(timeout::ms(t.as_int()));
  return shutdown_spec::after(infinity);
}

std::size_t count_of(const term& counts, const char* key) {
  for (const term& kv : counts.list_elements())
    if (kv.is_tuple(2) && kv[0].is_atom(atom(key))) return std::size_t(kv[1].as_int());
  return 0;
}

}  // namespace

term shutdown_spec::to_term() const {
  if (brutal_kill_) return atom("brutal_kill");
  if (wait_.is_infinite()) return atoms::infinity;
  return term(int64_t(wait_.milliseconds()));
}

gen::start_result start_link(init_function init, gen::start_options options) {
  return gen_server::start_link<supervisor_server>(std::move(init), std::move(options));
}
gen::start_result start_link(sup_spec spec, gen::start_options options) {
  return start_link(returning(std::move(spec)), std::move(options));
}
gen::start_result start(init_function init, gen::start_options options) {
  return gen_server::start<supervisor_server>(std::move(init), std::move(options));
}
gen::start_result start(sup_spec spec, gen::start_options options) {
  return start(returning(std::move(spec)), std::move(options));
}

expected<started, term> start_child(const gen::server_ref& sup, child_spec spec) {
  return as_started(
      request(sup, tuple(detail::tags::start_child(), make_opaque<child_spec>(std::move(spec)))));
}

expected<started, term> start_child(const gen::server_ref& sup, term args) {
  return as_started(request(sup, tuple(detail::tags::start_child(), std::move(args))));
}

expected<done, term> terminate_child(const gen::server_ref& sup, term id) {
  return as_done(request(sup, tuple(detail::tags::terminate_child(), std::move(id))));
}

expected<done, term> terminate_child(const gen::server_ref& sup, const pid& child) {
  return as_done(request(sup, tuple(detail::tags::terminate_child(), child)));
}

expected<started, term> restart_child(const gen::server_ref& sup, term id) {
  return as_started(request(sup, tuple(detail::tags::restart_child(), std::move(id))));
}

expected<done, term> delete_child(const gen::server_ref& sup, term id) {
  return as_done(request(sup, tuple(detail::tags::delete_child(), std::move(id))));
}

std::vector<child_info> which_children(const gen::server_ref& sup) {
  std::vector<child_info> out;
  for (const term& c : request(sup, detail::tags::which_children()).list_elements())
    if (c.is_tuple(4)) out.push_back({c[0], c[1], type_of(c[2])});
  return out;
}

child_counts count_children(const gen::server_ref& sup) {
  const term counts = request(sup, detail::tags::count_children());
  return {count_of(counts, "specs"), count_of(counts, "active"), count_of(counts, "supervisors"),
          count_of(counts, "workers")};
}

expected<std::monostate, term> check_childspecs(const std::vector<child_spec>& specs,
                                                std::optional<enum auto_shutdown> auto_shutdown) {
  if (std::optional<term> bad = detail::check_children(specs, auto_shutdown)) return unexpected(*bad);
  return std::monostate{};
}

expected<child_spec, term> get_childspec(const gen::server_ref& sup, term id) {
  const term reply = request(sup, tuple(detail::tags::get_childspec(), std::move(id)));
  if (reply.is_tuple(2) && reply[0].is_atom(atoms::error)) return unexpected(reply[1]);
  if (!(reply.is_tuple(2) && reply[0].is_atom(atoms::ok) && reply[1].is_map()))
    return unexpected(bad_reply(reply));
  const term& m = reply[1];
  const auto field = [&](const char* key) {
    const term* v = m.map_find(atom(key));
    return v ? *v : term(atoms::undefined);
  };
  child_spec spec;
  spec.id = field("id");
  if (const start_function* f = field("start").opaque_get<start_function>()) spec.start = *f;
  spec.restart = restart_of(field("restart"));
  spec.shutdown = shutdown_of(field("shutdown"));
  spec.type = type_of(field("type"));
  spec.significant = field("significant") == term(true);
  return spec;
}

}  // namespace otp::supervisor
