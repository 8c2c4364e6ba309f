// ETF round trips: every kind of term survives encode → decode, and the API variants (prefix, body,
// append, size, compression) agree with each other.

#include <gtest/gtest.h>

#include <vector>

#include <otp/term/etf.hpp>

#include "term/etf_test_util.hpp"

using namespace otp;
using namespace otp::etf;
using otp::etf::testing::bytes;
using otp::etf::testing::must_decode;
using otp::etf::testing::show;

namespace {

std::vector<term> samples() {
  const atom node("remote@host");
  ref r5{node, 0xFFFFFFFFu, 5, {1, 2, 3, 4, 5}};
  std::vector<std::pair<term, term>> big_map;
  for (int i = 0; i < 100; ++i) big_map.emplace_back(i % 2 ? term(i) : term(double(i) + 0.5), list(i));
  std::vector<term> many(300, term(atom("x")));
  return {
      term(0),
      term(-7),
      term(term::small_max),
      term(term::small_min),
      term(uint64_t(UINT64_MAX)),
      integer_from_string("-123456789012345678901234567890123456789012345678901234567890"),
      term(2.5e-308),
      term(-1.0e308),
      term(atom("\xF0\x9F\x98\x80 emoji")),
      tuple(),
      otp::make_tuple(many),
      list(1, list(2, list(3)), atom("end")),
      make_list(std::vector<term>{1, 2.0, atom("three")}, binary("tail")),
      string("h\xC3\xA9llo w\xC3\xB6rld"),  // code points above 255: LIST_EXT
      binary(std::string(70000, 'z')),
      bitstring("\xAB\xCD\xE0", 19),
      bitstring("\x80", 1),
      map({{tuple(1, 2), map({{atom("deep"), list(map({}))}})}, {binary("k"), term()}}),
      make_map(big_map),
      term(pid{node, 1u << 31, 0xFFFFFFFFu, 0xDEADBEEFu}),
      term(port{node, 5, 7}),
      term(port{node, uint64_t(1) << 40, 7}),
      term(r5),
      term(ref{node, 1, 1, {42}}),
      export_fun(atom("m"), atom("f"), 255),
      tuple(atoms::gen_call, tuple(term(pid{node, 3, 0, 1}), list(atoms::alias, term(r5))), atom("req")),
  };
}

}  // namespace

TEST(EtfRoundTrip, EveryKindOfTerm) {
  for (const term& t : samples()) {
    const std::string b = encode(t);
    const auto back = decode(b);
    ASSERT_TRUE(back) << to_string(t) << ": " << back.error().message;
    EXPECT_EQ(*back, t) << to_string(t);
    EXPECT_EQ(encode(*back), b) << to_string(t);
    EXPECT_EQ(encoded_body_size(t) + 1, b.size()) << to_string(t);
  }
}

TEST(EtfRoundTrip, CompressedAtEveryLevel) {
  for (const term& t : samples()) {
    for (int level = 1; level <= 9; ++level) {
      const std::string b = encode(t, {.compression_level = level});
      ASSERT_LE(b.size(), encode(t).size());
      const auto back = decode(b);
      ASSERT_TRUE(back) << back.error().message;
      EXPECT_EQ(*back, t) << to_string(t);
    }
  }
  // A compressible term does get tag 80.
  const std::string b = encode(binary(std::string(10000, 'a')), {.compression_level = 6});
  EXPECT_EQ(uint8_t(b[1]), 80);
  EXPECT_LT(b.size(), 200u);
}

TEST(EtfRoundTrip, BodyVariantsOmitTheVersionByte) {
  for (const term& t : samples()) {
    const std::string body = encode_body(t);
    EXPECT_EQ(std::string(1, char(131)) + body, encode(t));
    const auto back = decode_body(body);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, t);
  }
  // A compressed term is not a valid body, nor is a leading version byte.
  EXPECT_EQ(decode_body(encode(term(1))).error().code, decode_errc::bad_tag);
  EXPECT_EQ(decode_body(bytes({80, 0, 0, 0, 1, 120})).error().code, decode_errc::unsupported_tag);
}

// The distribution layer reads a control tuple and then a payload from one buffer.
TEST(EtfRoundTrip, PrefixDecodingReportsBytesConsumed) {
  const term control = tuple(2, atom(""), term(pid{atom("a@b"), 1, 0, 1}));
  const term payload = map({{atom("k"), binary("v")}});
  std::string buffer;
  encode_to(buffer, control);
  const std::size_t first = buffer.size();
  encode_to(buffer, payload, {.compression_level = 9});
  buffer += "rest";

  const auto c = decode_prefix(buffer);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->value, control);
  EXPECT_EQ(c->consumed, first);
  const auto p = decode_prefix(std::string_view(buffer).substr(first));
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->value, payload);
  EXPECT_EQ(std::string_view(buffer).substr(first + p->consumed), "rest");

  std::string bodies = encode_body(control) + encode_body(payload);
  const auto b1 = decode_body_prefix(bodies);
  ASSERT_TRUE(b1);
  const auto b2 = decode_body(std::string_view(bodies).substr(b1->consumed));
  ASSERT_TRUE(b2);
  EXPECT_EQ(*b2, payload);
}

