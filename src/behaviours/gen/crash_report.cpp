// proc_lib crash reports: what OTP's proc_lib reports about a process that ends abnormally, and
// its text form.

#include <otp/gen/proc_lib.hpp>

#include "behaviours/gen/proc_lib_internal.hpp"

namespace otp::proc_lib {
namespace {

term pids(const std::vector<pid>& ps) {
  std::vector<term> items(ps.begin(), ps.end());
  return make_list(items);
}

/// The dictionary without proc_lib's own keys, which the report shows on their own lines.
term user_dictionary() {
  const term ancestors = atoms::ancestors_key, initial = atoms::initial_call_key,
             starter = internal::starter_key();
  std::vector<term> items;
  for (auto& [k, v] : get_dictionary())
    if (k != ancestors && k != initial && k != starter) items.push_back(tuple(k, v));
  return make_list(items);
}

const term* find(const term& report, atom key) {
  for (const term& kv : report.list_elements())
    if (kv.is_tuple(2) && kv[0].is_atom(key)) return &kv[1];
  return nullptr;
}

/// gen_server:init_it/6 for {gen_server, init_it, 6}; the term itself otherwise.
std::string mfa_text(const term& mfa) {
  if (mfa.is_tuple(3) && mfa[0].is_atom() && mfa[1].is_atom() && mfa[2].is_integer())
    return to_string(mfa[0]) + ":" + to_string(mfa[1]) + "/" + to_string(mfa[2]);
  return to_string(mfa);
}

}  // namespace

term crash_report(atom error_class, const term& reason) {
  const pid me = self();
  std::optional<process_info_t> info = process_info(me);
  const term name = info && info->registered_name ? term(*info->registered_name) : term();
  term initial = get(atoms::initial_call_key);
  term ancestors = get(atoms::ancestors_key);
  std::vector<term> items = {
      tuple(atom("initial_call"), initial),
      tuple(atom("pid"), me),
      tuple(atom("registered_name"), name),
      tuple(atom("error_info"), tuple(error_class, reason, term())),
      tuple(atom("ancestors"), ancestors.is_list() ? ancestors : term()),
      tuple(atom("message_queue_len"), term(info ? info->message_queue_len : 0)),
      tuple(atom("links"), info ? pids(info->links) : term()),
      tuple(atom("dictionary"), user_dictionary()),
      tuple(atom("trap_exit"), term(info && info->trap_exit)),
      tuple(atom("status"), info ? term(info->status) : term(atoms::exiting)),
  };
  return list(make_list(items), term());
}

std::string format_crash_report(const term& report) {
  if (!report.is_cons() || !report.head().is_list()) return to_string(report);
  const term& r = report.head();
  auto line = [&](const char* label, atom key) {
    const term* v = find(r, key);
    return std::string("    ") + label + ": " + (v ? to_string(*v) : std::string("[]")) + "\n";
  };
  std::string out = "  crasher:\n";
  if (const term* ic = find(r, atom("initial_call"))) out += "    initial call: " + mfa_text(*ic) + "\n";
  out += line("pid", atom("pid"));
  out += line("registered_name", atom("registered_name"));
  if (const term* e = find(r, atom("error_info")); e && e->is_tuple(3))
    out += "    exception " + to_string((*e)[0]) + ": " + to_string((*e)[1]) + "\n";
  out += line("ancestors", atom("ancestors"));
  out += line("message_queue_len", atom("message_queue_len"));
  out += line("links", atom("links"));
  out += line("dictionary", atom("dictionary"));
  out += line("trap_exit", atom("trap_exit"));
  out += line("status", atom("status"));
  out += "  neighbours:\n";
  return out;
}

}  // namespace otp::proc_lib
