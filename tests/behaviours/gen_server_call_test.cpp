// gen_server_SUITE "call", "cast" and "info" groups: requests, deferred replies, the failures a
// caller sees (noproc, timeout), and servers calling each other.

#include <gtest/gtest.h>

#include <otp/otp.hpp>

#include "behaviours/gen_server_support.hpp"

using namespace otp;
using namespace otp::literals;
using namespace otp::patterns;
using namespace otp::test;

namespace {

/// A key-value store: {put, K, V} (call), {set, K, V} (cast), {get, K} (call), {later, K}
/// (deferred reply from a spawned process), sleep (never answers in time); info messages are
/// kept as `last_info`.
class store : public gen_server::behaviour<store> {
 public:
  init_result init(term) { return ok(map({})); }

  call_result handle_call(const term& request, const from& caller, term state) {
    term key, value;
    if (match(request, tuple_of("put"_a, bind(key), bind(value))))
      return reply(atoms::ok, with(state, key, value));
    if (match(request, tuple_of("get"_a, bind(key)))) return reply(lookup(state, key), state);
    if (match(request, tuple_of("later"_a, bind(key)))) {
      // {noreply, ...} now, gen_server:reply/2 later from another process.
      term answer = lookup(state, key);
      spawn([caller, answer] { gen_server::reply(caller, tuple("deferred"_a, answer)); });
      return noreply(state);
    }
    if (request == "sleep"_a) {
      receive();  // blocks until any message: the caller's timeout fires first
      return reply(atoms::ok, state);
    }
    return behaviour::handle_call(request, caller, state);
  }

  cast_result handle_cast(const term& message, term state) {
    term key, value;
    if (match(message, tuple_of("set"_a, bind(key), bind(value)))) return noreply(with(state, key, value));
    return behaviour::handle_cast(message, state);
  }

  info_result handle_info(const term& message, term state) {
    return noreply(with(state, "last_info"_a, message));
  }

 private:
  static term with(const term& state, const term& key, const term& value) {
    std::vector<std::pair<term, term>> entries(state.map_entries().begin(), state.map_entries().end());
    entries.emplace_back(key, value);
    return make_map(std::move(entries));
  }
  static term lookup(const term& state, const term& key) {
    const term* v = state.map_find(key);
    return v ? *v : term(atoms::undefined);
  }
};

/// Forwards each call to the next server in a chain and adds one; the last answers 0.
class relay : public gen_server::behaviour<relay> {
 public:
  init_result init(term next) { return ok(next); }
  call_result handle_call(const term& request, const from&, term next) {
    if (next.is_nil()) return reply(request, next);
    return reply(gen_server::call(next.as_pid(), request).as_int() + 1, next);
  }
};

/// Has no handle_call/handle_cast/handle_info of its own: the `use GenServer` defaults apply.
class bare : public gen_server::behaviour<bare> {
 public:
  init_result init(term) { return ok(term()); }
};

}  // namespace

// call1: a call is answered with handle_call's reply; the state carries over between calls.
TEST(GenServerCall, CallGetsTheReplyAndStateCarriesOver) {
  node n({.schedulers = 2});
  term got = n.run([] {
    pid s = started(gen_server::start<store>(term()));
    gen_server::call(s, tuple("put"_a, "k"_a, 1));
    term v = gen_server::call(s, tuple("get"_a, "k"_a));
    gen_server::stop(s);
    return v;
  });
  EXPECT_EQ(got, term(1));
}

// call2: a call by registered name reaches the server.
TEST(GenServerCall, CallByRegisteredName) {
  node n({.schedulers = 2});
  term got = n.run([] {
    pid s = started(gen_server::start<store>(term(), {.name = "named_store"_a}));
    gen_server::call("named_store"_a, tuple("put"_a, "k"_a, "v"_a));
    term v = gen_server::call("named_store"_a, tuple("get"_a, "k"_a));
    gen_server::stop(s);
    return v;
  });
  EXPECT_EQ(got, "v"_a);
}

