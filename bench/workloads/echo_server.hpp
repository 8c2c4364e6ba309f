#pragma once
// The echo gen_server of gscall and gsidle: answers every call with the request itself, and keeps
// no state worth the name (the init argument, [] in both workloads).

#include <utility>

#include <otp/behaviours/gen_server.hpp>

namespace otp_bench {

class echo_server : public otp::gen_server::behaviour<echo_server> {
 public:
  init_result init(otp::term state) { return ok(std::move(state)); }
  call_result handle_call(const otp::term& request, const otp::from&, otp::term state) {
    return reply(request, std::move(state));
  }
};

}  // namespace otp_bench
