// otp::process_body: what a process runs. A std::function stand-in that is move-only, holds small
// captures in place and larger ones in a block of its own; each capture is destroyed exactly once.

#include <gtest/gtest.h>

#include <array>
#include <functional>
#include <memory>

#include <otp/runtime.hpp>

using otp::process_body;

namespace {

/// Counts how many copies of it are alive.
struct counted {
  explicit counted(int* live) : live(live) { ++*live; }
  counted(const counted& o) : live(o.live) { ++*live; }
  counted(counted&& o) noexcept : live(o.live) { ++*live; }
  ~counted() { --*live; }
  int* live;
};

}  // namespace

TEST(ProcessBody, RunsSmallAndLargeCapturesAndFreesEachOnce) {
  int live = 0;
  int runs = 0;
  {
    counted small(&live);
    process_body a([&runs, c = small] { ++runs; });  // 16 bytes: held in place
    std::array<int64_t, 8> big{1, 2, 3, 4, 5, 6, 7, 8};
    process_body b([&runs, c = small, big] { runs += int(big[7]); });  // 80 bytes: a block
    EXPECT_EQ(live, 3);
    process_body moved_a = std::move(a);
    process_body moved_b = std::move(b);
    EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move): moved-from is empty, as documented
    EXPECT_FALSE(b);  // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(live, 3);
    moved_a();
    moved_b();
    EXPECT_EQ(runs, 9);
    moved_a = nullptr;
    EXPECT_EQ(live, 2);
  }
  EXPECT_EQ(live, 0);
}

TEST(ProcessBody, TakesMoveOnlyCapturesAndStdFunctions) {
  auto owned = std::make_unique<int>(41);
  int seen = 0;
  process_body a([&seen, p = std::move(owned)] { seen = *p + 1; });
  a();
  EXPECT_EQ(seen, 42);

  process_body from_function(std::function<void()>([&seen] { seen = 7; }));
  from_function();
  EXPECT_EQ(seen, 7);
  EXPECT_FALSE(process_body(std::function<void()>()));  // an empty std::function: an empty body
  EXPECT_THROW(process_body()(), std::bad_function_call);
}

// A process body larger than the space in place runs as a process and is destroyed with it.
TEST(ProcessBody, LargeCaptureRunsAsAProcess) {
  otp::node n({.schedulers = 2});
  const int64_t sum = n.run([] {
    std::array<int64_t, 6> values{1, 2, 3, 4, 5, 6};
    const otp::pid me = otp::self();
    otp::spawn([me, values] {
      int64_t s = 0;
      for (int64_t v : values) s += v;
      otp::send(me, otp::term(s));
    });
    return otp::receive().as_int();
  });
  EXPECT_EQ(sum, 21);
}

// unique_function<R()> returns what its callable returns (gen's start makes its server this way).
TEST(ProcessBody, UniqueFunctionReturnsTheValue) {
  std::array<int64_t, 5> big{1, 2, 3, 4, 5};
  otp::unique_function<std::unique_ptr<int>()> make([big] { return std::make_unique<int>(int(big[4])); });
  EXPECT_EQ(*make(), 5);
  otp::unique_function<int()> small([] { return 3; });
  EXPECT_EQ(small(), 3);
}
