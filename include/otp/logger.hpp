#pragma once
// otp::logger — Erlang's logger: leveled log events delivered to handlers.
//
// An event passes if its level is at least as severe as the primary level; each handler then
// gets it if it also passes that handler's level. Handlers run synchronously in the logging
// thread (the process that logs); an exception thrown by a handler is caught and the handler is
// skipped for that event, so logging never crashes the caller. The handler "default" writes to
// stderr in OTP's classic style:
//   =ERROR REPORT==== 25-Nov-2026::10:00:00.000000 ===
//   text
// Tests capture events by adding their own handler (and may remove "default" to keep output
// quiet).
//
// Thread safety: every function may be called from any thread, inside a process or not.
// Handlers may be called concurrently from several threads.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <otp/term/term.hpp>

namespace otp {

/// Severity levels, most severe first (as Erlang's logger/syslog).
enum class log_level { emergency, alert, critical, error, warning, notice, info, debug };

struct log_event {
  log_level level = log_level::info;
  std::string text;
  /// A structured report (e.g. a crash report), or [] for a plain text event.
  term report;
  /// The logging process, if the event was logged from one.
  std::optional<otp::pid> pid;
  std::chrono::system_clock::time_point time;
  /// Where the event comes from: "otp.sasl" for crash reports, "otp.sys" for sys traces…
  std::string domain;
};

namespace logger {

using handler = std::function<void(const log_event&)>;

/// Logs an event (no-op when `level` is below the primary level).
void log(log_level level, std::string text, term report = {}, std::string domain = {});
inline void error(std::string text, term report = {}) {
  log(log_level::error, std::move(text), std::move(report));
}
inline void warning(std::string text, term report = {}) {
  log(log_level::warning, std::move(text), std::move(report));
}
inline void notice(std::string text, term report = {}) {
  log(log_level::notice, std::move(text), std::move(report));
}
inline void info(std::string text, term report = {}) {
  log(log_level::info, std::move(text), std::move(report));
}
inline void debug(std::string text, term report = {}) {
  log(log_level::debug, std::move(text), std::move(report));
}

/// Primary level: events less severe than this are dropped before any handler. Default: notice
/// (Erlang's default).
void set_primary_level(log_level level);
log_level primary_level();
/// True when an event at `level` would reach the handlers (skip building expensive text).
bool allowed(log_level level);

/// Adds a handler receiving events at `min` or more severe. False if `id` already exists.
bool add_handler(std::string id, handler h, log_level min = log_level::debug);
/// False if no handler has that id.
bool remove_handler(const std::string& id);
bool set_handler_level(const std::string& id, log_level min);

/// "error", "warning"…
std::string_view level_name(log_level level);
/// The default handler's text for an event: "=ERROR REPORT==== 25-Nov-2026::10:00:00.000000 ===\n"
/// followed by the text (a report without text is printed as its term).
std::string format(const log_event& event);

}  // namespace logger
}  // namespace otp
