// Construction, classification, accessors and destruction of otp::term.

#include <gtest/gtest.h>

#include <thread>

#include <otp/term/etf.hpp>
#include <otp/term/term.hpp>

using namespace otp;

TEST(Term, DefaultIsNil) {
  term t;
  EXPECT_TRUE(t.is_nil());
  EXPECT_TRUE(t.is_list());
  EXPECT_EQ(t.type(), term_type::nil);
  EXPECT_EQ(t.list_length(), 0u);
}

TEST(Term, ClassificationFollowsTermTypes) {
  EXPECT_EQ(term(1).type(), term_type::integer);
  EXPECT_EQ(term(1.5).type(), term_type::float_);
  EXPECT_EQ(term("a"_a).type(), term_type::atom);
  EXPECT_EQ(term(ref{}).type(), term_type::reference);
  EXPECT_EQ(export_fun("m"_a, "f"_a, 1).type(), term_type::fun);
  EXPECT_EQ(term(port{}).type(), term_type::port);
  EXPECT_EQ(term(pid{}).type(), term_type::pid);
  EXPECT_EQ(tuple(1).type(), term_type::tuple);
  EXPECT_EQ(map({}).type(), term_type::map);
  EXPECT_EQ(list(1).type(), term_type::list);
  EXPECT_EQ(binary("x").type(), term_type::bitstring);
  EXPECT_TRUE(term(true).is_boolean());
  EXPECT_TRUE(term(false).is_atom(atoms::false_));
  EXPECT_TRUE(cons(1, 2).is_list());  // is_list/1 is true for improper lists too
}

TEST(Term, TupleElementsAreZeroBased) {
  const term t = tuple("a"_a, 2, 3.0);
  EXPECT_TRUE(t.is_tuple(3));
  EXPECT_EQ(t.tuple_size(), 3u);
  EXPECT_EQ(t[0], term("a"_a));
  EXPECT_EQ(t.element(1).as_int(), 2);
  EXPECT_EQ(t.tuple_elements().size(), 3u);
  EXPECT_THROW((void)t.element(3), bad_term_access);
  EXPECT_THROW((void)term(1).tuple_size(), bad_term_access);
  const std::vector<term> v = {1, 2};
  EXPECT_EQ(make_tuple(v), tuple(1, 2));  // unqualified: must not find std::make_tuple
}

TEST(Term, ListsProperAndImproper) {
  const term l = list(1, 2, 3);
  EXPECT_EQ(l.head(), term(1));
  EXPECT_EQ(l.tail(), list(2, 3));
  EXPECT_EQ(l.list_length(), 3u);
  EXPECT_EQ(l.list_elements(), (std::vector<term>{1, 2, 3}));
  const term improper = make_list(std::vector<term>{1, 2}, term(3));
  EXPECT_FALSE(improper.list_length().has_value());
  EXPECT_THROW((void)improper.list_elements(), bad_term_access);
  EXPECT_THROW((void)term().head(), bad_term_access);
}

// maps:from_list/1: when a key repeats, the last value wins.
TEST(Term, MapLastValueWinsAndKeysAreSorted) {
  const term m = map({{"b"_a, 1}, {"a"_a, 2}, {"b"_a, 3}});
  EXPECT_EQ(m.map_size(), 2u);
  ASSERT_NE(m.map_find("b"_a), nullptr);
  EXPECT_EQ(*m.map_find("b"_a), term(3));
  EXPECT_EQ(m.map_entries()[0].first, term("a"_a));
  EXPECT_EQ(m.map_find("c"_a), nullptr);
  const term numeric = map({{1, "int"_a}, {1.0, "float"_a}});  // exact keys: two entries
  EXPECT_EQ(numeric.map_size(), 2u);
  EXPECT_EQ(*numeric.map_find(1.0), term("float"_a));
}

