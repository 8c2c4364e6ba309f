// example_supervision — a supervision tree: children started in order, restarted when they crash,
// stopped in reverse order, and a supervisor that gives up when they crash too often.
//
// What it shows, step by step:
//   1. a one_for_one supervisor starts a cache and a counter (gen_servers) and a pool, in order;
//   2. the counter crashes (a C++ exception in a callback): the supervisor restarts it alone, and
//      the new counter starts again from zero;
//   3. a connection pool (a simple_one_for_one supervisor) under the top one gets connections
//      started on demand with start_child;
//   4. more crashes than the restart intensity (3 in 5 s): the supervisor stops every child,
//      newest first, and exits with reason shutdown.
//
// Run it: ./scripts/demo.sh, or after any build ./build/<preset>/examples/example_supervision.
// The supervisor reports (child_terminated, reached_max_restart_intensity) go to stderr.

#include <iostream>
#include <stdexcept>

#include <otp/otp.hpp>

using namespace otp;
using namespace otp::literals;

namespace {

/// A named gen_server that counts `bump` casts and answers `value` calls; `crash` throws.
class counter : public gen_server::behaviour<counter, int64_t> {
 public:
  init_result init(atom name) {
    trap_exit(true);  // so that its terminate runs when the supervisor stops it
    name_ = name;
    std::cout << "  " << to_string(term(name)) << " started as " << to_string(term(self())) << "\n";
    return ok(0);
  }
  call_result handle_call(const term&, const from&, int64_t n) { return reply(n, n); }
  cast_result handle_cast(const term& message, int64_t n) {
    if (message == "crash"_a) throw std::runtime_error("counter crashed on purpose");
    return noreply(n + 1);
  }
  void terminate(const term& reason, const int64_t&) {
    std::cout << "  " << to_string(term(name_)) << " stopped: " << to_string(reason) << "\n";
  }

 private:
  atom name_;
};

supervisor::child_spec worker(const char* name) {
  const atom a(name);
  return {.id = a, .start = [a] { return gen_server::start_link<counter>(a, {.name = a}); }};
}

void print_children(const pid& sup) {
  for (const supervisor::child_info& c : supervisor::which_children(sup))
    std::cout << "    " << to_string(c.id) << " -> " << to_string(c.child) << "\n";
}

}  // namespace

int main() {
  node n;
  n.run([] {
    trap_exit(true);  // the supervisor is linked to us: its exit comes as a message
    std::cout << "1. start_link a one_for_one supervisor: two workers and a pool\n";
    supervisor::child_spec pool{
        .id = "pool"_a,
        .start =
            [] {
              return supervisor::start_link({.flags = {.strategy = supervisor::strategy::simple_one_for_one},
                                             .children = {{.id = "conn"_a, .start = [](const term& name) {
                                                             return gen_server::start_link<counter>(
                                                                 name.as_atom());
                                                           }}}});
            },
        .type = supervisor::child_type::supervisor};
    const pid sup = supervisor::start_link(
                        {.flags = {.intensity = 3}, .children = {worker("cache"), worker("counter"), pool}})
                        .pid;
    print_children(sup);

    std::cout << "2. the counter crashes after 3 bumps; one_for_one restarts it alone\n";
    for (int i = 0; i < 3; ++i) gen_server::cast("counter"_a, "bump"_a);
    std::cout << "  counter = " << to_string(gen_server::call("counter"_a, "value"_a)) << "\n";
    const std::optional<pid> before = whereis("counter"_a);
    gen_server::cast("counter"_a, "crash"_a);
    while (whereis("counter"_a) == before || !whereis("counter"_a)) sleep(timeout::ms(1));
    std::cout << "  counter = " << to_string(gen_server::call("counter"_a, "value"_a))
              << " after the restart\n";

    std::cout << "3. connections started on demand under the pool\n";
    const pid pool_pid = supervisor::which_children(sup).front().child.as_pid();  // newest first
    for (const char* c : {"conn_a", "conn_b"}) (void)supervisor::start_child(pool_pid, term(atom(c)));
    const supervisor::child_counts counts = supervisor::count_children(pool_pid);
    std::cout << "  pool: " << counts.active << " active connections\n";

    std::cout << "4. crash the cache again and again: more than 3 restarts in 5 s\n";
    const auto supervisor_exit = [&](const term& m) { return m.is_tuple(3) && m[1] == term(sup); };
    std::optional<term> exit;
    while (!(exit = receive(supervisor_exit, timeout::ms(50)))) gen_server::cast("cache"_a, "crash"_a);
    std::cout << "  supervisor exited: " << to_string(*exit) << "\n";
  });
}
