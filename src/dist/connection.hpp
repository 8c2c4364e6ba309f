#pragma once
// One distribution connection to another node: its socket, a writer thread that sends what the
// local processes queue (in order, batched into large writes, with ticks when idle), a reader
// thread that decodes frames and delivers their signals, and the links and monitors that run
// over it, which all fire `noconnection` when it goes down.
//
// A connection starts pending: frames queue while the writer thread looks the peer up in epmd
// and shakes hands (Erlang's implicit connect on first use). It goes down once, for good; the
// next signal for that node makes a new connection.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include <otp/dist/distributed_node.hpp>
#include <otp/logger.hpp>
#include <otp/runtime/node.hpp>
#include <otp/term/etf.hpp>

#include "dist/atom_cache.hpp"
#include "dist/handshake.hpp"
#include "dist/socket.hpp"

namespace otp::dist::detail {

struct pid_pair {
  pid local;
  pid remote;
  friend bool operator==(const pid_pair&, const pid_pair&) = default;
};
struct pid_pair_hash {
  std::size_t operator()(const pid_pair& p) const noexcept {
    return std::hash<pid>()(p.local) * 31 + std::hash<pid>()(p.remote);
  }
};

/// A monitor a local process holds on a remote process (or name: then `target` is only the
/// node, and the watcher's own record names {Name, Node} in the DOWN).
struct outgoing_monitor {
  pid watcher;
  pid target;
};
/// A monitor a remote process holds on a local one; `name` is the registered name it was set by
/// (the DOWN then names it), or empty.
struct incoming_monitor {
  pid watcher;
  pid target;
  std::optional<atom> name;
};

class connection {
 public:
  enum class phase : uint8_t { pending, up, down };
  /// Why a connection went down, as monitor_nodes' nodedown_reason names it.
  enum class down_cause : uint8_t { connection_closed, disconnect, net_tick_timeout, net_kernel_terminated };

  /// What a connection needs of its distribution.
  struct context {
    otp::node& local;
    dist_options options;
    /// Called once, when the connection has gone down (from one of its own threads, or from
    /// take_down's caller).
    std::function<void(connection&)> on_down;
    /// Called on the reader thread when the connection has come up, before any frame from the
    /// peer is delivered; and once more when it has gone down and its last frame has been
    /// delivered (monitor_nodes' nodeup and nodedown). Never for one that did not come up.
    std::function<void(connection&, bool up, down_cause why)> on_node_event;
    /// A SPAWN_REQUEST from the peer (on the reader thread): see connection::spawn_request.
    std::function<void(connection&, const ref& request, const pid& requester, const term& mfa,
                       const term& options, const term& args)>
        on_spawn_request;
  };

  connection(atom peer, context& ctx);
  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  atom peer() const noexcept { return peer_; }
  phase current_phase() const noexcept { return phase_.load(std::memory_order_acquire); }
  uint32_t peer_creation() const noexcept { return peer_creation_.load(std::memory_order_relaxed); }

  /// Starts a connection whose handshake the caller has done (an accepted one).
  void start_accepted(socket_fd socket, const handshake_peer& peer);
  /// Starts a pending connection: `establish` (run on the writer thread) connects and shakes hands.
  void start_connecting(std::function<std::pair<socket_fd, handshake_peer>()> establish);
  /// Waits until the connection is up and its nodeup sent (true) or down (false), at most until
  /// `deadline`.
  bool wait_settled(clock::time_point deadline);
  /// A simultaneous connect: the peer's own connection, accepted while this one was pending,
  /// becomes this connection (false if this one is up or down already; the socket is closed).
  bool adopt(socket_fd socket, const handshake_peer& peer);
  /// Tells a pending connection whether an accepted one is being shaken hands with to replace
  /// its own attempt (which the peer will refuse): until that ends, a failed attempt waits.
  void expect_adoption(bool expected);
  /// Whether both threads have ended (join() will not block).
  bool finished() const noexcept { return running_threads_.load(std::memory_order_acquire) == 0; }

  /// Queues a frame: the control tuple, then the payload if any. False once down. Throws
  /// etf::encode_error for a term with no external form (nothing is queued then).
  bool send(const term& control, const term* payload = nullptr);

  /// More than options.busy_limit bytes queued for the socket (erl's busy distribution port).
  bool busy() const noexcept {
    return queued_bytes_.load(std::memory_order_relaxed) > ctx_.options.busy_limit;
  }

  /// Takes the connection down (once): closes the socket, fires noconnection for every link and
  /// monitor over it, and tells the distribution. `why` is logged at `level`: a peer closing or an
  /// implicit connect failing is routine (Erlang is silent about both), a protocol violation is not.
  void take_down(const std::string& why, log_level level = log_level::debug,
                 down_cause cause = down_cause::connection_closed);
  /// Joins the threads; only from a thread that is neither of them, after take_down.
  void join();

