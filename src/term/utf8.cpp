// UTF-8 codec (RFC 3629): strict, so that what we decode is what Erlang's unicode module accepts.

#include "term/utf8.hpp"

namespace otp::detail {

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | cp >> 6);
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | cp >> 12);
    out += char(0x80 | (cp >> 6 & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | cp >> 18);
    out += char(0x80 | (cp >> 12 & 0x3F));
    out += char(0x80 | (cp >> 6 & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

std::optional<uint32_t> next_code_point(std::string_view text, std::size_t& pos) noexcept {
  if (pos >= text.size()) return std::nullopt;
  const auto b0 = uint8_t(text[pos]);
  if (b0 < 0x80) {
    ++pos;
    return b0;
  }
  int extra;
  uint32_t cp, min;
  if ((b0 & 0xE0) == 0xC0) {
    extra = 1, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    extra = 2, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    extra = 3, cp = b0 & 0x07, min = 0x10000;
  } else {
    return std::nullopt;
  }
  if (pos + std::size_t(extra) >= text.size()) return std::nullopt;
  for (int k = 1; k <= extra; ++k) {
    const auto b = uint8_t(text[pos + k]);
    if ((b & 0xC0) != 0x80) return std::nullopt;
    cp = cp << 6 | (b & 0x3F);
  }
  if (cp < min || !is_scalar(cp)) return std::nullopt;
  pos += std::size_t(extra) + 1;
  return cp;
}

}  // namespace otp::detail