// call3: a call to a dead pid exits the caller with {noproc, {gen_server, call, [Pid, Req, T]}}.
TEST(GenServerCall, CallToDeadServerExitsWithNoproc) {
  node n({.schedulers = 2});
  auto [dead, reason] = n.run([] {
    pid s = started(gen_server::start<store>(term()));
    gen_server::stop(s);
    term r = exit_reason_of_call([&] { gen_server::call(s, "ping"_a); });
    return std::pair{s, r};
  });
  EXPECT_EQ(reason, call_exit(atoms::noproc, dead, "ping"_a, 5000));
}

// call4: a call to a name nobody registered exits with noproc too.
TEST(GenServerCall, CallToUnregisteredNameExitsWithNoproc) {
  node n({.schedulers = 2});
  term reason =
      n.run([] { return exit_reason_of_call([] { gen_server::call("nobody_here"_a, "ping"_a); }); });
  EXPECT_EQ(reason, call_exit(atoms::noproc, "nobody_here"_a, "ping"_a, 5000));
}

// call5: a call not answered within its timeout exits with {timeout, {gen_server, call, ...}};
// try_call returns the same reason as a value.
TEST(GenServerCall, CallTimeoutExitsAndTryCallReturnsIt) {
  node n({.schedulers = 2});
  auto [server, reason, failure] = n.run([] {
    pid s = started(gen_server::start<store>(term()));
    term r = exit_reason_of_call([&] { gen_server::call(s, "sleep"_a, timeout::ms(10)); });
    send(s, "wake"_a);  // the first sleep returns (a late reply, dropped)
    auto t = gen_server::try_call(s, "sleep"_a, timeout::ms(10));
    send(s, "wake"_a);
    gen_server::call(s, tuple("get"_a, "k"_a));  // the server is fine afterwards
    gen_server::stop(s);
    return std::tuple{s, r, t.has_value() ? term() : t.error().reason};
  });
  EXPECT_EQ(reason, call_exit(atoms::timeout, server, "sleep"_a, 10));
  EXPECT_EQ(failure, call_exit(atoms::timeout, server, "sleep"_a, 10));
}

// call6: handle_call may answer later: noreply now, gen_server::reply(From, R) from elsewhere.
TEST(GenServerCall, DeferredReplyFromAnotherProcess) {
  node n({.schedulers = 2});
  term got = n.run([] {
    pid s = started(gen_server::start<store>(term()));
    gen_server::call(s, tuple("put"_a, "k"_a, 42));
    term v = gen_server::call(s, tuple("later"_a, "k"_a));
    gen_server::stop(s);
    return v;
  });
  EXPECT_EQ(got, tuple("deferred"_a, 42));
}

// call7: servers calling servers: A's handle_call calls B, whose handle_call calls C (each
// callback blocks on the next), with one scheduler and with two.
TEST(GenServerCall, ChainOfServersCallingEachOther) {
  for (unsigned schedulers : {1u, 2u}) {
    node n({.schedulers = schedulers});
    term got = n.run([] {
      term next;  // [] ends the chain
      std::vector<pid> chain;
      for (int i = 0; i < 3; ++i) {
        chain.push_back(started(gen_server::start<relay>(next)));
        next = term(chain.back());
      }
      term answer = gen_server::call(chain.back(), 0);
      for (const pid& p : chain) gen_server::stop(p);
      return answer;
    });
    EXPECT_EQ(got, term(2)) << schedulers << " scheduler(s)";
  }
}

// call8: many concurrent callers through a longer chain all get their own answers.
TEST(GenServerCall, ConcurrentCallersThroughAChain) {
  node n({.schedulers = 2});
  term got = n.run([] {
    term next;
    for (int i = 0; i < 10; ++i) next = term(started(gen_server::start<relay>(next)));
    const pid head = next.as_pid();
    const pid me = self();
    for (int c = 0; c < 20; ++c) spawn([=] { send(me, tuple(c, gen_server::call(head, c * 100))); });
    int64_t sum = 0;
    for (int c = 0; c < 20; ++c) {
      term m = next_message();
      EXPECT_EQ(m[1].as_int(), m[0].as_int() * 100 + 9);
      sum += m[1].as_int();
    }
    return term(sum);
  });
  EXPECT_EQ(got, term((0 + 1900) * 20 / 2 + 9 * 20));
}

