#pragma once
// Everything: terms, the runtime, gen/proc_lib/sys/logger, the behaviours, the supervisor and
// distribution.
#include <otp/dist.hpp>
#include <otp/gen.hpp>
#include <otp/runtime.hpp>
#include <otp/supervisor.hpp>
#include <otp/term/etf.hpp>
#include <otp/term/match.hpp>
#include <otp/term/term.hpp>
#if __has_include(<otp/behaviours.hpp>)
#include <otp/behaviours.hpp>
#endif
