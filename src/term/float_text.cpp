// Erlang's short float format (float_to_list(F, [short]), used by io_lib's ~p and ~w):
// the shortest digits that read back to the same double, written in plain decimal notation when
// that is no longer than scientific notation and the value is below 2^53 (where a double still
// holds every integer), in scientific notation otherwise: 0.1, 100.0, 1.0e3, 1.5e-4.

#include <charconv>
#include <cmath>
#include <string>

#include "term/text.hpp"

namespace otp::detail {

std::string format_float(double value) {
  char buf[64];
  // Without a precision, to_chars gives the shortest round-trip digits: "d.ddde±XX".
  const auto res = std::to_chars(buf, buf + sizeof buf, std::fabs(value), std::chars_format::scientific);
  const std::string_view sci(buf, std::size_t(res.ptr - buf));
  const std::size_t e_pos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_pos))
    if (c != '.') digits += c;
  int exp = 0;
  std::string_view exp_text = sci.substr(e_pos + 1);
  if (!exp_text.empty() && exp_text[0] == '+') exp_text.remove_prefix(1);
  std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exp);

  const std::string sign = std::signbit(value) ? "-" : "";
  std::string scientific = sign + digits.substr(0, 1) + "." + (digits.size() > 1 ? digits.substr(1) : "0") +
                           "e" + std::to_string(exp);
  std::string fixed = sign;
  if (exp >= 0) {
    const auto int_len = std::size_t(exp) + 1;
    if (digits.size() <= int_len) {
      fixed += digits + std::string(int_len - digits.size(), '0') + ".0";
    } else {
      fixed += digits.substr(0, int_len) + "." + digits.substr(int_len);
    }
  } else {
    fixed += "0." + std::string(std::size_t(-exp - 1), '0') + digits;
  }
  constexpr double two_pow_53 = 9007199254740992.0;
  if (std::fabs(value) < two_pow_53 && fixed.size() <= scientific.size()) return fixed;
  return scientific;
}

}  // namespace otp::detail
