// A connection's two threads and its shutdown.

#include "dist/connection.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>

#include <otp/logger.hpp>
#include <otp/term/etf.hpp>

#include "dist/control.hpp"
#include "dist/flags.hpp"

namespace otp::dist::detail {

namespace {

constexpr char pass_through = 112;  // 'p': a frame without distribution header
constexpr std::size_t read_chunk = std::size_t(256) << 10;
/// Sends closer together than this are a stream, left to the writer thread (see send).
constexpr std::chrono::microseconds stream_gap{50};

/// The terms of a frame: 131 Control [131 Payload] after 'p' (`refs` null); after a distribution
/// header, Control [Payload] without version bytes, their atoms ATOM_CACHE_REFs listed in `refs`.
void append_frame_terms(std::string& out, const term& control, const term* payload,
                        etf::atom_cache_refs* refs) {
  if (refs == nullptr) {
    etf::encode_to(out, control);
    if (payload != nullptr) etf::encode_to(out, *payload);
    return;
  }
  etf::encode_body_to(out, control, *refs);
  if (payload != nullptr) etf::encode_body_to(out, *payload, *refs);
}

/// Counts a connection thread out when it ends, however it ends.
struct running_thread_count {
  std::atomic<int>& running;
  ~running_thread_count() { running.fetch_sub(1, std::memory_order_release); }
};

}  // namespace

connection::connection(atom peer, context& ctx) : peer_(peer), ctx_(ctx) {
  atom_allowance_.new_atoms_left = ctx.options.max_new_atoms_per_connection;
  atom_allowance_.keep_free = ctx.options.atom_table_reserve.value_or(atom_table_limit() / 8);
  frame_limits_.allowance = &atom_allowance_;
}

connection::~connection() {
  take_down("connection destroyed");
  join();
}

void connection::start_accepted(socket_fd socket, const handshake_peer& peer) {
  running_threads_.fetch_add(1, std::memory_order_relaxed);
  go_up(std::move(socket), peer);
  writer_ = std::thread([this] { writer_main(nullptr); });
}

void connection::start_connecting(std::function<std::pair<socket_fd, handshake_peer>()> establish) {
  running_threads_.fetch_add(1, std::memory_order_relaxed);
  writer_ = std::thread([this, establish = std::move(establish)] { writer_main(establish); });
}

bool connection::adopt(socket_fd socket, const handshake_peer& peer) {
  return go_up(std::move(socket), peer);
}

void connection::expect_adoption(bool expected) {
  {
    std::lock_guard lock(out_mutex_);
    adopting_ = expected;
  }
  out_cv_.notify_all();
}

bool connection::go_up(socket_fd socket, const handshake_peer& peer) {
  {
    std::lock_guard lock(out_mutex_);
    if (current_phase() != phase::pending) {
      socket.shutdown();  // taken down meanwhile, or up through the other side of a simultaneous connect
      return false;
    }
    peer_creation_.store(peer.creation, std::memory_order_relaxed);
    atom_cache_ = ctx_.options.atom_cache && (peer.flags & flags::dist_hdr_atom_cache) != 0;
    encode_held_frames();
    socket_ = std::move(socket);
    came_up_.store(true, std::memory_order_relaxed);
    nodedown_gate_.fetch_add(1, std::memory_order_relaxed);  // the reader passes it as it ends
    phase_.store(phase::up, std::memory_order_release);      // before the reader, which runs while up
    running_threads_.fetch_add(1, std::memory_order_relaxed);
    reader_ = std::thread([this] { reader_main(); });
  }
  out_cv_.notify_all();
  return true;
}

bool connection::wait_settled(clock::time_point deadline) {
  std::unique_lock lock(out_mutex_);
  // Up counts once the subscribers have had their nodeup: one who subscribes after a connect
  // returned must not hear of a connection that was there before it.
  out_cv_.wait_until(lock, deadline, [&] {
    return current_phase() == phase::down || (current_phase() == phase::up && nodeup_sent_);
  });
  return current_phase() == phase::up;
}

bool connection::send(const term& control, const term* payload) {
  if (current_phase() == phase::pending && hold_while_pending(control, payload)) return true;
  // Up (or down: refused below). The terms are encoded outside the lock, so senders on other
  // schedulers only wait for the header and a copy; the header is made under it, as the atom
  // cache it fills must see the frames in the order they go out.
  thread_local std::string body;
  thread_local std::string head;
  thread_local etf::atom_cache_refs refs;
  if (body.capacity() > (std::size_t(1) << 20)) std::string().swap(body);  // after a large one
  body.clear();
  refs.clear();
  append_frame_terms(body, control, payload, atom_cache_ ? &refs : nullptr);
  // A send that follows another closely is part of a stream: queued, for the writer thread to
  // write in large batches. One after a pause (a call, a ping) is written by the sender itself
  // when nothing is queued, sparing it the wake-up of the writer thread (tens of microseconds).
  const int64_t now = clock::now().time_since_epoch().count();
  const int64_t previous = last_send_.exchange(now, std::memory_order_relaxed);
  const bool after_pause = now - previous > std::chrono::nanoseconds(stream_gap).count();
  std::unique_lock lock(out_mutex_);
  if (current_phase() == phase::down) return false;
  head.clear();
  append_frame_head(head, body.size(), refs);
  const std::size_t frame_size = head.size() + body.size();
  if (after_pause && out_.empty() && !socket_owned_) {
    // What the socket does not take at once goes to the front of the queue, for the writer.
    socket_owned_ = true;
    lock.unlock();
    iovec parts[2] = {{head.data(), head.size()}, {body.data(), body.size()}};
    msghdr message{};
    message.msg_iov = parts;
    message.msg_iovlen = 2;
    const ssize_t n = ::sendmsg(socket_.get(), &message, MSG_DONTWAIT | MSG_NOSIGNAL);
    const std::size_t written = n > 0 ? std::size_t(n) : 0;  // an error: the writer meets it again
    lock.lock();
    socket_owned_ = false;
    frames_written_.fetch_add(1, std::memory_order_relaxed);
    if (written < head.size()) {
      out_.insert(0, body);
      out_.insert(0, head, written);
    } else if (written < frame_size) {
      out_.insert(0, body, written - head.size());
    }
    queued_bytes_.fetch_add(frame_size - written, std::memory_order_relaxed);
    const bool writer_needed = !out_.empty();
    lock.unlock();
    if (writer_needed) out_cv_.notify_one();
    return true;
  }
  out_ += head;
  out_ += body;
  queued_bytes_.fetch_add(frame_size, std::memory_order_relaxed);
  lock.unlock();
  out_cv_.notify_one();
  return true;
}

bool connection::hold_while_pending(const term& control, const term* payload) {
  // Its size now, for busy(): this also throws encode_error for a term with no external form
  // here, to the sender, rather than when the connection comes up.
  const std::size_t size = 4 + 3 + etf::encoded_body_size(control) +
                           (payload != nullptr ? 1 + etf::encoded_body_size(*payload) : 0);
  std::lock_guard lock(out_mutex_);
  if (current_phase() != phase::pending) return false;
  pending_frames_.emplace_back(control, payload != nullptr ? std::optional<term>(*payload) : std::nullopt);
  held_bytes_ += size;
  queued_bytes_.fetch_add(size, std::memory_order_relaxed);
  return true;
}

void connection::encode_held_frames() {
  const std::size_t before = out_.size();
  std::string body;
  etf::atom_cache_refs refs;
  for (const auto& [control, payload] : pending_frames_) {
    body.clear();
    refs.clear();
    append_frame_terms(body, control, payload ? &*payload : nullptr, atom_cache_ ? &refs : nullptr);
    append_frame_head(out_, body.size(), refs);
    out_ += body;
  }
  pending_frames_.clear();
  queued_bytes_.fetch_add(out_.size() - before, std::memory_order_relaxed);
  queued_bytes_.fetch_sub(held_bytes_, std::memory_order_relaxed);
  held_bytes_ = 0;
}

void connection::append_frame_head(std::string& out, std::size_t body_size,
                                   const etf::atom_cache_refs& refs) {
  // Checked before the header fills the atom cache: a refused frame must leave it as it was.
  constexpr std::size_t largest_header = 3 + 128 + etf::atom_cache_refs::capacity * (1 + 2 + 1020);
  if (body_size > 0xffffffffu - largest_header) throw etf::encode_error("distribution frame over 4 GiB");
  const std::size_t start = out.size();
  out.append(4, '\0');
  if (atom_cache_) {
    out_atom_cache_.append_header(out, refs.atoms());
  } else {
    out += pass_through;
  }
  const auto length = uint32_t(out.size() - start - 4 + body_size);
  for (int i = 0; i < 4; ++i) out[start + i] = char(length >> (24 - 8 * i));
}

void connection::writer_main(std::function<std::pair<socket_fd, handshake_peer>()> establish) {
  const running_thread_count done{running_threads_};
  if (establish) {
    try {
      auto [socket, peer] = establish();
      go_up(std::move(socket), peer);
    } catch (const std::exception& e) {
      // In a simultaneous connect the peer refuses this attempt because its own one won: the
      // connection comes up when that one has shaken hands.
      std::unique_lock lock(out_mutex_);
      out_cv_.wait_until(lock, clock::now() + ctx_.options.net_setuptime,
                         [&] { return current_phase() != phase::pending || !adopting_; });
      if (current_phase() == phase::pending) {
        lock.unlock();
        take_down(e.what());
        return;
      }
    }
  }
  const auto tick_interval = ctx_.options.net_ticktime / 4;
  std::string writing;
  std::size_t counted = 0;  // of writing, the bytes queued_bytes_ holds (not a tick's)
  uint64_t frames_at_last_look = frames_written_.load(std::memory_order_relaxed);
  for (;;) {
    {
      std::unique_lock lock(out_mutex_);
      const bool woken = out_cv_.wait_for(lock, tick_interval, [&] {
        return (!out_.empty() && !socket_owned_) || current_phase() == phase::down;
      });
      if (current_phase() == phase::down) return;
      if (woken) {
        writing.swap(out_);
        counted = writing.size();
      } else {
        const uint64_t frames = frames_written_.load(std::memory_order_relaxed);
        const bool idle = frames == frames_at_last_look && !socket_owned_;
        frames_at_last_look = frames;
        if (!idle) continue;
        writing.assign(4, '\0');  // a tick: nothing was written for a quarter of net_ticktime
        counted = 0;
      }
      socket_owned_ = true;
    }
    bool failed = false;
    std::string error;
    try {
      write_all(socket_, writing, clock::now() + ctx_.options.net_ticktime);
    } catch (const std::exception& e) {
      failed = true;
      error = e.what();
    }
    {
      std::lock_guard lock(out_mutex_);
      socket_owned_ = false;
    }
    if (failed) {
      take_down("write failed: " + error, log_level::notice);
      return;
    }
    frames_written_.fetch_add(1, std::memory_order_relaxed);
    queued_bytes_.fetch_sub(counted, std::memory_order_relaxed);
    writing.clear();
    if (writing.capacity() > (std::size_t(4) << 20)) std::string().swap(writing);
  }
}

void connection::reader_main() {
  const running_thread_count done{running_threads_};
  // Destroyed before `done`: the connection may be freed once both threads are counted out.
  struct nodedown_gate_pass {
    connection& c;
    ~nodedown_gate_pass() { c.pass_nodedown_gate(); }
  } const gate{*this};
  // nodeup goes before anything the peer sends is delivered, from this thread, which delivers it all.
  if (ctx_.on_node_event) ctx_.on_node_event(*this, true, down_cause::connection_closed);
  {
    std::lock_guard lock(out_mutex_);
    nodeup_sent_ = true;
  }
  out_cv_.notify_all();
  std::string buffer(read_chunk, '\0');
  std::size_t begin = 0, end = 0;
  // Moves the unread bytes (a partial frame) to the front of the buffer.
  auto compact = [&] {
    buffer.erase(0, begin);
    end -= begin;
    begin = 0;
  };
  auto last_heard = clock::now();
  const int poll_ms = int(std::max<long long>(1, (ctx_.options.net_ticktime / 4).count()));
  while (current_phase() == phase::up) {
    pollfd p{socket_.get(), POLLIN, 0};
    const int ready = ::poll(&p, 1, poll_ms);
    if (ready < 0 && errno != EINTR) {
      take_down(std::string("poll: ") + std::strerror(errno));
      return;
    }
    if (ready <= 0) {
      if (clock::now() - last_heard > ctx_.options.net_ticktime) {
        take_down("net_ticktime expired: nothing heard from the peer", log_level::warning,
                  down_cause::net_tick_timeout);
        return;
      }
      continue;
    }
    if (buffer.size() - end < read_chunk / 4) {
      // Grow only for a frame larger than the buffer.
      compact();
      if (buffer.size() - end < read_chunk / 4) buffer.resize(buffer.size() * 2);
    }
    const ssize_t n = ::recv(socket_.get(), buffer.data() + end, buffer.size() - end, MSG_DONTWAIT);
    if (n == 0) {
      take_down("connection closed by peer");
      return;
    }
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
      take_down(std::string("recv: ") + std::strerror(errno), log_level::notice);
      return;
    }
    end += std::size_t(n);
    last_heard = clock::now();
    while (end - begin >= 4) {
      const uint32_t length = load_u32(buffer.data() + begin);
      if (length == 0) {  // a tick
        begin += 4;
        continue;
      }
      if (length > ctx_.options.max_frame_size) {
        take_down("frame of " + std::to_string(length) + " bytes exceeds max_frame_size", log_level::warning);
        return;
      }
      if (end - begin - 4 < length) {
        if (buffer.size() - begin < std::size_t(length) + 4) {
          compact();
          buffer.resize(std::max(buffer.size(), std::size_t(length) + 4 + read_chunk));
        }
        break;
      }
      try {
        handle_frame(std::string_view(buffer.data() + begin + 4, length));
      } catch (const std::exception& e) {
        take_down(std::string("frame refused: ") + e.what(), log_level::warning);
        return;
      }
      begin += 4 + std::size_t(length);
    }
    if (begin == end) begin = end = 0;
  }
}

