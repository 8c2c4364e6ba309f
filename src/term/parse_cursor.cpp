// Scalars of Erlang term text, following erl_scan's rules for the forms a term literal can take:
// integers (with _ separators and Base#digits), floats (digits on both sides of the point),
// $c characters, bare and quoted atoms, strings (adjacent ones concatenate), binaries, pids
// <N.ID.Serial>, #Ref<...>, #Port<...> and fun M:F/A.

#include <charconv>
#include <cmath>
#include <cstdint>
#include <stdexcept>

#include "term/bignum.hpp"
#include "term/nodes.hpp"
#include "term/parse_cursor.hpp"
#include "term/text.hpp"
#include "term/utf8.hpp"

namespace otp::detail {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

std::string to_utf8(const std::u32string& s) {
  std::string out;
  for (char32_t c : s) append_utf8(out, uint32_t(c));
  return out;
}

// Bits of a binary literal, written from the most significant end.
struct bit_writer {
  std::string bytes;
  std::size_t bits = 0;
  void put(uint64_t value, unsigned count) {
    for (unsigned k = count; k-- > 0;) {
      if (bits % 8 == 0) bytes += '\0';
      if (value >> k & 1) bytes.back() = char(uint8_t(bytes.back()) | uint8_t(0x80 >> (bits % 8)));
      ++bits;
    }
  }
};

}  // namespace

void parse_cursor::skip_space() noexcept {
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      ++pos_;
    } else if (c == '%') {
      while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
    } else {
      return;
    }
  }
}

bool parse_cursor::eat(std::string_view token) noexcept {
  if (text_.substr(pos_, token.size()) != token) return false;
  pos_ += token.size();
  return true;
}

void parse_cursor::fail(std::string message) noexcept { fail_at(pos_, std::move(message)); }

void parse_cursor::fail_at(std::size_t offset, std::string message) noexcept {
  if (!error_) error_ = parse_error{std::move(message), offset};
}

std::optional<term> parse_cursor::scalar() {
  const char c = peek();
  if (is_digit(c) || ((c == '-' || c == '+') && is_digit(peek(1)))) return number();
  if (c == '$') return char_literal();
  if (c == '\'') return quoted_atom();
  if (c == '"') return strings();
  if (c == '<' && peek(1) == '<') return binary_literal();
  if (c == '<') return pid_literal();
  if (c == '#') return hash_literal();
  if (text_.substr(pos_, 3) == "fun" && !is_atom_char(uint8_t(peek(3)))) return fun_literal();
  std::size_t probe = pos_;
  if (auto cp = next_code_point(text_, probe); cp && is_lower_letter(*cp)) return bare_atom();
  if (c == '\0' && at_end()) {
    fail("unexpected end of input");
  } else if (auto cp2 = next_code_point(text_, probe = pos_); cp2 && (is_upper_letter(*cp2) || *cp2 == '_')) {
    fail("variables are not terms");
  } else {
    fail(std::string("unexpected character '") + c + "'");
  }
  return std::nullopt;
}

// ---- numbers -------------------------------------------------------------------------------------

