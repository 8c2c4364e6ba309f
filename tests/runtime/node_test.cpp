// The node: start, run, stop, process info and blocking work.

#include <gtest/gtest.h>

#include <future>

#include <otp/runtime.hpp>

#include "support/runtime_support.hpp"

using namespace otp;
using namespace otp::literals;
using namespace otp::test;

// Stopping a node kills every process, unwinding blocked ones (their destructors run).
TEST(Node, StopUnwindsBlockedProcesses) {
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  struct guard {
    std::shared_ptr<std::atomic<int>> counter;
    ~guard() { counter->fetch_add(1); }
  };
  {
    node n({.schedulers = 2});
    n.run([destroyed] {
      const pid parent = self();
      for (int i = 0; i < 100; ++i) {
        spawn([destroyed, parent] {
          guard g{destroyed};
          send(parent, "started"_a);
          receive();
        });
      }
      // Every one has its guard on its stack before the node stops (a process killed before its
      // first run never runs at all, as in Erlang).
      for (int i = 0; i < 100; ++i) receive();
    });
    EXPECT_GT(n.process_count(), 0u);
    n.stop();
    EXPECT_EQ(n.process_count(), 0u);
  }
  EXPECT_EQ(destroyed->load(), 100);
}

TEST(Node, RunRethrowsExceptionsAndReportsExits) {
  node n({.schedulers = 1});
  EXPECT_THROW(n.run([] { throw std::out_of_range("x"); }), std::out_of_range);
  try {
    n.run([] { exit("gone"_a); });
    FAIL() << "expected process_exited";
  } catch (const process_exited& e) {
    EXPECT_EQ(e.reason(), term("gone"_a));
  }
}

TEST(Node, OutsideThreadsCanSpawnSendAndAwait) {
  node n({.schedulers = 2});
  auto result = std::make_shared<std::promise<term>>();
  pid p = n.spawn([result] {
    result->set_value(receive());
    exit(receive());
  });
  n.send(p, "from outside"_a);
  auto f = result->get_future();
  ASSERT_EQ(f.wait_for(bound), std::future_status::ready);
  EXPECT_EQ(f.get(), term("from outside"_a));
  // await_exit monitors the process: start it, and end the process once the monitor is in place.
  auto reason = std::async(std::launch::async, [&] { return n.await_exit(p); });
  n.run([p] {
    while (process_info(p)->monitored_by.empty()) yield();
  });
  n.send(p, "bye"_a);
  EXPECT_EQ(reason.get(), std::optional<term>("bye"_a));
  // A process that is already gone reports noproc, as a monitor does.
  EXPECT_EQ(n.await_exit(p), std::optional<term>(atoms::noproc));
}

// Process-only functions called from a plain thread fail clearly.
TEST(Node, ProcessFunctionsOutsideProcessThrow) {
  node n({.schedulers = 1});
  EXPECT_THROW(self(), not_in_process);
  EXPECT_FALSE(in_process());
}

TEST(Node, ProcessInfoReportsQueueStatusAndDeadAsNothing) {
  node n({.schedulers = 2});
  auto [queue, status, dead] = n.run([] {
    pid p = spawn([] { next_matching([](const term& m) { return m.is_atom("go"_a); }); });
    for (int i = 0; i < 3; ++i) send(p, i);
    auto info = process_info(p);
    ref m = monitor(p);
    send(p, "go"_a);
    next_down(m);
    return std::tuple{info->message_queue_len, info->status, process_info(p).has_value()};
  });
  EXPECT_EQ(queue, 3u);
  EXPECT_TRUE(status == atoms::waiting || status == atoms::runnable || status == atoms::running);
  EXPECT_FALSE(dead);
}

// process_info is a request the process answers as it takes its signals in: one that never
// receives (it sends in a loop) answers at the end of a turn, and the messages it was sent are
// in its queue by then.
TEST(Node, ProcessInfoOfAProcessThatNeverReceivesIsAnswered) {
  node n({.schedulers = 1});
  const std::size_t queued = n.run([] {
    const pid busy = spawn([] {
      const pid sink = spawn([] {
        for (;;) receive();
      });
      link(sink);
      for (;;) send(sink, "x"_a);
    });
    for (int i = 0; i < 5; ++i) send(busy, i);
    const std::optional<process_info_t> info = process_info(busy);
    exit(busy, atoms::kill);
    return info ? info->message_queue_len : std::size_t(0);
  });
  EXPECT_EQ(queued, 5u);
}

