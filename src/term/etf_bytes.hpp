#pragma once
// Big-endian integer fields of the External Term Format, read from and appended to byte strings.

#include <cstdint>
#include <string>

namespace otp::etf::detail {

inline uint16_t load_u16(const unsigned char* p) noexcept { return uint16_t(p[0] << 8 | p[1]); }
inline uint32_t load_u32(const unsigned char* p) noexcept {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]);
}
inline uint64_t load_u64(const unsigned char* p) noexcept {
  return uint64_t(load_u32(p)) << 32 | load_u32(p + 4);
}

inline void store_u16(std::string& out, uint16_t v) {
  out.push_back(char(v >> 8));
  out.push_back(char(v));
}
inline void store_u32(std::string& out, uint32_t v) {
  store_u16(out, uint16_t(v >> 16));
  store_u16(out, uint16_t(v));
}
inline void store_u64(std::string& out, uint64_t v) {
  store_u32(out, uint32_t(v >> 32));
  store_u32(out, uint32_t(v));
}

}  // namespace otp::etf::detail
