// A peer that misbehaves after a correct handshake (or during it) is cut off: the connection
// goes down, the links and monitors over it fire noconnection, and the node carries on.
// The peer here is this test itself, speaking the protocol through the library's own
// handshake and socket functions.

#include <gtest/gtest.h>
#include <unistd.h>

#include <otp/otp.hpp>

#include "dist/atom_cache.hpp"
#include "dist/dist_support.hpp"
#include "dist/fake_peer.hpp"
#include "dist/flags.hpp"
#include "dist/handshake.hpp"
#include "dist/socket.hpp"
#include "support/runtime_support.hpp"

using namespace otp;
using namespace otp::literals;
using namespace otp::test;
using namespace otp::dist::detail;
using dist::distributed_node;

namespace {

class HostilePeer : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test_epmd().available()) GTEST_SKIP() << "no epmd (apt-get install erlang-base)";
    dist::dist_options o = test_dist_options();
    o.net_ticktime = std::chrono::milliseconds(800);
    o.net_setuptime = std::chrono::milliseconds(800);
    o.max_frame_size = 1 << 20;
    node_ = std::make_unique<distributed_node>(node_options{.schedulers = 2, .name = "target@127.0.0.1"}, o);
  }

  /// Connects as fake@127.0.0.1 and completes the handshake.
  socket_fd connect_as_fake() {
    return connect_as_peer(node_->port(), "fake@127.0.0.1", 7, "target@127.0.0.1");
  }

  /// A local process linked to, and monitoring, a process of the fake node; returns what it got
  /// once the connection went down: {ExitReason, DownReason}.
  term watch_fake_process_while(const std::function<void()>& misbehave) {
    return node_->local().run([&] {
      trap_exit(true);
      const pid remote{"fake@127.0.0.1"_a, 1, 0, 7};
      link(remote);
      ref r = monitor(remote);
      misbehave();
      term e = next_exit_from(remote);
      term d = next_down(r);
      return tuple(e[2], d[4]);
    });
  }

  /// Whether the node closed the connection (reads reach the end of the stream).
  static bool closed_by_node(const socket_fd& s) {
    char buffer[4096];
    try {
      for (;;) read_exact(s, buffer, 1, clock::now() + std::chrono::seconds(10));
    } catch (const dist::dist_error& e) {
      return std::string_view(e.what()).find("closed") != std::string_view::npos;
    }
  }

  /// Writes one frame, [Len:32] then `frame`.
  static void write_packet(const socket_fd& s, const std::string& frame) {
    std::string packet;
    store_u32(packet, uint32_t(frame.size()));
    write_all(s, packet + frame, clock::now() + std::chrono::seconds(5));
  }

  /// Writes one pass-through frame: the encoded control message, then the message if any.
  static void write_frame(const socket_fd& s, const std::string& control_and_message) {
    write_packet(s, 'p' + control_and_message);
  }

  /// Connects as fake@127.0.0.1 offering the distribution header's atom cache, as erl does.
  socket_fd connect_as_header_peer() {
    return connect_as_peer(node_->port(), "fake@127.0.0.1", 7, "target@127.0.0.1", flags::offered);
  }

  /// Writes a frame with a distribution header made by `cache`: the control message and message
  /// follow without version bytes, their atoms ATOM_CACHE_REFs.
  static void write_header_frame(const socket_fd& s, output_atom_cache& cache, const term& control,
                                 const term& message) {
    etf::atom_cache_refs refs;
    std::string terms;
    etf::encode_body_to(terms, control, refs);
    etf::encode_body_to(terms, message, refs);
    std::string frame;
    cache.append_header(frame, refs.atoms());
    frame += terms;
    write_packet(s, frame);
  }

  /// The next frame the node sends on `s`, ticks skipped.
  static std::string read_frame(const socket_fd& s) {
    const auto deadline = clock::now() + std::chrono::seconds(10);
    for (;;) {
      char length[4];
      read_exact(s, length, 4, deadline);
      const uint32_t n = load_u32(length);
      if (n == 0) continue;  // a tick
      std::string frame(n, '\0');
      read_exact(s, frame.data(), n, deadline);
      return frame;
    }
  }

  /// The next frame the node sends on `s`, which must have a distribution header: its raw bytes
  /// and its control message and message, read through the peer's `cache`.
  static std::tuple<std::string, term, term> read_header_frame(const socket_fd& s, input_atom_cache& cache) {
    std::string frame = read_frame(s);
    if (frame.size() < 2 || uint8_t(frame[0]) != 131 || frame[1] != 'D') {
      throw std::runtime_error("a frame without distribution header");
    }
    std::string_view rest = std::string_view(frame).substr(2);
    const etf::decode_limits limits{.atom_cache = cache.read_header(rest, {})};
    auto control = etf::decode_body_prefix(rest, limits);
    if (!control) throw std::runtime_error("undecodable control message: " + control.error().message);
    auto message = etf::decode_body(rest.substr(control->consumed), limits);
    if (!message) throw std::runtime_error("undecodable message: " + message.error().message);
    return {frame, control->value, *message};
  }

  /// Sends REG_SEND frames to a name nobody holds, each message a new atom (made here only as
  /// bytes: ATOM_UTF8_EXT by hand, so that this process does not intern them itself), until the
  /// node closes the connection or `limit` went out; how many went out.
  static int flood_new_atoms(const socket_fd& s, const std::string& prefix, int limit) {
    const term control = tuple(6, pid{"fake@127.0.0.1"_a, 1, 0, 7}, atom(), "nobody_here"_a);
    int sent = 0;
    try {
      for (; sent < limit; ++sent) {
        const std::string name = prefix + std::to_string(sent);
        std::string message = "\x83v";  // version, ATOM_UTF8_EXT
        store_u16(message, uint16_t(name.size()));
        message += name;
        write_frame(s, etf::encode(control) + message);
      }
    } catch (const dist::dist_error&) {
      // The node closed the connection while we were still writing.
    }
    return sent;
  }

  /// The control message of the next pass-through frame the node sends on `s`.
  static term read_control(const socket_fd& s) {
    const std::string frame = read_frame(s);
    auto control = etf::decode_prefix(std::string_view(frame).substr(1));
    if (!control) throw std::runtime_error("undecodable control message from the node");
    return control->value;
  }

  std::unique_ptr<distributed_node> node_;
};

