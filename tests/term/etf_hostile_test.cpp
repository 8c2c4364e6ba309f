// ETF decoding of hostile input: every failure is a decode_error value with the right code, nothing
// crashes, nothing allocates what a forged length claims, and nesting costs no stack.

#include <gtest/gtest.h>

#include <zlib.h>

#include <vector>

#include <otp/term/etf.hpp>

#include "term/etf_test_util.hpp"

using namespace otp;
using namespace otp::etf;
using otp::etf::testing::bytes;
using otp::etf::testing::must_decode;
using otp::etf::testing::show;

namespace {

decode_errc code_of(std::string_view b, const decode_limits& limits = {}) {
  const auto r = decode(b, limits);
  if (r) ADD_FAILURE() << "decoded " << show(b) << " as " << to_string(*r);
  return r ? decode_errc::trailing_bytes : r.error().code;
}

// A term using every tag the encoder writes.
term everything() {
  const atom node("n@h");
  return tuple(1, 300, int64_t(1) << 40, integer_from_string("10000000000000000000000000000000000000000"),
               1.5, atom("\xC3\xA9"), list(1, 2, 3), list(1000, atom("x")),
               make_list(std::vector<term>{1}, term(2)), binary("bin"), bitstring("\xF0", 4),
               map({{atom("a"), term()}, {tuple(), list(2)}}), term(pid{node, 1, 2, 3}),
               term(port{node, 4, 5}), term(port{node, uint64_t(1) << 40, 5}),
               term(ref{node, 6, 3, {7, 8, 9}}), export_fun(atom("m"), atom("f"), 1), tuple(), make_map({}));
}

std::string compress_body(std::string_view body) {
  uLongf size = compressBound(uLong(body.size()));
  std::string out(size, '\0');
  compress2(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(body.data()),
            uLong(body.size()), 9);
  out.resize(size);
  return out;
}

std::string be32(uint32_t v) {
  return bytes({int(v >> 24), int(v >> 16 & 255), int(v >> 8 & 255), int(v & 255)});
}

}  // namespace

TEST(EtfHostile, TruncatedAtEveryByte) {
  const std::string full = encode(everything());
  ASSERT_TRUE(decode(full));
  for (std::size_t n = 0; n < full.size(); ++n) {
    const auto r = decode(std::string_view(full).substr(0, n));
    ASSERT_FALSE(r) << "prefix of " << n << " bytes";
    EXPECT_EQ(r.error().code, decode_errc::truncated) << n << ": " << r.error().message;
    EXPECT_LE(r.error().offset, n);
  }
}

TEST(EtfHostile, CompressedTruncatedAtEveryByte) {
  const std::string full = encode(everything(), {.compression_level = 6});
  ASSERT_EQ(uint8_t(full[1]), 80);
  for (std::size_t n = 0; n < full.size(); ++n) {
    const auto r = decode(std::string_view(full).substr(0, n));
    ASSERT_FALSE(r) << n;
    EXPECT_TRUE(r.error().code == decode_errc::truncated || r.error().code == decode_errc::zlib)
        << n << ": " << r.error().message;
  }
}

// Lengths that claim far more than the input holds fail at once, before any reservation.
TEST(EtfHostile, HugeLengthsFailFast) {
  const std::string max32 = bytes({255, 255, 255, 255});
  for (int t : {105, 108, 109, 111, 116}) {
    EXPECT_EQ(code_of(bytes({131, t}) + max32 + "0123456789"), decode_errc::truncated) << t;
  }
  EXPECT_EQ(code_of(bytes({131, 77}) + max32 + bytes({3}) + "0123456789"), decode_errc::truncated);
  EXPECT_EQ(code_of(bytes({131, 107, 255, 255, 1, 2})), decode_errc::truncated);
  EXPECT_EQ(code_of(bytes({131, 118, 255, 255, 'a'})), decode_errc::truncated);
  EXPECT_EQ(code_of(bytes({131, 104, 255, 97, 1})), decode_errc::truncated);
  EXPECT_EQ(code_of(bytes({131, 112}) + max32 + std::string(40, '\0')), decode_errc::truncated);
  // Nested: the outer tuple is fine, the inner list is not.
  EXPECT_EQ(code_of(bytes({131, 104, 2, 97, 1, 108}) + max32 + bytes({106})), decode_errc::truncated);
}