std::optional<term> parse_cursor::number() {
  const std::size_t start = pos_;
  bool negative = false;
  if (peek() == '-' || peek() == '+') {
    negative = peek() == '-';
    ++pos_;
    skip_space();
  }
  // Digits with optional _ separators (1_000_000), validated against `base` later.
  auto digits = [&](int base, std::string& out) {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (digit_value(c) < base) {
        out += c;
      } else if (c == '_' && !out.empty() && pos_ + 1 < text_.size() && digit_value(text_[pos_ + 1]) < base) {
        // separator: skip
      } else {
        break;
      }
      ++pos_;
    }
  };
  std::string whole;
  digits(10, whole);
  if (whole.empty()) {
    fail("expected digits");
    return std::nullopt;
  }
  if (peek() == '#') {
    const int base = std::stoi(whole);
    if (base < 2 || base > 36) {
      fail_at(start, "integer base must be between 2 and 36");
      return std::nullopt;
    }
    ++pos_;
    std::string ds;
    digits(base, ds);
    if (ds.empty()) {
      fail("expected base-" + std::to_string(base) + " digits");
      return std::nullopt;
    }
    std::vector<uint32_t> limbs;
    for (char d : ds) limbs_mul_add(limbs, uint32_t(base), uint32_t(digit_value(d)));
    return make_integer(negative, std::move(limbs));
  }
  if (peek() == '.' && is_digit(peek(1))) {
    ++pos_;
    std::string frac;
    digits(10, frac);
    std::string text = (negative ? "-" : "") + whole + "." + frac;
    if (peek() == 'e' || peek() == 'E') {
      std::size_t save = pos_;
      ++pos_;
      std::string exp_sign;
      if (peek() == '-' || peek() == '+') exp_sign = std::string(1, text_[pos_++]);
      std::string exp;
      digits(10, exp);
      if (exp.empty()) {
        pos_ = save;
      } else {
        text += "e" + exp_sign + exp;
      }
    }
    double value = 0;
    const auto res = std::from_chars(text.data(), text.data() + text.size(), value);
    if (res.ec != std::errc() || !std::isfinite(value)) {
      fail_at(start, "float out of range");
      return std::nullopt;
    }
    return term(value);
  }
  return integer_from_string((negative ? "-" : "") + whole);
}

std::optional<term> parse_cursor::char_literal() {
  ++pos_;  // $
  std::optional<uint32_t> c;
  if (peek() == '\\') {
    ++pos_;
    c = escape();
  } else {
    c = code_point();
  }
  if (!c) return std::nullopt;
  return term(int64_t(*c));
}

// ---- atoms and strings ---------------------------------------------------------------------------

std::optional<uint32_t> parse_cursor::code_point() {
  if (at_end()) {
    fail("unexpected end of input");
    return std::nullopt;
  }
  auto cp = next_code_point(text_, pos_);
  if (!cp) fail("invalid UTF-8");
  return cp;
}

std::optional<uint32_t> parse_cursor::escape() {
  const char c = peek();
  if (at_end()) {
    fail("unexpected end of input in escape");
    return std::nullopt;
  }
  if (c >= '0' && c <= '7') {
    uint32_t v = 0;
    for (int k = 0; k < 3 && peek() >= '0' && peek() <= '7'; ++k) v = v * 8 + uint32_t(text_[pos_++] - '0');
    return v;
  }
  ++pos_;
  switch (c) {
    case 'b':
      return 8;
    case 'd':
      return 127;
    case 'e':
      return 27;
    case 'f':
      return 12;
    case 'n':
      return 10;
    case 'r':
      return 13;
    case 's':
      return 32;
    case 't':
      return 9;
    case 'v':
      return 11;
    case '^': {
      const char k = peek();
      if (at_end()) break;
      ++pos_;
      return uint32_t(k) & 31;
    }
    case 'x': {
      uint32_t v = 0;
      if (eat("{")) {
        int n = 0;
        while (digit_value(peek()) < 16) {
          v = v * 16 + uint32_t(digit_value(text_[pos_++]));
          if (++n > 8) break;
        }
        if (n == 0 || n > 8 || !eat("}") || !is_scalar(v)) break;
        return v;
      }
      for (int k = 0; k < 2; ++k) {
        if (digit_value(peek()) >= 16) {
          fail("bad \\x escape");
          return std::nullopt;
        }
        v = v * 16 + uint32_t(digit_value(text_[pos_++]));
      }
      return v;
    }
    default: {
      --pos_;
      return code_point();  // \\ \' \" and any other character stand for themselves
    }
  }
  fail("bad escape sequence");
  return std::nullopt;
}

std::optional<std::u32string> parse_cursor::quoted(char quote) {
  const std::size_t start = pos_;
  ++pos_;
  std::u32string out;
  while (true) {
    if (at_end()) {
      fail_at(start, std::string("unterminated ") + (quote == '"' ? "string" : "quoted atom"));
      return std::nullopt;
    }
    const char c = text_[pos_];
    if (c == quote) {
      ++pos_;
      return out;
    }
    std::optional<uint32_t> cp;
    if (c == '\\') {
      ++pos_;
      cp = escape();
    } else {
      cp = code_point();
    }
    if (!cp) return std::nullopt;
    out += char32_t(*cp);
  }
}

