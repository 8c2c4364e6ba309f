// sys, server side: answering system messages inside a behaviour process, and its debug
// facilities (trace, log, statistics).

#include <ctime>

#include <otp/gen/gen.hpp>
#include <otp/gen/sys.hpp>
#include <otp/logger.hpp>
#include <otp/runtime/errors.hpp>

namespace otp::sys {
namespace {

constexpr std::size_t log_capacity = 10;  // sys's default log depth

/// {{Y, M, D}, {H, Mi, S}} in local time, as erlang:localtime/0.
term local_time() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  return tuple(tuple(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday), tuple(tm.tm_hour, tm.tm_min, tm.tm_sec));
}

term ok_atom() { return atoms::ok; }

/// Runs a state callback; a failure becomes {error, {callback_failed, Reason}} for the caller
/// instead of crashing the server (sys keeps the old state then).
template <class F>
term protected_call(F&& f) {
  try {
    return f();
  } catch (const exit_exception&) {
    throw;  // the server is being killed: not the callback's failure
  } catch (const erlang_error& e) {
    return tuple(atoms::error, tuple(atom("callback_failed"), e.reason()));
  } catch (...) {
    return tuple(atoms::error, tuple(atom("callback_failed"), exception_reason(std::current_exception())));
  }
}

}  // namespace

server_support::server_support(callbacks cbs, term name, atom module, std::optional<pid> parent,
                               const std::vector<atom>& debug)
    : cbs_(std::move(cbs)), name_(std::move(name)), module_(module), parent_(parent) {
  for (atom opt : debug) {
    if (opt == atom("trace")) trace_ = true;
    if (opt == atom("log")) log_enabled_ = true;
    if (opt == atom("statistics")) stats_ = stats{local_time()};
  }
}

bool server_support::handle(const term& message) {
  if (!is_system_message(message)) return false;
  std::optional<from> caller = from::from_term(message[1]);
  if (!caller) return true;  // malformed: nobody to answer, and not the behaviour's business
  handle_request(*caller, message[2]);
  // Suspension waits here rather than in handle_request, so a request handled while suspended
  // never nests a second wait.
  if (suspended_) wait_for_resume();
  return true;
}

void server_support::wait_for_resume() {
  while (suspended_) {
    const term parent_term = parent_ ? term(*parent_) : term(atoms::undefined);
    term m = receive(
                 [&](const term& x) {
                   return is_system_message(x) ||
                          (parent_ && x.is_tuple(3) && x[0].is_atom(atoms::EXIT) && x[1] == parent_term);
                 },
                 infinity)
                 .value();
    if (m[0].is_atom(atoms::EXIT)) {
      // The parent died while we were suspended (we trap exits): terminate as the behaviour would.
      if (cbs_.parent_exit) cbs_.parent_exit(m[2]);
      exit(m[2]);
    }
    if (std::optional<from> caller = from::from_term(m[1])) handle_request(*caller, m[2]);
  }
}

void server_support::handle_request(const from& caller, const term& request) {
  term answer;
  if (request.is_atom(atom("get_state"))) {
    answer = cbs_.get_state ? protected_call([&] { return cbs_.get_state(); }) : term(atoms::undefined);
  } else if (request.is_tuple(2) && request[0].is_atom(atom("replace_state"))) {
    auto* fn = request[1].opaque_get<std::function<term(term)>>();
    if (!fn || !cbs_.replace_state)
      answer = tuple(atoms::error, tuple(atom("callback_failed"), atoms::badarg));
    else
      answer = protected_call([&] { return cbs_.replace_state(*fn); });
  } else if (request.is_atom(atom("get_status"))) {
    std::vector<term> dict;
    for (auto& [k, v] : get_dictionary()) dict.push_back(tuple(k, v));
    term misc = cbs_.format_status ? protected_call([&] { return cbs_.format_status(); }) : term();
    answer = tuple(atom("status"), self(), tuple(atom("module"), module_),
                   list(make_list(dict), suspended_ ? atom("suspended") : atoms::running,
                        parent_ ? term(*parent_) : term(atoms::undefined), debug_term(), misc));
  } else if (request.is_atom(atom("suspend"))) {
    suspended_ = true;
    answer = ok_atom();
  } else if (request.is_atom(atom("resume"))) {
    suspended_ = false;
    answer = ok_atom();
  } else if (request.is_tuple(2) && request[0].is_atom(atom("debug"))) {
    answer = debug_request(request[1]);
  } else {
    std::optional<term> served;
    if (cbs_.other_request) served = cbs_.other_request(caller, request);
    answer = served ? std::move(*served) : tuple(atoms::error, tuple(atom("unknown_system_msg"), request));
  }
  gen::reply(caller, std::move(answer));
}

term server_support::debug_request(const term& option) {
  if (!option.is_tuple(2) || !option[0].is_atom()) return tuple(atoms::error, atom("unknown_debug"));
  const atom what = option[0].as_atom();
  const term& arg = option[1];
  if (what == atom("statistics")) {
    if (arg.is_atom(atom("get"))) {
      if (!stats_) return tuple(atoms::ok, atom("no_statistics"));
      return tuple(atoms::ok,
                   list(tuple(atom("start_time"), stats_->start_time),
                        tuple(atom("current_time"), local_time()), tuple(atom("reductions"), 0),
                        tuple(atom("messages_in"), stats_->in), tuple(atom("messages_out"), stats_->out)));
    }
    if (arg.is_atom(atoms::true_))
      stats_ = stats{local_time()};
    else
      stats_.reset();
    return ok_atom();
  }
  if (what == atom("trace")) {
    trace_ = arg.is_atom(atoms::true_);
    return ok_atom();
  }
  if (what == atom("log")) {
    if (arg.is_atom(atom("get")))
      return tuple(atoms::ok, make_list(std::vector<term>(log_.begin(), log_.end())));
    log_enabled_ = arg.is_atom(atoms::true_);
    if (!log_enabled_) log_.clear();
    return ok_atom();
  }
  return tuple(atoms::error, atom("unknown_debug"));
}

void server_support::record_in(const term& event) {
  if (stats_) ++stats_->in;
  record(event);
}

void server_support::record_out(const term& event) {
  if (stats_) ++stats_->out;
  record(event);
}

void server_support::record(const term& event) {
  if (trace_)
    // sys:trace prints unconditionally in Erlang; notice passes the default primary level.
    logger::log(log_level::notice, "*DBG* " + to_string(name_) + " event = " + to_string(event), event,
                "otp.sys");
  if (log_enabled_) keep(event);
}

void server_support::keep(const term& event) {
  log_.push_back(event);
  if (log_.size() > log_capacity) log_.erase(log_.begin());  // a few entries: cheap
}

term server_support::debug_term() const {
  std::vector<term> items;
  if (trace_) items.push_back(tuple(atom("trace"), true));
  if (log_enabled_)
    items.push_back(
        tuple(atom("log"), tuple(int(log_capacity), make_list(std::vector<term>(log_.begin(), log_.end())))));
  if (stats_) items.push_back(tuple(atom("statistics"), tuple(stats_->start_time, stats_->in, stats_->out)));
  return make_list(items);
}

}  // namespace otp::sys