TEST(EtfRoundTrip, EncodeToAppendsAndLeavesOutputAloneOnError) {
  std::string out = "head";
  encode_to(out, term(1));
  EXPECT_EQ(out, "head" + bytes({131, 97, 1}));
  const term bad = tuple(1, list(2, make_opaque<std::string>("local only")));
  EXPECT_THROW(encode_to(out, bad), encode_error);
  EXPECT_THROW(encode_to(out, bad, {.compression_level = 6}), encode_error);
  EXPECT_THROW(encode_body_to(out, bad), encode_error);
  EXPECT_EQ(out, "head" + bytes({131, 97, 1}));
  EXPECT_THROW(encode(term(1), {.compression_level = 10}), encode_error);
}

TEST(EtfRoundTrip, OpaqueTermsCannotLeaveTheNode) {
  try {
    encode(make_opaque<int>(5));
    FAIL() << "no exception";
  } catch (const encode_error& e) {
    EXPECT_NE(std::string(e.what()).find("opaque"), std::string::npos);
  }
  EXPECT_THROW(encoded_body_size(list(make_opaque<int>(5))), encode_error);
}

// A list written cell by cell, each tail a LIST_EXT of one element, reads as one flat list.
TEST(EtfRoundTrip, ChainedListTailsAreOneList) {
  const std::string chained =
      bytes({131, 108, 0, 0, 0, 1, 97, 1, 108, 0, 0, 0, 1, 97, 2, 108, 0, 0, 0, 0, 97, 3});
  EXPECT_EQ(must_decode(chained), make_list(std::vector<term>{1, 2}, term(3)));
  // LIST_EXT with no elements is just its tail.
  EXPECT_EQ(must_decode(bytes({131, 108, 0, 0, 0, 0, 106})), term());
  EXPECT_EQ(must_decode(bytes({131, 108, 0, 0, 0, 0, 97, 9})), term(9));
}

// Non-canonical but valid forms that other encoders (or old nodes) write.
TEST(EtfRoundTrip, AcceptsNonCanonicalIntegers) {
  EXPECT_EQ(must_decode(bytes({131, 98, 0, 0, 0, 5})), term(5));
  EXPECT_EQ(must_decode(bytes({131, 110, 0, 0})), term(0));
  EXPECT_EQ(must_decode(bytes({131, 110, 0, 1})), term(0));  // "-0"
  EXPECT_EQ(must_decode(bytes({131, 110, 3, 1, 5, 0, 0})), term(-5));
  EXPECT_EQ(must_decode(bytes({131, 111, 0, 0, 0, 2, 0, 1, 1})), term(257));
  EXPECT_EQ(must_decode(bytes({131, 110, 8, 1, 0, 0, 0, 0, 0, 0, 0, 128})), term(INT64_MIN));
  const term beyond = must_decode(bytes({131, 110, 8, 1, 1, 0, 0, 0, 0, 0, 0, 128}));
  EXPECT_EQ(integer_to_string(beyond), "-9223372036854775809");
}

TEST(EtfRoundTrip, DecodesLegacyIdentifiers) {
  const atom node("n@h");
  const std::string node_atom = bytes({100, 0, 3, 'n', '@', 'h'});
  // PID_EXT: Node ID:32 Serial:32 Creation:8.
  EXPECT_EQ(must_decode(bytes({131, 103}) + node_atom + bytes({0, 0, 0, 9, 0, 0, 0, 1, 2})),
            term(pid{node, 9, 1, 2}));
  // PORT_EXT: Node ID:32 Creation:8; V4_PORT_EXT: Node ID:64 Creation:32.
  EXPECT_EQ(must_decode(bytes({131, 102}) + node_atom + bytes({0, 0, 0, 9, 3})), term(port{node, 9, 3}));
  EXPECT_EQ(must_decode(bytes({131, 120}) + node_atom + bytes({0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 4})),
            term(port{node, uint64_t(1) << 32, 4}));
  // REFERENCE_EXT: Node ID:32 Creation:8; NEW_REFERENCE_EXT: Len:16 Node Creation:8 ID:32 x Len.
  EXPECT_EQ(must_decode(bytes({131, 101}) + node_atom + bytes({0, 0, 0, 7, 1})), term(ref{node, 1, 1, {7}}));
  EXPECT_EQ(must_decode(bytes({131, 114, 0, 2}) + node_atom + bytes({3, 0, 0, 0, 7, 0, 0, 0, 8})),
            term(ref{node, 3, 2, {7, 8}}));
  // SMALL_ATOM_EXT (Latin-1, 8-bit length).
  EXPECT_EQ(must_decode(bytes({131, 115, 2, 0xE9, 't'})), term(atom("\xC3\xA9t")));
}

TEST(EtfRoundTrip, ExistingOnlyAtomPolicy) {
  const decode_limits safe{.atoms = atom_policy::existing_only};
  const auto known = decode(encode(term(atom("already_here"))), safe);
  ASSERT_TRUE(known);
  EXPECT_EQ(*known, term(atom("already_here")));
  const std::string fresh = bytes({131, 119, 21}) + "etf_never_seen_before";
  const auto r = decode(fresh, safe);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, decode_errc::unknown_atom);
  EXPECT_FALSE(atom::existing("etf_never_seen_before"));
}

