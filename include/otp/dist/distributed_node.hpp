#pragma once
// otp::dist::distributed_node — a node that is a member of an Erlang cluster.
//
// It listens for distribution connections, registers its name with epmd (the real one from
// erlang-base; `epmd -daemon` is started when none answers, as erl does), and starts an
// otp::node whose pids carry the creation epmd handed out. Signals for other nodes travel over
// the distribution protocol (handshake version 6, MD5 cookie challenge, pass-through framing):
// sends to pids, registered names ({Name, Node}) and aliases, links, unlinks, exit signals and
// monitors (by pid or name), so gen_server calls work in both directions with Erlang and Elixir
// nodes. A connection is set up on first use, as Erlang's implicit connect does; when it goes
// down, every link over it fires with reason `noconnection` and every monitor with a DOWN
// `noconnection`. A `net_kernel` process answers net_adm:ping. otp::monitor_node and
// otp::monitor_nodes (<otp/runtime/node_monitor.hpp>) report connections coming and going.
//
// The node is hidden (it shows in the peer's nodes(hidden), not nodes()), as C nodes are: a
// visible node must also speak the `global` protocol. Other nodes run C++ functions here with
// rpc:call, erpc:call/cast and spawn_request once they are exported (export_function).
//
// Thread safety: every member may be called from any thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <otp/runtime/node.hpp>

namespace otp::dist {

/// A node that could not join the cluster: epmd unreachable or the name taken, a listen failure.
class dist_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct dist_options {
  /// The secret both ends of a connection must share (erl's -setcookie).
  std::string cookie;
  /// Port to listen on for connections from other nodes; 0 lets the kernel pick one.
  uint16_t listen_port = 0;
  /// Address to listen on; erl listens on every interface.
  std::string listen_address = "0.0.0.0";
  /// epmd's port; 0 means $ERL_EPMD_PORT, or else 4369, as erl reads it.
  uint16_t epmd_port = 0;
  /// erl's net_ticktime: a connection silent this long is taken down; a tick is sent when
  /// nothing was written for a quarter of it.
  std::chrono::milliseconds net_ticktime = std::chrono::seconds(60);
  /// erl's net_setuptime: the bound on connecting and on either side of the handshake.
  std::chrono::milliseconds net_setuptime = std::chrono::seconds(7);
  /// erl's dist_buf_busy_limit: a process sending a message over a connection with more than
  /// this queued for the socket is suspended until the queue drains below it, so a fast sender
  /// cannot pile up unbounded memory in front of a slow link (sends from outside any process,
  /// and exit, link and monitor signals, are never held up).
  std::size_t busy_limit = std::size_t(1) << 20;
  /// A frame longer than this from a peer closes its connection (erts has no cap; a hostile
  /// peer must not make us allocate what it claims).
  std::size_t max_frame_size = std::size_t(256) << 20;
  /// New atoms one connection may add to the atom table, which never shrinks; a frame with one
  /// more closes the connection. (A peer that keeps sending new atoms, or pids of ever new
  /// nodes, would fill the table for good: erts then crashes the node.)
  std::size_t max_new_atoms_per_connection = 100'000;
  /// Atom table entries no peer's atoms may take, for the node's own: by default an eighth of
  /// otp::atom_table_limit().
  std::optional<std::size_t> atom_table_reserve;
  /// Offer the distribution header's atom cache (DFLAG_DIST_HDR_ATOM_CACHE), as erl does: over a
  /// connection to a node that offers it too, each atom crosses in full once and then as a
  /// one-byte reference, which spares the peer an atom table lookup per atom. Off, frames are
  /// pass-through ('p'), every atom spelled out, as ei sends them.
  bool atom_cache = true;
};

class distributed_node {
 public:
  /// `node.name` must be a full node name, Name@Host. Throws dist_error.
  distributed_node(node_options node, dist_options dist);
  ~distributed_node();
  distributed_node(const distributed_node&) = delete;
  distributed_node& operator=(const distributed_node&) = delete;

  /// The running node: spawn processes, send, run, as with any otp::node.
  otp::node& local() noexcept;
  atom name() const noexcept;
  /// The port this node accepts connections on (what epmd tells other nodes).
  uint16_t port() const noexcept;

  /// net_kernel:connect_node/1: sets up a connection to `other` (blocking, bounded by
  /// net_setuptime); true if one is up afterwards.
  bool connect(atom other);
  /// Takes the connection to `other` down (erlang:disconnect_node/1); false if there was none.
  bool disconnect(atom other);
  /// The nodes connected right now (erlang:nodes(connected)).
  std::vector<atom> connected_nodes() const;

  /// A C++ function other nodes call as Module:Function(Args...): it gets the arguments and
  /// returns the result.
  using remote_function = std::function<term(const std::vector<term>& args)>;
  /// Exports `fn` as module:function/arity (replacing an earlier one): rpc:call(Node, M, F, A),
  /// erpc:call, erpc:cast and spawn_request(Node, M, F, A) run it in a new process of this node,
  /// so it may call, receive and link like any process. For erpc:call and rpc:call its result is
  /// the call's; erlang_error(R) is erlang:error(R) there (rpc: {badrpc, {'EXIT', {R, Stack}}}),
  /// otp::exit(R) is exit(R), any other exception an error {exception, Type, What}. A function
  /// nobody exported fails with undef, as a missing module does in Erlang.
  void export_function(atom module, atom function, std::size_t arity, remote_function fn);

  /// Disconnects from every node, unregisters from epmd and stops the local node. Idempotent.
  void stop();

  struct state;

 private:
  std::shared_ptr<state> state_;
};

}  // namespace otp::dist
