#pragma once
// Helpers for runtime tests: bounded waits (never sleeps) and message shapes.

#include <chrono>
#include <stdexcept>

#include <otp/runtime.hpp>

namespace otp::test {

using namespace std::chrono_literals;

/// The bound on any wait in a test: long enough never to trip on a loaded CI machine, short
/// enough that a lost message fails the test instead of hanging it.
inline constexpr auto bound = 10s;

/// The next message, or throws if none comes within the bound.
inline term next_message() {
  std::optional<term> m = receive(bound);
  if (!m) throw std::runtime_error("no message within the test bound");
  return *m;
}

/// The first message matching `match`, or throws.
template <class Match>
term next_matching(Match&& match) {
  std::optional<term> m = receive(std::function<bool(const term&)>(std::forward<Match>(match)), bound);
  if (!m) throw std::runtime_error("no matching message within the test bound");
  return *m;
}

/// {'DOWN', Ref, process, _, _} for this monitor.
inline term next_down(const ref& monitor_ref) {
  const term r(monitor_ref);
  return next_matching(
      [&](const term& m) { return m.is_tuple(5) && m[0].is_atom(atoms::DOWN) && m[1] == r; });
}

/// {'EXIT', From, _} from this process.
inline term next_exit_from(const pid& from) {
  const term f(from);
  return next_matching(
      [&](const term& m) { return m.is_tuple(3) && m[0].is_atom(atoms::EXIT) && m[1] == f; });
}

/// Waits until `p` has ended and returns its exit reason (via a monitor).
inline term exit_reason_of(const pid& p) { return next_down(monitor(p))[4]; }

}  // namespace otp::test
