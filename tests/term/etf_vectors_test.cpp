// ETF against byte vectors produced by a real Erlang node: encode must write them byte for byte,
// decode must read them back to the same term.
//
// Every vector below came from OTP 25's term_to_binary(T, [{minor_version, 2}]) (erts 13.1.5), where
// T is the Erlang expression in the first column. minor_version 2 (UTF-8 atoms) is the default of
// OTP 26 and later and what distribution uses; OTP 25's default would write Latin-1 ATOM_EXT atoms.

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include <otp/term/etf.hpp>

#include "term/etf_test_util.hpp"

using namespace otp;
using namespace otp::etf;
using otp::etf::testing::bytes;
using otp::etf::testing::must_decode;
using otp::etf::testing::show;

namespace {

struct vector_case {
  const char* erlang;
  term value;
  std::string bytes;
};

std::vector<vector_case> otp25_vectors() {
  return {
      {R"(0)", term(0), bytes({131, 97, 0})},
      {R"(255)", term(255), bytes({131, 97, 255})},
      {R"(256)", term(256), bytes({131, 98, 0, 0, 1, 0})},
      {R"(-1)", term(-1), bytes({131, 98, 255, 255, 255, 255})},
      {R"(2147483647)", term(2147483647), bytes({131, 98, 127, 255, 255, 255})},
      {R"(2147483648)", term(int64_t(2147483648)), bytes({131, 110, 4, 0, 0, 0, 0, 128})},
      {R"(-2147483648)", term(int64_t(-2147483648)), bytes({131, 98, 128, 0, 0, 0})},
      {R"(-2147483649)", term(int64_t(-2147483649)), bytes({131, 110, 4, 1, 1, 0, 0, 128})},
      {R"(4611686018427387903)", term(term::small_max),
       bytes({131, 110, 8, 0, 255, 255, 255, 255, 255, 255, 255, 63})},
      {R"(4611686018427387904)", term(term::small_max + 1), bytes({131, 110, 8, 0, 0, 0, 0, 0, 0, 0, 0, 64})},
      {R"(-4611686018427387904)", term(term::small_min), bytes({131, 110, 8, 1, 0, 0, 0, 0, 0, 0, 0, 64})},
      {R"(-4611686018427387905)", term(term::small_min - 1),
       bytes({131, 110, 8, 1, 1, 0, 0, 0, 0, 0, 0, 64})},
      {R"(9223372036854775807)", term(INT64_MAX),
       bytes({131, 110, 8, 0, 255, 255, 255, 255, 255, 255, 255, 127})},
      {R"(9223372036854775808)", term(uint64_t(1) << 63), bytes({131, 110, 8, 0, 0, 0, 0, 0, 0, 0, 0, 128})},
      {R"(-9223372036854775808)", term(INT64_MIN), bytes({131, 110, 8, 1, 0, 0, 0, 0, 0, 0, 0, 128})},
      {R"(18446744073709551616)", integer_from_string("18446744073709551616"),
       bytes({131, 110, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})},
      {R"(-18446744073709551616)", integer_from_string("-18446744073709551616"),
       bytes({131, 110, 9, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1})},
      {R"(1.5)", term(1.5), bytes({131, 70, 63, 248, 0, 0, 0, 0, 0, 0})},
      {R"(-0.0)", term(-0.0), bytes({131, 70, 128, 0, 0, 0, 0, 0, 0, 0})},
      {R"(0.0)", term(0.0), bytes({131, 70, 0, 0, 0, 0, 0, 0, 0, 0})},
      {R"(1.0e300)", term(1.0e300), bytes({131, 70, 126, 55, 228, 60, 136, 0, 117, 156})},
      {R"(3.141592653589793)", term(3.141592653589793), bytes({131, 70, 64, 9, 33, 251, 84, 68, 45, 24})},
      {R"(ok)", term(atoms::ok), bytes({131, 119, 2, 111, 107})},
      {R"('')", term(atom("")), bytes({131, 119, 0})},
      {R"('hello world')", term(atom("hello world")),
       bytes({131, 119, 11, 104, 101, 108, 108, 111, 32, 119, 111, 114, 108, 100})},
      {R"('h\x{e9}llo')", term(atom("h\xC3\xA9llo")), bytes({131, 119, 6, 104, 195, 169, 108, 108, 111})},
      {R"(list_to_atom([16#65E5,16#672C]))", term(atom("\xE6\x97\xA5\xE6\x9C\xAC")),
       bytes({131, 119, 6, 230, 151, 165, 230, 156, 172})},
      {R"({})", tuple(), bytes({131, 104, 0})},
      {R"({ok, 1})", tuple(atoms::ok, 1), bytes({131, 104, 2, 119, 2, 111, 107, 97, 1})},
      {R"([])", term(), bytes({131, 106})},
      {R"([1,2,3])", list(1, 2, 3), bytes({131, 107, 0, 3, 1, 2, 3})},
      {R"("abc")", string("abc"), bytes({131, 107, 0, 3, 97, 98, 99})},
      {R"([256])", list(256), bytes({131, 108, 0, 0, 0, 1, 98, 0, 0, 1, 0, 106})},
      {R"([-1])", list(-1), bytes({131, 108, 0, 0, 0, 1, 98, 255, 255, 255, 255, 106})},
      {R"([1,2|3])", make_list(std::vector<term>{1, 2}, term(3)),
       bytes({131, 108, 0, 0, 0, 2, 97, 1, 97, 2, 97, 3})},
      {R"([a|b])", cons(term(atom("a")), term(atom("b"))),
       bytes({131, 108, 0, 0, 0, 1, 119, 1, 97, 119, 1, 98})},
      {R"([[1],[2]])", list(list(1), list(2)),
       bytes({131, 108, 0, 0, 0, 2, 107, 0, 1, 1, 107, 0, 1, 2, 106})},
      {R"([1.0])", list(1.0), bytes({131, 108, 0, 0, 0, 1, 70, 63, 240, 0, 0, 0, 0, 0, 0, 106})},
      {R"(<<>>)", binary(""), bytes({131, 109, 0, 0, 0, 0})},
      {R"(<<1,2,3>>)", binary(std::string_view("\1\2\3", 3)), bytes({131, 109, 0, 0, 0, 3, 1, 2, 3})},
      {R"(<<1:1>>)", bitstring("\x80", 1), bytes({131, 77, 0, 0, 0, 1, 1, 128})},
      {R"(<<255,7:3>>)", bitstring("\xFF\xE0", 11), bytes({131, 77, 0, 0, 0, 2, 3, 255, 224})},
      {R"(#{})", make_map({}), bytes({131, 116, 0, 0, 0, 0})},
      {R"(#{a => 1, b => 2})", map({{atom("a"), 1}, {atom("b"), 2}}),
       bytes({131, 116, 0, 0, 0, 2, 119, 1, 97, 97, 1, 119, 1, 98, 97, 2})},
      {R"(#{1.0 => a, 2 => b, {1} => c, {1.0} => d, [1] => e, <<"x">> => f})",
       map({{1.0, atom("a")},
            {2, atom("b")},
            {tuple(1), atom("c")},
            {tuple(1.0), atom("d")},
            {list(1), atom("e")},
            {binary("x"), atom("f")}}),
       bytes({131, 116, 0,  0,   0,   6,  97, 2,   119, 1,  98,  70,  63, 240, 0,   0, 0,   0,   0, 0,
              119, 1,   97, 104, 1,   97, 1,  119, 1,   99, 104, 1,   70, 63,  240, 0, 0,   0,   0, 0,
              0,   119, 1,  100, 107, 0,  1,  1,   119, 1,  101, 109, 0,  0,   0,   1, 120, 119, 1, 102})},
      {R"(#{#{k => v} => [#{}]})", map({{map({{atom("k"), atom("v")}}), list(make_map({}))}}),
       bytes({131, 116, 0,   0,   0, 1, 116, 0, 0,   0, 1, 119, 1, 107,
              119, 1,   118, 108, 0, 0, 0,   1, 116, 0, 0, 0,   0, 106})},
      {R"(fun lists:map/2)", export_fun(atom("lists"), atom("map"), 2),
       bytes({131, 113, 119, 5, 108, 105, 115, 116, 115, 119, 3, 109, 97, 112, 97, 2})},
      {R"(list_to_pid("<0.9.0>"))", term(pid{atoms::nonode_nohost, 9, 0, 0}),
       bytes({131, 88,  119, 13, 110, 111, 110, 111, 100, 101, 64, 110, 111, 104, 111,
              115, 116, 0,   0,  0,   9,   0,   0,   0,   0,   0,  0,   0,   0})},
      {R"(list_to_ref("#Ref<0.1.2.3>"))", term(ref{atoms::nonode_nohost, 0, 3, {3, 2, 1}}),
       bytes({131, 90, 0, 3, 119, 13, 110, 111, 110, 111, 100, 101, 64, 110, 111, 104, 111, 115,
              116, 0,  0, 0, 0,   0,  0,   0,   3,   0,   0,   0,   2,  0,   0,   0,   1})},
      {R"(list_to_port("#Port<0.5>"))", term(port{atoms::nonode_nohost, 5, 0}),
       bytes({131, 89,  119, 13,  110, 111, 110, 111, 100, 101, 64, 110, 111,
              104, 111, 115, 116, 0,   0,   0,   5,   0,   0,   0,  0})},
      {R"({ok, [1, 2]})", tuple(atoms::ok, list(1, 2)),
       bytes({131, 104, 2, 119, 2, 111, 107, 107, 0, 2, 1, 2})},
  };
}

}  // namespace

