// term_reader's leaves: numbers, atoms, binaries, pids, ports, references and exports.

#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>

#include "term/etf_atom_text.hpp"
#include "term/etf_reader.hpp"
#include "term/etf_tags.hpp"

namespace otp::etf::detail {
namespace {

// FLOAT_EXT: the value as "%.20e" text, NUL-padded to 31 bytes.
constexpr std::size_t old_float_size = 31;

}  // namespace

bool term_reader::leaf(uint8_t t, std::size_t start, term& value) {
  switch (t) {
    case tag::small_integer:
      if (!need(1, "SMALL_INTEGER_EXT")) return false;
      value = term::small_int(u8());
      return true;
    case tag::integer:
      if (!need(4, "INTEGER_EXT")) return false;
      value = term::small_int(int32_t(u32()));
      return true;
    case tag::small_big:
      if (!need(1, "SMALL_BIG_EXT")) return false;
      return big(u8(), value);
    case tag::large_big:
      if (!need(4, "LARGE_BIG_EXT")) return false;
      return big(u32(), value);
    case tag::new_float: {
      if (!need(8, "NEW_FLOAT_EXT")) return false;
      const double d = std::bit_cast<double>(u64());
      if (!std::isfinite(d))
        return fail(decode_errc::bad_float, start, "NEW_FLOAT_EXT holds NaN or infinity");
      value = term(d);
      return true;
    }
    case tag::float_:
      return old_float(start, value);
    case tag::atom:
    case tag::small_atom:
    case tag::atom_utf8:
    case tag::small_atom_utf8: {
      atom a;
      if (!atom_value(t, start, a)) return false;
      value = term(a);
      return true;
    }
    case tag::nil:
      value = term();
      return true;
    case tag::string:
      return string_ext(value);
    case tag::binary: {
      if (!need(4, "BINARY_EXT")) return false;
      const uint32_t size = u32();
      if (!need(size, "BINARY_EXT data")) return false;
      value = binary(in_.substr(pos_, size));
      pos_ += size;
      return true;
    }
    case tag::bit_binary:
      return bit_binary(start, value);
    case tag::new_pid:
    case tag::pid:
      return pid_value(t, value);
    case tag::new_port:
    case tag::v4_port:
    case tag::port:
      return port_value(t, value);
    case tag::newer_reference:
    case tag::new_reference:
    case tag::reference:
      return ref_value(t, start, value);
    case tag::export_:
      return export_value(start, value);
    case tag::compressed:
      return fail(decode_errc::unsupported_tag, start,
                  "a compressed term (tag 80) may only follow the version byte, not sit inside a term");
    case tag::fun:
      return fail(decode_errc::unsupported_tag, start, "FUN_EXT (117) is obsolete since OTP 23");
    case tag::local:
      return fail(decode_errc::unsupported_tag, start,
                  "LOCAL_EXT (121) can only be decoded by the node that encoded it");
    case tag::atom_cache_ref: {
      atom a;
      if (!cached_atom(start, a)) return false;
      value = term(a);
      return true;
    }
    default:
      return fail(decode_errc::bad_tag, start, "unknown tag " + std::to_string(t));
  }
}

// SMALL_BIG_EXT / LARGE_BIG_EXT after the length: Sign:8 then `digits` little-endian bytes. Leading
// zero bytes (a non-canonical form the BEAM accepts) are dropped; values that fit 64 bits are built
// directly so that small values always get their small representation.
bool term_reader::big(std::size_t digits, term& value) {
  if (!need(1, "a big integer's sign")) return false;
  const bool negative = u8() != 0;
  if (!need(digits, "a big integer's digits")) return false;
  const unsigned char* magnitude = here();
  pos_ += digits;
  while (digits > 0 && magnitude[digits - 1] == 0) --digits;
  if (digits <= 8) {
    uint64_t m = 0;
    for (std::size_t i = digits; i-- > 0;) m = m << 8 | magnitude[i];
    if (!negative) {
      value = term(m);
    } else if (m <= uint64_t(INT64_MAX)) {
      value = term(-int64_t(m));
    } else if (m == uint64_t(INT64_MAX) + 1) {
      value = term(INT64_MIN);
    } else {
      value = integer_from_magnitude(true, {magnitude, digits});
    }
    return true;
  }
  value = integer_from_magnitude(negative, {magnitude, digits});
  return true;
}

bool term_reader::old_float(std::size_t start, term& value) {
  if (!need(old_float_size, "FLOAT_EXT")) return false;
  const char* text = in_.data() + pos_;
  const char* end = text + old_float_size;
  pos_ += old_float_size;
  const char* p = text;
  while (p < end && *p == ' ') ++p;
  if (p < end && *p == '+') ++p;
  double d = 0;
  const auto [rest, ec] = std::from_chars(p, end, d);
  bool ok = ec == std::errc() && std::isfinite(d);
  for (const char* q = rest; ok && q < end; ++q) ok = *q == '\0';
  if (!ok) return fail(decode_errc::bad_float, start, "FLOAT_EXT does not hold a finite number");
  value = term(d);
  return true;
}

bool term_reader::string_ext(term& value) {
  if (!need(2, "STRING_EXT")) return false;
  const uint16_t size = u16();
  if (!need(size, "STRING_EXT data") || !count_terms(size)) return false;
  std::vector<term> chars;
  chars.reserve(size);
  for (uint16_t i = 0; i < size; ++i) chars.push_back(term::small_int(here()[i]));
  pos_ += size;
  value = make_list(chars);
  return true;
}

// BIT_BINARY_EXT: Len:32 Bits:8 Data. Bits (1..8) of the last byte are used, from its high end; an
// empty bitstring has Bits 0. Other combinations are malformed, as erts judges them.
bool term_reader::bit_binary(std::size_t start, term& value) {
  if (!need(5, "BIT_BINARY_EXT")) return false;
  const uint32_t size = u32();
  const uint8_t bits = u8();
  if ((size == 0) != (bits == 0) || bits > 8) {
    return fail(decode_errc::bad_value, start,
                "BIT_BINARY_EXT with " + std::to_string(size) + " bytes cannot use " + std::to_string(bits) +
                    " bits of its last byte");
  }
  if (!need(size, "BIT_BINARY_EXT data")) return false;
  const std::string_view data = in_.substr(pos_, size);
  pos_ += size;
  value = size == 0 ? binary(data) : bitstring(data, (std::size_t(size) - 1) * 8 + bits);
  return true;
}

bool term_reader::atom_value(uint8_t t, std::size_t start, atom& value) {
  const bool utf8 = t == tag::atom_utf8 || t == tag::small_atom_utf8;
  const bool small = t == tag::small_atom || t == tag::small_atom_utf8;
  if (!need(small ? 1 : 2, "an atom's length")) return false;
  const std::size_t size = small ? u8() : u16();
  if (!need(size, "an atom's name")) return false;
  const std::string_view raw = in_.substr(pos_, size);
  pos_ += size;
  std::string converted;
  std::string_view name = raw;
  if (utf8) {
    if (size > max_atom_bytes) {
      return fail(decode_errc::bad_atom, start, "an atom of " + std::to_string(size) + " bytes is too long");
    }
    const auto chars = utf8_length(raw);
    if (!chars) return fail(decode_errc::bad_utf8, start, "an atom name is not valid UTF-8");
    if (*chars > max_atom_chars) {
      return fail(decode_errc::bad_atom, start,
                  "an atom of " + std::to_string(*chars) + " characters is too long (255 at most)");
    }
  } else {
    if (size > max_atom_chars) {
      return fail(decode_errc::bad_atom, start,
                  "an atom of " + std::to_string(size) + " characters is too long (255 at most)");
    }
    converted = latin1_to_utf8(raw);
    name = converted;
  }
  if (limits_.atoms == atom_policy::existing_only || limits_.allowance != nullptr) {
    if (const auto existing = atom::existing(name)) {
      value = *existing;
      return true;
    }
    if (limits_.atoms == atom_policy::existing_only) {
      return fail(decode_errc::unknown_atom, start,
                  "the atom '" + std::string(name) + "' does not exist and decode_limits forbid new atoms");
    }
    atom_allowance& allowance = *limits_.allowance;
    if (allowance.new_atoms_left == 0) {
      return fail(decode_errc::atom_allowance, start,
                  "a new atom '" + std::string(name) + "' beyond the allowance of new atoms");
    }
    if (atom_count() + allowance.keep_free >= atom_table_limit()) {
      return fail(decode_errc::atom_allowance, start,
                  "a new atom '" + std::string(name) + "' would take one of the " +
                      std::to_string(allowance.keep_free) + " atom table entries kept free");
    }
    --allowance.new_atoms_left;
  }
  try {
    value = atom(name);
  } catch (const atom_table_full& e) {
    return fail(decode_errc::atom_table_full, start, e.what());
  } catch (const atom_too_long& e) {
    return fail(decode_errc::bad_atom, start, e.what());
  }
  return true;
}

bool term_reader::node_atom(atom& value) {
  if (!need(1, "an atom")) return false;
  const std::size_t start = pos_;
  const uint8_t t = u8();
  if (t == tag::atom || t == tag::small_atom || t == tag::atom_utf8 || t == tag::small_atom_utf8) {
    return atom_value(t, start, value);
  }
  if (t == tag::atom_cache_ref) return cached_atom(start, value);
  return fail(decode_errc::bad_tag, start, "expected an atom, found tag " + std::to_string(t));
}

// ATOM_CACHE_REF: Index:8 into the atom cache of the distribution header (decode_limits::atom_cache).
bool term_reader::cached_atom(std::size_t start, atom& value) {
  if (!need(1, "ATOM_CACHE_REF")) return false;
  const uint8_t index = u8();
  if (index < limits_.atom_cache.size()) {
    value = limits_.atom_cache[index];
    return true;
  }
  if (limits_.atom_cache.empty()) {
    return fail(decode_errc::unsupported_tag, start,
                "ATOM_CACHE_REF (82) is only valid after a distribution header (decode_limits::atom_cache)");
  }
  return fail(decode_errc::unsupported_tag, start,
              "ATOM_CACHE_REF " + std::to_string(index) + " beyond the " +
                  std::to_string(limits_.atom_cache.size()) + " atoms of the distribution header");
}

// NEW_PID_EXT: Node ID:32 Serial:32 Creation:32. PID_EXT: the same with Creation:8.
bool term_reader::pid_value(uint8_t t, term& value) {
  otp::pid p;
  if (!node_atom(p.node)) return false;
  const bool wide = t == tag::new_pid;
  if (!need(wide ? 12 : 9, "a pid")) return false;
  p.id = u32();
  p.serial = u32();
  p.creation = wide ? u32() : u8();
  value = term(p);
  return true;
}

// NEW_PORT_EXT: Node ID:32 Creation:32. V4_PORT_EXT: Node ID:64 Creation:32. PORT_EXT: Node ID:32
// Creation:8.
bool term_reader::port_value(uint8_t t, term& value) {
  otp::port p;
  if (!node_atom(p.node)) return false;
  if (t == tag::v4_port) {
    if (!need(12, "V4_PORT_EXT")) return false;
    p.id = u64();
    p.creation = u32();
  } else if (t == tag::new_port) {
    if (!need(8, "NEW_PORT_EXT")) return false;
    p.id = u32();
    p.creation = u32();
  } else {
    if (!need(5, "PORT_EXT")) return false;
    p.id = u32();
    p.creation = u8();
  }
  value = term(p);
  return true;
}

// NEWER_REFERENCE_EXT: Len:16 Node Creation:32 ID:32 x Len. NEW_REFERENCE_EXT: the same with
// Creation:8. REFERENCE_EXT: Node ID:32 Creation:8.
bool term_reader::ref_value(uint8_t t, std::size_t start, term& value) {
  otp::ref r;
  std::size_t words = 1;
  if (t != tag::reference) {
    if (!need(2, "a reference's length")) return false;
    words = u16();
    if (words == 0 || words > otp::ref::max_words) {
      return fail(decode_errc::bad_value, start,
                  "a reference with " + std::to_string(words) + " id words (1 to 5 allowed)");
    }
  }
  if (!node_atom(r.node)) return false;
  r.len = uint32_t(words);
  if (t == tag::reference) {
    if (!need(5, "REFERENCE_EXT")) return false;
    r.ids[0] = u32();
    r.creation = u8();
  } else {
    const bool wide = t == tag::newer_reference;
    if (!need((wide ? 4 : 1) + 4 * words, "a reference")) return false;
    r.creation = wide ? u32() : u8();
    for (std::size_t i = 0; i < words; ++i) r.ids[i] = u32();
  }
  value = term(r);
  return true;
}

// EXPORT_EXT: Module Function Arity, the arity always as SMALL_INTEGER_EXT.
bool term_reader::export_value(std::size_t start, term& value) {
  atom module;
  atom function;
  if (!node_atom(module) || !node_atom(function) || !need(2, "EXPORT_EXT arity")) return false;
  if (u8() != tag::small_integer) {
    return fail(decode_errc::bad_tag, start, "EXPORT_EXT arity must be SMALL_INTEGER_EXT");
  }
  value = export_fun(module, function, u8());
  return true;
}

}  // namespace otp::etf::detail