/// A prefix no atom of this process starts with yet (atoms outlive the tests that made them).
std::string fresh_atom_prefix(const char* what) {
  static int round = 0;
  return std::string(what) + "_" + std::to_string(::getpid()) + "_" + std::to_string(++round) + "_";
}

}  // namespace

TEST_F(HostilePeer, CorruptFrameClosesTheConnection) {
  socket_fd s = connect_as_fake();
  const term got = watch_fake_process_while([&] {
    // A pass-through frame whose control message is no external term.
    write_all(s, std::string("\0\0\0\x05p\xff\xff\xff\xff", 9), clock::now() + std::chrono::seconds(5));
  });
  EXPECT_EQ(got, tuple(atoms::noconnection, atoms::noconnection));
  EXPECT_TRUE(closed_by_node(s));
  EXPECT_TRUE(node_->connected_nodes().empty());
  EXPECT_EQ(node_->local().run([] { return 1; }), 1);
}

TEST_F(HostilePeer, FrameOverTheSizeLimitClosesTheConnection) {
  socket_fd s = connect_as_fake();
  const term got = watch_fake_process_while([&] {
    // Claims 2 GiB; nothing of it follows. The node must not wait for (or allocate) it.
    write_all(s, std::string("\x7f\xff\xff\xff", 4), clock::now() + std::chrono::seconds(5));
  });
  EXPECT_EQ(got, tuple(atoms::noconnection, atoms::noconnection));
  EXPECT_TRUE(closed_by_node(s));
}

