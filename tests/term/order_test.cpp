// Term order and equality, as Erlang defines them:
//   number < atom < reference < fun < port < pid < tuple < map < [] < list < bitstring
// Expected orders were produced with erl (OTP 25): io:format("~p", [lists:sort(L)]).

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <unordered_set>

#include <otp/term/term.hpp>

using namespace otp;

namespace {
term big(const char* s) { return integer_from_string(s); }
}  // namespace

TEST(TermOrder, NumberLessThanAtom) { EXPECT_LT(term(1000000), term("a"_a)); }
TEST(TermOrder, AtomLessThanReference) { EXPECT_LT(term("zzz"_a), term(ref{})); }
TEST(TermOrder, ReferenceLessThanFun) { EXPECT_LT(term(ref{}), export_fun("a"_a, "b"_a, 0)); }
TEST(TermOrder, FunLessThanPort) { EXPECT_LT(export_fun("a"_a, "b"_a, 0), term(port{})); }
TEST(TermOrder, PortLessThanPid) { EXPECT_LT(term(port{}), term(pid{})); }
TEST(TermOrder, PidLessThanTuple) { EXPECT_LT(term(pid{}), tuple()); }
TEST(TermOrder, TupleLessThanMap) { EXPECT_LT(tuple(1, 2, 3, 4, 5), map({})); }
TEST(TermOrder, MapLessThanNil) { EXPECT_LT(map({{1, 2}}), term()); }
TEST(TermOrder, NilLessThanList) { EXPECT_LT(term(), list(0)); }
TEST(TermOrder, ListLessThanBitstring) { EXPECT_LT(list(999), binary("")); }

// The whole chain, against what lists:sort/1 returns in erl for the same values.
TEST(TermOrder, SortAgreesWithErlangListsSort) {
  const std::vector<term> expected = {
      -1.0e30,
      big("-1180591620717411303424"),
      -1.5,
      0,
      1.0e-300,
      1,
      2,
      big("18446744073709551615"),
      big("18446744073709551616"),  // equal to the next float: the integer first in exact order
      1.8446744073709552e19,
      1.0e30,
      atoms::empty,
      "Z"_a,
      "a"_a,
      "aa"_a,
      "b"_a,
      ref{atoms::nonode_nohost, 0, 3, {1, 2, 3}},
      export_fun("erlang"_a, "abs"_a, 1),
      port{atoms::nonode_nohost, 0, 0},
      pid{atoms::nonode_nohost, 9, 0, 0},
      tuple(),
      tuple(3),
      tuple(1, 1),
      tuple(1, 2),
      tuple("a"_a, "b"_a),
      map({}),
      map({{1, "a"_a}}),
      map({{1.0, "a"_a}}),
      map({{"a"_a, 2}}),
      map({{"b"_a, 1}}),
      map({{"a"_a, 1}, {"b"_a, 2}}),
      term(),
      cons(1, 2),
      list(1),
      list(1, 2),
      list(2),
      binary(""),
      binary("\x01"),
      binary("\x01\x02"),
      binary("\x02"),
      bitstring("\x20", 3),      // <<1:3>>
      bitstring("\x80\x80", 9),  // <<128,1:1>>
  };
  std::vector<term> shuffled = expected;
  std::mt19937 rng(12345);
  for (int round = 0; round < 20; ++round) {
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    std::sort(shuffled.begin(), shuffled.end());
    ASSERT_EQ(shuffled, expected) << "round " << round;
  }
  for (std::size_t i = 0; i + 1 < expected.size(); ++i) {
    EXPECT_LT(expected[i], expected[i + 1]) << to_string(expected[i]) << " vs " << to_string(expected[i + 1]);
    EXPECT_GT(expected[i + 1], expected[i]);
  }
}

TEST(TermOrder, TuplesBySizeThenElements) {
  EXPECT_LT(tuple(9, 9), tuple(1, 1, 1));
  EXPECT_LT(tuple(1, 2), tuple(1, 3));
}

TEST(TermOrder, MapsBySizeThenKeysThenValues) {
  EXPECT_LT(map({{"z"_a, 1}}), map({{"a"_a, 1}, {"b"_a, 1}}));
  EXPECT_LT(map({{"a"_a, 9}}), map({{"b"_a, 1}}));
  EXPECT_LT(map({{"a"_a, 1}, {"b"_a, 9}}), map({{"a"_a, 2}, {"b"_a, 1}}));
  // In map key order integers come before floats: #{1 => a} < #{1.0 => a}.
  EXPECT_LT(map({{1, "a"_a}}), map({{1.0, "a"_a}}));
}

TEST(TermOrder, ListsElementwiseShorterPrefixFirst) {
  EXPECT_LT(list(1), list(1, 2));
  EXPECT_LT(list(1, 2), list(2));
  EXPECT_LT(cons(1, 2), list(1));  // [1|2] < [1]: the tail 2 (a number) < [] (nil)
}

TEST(TermOrder, BitstringsBitwiseThenShorterFirst) {
  EXPECT_LT(binary("ab"), binary("abc"));
  EXPECT_LT(binary("abc"), binary("b"));
  EXPECT_GT(bitstring("\x20", 3), binary("\x01"));  // <<1:3>> > <<1>>: 001 > 000
  EXPECT_LT(bitstring("\x80", 1), binary("\x80"));  // <<1:1>> is a prefix of <<128>>
}

