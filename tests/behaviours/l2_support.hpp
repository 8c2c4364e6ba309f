#pragma once
// Helpers for the L2 suites (gen, proc_lib, sys, logger): a log capture, a small reactor-based
// test server answering gen calls and system messages, and a via-name registry. The real
// gen_server lives in L3; these tests check the shared machinery on its own.

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <otp/gen.hpp>
#include <otp/runtime.hpp>

#include "behaviours/test_registry.hpp"
#include "support/runtime_support.hpp"

namespace otp::test {

/// Captures every log event while alive. Logging is synchronous in the logging process, so an
/// event logged before a process exits is captured by the time its DOWN arrives.
class l2_log_capture {
 public:
  l2_log_capture() : id_("l2_test_capture_" + std::to_string(next_id_++)) {
    logger::add_handler(id_, [this](const log_event& e) {
      std::lock_guard<std::mutex> lock(mutex_);
      events_.push_back(e);
    });
  }
  ~l2_log_capture() { logger::remove_handler(id_); }
  l2_log_capture(const l2_log_capture&) = delete;
  l2_log_capture& operator=(const l2_log_capture&) = delete;

  std::vector<log_event> events() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return events_;
  }
  /// Crash reports (domain otp.sasl) logged by process `p`.
  std::vector<log_event> crash_reports_of(const pid& p) const {
    std::vector<log_event> out;
    for (const log_event& e : events())
      if (e.domain == "otp.sasl" && e.pid == p) out.push_back(e);
    return out;
  }

 private:
  inline static std::atomic<int> next_id_{0};
  std::string id_;
  mutable std::mutex mutex_;
  std::vector<log_event> events_;
};

/// The value under `key` in a proplist [{Key, Value}], or nullptr.
inline const term* prop(const term& list, atom key) {
  for (const term& kv : list.list_elements())
    if (kv.is_tuple(2) && kv[0].is_atom(key)) return &kv[1];
  return nullptr;
}

/// What a test_server's init does.
enum class init_mode { ok, ignore, stop, raise, block };

/// A minimal behaviour on gen + sys: state is an integer.
///   Requests ('$gen_call'): get → State; {add, N} → State + N and replies ok; {exit, R} → exits
///   with R without replying; hold | {hold, Notify} → keeps From for a later {release, Reply} cast (and
///   tells Notify `held`); defer → a
///   helper process replies `deferred`; ancestors → get('$ancestors').
///   Casts: {add, N}; {release, Reply} answers the held caller.
class test_server : public reactor {
 public:
  explicit test_server(init_mode mode = init_mode::ok, std::vector<atom> debug = {},
                       std::atomic<int>* inits = nullptr)
      : mode_(mode), debug_(std::move(debug)), inits_(inits) {}

  void on_start() override {
    if (inits_) ++*inits_;
    sys_.emplace(sys::server_support::callbacks{
                     [this] { return term(state_); },
                     [this](const std::function<term(term)>& f) {
                       term next = f(term(state_));
                       state_ = next.as_int();
                       return next;
                     },
                     [this] { return list(tuple(atom("data"), list(tuple(string("State"), term(state_))))); },
                     {}},
                 self(), atom("test_server"), gen::parent(), debug_);
    switch (mode_) {
      case init_mode::ok:
        return;
      case init_mode::ignore:
        gen::init_ignore();
      case init_mode::stop:
        gen::init_stop(atom("init_refused"));
      case init_mode::raise:
        throw std::runtime_error("init blew up");
      case init_mode::block:
        receive([](const term&) { return false; }, infinity);
        return;
    }
  }

  void on_message(term m) override {
    if (sys_->handle(m)) return;
    if (m.is_tuple(3) && m[0].is_atom(atoms::gen_call)) {
      sys_->record_in(tuple(atom("in"), m[2], m[1]));
      std::optional<from> caller = from::from_term(m[1]);
      handle_call(m[2], *caller);
    } else if (m.is_tuple(2) && m[0].is_atom(atoms::gen_cast)) {
      sys_->record_in(tuple(atom("in"), m[1]));
      handle_cast(m[1]);
    }
  }

 private:
  void answer(const from& to, term r) {
    sys_->record_out(tuple(atom("out"), r, to.caller));
    gen::reply(to, std::move(r));
  }

  void handle_call(const term& req, const from& caller) {
    if (req.is_atom(atom("get"))) return answer(caller, state_);
    if (req.is_atom(atom("ancestors"))) return answer(caller, get(atom("$ancestors")));
    if (req.is_atom(atom("hold")) || (req.is_tuple(2) && req[0].is_atom(atom("hold")))) {
      held_ = caller;
      if (req.is_tuple()) send(req[1].as_pid(), atom("held"));  // {hold, Notify}
      return;
    }
    if (req.is_atom(atom("defer"))) {
      // Someone else answers: gen::reply works from any process.
      spawn([caller] { gen::reply(caller, atom("deferred")); });
      return;
    }
    if (req.is_tuple(2) && req[0].is_atom(atom("add"))) {
      state_ += req[1].as_int();
      return answer(caller, atoms::ok);
    }
    if (req.is_tuple(2) && req[0].is_atom(atom("exit"))) exit(req[1]);
    answer(caller, tuple(atom("unknown"), req));
  }

  void handle_cast(const term& msg) {
    if (msg.is_tuple(2) && msg[0].is_atom(atom("add"))) state_ += msg[1].as_int();
    if (msg.is_tuple(2) && msg[0].is_atom(atom("release")) && held_) answer(*held_, msg[1]);
  }

  init_mode mode_;
  std::vector<atom> debug_;
  std::atomic<int>* inits_;
  int64_t state_ = 0;
  std::optional<from> held_;
  std::optional<sys::server_support> sys_;
};

/// Starts a test_server (in a process).
inline gen::start_result start_test_server(gen::start_link_kind how, gen::start_options options = {},
                                           init_mode mode = init_mode::ok, std::vector<atom> debug = {},
                                           std::atomic<int>* inits = nullptr) {
  return gen::start(how, options,
                    [mode, debug, inits] { return std::make_unique<test_server>(mode, debug, inits); });
}

}  // namespace otp::test
