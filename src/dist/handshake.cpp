// Handshake messages: send_name 'N', send_status 's', challenge 'N', challenge_reply 'r',
// challenge_ack 'a'. The digest is MD5(Cookie ++ decimal(Challenge)).

#include "dist/handshake.hpp"

#include <cstdio>
#include <random>

#include <otp/dist/distributed_node.hpp>

#include "dist/flags.hpp"
#include "dist/md5.hpp"

namespace otp::dist::detail {

namespace {

uint32_t new_challenge() {
  thread_local std::mt19937 random{std::random_device{}()};
  return uint32_t(random());
}

std::string digest_bytes(std::string_view cookie, uint32_t challenge) {
  const md5_digest d = challenge_digest(cookie, challenge);
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

void require_flags(const std::string& peer, uint64_t peer_flags) {
  const uint64_t missing = flags::required & ~peer_flags;
  if (missing == 0) return;
  char missing_hex[17];
  std::snprintf(missing_hex, sizeof missing_hex, "%llx", static_cast<unsigned long long>(missing));
  throw dist_error("node " + peer + " lacks required distribution flags (missing 0x" + missing_hex + ")");
}

/// 'N', Flags:64, Creation:32, Nlen:16, Name (send_name), or with Challenge:32 after the flags.
std::string name_message(const handshake_self& self, const uint32_t* challenge) {
  std::string m = "N";
  store_u64(m, self.flags);
  if (challenge != nullptr) store_u32(m, *challenge);
  store_u32(m, self.creation);
  store_u16(m, uint16_t(self.name.size()));
  m += self.name;
  return m;
}

/// Parses an 'N' message (with a challenge when `challenge` is not null); any bytes after the
/// name are ignored, as the protocol asks.
handshake_peer parse_name_message(const std::string& m, uint32_t* challenge) {
  const std::size_t fixed = 1 + 8 + (challenge ? 4 : 0) + 4 + 2;
  if (m.size() < fixed || m[0] != 'N') throw dist_error("malformed handshake name message");
  const char* p = m.data() + 1;
  handshake_peer peer;
  peer.flags = flags::expand(load_u64(p));
  p += 8;
  if (challenge != nullptr) {
    *challenge = load_u32(p);
    p += 4;
  }
  peer.creation = load_u32(p);
  const uint16_t length = load_u16(p + 4);
  if (m.size() < fixed + length || length == 0) throw dist_error("malformed handshake name message");
  peer.name.assign(m.data() + fixed, length);
  if (peer.name.find('@') == std::string::npos) throw dist_error("peer node name without '@': " + peer.name);
  return peer;
}

}  // namespace

handshake_peer handshake_as_initiator(const socket_fd& s, const handshake_self& self,
                                      const std::string& expected_peer, clock::time_point deadline) {
  write_packet16(s, name_message(self, nullptr), deadline);
  std::string status = read_packet16(s, deadline);
  if (status.empty() || status[0] != 's') throw dist_error("malformed handshake status");
  status.erase(0, 1);
  if (status == "alive") {
    // The peer still has a connection from an earlier incarnation of this name; we are the
    // live one, so it should replace that.
    write_packet16(s, "strue", deadline);
  } else if (status != "ok" && status != "ok_simultaneous") {
    throw dist_error("node " + expected_peer + " refused the connection: " + status);
  }
  uint32_t their_challenge = 0;
  handshake_peer peer = parse_name_message(read_packet16(s, deadline), &their_challenge);
  if (peer.name != expected_peer) throw dist_error("connected to " + peer.name + ", not " + expected_peer);
  require_flags(peer.name, peer.flags);

  const uint32_t our_challenge = new_challenge();
  std::string reply = "r";
  store_u32(reply, our_challenge);
  reply += digest_bytes(self.cookie, their_challenge);
  write_packet16(s, reply, deadline);

  const std::string ack = read_packet16(s, deadline);
  if (ack.size() != 17 || ack[0] != 'a' || ack.substr(1) != digest_bytes(self.cookie, our_challenge)) {
    throw dist_error("node " + expected_peer + " failed the cookie challenge (different cookie?)");
  }
  return peer;
}

handshake_peer handshake_as_acceptor(const socket_fd& s, const handshake_self& self,
                                     const std::function<accept_decision(const std::string& peer)>& decide,
                                     clock::time_point deadline) {
  handshake_peer peer = parse_name_message(read_packet16(s, deadline), nullptr);
  if ((peer.flags & flags::required) != flags::required) {
    write_packet16(s, "snot_allowed", deadline);
    require_flags(peer.name, peer.flags);  // throws, saying which
  }
  accept_decision decision = decide(peer.name);
  write_packet16(s, "s" + decision.status, deadline);
  if (decision.status == "alive") {
    const std::string answer = read_packet16(s, deadline);
    const bool replace = answer == "strue";
    if (decision.replace_existing) decision.replace_existing(replace);
    if (!replace) throw dist_error("node " + peer.name + " kept its existing connection");
  } else if (decision.status != "ok" && decision.status != "ok_simultaneous") {
    throw dist_error("refused a connection from " + peer.name + ": " + decision.status);
  }

  const uint32_t our_challenge = new_challenge();
  write_packet16(s, name_message(self, &our_challenge), deadline);

  const std::string reply = read_packet16(s, deadline);
  if (reply.size() != 21 || reply[0] != 'r') throw dist_error("malformed challenge reply from " + peer.name);
  if (reply.substr(5) != digest_bytes(self.cookie, our_challenge)) {
    // No 'a': a peer with the wrong cookie learns nothing but the closed connection.
    throw dist_error("node " + peer.name + " failed the cookie challenge (different cookie?)");
  }
  const uint32_t their_challenge = load_u32(reply.data() + 1);
  write_packet16(s, "a" + digest_bytes(self.cookie, their_challenge), deadline);
  return peer;
}

}  // namespace otp::dist::detail
