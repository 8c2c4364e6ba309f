// A distributed node: listener, epmd registration, connections by peer name, net_kernel.

#include <otp/dist/distributed_node.hpp>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <optional>

#include <otp/gen/from.hpp>
#include <otp/logger.hpp>

#include "dist/dist_state.hpp"
#include "dist/flags.hpp"

extern char** environ;

namespace otp::dist {

using detail::clock;
using detail::connection;
using detail::socket_fd;

namespace {

std::string cookie_or_default(const std::string& configured) {
  if (!configured.empty()) return configured;
  // As erl does without -setcookie: the cookie in ~/.erlang.cookie.
  const char* home = std::getenv("HOME");
  std::ifstream in(std::string(home ? home : "") + "/.erlang.cookie");
  std::string cookie;
  std::getline(in, cookie);
  if (cookie.empty()) throw dist_error("no cookie: set dist_options::cookie or write ~/.erlang.cookie");
  return cookie;
}

/// A node name's two parts, Name@Host: what epmd knows it by, and where that epmd runs.
struct node_name_parts {
  std::string alive;
  std::string host;
};

/// nullopt for a name that is not Name@Host with both parts non-empty.
std::optional<node_name_parts> split_node_name(std::string_view name) {
  const std::size_t at = name.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 == name.size()) return std::nullopt;
  return node_name_parts{std::string(name.substr(0, at)), std::string(name.substr(at + 1))};
}

/// `epmd -daemon`, as erl starts it when none runs; waits for it to exit (it forks itself).
void start_epmd_daemon(uint16_t port) {
  const std::string port_text = std::to_string(port);
  const char* argv[] = {"epmd", "-daemon", "-port", port_text.c_str(), nullptr};
  pid_t child = 0;
  if (::posix_spawnp(&child, "epmd", nullptr, nullptr, const_cast<char**>(argv), environ) != 0) return;
  int status = 0;
  ::waitpid(child, &status, 0);
}

detail::epmd_registration register_with_epmd(const dist_options& options, const std::string& alive,
                                             uint16_t port) {
  const uint16_t epmd = detail::epmd_port(options.epmd_port);
  const auto deadline = clock::now() + options.net_setuptime;
  // Only an epmd that does not answer is started (and waited for); a refused name is final.
  try {
    return detail::epmd_register(epmd, alive, port, true, deadline);
  } catch (const detail::connect_error&) {
    start_epmd_daemon(epmd);
  }
  for (;;) {
    try {
      return detail::epmd_register(epmd, alive, port, true, deadline);
    } catch (const detail::connect_error& e) {
      if (clock::now() >= deadline) throw dist_error(std::string("epmd: ") + e.what());
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

/// The registered `net_kernel`: answers net_adm:ping's {is_auth, Node} with yes.
void net_kernel_loop() {
  const atom is_auth("is_auth");
  for (;;) {
    const term m = receive();
    if (!m.is_tuple(3) || !m[0].is_atom(atoms::gen_call)) continue;
    const std::optional<gen::from> caller = gen::from::from_term(m[1]);
    if (!caller) continue;
    if (m[2].is_tuple(2) && m[2][0].is_atom(is_auth)) {
      gen::reply(*caller, atom("yes"));
    } else {
      gen::reply(*caller, tuple(atoms::error, atom("not_supported")));
    }
  }
}

/// A connection's callback into the distribution: calls `Method` on the state while it lives (a
/// connection's threads may still run when the distributed_node is going).
template <auto Method>
auto while_alive(const std::weak_ptr<distributed_node::state>& weak) {
  return [weak](auto&&... args) {
    if (auto held = weak.lock()) ((*held).*Method)(std::forward<decltype(args)>(args)...);
  };
}

}  // namespace

distributed_node::distributed_node(node_options node, dist_options dist) : state_(std::make_shared<state>()) {
  state& s = *state_;
  const std::optional<node_name_parts> parts = split_node_name(node.name);
  if (!parts)
    throw dist_error("a distributed node needs a name of the form Name@Host, not '" + node.name + "'");
  s.options = std::move(dist);
  s.alive = parts->alive;
  s.self.name = node.name;
  s.self.cookie = cookie_or_default(s.options.cookie);
  s.self.flags = s.options.atom_cache ? detail::flags::offered
                                      : detail::flags::offered & ~detail::flags::dist_hdr_atom_cache;
  s.listener = detail::listen_tcp(s.options.listen_address, s.options.listen_port);
  s.port = detail::local_port(s.listener);
  s.registration = register_with_epmd(s.options, s.alive, s.port);
  s.self.creation = s.registration.creation;
  node.creation = s.registration.creation;
  s.local = std::make_unique<otp::node>(std::move(node));
  const std::weak_ptr<state> weak(state_);
  s.context = std::make_unique<connection::context>(connection::context{
      *s.local, s.options, while_alive<&state::connection_down>(weak),
      while_alive<&state::report_node_event>(weak), while_alive<&state::spawn_request>(weak)});
  s.local->set_remote_route(make_route(s));
  const pid kernel = s.local->spawn(net_kernel_loop);
  s.local->run([&] { register_name(atom("net_kernel"), kernel); });
  s.acceptor = std::thread([&s] { s.accept_loop(); });
}

distributed_node::~distributed_node() { stop(); }

otp::node& distributed_node::local() noexcept { return *state_->local; }
atom distributed_node::name() const noexcept { return state_->local->name(); }
uint16_t distributed_node::port() const noexcept { return state_->port; }

bool distributed_node::connect(atom other) {
  if (other == name()) return true;
  auto c = state_->connection_to(other);
  return c && c->wait_settled(clock::now() + state_->options.net_setuptime);
}

bool distributed_node::disconnect(atom other) {
  auto c = state_->existing_connection(other);
  if (!c) return false;
  c->take_down("disconnected", log_level::debug, connection::down_cause::disconnect);
  return true;
}

std::vector<atom> distributed_node::connected_nodes() const {
  std::lock_guard lock(state_->mutex);
  std::vector<atom> out;
  for (const auto& [peer, c] : state_->connections) {
    if (c->current_phase() == connection::phase::up) out.push_back(peer);
  }
  return out;
}

void distributed_node::stop() {
  state& s = *state_;
  std::vector<std::shared_ptr<connection>> open;
  {
    std::lock_guard lock(s.mutex);
    if (s.stopping) return;
    s.stopping = true;
    for (auto& [peer, c] : s.connections) open.push_back(c);
  }
  ::shutdown(s.listener.get(), SHUT_RDWR);  // wakes the acceptor's poll
  if (s.acceptor.joinable()) s.acceptor.join();
  s.local->set_remote_route(nullptr);
  for (auto& c : open)
    c->take_down("node stopping", log_level::debug, connection::down_cause::net_kernel_terminated);
  {
    std::unique_lock lock(s.mutex);
    auto handshakes = std::move(s.handshakes);
    for (int fd : s.handshaking_sockets) ::shutdown(fd, SHUT_RDWR);  // ends their reads at once
    lock.unlock();
    for (auto& t : handshakes) t.join();
    lock.lock();
    open.insert(open.end(), s.retired.begin(), s.retired.end());
    s.retired.clear();
  }
  for (auto& c : open) c->join();
  s.registration.connection.close();  // epmd forgets the name
  s.local->stop();
}

// ---- state ------------------------------------------------------------------------------------------

std::shared_ptr<connection> distributed_node::state::connection_to(atom node) {
  std::shared_ptr<connection> c;
  std::optional<node_name_parts> parts;
  {
    std::lock_guard lock(mutex);
    if (stopping) return nullptr;
    auto it = connections.find(node);
    if (it != connections.end()) return it->second;
    parts = split_node_name(node.name());
    if (!parts || node == local->name()) return nullptr;
    c = std::make_shared<connection>(node, *context);
    connections.emplace(node, c);
  }
  c->start_connecting([this, node, where = std::move(*parts)] {
    const auto deadline = clock::now() + options.net_setuptime;
    const auto port =
        detail::epmd_port_please(detail::epmd_port(options.epmd_port), where.host, where.alive, deadline);
    if (!port) throw dist_error("no node named " + where.alive + " is registered with epmd on " + where.host);
    socket_fd socket = detail::connect_tcp(where.host, *port, deadline);
    detail::handshake_peer peer =
        detail::handshake_as_initiator(socket, self, std::string(node.name()), deadline);
    return std::make_pair(std::move(socket), peer);
  });
  return c;
}

std::shared_ptr<connection> distributed_node::state::existing_connection(atom node) const {
  std::lock_guard lock(mutex);
  auto it = connections.find(node);
  return it == connections.end() ? nullptr : it->second;
}

void distributed_node::state::connection_down(connection& c) {
  std::lock_guard lock(mutex);
  auto it = connections.find(c.peer());
  if (it != connections.end() && it->second.get() == &c) {
    retired.push_back(std::move(it->second));
    connections.erase(it);
  }
}

void distributed_node::state::accept_loop() {
  for (;;) {
    pollfd p{listener.get(), POLLIN, 0};
    ::poll(&p, 1, 1000);
    {
      std::lock_guard lock(mutex);
      if (stopping) return;
    }
    reap();
    if ((p.revents & POLLIN) == 0) continue;
    const int fd = ::accept4(listener.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) continue;
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::lock_guard lock(mutex);
    // A thread per handshake, so that a peer stalling mid-handshake (for up to net_setuptime)
    // does not hold up the others.
    handshaking_sockets.push_back(fd);
    handshakes.emplace_back([this, fd] {
      socket_fd socket(fd);
      accept_one(socket);
      std::lock_guard done(mutex);
      // Forgotten before the socket closes (below, if no connection took it): stop() must never
      // shut down a descriptor number that has been reused.
      std::erase(handshaking_sockets, fd);
      finished_handshakes.push_back(std::this_thread::get_id());
    });
  }
}

void distributed_node::state::accept_one(socket_fd& socket) {
  std::shared_ptr<connection> simultaneous;
  auto decide = [&](const std::string& peer_name) {
    detail::accept_decision d;
    std::lock_guard lock(mutex);
    if (stopping) {
      d.status = "nok";
      return d;
    }
    // The peer has not proved it knows the cookie yet: its name must not become an atom here (a
    // stranger could fill the table with names). A name that is no atom has no connection.
    const std::optional<atom> known = atom::existing(peer_name);
    if (!known) return d;
    auto it = connections.find(*known);
    if (it == connections.end() || it->second->current_phase() == connection::phase::down) return d;
    if (it->second->current_phase() == connection::phase::up) {
      // The peer says it is not connected (it restarted, or lost the connection first): if it
      // asks to, the old connection gives way to this one.
      d.status = "alive";
      d.replace_existing = [old = it->second](bool replace) {
        if (replace) old->take_down("replaced by a new connection from the peer");
      };
      return d;
    }
    // Both sides are connecting at once: the connection from the greater name wins.
    if (self.name > peer_name) {
      d.status = "nok";
      return d;
    }
    simultaneous = it->second;
    simultaneous->expect_adoption(true);
    d.status = "ok_simultaneous";
    return d;
  };
  detail::handshake_peer peer;
  try {
    peer = detail::handshake_as_acceptor(socket, self, decide, clock::now() + options.net_setuptime);
  } catch (const std::exception& e) {
    if (simultaneous) simultaneous->expect_adoption(false);
    logger::notice(std::string("distribution: handshake with an incoming connection failed: ") + e.what());
    return;
  }
  if (simultaneous) {
    simultaneous->adopt(std::move(socket), peer);
    simultaneous->expect_adoption(false);
    return;
  }
  const atom peer_atom(peer.name);
  std::shared_ptr<connection> pending, replaced;
  {
    std::lock_guard lock(mutex);
    if (stopping) return;
    auto it = connections.find(peer_atom);
    if (it != connections.end() && it->second->current_phase() == connection::phase::pending) {
      pending = it->second;  // a local process started connecting meanwhile: this is its connection
    } else {
      if (it != connections.end()) {
        replaced = it->second;
        retired.push_back(replaced);
        connections.erase(it);
      }
      auto c = std::make_shared<connection>(peer_atom, *context);
      connections.emplace(peer_atom, c);
      c->start_accepted(std::move(socket), peer);
    }
  }
  if (pending) pending->adopt(std::move(socket), peer);
  if (replaced) replaced->take_down("replaced by a new connection from the peer");
}

void distributed_node::state::reap() {
  std::vector<std::shared_ptr<connection>> done;
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex);
    for (auto it = retired.begin(); it != retired.end();) {
      if ((*it)->finished()) {
        done.push_back(std::move(*it));
        it = retired.erase(it);
      } else {
        ++it;
      }
    }
    for (auto id : finished_handshakes) {
      for (auto it = handshakes.begin(); it != handshakes.end(); ++it) {
        if (it->get_id() == id) {
          threads.push_back(std::move(*it));
          handshakes.erase(it);
          break;
        }
      }
    }
    finished_handshakes.clear();
  }
  for (auto& t : threads) t.join();
  for (auto& c : done) c->join();
}

}  // namespace otp::dist
