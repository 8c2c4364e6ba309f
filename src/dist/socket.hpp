#pragma once
// Blocking TCP sockets with deadlines, for epmd, the handshake and the connection threads.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <otp/dist/distributed_node.hpp>

#include "term/etf_bytes.hpp"

namespace otp::dist::detail {

using clock = std::chrono::steady_clock;

/// Owns one file descriptor.
class socket_fd {
 public:
  socket_fd() = default;
  explicit socket_fd(int fd) noexcept : fd_(fd) {}
  socket_fd(socket_fd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  socket_fd& operator=(socket_fd&& other) noexcept;
  ~socket_fd() { close(); }

  int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }
  void close() noexcept;
  /// Ends both directions without closing the descriptor: wakes a thread blocked reading it.
  void shutdown() noexcept;

 private:
  int fd_ = -1;
};

/// Nothing accepted the connection (refused, unreachable, timed out): unlike other failures, one
/// that starting the missing service can cure.
class connect_error : public dist_error {
 public:
  using dist_error::dist_error;
};

/// Connects to host:port (IPv4 or IPv6, as getaddrinfo resolves it). Throws connect_error when
/// no address accepted, dist_error when the name does not resolve.
socket_fd connect_tcp(const std::string& host, uint16_t port, clock::time_point deadline);

/// Listens on address:port (port 0: any). Throws dist_error.
socket_fd listen_tcp(const std::string& address, uint16_t port);
uint16_t local_port(const socket_fd& s);

/// Writes all of `bytes`; throws dist_error on failure or when the deadline passes.
void write_all(const socket_fd& s, std::string_view bytes, clock::time_point deadline);
/// Reads exactly `size` bytes; throws dist_error on end of stream, failure or deadline.
void read_exact(const socket_fd& s, char* into, std::size_t size, clock::time_point deadline);

/// A handshake or epmd message: a 16-bit big-endian length, then that many bytes.
std::string read_packet16(const socket_fd& s, clock::time_point deadline);
void write_packet16(const socket_fd& s, std::string_view body, clock::time_point deadline);

// Big-endian fields, as every distribution message writes them: the ETF codec's own.
using etf::detail::store_u16;
using etf::detail::store_u32;
using etf::detail::store_u64;
inline uint16_t load_u16(const char* p) {
  return etf::detail::load_u16(reinterpret_cast<const unsigned char*>(p));
}
inline uint32_t load_u32(const char* p) {
  return etf::detail::load_u32(reinterpret_cast<const unsigned char*>(p));
}
inline uint64_t load_u64(const char* p) {
  return etf::detail::load_u64(reinterpret_cast<const unsigned char*>(p));
}

}  // namespace otp::dist::detail
