// Deterministic mutation testing of the ETF decoder: 100,000 damaged encodings from a fixed seed.
// Each must either decode or fail with a decode_error (never crash, hang or throw; run it under
// ASan/UBSan), and whatever decodes must encode again and decode back to the same term.
// tests/fuzz/etf_decode_fuzz.cpp explores the same property without a fixed budget.

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include <otp/term/etf.hpp>

using namespace otp;
using namespace otp::etf;

namespace {

// A string literal's bytes, NULs included.
template <std::size_t N>
std::string raw(const char (&s)[N]) {
  return std::string(s, N - 1);
}

std::vector<std::string> seeds() {
  const atom node("seed@host");
  const term closure_like = list(tuple(atoms::gen_call, tuple(term(pid{node, 1, 2, 3}), list(atoms::alias)),
                                       term(ref{node, 1, 3, {1, 2, 3}})));
  const std::vector<term> terms = {
      tuple(1, -1, 300, -70000, int64_t(1) << 45, integer_from_string("-" + std::string(30, '9')), 0.25),
      list(atom("a"), atom("\xC3\xA9t\xC3\xA9"), string("str"), list(1, list(2, list(3)))),
      make_list(std::vector<term>{1, 2}, binary("tail")),
      map({{atom("k"), binary("v")}, {tuple(1, 2), map({{1, 2.0}})}, {term(), list(3)}}),
      tuple(bitstring("\xFF\x80", 9), binary(""), binary("\0\1\2\3"), term(port{node, 9, 1}),
            term(port{node, uint64_t(1) << 33, 1}), export_fun(atom("m"), atom("f"), 3)),
      closure_like,
  };
  std::vector<std::string> out;
  for (const term& t : terms) {
    out.push_back(encode(t));
    out.push_back(encode(list(t, t, t, t, t, t), {.compression_level = 6}));
  }
  // A NEW_FUN_EXT with one free variable, and legacy forms, so that their paths get mutated too.
  std::string fun_body = std::string(1, char(1)) + std::string(16, 'u') + raw("\0\0\0\0\0\0\0\1") +
                         raw("\x77\x01m\x61\x00\x61\x00\x58\x77\x01n") + std::string(12, '\0') +
                         raw("\x61\x05");
  const auto size = uint32_t(fun_body.size() + 4);
  out.push_back(raw("\x83\x70") + char(size >> 24) + char(size >> 16) + char(size >> 8) + char(size) +
                fun_body);
  out.push_back(raw("\x83\x68\x04\x63") + "1.50000000000000000000e+00" + std::string(5, '\0') +
                raw("\x64\x00\x02ok\x67\x73\x01n\0\0\0\1\0\0\0\2\3\x72\x00\x02\x73\x01n\4\0\0\0\5\0\0\0\6"));
  return out;
}

std::string mutate(std::string b, std::mt19937_64& rng) {
  const int edits = 1 + int(rng() % 4);
  for (int e = 0; e < edits && !b.empty(); ++e) {
    const std::size_t at = rng() % b.size();
    switch (rng() % 7) {
      case 0:  // flip one bit
        b[at] = char(b[at] ^ (1 << (rng() % 8)));
        break;
      case 1: {  // a value that tends to matter in lengths and tags
        static constexpr unsigned char interesting[] = {0, 1, 0x7F, 0x80, 0xFF, 97, 104, 108, 112, 116, 119};
        b[at] = char(interesting[rng() % sizeof interesting]);
        break;
      }
      case 2:  // any byte
        b[at] = char(rng());
        break;
      case 3:  // truncate
        b.resize(at);
        break;
      case 4:  // insert a byte
        b.insert(b.begin() + std::ptrdiff_t(at), char(rng()));
        break;
      case 5:  // delete a byte
        b.erase(at, 1);
        break;
      case 6: {  // duplicate a slice
        const std::size_t len = 1 + rng() % 8;
        b.insert(at, b.substr(at, len));
        break;
      }
    }
  }
  return b;
}

}  // namespace

TEST(EtfMutation, HundredThousandDamagedInputs) {
  const auto inputs = seeds();
  for (const auto& s : inputs) {
    const auto r = decode(s);
    ASSERT_TRUE(r) << r.error().message;
  }
  std::mt19937_64 rng(20240611);
  const decode_limits limits{.max_depth = 64, .max_uncompressed_size = 1 << 20};
  std::size_t decoded_count = 0;
  for (int i = 0; i < 100'000; ++i) {
    const std::string input = mutate(inputs[rng() % inputs.size()], rng);
    const auto r = decode(input, limits);
    if (!r) {
      ASSERT_FALSE(r.error().message.empty());
      ASSERT_LE(r.error().offset, std::max<std::size_t>(input.size(), 1u << 20));
      continue;
    }
    ++decoded_count;
    // A closure echoes its own (possibly damaged but well-formed) bytes; everything else re-encodes.
    const std::string again = encode(*r);
    const auto back = decode(again, limits);
    ASSERT_TRUE(back) << back.error().message;
    ASSERT_EQ(*back, *r) << to_string(*r);
    ASSERT_EQ(encode(*back), again);
  }
  // The mutations must leave some inputs valid, or the re-encode property is never exercised.
  EXPECT_GT(decoded_count, 1000u);
}

// The body and prefix entry points get the same treatment on a smaller budget.
TEST(EtfMutation, PrefixAndBodyEntryPoints) {
  const auto inputs = seeds();
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20'000; ++i) {
    const std::string input = mutate(inputs[rng() % inputs.size()], rng);
    if (const auto p = decode_prefix(input)) {
      ASSERT_LE(p->consumed, input.size());
    }
    const std::string_view body = std::string_view(input).substr(input.empty() ? 0 : 1);
    if (const auto b = decode_body_prefix(body)) {
      ASSERT_LE(b->consumed, body.size());
    }
  }
}
