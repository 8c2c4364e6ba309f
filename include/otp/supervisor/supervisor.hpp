#pragma once
// otp::supervisor — Erlang's supervisor (Elixir's Supervisor): a process that starts, watches and
// restarts other processes, its children, and stops them in order.
//
// A supervisor is started with its flags and child specifications (what Erlang's init/1 returns),
// or with a function that makes them inside the new process:
//
//   auto sup = supervisor::start_link({.flags = {.strategy = supervisor::strategy::one_for_all},
//                                      .children = {{.id = atom("db"), .start = start_db},
//                                                   {.id = atom("web"), .start = start_web}}});
//
// It follows supervisor's documented rules:
//  * children start one after another in list order; a child whose start fails stops the ones
//    already started (in reverse order) and the start fails with
//    {shutdown, {failed_to_start_child, Id, Reason}};
//  * a child that exits is restarted by its restart type: permanent always, transient unless
//    it ended with normal, shutdown or {shutdown, _}, temporary never (its spec is dropped);
//  * by the strategy: one_for_one restarts that child; one_for_all stops the others (in reverse
//    start order) and restarts all in order; rest_for_one does so for the children started after
//    it; simple_one_for_one is one_for_one over children added by start_child(sup, args) from one
//    template;
//  * more than `intensity` restarts within `period` stop every child and then the supervisor,
//    with reason shutdown; a restart whose start fails is tried again later (through a message
//    to itself, so calls are served meanwhile) and each try counts as a restart;
//  * a child is stopped by its shutdown: brutal_kill is exit(Child, kill); a time (default 5000 ms
//    for a worker, infinity for a supervisor) is exit(Child, shutdown) then kill once it ran out;
//  * on its own exit the supervisor stops its children in reverse start order (simple_one_for_one:
//    all at once), then exits;
//  * auto_shutdown (OTP 24): a supervisor whose flags say any_significant stops itself (reason
//    shutdown) when a child marked significant ends by itself and is not restarted (a transient
//    one that ended normally, a temporary one however it ended); all_significant, once no
//    significant child is left running. Children it stops itself (terminate_child, a restart of
//    the group) never trigger it. significant needs a transient or temporary child and an
//    auto_shutdown other than never.
// Errors are logged as supervisor reports (child_terminated, start_error, shutdown_error,
// reached_max_restart_intensity).
//
// The supervisor is a gen_server: gen_server::call, sys::get_state and friends work on it, and it
// is addressed by any server_ref. The client functions below may be called from any process.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <otp/expected.hpp>
#include <otp/gen/gen.hpp>
#include <otp/gen/server_ref.hpp>
#include <otp/runtime/timeout.hpp>
#include <otp/term/term.hpp>

namespace otp::supervisor {

enum class strategy : uint8_t { one_for_one, one_for_all, rest_for_one, simple_one_for_one };
/// When a child that exited is restarted.
enum class restart : uint8_t { permanent, transient, temporary };
enum class child_type : uint8_t { worker, supervisor };
/// When the supervisor stops itself because significant children ended (sup_flags).
enum class auto_shutdown : uint8_t { never, any_significant, all_significant };

/// How a child is stopped: brutal_kill, or the exit signal shutdown and up to a time (infinity:
/// as long as it takes) for the child to end before it is killed.
class shutdown_spec {
 public:
  static shutdown_spec brutal_kill() { return shutdown_spec(true, timeout::ms(0)); }
  static shutdown_spec after(timeout t) { return shutdown_spec(false, t); }
  bool is_brutal_kill() const noexcept { return brutal_kill_; }
  timeout wait() const noexcept { return wait_; }
  /// brutal_kill | Milliseconds | infinity.
  term to_term() const;

 private:
  shutdown_spec(bool brutal, timeout t) : brutal_kill_(brutal), wait_(t) {}
  bool brutal_kill_;
  timeout wait_;
};

/// Starts a child from inside the supervisor and links it to the supervisor (a start_link):
/// ok(pid), ignore, or error(reason), as gen::start_result holds them. The term is the argument
/// of start_child for a simple_one_for_one supervisor (Erlang appends it to the template's
/// arguments) and [] otherwise; a function taking no argument is accepted too. An exception
/// escaping it counts as a failed start with the exception's exit reason.
class start_function {
 public:
  start_function() = default;
  template <class F>
  requires std::is_invocable_r_v<gen::start_result, F&, const term&> start_function(F f)
      : fn_(std::move(f)) {}  // NOLINT: implicit, any callable of that form
  template <class F>
  requires(std::is_invocable_r_v<gen::start_result, F&> &&
           !std::is_invocable_r_v<gen::start_result, F&, const term&>)
      start_function(F f)  // NOLINT: implicit, likewise
      : fn_([f = std::move(f)](const term&) mutable { return f(); }) {}

  gen::start_result operator()(const term& args) const { return fn_(args); }
  explicit operator bool() const noexcept { return bool(fn_); }

