// otp::logger: the primary level, the handler table and dispatch.
//
// Dispatch copies the handler list under a shared lock and calls the handlers without any lock
// held, so a handler may itself log, add or remove handlers without deadlocking.

#include <algorithm>
#include <atomic>
#include <iostream>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <vector>

#include <otp/logger.hpp>
#include <otp/runtime/errors.hpp>
#include <otp/runtime/process.hpp>

namespace otp::logger {
namespace {

struct entry {
  std::string id;
  handler fn;
  std::atomic<log_level> min;
  entry(std::string i, handler f, log_level m) : id(std::move(i)), fn(std::move(f)), min(m) {}
};

void write_to_stderr(const log_event& e) {
  // One write per event so that lines from concurrent events do not interleave.
  std::string text = format(e);
  std::cerr.write(text.data(), std::streamsize(text.size()));
  std::cerr.flush();
}

struct table {
  std::shared_mutex mu;
  std::vector<std::shared_ptr<entry>> handlers;
  std::atomic<log_level> primary{log_level::notice};

  table() { handlers.push_back(std::make_shared<entry>("default", write_to_stderr, log_level::debug)); }
};

// Leaked on purpose: processes may log while static destructors run at exit.
table& the_table() {
  static table* t = new table();
  return *t;
}

bool passes(log_level event, log_level threshold) { return int(event) <= int(threshold); }

}  // namespace

void log(log_level level, std::string text, term report, std::string domain) {
  table& t = the_table();
  if (!passes(level, t.primary.load(std::memory_order_relaxed))) return;
  log_event e;
  e.level = level;
  e.text = std::move(text);
  e.report = std::move(report);
  if (in_process()) e.pid = self();
  e.time = std::chrono::system_clock::now();
  e.domain = std::move(domain);

  std::vector<std::shared_ptr<entry>> targets;
  {
    std::shared_lock lock(t.mu);
    targets = t.handlers;
  }
  for (const auto& h : targets) {
    if (!passes(level, h->min.load(std::memory_order_relaxed))) continue;
    // A failing handler loses this event only; the caller must never crash because of logging.
    // An exit_exception is not an error of the handler but the logging process being killed at a
    // receive point inside it: let that one unwind.
    try {
      h->fn(e);
    } catch (const exit_exception&) {
      throw;
    } catch (...) {
    }
  }
}

void set_primary_level(log_level level) { the_table().primary.store(level); }
log_level primary_level() { return the_table().primary.load(); }
bool allowed(log_level level) { return passes(level, primary_level()); }

bool add_handler(std::string id, handler h, log_level min) {
  table& t = the_table();
  std::unique_lock lock(t.mu);
  for (const auto& e : t.handlers)
    if (e->id == id) return false;
  t.handlers.push_back(std::make_shared<entry>(std::move(id), std::move(h), min));
  return true;
}

bool remove_handler(const std::string& id) {
  table& t = the_table();
  std::unique_lock lock(t.mu);
  auto it = std::find_if(t.handlers.begin(), t.handlers.end(), [&](const auto& e) { return e->id == id; });
  if (it == t.handlers.end()) return false;
  t.handlers.erase(it);
  return true;
}

bool set_handler_level(const std::string& id, log_level min) {
  table& t = the_table();
  std::shared_lock lock(t.mu);
  for (const auto& e : t.handlers)
    if (e->id == id) {
      e->min.store(min);
      return true;
    }
  return false;
}

}  // namespace otp::logger