TEST(EtfHostile, BadAndUnsupportedTags) {
  for (int t : {0, 1, 69, 71, 96, 122, 130, 131, 200, 255}) {
    EXPECT_EQ(code_of(bytes({131, t, 0, 0, 0, 0})), decode_errc::bad_tag) << t;
  }
  EXPECT_EQ(code_of(bytes({131, 121, 0, 0, 0, 0})), decode_errc::unsupported_tag);  // LOCAL_EXT
  EXPECT_EQ(code_of(bytes({131, 117, 0, 0, 0, 0})), decode_errc::unsupported_tag);  // FUN_EXT
  EXPECT_EQ(code_of(bytes({131, 82, 0})), decode_errc::unsupported_tag);            // ATOM_CACHE_REF
  EXPECT_EQ(code_of(bytes({131, 104, 1, 80, 0, 0, 0, 1, 120})), decode_errc::unsupported_tag);
  // Where an atom is required, nothing else will do.
  EXPECT_EQ(code_of(bytes({131, 88, 97, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})), decode_errc::bad_tag);
  EXPECT_EQ(code_of(bytes({131, 113, 119, 1, 'm', 119, 1, 'f', 98, 0, 0, 0, 1})), decode_errc::bad_tag);
  EXPECT_EQ(code_of(bytes({130, 97, 1})), decode_errc::bad_version);
  EXPECT_EQ(code_of(""), decode_errc::truncated);
}

TEST(EtfHostile, ErrorsSayWhatAndWhere) {
  const auto r = decode(bytes({131, 104, 2, 97, 1, 250}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, decode_errc::bad_tag);
  EXPECT_EQ(r.error().offset, 5u);
  EXPECT_NE(r.error().message.find("bad_tag"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("250"), std::string::npos) << r.error().message;
  EXPECT_EQ(errc_name(decode_errc::zlib), "zlib");
}

TEST(EtfHostile, TrailingBytes) {
  const auto r = decode(bytes({131, 97, 1, 0}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, decode_errc::trailing_bytes);
  EXPECT_EQ(r.error().offset, 3u);
  const auto p = decode_prefix(bytes({131, 97, 1, 0}));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->consumed, 3u);
  // Compressed: after the zlib stream, and inside the inflated data.
  std::string c = encode(binary(std::string(1000, 'a')), {.compression_level = 6});
  EXPECT_EQ(code_of(c + "x"), decode_errc::trailing_bytes);
  const std::string body = bytes({97, 1, 97, 2});
  EXPECT_EQ(code_of(bytes({131, 80}) + be32(4) + compress_body(body)), decode_errc::trailing_bytes);
}

TEST(EtfHostile, DeepNestingIsLimitedNotRecursive) {
  constexpr std::size_t depth = 1'000'000;
  std::string lists = bytes({131});
  for (std::size_t i = 0; i < depth; ++i) lists += bytes({108, 0, 0, 0, 1});  // [[[...]]]
  lists += std::string(depth + 1, char(106));
  std::string tuples = bytes({131});
  for (std::size_t i = 0; i < depth; ++i) tuples += bytes({104, 1});  // {{{...}}}
  tuples += bytes({106});
  std::string maps = bytes({131});
  for (std::size_t i = 0; i < depth; ++i) maps += bytes({116, 0, 0, 0, 1, 106});  // #{[] => #{[] => ...}}
  maps += bytes({106});

  for (const auto* input : {&lists, &tuples, &maps}) {
    const auto r = decode(*input);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, decode_errc::too_deep);
    EXPECT_EQ(code_of(*input, {.max_depth = 10}), decode_errc::too_deep);
    // With the cap lifted the decoder (and the encoder) walk it on the heap.
    const auto deep = decode(*input, {.max_depth = depth});
    ASSERT_TRUE(deep) << deep.error().message;
    EXPECT_EQ(encode(*deep), *input);
  }
}

// A list whose every tail is another LIST_EXT is one flat list, not a deep term.
TEST(EtfHostile, MillionChainedListTails) {
  constexpr std::size_t cells = 1'000'000;
  std::string chained = bytes({131});
  for (std::size_t i = 0; i < cells; ++i) chained += bytes({108, 0, 0, 0, 1, 97, 7});
  chained += bytes({106});
  const term t = must_decode(chained);
  EXPECT_EQ(t.list_length(), cells);
}

TEST(EtfHostile, ZipBombs) {
  const std::string zeros = encode_body(binary(std::string(20 << 20, '\0')));  // 20 MiB of zeros
  const std::string stream = compress_body(zeros);
  ASSERT_LT(stream.size(), 64u << 10);
  const std::string honest = bytes({131, 80}) + be32(uint32_t(zeros.size())) + stream;
  // Over the cap on the declared size: refused before inflating.
  EXPECT_EQ(code_of(honest, {.max_uncompressed_size = 1 << 20}), decode_errc::too_large);
  EXPECT_EQ(code_of(honest, {.max_bytes = 1 << 20}), decode_errc::too_large);
  // A lying size: inflation stops one byte past the declared size.
  EXPECT_EQ(code_of(bytes({131, 80}) + be32(1000) + stream), decode_errc::zlib);
  // Claims 4 GiB with a tiny stream: fails without allocating 4 GiB.
  const std::string tiny = compress_body(bytes({106}));
  EXPECT_EQ(code_of(bytes({131, 80}) + be32(0xFFFFFFFF) + tiny, {.max_uncompressed_size = SIZE_MAX}),
            decode_errc::zlib);
  EXPECT_EQ(code_of(bytes({131, 80}) + be32(0xFFFFFFFF) + tiny), decode_errc::too_large);
  // Garbage and empty streams.
  EXPECT_EQ(code_of(bytes({131, 80}) + be32(1) + "not zlib at all"), decode_errc::zlib);
  EXPECT_EQ(code_of(bytes({131, 80}) + be32(1)), decode_errc::zlib);
  EXPECT_EQ(code_of(bytes({131, 80, 0, 0})), decode_errc::truncated);
  // The honest one decodes within the default limits.
  const auto ok = decode(honest);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->bit_size(), std::size_t(20 << 20) * 8);
}

