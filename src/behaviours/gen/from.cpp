// from: the {Pid, Tag} of a call, and gen:reply/2.

#include <otp/gen/from.hpp>
#include <otp/runtime/process.hpp>

namespace otp::gen {

std::optional<from> from::from_term(const term& t) {
  if (!t.is_tuple(2) || !t[0].is_pid()) return std::nullopt;
  return from{t[0].as_pid(), t[1]};
}

void reply(const from& to, term reply) { otp::send(to.caller, tuple(to.tag, std::move(reply))); }

}  // namespace otp::gen