std::optional<term> parse_cursor::atom_from(const std::u32string& name, std::size_t start) {
  try {
    return term(atom(to_utf8(name)));
  } catch (const std::exception& e) {  // atom_too_long, atom_table_full
    fail_at(start, e.what());
    return std::nullopt;
  }
}

std::optional<term> parse_cursor::bare_atom() {
  const std::size_t start = pos_;
  std::u32string name;
  while (!at_end()) {
    std::size_t probe = pos_;
    auto cp = next_code_point(text_, probe);
    if (!cp || !is_atom_char(*cp)) break;
    name += char32_t(*cp);
    pos_ = probe;
  }
  return atom_from(name, start);
}

std::optional<term> parse_cursor::quoted_atom() {
  const std::size_t start = pos_;
  auto name = quoted('\'');
  if (!name) return std::nullopt;
  return atom_from(*name, start);
}

std::optional<term> parse_cursor::strings() {
  std::u32string all;
  // Adjacent string literals form one string, as in Erlang source ("ab" "cd").
  do {
    auto s = quoted('"');
    if (!s) return std::nullopt;
    all += *s;
    skip_space();
  } while (peek() == '"');
  std::vector<term> chars;
  chars.reserve(all.size());
  for (char32_t c : all) chars.emplace_back(int64_t(c));
  return make_list(chars);
}

// ---- binaries ------------------------------------------------------------------------------------

std::optional<term> parse_cursor::binary_literal() {
  pos_ += 2;  // <<
  bit_writer out;
  skip_space();
  if (eat(">>")) return bitstring(out.bytes, out.bits);
  while (true) {
    skip_space();
    const std::size_t seg_start = pos_;
    std::u32string text;
    std::optional<term> value;
    if (peek() == '"') {
      auto s = quoted('"');
      if (!s) return std::nullopt;
      text = *s;
    } else {
      value = scalar();
      if (!value) return std::nullopt;
      if (!value->is_integer()) {
        fail_at(seg_start, "binary segments must be integers or strings");
        return std::nullopt;
      }
    }
    skip_space();
    std::optional<uint64_t> size;
    if (eat(":")) {
      skip_space();
      size = unsigned_number();
      if (!size) return std::nullopt;
      if (*size > 64) {
        fail("segment sizes above 64 bits are not supported");
        return std::nullopt;
      }
    }
    bool utf8 = false;
    if (eat("/")) {
      // Type specifiers: utf8 changes the encoding; integer/big/unsigned are the defaults.
      do {
        const std::size_t spec_start = pos_;
        while (!at_end() && (is_atom_char(uint8_t(peek())))) ++pos_;
        const std::string_view spec = text_.substr(spec_start, pos_ - spec_start);
        if (spec == "utf8") {
          utf8 = true;
        } else if (spec != "integer" && spec != "big" && spec != "unsigned") {
          fail_at(spec_start, "unsupported binary type '" + std::string(spec) + "'");
          return std::nullopt;
        }
      } while (eat("-"));
    }
    auto put_char = [&](uint64_t c) {
      if (utf8) {
        if (c > 0x10FFFF || !is_scalar(uint32_t(c))) return false;
        std::string enc;
        append_utf8(enc, uint32_t(c));
        for (char b : enc) out.put(uint8_t(b), 8);
      } else {
        out.put(c, unsigned(size.value_or(8)));
      }
      return true;
    };
    bool ok = true;
    if (value) {
      // Negative integers are written in two's complement, truncated to the segment size.
      const auto v = value->to_int64();
      ok = v.has_value() && put_char(uint64_t(*v));
    } else {
      for (char32_t c : text) ok = ok && put_char(c);
    }
    if (!ok || (utf8 && size)) {
      fail_at(seg_start, "bad binary segment");
      return std::nullopt;
    }
    skip_space();
    if (eat(">>")) return bitstring(out.bytes, out.bits);
    if (!eat(",")) {
      fail("expected ',' or '>>' in binary");
      return std::nullopt;
    }
  }
}

// ---- identifiers ---------------------------------------------------------------------------------