TEST(EtfHostile, BadAtoms) {
  EXPECT_EQ(code_of(bytes({131, 119, 2, 0xC3, 0x28})), decode_errc::bad_utf8);        // bad continuation
  EXPECT_EQ(code_of(bytes({131, 119, 2, 0xC0, 0x80})), decode_errc::bad_utf8);        // overlong NUL
  EXPECT_EQ(code_of(bytes({131, 119, 3, 0xED, 0xA0, 0x80})), decode_errc::bad_utf8);  // surrogate
  EXPECT_EQ(code_of(bytes({131, 119, 4, 0xF4, 0x90, 0x80, 0x80})), decode_errc::bad_utf8);  // > U+10FFFF
  EXPECT_EQ(code_of(bytes({131, 119, 1, 0xE6})), decode_errc::bad_utf8);                    // cut short
  EXPECT_EQ(code_of(bytes({131, 119, 1, 0xFF})), decode_errc::bad_utf8);
  EXPECT_EQ(code_of(bytes({131, 118, 1, 0}) + std::string(256, 'a')), decode_errc::bad_atom);
  EXPECT_EQ(code_of(bytes({131, 100, 1, 0}) + std::string(256, 'a')), decode_errc::bad_atom);
  EXPECT_EQ(code_of(bytes({131, 118, 3, 253}) + std::string(1021, 'a')), decode_errc::bad_atom);
  std::string cjk256;
  for (int i = 0; i < 256; ++i) cjk256 += "\xE6\x97\xA5";
  EXPECT_EQ(code_of(bytes({131, 118, 3, 0}) + cjk256), decode_errc::bad_atom);
  // 255 characters is fine in every form.
  EXPECT_TRUE(decode(bytes({131, 100, 0, 255}) + std::string(255, 'b')));
  EXPECT_TRUE(decode(bytes({131, 118, 2, 253}) + cjk256.substr(3)));
}

