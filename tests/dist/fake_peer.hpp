#pragma once
// A peer node played by the test itself: a TCP socket and the library's own handshake, so that a
// test can do what no well-behaved node would (or what a restarted one does) at the protocol's
// level.

#include <chrono>
#include <string>

#include "dist/flags.hpp"
#include "dist/handshake.hpp"
#include "dist/socket.hpp"

namespace otp::test {

/// A peer that frames without distribution header ('p'), as ei does.
inline constexpr uint64_t pass_through_peer_flags =
    dist::detail::flags::offered & ~dist::detail::flags::dist_hdr_atom_cache;

/// Connects to the node listening on `port` as node `name` (incarnation `creation`), and shakes
/// hands with it as `target`, with the tests' cookie, offering `flags`. Throws dist_error if the
/// node refuses.
inline dist::detail::socket_fd connect_as_peer(uint16_t port, const std::string& name, uint32_t creation,
                                               const std::string& target,
                                               uint64_t flags = pass_through_peer_flags) {
  using namespace dist::detail;
  const auto deadline = clock::now() + std::chrono::seconds(5);
  socket_fd s = connect_tcp("127.0.0.1", port, deadline);
  const handshake_self peer{name, creation, flags, "otp_test_cookie"};
  handshake_as_initiator(s, peer, target, deadline);
  return s;
}

}  // namespace otp::test
