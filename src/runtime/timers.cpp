// erlang:send_after/3, start_timer/3, cancel_timer/1, read_timer/1.

#include <otp/runtime/timer.hpp>

#include "runtime/node_state.hpp"
#include "runtime/process.hpp"

namespace otp {
namespace {

// A timer's id is the number inside its reference, so the reference alone finds it again.
uint64_t timer_id(const ref& r) noexcept { return uint64_t(r.ids[0]) | (uint64_t(r.ids[1]) << 32); }

ref start(timeout delay, const pid& dest, term message, bool wrap) {
  detail::node_state& node = *detail::current_process().node;
  ref r = detail::new_ref(node);
  if (wrap) message = tuple(atoms::timeout, r, std::move(message));
  // An infinite delay never fires; the reference is still valid to cancel.
  if (!delay.is_infinite()) {
    node.timers.arm(timer_id(r), delay.milliseconds(), dest, detail::signal_kind::message,
                    std::move(message));
  }
  return r;
}

bool own_timer(const detail::node_state& node, const ref& r) noexcept {
  return r.node == node.name && r.creation == node.creation;
}

}  // namespace

ref send_after(timeout delay, const pid& dest, term message) {
  return start(delay, dest, std::move(message), false);
}

ref start_timer(timeout delay, const pid& dest, term message) {
  return start(delay, dest, std::move(message), true);
}

std::optional<int64_t> cancel_timer(const ref& timer) {
  detail::node_state& node = *detail::current_process().node;
  if (!own_timer(node, timer)) return std::nullopt;
  return node.timers.cancel(timer_id(timer));
}

std::optional<int64_t> read_timer(const ref& timer) {
  detail::node_state& node = *detail::current_process().node;
  if (!own_timer(node, timer)) return std::nullopt;
  return node.timers.remaining(timer_id(timer));
}

}  // namespace otp
