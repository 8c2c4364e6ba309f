#pragma once
// The echo gen_server of gscall and gsidle (the same server as the Erlang peer's abench_gs):
// {echo, X} is answered with X, and `calls` with the number of calls answered so far, which is
// all the state holds.

#include <cstdint>

#include <otp/behaviours/gen_server.hpp>

namespace otp_bench {

class echo_server : public otp::gen_server::behaviour<echo_server, int64_t> {
 public:
  init_result init(int64_t calls) { return ok(calls); }
  call_result handle_call(const otp::term& request, const otp::from& from, int64_t calls) {
    if (request.is_tuple(2)) return reply(request[1], calls + 1);
    if (request.is_atom()) return reply(calls, calls);
    return behaviour::handle_call(request, from, calls);
  }

  static otp::gen_server::start_result start() { return otp::gen_server::start<echo_server>(int64_t(0)); }
};

}  // namespace otp_bench
