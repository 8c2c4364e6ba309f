#include "term/etf_atom_text.hpp"

#include <cstdint>

namespace otp::etf::detail {

std::optional<std::size_t> utf8_length(std::string_view text) noexcept {
  std::size_t chars = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = uint8_t(text[i]);
    std::size_t extra = 0;
    uint32_t cp = 0;
    uint32_t min = 0;  // smallest code point this length may encode (longer forms are overlong)
    if (lead < 0x80) {
      ++i;
      ++chars;
      continue;
    } else if ((lead & 0xE0) == 0xC0) {
      extra = 1, cp = lead & 0x1F, min = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      extra = 2, cp = lead & 0x0F, min = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      extra = 3, cp = lead & 0x07, min = 0x10000;
    } else {
      return std::nullopt;  // a continuation byte or 0xF8..0xFF where a character must start
    }
    if (text.size() - i - 1 < extra) return std::nullopt;
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto next = uint8_t(text[i + k]);
      if ((next & 0xC0) != 0x80) return std::nullopt;
      cp = cp << 6 | (next & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
    i += extra + 1;
    ++chars;
  }
  return chars;
}

std::string latin1_to_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 2);
  for (const char c : text) {
    const auto b = uint8_t(c);
    if (b < 0x80) {
      out.push_back(c);
    } else {
      out.push_back(char(0xC0 | (b >> 6)));
      out.push_back(char(0x80 | (b & 0x3F)));
    }
  }
  return out;
}

}  // namespace otp::etf::detail
