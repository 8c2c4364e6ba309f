#pragma once
// Helpers shared by the printer and the parser of Erlang term text.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <otp/term/atom.hpp>

namespace otp::detail {

/// Erlang's shortest round-trip float text: 1.0, 0.1, 1.0e20, 1.2345e-7.
std::string format_float(double value);

/// Characters of bare atoms, as erl_scan reads them (Latin-1 letters included).
constexpr bool is_lower_letter(uint32_t c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 223 && c <= 255 && c != 247);
}
constexpr bool is_upper_letter(uint32_t c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 192 && c <= 222 && c != 215);
}
constexpr bool is_atom_char(uint32_t c) noexcept {
  return is_lower_letter(c) || is_upper_letter(c) || (c >= '0' && c <= '9') || c == '_' || c == '@';
}

/// Whether an atom with this name must be written in single quotes.
bool atom_needs_quotes(std::string_view name);
/// Appends `name` as an atom, quoted and escaped when needed.
void append_atom(std::string& out, std::string_view name);

/// Whether Erlang's ~p prints code point `c` as part of a string (its default Latin-1 range).
constexpr bool is_printable_char(int64_t c) noexcept {
  return (c >= 32 && c <= 126) || (c >= 160 && c <= 255) || c == '\n' || c == '\r' || c == '\t' ||
         c == '\v' || c == '\b' || c == '\f' || c == 27;
}
/// Appends code point `c` inside a "..." string or '...' atom delimited by `quote`.
void append_quoted_char(std::string& out, uint32_t c, char quote);

/// The number written for `node` in <N.ID.Serial>: 0 for the local node, otherwise a small index
/// given to each remote node the first time it is printed (stable for the life of the program).
uint32_t node_print_index(atom node);
/// The node that `index` stands for in printed pids; nullopt if no node has that index.
std::optional<atom> node_from_print_index(uint32_t index);

}  // namespace otp::detail
