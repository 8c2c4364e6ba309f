// Stress: links and monitors while many processes are killed at once from several processes.
//
// Erlang rules checked:
//  * a monitor delivers exactly one {'DOWN', Ref, process, Pid, Reason}, with the reason the
//    process ended with;
//  * exit(Pid, kill) ends Pid with reason killed, which its links propagate as `killed` (a
//    trappable reason: the propagated signal is not `kill`);
//  * a non-trapping linked process dies with the reason of the exit signal it received, so a
//    whole chain ends with the reason given to its first member;
//  * a process trapping exits gets exactly one {'EXIT', Pid, Reason} per linked process that ends;
//  * nothing is left once every process has ended (the process count returns to its baseline).

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <vector>

#include <otp/runtime.hpp>

#include "stress/stress_support.hpp"

using namespace otp;
using namespace otp::literals;
using otp::stress::is_down;
using otp::stress::receive_bounded;
using otp::stress::require;

namespace {

bool is_exit(const term& m) { return m.is_tuple(3) && m[0].is_atom(atoms::EXIT); }

/// The reason the star worker `i` is killed with, and the reason it must end with.
term star_kill_signal(std::size_t group, std::size_t i) {
  switch (i % 3) {
    case 0:
      return atoms::kill;
    case 1:
      return tuple("shutdown"_a, int64_t(group), int64_t(i));
    default:
      return "crashed"_a;
  }
}
term star_exit_reason(std::size_t group, std::size_t i) {
  return i % 3 == 0 ? term(atoms::killed) : star_kill_signal(group, i);
}
/// Chains are killed at their head; even chains with kill (their members end `killed`).
term chain_kill_signal(std::size_t chain) {
  return chain % 2 == 0 ? term(atoms::kill) : tuple("chain_down"_a, int64_t(chain));
}
term chain_exit_reason(std::size_t chain) {
  return chain % 2 == 0 ? term(atoms::killed) : chain_kill_signal(chain);
}

/// A worker: reports its pid and what it is to `to`, then waits for a message that never comes.
void idle_worker(const pid& to, term tag) {
  send(to, tuple("worker"_a, self(), std::move(tag)));
  receive();
}

/// The same as a reactor: an idle reactor holds no stack. Half the workers are reactors, so that
/// both kinds of process are killed while waiting.
class idle_reactor : public reactor {
 public:
  idle_reactor(pid to, term tag, std::function<void()> first = nullptr)
      : to_(to), tag_(std::move(tag)), first_(std::move(first)) {}
  void on_start() override {
    if (first_) first_();
    send(to_, tuple("worker"_a, self(), tag_));
  }
  void on_message(term) override {}

 private:
  pid to_;
  term tag_;
  std::function<void()> first_;
};

/// Links a new worker to the caller: a plain process for even `i`, a reactor for odd ones.
pid spawn_linked_worker(std::size_t i, pid to, term tag, std::function<void()> first = nullptr) {
  if (i % 2 == 1) {
    return spawn_reactor(std::make_unique<idle_reactor>(to, std::move(tag), std::move(first)), {.link = true})
        .pid;
  }
  return spawn_link([to, tag = std::move(tag), first = std::move(first)] {
    if (first) first();
    idle_worker(to, tag);
  });
}

/// Spawns chain member k of chain c, linked to the caller; it first spawns member k-1 (towards the
/// head, member 0) linked to itself, then waits.
pid chain_member(pid coordinator, std::size_t c, std::size_t k) {
  return spawn_linked_worker(k, coordinator, tuple("chain"_a, int64_t(c), int64_t(k)), [coordinator, c, k] {
    if (k > 0) chain_member(coordinator, c, k - 1);
  });
}

}  // namespace

