// Reactors: processes whose receive loop is in the runtime and that own no stack while idle.

#include <gtest/gtest.h>

#include <otp/runtime.hpp>

#include "support/runtime_support.hpp"

using namespace otp;
using namespace otp::literals;
using namespace otp::test;

namespace {

/// Answers {From, N} with N + its count of messages so far; {From, stop} ends it.
class counter : public reactor {
 public:
  void on_message(term m) override {
    if (m[1].is_atom("stop"_a)) exit(atoms::normal);
    ++count_;
    send(m[0].as_pid(), m[1].as_int() + count_);
  }

 private:
  int64_t count_ = 0;
};

/// Forwards each request to `next` and blocks in a selective receive for its answer: a callback
/// that blocks keeps its fiber while the scheduler goes on with others.
class relay : public reactor {
 public:
  explicit relay(std::optional<pid> next) : next_(next) {}
  void on_message(term m) override {
    const pid from = m[0].as_pid();
    if (!next_) {
      send(from, m[1].as_int() + 1);
      return;
    }
    send(*next_, tuple(self(), m[1]));
    term answer = next_message();
    send(from, answer.as_int() + 1);
  }

 private:
  std::optional<pid> next_;
};

/// Counts inactivity timeouts; any message resets the wait.
class idle_watch : public reactor {
 public:
  explicit idle_watch(pid report) : report_(report) {}
  void on_message(term) override {}
  void on_timeout() override { send(report_, "idle"_a); }
  timeout receive_timeout() const override { return timeout::ms(10); }

 private:
  pid report_;
};

}  // namespace

TEST(Reactor, HandlesMessagesInOrderWithState) {
  node n({.schedulers = 2});
  std::vector<term> got = n.run([] {
    pid r = spawn_reactor(std::make_unique<counter>()).pid;
    std::vector<term> out;
    for (int i = 0; i < 3; ++i) {
      send(r, tuple(self(), 10));
      out.push_back(next_message());
    }
    ref m = monitor(r);
    send(r, tuple(self(), "stop"_a));
    out.push_back(next_down(m)[4]);
    return out;
  });
  EXPECT_EQ(got, (std::vector<term>{11, 12, 13, atoms::normal}));
}

// A chain of reactors each blocking on the next: callbacks may block exactly as Erlang code does.
TEST(Reactor, CallbacksMayBlockOnEachOther) {
  for (unsigned schedulers : {1u, 2u}) {
    node n({.schedulers = schedulers});
    term got = n.run([] {
      std::optional<pid> next;
      for (int i = 0; i < 50; ++i) next = spawn_reactor(std::make_unique<relay>(next)).pid;
      term last;
      for (int round = 0; round < 20; ++round) {
        send(*next, tuple(self(), round));
        last = next_message();
      }
      return last;
    });
    EXPECT_EQ(got, term(19 + 50)) << schedulers << " schedulers";
  }
}

// An idle reactor owns no stack: far smaller than a process blocked in receive on its own fiber.
TEST(Reactor, IdleReactorOwnsNoStack) {
  node n({.schedulers = 2});
  auto [reactor_bytes, fiber_bytes] = n.run([] {
    pid r = spawn_reactor(std::make_unique<counter>()).pid;
    pid f = spawn([] { receive(); });
    // A round trip makes sure the reactor has run and gone idle.
    send(r, tuple(self(), 1));
    next_message();
    auto a = process_info(r)->memory;
    auto b = process_info(f)->memory;
    exit(r, atoms::kill);
    exit(f, atoms::kill);
    return std::pair{a, b};
  });
  EXPECT_LT(reactor_bytes, 1024u);
  EXPECT_GT(fiber_bytes, reactor_bytes);
}

// receive_timeout(): on_timeout after that long with no message, restarted by every message.
TEST(Reactor, InactivityTimeoutFiresWhenIdle) {
  node n({.schedulers = 2});
  term got = n.run([] {
    pid r = spawn_reactor(std::make_unique<idle_watch>(self())).pid;
    term first = next_message();
    send(r, "poke"_a);
    term second = next_message();
    exit(r, atoms::kill);
    return tuple(first, second);
  });
  EXPECT_EQ(got, tuple("idle"_a, "idle"_a));
}

// An exception in a callback ends the reactor with a reason naming it; links see it.
TEST(Reactor, ThrowingCallbackEndsOnlyThatProcess) {
  struct thrower : reactor {
    void on_message(term) override { throw std::logic_error("bad state"); }
  };
  node n({.schedulers = 2});
  term reason = n.run([] {
    trap_exit(true);
    spawn_options o;
    o.link = true;
    pid r = spawn_reactor(std::make_unique<thrower>(), o).pid;
    send(r, 1);
    return next_exit_from(r)[2];
  });
  ASSERT_TRUE(reason.is_tuple(3));
  EXPECT_EQ(reason[1].bytes(), "std::logic_error");
}

namespace {
/// A reactor of any size and alignment: answers a pid with whether its own address is aligned as
/// its type asks and the sum of its state, which it fills on start.
template <std::size_t Words, std::size_t Align>
class sized_reactor : public reactor {
 public:
  void on_start() override {
    for (std::size_t i = 0; i < Words; ++i) state_[i] = int64_t(i);
  }
  void on_message(term m) override {
    int64_t sum = 0;
    for (int64_t v : state_) sum += v;
    const bool aligned = reinterpret_cast<std::uintptr_t>(this) % Align == 0;
    send(m.as_pid(), tuple(term(aligned ? "aligned"_a : "misaligned"_a), sum));
  }

 private:
  alignas(Align) int64_t state_[Words];
};

template <std::size_t Words, std::size_t Align>
term ask_sized_reactor() {
  const pid r = spawn_reactor(std::make_unique<sized_reactor<Words, Align>>()).pid;
  send(r, self());
  term answer = next_message();
  exit(r, atoms::kill);
  return answer;
}
}  // namespace

// Reactors come from the runtime's block caches up to 128 bytes, from the global allocator
// beyond, and over-aligned ones from its aligned form: each kind is whole (its state intact) and
// aligned as its type asks, and freeing each (the process ends) goes back where it came from
// (ASan checks the pairing).
TEST(Reactor, ReactorsOfEverySizeAndAlignmentAreAllocatedWhole) {
  node n({.schedulers = 1});
  const std::vector<term> answers = n.run([] {
    return std::vector<term>{ask_sized_reactor<2, 8>(), ask_sized_reactor<13, 8>(),
                             ask_sized_reactor<64, 8>(), ask_sized_reactor<4, 64>(),
                             ask_sized_reactor<32, 256>()};
  });
  auto sum_to = [](int64_t words) { return words * (words - 1) / 2; };
  EXPECT_EQ(answers, (std::vector<term>{tuple("aligned"_a, sum_to(2)), tuple("aligned"_a, sum_to(13)),
                                        tuple("aligned"_a, sum_to(64)), tuple("aligned"_a, sum_to(4)),
                                        tuple("aligned"_a, sum_to(32))}));
}