TEST(TermOrder, AtomsByTextNotByCreation) {
  const atom later("aaa_created_late");
  EXPECT_LT(term(later), term(atoms::ok));
  EXPECT_LT(atom("A"), atom("a"));
  EXPECT_LT(atom("z"), atom("\xc3\xa9"));  // code point order
}

TEST(TermOrder, PidsByNodeThenSerialThenId) {
  const atom a("a@host"), b("b@host");
  EXPECT_LT((pid{a, 100, 100, 0}), (pid{b, 1, 1, 0}));
  EXPECT_LT((pid{a, 100, 1, 0}), (pid{a, 1, 2, 0}));
  EXPECT_LT((pid{a, 1, 1, 0}), (pid{a, 2, 1, 0}));
  EXPECT_LT(term(pid{a, 1, 1, 0}), term(pid{a, 2, 1, 0}));
}

TEST(TermOrder, RefsByNodeThenMostSignificantWord) {
  const ref x{atoms::nonode_nohost, 0, 3, {9, 1, 5}};
  const ref y{atoms::nonode_nohost, 0, 3, {1, 2, 5}};
  EXPECT_LT(x, y);
  EXPECT_LT(term(x), term(y));
}

TEST(TermOrder, IntegerBeforeEqualFloatInExactOrder) {
  EXPECT_LT(term(1), term(1.0));
  EXPECT_NE(term(1), term(1.0));
  EXPECT_LT(term(1.0), term(2));
}

TEST(TermOrder, BigIntegersCompareExactlyWithFloats) {
  // 2^53 + 1 is not a double; it is strictly above 2^53 as a float.
  EXPECT_GT(big("9007199254740993"), term(9007199254740992.0));
  EXPECT_LT(big("18446744073709551615"), term(1.8446744073709552e19));
  EXPECT_EQ(compare_numeric(big("18446744073709551616"), term(1.8446744073709552e19)), 0);
  EXPECT_GT(big("-1180591620717411303424"), term(-1.0e30));
  const term huge = integer_from_string("1" + std::string(400, '0'));  // beyond any double
  EXPECT_LT(term(1.0e308), huge);
  EXPECT_LT(integer_from_string("-" + integer_to_string(huge)), term(-1.0e308));
}

TEST(ArithmeticEquality, IntegerEqualsFloat) {
  EXPECT_TRUE(equal_numeric(1, 1.0));
  EXPECT_TRUE(equal_numeric(tuple(1), tuple(1.0)));
  EXPECT_TRUE(equal_numeric(list(1), list(1.0)));
  EXPECT_FALSE(equal_numeric(1, 1.5));
  EXPECT_LT(compare_numeric(1, 1.5), 0);
  EXPECT_GT(compare_numeric("a"_a, 1.5), 0);
}

TEST(ArithmeticEquality, MapKeysStillCompareExactly) {
  // #{1 => a} == #{1.0 => a} is false in Erlang; values compare arithmetically.
  EXPECT_FALSE(equal_numeric(map({{1, "a"_a}}), map({{1.0, "a"_a}})));
  EXPECT_TRUE(equal_numeric(map({{"k"_a, 1}}), map({{"k"_a, 1.0}})));
}

TEST(TermEquality, StructuralNotIdentity) {
  EXPECT_EQ(tuple("ok"_a, list(1, 2), binary("x")), tuple("ok"_a, list(1, 2), binary("x")));
  EXPECT_EQ(sub_binary(binary("hello"), 1, 3), binary("ell"));
  EXPECT_EQ(integer_from_string("123456789012345678901234567890"),
            integer_from_string("123456789012345678901234567890"));
  EXPECT_NE(tuple(1, 2), tuple(1, 3));
  EXPECT_EQ(term(0.0), term(-0.0));  // OTP 25: 0.0 =:= -0.0
}

TEST(TermHash, EqualTermsHashEqual) {
  const std::vector<std::pair<term, term>> pairs = {
      {tuple("ok"_a, list(1, 2)), tuple("ok"_a, list(1, 2))},
      {sub_binary(binary("hello"), 1, 3), binary("ell")},
      {big("99999999999999999999999"), big("99999999999999999999999")},
      {term(0.0), term(-0.0)},
      {map({{"a"_a, 1}, {"b"_a, 2}}), map({{"b"_a, 2}, {"a"_a, 1}})},
      {term(pid{atoms::nonode_nohost, 1, 2, 0}), term(pid{atoms::nonode_nohost, 1, 2, 0})},
  };
  for (const auto& [a, b] : pairs) {
    ASSERT_EQ(a, b);
    EXPECT_EQ(a.hash(), b.hash()) << to_string(a);
  }
  std::unordered_set<term> set{tuple(1), tuple(2), tuple(1)};
  EXPECT_EQ(set.size(), 2u);
  EXPECT_NE(term(1).hash(), term(1.0).hash());
}

// Comparison walks an explicit stack: long lists compare without deep recursion.
TEST(TermOrder, LongListsCompareIteratively) {
  std::vector<term> items(1000000, term(7));
  const term a = make_list(items);
  items.back() = 8;
  const term b = make_list(items);
  EXPECT_LT(a, b);
  EXPECT_FALSE(a == b);
  EXPECT_NE(a.hash(), 0u);
}