void connection::handle_frame(std::string_view frame) {
  // 'p' then full terms, or a distribution header then terms without version bytes. Either is
  // taken whatever the handshake said (erts insists on the negotiated one).
  const auto first = uint8_t(frame[0]);
  const bool has_header =
      first == etf::version_magic && frame.size() > 1 && frame[1] == char(dist_header_tag);
  if (!has_header && first != uint8_t(pass_through)) {
    if (first == etf::version_magic && frame.size() > 1 && (frame[1] == 'E' || frame[1] == 'F')) {
      throw std::invalid_argument("a fragment, and fragments were not negotiated");
    }
    throw std::invalid_argument("frame with neither pass-through tag nor distribution header");
  }
  frame.remove_prefix(has_header ? 2 : 1);
  frame_limits_.atom_cache =
      has_header ? in_atom_cache_.read_header(frame, frame_limits_) : std::span<const atom>{};
  auto control =
      has_header ? etf::decode_body_prefix(frame, frame_limits_) : etf::decode_prefix(frame, frame_limits_);
  if (!control) throw std::invalid_argument("control message: " + control.error().message);
  frame.remove_prefix(control->consumed);
  if (frame.empty()) {
    handle_control(*this, ctx_.local, control->value, nullptr);
    return;
  }
  auto payload = has_header ? etf::decode_body(frame, frame_limits_) : etf::decode(frame, frame_limits_);
  if (!payload) throw std::invalid_argument("message: " + payload.error().message);
  handle_control(*this, ctx_.local, control->value, &*payload);
}

