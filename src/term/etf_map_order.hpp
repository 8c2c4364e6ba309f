#pragma once
// The order in which OTP 25 keeps the keys of a small map (at most 32 keys), and so writes them in
// term_to_binary: erts' exact term order (erts_cmp with exact=1). It differs from Erlang's printed
// term order in one way: when an integer meets a float, the integer sorts first whatever the values
// (#{1.0 => a, 2 => b} holds 2 before 1.0), at any depth inside tuples and lists.

#include <cstddef>

#include <otp/term/term.hpp>

namespace otp::etf::detail {

/// Maps with at most this many keys are "flatmaps" in the BEAM, stored (and encoded) in key order.
inline constexpr std::size_t flatmap_max_keys = 32;

/// <0, 0 or >0 as `a` sorts before, equal to, or after `b` as a small-map key. Iterative: deeply
/// nested keys cost heap, not stack.
int compare_map_keys(const term& a, const term& b);

}  // namespace otp::etf::detail
