#pragma once
// Integer helpers shared by the term layer: comparison of integers of any size with each other and
// with floats, exactly (a big integer is never squeezed through a lossy double to compare it).

#include <cstdint>
#include <span>
#include <vector>

#include <otp/term/term.hpp>

namespace otp::detail {

/// An integer term seen as sign and little-endian 32-bit magnitude (a small one is split up).
struct int_view {
  bool negative = false;
  uint32_t small_limbs[2] = {0, 0};
  std::span<const uint32_t> limbs;  // no zero top limb; empty for zero
  int_view() = default;
  int_view(const int_view&) = delete;  // `limbs` may point into this object
  int_view& operator=(const int_view&) = delete;
};
/// Fills `out` with `integer`'s sign and magnitude (valid while both are alive).
void view_integer(const term& integer, int_view& out) noexcept;

/// limbs = limbs * mul + add (little-endian base-2^32 magnitude), in place.
void limbs_mul_add(std::vector<uint32_t>& limbs, uint32_t mul, uint32_t add);

/// <0, 0, >0 comparing two integer terms.
int compare_integers(const term& a, const term& b) noexcept;
/// <0, 0, >0 comparing the integer term `i` with the finite double `f`, by exact value.
int compare_integer_float(const term& i, double f) noexcept;
/// The integer's value rounded to the nearest double (±huge values become ±infinity).
double integer_to_double(const term& i) noexcept;

}  // namespace otp::detail
