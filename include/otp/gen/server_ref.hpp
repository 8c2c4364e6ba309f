#pragma once
// otp::gen::server_ref — what a call, cast or sys request targets: Erlang's ServerRef.
//
// Erlang lets a behaviour be addressed by pid, by local name, by {Name, Node} or by
// {via, Module, Name}. server_ref holds any of these; gen resolves it to a pid in one place
// (resolve) so that every kind of name goes through the same call path, as gen.erl's
// do_for_proc does. Global names arrive with distribution.
//
// name_service is the {via, Module, Name} interface: any registry (Elixir's Registry later) that
// can register, unregister and look up names implements it.
//
// Thread safety: server_ref is an immutable value. A name_service must be callable from any
// process concurrently.

#include <memory>
#include <optional>
#include <variant>

#include <otp/term/term.hpp>

namespace otp::gen {

/// A registry for {via, Module, Name} names (Erlang's via-module callbacks).
class name_service {
 public:
  virtual ~name_service() = default;
  /// Registers `name` for `p`; false when the name is already taken.
  virtual bool register_name(const term& name, const pid& p) = 0;
  virtual void unregister_name(const term& name) = 0;
  virtual std::optional<pid> whereis_name(const term& name) = 0;
  /// The atom printed as Module in {via, Module, Name}.
  virtual atom module_name() const = 0;
};

class server_ref {
 public:
  enum class ref_kind { pid, local, remote, via };

  server_ref(const pid& p) : ref_(p) {}              // NOLINT: implicit, as Erlang takes a pid anywhere
  server_ref(atom local_name) : ref_(local_name) {}  // NOLINT: likewise for a registered name
  /// {Name, Node}: a name registered on another (or this) node.
  static server_ref remote(atom name, atom node);
  /// {via, Module, Name}.
  static server_ref via(std::shared_ptr<name_service> registry, term name);

  ref_kind kind() const noexcept { return ref_kind(ref_.index()); }
  /// The pid (ref_kind::pid only).
  const pid& as_pid() const { return std::get<pid>(ref_); }
  /// The registered name (ref_kind::local and ref_kind::remote).
  atom name() const;
  /// The node (ref_kind::remote only).
  atom node() const { return std::get<remote_name>(ref_).node; }
  /// The registry and name (ref_kind::via only).
  const std::shared_ptr<name_service>& registry() const { return std::get<via_name>(ref_).registry; }
  const term& via_name_term() const { return std::get<via_name>(ref_).name; }

  /// Pid | Name | {Name, Node} | {via, Module, Name}: the form that appears in exit reasons.
  term to_term() const;

 private:
  struct remote_name {
    atom name;
    atom node;
  };
  struct via_name {
    std::shared_ptr<name_service> registry;
    term name;
  };
  std::variant<pid, atom, remote_name, via_name> ref_;
};

/// The local pid `ref` stands for right now: the pid itself, whereis of a local name (or of
/// {Name, Node} when Node is this node), or the via registry's lookup. nullopt when nothing is
/// registered or the name lives on another node (needs a process for the node name of {Name,
/// Node}; outside a process, a remote ref is never resolvable).
std::optional<pid> resolve(const server_ref& ref);

}  // namespace otp::gen

namespace otp {
using gen::name_service;
using gen::server_ref;
}  // namespace otp
