// otp::logger: levels, handlers, the default format, and handlers that fail.

#include <gtest/gtest.h>

#include <regex>

#include "behaviours/l2_support.hpp"

using namespace otp;
using namespace otp::literals;
using namespace otp::test;

namespace {

/// Restores the primary level a test changes.
struct primary_level_guard {
  log_level saved = logger::primary_level();
  ~primary_level_guard() { logger::set_primary_level(saved); }
};

std::size_t count_text(const l2_log_capture& logs, const std::string& text) {
  std::size_t n = 0;
  for (const log_event& e : logs.events()) n += e.text == text;
  return n;
}

}  // namespace

// Erlang's logger: events less severe than the primary level reach no handler (default notice).
TEST(Logger, EventsBelowThePrimaryLevelAreDropped) {
  primary_level_guard guard;
  l2_log_capture logs;
  logger::set_primary_level(log_level::warning);
  logger::info("l2 info dropped");
  logger::error("l2 error kept");
  EXPECT_EQ(count_text(logs, "l2 info dropped"), 0u);
  EXPECT_EQ(count_text(logs, "l2 error kept"), 1u);
  EXPECT_FALSE(logger::allowed(log_level::notice));
  EXPECT_TRUE(logger::allowed(log_level::emergency));
}

// Erlang's logger: each handler has its own level on top of the primary one.
TEST(Logger, HandlerLevelFiltersPerHandler) {
  primary_level_guard guard;
  logger::set_primary_level(log_level::debug);
  std::vector<std::string> seen;
  std::mutex mu;
  ASSERT_TRUE(logger::add_handler(
      "l2_errors_only",
      [&](const log_event& e) {
        std::lock_guard<std::mutex> lock(mu);
        seen.push_back(e.text);
      },
      log_level::error));
  logger::warning("l2 warning");
  logger::log(log_level::critical, "l2 critical");
  ASSERT_TRUE(logger::set_handler_level("l2_errors_only", log_level::debug));
  logger::debug("l2 debug");
  EXPECT_TRUE(logger::remove_handler("l2_errors_only"));
  EXPECT_EQ(seen, (std::vector<std::string>{"l2 critical", "l2 debug"}));
}

// A handler id is unique; removing an unknown id is reported.
TEST(Logger, HandlerIdsAreUnique) {
  EXPECT_TRUE(logger::add_handler("l2_dup", [](const log_event&) {}));
  EXPECT_FALSE(logger::add_handler("l2_dup", [](const log_event&) {}));
  EXPECT_TRUE(logger::remove_handler("l2_dup"));
  EXPECT_FALSE(logger::remove_handler("l2_dup"));
  EXPECT_FALSE(logger::set_handler_level("l2_dup", log_level::info));
}

// A handler that throws loses that event only: the caller goes on and other handlers still get
// the event.
TEST(Logger, ExceptionsInHandlersAreContained) {
  l2_log_capture logs;
  ASSERT_TRUE(
      logger::add_handler("l2_thrower", [](const log_event&) { throw std::runtime_error("bad handler"); }));
  EXPECT_NO_THROW(logger::error("l2 survives"));
  logger::remove_handler("l2_thrower");
  EXPECT_EQ(count_text(logs, "l2 survives"), 1u);
  // From a process too: the process keeps running.
  node n({.schedulers = 1});
  ASSERT_TRUE(logger::add_handler("l2_thrower2", [](const log_event&) { throw 42; }));
  EXPECT_EQ(n.run([] {
    logger::error("l2 from a process");
    return 1;
  }),
            1);
  logger::remove_handler("l2_thrower2");
}

// OTP's classic header: =ERROR REPORT==== 25-Nov-2026::10:00:00.000000 ===
TEST(Logger, DefaultFormatHasOtpReportHeader) {
  log_event e;
  e.level = log_level::error;
  e.text = "something broke";
  e.time = std::chrono::system_clock::now();
  const std::string text = logger::format(e);
  EXPECT_TRUE(std::regex_match(
      text,
      std::regex(
          R"(=ERROR REPORT==== \d{1,2}-[A-Z][a-z]{2}-\d{4}::\d\d:\d\d:\d\d\.\d{6} ===\nsomething broke\n)")))
      << text;
  e.level = log_level::warning;
  e.text.clear();
  e.report = tuple("a"_a, 1);
  EXPECT_NE(logger::format(e).find("=WARNING REPORT==== "), std::string::npos);
  EXPECT_NE(logger::format(e).find("{a,1}\n"), std::string::npos);
}

// An event logged from a process carries its pid and a timestamp; from a plain thread, no pid.
TEST(Logger, EventsRecordTheLoggingProcess) {
  l2_log_capture logs;
  node n({.schedulers = 1});
  const pid p = n.run([] {
    logger::log(log_level::error, "l2 with pid", "rep"_a, "l2.test");
    return self();
  });
  logger::error("l2 without pid");
  for (const log_event& e : logs.events()) {
    if (e.text == "l2 with pid") {
      EXPECT_EQ(e.pid, p);
      EXPECT_EQ(e.report, term("rep"_a));
      EXPECT_EQ(e.domain, "l2.test");
      EXPECT_NE(e.time.time_since_epoch().count(), 0);
    }
    if (e.text == "l2 without pid") {
      EXPECT_FALSE(e.pid.has_value());
    }
  }
  EXPECT_EQ(count_text(logs, "l2 with pid"), 1u);
}