TEST(EtfHostile, BadFloats) {
  EXPECT_EQ(code_of(bytes({131, 70, 0x7F, 0xF8, 0, 0, 0, 0, 0, 0})), decode_errc::bad_float);  // NaN
  EXPECT_EQ(code_of(bytes({131, 70, 0xFF, 0xF0, 0, 0, 0, 0, 0, 0})), decode_errc::bad_float);  // -inf
  EXPECT_EQ(code_of(bytes({131, 70, 0x7F, 0xF0, 0, 0, 0, 0, 0, 1})), decode_errc::bad_float);  // sNaN
  auto old = [](std::string text) { return bytes({131, 99}) + text + std::string(31 - text.size(), '\0'); };
  EXPECT_EQ(must_decode(old("2.50000000000000000000e+00")), term(2.5));
  EXPECT_EQ(must_decode(old("-1.0e-3")), term(-0.001));
  EXPECT_EQ(code_of(old("nan")), decode_errc::bad_float);
  EXPECT_EQ(code_of(old("inf")), decode_errc::bad_float);
  EXPECT_EQ(code_of(old("1.0e999")), decode_errc::bad_float);
  EXPECT_EQ(code_of(old("1.5x")), decode_errc::bad_float);
  EXPECT_EQ(code_of(old("")), decode_errc::bad_float);
}

TEST(EtfHostile, MalformedFields) {
  // Maps with a repeated key.
  EXPECT_EQ(code_of(bytes({131, 116, 0, 0, 0, 2, 97, 1, 97, 2, 97, 1, 97, 3})), decode_errc::duplicate_key);
  // Bitstrings: bits must be 1..8, and 0 exactly for no bytes.
  EXPECT_EQ(code_of(bytes({131, 77, 0, 0, 0, 1, 0, 5})), decode_errc::bad_value);
  EXPECT_EQ(code_of(bytes({131, 77, 0, 0, 0, 1, 9, 5})), decode_errc::bad_value);
  EXPECT_EQ(code_of(bytes({131, 77, 0, 0, 0, 0, 3})), decode_errc::bad_value);
  EXPECT_EQ(must_decode(bytes({131, 77, 0, 0, 0, 0, 0})), binary(""));
  EXPECT_EQ(must_decode(bytes({131, 77, 0, 0, 0, 1, 8, 5})), binary("\5"));
  // References with 0 or 6 id words.
  const std::string node = bytes({119, 1, 'n'});
  EXPECT_EQ(code_of(bytes({131, 90, 0, 0}) + node + bytes({0, 0, 0, 0})), decode_errc::bad_value);
  EXPECT_EQ(code_of(bytes({131, 90, 0, 6}) + node + std::string(28, '\0')), decode_errc::bad_value);
  // NEW_FUN_EXT whose size field disagrees with its contents.
  std::string fun = bytes({131, 112}) + be32(0) + bytes({1}) + std::string(16, 'u') + be32(0) + be32(0) +
                    bytes({119, 1, 'm', 97, 0, 97, 0, 88}) + node + std::string(12, '\0');
  const uint32_t size = uint32_t(fun.size() - 2);
  for (uint32_t claimed : {size - 1, size + 1}) {
    std::string f = fun.substr(0, 2) + be32(claimed) + fun.substr(6) + (claimed > size ? "x" : "");
    EXPECT_EQ(code_of(f), decode_errc::bad_value) << claimed;
  }
  std::string good = fun.substr(0, 2) + be32(size) + fun.substr(6);
  const term f = must_decode(good);
  EXPECT_EQ(fun_of(f).module, atom("m"));
  EXPECT_EQ(encode(f), good);
  EXPECT_EQ(code_of(fun.substr(0, 2) + be32(3) + fun.substr(6)), decode_errc::bad_value);
}

TEST(EtfHostile, TermAndByteCaps) {
  const std::string b = encode(list(1, 2, 3, 4, 5, 6, 7, 8, 9, 1000));
  EXPECT_EQ(code_of(b, {.max_terms = 5}), decode_errc::too_large);
  EXPECT_TRUE(decode(b, {.max_terms = 12}));
  EXPECT_EQ(code_of(encode(string("abcdef")), {.max_terms = 3}), decode_errc::too_large);
  EXPECT_EQ(code_of(b, {.max_bytes = 4}), decode_errc::too_large);
}
