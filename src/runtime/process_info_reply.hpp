#pragma once
// process_info/1 for another process travels as a signal: the target answers it from its own
// thread, as the only one allowed to read its links, monitors and queue.

#include <otp/runtime/process.hpp>

#include "runtime/process.hpp"

namespace otp::detail {

/// Describes `p` (called by `p` itself).
process_info_t describe_process(process& p);
/// Sends {ReplyRef, Info} to `to`, Info an opaque term holding a process_info_t.
void reply_process_info(process& p, const pid& to, const term& reply_ref);

}  // namespace otp::detail
