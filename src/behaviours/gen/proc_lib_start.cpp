// proc_lib's synchronous start: the starter waits for init_ack, or the child's death, or the
// start timeout, and in every case returns with nothing of the child left in its mailbox.

#include <otp/gen/proc_lib.hpp>

#include "behaviours/gen/proc_lib_internal.hpp"

namespace otp::proc_lib {
namespace internal {

void drop_exit_of(const pid& child) {
  const term c(child);
  receive([&](const term& m) { return m.is_tuple(3) && m[0].is_atom(atoms::EXIT) && m[1] == c; },
          timeout::ms(0));
}

waited wait_ack(const pid& child, const ref& mon, const term& tag, timeout t) {
  const term mref(mon);
  const atom ack = atoms::ack;
  std::optional<term> m = receive(
      [&](const term& x) {
        return (x.is_tuple(3) && x[0].is_atom(ack) && x[1] == tag) ||
               (x.is_tuple(5) && x[0].is_atom(atoms::DOWN) && x[1] == mref);
      },
      t);
  waited w;
  if (m && m->is_tuple(3)) {
    w.ack = (*m)[2];
    w.acked = true;
    return w;
  }
  if (m) {
    // Died before acking. A linked, trapping starter also got the 'EXIT', queued before the DOWN
    // (both come from the child, in order).
    drop_exit_of(child);
    w.ack = tuple(atoms::error, (*m)[4]);
    return w;
  }
  // Timeout: the order matters. Unlink first so the kill cannot take the starter down, then wait
  // for the DOWN so the child is really gone (its name released) before we return, and drop an
  // 'EXIT' that may have been queued before the unlink.
  unlink(child);
  exit(child, atoms::kill);
  receive([&](const term& x) { return x.is_tuple(5) && x[0].is_atom(atoms::DOWN) && x[1] == mref; },
          infinity);
  drop_exit_of(child);
  // An ack sent just before the kill would otherwise stay behind.
  receive([&](const term& x) { return x.is_tuple(3) && x[0].is_atom(ack) && x[1] == tag; }, timeout::ms(0));
  w.ack = tuple(atoms::error, atoms::timeout);
  w.timed_out = true;
  return w;
}

}  // namespace internal

start_result start(start_kind how, process_body body, timeout t, const spawn_options& options,
                   term initial_call) {
  internal::child_setup setup = internal::make_setup(initial_call);
  const term tag(make_ref());
  setup.starter = tuple(self(), tag);
  spawn_options o = options;
  o.link = how == start_kind::link;
  o.monitor = true;  // always: the starter must notice a child that dies before acking
  spawn_result s = otp::spawn_opt(
      [setup = std::move(setup), body = std::move(body)] {
        internal::enter_child(setup);
        internal::guarded(body);
      },
      o);
  internal::waited w = internal::wait_ack(s.pid, *s.monitor, tag, t);
  start_result r;
  r.ack = std::move(w.ack);
  r.pid = s.pid;
  r.timed_out = w.timed_out;
  if (how == start_kind::monitor && w.acked) {
    r.monitor = s.monitor;
  } else if (w.acked) {
    demonitor(*s.monitor, true);
  }
  return r;
}

term start(process_body body, timeout t) { return start(start_kind::nolink, std::move(body), t).ack; }

term start_link(process_body body, timeout t) { return start(start_kind::link, std::move(body), t).ack; }

bool ack_pending() { return get(internal::starter_key()).is_tuple(2); }

void init_ack(term value) {
  const term starter = erase(internal::starter_key());
  if (!starter.is_tuple(2)) return;
  send(starter[0].as_pid(), tuple(atoms::ack, starter[1], std::move(value)));
}

}  // namespace otp::proc_lib
