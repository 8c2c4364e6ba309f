// Starting and stopping one child, and the supervisor reports: the parts of the supervisor that
// talk to a child process (supervisor.erl's do_start_child, shutdown and report_error).

#include <algorithm>
#include <chrono>
#include <exception>
#include <string>
#include <unordered_map>

#include <otp/logger.hpp>
#include <otp/runtime/errors.hpp>
#include <otp/runtime/process.hpp>

#include "supervisor/supervisor_server.hpp"

namespace otp::supervisor::detail {
namespace {

bool is_exit_of(const term& m, const pid& p) {
  return m.is_tuple(3) && m[0].is_atom(atoms::EXIT) && m[1].is_pid() && m[1].as_pid() == p;
}

bool is_down_of(const term& m, const ref& monitor_ref) {
  return m.is_tuple(5) && m[0].is_atom(atoms::DOWN) && m[1].is_ref() && m[1].as_ref() == monitor_ref;
}

/// Drops the link to a child that has ended and takes its 'EXIT' if it came before the unlink:
/// that reason is the one it ended with (the DOWN of a monitor set after its death says noproc),
/// and no restart may follow it.
term unlink_flush(const pid& p, term down_reason) {
  unlink(p);
  if (std::optional<term> exit = receive([&](const term& m) { return is_exit_of(m, p); }, timeout::ms(0)))
    return (*exit)[2];
  return down_reason;
}

/// Whether a child stopped by the supervisor ended as it should: killed after brutal_kill,
/// shutdown after the shutdown signal; a child that is not permanent may also have ended on its
/// own with normal, shutdown or {shutdown, _} meanwhile.
bool ended_as_expected(const term& reason, const child_spec& spec, bool brutal) {
  if (reason.is_atom(brutal ? atoms::killed : atoms::shutdown)) return true;
  if (spec.restart == restart::permanent) return false;
  return is_normal_end(reason);
}

}  // namespace

expected<started, term> start_child_process(const child_spec& spec, const term& args) {
  gen::start_result r;
  try {
    r = spec.start(args);
  } catch (const exit_signal_exception&) {
    throw;  // the supervisor itself is being ended
  } catch (...) {
    // Erlang's supervisor runs the start under catch: an exit or error becomes {'EXIT', Reason}.
    return unexpected(tuple(atoms::EXIT, exception_reason(std::current_exception())));
  }
  switch (r.kind) {
    case gen::start_result::ok:
      return started(r.pid);
    case gen::start_result::ignore:
      return started();
    case gen::start_result::error:
      break;
  }
  return unexpected(r.reason);
}

std::optional<term> shutdown_child(const pid& p, const child_spec& spec) {
  const shutdown_spec how = spec.shutdown_or_default();
  const ref watch = monitor(p);
  const auto down = [&](const term& m) { return is_down_of(m, watch); };
  std::optional<term> ended;
  if (how.is_brutal_kill()) {
    exit(p, atoms::kill);
    ended = receive(down, infinity);
  } else {
    exit(p, atoms::shutdown);
    ended = receive(down, how.wait());
    if (!ended) {
      exit(p, atoms::kill);
      ended = receive(down, infinity);
    }
  }
  const term reason = unlink_flush(p, (*ended)[4]);
  if (ended_as_expected(reason, spec, how.is_brutal_kill())) return std::nullopt;
  return reason;
}

std::vector<std::pair<term, std::size_t>> shutdown_children(const std::vector<pid>& pids,
                                                            const child_spec& spec) {
  using clock = std::chrono::steady_clock;
  const shutdown_spec how = spec.shutdown_or_default();
  std::unordered_map<ref, pid> waiting;
  std::vector<term> reasons;
  for (const pid& p : pids) {
    const ref watch = monitor(p);
    // As for one child, but the link goes first: a child already gone has its 'EXIT' taken here
    // and is not sent a signal.
    unlink(p);
    if (std::optional<term> exit_message =
            receive([&](const term& m) { return is_exit_of(m, p); }, timeout::ms(0))) {
      receive([&](const term& m) { return is_down_of(m, watch); }, infinity);
      reasons.push_back((*exit_message)[2]);
      continue;
    }
    exit(p, how.is_brutal_kill() ? atoms::kill : atoms::shutdown);
    waiting.emplace(watch, p);
  }
  const auto is_ours = [&](const term& m) {
    return m.is_tuple(5) && m[0].is_atom(atoms::DOWN) && m[1].is_ref() && waiting.count(m[1].as_ref()) != 0;
  };
  const bool timed = !how.is_brutal_kill() && !how.wait().is_infinite();
  const auto deadline = clock::now() + std::chrono::milliseconds(timed ? how.wait().milliseconds() : 0);
  bool killed_all = !timed;
  while (!waiting.empty()) {
    timeout left = infinity;
    if (!killed_all) left = std::max(clock::duration::zero(), deadline - clock::now());
    std::optional<term> down = receive(is_ours, left);
    if (!down) {
      // One time for all of them: whoever is still running now is killed.
      for (const auto& [watch, p] : waiting) exit(p, atoms::kill);
      killed_all = true;
      continue;
    }
    waiting.erase((*down)[1].as_ref());
    reasons.push_back((*down)[4]);
  }
  std::vector<std::pair<term, std::size_t>> unexpected_reasons;
  for (const term& reason : reasons) {
    if (ended_as_expected(reason, spec, how.is_brutal_kill())) continue;
    auto same = std::find_if(unexpected_reasons.begin(), unexpected_reasons.end(),
                             [&](const auto& entry) { return entry.first == reason; });
    if (same == unexpected_reasons.end()) {
      unexpected_reasons.emplace_back(reason, 1);
    } else {
      ++same->second;
    }
  }
  return unexpected_reasons;
}

term to_term(enum restart r) {
  switch (r) {
    case restart::permanent:
      return atom("permanent");
    case restart::transient:
      return atom("transient");
    case restart::temporary:
      break;
  }
  return atom("temporary");
}

term to_term(child_type t) { return t == child_type::worker ? atom("worker") : atom("supervisor"); }

bool is_normal_end(const term& reason) {
  return reason.is_atom(atoms::normal) || reason.is_atom(atoms::shutdown) ||
         (reason.is_tuple(2) && reason[0].is_atom(atoms::shutdown));
}

namespace {
/// An offender list: `head` ({pid, P} or {nb_children, N}), then what the spec says.
term offender_with(term head, const child_spec& spec) {
  return list(std::move(head), tuple(atom("id"), spec.id), tuple(atom("restart_type"), to_term(spec.restart)),
              tuple(atom("significant"), spec.significant),
              tuple(atom("shutdown"), spec.shutdown_or_default().to_term()),
              tuple(atom("child_type"), to_term(spec.type)));
}
}  // namespace

term offender(const term& pid, const child_spec& spec) {
  return offender_with(tuple(atom("pid"), pid), spec);
}

term offender_of_many(std::size_t count, const child_spec& spec) {
  return offender_with(tuple(atom("nb_children"), int64_t(count)), spec);
}

void report(const term& supervisor_name, atom context, const term& reason, const term& offender_info) {
  const term report = map(
      {{atom("label"), tuple(atom("supervisor"), context)},
       {atom("report"), list(tuple(atom("supervisor"), supervisor_name), tuple(atom("errorContext"), context),
                             tuple(atom("reason"), reason), tuple(atom("offender"), offender_info))}});
  if (!logger::allowed(log_level::error)) return;
  std::string text = "** Supervisor report\n";
  text += "    supervisor: " + to_string(supervisor_name) + "\n";
  text += "    errorContext: " + to_string(term(context)) + "\n";
  text += "    reason: " + to_string(reason) + "\n";
  text += "    offender: " + to_string(offender_info) + "\n";
  logger::log(log_level::error, std::move(text), report, "otp.sasl");
}

void report_progress(const term& supervisor_name, const pid& child, const child_spec& spec) {
  if (!logger::allowed(log_level::info)) return;
  const term started_info = offender(term(child), spec);
  const term report = map({{atom("label"), tuple(atom("supervisor"), atom("progress"))},
                           {atom("report"), list(tuple(atom("supervisor"), supervisor_name),
                                                 tuple(atom("started"), started_info))}});
  std::string text = "** Progress report\n";
  text += "    supervisor: " + to_string(supervisor_name) + "\n";
  text += "    started: " + to_string(started_info) + "\n";
  logger::log(log_level::info, std::move(text), report, "otp.sasl");
}

}  // namespace otp::supervisor::detail
