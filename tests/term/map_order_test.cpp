// Map key order, as Erlang defines it: "In maps key order, integer types are considered less than
// float types", at any depth inside a key, while numbers elsewhere keep their arithmetic order.
// Maps compare by size, then keys in map key order, then values in key order.
// Expected results were produced with erl (OTP 25), e.g.
//   io:format("~p~n", [#{1.0 => a, 2 => b}])            -> #{2 => b,1.0 => a}
//   #{1.0 => a, 2 => b} < #{1 => a, 2.0 => b}           -> false

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include <otp/term/term.hpp>

using namespace otp;

namespace {

std::vector<term> keys_of(const term& m) {
  std::vector<term> out;
  for (const auto& [k, v] : m.map_entries()) out.push_back(k);
  return out;
}

// A map of the keys 1..40 (so larger than the BEAM's 32-key flatmaps) plus `extra`.
term forty_plus(std::vector<std::pair<term, term>> extra) {
  std::vector<std::pair<term, term>> entries;
  for (int i = 1; i <= 40; ++i) entries.emplace_back(i, i);
  for (auto& e : extra) entries.push_back(std::move(e));
  return make_map(std::move(entries));
}

}  // namespace

// erl: #{1.0 => a, 2 => b} prints as #{2 => b,1.0 => a}.
TEST(MapKeyOrder, AnyIntegerKeyBeforeAnyFloatKey) {
  const term m = "#{1.0 => a, 2 => b}"_term;
  EXPECT_EQ(to_string(m), "#{2 => b,1.0 => a}");
  EXPECT_EQ(keys_of(m), (std::vector<term>{2, 1.0}));
  // Every integer first (by value), then every float (by value).
  EXPECT_EQ(keys_of(map({{0.5, 1}, {-3, 2}, {7, 3}, {-7.5, 4}})), (std::vector<term>{-3, 7, -7.5, 0.5}));
}

// erl: #{{1.0} => a, {2} => b} prints as #{{2} => b,{1.0} => a}.
TEST(MapKeyOrder, IntegerBeforeFloatInsideTupleKeys) {
  EXPECT_EQ(to_string("#{{1.0} => a, {2} => b}"_term), "#{{2} => b,{1.0} => a}");
}

// erl: #{[1.0] => x, [2] => y, {1, 2.0} => z, {1.0, 1} => w} prints as
// #{{1,2.0} => z,{1.0,1} => w,[2] => y,[1.0] => x}.
TEST(MapKeyOrder, IntegerBeforeFloatInsideListAndNestedTupleKeys) {
  EXPECT_EQ(to_string("#{[1.0] => x, [2] => y, {1, 2.0} => z, {1.0, 1} => w}"_term),
            "#{{1,2.0} => z,{1.0,1} => w,[2] => y,[1.0] => x}");
}

// erl: #{#{a => 1.0} => x, #{a => 2} => y} prints as #{#{a => 2} => y,#{a => 1.0} => x}: inside a
// key even the values of a nested map compare integer-first.
TEST(MapKeyOrder, IntegerBeforeFloatInsideMapKeysValuesToo) {
  EXPECT_EQ(to_string("#{#{a => 1.0} => x, #{a => 2} => y}"_term), "#{#{a => 2} => y,#{a => 1.0} => x}");
}

// Big integers are integers: 2^64 sorts before 1.0 as a key.
TEST(MapKeyOrder, BigIntegerKeyBeforeSmallFloatKey) {
  const term huge = integer_from_string("18446744073709551616");
  const term m = map({{1.0, "a"_a}, {huge, "b"_a}, {-1, "c"_a}, {0.5, "d"_a}});
  EXPECT_EQ(keys_of(m), (std::vector<term>{-1, huge, 0.5, 1.0}));
  EXPECT_EQ(to_string(m), "#{-1 => c,18446744073709551616 => b,0.5 => d,1.0 => a}");
}

// Map keys match exactly (1 and 1.0 are different keys), whatever the entry order.
TEST(MapKeyOrder, MapFindTellsIntegerAndFloatKeysApart) {
  const term m = map({{2.5, "d"_a},
                      {1.0, "b"_a},
                      {tuple(1.0), "f"_a},
                      {2, "c"_a},
                      {1, "a"_a},
                      {tuple(1), "e"_a},
                      {integer_from_string("100000000000000000000"), "g"_a},
                      {1.0e20, "h"_a}});
  ASSERT_EQ(m.map_size(), 8u);
  const std::vector<std::pair<term, term>> present = {{1, "a"_a},
                                                      {1.0, "b"_a},
                                                      {2, "c"_a},
                                                      {2.5, "d"_a},
                                                      {tuple(1), "e"_a},
                                                      {tuple(1.0), "f"_a},
                                                      {integer_from_string("100000000000000000000"), "g"_a},
                                                      {1.0e20, "h"_a}};
  for (const auto& [k, v] : present) {
    const term* found = m.map_find(k);
    ASSERT_NE(found, nullptr) << to_string(k);
    EXPECT_EQ(*found, v) << to_string(k);
  }
  for (const term& k : {term(2.0), term(3), term(0.5), tuple(2.0), tuple(2), term("a"_a)})
    EXPECT_EQ(m.map_find(k), nullptr) << to_string(k);
}

// maps:from_list([{1, a}, {1.0, b}, {1, c}]) is #{1 => c, 1.0 => b}: the last value wins per key.
TEST(MapKeyOrder, LastValueWinsPerExactKey) {
  const term m = map({{1, "a"_a}, {1.0, "b"_a}, {1, "c"_a}});
  EXPECT_EQ(to_string(m), "#{1 => c,1.0 => b}");
}

