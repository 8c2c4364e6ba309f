// Writing atoms and quoted characters as Erlang source text.
//
// An atom is written bare when it reads back as the same atom: it starts with a lowercase letter,
// continues with letters, digits, _ and @ (Latin-1 letters included, as erl_scan accepts them),
// and is not a reserved word (OTP 25's list; maybe/else are only reserved with the maybe feature).
// Everything else is single-quoted.

#include <algorithm>
#include <array>
#include <cstdio>

#include "term/text.hpp"
#include "term/utf8.hpp"

namespace otp::detail {
namespace {

constexpr std::array<std::string_view, 27> reserved_words = {
    "after", "and",  "andalso", "band",   "begin",   "bnot", "bor", "bsl",  "bsr",
    "bxor",  "case", "catch",   "cond",   "div",     "end",  "fun", "if",   "let",
    "not",   "of",   "or",      "orelse", "receive", "rem",  "try", "when", "xor"};

}  // namespace

bool atom_needs_quotes(std::string_view name) {
  std::size_t pos = 0;
  bool first = true;
  while (pos < name.size()) {
    const auto c = next_code_point(name, pos);
    if (!c) return true;
    if (first ? !is_lower_letter(*c) : !is_atom_char(*c)) return true;
    first = false;
  }
  if (first) return true;  // the empty atom ''
  return std::find(reserved_words.begin(), reserved_words.end(), name) != reserved_words.end();
}

void append_quoted_char(std::string& out, uint32_t c, char quote) {
  switch (c) {
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    case '\v':
      out += "\\v";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    case 27:
      out += "\\e";
      return;
    case '\\':
      out += "\\\\";
      return;
    default:
      break;
  }
  if (c == uint32_t(quote)) {
    out += '\\';
    out += quote;
  } else if (c < 32 || c == 127 || (c >= 128 && c < 160)) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\%03o", unsigned(c));  // erl writes other controls in octal
    out += buf;
  } else {
    append_utf8(out, c);
  }
}

void append_atom(std::string& out, std::string_view name) {
  if (!atom_needs_quotes(name)) {
    out += name;
    return;
  }
  out += '\'';
  std::size_t pos = 0;
  while (pos < name.size()) {
    auto c = next_code_point(name, pos);
    if (!c) c = uint8_t(name[pos++]);
    append_quoted_char(out, *c, '\'');
  }
  out += '\'';
}

}  // namespace otp::detail
