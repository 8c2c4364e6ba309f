// gen_server_SUITE "inactivity timeouts": a Timeout in a callback result delivers
// handle_info(timeout) when no message arrives first.

#include <gtest/gtest.h>

#include <otp/otp.hpp>

#include "behaviours/gen_server_support.hpp"

using namespace otp;
using namespace otp::literals;
using namespace otp::test;

namespace {

/// State {Watcher, Events}. init(Watcher) returns a 1 ms timeout; calls reply with a timeout
/// (reply_timeout) or not (plain), casts with a timeout (noreply_timeout). handle_info(timeout)
/// tells the watcher; handle_info of anything else is recorded in Events.
class sleepy : public gen_server::behaviour<sleepy> {
 public:
  init_result init(term arg) {
    if (arg.is_tuple(2) && arg[0] == "queued_first"_a) {
      // A message already in the mailbox wins over a zero timeout.
      send(self(), "first"_a);
      return ok(tuple(arg[1], list())).timeout(timeout::ms(0));
    }
    return ok(tuple(arg, list())).timeout(timeout::ms(1));
  }
  call_result handle_call(const term& request, const from&, term state) {
    if (request == "reply_timeout"_a) return reply(atoms::ok, state).timeout(timeout::ms(1));
    if (request == "events"_a) return reply(state[1], state);
    return reply(atoms::ok, state);
  }
  cast_result handle_cast(const term&, term state) { return noreply(state).timeout(timeout::ms(1)); }
  info_result handle_info(const term& message, term state) {
    if (message == atoms::timeout) {
      send(state[0].as_pid(), "timed_out"_a);
      return noreply(state);
    }
    return noreply(tuple(state[0], cons(message, state[1])));
  }
};

}  // namespace

// timeout1: {ok, State, Timeout} from init: handle_info(timeout) follows when nothing arrives.
TEST(GenServerTimeout, InitTimeoutDeliversTimeoutInfo) {
  node n({.schedulers = 2});
  term got = n.run([] {
    pid s = started(gen_server::start<sleepy>(term(self())));
    term m = next_message();
    gen_server::stop(s);
    return m;
  });
  EXPECT_EQ(got, "timed_out"_a);
}

// timeout2: {reply, R, State, Timeout} from handle_call: a timeout after the reply.
TEST(GenServerTimeout, ReplyTimeoutDeliversTimeoutInfo) {
  node n({.schedulers = 2});
  term got = n.run([] {
    pid s = started(gen_server::start<sleepy>(term(self())));
    next_message();  // init's timeout
    gen_server::call(s, "reply_timeout"_a);
    term m = next_message();
    gen_server::stop(s);
    return m;
  });
  EXPECT_EQ(got, "timed_out"_a);
}

// timeout3: {noreply, State, Timeout} from handle_cast: a timeout after the cast.
TEST(GenServerTimeout, NoreplyTimeoutDeliversTimeoutInfo) {
  node n({.schedulers = 2});
  term got = n.run([] {
    pid s = started(gen_server::start<sleepy>(term(self())));
    next_message();  // init's timeout
    gen_server::cast(s, "go"_a);
    term m = next_message();
    gen_server::stop(s);
    return m;
  });
  EXPECT_EQ(got, "timed_out"_a);
}

// timeout4: a result without a timeout cancels the previous one: a message already queued is
// handled instead of a zero timeout, and its noreply (no timeout) means no timeout ever comes.
TEST(GenServerTimeout, QueuedMessageWinsOverZeroTimeout) {
  node n({.schedulers = 2});
  auto [events, stray] = n.run([] {
    pid s = started(gen_server::start<sleepy>(tuple("queued_first"_a, self())));
    term e = gen_server::call(s, "events"_a);
    gen_server::stop(s);
    return std::pair{e, receive(timeout::ms(0))};
  });
  EXPECT_EQ(events, "[first]"_term);
  EXPECT_FALSE(stray.has_value()) << to_string(*stray);
}
