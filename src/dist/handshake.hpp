#pragma once
// The distribution handshake, version 6 (erl_dist_protocol, "Distribution Handshake"), from
// either side. Each message is [Len:16][Body]; afterwards frames have 32-bit lengths.

#include <cstdint>
#include <functional>
#include <string>

#include "dist/socket.hpp"

namespace otp::dist::detail {

struct handshake_self {
  std::string name;  // Name@Host
  uint32_t creation = 0;
  uint64_t flags = 0;
  std::string cookie;
};

struct handshake_peer {
  std::string name;
  uint32_t creation = 0;
  uint64_t flags = 0;  // the peer's, expanded; what both use is ours & theirs
};

/// The acceptor's answer to a peer that names itself (send_status): "ok", or "nok" /
/// "not_allowed" to refuse it, "ok_simultaneous" when it wins a simultaneous connect, "alive"
/// when a connection to it exists already (and the peer then says whether to replace it:
/// `replace_existing` is called with its answer).
struct accept_decision {
  std::string status = "ok";
  std::function<void(bool replace)> replace_existing;
};

/// A node connecting to `expected_peer`. Throws dist_error (wrong cookie, refused, timed out,
/// a peer that lacks a required flag, malformed messages).
handshake_peer handshake_as_initiator(const socket_fd& s, const handshake_self& self,
                                      const std::string& expected_peer, clock::time_point deadline);

/// A node accepting a connection; `decide` is asked once the peer has named itself.
handshake_peer handshake_as_acceptor(const socket_fd& s, const handshake_self& self,
                                     const std::function<accept_decision(const std::string& peer)>& decide,
                                     clock::time_point deadline);

}  // namespace otp::dist::detail
