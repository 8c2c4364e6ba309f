#pragma once
// Distribution capability flags (erts's dist.h): what we offer, and what we require of a peer.

#include <cstdint>

namespace otp::dist::detail::flags {

inline constexpr uint64_t published = 0x1;
inline constexpr uint64_t extended_references = 0x4;
inline constexpr uint64_t dist_monitor = 0x8;
inline constexpr uint64_t fun_tags = 0x10;
inline constexpr uint64_t dist_monitor_name = 0x20;
inline constexpr uint64_t new_fun_tags = 0x80;
inline constexpr uint64_t extended_pids_ports = 0x100;
inline constexpr uint64_t export_ptr_tag = 0x200;
inline constexpr uint64_t bit_binaries = 0x400;
inline constexpr uint64_t new_floats = 0x800;
inline constexpr uint64_t dist_hdr_atom_cache = 0x2000;
inline constexpr uint64_t utf8_atoms = 0x10000;
inline constexpr uint64_t map_tag = 0x20000;
inline constexpr uint64_t big_creation = 0x40000;
inline constexpr uint64_t handshake_23 = 0x1000000;
inline constexpr uint64_t unlink_id = 0x2000000;
inline constexpr uint64_t mandatory_25_digest = 0x4000000;
inline constexpr uint64_t spawn = uint64_t(1) << 32;
inline constexpr uint64_t v4_nc = uint64_t(1) << 34;
inline constexpr uint64_t alias = uint64_t(1) << 35;

/// What OTP 25 requires of every peer (DFLAG_DIST_MANDATORY_25).
inline constexpr uint64_t mandatory_25 = extended_references | fun_tags | extended_pids_ports | utf8_atoms |
                                         new_fun_tags | big_creation | new_floats | map_tag | export_ptr_tag |
                                         bit_binaries | handshake_23;
/// What OTP 26 adds to it, and what we need too: 32-bit pid ids and the UNLINK_ID protocol.
inline constexpr uint64_t required = mandatory_25 | unlink_id | v4_nc;

/// What we offer: the required set, monitors by pid and by name, aliases, SPAWN (spawn_request,
/// which rpc:call and erpc use) and the distribution header's atom cache (unless
/// dist_options::atom_cache is off). Not offered, so peers never use them: fragments (a large
/// message is one frame), SEND_SENDER, EXIT_PAYLOAD.
inline constexpr uint64_t offered =
    required | mandatory_25_digest | dist_monitor | dist_monitor_name | alias | spawn | dist_hdr_atom_cache;

/// A peer's flags with MANDATORY_25_DIGEST expanded into the flags it stands for.
inline constexpr uint64_t expand(uint64_t peer) {
  return (peer & mandatory_25_digest) != 0 ? peer | mandatory_25 : peer;
}

}  // namespace otp::dist::detail::flags
