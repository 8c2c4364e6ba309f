#pragma once
// The atom cache of the distribution header (erl_ext_dist, "Normal Distribution Header"), used
// when both nodes set DFLAG_DIST_HDR_ATOM_CACHE. Each direction of a connection has a cache of
// 2048 atoms (8 segments of 256) that only the sender writes: a frame's header lists the atoms its
// terms refer to by ATOM_CACHE_REF, spelling out those it puts into the cache and naming the
// others by their entry. The receiver keeps its copy in step by reading the headers in order, so
// an atom crosses the connection in full once, not in every message.
//
//   131, 68, NumberOfAtomCacheRefs:8, Flags, AtomCacheRefs
//   Flags: a half byte per ref (NewCacheEntry:1, SegmentIndex:3; the first ref in the low half of
//          the first byte), then a half byte whose bit 0 is LongAtoms; absent when there are no refs
//   ref:   InternalSegmentIndex:8, and for a new entry Length (16 bits with LongAtoms, else 8) and
//          the atom's UTF-8 text

#include <array>
#include <bitset>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include <otp/term/atom.hpp>
#include <otp/term/etf.hpp>

namespace otp::dist::detail {

inline constexpr uint8_t dist_header_tag = 68;  // 'D', after the version byte 131
inline constexpr std::size_t atom_cache_entries = 2048;

/// The cache entry the sending side puts `a` in: any fixed choice works (the header names the
/// entry); a hash spreads a frame's atoms so they rarely evict each other.
std::size_t atom_cache_entry(atom a) noexcept;

/// The sending side: which atom each entry of the peer's cache holds.
class output_atom_cache {
 public:
  /// Appends 131, 68 and the header for `refs` (at most 255 atoms, as the frame's terms number
  /// them), and records the entries it fills. Frames must reach the peer in the order their
  /// headers were made.
  void append_header(std::string& out, std::span<const atom> refs);

 private:
  std::array<atom, atom_cache_entries> entries_{};
  std::bitset<atom_cache_entries> filled_;
};

/// The receiving side: the peer's cache as its headers have filled it.
class input_atom_cache {
 public:
  /// Reads the header at the front of `frame` (just after 131, 68) and moves `frame` past it.
  /// New entries' atoms are made under `limits` (the connection's atom allowance). Returns the
  /// atoms the frame's ATOM_CACHE_REFs stand for, valid until the next call. Throws
  /// std::invalid_argument for a malformed header or a reference to an entry never filled.
  std::span<const atom> read_header(std::string_view& frame, const etf::decode_limits& limits);

 private:
  std::array<atom, atom_cache_entries> entries_{};
  std::bitset<atom_cache_entries> filled_;
  std::array<atom, etf::atom_cache_refs::capacity> refs_{};
};

}  // namespace otp::dist::detail