TEST_F(HostilePeer, ControlMessageOfTheWrongShapeClosesTheConnection) {
  socket_fd s = connect_as_fake();
  const term got = watch_fake_process_while([&] {
    // {6, From, '', Name} with a number where the name goes: well-formed ETF, wrong control.
    write_frame(s,
                etf::encode(tuple(6, pid{"fake@127.0.0.1"_a, 1, 0, 7}, atom(), 42)) + etf::encode("hello"_a));
  });
  EXPECT_EQ(got, tuple(atoms::noconnection, atoms::noconnection));
  EXPECT_TRUE(closed_by_node(s));
}

TEST_F(HostilePeer, SilentPeerIsDroppedAfterNetTicktime) {
  socket_fd s = connect_as_fake();
  // Nothing more from the fake node, not even ticks: after net_ticktime (800 ms here) the node
  // gives up on it.
  const term got = watch_fake_process_while([] {});
  EXPECT_EQ(got, tuple(atoms::noconnection, atoms::noconnection));
  EXPECT_TRUE(closed_by_node(s));
}

TEST_F(HostilePeer, StalledHandshakeIsDroppedAndOthersGetThrough) {
  // A peer that connects and then says nothing: closed after net_setuptime, and meanwhile a
  // proper peer connects and is served.
  socket_fd stalled = connect_tcp("127.0.0.1", node_->port(), clock::now() + std::chrono::seconds(5));
  socket_fd good = connect_as_fake();
  // The node records the connection just after its last handshake message: wait for that.
  for (int i = 0; i < 500 && node_->connected_nodes().empty(); ++i) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(node_->connected_nodes(), std::vector<atom>{"fake@127.0.0.1"_a});
  EXPECT_TRUE(closed_by_node(stalled));
}

TEST_F(HostilePeer, GarbageHandshakeIsRefused) {
  socket_fd s = connect_tcp("127.0.0.1", node_->port(), clock::now() + std::chrono::seconds(5));
  // A send_name whose name length runs past the message.
  std::string bad = "N";
  store_u64(bad, flags::offered);
  store_u32(bad, 7);
  store_u16(bad, 500);
  bad += "short";
  write_packet16(s, bad, clock::now() + std::chrono::seconds(5));
  EXPECT_TRUE(closed_by_node(s));
  EXPECT_TRUE(node_->connected_nodes().empty());
}

TEST_F(HostilePeer, PeerWithoutMandatoryFlagsIsNotAllowed) {
  socket_fd s = connect_tcp("127.0.0.1", node_->port(), clock::now() + std::chrono::seconds(5));
  // Without BIG_CREATION (and without MANDATORY_25_DIGEST, which stands for it too).
  const handshake_self old{"old@127.0.0.1", 7,
                           flags::offered & ~(flags::big_creation | flags::mandatory_25_digest),
                           "otp_test_cookie"};
  try {
    handshake_as_initiator(s, old, "target@127.0.0.1", clock::now() + std::chrono::seconds(5));
    ADD_FAILURE() << "the handshake went through";
  } catch (const dist::dist_error& e) {
    EXPECT_NE(std::string_view(e.what()).find("not_allowed"), std::string_view::npos) << e.what();
  }
  EXPECT_TRUE(node_->connected_nodes().empty());
}

