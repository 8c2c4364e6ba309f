// The default handler's text: OTP's classic report header ("=ERROR REPORT==== date ===").

#include <ctime>
#include <string>

#include <otp/logger.hpp>

namespace otp::logger {

std::string_view level_name(log_level level) {
  switch (level) {
    case log_level::emergency:
      return "emergency";
    case log_level::alert:
      return "alert";
    case log_level::critical:
      return "critical";
    case log_level::error:
      return "error";
    case log_level::warning:
      return "warning";
    case log_level::notice:
      return "notice";
    case log_level::info:
      return "info";
    case log_level::debug:
      return "debug";
  }
  return "unknown";
}

namespace {

std::string header_date(std::chrono::system_clock::time_point when) {
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t secs = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  localtime_r(&secs, &tm);
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(when.time_since_epoch()).count() % 1000000;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%d-%s-%04d::%02d:%02d:%02d.%06lld", tm.tm_mday, months[tm.tm_mon],
                tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(micros));
  return buf;
}

}  // namespace

std::string format(const log_event& event) {
  // proc_lib's crash reports keep their own header, as in OTP's classic format.
  std::string level =
      event.domain == "otp.sasl" ? std::string("crash") : std::string(level_name(event.level));
  for (char& c : level) c = char(c - 'a' + 'A');
  std::string out = "=" + level + " REPORT==== " + header_date(event.time) + " ===\n";
  out += event.text.empty() ? to_string(event.report) : event.text;
  if (out.back() != '\n') out += '\n';
  return out;
}

}  // namespace otp::logger
