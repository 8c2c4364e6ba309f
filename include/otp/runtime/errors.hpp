#pragma once
// Exceptions that carry Erlang exit reasons through C++ code.
//
// Inside a process, `otp::exit(Reason)` and a fatal exit signal unwind the process's stack with
// otp::exit_exception; the runtime catches it where the process started and ends the process with
// its reason. Do not swallow it: a `catch (...)` that does not rethrow keeps running a process that
// Erlang would have ended (the runtime throws again at the next receive, but code in between runs).
//
// otp::erlang_error is erlang:error/1: an error with a term reason that code may catch; uncaught, it
// ends the process with that reason. Any other C++ exception that escapes a process ends it with
// the reason {exception, TypeName, What} (binaries), and only that process.

#include <exception>
#include <string>

#include <otp/term/term.hpp>

namespace otp {

class exit_exception : public std::exception {
 public:
  explicit exit_exception(term reason) : reason_(std::move(reason)) {}
  const term& reason() const noexcept { return reason_; }
  const char* what() const noexcept override { return "otp::exit_exception (process exit)"; }

 private:
  term reason_;
};

/// The exit_exception with which a fatal exit signal (from a link, exit/2 or kill) unwinds the
/// process it ends. Catch it to tell such a death from the process's own exit/1: proc_lib reports
/// the latter as a crash, but never the former (in Erlang no code of the victim runs then).
class exit_signal_exception : public exit_exception {
 public:
  using exit_exception::exit_exception;
};

class erlang_error : public std::exception {
 public:
  explicit erlang_error(term reason)
      : reason_(std::move(reason)), text_("erlang error: " + to_string(reason_)) {}
  const term& reason() const noexcept { return reason_; }
  const char* what() const noexcept override { return text_.c_str(); }

 private:
  term reason_;
  std::string text_;
};

/// Thrown by runtime functions called outside any process, where a process is required.
class not_in_process : public std::logic_error {
 public:
  not_in_process() : std::logic_error("this operation must run inside an OTP++ process") {}
};

/// The exit reason a runtime gives an exception that escaped a process: {exception, Type, What}.
term exception_reason(const std::exception_ptr& e);

}  // namespace otp
