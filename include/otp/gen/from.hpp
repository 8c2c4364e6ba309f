#pragma once
// otp::gen::from — who to answer: the From of handle_call({Pid, Tag}), and gen:reply/2.
//
// The tag is opaque to the server. OTP++ callers send [alias | MonitorRef] as Erlang 24+ does; Erlang nodes
// send a ref, [alias|Ref] or [[alias|Ref]|X]. A server must only store it and hand it back through
// reply(); only the caller interprets it.

#include <optional>

#include <otp/term/term.hpp>

namespace otp::gen {

struct from {
  pid caller;
  term tag;

  /// {Pid, Tag}, as the From in a '$gen_call' or system message.
  term to_term() const { return tuple(caller, tag); }
  /// Parses {Pid, Tag}; nullopt for any other shape.
  static std::optional<from> from_term(const term& t);
};

/// gen:reply/2: sends {Tag, Reply} to the caller. Works from any process (a deferred reply), and
/// a reply to a caller that gave up or died is silently lost, as in Erlang.
void reply(const from& to, term reply);

}  // namespace otp::gen

namespace otp {
using gen::from;
}  // namespace otp