TEST(Term, BinariesAndBitstrings) {
  const term b = binary("hello");
  EXPECT_TRUE(b.is_binary());
  EXPECT_EQ(b.bytes(), "hello");
  EXPECT_EQ(b.bit_size(), 40u);
  const term bits = bitstring("\xff\xff", 12);
  EXPECT_TRUE(bits.is_bitstring());
  EXPECT_FALSE(bits.is_binary());
  EXPECT_EQ(bits.bit_size(), 12u);
  EXPECT_EQ(bits.bytes(), std::string_view("\xff\xf0", 2));  // unused bits cleared
  const std::byte raw[] = {std::byte{1}, std::byte{2}};
  EXPECT_EQ(binary(raw).bytes(), std::string_view("\x01\x02", 2));
}

TEST(Term, SubBinarySharesAndFlattens) {
  const term root = binary("hello world");
  const term sub = sub_binary(root, 6, 5);
  EXPECT_EQ(sub.bytes(), "world");
  EXPECT_EQ(sub.bytes().data(), root.bytes().data() + 6);  // no copy
  const term subsub = sub_binary(sub, 1, 3);
  EXPECT_EQ(subsub.bytes(), "orl");
  EXPECT_EQ(subsub.bytes().data(), root.bytes().data() + 7);
  EXPECT_THROW(sub_binary(root, 6, 6), std::out_of_range);
  EXPECT_THROW(sub_binary(term(1), 0, 0), bad_term_access);
}

TEST(Term, SubBinaryKeepsParentAlive) {
  term sub;
  {
    term root = binary("temporary storage");
    sub = sub_binary(root, 10, 7);
  }
  EXPECT_EQ(sub.bytes(), "storage");
}

TEST(Term, StringsAreCodePointLists) {
  const term s = string("h\xc3\xa9\xe6\x97\xa5");  // "hé日"
  EXPECT_EQ(s, list(104, 233, 0x65E5));
  EXPECT_EQ(s.to_text(), "h\xc3\xa9\xe6\x97\xa5");
  EXPECT_EQ(binary("bin").to_text(), "bin");
  EXPECT_FALSE(list("a"_a).to_text().has_value());
  EXPECT_FALSE(list(-1).to_text().has_value());
  EXPECT_FALSE(list(0xD800).to_text().has_value());
  EXPECT_EQ(term().to_text(), "");
}

TEST(Term, IdentifiersRoundTrip) {
  const pid p{atoms::nonode_nohost, 1, 2, 3};
  EXPECT_EQ(term(p).as_pid(), p);
  const ref r{atoms::nonode_nohost, 1, 3, {4, 5, 6}};
  EXPECT_EQ(term(r).as_ref(), r);
  const port q{atoms::nonode_nohost, 77, 1};
  EXPECT_EQ(term(q).as_port(), q);
  EXPECT_THROW((void)term(1).as_pid(), bad_term_access);
}

TEST(Term, LocalNodeSettingIsVisible) {
  const auto before = local_node();
  set_local_node(atom("me@host"), 7);
  EXPECT_EQ(local_node().name, atom("me@host"));
  EXPECT_EQ(local_node().creation, 7u);
  EXPECT_EQ(to_string(pid{atom("me@host"), 5, 0, 7}), "<0.5.0>");
  set_local_node(before.name, before.creation);
}

// The local node's pids are held in the term word (as the BEAM holds its local pids); they must
// behave exactly as boxed pids do: same value back, same type, Erlang's pid order against boxed
// ones (another node, a serial too wide for the word), ETF, and a hash that does not depend on
// which form the pid has (the same pid is boxed on every other node).
TEST(Term, LocalPidsHeldInTheWordBehaveAsPids) {
  const auto before = local_node();
  const atom here("here@host"), there("there@host");
  set_local_node(here, 9);
  const pid local{here, 5, 3, 9}, wide{here, 4, uint32_t(1) << 30, 9}, remote{there, 1, 1, 2};
  const term a(local), b(wide), c(remote);
  EXPECT_FALSE(a.is_boxed());
  EXPECT_TRUE(b.is_boxed());
  EXPECT_TRUE(a.is_pid() && b.is_pid() && c.is_pid());
  EXPECT_EQ(a.type(), term_type::pid);
  EXPECT_EQ(a.as_pid(), local);
  EXPECT_EQ(b.as_pid(), wide);
  EXPECT_EQ(a, term(local));
  EXPECT_NE(a, term(pid{here, 5, 3, 10}));  // another incarnation: boxed, and a different pid
  EXPECT_LT(a, b);                          // same node: by serial
  EXPECT_LT(a, c);                          // here@host < there@host
  EXPECT_LT(term(12), a);
  EXPECT_LT(a, tuple());
  EXPECT_EQ(to_string(a), "<0.5.3>");
  EXPECT_EQ(etf::decode(etf::encode(a)).value(), a);
  EXPECT_EQ(etf::decode(etf::encode(tuple(a, b))).value(), tuple(a, b));
  const std::size_t hash_here = tuple(a, 1).hash();
  set_local_node(there, 2);
  const term boxed_now(local);
  EXPECT_TRUE(boxed_now.is_boxed());
  EXPECT_EQ(tuple(boxed_now, 1).hash(), hash_here);
  set_local_node(before.name, before.creation);
}