// cast1: a cast is handled by handle_cast, in order with the caller's later calls.
TEST(GenServerCast, CastUpdatesStateBeforeALaterCall) {
  node n({.schedulers = 2});
  term got = n.run([] {
    pid s = started(gen_server::start<store>(term()));
    gen_server::cast(s, tuple("set"_a, "k"_a, "cast"_a));
    term v = gen_server::call(s, tuple("get"_a, "k"_a));
    gen_server::stop(s);
    return v;
  });
  EXPECT_EQ(got, "cast"_a);
}

// cast2: a cast to a dead server or an unknown name is silently dropped.
TEST(GenServerCast, CastToNothingIsDropped) {
  node n({.schedulers = 2});
  term got = n.run([] {
    pid s = started(gen_server::start<store>(term()));
    gen_server::stop(s);
    gen_server::cast(s, "hello"_a);
    gen_server::cast("no_such_server"_a, "hello"_a);
    return term(atoms::ok);
  });
  EXPECT_EQ(got, atoms::ok);
}

// cast3: abcast reaches the named server on the local node; multi_call collects its reply.
TEST(GenServerCast, AbcastAndMultiCallOnTheLocalNode) {
  node n({.schedulers = 2});
  auto [replies, bad] = n.run([] {
    pid s = started(gen_server::start<store>(term(), {.name = "multi"_a}));
    gen_server::abcast("multi"_a, tuple("set"_a, "k"_a, "ab"_a));
    gen_server::multi_call_result r = gen_server::multi_call("multi"_a, tuple("get"_a, "k"_a));
    gen_server::multi_call_result none = gen_server::multi_call("absent"_a, "x"_a);
    gen_server::stop(s);
    EXPECT_TRUE(none.replies.empty());
    EXPECT_EQ(none.bad_nodes.size(), 1u);
    return std::pair{r.replies, r.bad_nodes};
  });
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].second, "ab"_a);
  EXPECT_TRUE(bad.empty());
}

// info1: any other message goes to handle_info.
TEST(GenServerInfo, PlainMessagesGoToHandleInfo) {
  node n({.schedulers = 2});
  term got = n.run([] {
    pid s = started(gen_server::start<store>(term()));
    send(s, "{raw,1}"_term);
    term v = gen_server::call(s, tuple("get"_a, "last_info"_a));
    gen_server::stop(s);
    return v;
  });
  EXPECT_EQ(got, "{raw,1}"_term);
}

// info2: the defaults of `use GenServer`: handle_info logs and goes on; handle_call stops with
// {bad_call, Request}; handle_cast stops with {bad_cast, Msg}.
TEST(GenServerInfo, DefaultCallbacksFollowUseGenServer) {
  log_capture logs;
  node n({.schedulers = 2});
  auto [call_reason, cast_reason] = n.run([] {
    pid a = started(gen_server::start<bare>(term()));
    send(a, "stray"_a);
    term r = exit_reason_of_call([&] { gen_server::call(a, "what"_a); });
    pid b = started(gen_server::start<bare>(term()));
    ref mb = monitor(b);
    gen_server::cast(b, "huh"_a);
    return std::pair{r[0], next_down(mb)[4]};
  });
  EXPECT_EQ(call_reason, "{bad_call,what}"_term);
  EXPECT_EQ(cast_reason, "{bad_cast,huh}"_term);
  bool logged_stray = false;
  for (const log_event& e : logs.events()) logged_stray |= e.text.find("stray") != std::string::npos;
  EXPECT_TRUE(logged_stray);
}

// process1: a gen_server is a reactor: idle in its loop it owns no stack, unlike a plain process
// blocked in receive (an idle BEAM gen_server costs ~2.6 KB; the bound here is generous).
TEST(GenServerProcess, IdleServerOwnsNoStack) {
  node n({.schedulers = 2});
  auto [server_bytes, plain_bytes] = n.run([] {
    pid s = started(gen_server::start<store>(term()));
    pid plain = spawn([] { receive(); });
    gen_server::call(s, tuple("get"_a, "k"_a));  // it has run and gone idle
    auto a = process_info(s)->memory;
    auto b = process_info(plain)->memory;
    gen_server::stop(s);
    exit(plain, atoms::kill);
    return std::pair{a, b};
  });
  EXPECT_LT(server_bytes, 1024u);
  EXPECT_GT(plain_bytes, server_bytes);
}
