// otp::patterns: Erlang-style matching used by receive clauses and handle_call.

#include <gtest/gtest.h>

#include <otp/term/match.hpp>

using namespace otp;
using namespace otp::patterns;

// {add, N, _} binds N.
TEST(PatternMatch, TupleWithLiteralAtomBindsInteger) {
  int64_t n = 0;
  EXPECT_TRUE(match(tuple("add"_a, 5, "x"_a), tuple_of("add"_a, bind(n), _)));
  EXPECT_EQ(n, 5);
}

TEST(PatternMatch, TupleArityMustBeExact) {
  int64_t n = 0;
  EXPECT_FALSE(match(tuple("add"_a, 5), tuple_of("add"_a, bind(n), _)));
  EXPECT_FALSE(match(tuple("add"_a, 5, 6, 7), tuple_of("add"_a, bind(n), _)));
  EXPECT_EQ(n, 0);
}

// Bindings are written only when the whole pattern matches.
TEST(PatternMatch, FailedMatchLeavesBindingsUntouched) {
  int64_t n = -1;
  term rest = "unchanged"_a;
  EXPECT_FALSE(match(tuple(7, "x"_a, "no"_a), tuple_of(bind(n), bind(rest), "yes"_a)));
  EXPECT_EQ(n, -1);
  EXPECT_EQ(rest, term("unchanged"_a));
}

TEST(PatternMatch, BindFailsWhenTypeDoesNotFit) {
  int64_t n = 0;
  atom a;
  EXPECT_FALSE(match(term("x"_a), bind(n)));
  EXPECT_FALSE(match(term(1), bind(a)));
  EXPECT_FALSE(match(term(2.5), bind(n)));
  uint8_t small = 0;
  EXPECT_FALSE(match(term(256), bind(small)));
  EXPECT_TRUE(match(term(255), bind(small)));
  EXPECT_EQ(small, 255);
  int64_t big = 0;
  EXPECT_FALSE(match(integer_from_string("100000000000000000000"), bind(big)));
  uint64_t u = 0;
  EXPECT_TRUE(match(term(UINT64_MAX), bind(u)));
  EXPECT_EQ(u, UINT64_MAX);
}

TEST(PatternMatch, ExitSignalPattern) {
  pid from;
  term reason;
  const pid p{atoms::nonode_nohost, 42, 0, 0};
  EXPECT_TRUE(match(tuple(atoms::EXIT, p, atoms::normal), tuple_of(atoms::EXIT, bind(from), bind(reason))));
  EXPECT_EQ(from, p);
  EXPECT_EQ(reason, term(atoms::normal));
}

// [1, 2 | Rest]
TEST(PatternMatch, ListWithTail) {
  term rest;
  EXPECT_TRUE(match(list(1, 2, 3, 4), list_of(1, 2, tail(bind(rest)))));
  EXPECT_EQ(rest, list(3, 4));
  EXPECT_TRUE(match(list(1, 2), list_of(1, 2, tail(bind(rest)))));
  EXPECT_TRUE(rest.is_nil());
  EXPECT_TRUE(match(cons(1, cons(2, 3)), list_of(1, 2, tail(bind(rest)))));
  EXPECT_EQ(rest, term(3));
  EXPECT_FALSE(match(list(1), list_of(1, 2, tail(_))));
}

TEST(PatternMatch, ListWithoutTailMustBeExact) {
  EXPECT_TRUE(match(list(1, 2), list_of(1, 2)));
  EXPECT_FALSE(match(list(1, 2, 3), list_of(1, 2)));
  EXPECT_FALSE(match(cons(1, cons(2, 3)), list_of(1, 2)));
  EXPECT_TRUE(match(term(), list_of()));
}

TEST(PatternMatch, LiteralsCompareExactly) {
  EXPECT_FALSE(match(term(1.0), 1));
  EXPECT_TRUE(match(term(1), 1));
  EXPECT_TRUE(match(tuple("ok"_a, list(1)), tuple_of("ok"_a, list(1))));
}

TEST(PatternMatch, MapWithKey) {
  std::string name;
  int64_t age = 0;
  const term m = map({{"name"_a, binary("joe")}, {"age"_a, 42}});
  EXPECT_TRUE(match(m, all_of(map_with("name"_a, bind(name)), map_with("age"_a, bind(age)))));
  EXPECT_EQ(name, "joe");
  EXPECT_EQ(age, 42);
  EXPECT_FALSE(match(m, map_with("missing"_a, _)));
  EXPECT_FALSE(match(tuple(1), map_with("name"_a, _)));
}

TEST(PatternMatch, TextBindsBinaryAndCharList) {
  std::string s;
  EXPECT_TRUE(match(string("héllo"), bind(s)));
  EXPECT_EQ(s, "héllo");
  EXPECT_TRUE(match(binary("bin"), bind(s)));
  EXPECT_EQ(s, "bin");
  EXPECT_FALSE(match(list("a"_a), bind(s)));
}

TEST(PatternMatch, BoolDoubleVectorBindings) {
  bool b = false;
  double d = 0;
  std::vector<term> v;
  EXPECT_TRUE(match(tuple(true, 2.5, list(1, 2)), tuple_of(bind(b), bind(d), bind(v))));
  EXPECT_TRUE(b);
  EXPECT_EQ(d, 2.5);
  EXPECT_EQ(v.size(), 2u);
  EXPECT_FALSE(match(term("maybe"_a), bind(b)));
}

// Erlang's X = {a, _}
TEST(PatternMatch, BindWithInnerPattern) {
  term whole;
  int64_t n = 0;
  EXPECT_TRUE(match(tuple("a"_a, 3), bind(whole, tuple_of("a"_a, bind(n)))));
  EXPECT_EQ(whole, tuple("a"_a, 3));
  EXPECT_EQ(n, 3);
  EXPECT_FALSE(match(tuple("b"_a, 3), bind(whole, tuple_of("a"_a, _))));
}

TEST(PatternPredicate, UsableForSelectiveReceive) {
  auto is_reply = pattern(tuple_of("reply"_a, is<ref>, _));
  const ref r{atoms::nonode_nohost, 0, 3, {1, 2, 3}};
  EXPECT_TRUE(is_reply(tuple("reply"_a, r, 1)));
  EXPECT_FALSE(is_reply(tuple("reply"_a, 1, 1)));
  EXPECT_FALSE(is_reply(term("reply"_a)));
  auto any_atom_pair = pattern(tuple_of(is<atom>, _));
  EXPECT_TRUE(any_atom_pair(tuple("x"_a, 1)));
  EXPECT_FALSE(any_atom_pair(tuple(1, 1)));
}

TEST(PatternPredicate, BindsOnTheMatchingMessageOnly) {
  int64_t n = 0;
  auto p = pattern(tuple_of("n"_a, bind(n)));
  EXPECT_FALSE(p(tuple("m"_a, 1)));
  EXPECT_EQ(n, 0);
  EXPECT_TRUE(p(tuple("n"_a, 9)));
  EXPECT_EQ(n, 9);
}
