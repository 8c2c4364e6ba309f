// MD5 as RFC 1321 specifies it: 64-byte blocks, four rounds of sixteen steps.

#include "dist/md5.hpp"

#include <cmath>
#include <cstring>

namespace otp::dist::detail {

namespace {

constexpr uint32_t rotate_left(uint32_t x, unsigned n) { return (x << n) | (x >> (32 - n)); }

constexpr std::array<unsigned, 64> shifts = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                                             5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                                             4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                                             6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};

/// K[i] = floor(2^32 * |sin(i + 1)|), the RFC's table, computed once.
const std::array<uint32_t, 64>& sine_table() {
  static const std::array<uint32_t, 64> table = [] {
    std::array<uint32_t, 64> k{};
    for (unsigned i = 0; i < 64; ++i)
      k[i] = uint32_t(std::floor(std::fabs(std::sin(double(i + 1))) * 4294967296.0));
    return k;
  }();
  return table;
}

void process_block(std::array<uint32_t, 4>& state, const uint8_t* block) {
  uint32_t m[16];
  for (unsigned i = 0; i < 16; ++i) {
    m[i] = uint32_t(block[i * 4]) | uint32_t(block[i * 4 + 1]) << 8 | uint32_t(block[i * 4 + 2]) << 16 |
           uint32_t(block[i * 4 + 3]) << 24;
  }
  const auto& k = sine_table();
  uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
  for (unsigned i = 0; i < 64; ++i) {
    uint32_t f;
    unsigned g;
    if (i < 16) {
      f = (b & c) | (~b & d);
      g = i;
    } else if (i < 32) {
      f = (d & b) | (~d & c);
      g = (5 * i + 1) % 16;
    } else if (i < 48) {
      f = b ^ c ^ d;
      g = (3 * i + 5) % 16;
    } else {
      f = c ^ (b | ~d);
      g = (7 * i) % 16;
    }
    const uint32_t next_b = b + rotate_left(a + f + k[i] + m[g], shifts[i]);
    a = d;
    d = c;
    c = b;
    b = next_b;
  }
  state[0] += a;
  state[1] += b;
  state[2] += c;
  state[3] += d;
}

}  // namespace

md5_digest md5(std::string_view data) {
  std::array<uint32_t, 4> state = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
  std::size_t whole = data.size() / 64 * 64;
  for (std::size_t off = 0; off < whole; off += 64)
    process_block(state, reinterpret_cast<const uint8_t*>(data.data()) + off);
  // The tail: the rest of the data, a 1 bit, zeros, and the length in bits (little-endian).
  uint8_t tail[128] = {};
  const std::size_t rest = data.size() - whole;
  std::memcpy(tail, data.data() + whole, rest);
  tail[rest] = 0x80;
  const std::size_t tail_size = rest < 56 ? 64 : 128;
  const uint64_t bits = uint64_t(data.size()) * 8;
  for (unsigned i = 0; i < 8; ++i) tail[tail_size - 8 + i] = uint8_t(bits >> (8 * i));
  for (std::size_t off = 0; off < tail_size; off += 64) process_block(state, tail + off);
  md5_digest out{};
  for (unsigned i = 0; i < 16; ++i) out[i] = uint8_t(state[i / 4] >> (8 * (i % 4)));
  return out;
}

}  // namespace otp::dist::detail
