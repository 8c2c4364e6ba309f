#pragma once
// UTF-8 encoding and decoding for strings, atoms and printing.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace otp::detail {

/// Whether `cp` is a Unicode scalar value (not a surrogate, at most U+10FFFF).
constexpr bool is_scalar(uint32_t cp) noexcept { return cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF); }

/// Appends the UTF-8 form of scalar value `cp`.
void append_utf8(std::string& out, uint32_t cp);

/// Decodes one code point at `pos`, advancing it; nullopt (pos unchanged) for malformed input,
/// including overlong forms and surrogates.
std::optional<uint32_t> next_code_point(std::string_view text, std::size_t& pos) noexcept;

}  // namespace otp::detail