// An allowance lets a series of decodes create so many atoms and no more; known atoms are free.
TEST(EtfRoundTrip, AtomAllowanceRationsNewAtoms) {
  atom_allowance allowance{.new_atoms_left = 2};
  const decode_limits rationed{.allowance = &allowance};
  // [allowance_first, allowance_second, ok]: two new atoms, one known.
  auto atom_bytes = [](std::string_view name) {
    return bytes({119, uint8_t(name.size())}) + std::string(name);
  };
  const std::string two_new = bytes({131, 108, 0, 0, 0, 3}) + atom_bytes("allowance_first") +
                              atom_bytes("allowance_second") + atom_bytes("ok") + bytes({106});
  const auto r = decode(two_new, rationed);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(allowance.new_atoms_left, 0u);
  // Known atoms still decode, and again the ones just made; a third new one does not.
  EXPECT_TRUE(decode(two_new, rationed));
  const auto third = decode(bytes({131}) + atom_bytes("allowance_third"), rationed);
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().code, decode_errc::atom_allowance);
  EXPECT_FALSE(atom::existing("allowance_third"));
  // keep_free: no new atom that would leave fewer free entries than that.
  atom_allowance reserve{.new_atoms_left = 100, .keep_free = atom_table_limit() - atom_count()};
  const auto kept =
      decode(bytes({131}) + atom_bytes("allowance_fourth"), decode_limits{.allowance = &reserve});
  ASSERT_FALSE(kept);
  EXPECT_EQ(kept.error().code, decode_errc::atom_allowance);
  EXPECT_EQ(reserve.new_atoms_left, 100u);
  EXPECT_FALSE(atom::existing("allowance_fourth"));
}

// After a distribution header, ATOM_CACHE_REF i stands for the header's i-th atom.
TEST(EtfRoundTrip, AtomCacheRefsResolveThroughTheDistributionHeader) {
  const atom cache[] = {atoms::ok, atom("n@h")};
  const decode_limits with_cache{.atom_cache = cache};
  // {ok, <n@h.1.2.3>} with both atoms taken from the cache.
  const std::string body = bytes({104, 2, 82, 0, 88, 82, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3});
  const auto t = decode_body(body, with_cache);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(*t, tuple(atoms::ok, term(pid{atom("n@h"), 1, 2, 3})));
  EXPECT_EQ(decode_body(body).error().code, decode_errc::unsupported_tag);
  EXPECT_EQ(decode_body(bytes({82, 2}), with_cache).error().code, decode_errc::unsupported_tag);
}

// Encoding for a distribution header: each atom becomes ATOM_CACHE_REF to its place in the refs,
// listed once, in the order first met, and the terms decode back through those refs.
TEST(EtfRoundTrip, EncodingWithAtomCacheRefsListsEachAtomOnce) {
  const term t = tuple(atoms::ok, term(pid{atom("n@h"), 1, 2, 3}), list(atoms::ok, atom("n@h")));
  atom_cache_refs refs;
  std::string body;
  encode_body_to(body, t, refs);
  EXPECT_EQ(body, bytes({104, 3, 82, 0, 88, 82, 1, 0,  0, 0,  1, 0, 0, 0, 2, 0, 0, 0, 3,  // {ok, Pid,
                         108, 0, 0,  0, 2,  82, 0, 82, 1, 106}));                         //  [ok, 'n@h']}
  EXPECT_EQ(std::vector<atom>(refs.atoms().begin(), refs.atoms().end()),
            (std::vector<atom>{atoms::ok, atom("n@h")}));
  // A second term of the same frame adds its new atoms after those.
  encode_body_to(body, tuple(atom("n@h"), atoms::error), refs);
  EXPECT_EQ(refs.atoms().size(), 3u);
  const auto first = decode_body_prefix(body, {.atom_cache = refs.atoms()});
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->value, t);
  refs.clear();
  EXPECT_TRUE(refs.atoms().empty());
  EXPECT_EQ(refs.index_of(atoms::error), 0);
}

// A header holds 255 refs: atoms beyond them are spelled out, and the term still decodes.
TEST(EtfRoundTrip, AtomsBeyondTheRefsCapacityAreSpelledOut) {
  std::vector<term> atoms_list;
  for (int i = 0; i < 300; ++i) atoms_list.push_back(atom("refs_capacity_" + std::to_string(i)));
  const term t = make_list(atoms_list);
  atom_cache_refs refs;
  std::string body;
  encode_body_to(body, t, refs);
  ASSERT_EQ(refs.atoms().size(), atom_cache_refs::capacity);
  EXPECT_EQ(refs.atoms().back(), atom("refs_capacity_254"));
  EXPECT_FALSE(refs.index_of(atom("refs_capacity_255")).has_value());
  EXPECT_EQ(refs.index_of(atom("refs_capacity_7")), 7);
  const auto back = decode_body(body, {.atom_cache = refs.atoms()});
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, t);
}
