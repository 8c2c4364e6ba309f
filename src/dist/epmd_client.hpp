#pragma once
// The epmd protocol (a node's side): registering a name, and asking where another node listens.

#include <cstdint>
#include <optional>
#include <string>

#include "dist/socket.hpp"

namespace otp::dist::detail {

/// A registration: epmd keeps the name for as long as this socket stays open.
struct epmd_registration {
  socket_fd connection;
  uint32_t creation = 0;
};

/// epmd's port: `configured`, else $ERL_EPMD_PORT, else 4369.
uint16_t epmd_port(uint16_t configured);

/// ALIVE2_REQ for `alive` (the part of the node name before '@'), listening on `port`, hidden
/// or not. Throws dist_error when epmd cannot be reached or refuses the name (taken).
epmd_registration epmd_register(uint16_t epmd, const std::string& alive, uint16_t port, bool hidden,
                                clock::time_point deadline);

/// PORT_PLEASE2_REQ: the distribution port of `alive` on `host`, nullopt if epmd there does not
/// know the name. Throws dist_error when epmd cannot be reached.
std::optional<uint16_t> epmd_port_please(uint16_t epmd, const std::string& host, const std::string& alive,
                                         clock::time_point deadline);

}  // namespace otp::dist::detail
