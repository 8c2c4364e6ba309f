// example_processes — OTP++ processes, links and monitors at work (the README's demo).
//
// What it shows, step by step, with every message printed in Erlang syntax:
//   1. spawn: a few worker processes, each answering requests sent to it;
//   2. monitor: a process ends and its monitor gets {'DOWN', Ref, process, Pid, Reason};
//   3. link + trap_exit: a supervisor-like process traps exits; its linked worker throws a C++
//      exception, which becomes the exit reason in {'EXIT', Pid, Reason};
//   4. kill: exit(Pid, kill) ends even a process that traps exits, with reason `killed`;
//   5. registered names: send to a name instead of a pid;
//   6. send_after and selective receive: a timer message, and receive picking the message it
//      wants out of the mailbox while the others wait their turn.
//
// Run it: ./scripts/demo.sh (builds the release preset), or after any build
//   ./build/<preset>/examples/example_processes
// It prints the same lines every time, except for the numbers inside pids and refs.

#include <chrono>
#include <iostream>
#include <stdexcept>
#include <vector>

#include <otp/runtime.hpp>

using namespace otp;
using namespace otp::literals;

namespace {

// A worker: answers {square, From, N} with {result, Self, N * N}; `stop` ends it normally.
void square_worker() {
  for (;;) {
    term m = receive();
    if (m.is_atom("stop"_a)) return;
    if (m.is_tuple(3) && m[0].is_atom("square"_a)) {
      const int64_t n = m[2].as_int();
      send(m[1].as_pid(), tuple("result"_a, self(), n * n));
    }
  }
}

// Waits for the message `match` accepts; the demo never waits longer than a few seconds.
term expect(const std::function<bool(const term&)>& match) {
  std::optional<term> m = receive(match, std::chrono::seconds(5));
  if (!m) throw std::runtime_error("the demo timed out waiting for a message");
  return *m;
}

bool is_down_of(const term& m, const ref& r) {
  return m.is_tuple(5) && m[0].is_atom(atoms::DOWN) && m[1] == term(r);
}

void step(const char* title) { std::cout << '\n' << title << '\n'; }

void demo() {
  const pid me = self();
  std::cout << "main process: " << term(me) << '\n';

  step("1. spawn: three workers square numbers");
  std::vector<pid> workers;
  for (int i = 0; i < 3; ++i) workers.push_back(spawn(square_worker));
  for (int i = 0; i < 3; ++i) send(workers[i], tuple("square"_a, me, i + 2));
  for (int i = 0; i < 3; ++i) {
    // Selective receive: take worker i's answer first, whichever arrived first.
    const term w(workers[i]);
    term answer = expect([&](const term& m) { return m.is_tuple(3) && m[1] == w; });
    std::cout << "  got " << answer << '\n';
  }

  step("2. monitor: a monitored worker stops; its monitor gets one DOWN message");
  const ref mref = monitor(workers[0]);
  send(workers[0], "stop"_a);
  std::cout << "  got " << expect([&](const term& m) { return is_down_of(m, mref); }) << '\n';

  step("3. link + trap_exit: a supervisor sees its linked worker crash with a C++ exception");
  auto [supervisor, sup_ref] = spawn_monitor([me] {
    trap_exit(true);  // exit signals from links now arrive as {'EXIT', Pid, Reason} messages
    const pid worker = spawn_link([] { throw std::runtime_error("disk on fire"); });
    term exit_message = expect([&](const term& m) { return m.is_tuple(3) && m[1] == term(worker); });
    send(me, tuple("supervisor_saw"_a, exit_message));
    // A supervisor-like process keeps running: the crash did not take it down.
    receive();
  });
  term report = expect([](const term& m) { return m.is_tuple(2) && m[0].is_atom("supervisor_saw"_a); });
  std::cout << "  supervisor got " << report[1] << '\n';
  std::cout << "  supervisor still alive: " << term(is_process_alive(supervisor)) << '\n';

  step("4. kill: exit(Pid, kill) cannot be trapped; the reason becomes killed");
  exit(supervisor, "kill"_a);
  std::cout << "  got " << expect([&](const term& m) { return is_down_of(m, sup_ref); }) << '\n';

  step("5. registered names: send to a name instead of a pid");
  register_name("squarer"_a, workers[1]);
  std::cout << "  whereis(squarer) = " << term(*whereis("squarer"_a)) << '\n';
  send("squarer"_a, tuple("square"_a, me, 12));
  std::cout << "  got " << expect([](const term& m) { return m.is_tuple(3) && m[0].is_atom("result"_a); })
            << '\n';
  const ref squarer_ref = monitor(workers[1]);
  send("squarer"_a, "stop"_a);
  expect([&](const term& m) { return is_down_of(m, squarer_ref); });
  std::cout << "  after it stopped, whereis(squarer) = "
            << (whereis("squarer"_a) ? term(*whereis("squarer"_a)) : term("undefined"_a)) << '\n';

  step("6. send_after and selective receive");
  send_after(std::chrono::milliseconds(50), me, "tick"_a);
  send(me, tuple("low"_a, 1));
  send(me, tuple("low"_a, 2));
  send(me, tuple("urgent"_a, 3));
  // The urgent message is taken first, although it arrived last; the others stay in order.
  std::cout << "  first: " << expect([](const term& m) { return m.is_tuple(2) && m[0].is_atom("urgent"_a); })
            << '\n';
  std::cout << "  then:  " << expect([](const term& m) { return m.is_tuple(2); }) << '\n';
  std::cout << "  then:  " << expect([](const term& m) { return m.is_tuple(2); }) << '\n';
  std::cout << "  50 ms later: " << expect([](const term& m) { return m.is_atom("tick"_a); }) << '\n';

  const ref last_ref = monitor(workers[2]);
  send(workers[2], "stop"_a);
  expect([&](const term& m) { return is_down_of(m, last_ref); });
}

}  // namespace

int main() {
  node n({.schedulers = 2});
  n.run(demo);
  std::cout << "\ndone\n";
  return 0;  // the node's destructor stops it: every process left is ended, every thread joined
}