 private:
  std::function<gen::start_result(const term&)> fn_;
};

/// Erlang's child_spec() map.
struct child_spec {
  term id;
  start_function start;
  enum restart restart = otp::supervisor::restart::permanent;
  /// Default: 5000 ms for a worker, infinity for a supervisor.
  std::optional<shutdown_spec> shutdown;
  child_type type = child_type::worker;
  /// Its ending by itself (without a restart) may stop the supervisor: see sup_flags::auto_shutdown.
  bool significant = false;

  shutdown_spec shutdown_or_default() const {
    if (shutdown) return *shutdown;
    return shutdown_spec::after(type == child_type::worker ? timeout::ms(5000) : infinity);
  }
};

/// Erlang's sup_flags() map. The period may be finer than Erlang's whole seconds.
struct sup_flags {
  enum strategy strategy = otp::supervisor::strategy::one_for_one;
  int intensity = 1;
  std::chrono::milliseconds period = std::chrono::seconds(5);
  enum auto_shutdown auto_shutdown = otp::supervisor::auto_shutdown::never;
};

/// What Erlang's init/1 returns in {ok, {SupFlags, ChildSpecs}}.
struct sup_spec {
  sup_flags flags;
  std::vector<child_spec> children;
};

/// Runs in the new supervisor process; nullopt is Erlang's ignore (the start returns ignore).
using init_function = std::function<std::optional<sup_spec>()>;

// ---- starting ---------------------------------------------------------------------------------------

/// supervisor:start_link/2,3: linked to the caller; returns once every child has started.
/// {error, {shutdown, {failed_to_start_child, Id, Reason}}} if one fails; {error, {start_spec, R}}
/// or {error, {supervisor_data, R}} for a bad specification.
gen::start_result start_link(init_function init, gen::start_options options = {});
gen::start_result start_link(sup_spec spec, gen::start_options options = {});
/// The same, not linked to the caller.
gen::start_result start(init_function init, gen::start_options options = {});
gen::start_result start(sup_spec spec, gen::start_options options = {});

/// supervisor:check_childspecs/1,2: whether the specs would be accepted by a supervisor with
/// this auto_shutdown (unknown if not given: significant children are then not checked against
/// it). The error is Erlang's: missing_start, {duplicate_child_name, Id}, {bad_combination, ...}.
expected<std::monostate, term> check_childspecs(
    const std::vector<child_spec>& specs, std::optional<enum auto_shutdown> auto_shutdown = std::nullopt);

// ---- the client -------------------------------------------------------------------------------------

/// A child's pid, or nullopt (Erlang's undefined) when its start returned ignore.
using started = std::optional<pid>;
using done = std::monostate;

/// supervisor:start_child/2 with a child spec: adds and starts it (it is then the newest child:
/// listed first, stopped first). Errors: already_present (the id is known but not running),
/// {already_started, Pid}, the start's error reason, and simple_one_for_one. A temporary child
/// whose start returned ignore is not kept.
expected<started, term> start_child(const gen::server_ref& sup, child_spec spec);
/// start_child/2 of a simple_one_for_one supervisor: a child of its template, given `args`.
expected<started, term> start_child(const gen::server_ref& sup, term args);
/// supervisor:terminate_child/2 by id: stops the child and keeps its spec (a temporary child's
/// spec is dropped). Errors: not_found; simple_one_for_one (they are stopped by pid).
expected<done, term> terminate_child(const gen::server_ref& sup, term id);
/// terminate_child/2 of a simple_one_for_one supervisor's child, by its pid. Error: not_found.
expected<done, term> terminate_child(const gen::server_ref& sup, const pid& child);
/// supervisor:restart_child/2: starts a stopped child again from its spec. Errors: running,
/// restarting, not_found, simple_one_for_one, or the start's error reason.
expected<started, term> restart_child(const gen::server_ref& sup, term id);
/// supervisor:delete_child/2: forgets a stopped child's spec. Errors: running, restarting,
/// not_found, simple_one_for_one.
expected<done, term> delete_child(const gen::server_ref& sup, term id);

struct child_info {
  term id;     // undefined for a simple_one_for_one child
  term child;  // its pid, undefined (not running) or restarting
  child_type type;
};
/// supervisor:which_children/1: the newest child first (Erlang's order: reverse start order).
std::vector<child_info> which_children(const gen::server_ref& sup);

struct child_counts {
  std::size_t specs = 0;        // child specs (simple_one_for_one: its children)
  std::size_t active = 0;       // children running
  std::size_t supervisors = 0;  // specs of type supervisor
  std::size_t workers = 0;      // specs of type worker
};
/// supervisor:count_children/1.
child_counts count_children(const gen::server_ref& sup);

/// supervisor:get_childspec/2: the spec of child `id` (simple_one_for_one: of the child with that
/// pid, i.e. the template). Error: not_found.
expected<child_spec, term> get_childspec(const gen::server_ref& sup, term id);

}  // namespace otp::supervisor
