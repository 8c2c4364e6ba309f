// from: the {Pid, Tag} of a call, and gen:reply/2.

#include <otp/gen/from.hpp>
#include <otp/runtime/process.hpp>

namespace otp::gen {

std::optional<from> from::from_term(const term& t) {
  if (!t.is_tuple(2) || !t[0].is_pid()) return std::nullopt;
  return from{t[0].as_pid(), t[1]};
}

void reply(const from& to, term reply) {
  term message = tuple(to.tag, std::move(reply));
  // [alias | Ref]: the caller wants the reply through the alias, so that a reply it no longer
  // waits for is dropped by the runtime instead of queued.
  if (to.tag.is_cons() && to.tag.head().is_atom(atoms::alias) && to.tag.tail().is_ref())
    otp::send(to.tag.tail(), std::move(message));
  else
    otp::send(to.caller, std::move(message));
}

}  // namespace otp::gen
