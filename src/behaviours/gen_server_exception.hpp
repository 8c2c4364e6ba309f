#pragma once
// The exit reason of the exception being handled, as the runtime would end the process with it:
// the reason of otp::exit / erlang_error, or {exception, Type, What} for any other exception.
// Only inside a catch block.

#include <exception>

#include <otp/runtime/errors.hpp>
#include <otp/term/term.hpp>

namespace otp::detail {

inline term reason_of_current_exception() {
  try {
    throw;
  } catch (const exit_exception& e) {
    return e.reason();
  } catch (const erlang_error& e) {
    return e.reason();
  } catch (...) {
    return exception_reason(std::current_exception());
  }
}

}  // namespace otp::detail
