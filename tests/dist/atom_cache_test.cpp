// The distribution header's atom cache (erl_ext_dist, "Normal Distribution Header"): the bytes of
// the headers we write, our reader keeping its copy of the peer's cache in step, and headers a
// hostile peer could send. (Against erts itself: the Erlang interop tests, where both nodes set
// DFLAG_DIST_HDR_ATOM_CACHE.)

#include <gtest/gtest.h>
#include <unistd.h>

#include <otp/otp.hpp>

#include "dist/atom_cache.hpp"
#include "dist/socket.hpp"

using namespace otp;
using namespace otp::literals;
using namespace otp::dist::detail;

namespace {

const std::string header_start = {char(131), 'D'};

/// The header's bytes for `refs`, written here by hand from the format: each ref's half byte of
/// flags (NewCacheEntry:1, SegmentIndex:3, the first in the low half of the first byte), the
/// LongAtoms half byte, then per ref its InternalSegmentIndex and, if new, Length:8 and text.
std::string expected_header(const std::vector<std::pair<atom, bool>>& refs) {
  std::string h = header_start + char(refs.size());
  if (refs.empty()) return h;
  std::vector<uint8_t> halves;
  for (const auto& [a, is_new] : refs) halves.push_back(uint8_t((is_new ? 8 : 0) | atom_cache_entry(a) >> 8));
  halves.push_back(0);  // LongAtoms clear
  for (std::size_t i = 0; i < halves.size(); i += 2) {
    h += char(halves[i] | (i + 1 < halves.size() ? halves[i + 1] << 4 : 0));
  }
  for (const auto& [a, is_new] : refs) {
    h += char(atom_cache_entry(a) & 0xFF);
    if (!is_new) continue;
    h += char(a.name().size());
    h += a.name();
  }
  return h;
}

/// An atom, made here, that the sender puts in the same cache entry as `a`.
atom colliding_with(atom a) {
  for (int i = 0;; ++i) {
    const atom b("atom_cache_test_collision_" + std::to_string(i));
    if (b != a && atom_cache_entry(b) == atom_cache_entry(a)) return b;
  }
}

std::vector<atom> read_refs(input_atom_cache& in, std::string_view header,
                            const etf::decode_limits& limits = {}) {
  EXPECT_EQ(header.substr(0, 2), header_start);
  header.remove_prefix(2);
  const auto refs = in.read_header(header, limits);
  EXPECT_TRUE(header.empty()) << header.size() << " bytes after the header";
  return {refs.begin(), refs.end()};
}

}  // namespace

TEST(AtomCacheHeader, NewAtomsAreSpelledOnceThenReferredTo) {
  output_atom_cache out;
  const std::vector<atom> refs = {"abench_sink"_a, atom(), "msg"_a};  // odd: LongAtoms shares a byte
  std::string first;
  out.append_header(first, refs);
  EXPECT_EQ(first, expected_header({{refs[0], true}, {refs[1], true}, {refs[2], true}}));
  std::string second;
  out.append_header(second, std::vector<atom>{refs[2], refs[0]});  // even: LongAtoms has a byte of its own
  EXPECT_EQ(second, expected_header({{refs[2], false}, {refs[0], false}}));
  std::string none;
  out.append_header(none, {});
  EXPECT_EQ(none, header_start + '\0');  // no refs: no flags either

  input_atom_cache in;
  EXPECT_EQ(read_refs(in, first), refs);
  EXPECT_EQ(read_refs(in, second), (std::vector<atom>{refs[2], refs[0]}));
  EXPECT_TRUE(read_refs(in, none).empty());
}

// Two atoms the sender puts in one entry evict each other: the one written last is the one the
// entry holds, on both sides, also when both are in the same header.
TEST(AtomCacheHeader, AtomsSharingAnEntryEvictEachOther) {
  const atom a("atom_cache_test_a"), b = colliding_with(a);
  output_atom_cache out;
  input_atom_cache in;
  std::string h;
  out.append_header(h, std::vector<atom>{a, b});
  EXPECT_EQ(h, expected_header({{a, true}, {b, true}}));
  EXPECT_EQ(read_refs(in, h), (std::vector<atom>{a, b}));
  h.clear();
  out.append_header(h, std::vector<atom>{b});
  EXPECT_EQ(h, expected_header({{b, false}}));
  EXPECT_EQ(read_refs(in, h), std::vector<atom>{b});
  h.clear();
  out.append_header(h, std::vector<atom>{a});
  EXPECT_EQ(h, expected_header({{a, true}}));
  EXPECT_EQ(read_refs(in, h), std::vector<atom>{a});
}

