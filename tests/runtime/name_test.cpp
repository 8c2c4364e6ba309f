// register/2, unregister/1, whereis/1, registered/0 and sending to names.

#include <gtest/gtest.h>

#include <algorithm>

#include <otp/runtime.hpp>

#include "support/runtime_support.hpp"

using namespace otp;
using namespace otp::literals;
using namespace otp::test;

TEST(Names, RegisterWhereisAndSendByName) {
  node n({.schedulers = 2});
  term got = n.run([] {
    pid me = self();
    pid p = spawn([me] { send(me, tuple("echo"_a, receive())); });
    EXPECT_TRUE(register_name("echo_server"_a, p));
    EXPECT_EQ(whereis("echo_server"_a), std::optional<pid>(p));
    auto names = registered();
    EXPECT_NE(std::find(names.begin(), names.end(), "echo_server"_a), names.end());
    send("echo_server"_a, 42);
    return next_message();
  });
  EXPECT_EQ(got, tuple("echo"_a, 42));
}

// A name can belong to one process, and a process can have one name (register/2 badarg cases).
TEST(Names, RegisterRejectsTakenNameSecondNameAndDeadPid) {
  node n({.schedulers = 2});
  std::vector<bool> results = n.run([] {
    pid a = spawn([] { receive(); });
    pid b = spawn([] { receive(); });
    auto [dead, m] = spawn_monitor([] {});
    next_down(m);
    std::vector<bool> r{register_name("taken"_a, a), register_name("taken"_a, b),
                        register_name("second"_a, a), register_name("ghost"_a, dead),
                        register_name(atoms::undefined, b)};
    exit(a, atoms::kill);
    exit(b, atoms::kill);
    return r;
  });
  EXPECT_EQ(results, (std::vector<bool>{true, false, false, false, false}));
}

// A process's name is freed when it exits, so the name can be taken again at once.
TEST(Names, NameIsReleasedOnExit) {
  node n({.schedulers = 2});
  bool again = n.run([] {
    pid p = spawn([] { receive(); });
    register_name("short_lived"_a, p);
    ref m = monitor(p);
    exit(p, atoms::kill);
    next_down(m);
    if (whereis("short_lived"_a)) return false;
    pid q = spawn([] { receive(); });
    bool ok = register_name("short_lived"_a, q);
    exit(q, atoms::kill);
    return ok;
  });
  EXPECT_TRUE(again);
}

// Sending to a name nobody holds raises badarg, as Name ! Msg does.
TEST(Names, SendToUnregisteredNameIsBadarg) {
  node n({.schedulers = 2});
  bool badarg = n.run([] {
    try {
      send("nobody"_a, 1);
    } catch (const erlang_error& e) {
      return e.reason() == term(atoms::badarg);
    }
    return false;
  });
  EXPECT_TRUE(badarg);
}

TEST(Names, UnregisterFreesName) {
  node n({.schedulers = 2});
  auto [first, second, after] = n.run([] {
    pid p = spawn([] { receive(); });
    register_name("temp"_a, p);
    bool a = unregister_name("temp"_a);
    bool b = unregister_name("temp"_a);
    bool c = whereis("temp"_a).has_value();
    exit(p, atoms::kill);
    return std::tuple{a, b, c};
  });
  EXPECT_TRUE(first);
  EXPECT_FALSE(second);
  EXPECT_FALSE(after);
}

// The process dictionary: put/2 returns the old value, get/1 and erase/1 give undefined when absent.
TEST(ProcessDictionary, PutGetErase) {
  node n({.schedulers = 1});
  std::vector<term> got = n.run([] {
    std::vector<term> out;
    out.push_back(put("k"_a, 1));
    out.push_back(put("k"_a, 2));
    out.push_back(get("k"_a));
    out.push_back(term(int64_t(get_dictionary().size())));
    out.push_back(erase("k"_a));
    out.push_back(get("k"_a));
    return out;
  });
  EXPECT_EQ(got, (std::vector<term>{atoms::undefined, 1, 2, 1, 2, atoms::undefined}));
}

// A dictionary used as a store: past a handful of keys it is indexed (process_dictionary.hpp);
// every key must stay reachable through puts, overwrites and erases on both sides of that point.
TEST(ProcessDictionary, ManyKeysSurviveOverwritesAndErases) {
  node n({.schedulers = 1});
  const bool consistent = n.run([] {
    constexpr int64_t keys = 100;
    for (int64_t k = 0; k < keys; ++k) {
      if (!put(term(k), term(k * 10)).is_atom(atoms::undefined)) return false;
    }
    for (int64_t k = 0; k < keys; k += 3) {
      if (put(term(k), term(k * 10 + 1)) != term(k * 10)) return false;  // overwrite: old value back
    }
    for (int64_t k = 0; k < keys; k += 2) {
      const term expected(k % 3 == 0 ? k * 10 + 1 : k * 10);
      if (erase(term(k)) != expected) return false;
    }
    for (int64_t k = 0; k < keys; ++k) {
      const term expected = k % 2 == 0 ? term(atoms::undefined) : term(k % 3 == 0 ? k * 10 + 1 : k * 10);
      if (get(term(k)) != expected) return false;
    }
    if (get_dictionary().size() != std::size_t(keys / 2)) return false;
    // Down to a few keys again, then past the index once more.
    for (int64_t k = 1; k < keys - 4; k += 2) erase(term(k));
    if (get_dictionary().size() != 2) return false;
    for (int64_t k = 0; k < keys; k += 2) put(term(k), term(-k));
    for (int64_t k = 0; k < keys; k += 2) {
      if (get(term(k)) != term(-k)) return false;
    }
    return get(term(keys - 1)) == term((keys - 1) % 3 == 0 ? (keys - 1) * 10 + 1 : (keys - 1) * 10) &&
           get_dictionary().size() == std::size_t(keys / 2 + 2);
  });
  EXPECT_TRUE(consistent);
}
