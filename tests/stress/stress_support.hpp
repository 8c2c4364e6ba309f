#pragma once
// Shared by the stress tests: their sizing, and receives bounded by a generous timeout.
//
// Every stress test states its full size (the one the release build must pass) and scales it with
// stress_scaled(). The factor is OTP_STRESS_SCALE from the environment (default 1.0), divided by 10
// under AddressSanitizer and by 20 under ThreadSanitizer, so that a sanitizer build on a two-core CI
// machine finishes each test within a few minutes. OTP_STRESS_SCALE=0.01 gives a quick smoke run.

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <functional>
#include <string_view>

#include <otp/runtime.hpp>

namespace otp::stress {

#if defined(__SANITIZE_THREAD__)
inline constexpr double sanitizer_divisor = 20.0;
#elif defined(__SANITIZE_ADDRESS__)
inline constexpr double sanitizer_divisor = 10.0;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
inline constexpr double sanitizer_divisor = 20.0;
#elif __has_feature(address_sanitizer)
inline constexpr double sanitizer_divisor = 10.0;
#else
inline constexpr double sanitizer_divisor = 1.0;
#endif
#else
inline constexpr double sanitizer_divisor = 1.0;
#endif

/// The factor applied to every full-size count.
inline double stress_scale() {
  double scale = 1.0;
  if (const char* text = std::getenv("OTP_STRESS_SCALE")) {
    char* end = nullptr;
    const double v = std::strtod(text, &end);
    if (end != text && v > 0) scale = v;
  }
  return scale / sanitizer_divisor;
}

/// `full` scaled, never below `minimum`.
inline std::size_t stress_scaled(std::size_t full, std::size_t minimum = 1) {
  const double v = double(full) * stress_scale();
  return std::max(minimum, std::size_t(v));
}

/// How long a stress process waits for a message that must come before it gives up: 120 s, or
/// OTP_STRESS_RECEIVE_BOUND seconds. Only a bound against hangs: nothing is expected to take long.
inline std::chrono::seconds receive_bound() {
  if (const char* text = std::getenv("OTP_STRESS_RECEIVE_BOUND")) {
    const long v = std::strtol(text, nullptr, 10);
    if (v > 0) return std::chrono::seconds(v);
  }
  return std::chrono::seconds(120);
}

/// The next message; ends the calling process with {stress_timeout, What} if none comes within
/// receive_bound. Looks at the mailbox first, so that no timer is armed while messages are queued.
inline term receive_bounded(std::string_view what) {
  if (auto m = receive(timeout::ms(0))) return std::move(*m);
  if (auto m = receive(receive_bound())) return std::move(*m);
  exit(tuple(atom("stress_timeout"), atom(what)));
}

/// The first message matching `match`, bounded as receive_bounded.
inline term receive_bounded(const std::function<bool(const term&)>& match, std::string_view what) {
  if (auto m = receive(match, timeout::ms(0))) return std::move(*m);
  if (auto m = receive(match, receive_bound())) return std::move(*m);
  exit(tuple(atom("stress_timeout"), atom(what)));
}

/// Ends the calling process with {stress_failure, What, Detail} unless `ok`.
inline void require(bool ok, std::string_view what, term detail = term()) {
  if (!ok) exit(tuple(atom("stress_failure"), atom(what), std::move(detail)));
}

/// {'DOWN', _, _, _, _}.
inline bool is_down(const term& m) { return m.is_tuple(5) && m[0].is_atom(atoms::DOWN); }

/// A message that is one small integer: (origin << 40) | sequence, so no heap term per message.
inline constexpr int origin_shift = 40;
inline constexpr int64_t sequence_mask = (int64_t(1) << origin_shift) - 1;
inline int64_t tagged(std::size_t origin, uint64_t sequence) {
  return int64_t(origin) << origin_shift | int64_t(sequence);
}
inline std::size_t origin_of(int64_t v) { return std::size_t(v >> origin_shift); }
inline uint64_t sequence_of(int64_t v) { return uint64_t(v & sequence_mask); }

}  // namespace otp::stress