void connection::take_down(const std::string& why, log_level level, down_cause cause) {
  {
    std::lock_guard lock(out_mutex_);
    if (phase_.exchange(phase::down) == phase::down) return;
    down_cause_.store(cause, std::memory_order_relaxed);
    socket_.shutdown();
    out_.clear();
    pending_frames_.clear();
  }
  out_cv_.notify_all();
  logger::log(level, "distribution: connection to " + std::string(peer_.name()) + " down: " + why);
  fire_noconnection();
  if (ctx_.on_down) ctx_.on_down(*this);
  pass_nodedown_gate();
}

void connection::pass_nodedown_gate() {
  if (nodedown_gate_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  std::unordered_map<pid, uint32_t> watchers;
  {
    std::lock_guard lock(relations_mutex_);
    watchers.swap(node_watchers_);
  }
  try {
    const term nodedown = tuple(atom("nodedown"), peer_);
    for (const auto& [watcher, monitors] : watchers) {
      for (uint32_t i = 0; i < monitors; ++i) ctx_.local.send(watcher, nodedown);
    }
    if (came_up_.load(std::memory_order_relaxed) && ctx_.on_node_event)
      ctx_.on_node_event(*this, false, down_cause_.load(std::memory_order_relaxed));
  } catch (const std::exception& e) {
    // Only a node that is itself stopping refuses these; nobody is left to tell.
    logger::debug(std::string("distribution: nodedown for ") + std::string(peer_.name()) +
                  " not sent: " + e.what());
  }
}

void connection::fire_noconnection() {
  std::unordered_set<pid_pair, pid_pair_hash> links;
  std::unordered_map<ref, outgoing_monitor> outgoing;
  std::unordered_map<ref, incoming_monitor> incoming;
  {
    std::lock_guard lock(relations_mutex_);
    links.swap(links_);
    outgoing.swap(outgoing_monitors_);
    incoming.swap(incoming_monitors_);
  }
  const term reason(atoms::noconnection);
  for (const pid_pair& l : links) ctx_.local.deliver_exit(l.remote, l.local, reason, true);
  for (const auto& [r, m] : outgoing) ctx_.local.deliver_down(m.target, m.watcher, r, reason);
  for (const auto& [r, m] : incoming) ctx_.local.deliver_demonitor(m.watcher, m.target, r);
}

void connection::join() {
  const auto self = std::this_thread::get_id();
  if (writer_.joinable() && writer_.get_id() != self) writer_.join();
  if (reader_.joinable() && reader_.get_id() != self) reader_.join();
}

bool connection::add_node_watcher(const pid& watcher) {
  std::lock_guard lock(relations_mutex_);
  if (current_phase() == phase::down) return false;
  ++node_watchers_[watcher];
  return true;
}

void connection::remove_node_watcher(const pid& watcher) {
  std::lock_guard lock(relations_mutex_);
  auto it = node_watchers_.find(watcher);
  if (it != node_watchers_.end() && --it->second == 0) node_watchers_.erase(it);
}

void connection::forget_node_watcher(const pid& watcher) {
  std::lock_guard lock(relations_mutex_);
  node_watchers_.erase(watcher);
}

bool connection::add_link(const pid& local, const pid& remote) {
  std::lock_guard lock(relations_mutex_);
  if (current_phase() == phase::down) return false;
  links_.insert({local, remote});
  return true;
}

void connection::remove_link(const pid& local, const pid& remote) {
  std::lock_guard lock(relations_mutex_);
  links_.erase({local, remote});
}

bool connection::add_outgoing_monitor(const ref& r, outgoing_monitor m) {
  std::lock_guard lock(relations_mutex_);
  if (current_phase() == phase::down) return false;
  outgoing_monitors_[r] = m;
  return true;
}

void connection::remove_outgoing_monitor(const ref& r) {
  std::lock_guard lock(relations_mutex_);
  outgoing_monitors_.erase(r);
}

bool connection::add_incoming_monitor(const ref& r, incoming_monitor m) {
  std::lock_guard lock(relations_mutex_);
  if (current_phase() == phase::down) return false;
  incoming_monitors_[r] = std::move(m);
  return true;
}

std::optional<incoming_monitor> connection::take_incoming_monitor(const ref& r) {
  std::lock_guard lock(relations_mutex_);
  auto it = incoming_monitors_.find(r);
  if (it == incoming_monitors_.end()) return std::nullopt;
  incoming_monitor m = std::move(it->second);
  incoming_monitors_.erase(it);
  return m;
}

}  // namespace otp::dist::detail
