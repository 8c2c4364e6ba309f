#pragma once
// Timers: Erlang's erlang:send_after/3, erlang:start_timer/3, cancel_timer/1 and read_timer/1.
//
// A timer is identified by a reference. When it fires, the message is sent to the destination as
// an ordinary message (send_after) or wrapped as {timeout, TimerRef, Msg} (start_timer). A timer to
// a dead process fires into the void. Timers may be started and cancelled from any process.

#include <optional>

#include <otp/runtime/timeout.hpp>
#include <otp/term/term.hpp>

namespace otp {

/// Sends `message` to `dest` after `delay` (in a process). Returns the timer's reference.
ref send_after(timeout delay, const pid& dest, term message);
/// Sends {timeout, TimerRef, message} to `dest` after `delay`.
ref start_timer(timeout delay, const pid& dest, term message);
/// Cancels a timer. Returns the milliseconds that were left, or nullopt if it had already fired or
/// never existed (Erlang returns false then).
std::optional<int64_t> cancel_timer(const ref& timer);
/// Milliseconds left on a timer, or nullopt.
std::optional<int64_t> read_timer(const ref& timer);

}  // namespace otp
