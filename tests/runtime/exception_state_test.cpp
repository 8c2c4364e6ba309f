// C++ exception state is each process's own: a process that blocks inside a catch handler and
// rethrows afterwards rethrows its own exception, whatever ran on its scheduler thread
// meanwhile, and on whichever thread it resumes (the C++ runtime keeps that state per thread;
// fibers carry it across their switches).

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <string>

#include <otp/runtime.hpp>

#include "support/runtime_support.hpp"

using namespace otp;
using namespace otp::literals;
using namespace otp::test;

namespace {

/// Spawns `count` processes that each catch their own exception, block three times inside the
/// handler, rethrow and check what they catch; returns how many caught another one's (or none).
int wrong_rethrows(unsigned schedulers, int count) {
  node n({.schedulers = schedulers});
  return n.run([count] {
    const pid me = self();
    for (int i = 0; i < count; ++i) {
      spawn([me, i] {
        const std::string mine = "process " + std::to_string(i);
        bool right = false;
        try {
          try {
            throw std::runtime_error(mine);
          } catch (const std::runtime_error&) {
            for (int k = 0; k < 3; ++k) receive(timeout::ms(1));  // others run (and throw) meanwhile
            throw;
          }
        } catch (const std::runtime_error& e) {
          right = e.what() == mine && std::uncaught_exceptions() == 0;
        }
        send(me, right);
      });
    }
    int wrong = 0;
    for (int i = 0; i < count; ++i) wrong += next_message() == term(true) ? 0 : 1;
    return wrong;
  });
}

}  // namespace

TEST(ExceptionState, BlockingInsideACatchHandlerKeepsTheProcessesOwnException) {
  EXPECT_EQ(wrong_rethrows(1, 500), 0);
  EXPECT_EQ(wrong_rethrows(2, 500), 0);  // and it resumes on either thread
}

// std::uncaught_exceptions() counts the process's own exceptions: a process unwinding (in a
// destructor that blocks) does not make another one on its thread look as if it unwound.
TEST(ExceptionState, UncaughtExceptionsIsPerProcess) {
  node n({.schedulers = 1});
  const term seen = n.run([] {
    const pid me = self();
    const pid unwinder = spawn([me] {
      struct blocks_while_unwinding {
        pid to;
        ~blocks_while_unwinding() {
          send(to, tuple("unwinding"_a, int64_t(std::uncaught_exceptions())));
          receive([](const term& m) { return m == term("done"_a); }, timeout::ms(10'000));
        }
      };
      try {
        blocks_while_unwinding b{me};
        throw std::runtime_error("unwinding");
      } catch (const std::runtime_error&) {
      }
    });
    const term during = next_matching([](const term& m) { return m.is_tuple(2); });
    const int64_t mine = std::uncaught_exceptions();  // this process, meanwhile, on the same thread
    send(unwinder, "done"_a);
    return tuple(during[1], mine);
  });
  EXPECT_EQ(seen, tuple(1, 0));
}