TEST(Term, FunsKeepTheirParts) {
  const fun_info e = fun_of(export_fun("lists"_a, "map"_a, 2));
  EXPECT_TRUE(e.is_export);
  EXPECT_EQ(e.function, atom("map"));
  const term f = closure("mod"_a, 1, "\x01\x02");
  const fun_info c = fun_of(f);  // encoded_body views f's storage
  EXPECT_FALSE(c.is_export);
  EXPECT_EQ(c.encoded_body, "\x01\x02");
  EXPECT_THROW(fun_of(term(1)), bad_term_access);
}

namespace {
struct counted {
  static inline int alive = 0;
  int value;
  explicit counted(int v) : value(v) { ++alive; }
  ~counted() { --alive; }
};
}  // namespace

TEST(Term, OpaqueHoldsACppObjectUntilTheLastCopyGoes) {
  {
    const term t = make_opaque<counted>(42);
    EXPECT_TRUE(t.is_opaque());
    EXPECT_EQ(t.type(), term_type::reference);
    ASSERT_NE(t.opaque_get<counted>(), nullptr);
    EXPECT_EQ(t.opaque_get<counted>()->value, 42);
    EXPECT_EQ(t.opaque_get<int>(), nullptr);
    const term copy = tuple(t);
    EXPECT_EQ(counted::alive, 1);
  }
  EXPECT_EQ(counted::alive, 0);
}

// A 10-million-element list must be freed without recursion: run it on a thread with a 64 KiB
// stack, the size of a fiber's.
TEST(TermDestroy, TenMillionElementListOnSmallStack) {
  term big;
  for (int i = 0; i < 10'000'000; ++i) big = cons(i, std::move(big));
  std::atomic<bool> done{false};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 64 * 1024);
  struct job {
    term* t;
    std::atomic<bool>* done;
  } j{&big, &done};
  pthread_t th;
  ASSERT_EQ(pthread_create(
                &th, &attr,
                [](void* arg) -> void* {
                  auto* jp = static_cast<job*>(arg);
                  *jp->t = term();  // drops the only reference: frees all ten million cells
                  jp->done->store(true);
                  return nullptr;
                },
                &j),
            0);
  pthread_join(th, nullptr);
  pthread_attr_destroy(&attr);
  EXPECT_TRUE(done.load());
  EXPECT_TRUE(big.is_nil());
}

TEST(TermDestroy, DeeplyNestedTuplesOnSmallStack) {
  term nested;
  for (int i = 0; i < 1'000'000; ++i) nested = tuple(std::move(nested), map({{i, list(i)}}));
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 64 * 1024);
  pthread_t th;
  ASSERT_EQ(pthread_create(
                &th, &attr,
                [](void* arg) -> void* {
                  *static_cast<term*>(arg) = term();
                  return nullptr;
                },
                &nested),
            0);
  pthread_join(th, nullptr);
  pthread_attr_destroy(&attr);
  EXPECT_TRUE(nested.is_nil());
}

TEST(TermCopy, SharedContentsAcrossThreads) {
  const term shared = tuple("ok"_a, list(1, 2, 3), binary("payload"));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([shared] {
      for (int i = 0; i < 100000; ++i) {
        term copy = shared;
        (void)copy;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(shared, tuple("ok"_a, list(1, 2, 3), binary("payload")));
}