// Blocking work runs off the schedulers: with one scheduler, another process still runs while
// the work waits for it.
TEST(Node, BlockingWorkDoesNotHoldTheScheduler) {
  node n({.schedulers = 1});
  int got = n.run([] {
    auto gate = std::make_shared<std::promise<int>>();
    spawn([gate] { gate->set_value(7); });
    return blocking([gate] {
      auto f = gate->get_future();
      if (f.wait_for(bound) != std::future_status::ready) return -1;
      return f.get();
    });
  });
  EXPECT_EQ(got, 7);
}

// An exit signal that arrives during blocking work takes effect when the work returns.
TEST(Node, ExitDuringBlockingWorkIsDeferred) {
  node n({.schedulers = 2});
  auto [reason, finished] = n.run([] {
    auto gate = std::make_shared<std::promise<void>>();
    auto finished = std::make_shared<std::atomic<bool>>(false);
    auto [p, m] = spawn_monitor([gate, finished] {
      blocking([gate] { gate->get_future().wait_for(bound); });
      finished->store(true);  // never reached: the kill applies right after the work
    });
    exit(p, atoms::kill);
    sleep(timeout::ms(5));
    gate->set_value();
    return std::pair{next_down(m)[4], finished->load()};
  });
  EXPECT_EQ(reason, term(atoms::killed));
  EXPECT_FALSE(finished);
}

// Pids print as Erlang prints local pids, and refs are unique.
TEST(Node, PidsAndRefsAreDistinct) {
  node n({.schedulers = 2});
  auto [a, b, r1, r2] = n.run([] { return std::tuple{spawn([] {}), spawn([] {}), make_ref(), make_ref()}; });
  EXPECT_NE(a, b);
  EXPECT_NE(r1, r2);
  EXPECT_EQ(to_string(term(a)).substr(0, 3), "<0.");
}

// A high-priority process that becomes runnable while two normal processes keep waking each
// other runs at the next switch, not after their turn: the slot a woken process runs from (it
// continues its waker's turn) does not go ahead of a queued high or max process.
TEST(Node, HighPriorityRunsBeforeANormalPairsTurnEnds) {
  node n({.schedulers = 1});
  constexpr int64_t round_trips = 300;  // ~6 reductions each: under half a turn
  const int64_t seen = n.run([] {
    auto done = std::make_shared<std::atomic<int64_t>>(0);
    const pid me = self();
    const pid pong = spawn([] {
      for (;;) {
        const term m = receive();
        send(m.as_pid(), "pong"_a);
      }
    });
    const pid ping = spawn([pong, done] {
      receive();  // go
      for (int64_t i = 0; i < round_trips; ++i) {
        send(pong, self());
        receive();
        done->store(i + 1, std::memory_order_relaxed);
      }
    });
    const pid urgent = spawn_opt(
                           [me, done] {
                             receive();  // go
                             send(me, tuple("ran_after"_a, done->load(std::memory_order_relaxed)));
                           },
                           {.priority = priority::high})
                           .pid;
    sleep(timeout::ms(20));  // all three wait in their receive
    send(urgent, "go"_a);    // runnable now (in the slot), ...
    send(ping, "go"_a);      // ... then queued, when ping takes the slot
    const term report = next_matching([](const term& m) { return m.is_tuple(2); });
    exit(pong, atoms::kill);
    return report[1].as_int();
  });
  EXPECT_LT(seen, round_trips) << "the high-priority process waited for the whole exchange";
}

// Priorities: a max-priority process runs before normal ones queued earlier on the same scheduler.
TEST(Node, MaxPriorityRunsFirst) {
  node n({.schedulers = 1});
  std::vector<term> order = n.run([] {
    pid me = self();
    spawn([me] { send(me, "normal"_a); });
    spawn_options o;
    o.priority = priority::max;
    spawn_opt([me] { send(me, "max"_a); }, o);
    return std::vector<term>{next_message(), next_message()};
  });
  EXPECT_EQ(order, (std::vector<term>{"max"_a, "normal"_a}));
}

// A process woken on a scheduler that stays busy is still run by another scheduler: a busy
// process does not hold up the ones it wakes (the parked scheduler steals it).
TEST(Node, WokenProcessRunsWhileItsWakerKeepsBusy) {
  node n({.schedulers = 2});
  bool ran = n.run([] {
    auto flag = std::make_shared<std::atomic<bool>>(false);
    pid waiter = spawn([flag] {
      receive();
      flag->store(true);
    });
    // Let the waiter block and the other scheduler go idle, then wake it and spin without
    // blocking or yielding until it has run (bounded, so a failure ends the test).
    sleep(timeout::ms(20));
    send(waiter, "go"_a);
    const auto deadline = std::chrono::steady_clock::now() + bound;
    while (!flag->load() && std::chrono::steady_clock::now() < deadline) {
    }
    return flag->load();
  });
  EXPECT_TRUE(ran);
}
