// Typed requests (<otp/behaviours/typed_call.hpp>): C++ request and reply types on top of calls.

#include <gtest/gtest.h>

#include <string>

#include <otp/otp.hpp>

#include "behaviours/gen_server_support.hpp"

using namespace otp;
using namespace otp::literals;
using namespace otp::test;

namespace {

struct add {
  int64_t amount;
  using reply_type = int64_t;
};
struct describe {
  using reply_type = std::string;
};
struct lie {  // answered with the wrong type by the server below
  using reply_type = std::string;
};
struct reset {
  int64_t to;
};

struct account_state {
  int64_t total = 0;
};

class account : public gen_server::behaviour<account, account_state> {
 public:
  init_result init(int64_t start) { return ok(account_state{start}); }

  call_result handle_call(const term& request, const from& from, account_state s) {
    if (const add* r = gen_server::request_as<add>(request)) {
      s.total += r->amount;
      return reply(gen_server::typed_reply(*r, s.total), s);
    }
    if (const describe* r = gen_server::request_as<describe>(request)) {
      return reply(gen_server::typed_reply(*r, "total " + std::to_string(s.total)), s);
    }
    if (gen_server::request_as<lie>(request) != nullptr) return reply(term(42), s);
    return behaviour::handle_call(request, from, s);
  }

  cast_result handle_cast(const term& message, account_state s) {
    if (const reset* r = gen_server::request_as<reset>(message)) return noreply(account_state{r->to});
    return behaviour::handle_cast(message, s);
  }
};

}  // namespace

// A typed request returns its typed reply; the server's state is a C++ struct.
TEST(GenServerTyped, CallReturnsTheRequestsReplyType) {
  node n({.schedulers = 2});
  auto [sum, text] = n.run([] {
    pid s = gen_server::start<account>(int64_t(10)).pid;
    int64_t total = gen_server::call(s, add{5});
    gen_server::cast_typed(s, reset{100});
    std::string d = gen_server::call(s, describe{});
    gen_server::stop(s);
    return std::pair{total, d};
  });
  EXPECT_EQ(sum, 15);
  EXPECT_EQ(text, "total 100");
}

// A reply of another type than the request names exits the caller with {bad_reply, Reply}.
TEST(GenServerTyped, WrongReplyTypeExitsTheCaller) {
  node n({.schedulers = 2});
  term reason = n.run([] {
    pid s = gen_server::start<account>(int64_t(0)).pid;
    auto [caller, m] = spawn_monitor([s] { gen_server::call(s, lie{}); });
    term r = next_down(m)[4];
    gen_server::stop(s);
    return r;
  });
  EXPECT_EQ(reason, tuple("bad_reply"_a, 42));
}

// Term requests still work beside typed ones (an unknown one is bad_call, as always).
TEST(GenServerTyped, TermRequestsStillReachHandleCall) {
  node n({.schedulers = 2});
  term reason = n.run([] {
    pid s = gen_server::start<account>(int64_t(0)).pid;
    ref sm = monitor(s);
    auto [caller, m] = spawn_monitor([s] { gen_server::call(s, "unknown"_a); });
    next_down(m);
    return next_down(sm)[4];
  });
  EXPECT_EQ(reason, tuple("bad_call"_a, "unknown"_a));
}