TEST(EtfVectors, EncodeMatchesTermToBinary) {
  for (const auto& c : otp25_vectors()) {
    EXPECT_EQ(show(encode(c.value)), show(c.bytes)) << c.erlang;
  }
}

TEST(EtfVectors, DecodeGivesTheSameTerm) {
  for (const auto& c : otp25_vectors()) {
    const term t = must_decode(c.bytes);
    EXPECT_EQ(t, c.value) << c.erlang << " decoded as " << to_string(t);
    EXPECT_EQ(t.type(), c.value.type()) << c.erlang;
    EXPECT_EQ(show(encode(t)), show(c.bytes)) << c.erlang;
  }
}

TEST(EtfVectors, EncodedSizeIsExact) {
  for (const auto& c : otp25_vectors()) {
    EXPECT_EQ(encoded_body_size(c.value) + 1, c.bytes.size()) << c.erlang;
    EXPECT_EQ(encode_body(c.value), c.bytes.substr(1)) << c.erlang;
  }
}

// Negative zero keeps its sign bit, as the BEAM writes it.
TEST(EtfVectors, NegativeZeroKeepsItsSign) {
  const term t = must_decode(bytes({131, 70, 128, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_TRUE(std::signbit(t.as_float()));
}

// term_to_binary({1.5, ok, 'héllo'}, [{minor_version, 0}]) on OTP 25: FLOAT_EXT and Latin-1 ATOM_EXT.
TEST(EtfVectors, DecodesLegacyFloatAndLatin1Atoms) {
  const std::string legacy = bytes({131, 104, 3, 99}) + "1.50000000000000000000e+00" + std::string(5, '\0') +
                             bytes({100, 0, 2, 111, 107, 100, 0, 5, 104, 233, 108, 108, 111});
  const term t = must_decode(legacy);
  EXPECT_EQ(t, tuple(1.5, atoms::ok, atom("h\xC3\xA9llo")));
  // Re-encoded in the current form: NEW_FLOAT_EXT and UTF-8 atoms.
  EXPECT_EQ(show(encode(t)), show(bytes({131, 104, 3,   70,  63,  248, 0,   0,   0,   0,   0,   0,
                                         119, 2,   111, 107, 119, 6,   104, 195, 169, 108, 108, 111})));
}

// Y = 7, term_to_binary(fun(X) -> X + Y end, [{minor_version, 2}]) in an OTP 25 erl_eval context:
// NEW_FUN_EXT with free variables, kept as bytes and echoed unchanged.
TEST(EtfVectors, ClosureIsEchoedByteForByte) {
  const std::string fun = bytes(
      {131, 112, 0, 0,   0,   186, 1,   6,   83,  97,  170, 70,  21,  144, 209, 189, 241, 235, 98,  209, 166,
       235, 8,   0, 0,   0,   42,  0,   0,   0,   1,   119, 8,   101, 114, 108, 95,  101, 118, 97,  108, 97,
       42,  98,  0, 50,  155, 13,  88,  119, 13,  110, 111, 110, 111, 100, 101, 64,  110, 111, 104, 111, 115,
       116, 0,   0, 0,   9,   0,   0,   0,   0,   0,   0,   0,   0,   104, 6,   97,  4,   108, 0,   0,   0,
       1,   104, 2, 119, 1,   89,  97,  7,   106, 119, 4,   110, 111, 110, 101, 119, 4,   110, 111, 110, 101,
       116, 0,   0, 0,   0,   108, 0,   0,   0,   1,   104, 5,   119, 6,   99,  108, 97,  117, 115, 101, 97,
       4,   108, 0, 0,   0,   1,   104, 3,   119, 3,   118, 97,  114, 97,  4,   119, 1,   88,  106, 106, 108,
       0,   0,   0, 1,   104, 5,   119, 2,   111, 112, 97,  4,   119, 1,   43,  104, 3,   119, 3,   118, 97,
       114, 97,  4, 119, 1,   88,  104, 3,   119, 3,   118, 97,  114, 97,  4,   119, 1,   89,  106, 106});
  const term t = must_decode(fun);
  ASSERT_TRUE(t.is_fun());
  const fun_info f = fun_of(t);
  EXPECT_FALSE(f.is_export);
  EXPECT_EQ(f.module, atom("erl_eval"));
  EXPECT_EQ(f.arity, 1);
  EXPECT_EQ(f.encoded_body, std::string_view(fun).substr(2));
  EXPECT_EQ(show(encode(t)), show(fun));
}

// term_to_binary(lists:duplicate(20, hello), [{compressed, L}, {minor_version, 2}]) for L = 6, 9, 1:
// the same zlib library and level give the same bytes.
TEST(EtfVectors, CompressedMatchesTermToBinary) {
  const std::vector<term> hellos(20, term(atom("hello")));
  const term value = make_list(hellos);
  const std::string level6 = bytes({131, 80, 0,   0,   0,   146, 120, 156, 203, 97, 96,  96, 16, 41, 103,
                                    205, 72, 205, 201, 201, 31,  20,  84,  22,  0,  140, 86, 52, 43});
  std::string level9 = level6;
  level9[7] = char(218);
  std::string level1 = level6;
  level1[7] = char(1);
  EXPECT_EQ(show(encode(value, {.compression_level = 6})), show(level6));
  EXPECT_EQ(show(encode(value, {.compression_level = 9})), show(level9));
  EXPECT_EQ(show(encode(value, {.compression_level = 1})), show(level1));
  for (const auto& b : {level6, level9, level1}) EXPECT_EQ(must_decode(b), value);
}

// term_to_binary keeps the plain form when compressing does not save space.
TEST(EtfVectors, IncompressibleTermsStayPlain) {
  EXPECT_EQ(show(encode(term(), {.compression_level = 6})), show(bytes({131, 106})));
  EXPECT_EQ(show(encode(term(atoms::ok), {.compression_level = 6})), show(bytes({131, 119, 2, 111, 107})));
}

// Values too long to list byte by byte, built from the layout term_to_binary gave for them.
TEST(EtfVectors, LongAtomsListsAndBigIntegers) {
  // list_to_atom(lists:duplicate(255, $a)): SMALL_ATOM_UTF8_EXT with 255 bytes.
  const std::string a255(255, 'a');
  EXPECT_EQ(encode(term(atom(a255))), bytes({131, 119, 255}) + a255);
  // 255 times U+65E5 (765 bytes): ATOM_UTF8_EXT, length 0x02FD.
  std::string cjk;
  for (int i = 0; i < 255; ++i) cjk += "\xE6\x97\xA5";
  EXPECT_EQ(encode(term(atom(cjk))), bytes({131, 118, 2, 253}) + cjk);
  EXPECT_EQ(must_decode(bytes({131, 118, 2, 253}) + cjk), term(atom(cjk)));

  // lists:seq(1, 65535) is LIST_EXT (elements above 255); lists:duplicate(65535, 7) is STRING_EXT
  // and lists:duplicate(65536, 7) is LIST_EXT again.
  std::string seven(65535, '\7');
  EXPECT_EQ(encode(string(seven)), bytes({131, 107, 255, 255}) + seven);
  std::vector<term> sevens(65536, term(7));
  std::string list_ext = bytes({131, 108, 0, 1, 0, 0});
  for (int i = 0; i < 65536; ++i) list_ext += bytes({97, 7});
  list_ext += bytes({106});
  EXPECT_EQ(encode(make_list(sevens)), list_ext);
  EXPECT_EQ(must_decode(list_ext), make_list(sevens));

  // 1 bsl 2040: LARGE_BIG_EXT with 256 magnitude bytes, the last one 1.
  std::string big = bytes({131, 111, 0, 0, 1, 0, 0}) + std::string(255, '\0') + bytes({1});
  const term t = must_decode(big);
  EXPECT_TRUE(t.is_integer());
  EXPECT_FALSE(t.to_int64());
  EXPECT_EQ(encode(t), big);
  // (1 bsl 2040) - 1: SMALL_BIG_EXT with 255 bytes of 0xFF.
  std::string below = bytes({131, 110, 255, 0}) + std::string(255, '\xFF');
  EXPECT_EQ(encode(must_decode(below)), below);
}

// OTP 25 re-encodes a port as V4_PORT_EXT once its number needs more than 28 bits:
// term_to_binary(binary_to_term(<<131, 89, 119, 3, "a@b", N:32, 1:32>>), [{minor_version, 2}]).
TEST(EtfVectors, PortsBeyond28BitsUseV4PortExt) {
  const atom node("a@b");
  EXPECT_EQ(show(encode(term(port{node, 0x0FFFFFFF, 1}))),
            show(bytes({131, 89, 119, 3, 97, 64, 98, 15, 255, 255, 255, 0, 0, 0, 1})));
  EXPECT_EQ(show(encode(term(port{node, 0x10000000, 1}))),
            show(bytes({131, 120, 119, 3, 97, 64, 98, 0, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 1})));
  EXPECT_EQ(show(encode(term(port{node, 0xFFFFFFFF, 1}))),
            show(bytes({131, 120, 119, 3, 97, 64, 98, 0, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 1})));
}
