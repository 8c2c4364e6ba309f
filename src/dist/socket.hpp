#pragma once
// Blocking TCP sockets with deadlines, for epmd, the handshake and the connection threads.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

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

/// Connects to host:port (IPv4 or IPv6, as getaddrinfo resolves it). Throws dist_error.
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

// Big-endian fields, as every distribution message writes them.
inline void put16(std::string& out, uint16_t v) {
  out += char(v >> 8);
  out += char(v);
}
inline void put32(std::string& out, uint32_t v) {
  put16(out, uint16_t(v >> 16));
  put16(out, uint16_t(v));
}
inline void put64(std::string& out, uint64_t v) {
  put32(out, uint32_t(v >> 32));
  put32(out, uint32_t(v));
}
inline uint16_t get16(const char* p) { return uint16_t(uint8_t(p[0]) << 8 | uint8_t(p[1])); }
inline uint32_t get32(const char* p) { return uint32_t(get16(p)) << 16 | get16(p + 2); }
inline uint64_t get64(const char* p) { return uint64_t(get32(p)) << 32 | get32(p + 4); }

}  // namespace otp::dist::detail
