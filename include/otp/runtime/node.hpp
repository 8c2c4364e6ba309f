#pragma once
// otp::node — one running OTP++ runtime: its schedulers, processes, names and timers.
//
// Construct a node to start the runtime; destroy it (or call stop()) to shut down: every process
// is killed, every scheduler thread joined, and everything is freed. The node's members may be
// called from any thread, including threads that are not processes (main(), tests); the free
// functions in process.hpp act on the node of the calling process.
//
// Several nodes may run in one program (tests do), each with its own processes; the first node
// started sets the name used to print local pids.

#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include <otp/runtime/errors.hpp>
#include <otp/runtime/process.hpp>
#include <otp/runtime/remote_route.hpp>
#include <otp/term/term.hpp>

namespace otp {

namespace detail {
struct node_state;
}

struct node_options {
  /// Scheduler threads; 0 means one per core.
  unsigned schedulers = 0;
  /// Most processes alive at once (Erlang's +P); rounded up to a power of two, at most 2^27.
  std::size_t max_processes = std::size_t(1) << 20;
  /// Virtual size of each fiber stack (only touched pages use memory); a guard page sits below it.
  std::size_t stack_size = 256 * 1024;
  /// Threads that run otp::blocking work off the schedulers (Erlang's dirty schedulers).
  unsigned blocking_threads = 2;
  std::string name = "nonode@nohost";
  /// Incarnation number put in pids and refs; 0 picks one from the clock.
  uint32_t creation = 0;
  /// Messages a process may hold taken in but not received (its message_queue_len) before it
  /// ends with reason {max_message_queue_len, Limit}; 0: no limit, as in Erlang. A bound against
  /// floods (a peer node or a runaway sender filling one mailbox until the OS kills the whole
  /// node): the flooded process goes, with its memory, as a process over Erlang's max_heap_size
  /// does, and links, monitors and supervisors see why. Senders never fail or wait for it. The
  /// queue is counted when the process takes in what has arrived (at every receive).
  std::size_t max_message_queue_len = 0;
};

/// Thrown by node::run when the process ended without producing a result.
class process_exited : public std::runtime_error {
 public:
  explicit process_exited(term reason)
      : std::runtime_error("process exited: " + to_string(reason)), reason_(std::move(reason)) {}
  const term& reason() const noexcept { return reason_; }

 private:
  term reason_;
};

class node {
 public:
  explicit node(node_options options = {});
  ~node();
  node(const node&) = delete;
  node& operator=(const node&) = delete;

  /// Kills every process, waits for them to end, joins all threads. Idempotent.
  void stop();

  atom name() const noexcept;
  uint32_t creation() const noexcept;
  unsigned scheduler_count() const noexcept;
  /// Processes alive right now.
  std::size_t process_count() const noexcept;

  // ---- acting from any thread --------------------------------------------------------------------
  pid spawn(process_body body, const spawn_options& options = {});
  spawn_result spawn_reactor(std::unique_ptr<reactor> body, const spawn_options& options = {});
  /// Sends from outside any process (the receiver sees no sender).
  void send(const pid& to, term message);
  /// exit/2 from outside any process.
  void exit(const pid& target, term reason);
  std::optional<pid> whereis(atom name) const;

  /// Runs `body` in a new process and waits for it: returns what it returns, rethrows what it
  /// throws, and throws process_exited if the process ended (killed, exit/1) before returning.
  template <class F>
  auto run(F&& body) -> std::invoke_result_t<F&>;
  /// Waits until the process `p` has exited and returns its exit reason (bounded by `limit`;
  /// nullopt on timeout). It monitors `p`, so a process already gone gives `noproc`.
  std::optional<term> await_exit(const pid& p, std::chrono::milliseconds limit = std::chrono::minutes(1));

  // ---- distribution hooks --------------------------------------------------------------------------
  void set_remote_route(std::shared_ptr<remote_route> route);
  /// Signals arriving from another node for local processes.
  void deliver_send(const pid& from, const pid& to, term message);
  bool deliver_send_named(const pid& from, atom name, term message);
  /// A message to a local process alias (ALIAS_SEND); dropped if the alias is not active.
  void deliver_alias_send(const pid& from, const ref& alias, term message);
  void deliver_link(const pid& from, const pid& to);
  void deliver_unlink(const pid& from, const pid& to);
  void deliver_exit(const pid& from, const pid& to, term reason, bool from_link);
  void deliver_monitor(const pid& from, const pid& to, const ref& monitor_ref);
  void deliver_demonitor(const pid& from, const pid& to, const ref& monitor_ref);
  void deliver_down(const pid& from, const pid& to, const ref& monitor_ref, term reason);

  detail::node_state& state() noexcept { return *state_; }

 private:
  /// Spawns `body` and blocks the calling thread until that process has exited; returns the reason.
  term run_and_wait(process_body body);
  std::unique_ptr<detail::node_state> state_;
};

template <class F>
auto node::run(F&& body) -> std::invoke_result_t<F&> {
  using R = std::invoke_result_t<F&>;
  std::exception_ptr error;
  std::conditional_t<std::is_void_v<R>, bool, std::optional<R>> result{};
  term reason = run_and_wait([&] {
    try {
      if constexpr (std::is_void_v<R>) {
        body();
        result = true;
      } else {
        result.emplace(body());
      }
    } catch (const exit_exception&) {
      throw;  // the process must still end with its reason
    } catch (...) {
      error = std::current_exception();
    }
  });
  if (error) std::rethrow_exception(error);
  if constexpr (std::is_void_v<R>) {
    if (!result) throw process_exited(reason);
  } else {
    if (!result) throw process_exited(reason);
    return std::move(*result);
  }
}

/// Runs `work` on a blocking-work thread while the calling process waits (in a process; other
/// processes keep running on the schedulers). Returns its result or rethrows its exception.
void run_blocking(std::function<void()> work);
template <class F>
auto blocking(F&& work) -> std::invoke_result_t<F&> {
  using R = std::invoke_result_t<F&>;
  if constexpr (std::is_void_v<R>) {
    run_blocking(std::forward<F>(work));
  } else {
    std::optional<R> result;
    run_blocking([&] { result.emplace(work()); });
    return std::move(*result);
  }
}

}  // namespace otp
