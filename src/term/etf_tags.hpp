#pragma once
// Tag bytes of the External Term Format (erts/doc/guides/erl_ext_dist.md), shared by the encoder and
// the decoder of src/term/etf_*.cpp.

#include <cstdint>

namespace otp::etf::tag {

inline constexpr uint8_t compressed = 80;
inline constexpr uint8_t bit_binary = 77;
inline constexpr uint8_t new_float = 70;
inline constexpr uint8_t atom_cache_ref = 82;
inline constexpr uint8_t new_pid = 88;
inline constexpr uint8_t new_port = 89;
inline constexpr uint8_t newer_reference = 90;
inline constexpr uint8_t small_integer = 97;
inline constexpr uint8_t integer = 98;
inline constexpr uint8_t float_ = 99;  // legacy: 31 bytes of "%.20e" text
inline constexpr uint8_t atom = 100;   // legacy: Latin-1, 16-bit length
inline constexpr uint8_t reference = 101;
inline constexpr uint8_t port = 102;
inline constexpr uint8_t pid = 103;
inline constexpr uint8_t small_tuple = 104;
inline constexpr uint8_t large_tuple = 105;
inline constexpr uint8_t nil = 106;
inline constexpr uint8_t string = 107;
inline constexpr uint8_t list = 108;
inline constexpr uint8_t binary = 109;
inline constexpr uint8_t small_big = 110;
inline constexpr uint8_t large_big = 111;
inline constexpr uint8_t new_fun = 112;
inline constexpr uint8_t export_ = 113;
inline constexpr uint8_t new_reference = 114;
inline constexpr uint8_t small_atom = 115;  // legacy: Latin-1, 8-bit length
inline constexpr uint8_t map = 116;
inline constexpr uint8_t fun = 117;  // removed in OTP 23
inline constexpr uint8_t atom_utf8 = 118;
inline constexpr uint8_t small_atom_utf8 = 119;
inline constexpr uint8_t v4_port = 120;
inline constexpr uint8_t local = 121;  // OTP 26 term_to_binary(T, [local]): only its node can read it

}  // namespace otp::etf::tag
