#pragma once
// Helpers shared by the ETF tests (tests/term/etf_*_test.cpp).

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include <otp/term/etf.hpp>

namespace otp::etf::testing {

/// The bytes listed, as a string (the codec's byte container).
inline std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out.push_back(char(uint8_t(v)));
  return out;
}

/// Erlang's ~w form of a binary, <<131,97,1>>, for readable failure messages.
inline std::string show(std::string_view b) {
  std::string out = "<<";
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(uint8_t(b[i]));
  }
  return out + ">>";
}

/// decode() that fails the test with the decoder's message instead of throwing.
inline term must_decode(std::string_view b, const decode_limits& limits = {}) {
  auto r = decode(b, limits);
  if (!r) throw std::runtime_error("decode failed: " + r.error().message + " for " + show(b));
  return *r;
}

}  // namespace otp::etf::testing
