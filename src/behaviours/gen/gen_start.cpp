// gen::start: a behaviour process registered under its name, started synchronously through
// proc_lib's protocol, and the init outcome functions its on_start uses.

#include <otp/gen/gen.hpp>
#include <otp/gen/proc_lib.hpp>
#include <otp/runtime/errors.hpp>

#include "behaviours/gen/proc_lib_internal.hpp"
#include "term/small_alloc.hpp"

namespace otp::gen {
namespace {

/// Thrown by init_ignore / init_stop and caught by server_process::on_start, which alone knows
/// the name to release before acking.
struct init_outcome : std::exception {
  term ack;
  term exit_reason;
  init_outcome(term a, term r) : ack(std::move(a)), exit_reason(std::move(r)) {}
  const char* what() const noexcept override { return "otp::gen init outcome (outside gen::start)"; }
};

std::optional<pid> registered_pid(const server_ref& name) {
  return name.kind() == server_ref::ref_kind::remote ? std::nullopt : resolve(name);
}

bool register_as(const server_ref& name) {
  if (name.kind() == server_ref::ref_kind::via)
    return name.registry()->register_name(name.via_name_term(), self());
  return register_name(name.name(), self());
}

void unregister_as(const server_ref& name) {
  if (name.kind() == server_ref::ref_kind::via)
    name.registry()->unregister_name(name.via_name_term());
  else
    unregister_name(name.name());
}

/// The reactor gen::start spawns: registration, init outcome and crash reports around the
/// behaviour's own reactor.
class server_process final : public reactor {
 public:
  server_process(proc_lib::internal::child_setup setup, std::optional<server_ref> name,
                 unique_function<std::unique_ptr<reactor>()> make)
      : start_(std::make_unique<start_state>(std::move(setup), std::move(name), std::move(make))) {}

  void on_start() override {
    // What the start needs is freed when it is over: an idle server keeps only `inner_`.
    const std::unique_ptr<start_state> start = std::move(start_);
    start_state& s = *start;
    proc_lib::internal::enter_child(s.setup);
    s.setup = {};
    if (s.name && !register_as(*s.name)) {
      // Lost the race for the name after the starter's check: the name's owner is the answer.
      std::optional<pid> owner = registered_pid(*s.name);
      proc_lib::init_ack(
          tuple(atoms::error, tuple(atom("already_started"), owner ? term(*owner) : term(atoms::undefined))));
      exit(atoms::normal);
    }
    try {
      inner_ = s.make();
      s.make = nullptr;
      inner_->on_start();
    } catch (init_outcome& o) {
      fail(s, std::move(o.ack));
      exit(std::move(o.exit_reason));
    } catch (...) {
      proc_lib::internal::report_current_exception();
      if (proc_lib::ack_pending()) fail(s, tuple(atoms::error, exception_reason(std::current_exception())));
      throw;
    }
    init_ok();
  }

  void on_message(term message) override {
    try {
      inner_->on_message(std::move(message));
    } catch (...) {
      proc_lib::internal::report_current_exception();
      throw;
    }
  }

  void on_timeout() override {
    try {
      inner_->on_timeout();
    } catch (...) {
      proc_lib::internal::report_current_exception();
      throw;
    }
  }

  timeout receive_timeout() const override { return inner_ ? inner_->receive_timeout() : infinity; }

 private:
  // The name goes before the ack: a starter that retries at once must find it free (OTP does
  // the same in gen_server:init_it).
  struct start_state {
    proc_lib::internal::child_setup setup;
    std::optional<server_ref> name;
    unique_function<std::unique_ptr<reactor>()> make;

    // One per start, freed once init has run: from the block caches, as the reactors are.
    static void* operator new(std::size_t size) { return otp::detail::small_allocate(size); }
    static void operator delete(void* p, std::size_t size) noexcept {
      otp::detail::small_deallocate(p, size);
    }
  };
  static void fail(const start_state& s, term ack) {
    if (s.name) unregister_as(*s.name);
    proc_lib::init_ack(std::move(ack));
  }

  std::unique_ptr<start_state> start_;
  std::unique_ptr<reactor> inner_;
};

start_result from_ack(const term& ack) {
  start_result r;
  if (ack.is_tuple(2) && ack[0].is_atom(atoms::ok) && ack[1].is_pid()) {
    r.kind = start_result::ok;
    r.pid = ack[1].as_pid();
  } else if (ack.is_atom(atoms::ignore)) {
    r.kind = start_result::ignore;
  } else {
    r.kind = start_result::error;
    r.reason = ack.is_tuple(2) && ack[0].is_atom(atoms::error) ? ack[1] : ack;
  }
  return r;
}

}  // namespace

term start_result::to_term() const {
  switch (kind) {
    case ok:
      return tuple(atoms::ok, monitor ? tuple(pid, *monitor) : term(pid));
    case ignore:
      return atoms::ignore;
    case error:
      return tuple(atoms::error, reason);
  }
  return atoms::undefined;
}

start_result start(start_link_kind how, const start_options& options,
                   unique_function<std::unique_ptr<reactor>()> make_server) {
  if (options.name) {
    if (options.name->kind() == server_ref::ref_kind::remote ||
        options.name->kind() == server_ref::ref_kind::pid) {
      start_result r;
      r.reason = tuple(atoms::badarg, options.name->to_term());
      return r;
    }
    // Checked here too so that a taken name never costs a process or runs init.
    if (std::optional<pid> owner = registered_pid(*options.name)) {
      start_result r;
      r.reason = tuple(atom("already_started"), *owner);
      return r;
    }
  }
  proc_lib::internal::child_setup setup = proc_lib::internal::make_setup(
      options.initial_call ? *options.initial_call : tuple(atoms::gen, atoms::init_it, 6));
  const term tag(make_ref());
  setup.starter = tuple(self(), tag);
  spawn_options o = options.spawn;
  o.link = how == start_link_kind::link;
  o.monitor = true;
  spawn_result s = spawn_reactor(
      std::make_unique<server_process>(std::move(setup), options.name, std::move(make_server)), o);

  proc_lib::internal::waited w = proc_lib::internal::wait_ack(s.pid, *s.monitor, tag, options.start_timeout);
  start_result r = from_ack(w.ack);
  if (r.kind == start_result::ok) {
    if (how == start_link_kind::monitor)
      r.monitor = s.monitor;
    else
      demonitor(*s.monitor, true);
    return r;
  }
  if (w.acked) {
    // ignore / {error, _}: the child is exiting right after its ack. Wait for it to be gone and
    // drop its 'EXIT' (a linked, trapping caller has one), as proc_lib:start_link does.
    const term mref(*s.monitor);
    receive([&](const term& x) { return x.is_tuple(5) && x[0].is_atom(atoms::DOWN) && x[1] == mref; },
            infinity);
    proc_lib::internal::drop_exit_of(s.pid);
  }
  r.pid = otp::pid();
  return r;
}

void init_ok() { proc_lib::init_ack(tuple(atoms::ok, self())); }

void init_ignore() { throw init_outcome(atoms::ignore, atoms::normal); }

void init_stop(term reason, std::optional<term> exit_reason) {
  term ex = exit_reason ? std::move(*exit_reason) : reason;
  throw init_outcome(tuple(atoms::error, std::move(reason)), std::move(ex));
}

std::optional<pid> parent() {
  const term a = get(atoms::ancestors_key);
  if (a.is_cons() && a.head().is_pid()) return a.head().as_pid();
  return std::nullopt;
}

}  // namespace otp::gen