// DISTRIBUTION.md scenario 15: a peer sending ever new atoms. The atom table never shrinks (erts
// crashes when it is full); a connection may add max_new_atoms_per_connection, and the frame
// with one more closes it. The node carries on, and the atoms it makes itself still work.
TEST_F(HostilePeer, AtomFloodClosesTheConnectionAtItsAllowance) {
  node_.reset();
  dist::dist_options o = test_dist_options();
  o.max_new_atoms_per_connection = 200;
  node_ = std::make_unique<distributed_node>(node_options{.schedulers = 2, .name = "target@127.0.0.1"}, o);
  socket_fd s = connect_as_fake();
  const std::string prefix = fresh_atom_prefix("flood");
  const std::size_t atoms_before = atom_count();
  const term got = watch_fake_process_while([&] { flood_new_atoms(s, prefix, 100'000); });
  EXPECT_EQ(got, tuple(atoms::noconnection, atoms::noconnection));
  EXPECT_TRUE(closed_by_node(s));
  // The allowance, and nothing past it (this process made none of those atoms itself).
  EXPECT_TRUE(atom::existing(prefix + "199").has_value());
  EXPECT_FALSE(atom::existing(prefix + "200").has_value());
  EXPECT_LE(atom_count() - atoms_before, 200u + 8u);  // + a few the node made meanwhile
  // The node works, makes atoms of its own, and takes the peer back with a new allowance.
  EXPECT_EQ(node_->local().run([&] { return atom(prefix + "local").name().size(); }), prefix.size() + 5);
  socket_fd again = connect_as_fake();
  for (int i = 0; i < 500 && node_->connected_nodes().empty(); ++i) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(node_->connected_nodes(), std::vector<atom>{"fake@127.0.0.1"_a});
}

// However many connections a flood spreads over, peers never take the atom table's reserve.
TEST_F(HostilePeer, PeersNeverTakeTheAtomTableReserve) {
  node_.reset();
  dist::dist_options o = test_dist_options();
  // Room for 50 more atoms from peers, then the reserve.
  o.atom_table_reserve = atom_table_limit() - atom_count() - 50;
  node_ = std::make_unique<distributed_node>(node_options{.schedulers = 2, .name = "target@127.0.0.1"}, o);
  const std::size_t ceiling = atom_table_limit() - *o.atom_table_reserve;
  const std::string prefix = fresh_atom_prefix("reserve");
  for (int connection = 0; connection < 3; ++connection) {
    socket_fd s = connect_as_fake();
    flood_new_atoms(s, prefix + std::to_string(connection) + "_", 1000);
    EXPECT_TRUE(closed_by_node(s));
    // The node learns of the close on its own time: wait for it before connecting again.
    for (int i = 0; i < 1000 && !node_->connected_nodes().empty(); ++i) std::this_thread::sleep_for(1ms);
  }
  EXPECT_LE(atom_count(), ceiling + 8);  // + a few the node made meanwhile
  EXPECT_EQ(node_->local().run([&] { return atom(prefix + "local") == atom(prefix + "local"); }), true);
}

// A node name in a handshake that has not passed the cookie challenge is not made an atom.
TEST_F(HostilePeer, HandshakeNamesBecomeAtomsOnlyOnceAuthenticated) {
  const std::string stranger = fresh_atom_prefix("stranger") + "@127.0.0.1";
  socket_fd s = connect_tcp("127.0.0.1", node_->port(), clock::now() + std::chrono::seconds(5));
  const handshake_self self{stranger, 7, flags::offered, "not_the_cookie"};
  EXPECT_THROW(handshake_as_initiator(s, self, "target@127.0.0.1", clock::now() + std::chrono::seconds(5)),
               dist::dist_error);
  EXPECT_FALSE(atom::existing(stranger).has_value());
  EXPECT_TRUE(node_->connected_nodes().empty());
}

// A SPAWN_REQUEST whose {M, F, Arity} does not match its arguments, or whose options are no
// list, is refused with SPAWN_REPLY and an error atom (as erts answers badarg or badopt), and the
// connection stays: a request for an exported function on the same connection then works.
TEST_F(HostilePeer, MalformedSpawnRequestIsRefusedAndTheConnectionStays) {
  node_->export_function("calc"_a, "add"_a, 2,
                         [](const std::vector<term>& a) { return term(a[0].as_int() + a[1].as_int()); });
  socket_fd s = connect_as_fake();
  const pid requester{"fake@127.0.0.1"_a, 5, 0, 7};
  const ref r1{"fake@127.0.0.1"_a, 7, 3, {1, 0, 0, 0, 0}};
  const ref r2{"fake@127.0.0.1"_a, 7, 3, {2, 0, 0, 0, 0}};
  const ref r3{"fake@127.0.0.1"_a, 7, 3, {3, 0, 0, 0, 0}};
  auto request = [&](const ref& r, const term& mfa, const term& options, const term& args) {
    write_frame(s, etf::encode(tuple(29, r, requester, requester, mfa, options)) + etf::encode(args));
  };
  request(r1, tuple("calc"_a, "add"_a, 3), list("monitor"_a), list(1, 2));  // arity 3, two arguments
  EXPECT_EQ(read_control(s), tuple(31, r1, requester, 0, "badarg"_a));
  request(r2, tuple("calc"_a, "add"_a, 2), "monitor"_a, list(1, 2));  // options not a list
  EXPECT_EQ(read_control(s), tuple(31, r2, requester, 0, "badopt"_a));
  request(r3, tuple("calc"_a, "add"_a, 2), list("monitor"_a), list(1, 2));
  const term reply = read_control(s);
  ASSERT_TRUE(reply.is_tuple(5) && reply[4].is_pid()) << to_string(reply);
  EXPECT_EQ(reply[3], term(2));  // the monitor is set up
  // The function's process ends normally: MONITOR_P_EXIT {21, Pid, Requester, Ref, normal}.
  EXPECT_EQ(read_control(s), tuple(21, reply[4], requester, r3, atoms::normal));
  EXPECT_EQ(node_->connected_nodes(), std::vector<atom>{"fake@127.0.0.1"_a});
}

// A peer that offers the atom cache gets frames with distribution headers, whose atoms cross in
// full once and then as references to its cache; and the frames it sends that way are delivered.
TEST_F(HostilePeer, PeerWithTheAtomCacheTalksInDistributionHeaders) {
  node_->local().spawn([] {
    register_name("echo_back"_a, self());
    for (;;) {
      const term m = receive();  // {From, Message}
      send(m[0].as_pid(), m[1]);
    }
  });
  for (int i = 0; i < 1000 && !node_->local().whereis("echo_back"_a); ++i) std::this_thread::sleep_for(1ms);
  socket_fd s = connect_as_header_peer();
  const pid fake{"fake@127.0.0.1"_a, 1, 0, 7};
  output_atom_cache to_node;
  input_atom_cache from_node;
  const term reg_send = tuple(6, fake, atom(), "echo_back"_a);
  for (int n = 1; n <= 2; ++n) {
    write_header_frame(s, to_node, reg_send, tuple(fake, tuple("header_hello"_a, n)));
    const auto [frame, control, message] = read_header_frame(s, from_node);
    EXPECT_EQ(control, tuple(2, atom(), fake));  // SEND
    EXPECT_EQ(message, tuple("header_hello"_a, n));
    // The atoms' text is in the first frame's header only.
    EXPECT_EQ(frame.find("header_hello") != std::string::npos, n == 1) << "frame " << n;
    EXPECT_EQ(frame.find("fake@127.0.0.1") != std::string::npos, n == 1) << "frame " << n;
  }
  EXPECT_EQ(node_->connected_nodes(), std::vector<atom>{"fake@127.0.0.1"_a});
}

// A header that refers to a cache entry no earlier header filled is a protocol violation.
TEST_F(HostilePeer, HeaderReferringToAnEmptyCacheEntryClosesTheConnection) {
  socket_fd s = connect_as_header_peer();
  const term got = watch_fake_process_while([&] {
    // One ref, not new, entry 5 of segment 0; then {6, From, '', Name} and a message.
    std::string frame = {char(131), 68, 1, 0x00, 5};
    etf::encode_body_to(frame, tuple(6, pid{"fake@127.0.0.1"_a, 1, 0, 7}, atom(), "nobody_here"_a));
    etf::encode_body_to(frame, "hello"_a);
    write_packet(s, frame);
  });
  EXPECT_EQ(got, tuple(atoms::noconnection, atoms::noconnection));
  EXPECT_TRUE(closed_by_node(s));
  EXPECT_EQ(node_->local().run([] { return 1; }), 1);
}