  // ---- links and monitors over this connection (each false once the connection is down) --------
  bool add_link(const pid& local, const pid& remote);
  void remove_link(const pid& local, const pid& remote);
  bool add_outgoing_monitor(const ref& r, outgoing_monitor m);
  void remove_outgoing_monitor(const ref& r);
  bool add_incoming_monitor(const ref& r, incoming_monitor m);
  std::optional<incoming_monitor> take_incoming_monitor(const ref& r);
  uint64_t next_unlink_id() noexcept { return unlink_ids_.fetch_add(1, std::memory_order_relaxed); }

  /// SPAWN_REQUEST: `requester` asks for a process running `mfa` ({M, F, Arity}) on `args`,
  /// with `options` (link, monitor); answered with SPAWN_REPLY by the distribution.
  void spawn_request(const ref& request, const pid& requester, const term& mfa, const term& options,
                     const term& args) {
    if (ctx_.on_spawn_request) ctx_.on_spawn_request(*this, request, requester, mfa, options, args);
  }

  // ---- monitor_node watchers: each gets {nodedown, Peer} once per monitor when this connection
  // goes down (or never comes up) ----------------------------------------------------------------
  bool add_node_watcher(const pid& watcher);
  /// Ends one of `watcher`'s monitors.
  void remove_node_watcher(const pid& watcher);
  /// Ends all of them (the watcher has exited).
  void forget_node_watcher(const pid& watcher);

 private:
  void writer_main(std::function<std::pair<socket_fd, handshake_peer>()> establish);
  void reader_main();
  bool go_up(socket_fd socket, const handshake_peer& peer);
  void handle_frame(std::string_view frame);
  /// Holds a frame for a connection still pending (its form depends on the handshake's flags);
  /// false if it is not pending any more.
  bool hold_while_pending(const term& control, const term* payload);
  /// Moves the frames held while pending to out_, in the form the handshake chose (out_mutex_).
  void encode_held_frames();
  /// Appends [Len:32] and what comes before the terms of a frame whose terms take `body_size`
  /// bytes: 'p', or the distribution header for `refs`. Under out_mutex_, in wire order.
  void append_frame_head(std::string& out, std::size_t body_size, const etf::atom_cache_refs& refs);
  void fire_noconnection();
  /// The nodedown messages go once the connection is down and its reader has delivered its
  /// last frame: whichever of the two comes last sends them.
  void pass_nodedown_gate();

  const atom peer_;
  context& ctx_;
  std::atomic<phase> phase_{phase::pending};
  std::atomic<uint32_t> peer_creation_{0};
  std::atomic<uint64_t> unlink_ids_{1};
  std::atomic<int> running_threads_{0};
  // take_down, and the reader once it has started: see pass_nodedown_gate.
  std::atomic<int> nodedown_gate_{1};
  std::atomic<bool> came_up_{false};
  std::atomic<down_cause> down_cause_{down_cause::connection_closed};
  // The reader's only: what the peer's frames may add to the atom table, and the decode limits
  // that charge it.
  etf::atom_allowance atom_allowance_;
  etf::decode_limits frame_limits_;
  input_atom_cache in_atom_cache_;
  bool adopting_ = false;     // guarded by out_mutex_
  bool nodeup_sent_ = false;  // guarded by out_mutex_: the reader has told the subscribers
  socket_fd socket_;

  std::mutex out_mutex_;
  std::condition_variable out_cv_;  // the writer waits on it; also signals settling (up/down)
  std::string out_;                 // frames queued for the writer
  // Set before the connection is up, read after: whether frames carry a distribution header with
  // atom cache refs (both nodes set DFLAG_DIST_HDR_ATOM_CACHE) or are pass-through ('p').
  bool atom_cache_ = false;
  output_atom_cache out_atom_cache_;  // guarded by out_mutex_
  // Frames sent while pending, encoded once the handshake has said in which form (out_mutex_).
  std::vector<std::pair<term, std::optional<term>>> pending_frames_;
  std::size_t held_bytes_ = 0;                // what queued_bytes_ counts for them (out_mutex_)
  std::atomic<std::size_t> queued_bytes_{0};  // out_.size() plus what the writer is writing
  bool socket_owned_ = false;  // a sender or the writer is writing to the socket (guarded by out_mutex_)
  std::atomic<uint64_t> frames_written_{0};  // writes so far, for the writer's tick
  std::atomic<int64_t> last_send_{0};        // steady_clock ticks of the latest send
  std::thread writer_;
  std::thread reader_;

  std::mutex relations_mutex_;
  std::unordered_set<pid_pair, pid_pair_hash> links_;
  std::unordered_map<ref, outgoing_monitor> outgoing_monitors_;
  std::unordered_map<ref, incoming_monitor> incoming_monitors_;
  std::unordered_map<pid, uint32_t> node_watchers_;  // monitors each watcher holds
};

}  // namespace otp::dist::detail
