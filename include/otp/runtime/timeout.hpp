#pragma once
// otp::timeout — how long a receive (or a call) waits: a duration or otp::infinity, as Erlang's
// `after` clause takes a number of milliseconds or the atom infinity.

#include <chrono>
#include <cstdint>

namespace otp {

struct infinity_t {
  explicit constexpr infinity_t() = default;
};
/// Wait forever (Erlang's `infinity`).
inline constexpr infinity_t infinity{};

class timeout {
 public:
  constexpr timeout(infinity_t) noexcept : ms_(-1) {}
  template <class Rep, class Period>
  constexpr timeout(std::chrono::duration<Rep, Period> d) noexcept
      : ms_(d.count() <= 0 ? 0 : std::chrono::ceil<std::chrono::milliseconds>(d).count()) {}

  static constexpr timeout ms(int64_t milliseconds) noexcept {
    return timeout(std::chrono::milliseconds(milliseconds));
  }
  constexpr bool is_infinite() const noexcept { return ms_ < 0; }
  /// Milliseconds; only meaningful when finite.
  constexpr int64_t milliseconds() const noexcept { return ms_; }

  friend constexpr bool operator==(timeout, timeout) = default;

 private:
  int64_t ms_;
};

}  // namespace otp
