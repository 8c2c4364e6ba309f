#pragma once
// Helpers for the gen_server suites: capturing log events, and the shapes of gen_server's
// reports. Logging is synchronous in the logging process, so an event a server logs before it
// exits is already captured when its DOWN arrives: tests never wait for the log.

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include <otp/otp.hpp>

#include "support/runtime_support.hpp"

namespace otp::test {

/// Captures every log event while alive (a logger handler with a unique id).
class log_capture {
 public:
  log_capture() : id_("gen_server_test_capture_" + std::to_string(next_id_++)) {
    logger::add_handler(id_, [this](const log_event& e) {
      std::lock_guard<std::mutex> lock(mutex_);
      events_.push_back(e);
    });
  }
  ~log_capture() { logger::remove_handler(id_); }
  log_capture(const log_capture&) = delete;
  log_capture& operator=(const log_capture&) = delete;

  std::vector<log_event> events() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return events_;
  }
  /// The reports labelled {gen_server, terminate} for the server named (or with pid) `name`.
  std::vector<log_event> terminate_reports(const term& name) const {
    std::vector<log_event> out;
    const term label = tuple(atom("gen_server"), atom("terminate"));
    for (const log_event& e : events()) {
      if (!e.report.is_map()) continue;
      const term* l = e.report.map_find(atom("label"));
      const term* n = e.report.map_find(atom("name"));
      if (l && *l == label && n && *n == name) out.push_back(e);
    }
    return out;
  }

 private:
  static inline std::atomic<int> next_id_{0};
  std::string id_;
  mutable std::mutex mutex_;
  std::vector<log_event> events_;
};

/// A field of a report map (throws if absent, so a missing field fails the test loudly).
inline term field(const log_event& e, const char* key) {
  const term* v = e.report.map_find(atom(key));
  if (v == nullptr) throw std::runtime_error(std::string("report has no field ") + key);
  return *v;
}

/// The pid of a successful start (throws otherwise, with the start's reason).
inline pid started(const gen::start_result& r) {
  if (r.kind != gen::start_result::ok) throw std::runtime_error("start failed: " + to_string(r.to_term()));
  return r.pid;
}

/// {Reason, {gen_server, call, [Server, Request, Timeout]}}: the exit of a failed call.
inline term call_exit(const term& reason, const term& server, const term& request, const term& t) {
  return tuple(reason, tuple(atom("gen_server"), atom("call"), list(server, request, t)));
}

/// Runs `f` and returns the reason of the exit it throws (fails the test if it returns).
template <class F>
term exit_reason_of_call(F&& f) {
  try {
    f();
  } catch (const exit_exception& e) {
    return e.reason();
  }
  throw std::runtime_error("expected the call to exit");
}

}  // namespace otp::test
