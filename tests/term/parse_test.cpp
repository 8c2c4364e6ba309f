// parse_term and "..."_term: Erlang term literals as erl_scan/erl_parse read them.

#include <gtest/gtest.h>

#include <otp/term/term.hpp>

using namespace otp;

namespace {
term parse(std::string_view s) {
  auto r = parse_term(s);
  EXPECT_TRUE(r.has_value()) << s << ": " << (r ? "" : r.error().message);
  return r ? *r : term("parse_failed"_a);
}
parse_error fails(std::string_view s) {
  auto r = parse_term(s);
  EXPECT_FALSE(r.has_value()) << s << " parsed as " << (r ? to_string(*r) : "");
  return r ? parse_error{} : r.error();
}
}  // namespace

TEST(ParseTerm, Integers) {
  EXPECT_EQ(parse("42"), term(42));
  EXPECT_EQ(parse("-42"), term(-42));
  EXPECT_EQ(parse("16#ff"), term(255));
  EXPECT_EQ(parse("-16#FF"), term(-255));
  EXPECT_EQ(parse("2#1010"), term(10));
  EXPECT_EQ(parse("36#zz"), term(36 * 36 - 1));
  EXPECT_EQ(parse("1_000_000"), term(1000000));
  EXPECT_EQ(parse("123456789012345678901234567890"), integer_from_string("123456789012345678901234567890"));
  EXPECT_EQ(parse("16#10000000000000000"), integer_from_string("18446744073709551616"));
  EXPECT_EQ(parse("-9223372036854775808"), term(INT64_MIN));
}

// $c is the character's code.
TEST(ParseTerm, CharLiterals) {
  EXPECT_EQ(parse("$a"), term('a'));
  EXPECT_EQ(parse("$\\n"), term(10));
  EXPECT_EQ(parse("$\\s"), term(32));
  EXPECT_EQ(parse("$\\x{1F600}"), term(0x1F600));
  EXPECT_EQ(parse("$\\101"), term(65));
  EXPECT_EQ(parse("$\\^a"), term(1));
  EXPECT_EQ(parse("$\xc3\xa9"), term(233));
  EXPECT_EQ(parse("$ "), term(32));
}

TEST(ParseTerm, Floats) {
  EXPECT_EQ(parse("1.5"), term(1.5));
  EXPECT_EQ(parse("1.0e10"), term(1.0e10));
  EXPECT_EQ(parse("-2.5e-3"), term(-2.5e-3));
  EXPECT_EQ(parse("1.0E+2"), term(100.0));
  EXPECT_EQ(parse("0.1"), term(0.1));
  fails("1.0e400");
  // "1." is the integer 1 followed by the end dot.
  EXPECT_EQ(parse("1."), term(1));
}

TEST(ParseTerm, Atoms) {
  EXPECT_EQ(parse("ok"), term(atoms::ok));
  EXPECT_EQ(parse("a@b"), term(atom("a@b")));
  EXPECT_EQ(parse("camelCase_1"), term(atom("camelCase_1")));
  EXPECT_EQ(parse("'hello world'"), term(atom("hello world")));
  EXPECT_EQ(parse("'EXIT'"), term(atoms::EXIT));
  EXPECT_EQ(parse("''"), term(atoms::empty));
  EXPECT_EQ(parse("'a\\'b'"), term(atom("a'b")));
  EXPECT_EQ(parse("'tab\\there'"), term(atom("tab\there")));
  EXPECT_EQ(parse("true"), term(true));
  EXPECT_EQ(parse("\xc3\xa4r"), term(atom("\xc3\xa4r")));  // Latin-1 letters are atom characters
  EXPECT_EQ(fails("'" + std::string(256, 'x') + "'").offset, 0u);
}

TEST(ParseTerm, StringsAreCodePointLists) {
  EXPECT_EQ(parse("\"abc\""), string("abc"));
  EXPECT_EQ(parse("\"\""), term());
  EXPECT_EQ(parse("\"a\\nb\\t\\\"\\\\\""), string("a\nb\t\"\\"));
  EXPECT_EQ(parse("\"\\x41\\x{42}\\103\""), string("ABC"));
  EXPECT_EQ(parse("\"h\xc3\xa9\""), list(104, 233));
  EXPECT_EQ(parse("\"ab\" \"cd\""), string("abcd"));  // adjacent strings concatenate
}

TEST(ParseTerm, Binaries) {
  EXPECT_EQ(parse("<<>>"), binary(""));
  EXPECT_EQ(parse("<<\"abc\">>"), binary("abc"));
  EXPECT_EQ(parse("<<1,2,3>>"), binary(std::string_view("\x01\x02\x03", 3)));
  EXPECT_EQ(parse("<< 1 , 2 >>"), binary(std::string_view("\x01\x02", 2)));
  EXPECT_EQ(parse("<<1,2:3>>"), bitstring("\x01\x40", 11));
  EXPECT_EQ(parse("<<256:16>>"), binary(std::string_view("\x01\x00", 2)));
  EXPECT_EQ(parse("<<-1>>"), binary("\xff"));
  EXPECT_EQ(parse("<<\"\xc3\xa9\"/utf8>>"), binary("\xc3\xa9"));
  EXPECT_EQ(parse("<<\"\xc3\xa9\">>"), binary("\xe9"));  // without /utf8, one byte per character
  EXPECT_EQ(parse("<<233/utf8>>"), binary("\xc3\xa9"));
  EXPECT_EQ(parse("<<\"a\",$b,99>>"), binary("abc"));
  fails("<<1.5>>");
  fails("<<1,2");
  fails("<<a>>");
}

