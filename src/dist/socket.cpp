// TCP plumbing: getaddrinfo, non-blocking connect bounded by a deadline, poll-bounded I/O.

#include "dist/socket.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <otp/dist/distributed_node.hpp>

namespace otp::dist::detail {

namespace {

[[noreturn]] void fail(const std::string& what, int error = errno) {
  throw dist_error(what + ": " + std::strerror(error));
}

int remaining_ms(clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
  return left <= 0 ? 0 : int(std::min<long long>(left, 1 << 30));
}

/// Waits until `s` is ready for `events`; throws when the deadline passes first.
void wait_ready(const socket_fd& s, short events, clock::time_point deadline) {
  for (;;) {
    pollfd p{s.get(), events, 0};
    const int n = ::poll(&p, 1, remaining_ms(deadline));
    if (n > 0) return;
    if (n == 0) throw dist_error("timed out");
    if (errno != EINTR) fail("poll");
  }
}

void set_nodelay(int fd) {
  // Distribution frames are written whole; Nagle would only delay a call's request.
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace

socket_fd& socket_fd::operator=(socket_fd&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

void socket_fd::close() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void socket_fd::shutdown() noexcept {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
}

socket_fd connect_tcp(const std::string& host, uint16_t port, clock::time_point deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
    throw dist_error("cannot resolve " + host + ": " + ::gai_strerror(rc));
  }
  std::string last_error = "no address";
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    socket_fd s(::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol));
    if (!s) continue;
    int rc = ::connect(s.get(), a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      try {
        wait_ready(s, POLLOUT, deadline);
      } catch (const dist_error& e) {
        last_error = e.what();
        continue;
      }
      int error = 0;
      socklen_t len = sizeof error;
      ::getsockopt(s.get(), SOL_SOCKET, SO_ERROR, &error, &len);
      rc = error == 0 ? 0 : -1;
      errno = error;
    }
    if (rc != 0) {
      last_error = std::strerror(errno);
      continue;
    }
    ::freeaddrinfo(found);
    set_nodelay(s.get());
    return s;
  }
  ::freeaddrinfo(found);
  throw connect_error("cannot connect to " + host + ":" + service + ": " + last_error);
}

socket_fd listen_tcp(const std::string& address, uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (int rc = ::getaddrinfo(address.c_str(), service.c_str(), &hints, &found); rc != 0) {
    throw dist_error("bad listen address " + address + ": " + ::gai_strerror(rc));
  }
  socket_fd s(
      ::socket(found->ai_family, found->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, found->ai_protocol));
  if (!s) {
    ::freeaddrinfo(found);
    fail("socket");
  }
  int one = 1;
  ::setsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  const int rc = ::bind(s.get(), found->ai_addr, found->ai_addrlen);
  const int bind_errno = errno;
  ::freeaddrinfo(found);
  if (rc != 0) fail("cannot listen on " + address + ":" + service, bind_errno);
  if (::listen(s.get(), 128) != 0) fail("listen");
  return s;
}

uint16_t local_port(const socket_fd& s) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (::getsockname(s.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) fail("getsockname");
  if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
}

void write_all(const socket_fd& s, std::string_view bytes, clock::time_point deadline) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(s.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      bytes.remove_prefix(std::size_t(n));
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      wait_ready(s, POLLOUT, deadline);
    } else if (n < 0 && errno != EINTR) {
      fail("send");
    }
  }
}

void read_exact(const socket_fd& s, char* into, std::size_t size, clock::time_point deadline) {
  while (size > 0) {
    const ssize_t n = ::recv(s.get(), into, size, MSG_DONTWAIT);
    if (n > 0) {
      into += n;
      size -= std::size_t(n);
    } else if (n == 0) {
      throw dist_error("connection closed by peer");
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      wait_ready(s, POLLIN, deadline);
    } else if (errno != EINTR) {
      fail("recv");
    }
  }
}

std::string read_packet16(const socket_fd& s, clock::time_point deadline) {
  char length[2];
  read_exact(s, length, 2, deadline);
  std::string body(load_u16(length), '\0');
  read_exact(s, body.data(), body.size(), deadline);
  return body;
}

void write_packet16(const socket_fd& s, std::string_view body, clock::time_point deadline) {
  if (body.size() > 0xffff) throw dist_error("handshake message too long");
  std::string packet;
  store_u16(packet, uint16_t(body.size()));
  packet.append(body);
  write_all(s, packet, deadline);
}

}  // namespace otp::dist::detail
