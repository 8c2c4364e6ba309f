#pragma once
// The supervisor process (supervisor.hpp): a gen_server whose callback object keeps the children.
// Not for callers.
//
// The children live in the callback object, not in the gen_server state, so that nothing is lost
// if a callback throws: terminate must still find every child to stop it. They are kept in start
// order; Erlang's reverse start order (which_children, stopping) is read backwards from it.

#include <chrono>
#include <deque>
#include <optional>
#include <unordered_map>
#include <vector>

#include <otp/behaviours/gen_server.hpp>
#include <otp/supervisor/supervisor.hpp>

namespace otp::supervisor::detail {

/// One child spec and what runs it: its pid, undefined (not running) or restarting (a restart
/// failed; a try_again_restart message to the supervisor will try it again).
struct child {
  child_spec spec;
  term pid;
};

/// The requests of the client functions (gen_server calls) and the supervisor's message to itself.
namespace tags {
atom start_child();
atom terminate_child();
atom restart_child();
atom delete_child();
atom which_children();
atom count_children();
atom get_childspec();
atom try_again_restart();
atom restarting();
}  // namespace tags

// ---- starting and stopping one child (child_control.cpp) -----------------------------------------

/// Runs a child's start function in the supervisor: the pid, nullopt for ignore, or the error
/// reason (an exception escaping the function gives its exit reason).
expected<started, term> start_child_process(const child_spec& spec, const term& args);

/// Stops a child by its shutdown spec (monitor, unlink, exit signal, wait, kill when the time is
/// out). Returns the reason it ended with when that was not an expected one (see supervisor.hpp),
/// for a shutdown_error report; nullopt when it ended as it should.
std::optional<term> shutdown_child(const pid& p, const child_spec& spec);

/// Stops many children of one spec at once (a simple_one_for_one supervisor's end): every one is
/// sent its exit signal first, then all are waited for within the one shutdown time. Returns
/// the unexpected reasons, with how many children ended with each.
std::vector<std::pair<term, std::size_t>> shutdown_children(const std::vector<pid>& pids,
                                                            const child_spec& spec);

/// normal, shutdown and {shutdown, _}: the ends after which a transient child is not restarted
/// and a child that is not permanent is not reported.
bool is_normal_end(const term& reason);

/// A supervisor report (Erlang's {supervisor, Context} reports): logged as an error.
void report(const term& supervisor_name, atom context, const term& reason, const term& offender);
/// Erlang's check_childspec, for one spec under a supervisor with this auto_shutdown (nullopt:
/// unknown, as check_childspecs/1 checks): nullopt, or its error.
std::optional<term> check_child(const child_spec& spec, std::optional<auto_shutdown> shutdown_flag);
/// Every spec, then the ids: nullopt, or the error (what {start_spec, Error} reports).
std::optional<term> check_children(const std::vector<child_spec>& specs,
                                   std::optional<auto_shutdown> shutdown_flag);

/// A progress report ({supervisor, progress}, logged at info): a child was started. OTP writes
/// them for children of every strategy but simple_one_for_one.
void report_progress(const term& supervisor_name, const pid& child, const child_spec& spec);
/// The offender of a report: [{pid, P}, {id, Id}, {restart_type, R}, {significant, B},
/// {shutdown, S}, {child_type, T}] (OTP's, without the {mfargs, MFA} a C++ start does not have).
term offender(const term& pid, const child_spec& spec);
/// Reports naming many children ({nb_children, N}).
term offender_of_many(std::size_t count, const child_spec& spec);

term to_term(enum restart r);
term to_term(child_type t);

// ---- the gen_server ---------------------------------------------------------------------------------

class supervisor_server : public gen_server::behaviour<supervisor_server, term> {
 public:
  init_result init(init_function make_spec);
  call_result handle_call(const term& request, const from& caller, term state);
  cast_result handle_cast(const term& message, term state);
  info_result handle_info(const term& message, term state);
  void terminate(const term& reason, const term& state);
  term format_status(const term& state);
  static atom module_name() { return atom("supervisor"); }

 private:
  using clock = std::chrono::steady_clock;

  bool simple() const { return flags_.strategy == strategy::simple_one_for_one; }
  /// Index of the child with this id / running as this pid, or nullopt.
  std::optional<std::size_t> find_id(const term& id) const;
  std::optional<std::size_t> find_pid(const pid& p) const;

  // requests
  term do_start_child(const term& request);
  term do_start_dynamic_child(const term& args);
  term do_terminate_child(const term& id_or_pid);
  term do_restart_child(const term& id);
  term do_delete_child(const term& id);
  term do_which_children() const;
  term do_count_children() const;
  /// {ok, #{id, start, restart, ...}}; `start` holds the start function for a caller on this node.
  term do_get_childspec(const term& id_or_pid, bool with_start) const;

  /// Starts a child of a supervisor that is not simple_one_for_one, with its progress report.
  expected<started, term> start_static(const child_spec& spec);

  // exits and restarts; each returns false when the supervisor must stop: the restart intensity
  // is exceeded, or a significant child's end calls for its auto_shutdown
  bool on_exit(const pid& p, const term& reason);
  bool on_dynamic_exit(const pid& p, const term& reason);
  bool add_restart();
  /// A significant child has ended for good (it is no longer in children_ / dynamic_ as
  /// running): whether sup_flags::auto_shutdown now stops the supervisor.
  bool auto_shutdown_due() const;
  /// A child ended for good (not restarted): whether that stops the supervisor (auto_shutdown).
  bool ends_supervisor(bool significant) const { return significant && auto_shutdown_due(); }
  /// Counts a restart; when that exceeds the intensity, reports reached_max_restart_intensity
  /// with `offender_info` and returns false (the supervisor must stop).
  bool may_restart(const term& offender_info);
  void restart(std::size_t index);
  void restart_dynamic(const term& key, const term& args);
  /// Takes the entry of dynamic_restarting_ with this key: its start arguments, or nullopt.
  std::optional<term> take_dynamic_restarting(const term& key);
  /// Stops the children at [first, end) newest first; temporary ones are dropped (erased from
  /// children_), the others left with pid undefined. Returns the new index of `keep`, which must
  /// be at or after `first` and is never erased.
  std::size_t stop_from(std::size_t first, std::size_t keep);
  /// Stops the child at `index` (if running) and sets its pid to undefined.
  void stop_one(std::size_t index);
  void stop_all();

  term name_;  // in reports: {local, Name} or {Pid, supervisor}
  sup_flags flags_;
  std::vector<child> children_;             // start order
  std::deque<clock::time_point> restarts_;  // newest last, within the period
  // simple_one_for_one: the template, the running children's start arguments by pid, and those
  // whose restart failed, by the key their retry message carries ({restarting, OldPid}).
  std::optional<child_spec> template_;
  std::unordered_map<pid, term> dynamic_;
  std::vector<std::pair<term, term>> dynamic_restarting_;
};

}  // namespace otp::supervisor::detail