// An atom of more than 255 bytes (at most 255 characters, up to 4 bytes each) sets LongAtoms, and
// every new atom of that header then has a 2-byte length.
TEST(AtomCacheHeader, LongAtomsTakeTwoByteLengths) {
  std::string long_name;
  for (int i = 0; i < 200; ++i) long_name += "\xc3\xa9";  // é: 200 characters, 400 bytes
  const atom long_atom(long_name), short_atom("atom_cache_test_short");
  for (const std::vector<atom>& refs :
       {std::vector<atom>{long_atom}, std::vector<atom>{short_atom, long_atom}}) {
    output_atom_cache out;
    std::string h;
    out.append_header(h, refs);
    // The LongAtoms half byte comes after the refs' ones: in the high half of the last byte for
    // an odd count, the low half of a byte of its own for an even count.
    const std::size_t count = refs.size();
    const auto last_flags = uint8_t(h[3 + count / 2]);
    EXPECT_EQ(count % 2 == 1 ? last_flags >> 4 : last_flags & 0xF, 1) << count << " refs";
    // The short atom's length is two bytes too.
    if (count == 2) {
      EXPECT_EQ(load_u16(h.data() + 3 + 2 + 1), short_atom.name().size());
    }
    input_atom_cache in;
    EXPECT_EQ(read_refs(in, h), refs);
  }
}

// What a hostile peer could send: every one is refused with an exception (the connection then
// goes down), never read beyond the frame, and never interns more atoms than allowed.
TEST(AtomCacheHeader, MalformedHeadersAreRefused) {
  output_atom_cache out;
  std::string valid;
  out.append_header(valid, std::vector<atom>{"atom_cache_test_x"_a, "atom_cache_test_y"_a});
  for (std::size_t n = 2; n < valid.size(); ++n) {
    input_atom_cache in;
    std::string_view truncated = std::string_view(valid).substr(2, n - 2);
    EXPECT_THROW(in.read_header(truncated, {}), std::invalid_argument) << "cut after " << n << " bytes";
  }

  // A ref to an entry no header filled.
  input_atom_cache in;
  std::string unfilled = {1, 0x3, 0x21};  // one ref, not new, segment 3, entry 3*256+0x21
  std::string_view v = unfilled;
  EXPECT_THROW(in.read_header(v, {}), std::invalid_argument);

  // A new entry whose text is no UTF-8, or an atom past 255 characters.
  std::string bad_utf8 = {1, 0x8, 0x0, 2, char(0xc3), char(0x28)};
  v = bad_utf8;
  EXPECT_THROW(in.read_header(v, {}), std::invalid_argument);
  std::string too_long = {1, 0x18, 0x0};  // a new ref; LongAtoms in the flags' high half
  store_u16(too_long, 256);
  too_long += std::string(256, 'a');
  v = too_long;
  EXPECT_THROW(in.read_header(v, {}), std::invalid_argument);

  // A new atom past the connection's allowance; an existing one costs nothing.
  etf::atom_allowance none{0, 0};
  etf::decode_limits limits;
  limits.allowance = &none;
  const std::string fresh = "atom_cache_test_fresh_" + std::to_string(::getpid());
  std::string new_atom = {1, 0x8, 0x5, char(fresh.size())};
  new_atom += fresh;
  v = new_atom;
  EXPECT_THROW(in.read_header(v, limits), std::invalid_argument);
  EXPECT_FALSE(atom::existing(fresh).has_value());
  std::string known = {1, 0x8, 0x5, 2, 'o', 'k'};
  v = known;
  EXPECT_EQ(in.read_header(v, limits).front(), atoms::ok);
}

// The two sides stay in step over many frames: random sets of atoms, drawn from more atoms than
// the cache has entries (so entries are evicted and refilled all the time), each read back as
// written. A fixed seed keeps it repeatable.
TEST(AtomCacheHeader, BothSidesStayInStepOverManyFrames) {
  std::vector<atom> pool;
  for (int i = 0; i < 3000; ++i) pool.emplace_back("atom_cache_test_pool_" + std::to_string(i));
  uint64_t state = 0x5eed;
  auto next = [&](std::size_t bound) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return std::size_t(state >> 33) % bound;
  };
  output_atom_cache out;
  input_atom_cache in;
  std::size_t new_entries = 0, referred = 0;
  for (int frame = 0; frame < 2000; ++frame) {
    etf::atom_cache_refs refs;
    const std::size_t wanted = 1 + next(40);
    for (std::size_t i = 0; i < wanted; ++i) {
      // Mostly a small hot set (so many refs hit the cache), sometimes any of the pool.
      refs.index_of(pool[next(4) == 0 ? next(pool.size()) : next(64)]);
    }
    std::string h;
    out.append_header(h, refs.atoms());
    for (std::size_t at = h.find("_pool_"); at != std::string::npos; at = h.find("_pool_", at + 1)) {
      ++new_entries;  // once per atom spelled out
    }
    referred += refs.atoms().size();
    ASSERT_EQ(read_refs(in, h), std::vector<atom>(refs.atoms().begin(), refs.atoms().end()))
        << "frame " << frame;
  }
  // Both kinds of ref occurred in numbers.
  EXPECT_GT(new_entries, 1000u);
  EXPECT_LT(new_entries, referred / 2);
}
