#include <otp/runtime/node.hpp>

#include <chrono>
#include <future>
#include <thread>

#include "runtime/node_state.hpp"
#include "runtime/process.hpp"

namespace otp {
namespace detail {
namespace {

std::atomic<bool> local_node_claimed{false};

uint32_t pick_creation(uint32_t requested) {
  if (requested != 0) return requested;
  // Like epmd's creation: any non-zero value that differs between incarnations.
  auto now = std::chrono::system_clock::now().time_since_epoch().count();
  uint32_t c = uint32_t(now ^ (now >> 32));
  return c == 0 ? 1 : c;
}

unsigned scheduler_count(unsigned requested) {
  if (requested != 0) return requested;
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

}  // namespace

node_state::node_state(node_options opts)
    : options(std::move(opts)),
      name(options.name),
      creation(pick_creation(options.creation)),
      table(options.max_processes),
      timers(*this) {}

void node_state::free_retired() noexcept {
  for (auto& sched : schedulers) sched->free_retired();
  std::lock_guard<std::mutex> lock(retired_mutex);
  for (process* p : retired_elsewhere) delete p;
  retired_elsewhere.clear();
}

}  // namespace detail

node::node(node_options options) : state_(std::make_unique<detail::node_state>(std::move(options))) {
  detail::node_state& s = *state_;
  if (!detail::local_node_claimed.exchange(true)) set_local_node(s.name, s.creation);
  const unsigned count = detail::scheduler_count(s.options.schedulers);
  for (unsigned i = 0; i < count; ++i)
    s.schedulers.push_back(std::make_unique<detail::scheduler>(s, uint16_t(i)));
  s.timers.start();
  s.blocking.start(s.options.blocking_threads);
  for (auto& sched : s.schedulers) sched->start();
}

node::~node() { stop(); }

void node::stop() {
  detail::node_state& s = *state_;
  if (s.stopped.exchange(true)) return;
  // Kill until nothing is left: a dying process may still spawn (a supervisor restarting), so
  // whatever is alive once the exits stop making progress gets a kill of its own.
  while (s.table.size() > 0) {
    std::vector<pid> alive;
    s.table.for_each([&](detail::process* p) { alive.push_back(s.make_pid(p->number)); });
    for (const pid& p : alive) {
      detail::deliver_signal(s, p, new detail::signal(detail::signal_kind::exit, pid{}, term(atoms::kill)));
    }
    std::unique_lock<std::mutex> lock(s.live_mutex);
    for (std::size_t before = s.table.size(); before > 0;) {
      s.live_cv.wait_for(lock, std::chrono::milliseconds(50), [&] { return s.table.size() == 0; });
      const std::size_t now = s.table.size();
      if (now >= before) break;
      before = now;
    }
  }
  s.stopping_schedulers.store(true, std::memory_order_seq_cst);
  for (auto& sched : s.schedulers) sched->unpark();
  for (auto& sched : s.schedulers) sched->join();
  s.free_retired();
  s.timers.stop();
  s.blocking.stop();
}

atom node::name() const noexcept { return state_->name; }
uint32_t node::creation() const noexcept { return state_->creation; }
unsigned node::scheduler_count() const noexcept { return unsigned(state_->schedulers.size()); }
std::size_t node::process_count() const noexcept { return state_->table.live_count(); }

pid node::spawn(process_body body, const spawn_options& options) {
  detail::process* parent = detail::current_process_or_null();
  if (parent != nullptr && parent->node != state_.get()) parent = nullptr;
  return detail::spawn_process(*state_, parent, std::move(body), nullptr, options).pid;
}

spawn_result node::spawn_reactor(std::unique_ptr<reactor> body, const spawn_options& options) {
  detail::process* parent = detail::current_process_or_null();
  if (parent != nullptr && parent->node != state_.get()) parent = nullptr;
  return detail::spawn_process(*state_, parent, nullptr, std::move(body), options);
}

void node::send(const pid& to, term message) {
  detail::deliver_signal(*state_, to,
                         new detail::signal(detail::signal_kind::message, pid{}, std::move(message)));
}

void node::exit(const pid& target, term reason) {
  detail::deliver_signal(*state_, target,
                         new detail::signal(detail::signal_kind::exit, pid{}, std::move(reason)));
}

std::optional<pid> node::whereis(atom name) const { return state_->names.find(name); }

term node::run_and_wait(process_body body) {
  // A watcher process spawns the body with a monitor (so no exit can be missed) and reports the
  // DOWN reason. If the watcher itself is killed, the promise breaks instead of hanging.
  auto done = std::make_shared<std::promise<term>>();
  std::future<term> result = done->get_future();
  spawn([done, body = std::move(body)]() mutable {
    auto [child, mref] = spawn_monitor(std::move(body));
    const term r(mref);
    term down = *receive([&](const term& m) { return m.is_tuple(5) && m[1] == r; }, infinity);
    done->set_value(down[4]);
  });
  try {
    return result.get();
  } catch (const std::future_error&) {
    throw process_exited(term(atoms::killed));
  }
}

std::optional<term> node::await_exit(const pid& p, std::chrono::milliseconds limit) {
  auto done = std::make_shared<std::promise<term>>();
  std::future<term> result = done->get_future();
  spawn([done, p] {
    const term r(monitor(p));
    term down = *receive([&](const term& m) { return m.is_tuple(5) && m[1] == r; }, infinity);
    done->set_value(down[4]);
  });
  if (result.wait_for(limit) != std::future_status::ready) return std::nullopt;
  return result.get();
}

// ---- distribution hooks -----------------------------------------------------------------------------

void node::set_remote_route(std::shared_ptr<remote_route> route) {
  std::lock_guard<std::mutex> lock(state_->route_mutex);
  state_->route = std::move(route);
}

void node::deliver_send(const pid& from, const pid& to, term message) {
  detail::deliver_signal(*state_, to,
                         new detail::signal(detail::signal_kind::message, from, std::move(message)));
}

bool node::deliver_send_named(const pid& from, atom name, term message) {
  std::optional<pid> to = state_->names.find(name);
  if (!to) return false;
  deliver_send(from, *to, std::move(message));
  return true;
}

void node::deliver_alias_send(const pid& from, const ref& alias, term message) {
  detail::send_to_alias(*state_, from, term(alias), std::move(message));
}

void node::deliver_link(const pid& from, const pid& to) {
  detail::deliver_signal(*state_, to, new detail::signal(detail::signal_kind::link, from));
}

void node::deliver_unlink(const pid& from, const pid& to) {
  detail::deliver_signal(*state_, to, new detail::signal(detail::signal_kind::unlink, from));
}

void node::deliver_exit(const pid& from, const pid& to, term reason, bool from_link) {
  const auto kind = from_link ? detail::signal_kind::exit_linked : detail::signal_kind::exit;
  detail::deliver_signal(*state_, to, new detail::signal(kind, from, std::move(reason)));
}

void node::deliver_monitor(const pid& from, const pid& to, const ref& monitor_ref) {
  detail::deliver_signal(*state_, to,
                         new detail::signal(detail::signal_kind::monitor, from, term(monitor_ref)));
}

void node::deliver_demonitor(const pid& from, const pid& to, const ref& monitor_ref) {
  detail::deliver_signal(*state_, to,
                         new detail::signal(detail::signal_kind::demonitor, from, term(monitor_ref)));
}

void node::deliver_down(const pid& from, const pid& to, const ref& monitor_ref, term reason) {
  detail::deliver_signal(
      *state_, to, new detail::signal(detail::signal_kind::down, from, term(monitor_ref), std::move(reason)));
}

}  // namespace otp
