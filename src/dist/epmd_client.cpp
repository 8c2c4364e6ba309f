// epmd requests: [Len:16][Request], big-endian (erts's erl_dist_protocol, "EPMD Protocol").

#include "dist/epmd_client.hpp"

#include <cstdlib>

#include <otp/dist/distributed_node.hpp>

namespace otp::dist::detail {

namespace {

constexpr uint8_t alive2_req = 120;
constexpr uint8_t alive2_x_resp = 118;
constexpr uint8_t alive2_resp = 121;
constexpr uint8_t port_please2_req = 122;
constexpr uint8_t port2_resp = 119;
constexpr uint8_t node_type_normal = 77;
constexpr uint8_t node_type_hidden = 72;
constexpr uint8_t protocol_tcp = 0;
constexpr uint16_t highest_version = 6;
constexpr uint16_t lowest_version = 6;

}  // namespace

uint16_t epmd_port(uint16_t configured) {
  if (configured != 0) return configured;
  if (const char* env = std::getenv("ERL_EPMD_PORT")) {
    const long v = std::strtol(env, nullptr, 10);
    if (v > 0 && v < 65536) return uint16_t(v);
  }
  return 4369;
}

epmd_registration epmd_register(uint16_t epmd, const std::string& alive, uint16_t port, bool hidden,
                                clock::time_point deadline) {
  socket_fd s = connect_tcp("localhost", epmd, deadline);
  std::string req;
  req += char(alive2_req);
  store_u16(req, port);
  req += char(hidden ? node_type_hidden : node_type_normal);
  req += char(protocol_tcp);
  store_u16(req, highest_version);
  store_u16(req, lowest_version);
  store_u16(req, uint16_t(alive.size()));
  req += alive;
  store_u16(req, 0);  // no extra
  write_packet16(s, req, deadline);
  // The reply has no length prefix: tag, result, then a 32-bit (X) or 16-bit creation.
  char head[2];
  read_exact(s, head, 2, deadline);
  if (uint8_t(head[1]) != 0) throw dist_error("epmd refused the name '" + alive + "' (in use?)");
  epmd_registration r;
  if (uint8_t(head[0]) == alive2_x_resp) {
    char c[4];
    read_exact(s, c, 4, deadline);
    r.creation = load_u32(c);
  } else if (uint8_t(head[0]) == alive2_resp) {
    char c[2];
    read_exact(s, c, 2, deadline);
    r.creation = load_u16(c);
  } else {
    throw dist_error("epmd sent an unknown reply to ALIVE2_REQ");
  }
  if (r.creation == 0) r.creation = 1;  // 0 is reserved: never mint pids with it
  r.connection = std::move(s);
  return r;
}

std::optional<uint16_t> epmd_port_please(uint16_t epmd, const std::string& host, const std::string& alive,
                                         clock::time_point deadline) {
  socket_fd s = connect_tcp(host, epmd, deadline);
  std::string req;
  req += char(port_please2_req);
  req += alive;
  write_packet16(s, req, deadline);
  char head[2];
  read_exact(s, head, 2, deadline);
  if (uint8_t(head[0]) != port2_resp) throw dist_error("epmd sent an unknown reply to PORT_PLEASE2_REQ");
  if (uint8_t(head[1]) != 0) return std::nullopt;
  char port[2];
  read_exact(s, port, 2, deadline);
  return load_u16(port);  // the rest (type, versions, name, extra) is not needed
}

}  // namespace otp::dist::detail