TEST(ParseTerm, TuplesListsMaps) {
  EXPECT_EQ(parse("{}"), tuple());
  EXPECT_EQ(parse("{ok, 1}"), tuple("ok"_a, 1));
  EXPECT_EQ(parse("[]"), term());
  EXPECT_EQ(parse("[1,2,3]"), list(1, 2, 3));
  EXPECT_EQ(parse("[1,2|3]"), cons(1, cons(2, 3)));
  EXPECT_EQ(parse("[1 | [2]]"), list(1, 2));
  EXPECT_EQ(parse("#{}"), map({}));
  EXPECT_EQ(parse("#{a => 1, \"k\" => [x]}"), map({{"a"_a, 1}, {string("k"), list("x"_a)}}));
  EXPECT_EQ(parse("#{a => 1, a => 2}"), map({{"a"_a, 2}}));
  EXPECT_EQ(parse("{[{#{k => {v}}}]}"), tuple(list(tuple(map({{"k"_a, tuple("v"_a)}})))));
}

TEST(ParseTerm, PidsRefsPortsFuns) {
  EXPECT_EQ(parse("<0.1.2>"), term(pid{local_node().name, 1, 2, local_node().creation}));
  EXPECT_EQ(parse("#Ref<0.1.2.3>").as_ref().ids[0], 3u);
  EXPECT_EQ(parse("#Ref<0.1.2.3>").as_ref().ids[2], 1u);
  EXPECT_EQ(parse("#Port<0.7>"), term(port{local_node().name, 7, local_node().creation}));
  EXPECT_EQ(parse("fun erlang:abs/1"), export_fun("erlang"_a, "abs"_a, 1));
  fails("<99999.1.2>");  // no node has that number
}

TEST(ParseTerm, WhitespaceCommentsAndEndDot) {
  EXPECT_EQ(parse("  {ok ,\n\t[ 1 ] }  .  "), tuple("ok"_a, list(1)));
  EXPECT_EQ(parse("{a, % a comment\n b}"), tuple("a"_a, "b"_a));
}

TEST(ParseTerm, ErrorsCarryOffsets) {
  EXPECT_EQ(fails("{a b}").offset, 3u);
  EXPECT_EQ(fails("[1,2").offset, 4u);
  EXPECT_EQ(fails("X").message, "variables are not terms");
  fails("");
  fails("{a} {b}");
  fails("#{a}");
  fails("\"unterminated");
  fails("[1|2|3]");
  fails("[|2]");
  fails("{,}");
}

TEST(ParseTerm, NestingIsBoundedNotACrash) {
  const std::size_t deep = 100000;
  const auto r = parse_term(std::string(deep, '[') + std::string(deep, ']'));
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("nested"), std::string::npos);
  const std::size_t ok_depth = 5000;
  EXPECT_TRUE(parse_term(std::string(ok_depth, '{') + std::string(ok_depth, '}')).has_value());
}

TEST(ParseTerm, LiteralOperatorThrowsOnSyntaxError) {
  EXPECT_EQ("{ok, [1,2]}"_term, tuple("ok"_a, list(1, 2)));
  EXPECT_THROW("{ok"_term, std::invalid_argument);
}

// print -> parse gives back the same term.
TEST(ParseTerm, PrintedFormRoundTrips) {
  const std::vector<term> terms = {
      0,
      -1,
      term::small_max,
      term::small_min,
      INT64_MIN,
      UINT64_MAX,
      integer_from_string("-123456789012345678901234567890"),
      1.0,
      0.1,
      -2.5e-3,
      1.0e20,
      5.0e-324,
      1.7976931348623157e308,
      0.30000000000000004,
      -0.0,
      atoms::empty,
      atoms::EXIT,
      atom("hello world"),
      atom("a'b\\c\nd"),
      atom("\xc3\xa9t\xc3\xa9"),
      atom("\xe6\x97\xa5"),
      atom("andalso"),
      tuple(),
      tuple("ok"_a, list(1, 2)),
      term(),
      list(term()),
      cons(1, cons(2, 3)),
      string("abc"),
      string("a\"b\\c\n\t\x1b"),
      list(7, 8),
      list(104, 233, 0x65E5),
      binary(""),
      binary("abc"),
      binary("a\"b\\"),
      binary(std::string_view("\x00\xff\x80", 3)),
      binary("\xff"),
      binary("h\xc3\xa9llo"),
      bitstring("\x01\x40", 11),
      bitstring("\x80", 1),
      map({}),
      map({{"a"_a, 1}, {1, "a"_a}, {string("s"), binary("b")}, {tuple("t"_a), term()}, {1.0, 2}}),
      pid{local_node().name, 85, 3, local_node().creation},
      pid{atom("remote@host"), 1, 2, 0},
      ref{local_node().name, local_node().creation, 3, {1, 2, 3}},
      port{local_node().name, 7, local_node().creation},
      export_fun("erlang"_a, "abs"_a, 1),
      export_fun(atom("Mod"), atom("f x"), 0),
      tuple(list(tuple(map({{"k"_a, list(1.5, "x"_a, binary("y"))}})))),
  };
  for (const term& t : terms) {
    const std::string text = to_string(t);
    const auto back = parse_term(text);
    ASSERT_TRUE(back.has_value()) << text << ": " << back.error().message << " at " << back.error().offset;
    EXPECT_EQ(*back, t) << text << " -> " << to_string(*back);
  }
}
