#pragma once
// Atom names as the External Term Format carries them: Latin-1 in the legacy tags, UTF-8 in the
// current ones, at most 255 characters either way (erts' MAX_ATOM_CHARACTERS).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace otp::etf::detail {

inline constexpr std::size_t max_atom_chars = 255;
/// 255 characters of at most 4 UTF-8 bytes each: no valid atom name is longer.
inline constexpr std::size_t max_atom_bytes = 4 * max_atom_chars;

/// The number of code points in `text` if it is well-formed UTF-8 (shortest forms only, no
/// surrogates, nothing above U+10FFFF), else nullopt.
std::optional<std::size_t> utf8_length(std::string_view text) noexcept;

/// The UTF-8 form of Latin-1 `text` (bytes 0x80..0xFF become two bytes each).
std::string latin1_to_utf8(std::string_view text);

}  // namespace otp::etf::detail
