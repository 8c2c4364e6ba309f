// Consumer of an installed OTP++ (tests/install): builds a term and prints it in Erlang syntax.
#include <iostream>
#include <otp/term/term.hpp>

int main() {
  const otp::term t = otp::tuple(otp::atom("ok"), 42);
  std::cout << t << '\n';
  return otp::to_string(t) == "{ok,42}" ? 0 : 1;
}
