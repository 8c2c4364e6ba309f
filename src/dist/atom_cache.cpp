// The distribution header's atom cache: writing headers for our frames, reading the peer's.

#include "dist/atom_cache.hpp"

#include <stdexcept>

#include "dist/socket.hpp"

namespace otp::dist::detail {

namespace {

constexpr uint8_t new_entry_flag = 0x8;
constexpr uint8_t long_atoms_flag = 0x1;
constexpr uint8_t atom_utf8_tag = 118;  // ATOM_UTF8_EXT: Len:16, Text

/// Sets half byte `i` of the flags that start at `flags` (ref i's, or the last one's).
void set_half_byte(std::string& out, std::size_t flags, std::size_t i, uint8_t value) {
  auto& byte = reinterpret_cast<unsigned char&>(out[flags + i / 2]);
  byte = uint8_t(byte | (i % 2 == 0 ? value : value << 4));
}

uint8_t half_byte(std::string_view flags, std::size_t i) {
  const auto byte = uint8_t(flags[i / 2]);
  return i % 2 == 0 ? byte & 0xF : byte >> 4;
}

}  // namespace

std::size_t atom_cache_entry(atom a) noexcept {
  return std::size_t((uint64_t(a.index()) * 0x9E3779B97F4A7C15ull) >> 53) % atom_cache_entries;
}

void output_atom_cache::append_header(std::string& out, std::span<const atom> refs) {
  out += char(etf::version_magic);
  out += char(dist_header_tag);
  out += char(uint8_t(refs.size()));
  if (refs.empty()) return;
  const std::size_t flags = out.size();
  out.append(refs.size() / 2 + 1, '\0');
  // LongAtoms is one flag for the whole header: the 2-byte lengths only if a new atom needs them.
  bool long_atoms = false;
  struct placed {
    std::size_t entry;
    bool is_new;
  };
  std::array<placed, etf::atom_cache_refs::capacity> place{};
  for (std::size_t i = 0; i < refs.size(); ++i) {
    const std::size_t entry = atom_cache_entry(refs[i]);
    const bool is_new = !filled_[entry] || entries_[entry] != refs[i];
    place[i] = {entry, is_new};
    if (is_new) {
      entries_[entry] = refs[i];
      filled_[entry] = true;
      long_atoms = long_atoms || refs[i].name().size() > 255;
    }
    set_half_byte(out, flags, i, uint8_t((is_new ? new_entry_flag : 0) | (entry >> 8)));
  }
  if (long_atoms) set_half_byte(out, flags, refs.size(), long_atoms_flag);
  for (std::size_t i = 0; i < refs.size(); ++i) {
    out += char(uint8_t(place[i].entry & 0xFF));
    if (!place[i].is_new) continue;
    const std::string_view name = refs[i].name();
    if (long_atoms) {
      store_u16(out, uint16_t(name.size()));
    } else {
      out += char(uint8_t(name.size()));
    }
    out += name;
  }
}

std::span<const atom> input_atom_cache::read_header(std::string_view& frame,
                                                    const etf::decode_limits& limits) {
  auto need = [&](std::size_t n, const char* what) {
    if (frame.size() < n) throw std::invalid_argument(std::string("distribution header ends inside ") + what);
  };
  need(1, "its number of atom cache refs");
  const std::size_t count = uint8_t(frame[0]);
  frame.remove_prefix(1);
  if (count == 0) return {};
  const std::size_t flag_bytes = count / 2 + 1;
  need(flag_bytes, "its flags");
  const std::string_view flags = frame.substr(0, flag_bytes);
  frame.remove_prefix(flag_bytes);
  const bool long_atoms = (half_byte(flags, count) & long_atoms_flag) != 0;
  for (std::size_t i = 0; i < count; ++i) {
    const uint8_t f = half_byte(flags, i);
    need(1, "an atom cache ref");
    const std::size_t entry = std::size_t(f & 0x7) << 8 | uint8_t(frame[0]);
    frame.remove_prefix(1);
    if ((f & new_entry_flag) == 0) {
      if (!filled_[entry]) {
        throw std::invalid_argument("distribution header refers to atom cache entry " +
                                    std::to_string(entry) + ", which no earlier header filled");
      }
      refs_[i] = entries_[entry];
      continue;
    }
    need(long_atoms ? 2 : 1, "an atom's length");
    const std::size_t length = long_atoms ? load_u16(frame.data()) : uint8_t(frame[0]);
    frame.remove_prefix(long_atoms ? 2 : 1);
    need(length, "an atom's text");
    // Made as the decoder makes an ATOM_UTF8_EXT, so the same checks (UTF-8, length, the
    // connection's allowance of new atoms) apply.
    std::string encoded(1, char(atom_utf8_tag));
    store_u16(encoded, uint16_t(length));
    encoded.append(frame.substr(0, length));
    frame.remove_prefix(length);
    etf::decode_limits atom_limits = limits;
    atom_limits.atom_cache = {};
    auto made = etf::decode_body(encoded, atom_limits);
    if (!made) throw std::invalid_argument("distribution header atom: " + made.error().message);
    entries_[entry] = made->as_atom();
    filled_[entry] = true;
    refs_[i] = entries_[entry];
  }
  return {refs_.data(), count};
}

}  // namespace otp::dist::detail
