// The atom table: interning, predefined atoms, Erlang's 255-character limit and the table bound.

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include <otp/term/atom.hpp>
#include <otp/term/term.hpp>

using namespace otp;

TEST(AtomTable, PredefinedAtomsHaveTheirNamesAndIndices) {
  EXPECT_EQ(atoms::empty.name(), "");
  EXPECT_EQ(atoms::true_.name(), "true");
  EXPECT_EQ(atoms::EXIT.name(), "EXIT");
  EXPECT_EQ(atoms::nonode_nohost.name(), "nonode@nohost");
  EXPECT_EQ(atoms::gen_call.name(), "$gen_call");
  EXPECT_EQ(atoms::throw_.name(), "throw");
  for (std::size_t i = 0; i < std::size(detail::predefined_atom_names); ++i) {
    EXPECT_EQ(atom(detail::predefined_atom_names[i]).index(), i);
    EXPECT_EQ(atom::from_index(uint32_t(i)).name(), detail::predefined_atom_names[i]);
  }
}

TEST(AtomTable, InterningIsIdempotent) {
  const atom a("some_atom_for_interning");
  const atom b("some_atom_for_interning");
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.name(), "some_atom_for_interning");
  EXPECT_EQ("ok"_a, atoms::ok);
}

TEST(AtomTable, ExistingNeverInterns) {
  const std::size_t before = atom_count();
  EXPECT_FALSE(atom::existing("never_interned_atom_xyz").has_value());
  EXPECT_EQ(atom_count(), before);
  const atom made("now_interned_atom_xyz");
  EXPECT_EQ(atom::existing("now_interned_atom_xyz"), made);
}

// Erlang: an atom has at most 255 characters (code points, not bytes).
TEST(AtomTable, NameOf255CharactersIsAllowed) {
  EXPECT_EQ(atom(std::string(255, 'x')).name().size(), 255u);
  std::string two_byte;
  for (int i = 0; i < 255; ++i) two_byte += "\xc3\xa9";  // é: 255 characters, 510 bytes
  EXPECT_EQ(atom(two_byte).name(), two_byte);
}

TEST(AtomTable, NameOf256CharactersThrowsAtomTooLong) {
  EXPECT_THROW(atom(std::string(256, 'x')), atom_too_long);
  std::string two_byte;
  for (int i = 0; i < 256; ++i) two_byte += "\xc3\xa9";
  EXPECT_THROW((void)atom(two_byte), atom_too_long);
}

TEST(AtomTable, LimitCannotBeChangedAfterUserAtoms) {
  (void)atom("an_atom_beyond_the_predefined");
  EXPECT_FALSE(set_atom_table_limit(5000));
  EXPECT_EQ(atom_table_limit(), 1048576u);
}

// Fills the real table (default limit 1,048,576) in a child process, so the rest of the suite
// keeps a usable table: the first atom past the limit must throw atom_table_full, and the table
// must hold exactly `limit` atoms.
TEST(AtomTableDeathTest, FullTableThrowsAtomTableFull) {
  EXPECT_EXIT(
      {
        std::size_t i = 0;
        try {
          for (;; ++i) (void)atom("fill_" + std::to_string(i));
        } catch (const atom_table_full&) {
          const bool exact = atom_count() == atom_table_limit();
          const bool existing_still_work = atom("fill_0") == atom("fill_0");
          std::exit(exact && existing_still_work ? 0 : 2);
        }
        std::exit(3);
      },
      ::testing::ExitedWithCode(0), "");
}

// Erlang's +t: a smaller limit set before any user atom exists. The "threadsafe" death-test
// style re-executes this binary for the child, so the child's table holds only predefined atoms.
TEST(AtomTableDeathTest, LimitSetEarlyIsEnforced) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        if (!set_atom_table_limit(atom_count() + 3)) std::exit(4);
        if (set_atom_table_limit(atom_count() - 1)) std::exit(5);  // below the predefined ones
        (void)atom("first");
        (void)atom("second");
        (void)atom("third");
        try {
          (void)atom("fourth");
        } catch (const atom_table_full&) {
          std::exit(atom::existing("first") ? 0 : 7);  // existing atoms are still found
        }
        std::exit(6);
      },
      ::testing::ExitedWithCode(0), "");
}

// Interning is thread-safe: every thread gets the same atom for a name, and names read back
// (lock-free) while others intern.
TEST(AtomTable, ConcurrentInterningAgrees) {
  constexpr int threads = 8, names = 2000;
  std::vector<std::vector<uint32_t>> seen(threads);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([t, &seen] {
      for (int i = 0; i < names; ++i) {
        const std::string name = "concurrent_" + std::to_string((i * 7 + t * 13) % names);
        const atom a(name);
        if (a.name() != name) std::abort();
        seen[t].push_back(a.index());
      }
    });
  for (auto& th : pool) th.join();
  for (int i = 0; i < names; ++i) {
    const atom a = *atom::existing("concurrent_" + std::to_string(i));
    EXPECT_EQ(a.name(), "concurrent_" + std::to_string(i));
  }
  for (int t = 0; t < threads; ++t)
    for (int i = 0; i < names; ++i)
      EXPECT_EQ(seen[t][i], atom("concurrent_" + std::to_string((i * 7 + t * 13) % names)).index());
}