TEST(ExitSignals, ConcurrentKillsGiveOneDownPerMonitorAndOneExitPerLinkWithTheRightReason) {
  const std::size_t groups = otp::stress::stress_scaled(100, 4);  // trapping supervisors of stars
  static constexpr std::size_t star_size = 250;                   // workers per star
  const std::size_t chains = otp::stress::stress_scaled(100, 4);  // trapping supervisors of chains
  static constexpr std::size_t chain_length = 250;
  static constexpr std::size_t killers = 4;
  const std::size_t rounds = otp::stress::stress_scaled(5, 2);

  node n({.schedulers = 2});
  n.run([&] {
    const std::size_t baseline = n.process_count();
    const pid me = self();
    for (std::size_t round = 0; round < rounds; ++round) {
      std::map<pid, term> helpers;  // supervisors and killers -> the reason they must end with
      // Star supervisors trap exits, spawn_link their workers, and expect one EXIT per worker.
      for (std::size_t g = 0; g < groups; ++g) {
        auto sup = spawn_opt(
            [me, g] {
              std::map<pid, term> expect;  // worker -> the reason it must end with
              for (std::size_t i = 0; i < star_size; ++i) {
                const pid w = spawn_linked_worker(i, me, tuple("star"_a, int64_t(g), int64_t(i)));
                expect.emplace(w, star_exit_reason(g, i));
              }
              while (!expect.empty()) {
                term m = receive_bounded("star_exit");
                require(is_exit(m), "star_message", m);
                auto it = expect.find(m[1].as_pid());
                require(it != expect.end(), "star_exit_twice_or_unknown", m);
                require(m[2] == it->second, "star_exit_reason", m);
                expect.erase(it);
              }
              // Exactly one: anything else that arrived by now is an error.
              require(!receive(timeout::ms(0)).has_value(), "star_extra_message");
            },
            {.monitor = true, .trap_exit = true});
        helpers.emplace(sup.pid, atoms::normal);
      }
      // Chain supervisors trap exits and link to the tail of a chain; the head is killed.
      for (std::size_t c = 0; c < chains; ++c) {
        auto sup = spawn_opt(
            [me, c] {
              // chain_member links the tail to this supervisor; the tail links the next, and so on.
              const pid tail = chain_member(me, c, chain_length - 1);
              term m = receive_bounded("chain_exit");
              require(is_exit(m) && m[1] == term(tail), "chain_message", m);
              require(m[2] == chain_exit_reason(c), "chain_exit_reason", m);
              require(!receive(timeout::ms(0)).has_value(), "chain_extra_message");
            },
            {.monitor = true, .trap_exit = true});
        helpers.emplace(sup.pid, atoms::normal);
      }

      // Monitor every worker as it reports, and note who is killed with what.
      std::map<pid, term> expect_down;            // worker -> the reason its DOWN must carry
      std::vector<std::pair<pid, term>> targets;  // exit/2 calls to make
      const std::size_t workers = groups * star_size + chains * chain_length;
      std::vector<ref> monitors;
      while (expect_down.size() < workers) {
        std::optional<term> report =
            receive([](const term& x) { return x.is_tuple(3) && x[0].is_atom("worker"_a); },
                    otp::stress::receive_bound());
        ASSERT_TRUE(report.has_value())
            << "round " << round << ": " << expect_down.size() << " of " << workers
            << " workers reported; process count " << n.process_count();
        const term& m = *report;
        const pid w = m[1].as_pid();
        const term& tag = m[2];
        const std::size_t a = std::size_t(tag[1].as_int()), b = std::size_t(tag[2].as_int());
        monitors.push_back(monitor(w));
        if (tag[0].is_atom("star"_a)) {
          expect_down.emplace(w, star_exit_reason(a, b));
          targets.emplace_back(w, star_kill_signal(a, b));
        } else {
          expect_down.emplace(w, chain_exit_reason(a));
          if (b == 0) targets.emplace_back(w, chain_kill_signal(a));
        }
      }
      ASSERT_EQ(expect_down.size(), workers);

      // Killers: every target is hit by two of them at once, with the same signal.
      for (std::size_t k = 0; k < killers; ++k) {
        auto killer = spawn_opt(
            [&targets, k] {
              for (std::size_t t = 0; t < targets.size(); ++t) {
                if (t % killers == k || (t + 1) % killers == k) exit(targets[t].first, targets[t].second);
              }
            },
            {.monitor = true});
        helpers.emplace(killer.pid, atoms::normal);
      }

      // One DOWN per monitor, with the right reason; then the helpers end normally.
      std::size_t downs = 0, helper_downs = 0;
      while (downs < workers || helper_downs < helpers.size()) {
        term m = receive_bounded("down");
        ASSERT_TRUE(is_down(m)) << "unexpected " << m;
        const pid who = m[3].as_pid();
        if (auto it = expect_down.find(who); it != expect_down.end()) {
          EXPECT_EQ(m[4], it->second) << "DOWN of a worker";
          expect_down.erase(it);
          ++downs;
        } else if (auto h = helpers.find(who); h != helpers.end()) {
          EXPECT_EQ(m[4], h->second) << "DOWN of a supervisor or killer";
          ++helper_downs;
        } else {
          ADD_FAILURE() << "a second DOWN, or one for an unknown process: " << m;
        }
      }
      EXPECT_FALSE(receive(timeout::ms(0)).has_value()) << "a message after the last DOWN";
      EXPECT_EQ(n.process_count(), baseline) << "round " << round;
    }
  });
}