// The same map built in any insertion order is the same term, with the same hash.
TEST(MapKeyOrder, InsertionOrderDoesNotMatter) {
  std::vector<std::pair<term, term>> entries = {{1.0, 1},       {2, 2},       {tuple(1.5), 3}, {tuple(1), 4},
                                                {list(2.0), 5}, {list(3), 6}, {"k"_a, 7},      {0.25, 8}};
  const term first = make_map(entries);
  std::mt19937 rng(7);
  for (int round = 0; round < 10; ++round) {
    std::shuffle(entries.begin(), entries.end(), rng);
    const term again = make_map(entries);
    ASSERT_EQ(again, first);
    EXPECT_EQ(again.hash(), first.hash());
    EXPECT_EQ(to_string(again), to_string(first));
  }
}

// erl: #{1.0 => a, 2 => b} < #{1 => a, 2.0 => b} is false. Keys in map key order are [2, 1.0] and
// [1, 2.0]; 2 > 1 decides, although 1.0 < 2 by value.
TEST(MapComparison, KeysCompareInMapKeyOrder) {
  const term a = "#{1.0 => a, 2 => b}"_term;
  const term b = "#{1 => a, 2.0 => b}"_term;
  EXPECT_FALSE(a < b);
  EXPECT_GT(a, b);
  EXPECT_GT(compare_numeric(a, b), 0);
  EXPECT_LT(compare_numeric(b, a), 0);
}

// erl: #{a => 2} < #{a => 1.0} is false, #{a => 1} == #{a => 1.0} is true: values (outside keys)
// compare by value. operator<=> refines == by putting the integer first on an exact tie.
TEST(MapComparison, ValuesCompareByValue) {
  EXPECT_GT(map({{"a"_a, 2}}), map({{"a"_a, 1.0}}));
  EXPECT_GT(compare_numeric(map({{"a"_a, 2}}), map({{"a"_a, 1.0}})), 0);
  EXPECT_EQ(compare_numeric(map({{"a"_a, 1}}), map({{"a"_a, 1.0}})), 0);
  EXPECT_LT(map({{"a"_a, 1}}), map({{"a"_a, 1.0}}));
}

// erl: {#{1.0 => a, 2 => b}} < {#{1 => a, 2.0 => b}} is false; [#{2 => a}] < [#{1.0 => a}] is true.
TEST(MapComparison, MapsInsideTuplesAndListsUseMapKeyOrder) {
  EXPECT_GT(tuple("#{1.0 => a, 2 => b}"_term), tuple("#{1 => a, 2.0 => b}"_term));
  EXPECT_LT(list(map({{2, "a"_a}})), list(map({{1.0, "a"_a}})));
  EXPECT_LT(compare_numeric(list(map({{2, "a"_a}})), list(map({{1.0, "a"_a}}))), 0);
}

// erl: #{#{a => 2} => 1} < #{#{a => 1.0} => 1} and #{{2} => 1} < #{{1.0} => 1} are both true,
// for compare_numeric (Erlang's <) as much as for operator<=>.
TEST(MapComparison, NestedKeysUseMapKeyOrderAtEveryDepth) {
  const term a = map({{map({{"a"_a, 2}}), 1}}), b = map({{map({{"a"_a, 1.0}}), 1}});
  EXPECT_LT(a, b);
  EXPECT_LT(compare_numeric(a, b), 0);
  const term c = map({{tuple(2), 1}}), d = map({{tuple(1.0), 1}});
  EXPECT_LT(c, d);
  EXPECT_LT(compare_numeric(c, d), 0);
}

// erl: lists:sort([#{1.0 => a}, #{2 => a}, #{1 => a}, #{3.0 => a}]) is
// [#{1 => a},#{2 => a},#{1.0 => a},#{3.0 => a}].
TEST(MapComparison, SortAgreesWithErlangListsSort) {
  const std::vector<term> expected = {map({{1, "a"_a}}), map({{2, "a"_a}}), map({{1.0, "a"_a}}),
                                      map({{3.0, "a"_a}})};
  std::vector<term> sorted = {expected[2], expected[1], expected[0], expected[3]};
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, expected);
}

// Maps of more than 32 keys (hash tries in the BEAM) follow the same rule. erl, with
// L(X) = maps:from_list([{I, I} || I <- lists:seq(1, 40)] ++ X):
//   L([{2000000000, x}]) < L([{1.0e9, x}]), L([{100, x}]) < L([{0.5, x}]) are true;
//   L([{100, 1}]) < L([{100, 2.0}]) is true and L([{100, 1}]) == L([{100, 1.0}]).
TEST(MapComparison, LargeMapsUseMapKeyOrder) {
  EXPECT_LT(forty_plus({{2000000000, "x"_a}}), forty_plus({{1.0e9, "x"_a}}));
  EXPECT_LT(compare_numeric(forty_plus({{100, "x"_a}}), forty_plus({{0.5, "x"_a}})), 0);
  EXPECT_LT(compare_numeric(forty_plus({{100, 1}}), forty_plus({{100, 2.0}})), 0);
  EXPECT_EQ(compare_numeric(forty_plus({{100, 1}}), forty_plus({{100, 1.0}})), 0);
}

// Outside map keys Erlang's < is arithmetic, so the general term order stays by value.
TEST(TermOrder, NumbersOutsideMapKeysOrderByValue) {
  EXPECT_LT(term(1), term(1.5));
  EXPECT_LT(term(1.5), term(2));
  EXPECT_LT(tuple(1.5), tuple(2));
  EXPECT_LT(list(1.0, 9), list(2));
  EXPECT_LT(compare_numeric(tuple(1.5), tuple(2)), 0);
}
