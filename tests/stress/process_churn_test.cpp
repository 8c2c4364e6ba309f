// Stress: a million processes spawned and ended.
//
// Erlang rules checked: a spawned process runs its function exactly once; its exit is reported to
// a monitor by exactly one DOWN with reason normal; an ended process leaves nothing behind (the
// process count returns to where it was).

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <vector>

#include <otp/runtime.hpp>

#include "stress/stress_support.hpp"

using namespace otp;
using namespace otp::literals;
using otp::stress::is_down;
using otp::stress::receive_bounded;
using otp::stress::require;

TEST(ProcessChurn, MillionSpawnedProcessesEachRunExactlyOnceAndEachExitGivesOneNormalDown) {
  const std::size_t total = otp::stress::stress_scaled(1'000'000, 1000);
  static constexpr std::size_t spawners = 4;
  // Children alive at once per spawner: bounds memory while keeping both schedulers busy.
  static constexpr std::size_t window = 2000;
  std::vector<std::atomic<uint8_t>> ran(total);

  node n({.schedulers = 2});
  std::size_t leftover = 0;
  n.run([&] {
    const std::size_t baseline = n.process_count();
    const pid me = self();
    std::vector<ref> spawner_refs;
    for (std::size_t s = 0; s < spawners; ++s) {
      spawner_refs.push_back(spawn_monitor([&ran, me, s, total] {
                               const pid spawner = self();
                               const std::size_t begin = total * s / spawners;
                               const std::size_t end = total * (s + 1) / spawners;
                               std::size_t outstanding = 0, reports = 0, downs = 0;
                               auto take_one = [&] {
                                 term m = receive_bounded("child_report");
                                 if (is_down(m)) {
                                   require(m[4].is_atom(atoms::normal), "child_exit_reason", m);
                                   ++downs;
                                   --outstanding;
                                 } else {
                                   const int64_t i = m.as_int();
                                   require(i >= int64_t(begin) && i < int64_t(end), "child_index", m);
                                   ++reports;
                                 }
                               };
                               for (std::size_t i = begin; i < end; ++i) {
                                 while (outstanding >= window) take_one();
                                 spawn_monitor([&ran, spawner, i] {
                                   ran[i].fetch_add(1, std::memory_order_relaxed);
                                   send(spawner, int64_t(i));
                                 });
                                 ++outstanding;
                               }
                               while (outstanding > 0 || reports < end - begin) take_one();
                               send(me, tuple("spawner_done"_a, int64_t(s), int64_t(reports), int64_t(downs),
                                              int64_t(end - begin)));
                             }).second);
    }
    std::size_t done = 0, downs = 0;
    while (done < spawners || downs < spawners) {
      term m = receive_bounded("spawner_report");
      if (is_down(m)) {
        EXPECT_TRUE(m[4].is_atom(atoms::normal)) << "spawner ended with " << m;
        ++downs;
      } else {
        EXPECT_EQ(m[2], m[4]) << "reports from children of spawner " << m[1];
        EXPECT_EQ(m[3], m[4]) << "DOWNs of children of spawner " << m[1];
        ++done;
      }
    }
    // Every child's DOWN has arrived, and a process leaves the table before its DOWN is sent.
    leftover = n.process_count() - baseline;
  });
  EXPECT_EQ(leftover, 0u);
  std::size_t not_once = 0;
  for (std::size_t i = 0; i < total; ++i) {
    if (ran[i].load(std::memory_order_relaxed) != 1) ++not_once;
  }
  EXPECT_EQ(not_once, 0u) << "children that did not run exactly once, of " << total;
}
