// Printing: each expected text is what Erlang/OTP 25 prints for the same term with
// io_lib:format("~10000p", [T]) (checked with erl), unless a comment says otherwise.

#include <gtest/gtest.h>

#include <sstream>

#include <otp/term/term.hpp>

using namespace otp;

namespace {
std::string p(const term& t) { return to_string(t); }
}  // namespace

TEST(Print, TuplesAndProperLists) {
  EXPECT_EQ(p(tuple("ok"_a, list(1, 2))), "{ok,[1,2]}");
  EXPECT_EQ(p(tuple()), "{}");
  EXPECT_EQ(p(list(term())), "[[]]");
  EXPECT_EQ(p(term()), "[]");
  EXPECT_EQ(p(tuple(1, tuple(2, tuple(3, term())))), "{1,{2,{3,[]}}}");
}

TEST(Print, ImproperListUsesBar) {
  EXPECT_EQ(p(cons(1, cons(2, 3))), "[1,2|3]");
  EXPECT_EQ(p(tuple(cons(1, 2), binary("\xff"))), "{[1|2],<<\"\xc3\xbf\">>}");  // <<255>> as Latin-1 text
}

TEST(Print, PrintableListsAsStrings) {
  EXPECT_EQ(p(string("abc")), "\"abc\"");
  EXPECT_EQ(p(string("a\nb")), "\"a\\nb\"");
  EXPECT_EQ(p(list(9, 27)), "\"\\t\\e\"");
  EXPECT_EQ(p(list(7, 8)), "[7,8]");  // \a is not printable for ~p
  EXPECT_EQ(p(list('a', 0)), "[97,0]");
  EXPECT_EQ(p(list("a"_a, string("b"), binary("c"))), "[a,\"b\",<<\"c\">>]");
  EXPECT_EQ(p(list(104, 233)), "\"h\xc3\xa9\"");  // Latin-1 range, written as UTF-8
  EXPECT_EQ(p(list(0x65E5)), "[26085]");          // beyond ~p's default Latin-1 printable range
}

TEST(Print, Binaries) {
  EXPECT_EQ(p(binary("")), "<<>>");
  EXPECT_EQ(p(binary("abc")), "<<\"abc\">>");
  EXPECT_EQ(p(binary(std::string_view("\x01\x02\x03", 3))), "<<1,2,3>>");
  EXPECT_EQ(p(binary("a\"b\\")), "<<\"a\\\"b\\\\\">>");
  // ~tp shows UTF-8 text this way.
  EXPECT_EQ(p(binary("h\xc3\xa9llo")), "<<\"h\xc3\xa9llo\"/utf8>>");
}

TEST(Print, BitstringsShowTrailingBits) {
  EXPECT_EQ(p(bitstring("\x01\x40", 11)), "<<1,2:3>>");
  EXPECT_EQ(p(bitstring("ab\x20", 19)), "<<97,98,1:3>>");
  EXPECT_EQ(p(bitstring("\x80", 1)), "<<1:1>>");
}

TEST(Print, AtomsQuotedWhenNeeded) {
  EXPECT_EQ(p(atom("hello world")), "'hello world'");
  EXPECT_EQ(p(atoms::EXIT), "'EXIT'");
  EXPECT_EQ(p(atoms::empty), "''");
  EXPECT_EQ(p(atom("a@b")), "a@b");
  EXPECT_EQ(p(atoms::true_), "true");
  EXPECT_EQ(p(atom("andalso")), "'andalso'");
  EXPECT_EQ(p(atom("_x")), "'_x'");
  EXPECT_EQ(p(atom("Ab")), "'Ab'");
  EXPECT_EQ(p(atom("a'b")), "'a\\'b'");
  EXPECT_EQ(p(atoms::gen_call), "'$gen_call'");
  EXPECT_EQ(p(atom("a\x01"
                   "b")),
            "'a\\001b'");
}

TEST(Print, FloatsInShortestRoundTripForm) {
  EXPECT_EQ(p(1.0), "1.0");
  EXPECT_EQ(p(0.1), "0.1");
  EXPECT_EQ(p(1.0e20), "1.0e20");
  EXPECT_EQ(p(-2.5e-3), "-0.0025");
  EXPECT_EQ(p(1.0e15), "1.0e15");
  EXPECT_EQ(p(123456789.0), "123456789.0");
  EXPECT_EQ(p(1.0e-5), "1.0e-5");
  EXPECT_EQ(p(0.0001), "0.0001");
  EXPECT_EQ(p(100.0), "100.0");
  EXPECT_EQ(p(9007199254740992.0), "9.007199254740992e15");
  EXPECT_EQ(p(1234567890123456.8), "1234567890123456.8");
  EXPECT_EQ(p(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(p(5.0e-324), "5.0e-324");
  EXPECT_EQ(p(1.0e3), "1.0e3");
  EXPECT_EQ(p(1.5e-4), "1.5e-4");
  EXPECT_EQ(p(0.0015), "0.0015");
  EXPECT_EQ(p(-0.0), "-0.0");
}

TEST(Print, IntegersAroundWordBoundaries) {
  EXPECT_EQ(p(integer_from_string("18446744073709551616")), "18446744073709551616");
  EXPECT_EQ(p(INT64_MIN), "-9223372036854775808");
  EXPECT_EQ(p(int64_t(1) << 62), "4611686018427387904");
  EXPECT_EQ(p(integer_from_string("-4611686018427387905")), "-4611686018427387905");
}

TEST(Print, MapsInKeyOrder) {
  EXPECT_EQ(p(map({})), "#{}");
  EXPECT_EQ(p(map({{"b"_a, list("x"_a)}, {"a"_a, 1}})), "#{a => 1,b => [x]}");
  EXPECT_EQ(p(map({{"a"_a, 1}, {1, "a"_a}, {string("s"), binary("b")}, {tuple("t"_a), term()}})),
            "#{1 => a,a => 1,{t} => [],\"s\" => <<\"b\">>}");
}

TEST(Print, LocalPidsUseNodeZero) {
  EXPECT_EQ(p(pid{local_node().name, 85, 0, local_node().creation}), "<0.85.0>");
}

TEST(Print, RemotePidsUseNonzeroStableNodeNumber) {
  const pid remote{atom("other@host"), 1, 2, 3};
  const std::string s = p(remote);
  ASSERT_EQ(s.front(), '<');
  EXPECT_NE(s.substr(0, 3), "<0.");
  EXPECT_EQ(s, p(remote));  // stable
  EXPECT_EQ(s.substr(s.find('.')), ".1.2>");
}

TEST(Print, RefsPortsFuns) {
  EXPECT_EQ(p(ref{local_node().name, 0, 3, {130223, 1812201474, 3959358557}}),
            "#Ref<0.3959358557.1812201474.130223>");
  EXPECT_EQ(p(port{local_node().name, 7, 0}), "#Port<0.7>");
  EXPECT_EQ(p(export_fun("erlang"_a, "abs"_a, 1)), "fun erlang:abs/1");
}

TEST(Print, StreamOperatorMatchesToString) {
  std::ostringstream os;
  os << tuple("ok"_a, 1);
  EXPECT_EQ(os.str(), "{ok,1}");
}

// Printing walks an explicit stack: a long list prints without recursion.
TEST(Print, LongListDoesNotRecurse) {
  std::vector<term> items(200000, term("a"_a));
  const std::string s = p(make_list(items));
  EXPECT_EQ(s.size(), 2 * items.size() + 1);
}
