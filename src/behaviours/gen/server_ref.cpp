// server_ref: the four ways to name a server, their exit-reason form, and resolution to a pid.

#include <otp/gen/server_ref.hpp>
#include <otp/runtime/process.hpp>

namespace otp::gen {

server_ref server_ref::remote(atom name, atom node) {
  server_ref r(name);
  r.ref_ = remote_name{name, node};
  return r;
}

server_ref server_ref::via(std::shared_ptr<name_service> registry, term name) {
  server_ref r(atoms::undefined);
  r.ref_ = via_name{std::move(registry), std::move(name)};
  return r;
}

atom server_ref::name() const {
  if (const atom* a = std::get_if<atom>(&ref_)) return *a;
  return std::get<remote_name>(ref_).name;
}

term server_ref::to_term() const {
  switch (kind()) {
    case ref_kind::pid:
      return as_pid();
    case ref_kind::local:
      return name();
    case ref_kind::remote:
      return tuple(name(), node());
    case ref_kind::via:
      return tuple(atom("via"), registry()->module_name(), via_name_term());
  }
  return atoms::undefined;
}

std::optional<pid> resolve(const server_ref& ref) {
  switch (ref.kind()) {
    case server_ref::ref_kind::pid:
      return ref.as_pid();
    case server_ref::ref_kind::local:
      return whereis(ref.name());
    case server_ref::ref_kind::remote:
      // {Name, Node} names a local process when Node is this node; whereis needs a process to
      // know "this node", and a remote node has no local pid until distribution exists.
      if (in_process() && self().node == ref.node()) return whereis(ref.name());
      return std::nullopt;
    case server_ref::ref_kind::via:
      return ref.registry()->whereis_name(ref.via_name_term());
  }
  return std::nullopt;
}

}  // namespace otp::gen
