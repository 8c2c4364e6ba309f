#include <gtest/gtest.h>

#include <otp/runtime.hpp>

using namespace otp;
using namespace otp::literals;

TEST(Smoke, PingPong) {
  node n({.schedulers = 2});
  int64_t got = n.run([] {
    pid me = self();
    pid child = spawn([me] {
      for (int i = 0; i < 1000; ++i) {
        term m = receive();
        send(me, m.as_int() + 1);
      }
    });
    int64_t v = 0;
    for (int i = 0; i < 1000; ++i) {
      send(child, v);
      v = receive().as_int();
    }
    return v;
  });
  EXPECT_EQ(got, 1000);
}