std::optional<uint64_t> parse_cursor::unsigned_number() {
  uint64_t v = 0;
  const std::size_t start = pos_;
  while (is_digit(peek())) {
    const uint64_t d = uint64_t(text_[pos_++] - '0');
    if (v > (UINT64_MAX - d) / 10) {
      fail_at(start, "number too large");
      return std::nullopt;
    }
    v = v * 10 + d;
  }
  if (pos_ == start) {
    fail("expected a number");
    return std::nullopt;
  }
  return v;
}

std::optional<term> parse_cursor::pid_literal() {
  const std::size_t start = pos_;
  ++pos_;  // <
  uint64_t parts[3];
  for (int k = 0; k < 3; ++k) {
    if (k && !eat(".")) {
      fail("expected '.' in pid");
      return std::nullopt;
    }
    auto n = unsigned_number();
    if (!n) return std::nullopt;
    parts[k] = *n;
  }
  if (!eat(">")) {
    fail("expected '>' after pid");
    return std::nullopt;
  }
  const auto node = node_from_print_index(uint32_t(parts[0]));
  if (!node || parts[0] > UINT32_MAX || parts[1] > UINT32_MAX || parts[2] > UINT32_MAX) {
    fail_at(start, "unknown node number in pid");
    return std::nullopt;
  }
  const uint32_t creation = parts[0] == 0 ? local_node().creation : 0;
  return term(pid{*node, uint32_t(parts[1]), uint32_t(parts[2]), creation});
}

std::optional<term> parse_cursor::hash_literal() {
  const std::size_t start = pos_;
  const bool is_ref = eat("#Ref<");
  if (!is_ref && !eat("#Port<")) {
    fail("unexpected '#'");
    return std::nullopt;
  }
  std::vector<uint64_t> parts;
  do {
    auto n = unsigned_number();
    if (!n) return std::nullopt;
    parts.push_back(*n);
  } while (eat("."));
  if (!eat(">")) {
    fail("expected '>'");
    return std::nullopt;
  }
  const auto node = parts[0] <= UINT32_MAX ? node_from_print_index(uint32_t(parts[0])) : std::nullopt;
  if (!node) {
    fail_at(start, "unknown node number");
    return std::nullopt;
  }
  const uint32_t creation = parts[0] == 0 ? local_node().creation : 0;
  if (!is_ref) {
    if (parts.size() != 2) {
      fail_at(start, "a port is #Port<Node.Id>");
      return std::nullopt;
    }
    return term(port{*node, parts[1], creation});
  }
  if (parts.size() < 2 || parts.size() > ref::max_words + 1) {
    fail_at(start, "a reference has 1 to 5 id words");
    return std::nullopt;
  }
  ref r{*node, creation, uint8_t(parts.size() - 1), {}};
  for (std::size_t k = 1; k < parts.size(); ++k) {
    if (parts[k] > UINT32_MAX) {
      fail_at(start, "reference word out of range");
      return std::nullopt;
    }
    r.ids[parts.size() - 1 - k] = uint32_t(parts[k]);  // printed most significant first
  }
  return term(r);
}

std::optional<term> parse_cursor::fun_literal() {
  pos_ += 3;  // fun
  skip_space();
  auto name = [&]() -> std::optional<term> {
    std::size_t probe = pos_;
    if (peek() == '\'') return quoted_atom();
    if (auto cp = next_code_point(text_, probe); cp && is_lower_letter(*cp)) return bare_atom();
    fail("expected an atom in fun M:F/A");
    return std::nullopt;
  };
  auto m = name();
  if (!m) return std::nullopt;
  skip_space();
  if (!eat(":")) {
    fail("expected ':' in fun M:F/A");
    return std::nullopt;
  }
  skip_space();
  auto f = name();
  if (!f) return std::nullopt;
  skip_space();
  if (!eat("/")) {
    fail("expected '/' in fun M:F/A");
    return std::nullopt;
  }
  skip_space();
  auto a = unsigned_number();
  if (!a) return std::nullopt;
  if (*a > 255) {
    fail("fun arity above 255");
    return std::nullopt;
  }
  return export_fun(m->as_atom(), f->as_atom(), uint8_t(*a));
}

}  // namespace otp::detail
