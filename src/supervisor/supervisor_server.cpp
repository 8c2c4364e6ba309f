// The supervisor's gen_server callbacks: init (start every child in order), the exits of
// children and the restarts they call for, and the supervisor's end.

#include "supervisor/supervisor_server.hpp"

#include <algorithm>
#include <set>
#include <string>

#include <otp/logger.hpp>
#include <otp/runtime/process.hpp>

namespace otp::supervisor::detail {
namespace tags {
atom start_child() { return atom("start_child"); }
atom terminate_child() { return atom("terminate_child"); }
atom restart_child() { return atom("restart_child"); }
atom delete_child() { return atom("delete_child"); }
atom which_children() { return atom("which_children"); }
atom count_children() { return atom("count_children"); }
atom get_childspec() { return atom("get_childspec"); }
atom try_again_restart() { return atom("try_again_restart"); }
atom restarting() { return atom("restarting"); }
}  // namespace tags

namespace {

/// Erlang's check_flags: nullopt, or the error that {supervisor_data, Error} reports.
std::optional<term> check_flags(const sup_flags& flags) {
  if (flags.intensity < 0) return tuple(atom("invalid_intensity"), int64_t(flags.intensity));
  if (flags.period.count() <= 0) return tuple(atom("invalid_period"), int64_t(flags.period.count()));
  return std::nullopt;
}

term reply_started(const expected<started, term>& r) {
  if (!r) return tuple(atoms::error, r.error());
  return tuple(atoms::ok, *r ? term(**r) : term(atoms::undefined));
}

term error(term reason) { return tuple(atoms::error, std::move(reason)); }

}  // namespace

std::optional<term> check_child(const child_spec& spec, std::optional<auto_shutdown> shutdown_flag) {
  if (!spec.start) return term(atom("missing_start"));
  if (!spec.significant) return std::nullopt;
  const term significant = tuple(atom("significant"), true);
  if (spec.restart == restart::permanent)
    return tuple(atom("bad_combination"), list(tuple(atom("restart"), atom("permanent")), significant));
  if (shutdown_flag == auto_shutdown::never)
    return tuple(atom("bad_combination"), list(tuple(atom("auto_shutdown"), atom("never")), significant));
  return std::nullopt;
}

std::optional<term> check_children(const std::vector<child_spec>& specs,
                                   std::optional<auto_shutdown> shutdown_flag) {
  for (const child_spec& spec : specs)
    if (std::optional<term> error = check_child(spec, shutdown_flag)) return error;
  std::set<term> ids;
  for (const child_spec& spec : specs)
    if (!ids.insert(spec.id).second) return tuple(atom("duplicate_child_name"), spec.id);
  return std::nullopt;
}

// ---- init and end -----------------------------------------------------------------------------------

supervisor_server::init_result supervisor_server::init(init_function make_spec) {
  trap_exit(true);
  std::optional<process_info_t> info = process_info(self());
  name_ = info && info->registered_name ? tuple(atom("local"), *info->registered_name)
                                        : tuple(self(), module_name());
  if (!make_spec)
    return stop(tuple(atom("bad_return"), tuple(module_name(), atom("init"), atoms::undefined)));
  std::optional<sup_spec> spec = make_spec();
  if (!spec) return ignore();
  if (std::optional<term> bad = check_flags(spec->flags)) return stop(tuple(atom("supervisor_data"), *bad));
  if (std::optional<term> bad = check_children(spec->children, spec->flags.auto_shutdown))
    return stop(tuple(atom("start_spec"), *bad));
  flags_ = spec->flags;
  if (simple()) {
    if (spec->children.size() != 1) {
      std::vector<term> ids;
      for (const child_spec& c : spec->children) ids.push_back(c.id);
      return stop(tuple(atom("bad_start_spec"), make_list(ids)));
    }
    template_ = std::move(spec->children.front());
    return ok(term());
  }
  for (child_spec& c : spec->children) {
    expected<started, term> r = start_static(c);
    if (!r) {
      report(name_, atom("start_error"), r.error(), offender(atoms::undefined, c));
      stop_all();
      return stop(tuple(atoms::shutdown, tuple(atom("failed_to_start_child"), c.id, r.error())));
    }
    // ignore: the spec is kept, not running; a temporary one is not kept at all.
    if (!*r && c.restart == restart::temporary) continue;
    children_.push_back({std::move(c), *r ? term(**r) : term(atoms::undefined)});
  }
  return ok(term());
}

void supervisor_server::terminate(const term&, const term&) { stop_all(); }

void supervisor_server::stop_all() {
  if (simple()) {
    std::vector<pid> running;
    running.reserve(dynamic_.size());
    for (const auto& [p, args] : dynamic_) running.push_back(p);
    dynamic_.clear();
    dynamic_restarting_.clear();
    if (running.empty()) return;
    for (const auto& [reason, count] : shutdown_children(running, *template_))
      report(name_, atom("shutdown_error"), reason, offender_of_many(count, *template_));
    return;
  }
  for (std::size_t i = children_.size(); i-- > 0;) stop_one(i);
}

void supervisor_server::stop_one(std::size_t index) {
  child& c = children_[index];
  if (c.pid.is_pid()) {
    const pid p = c.pid.as_pid();
    if (std::optional<term> unexpected_end = shutdown_child(p, c.spec))
      report(name_, atom("shutdown_error"), *unexpected_end, offender(term(p), c.spec));
  }
  c.pid = atoms::undefined;
}

std::size_t supervisor_server::stop_from(std::size_t first, std::size_t keep) {
  for (std::size_t i = children_.size(); i-- > first;) {
    if (i == keep) continue;  // the child that ended: nothing to stop
    stop_one(i);
    if (children_[i].spec.restart == restart::temporary) {
      children_.erase(children_.begin() + std::ptrdiff_t(i));
      if (i < keep) --keep;
    }
  }
  return keep;
}

// ---- exits and restarts -------------------------------------------------------------------------------

bool supervisor_server::add_restart() {
  const clock::time_point now = clock::now();
  restarts_.push_back(now);
  while (restarts_.front() < now - flags_.period) restarts_.pop_front();
  return restarts_.size() <= std::size_t(flags_.intensity);
}

expected<started, term> supervisor_server::start_static(const child_spec& spec) {
  expected<started, term> r = start_child_process(spec, term());
  if (r && *r) report_progress(name_, **r, spec);
  return r;
}

bool supervisor_server::auto_shutdown_due() const {
  switch (flags_.auto_shutdown) {
    case auto_shutdown::never:
      return false;
    case auto_shutdown::any_significant:
      return true;
    case auto_shutdown::all_significant:
      break;
  }
  // A child waiting for its restart to be tried again counts as running.
  if (simple()) return dynamic_.empty() && dynamic_restarting_.empty();
  return std::none_of(children_.begin(), children_.end(),
                      [](const child& c) { return c.spec.significant && !c.pid.is_atom(atoms::undefined); });
}

bool supervisor_server::may_restart(const term& offender_info) {
  if (add_restart()) return true;
  report(name_, atoms::shutdown, atom("reached_max_restart_intensity"), offender_info);
  return false;
}

std::optional<term> supervisor_server::take_dynamic_restarting(const term& key) {
  auto it = std::find_if(dynamic_restarting_.begin(), dynamic_restarting_.end(),
                         [&](const auto& entry) { return entry.first == key; });
  if (it == dynamic_restarting_.end()) return std::nullopt;
  term args = std::move(it->second);
  dynamic_restarting_.erase(it);
  return args;
}

bool supervisor_server::on_exit(const pid& p, const term& reason) {
  if (simple()) return on_dynamic_exit(p, reason);
  const std::optional<std::size_t> found = find_pid(p);
  if (!found) return true;  // not (or no longer) a child: a stopped child's late 'EXIT', or a stranger
  const std::size_t i = *found;
  child& c = children_[i];
  const bool normal_end = is_normal_end(reason);
  if (c.spec.restart == restart::permanent || !normal_end)
    report(name_, atom("child_terminated"), reason, offender(term(p), c.spec));
  c.pid = atoms::undefined;
  if (c.spec.restart == restart::temporary) {
    const bool significant = c.spec.significant;
    children_.erase(children_.begin() + std::ptrdiff_t(i));
    return !ends_supervisor(significant);
  }
  if (c.spec.restart == restart::transient && normal_end) return !ends_supervisor(c.spec.significant);
  if (!may_restart(offender(term(p), c.spec))) return false;
  restart(i);
  return true;
}

void supervisor_server::restart(std::size_t index) {
  std::size_t first = index;
  if (flags_.strategy == strategy::one_for_all) first = 0;
  if (flags_.strategy != strategy::one_for_one) index = stop_from(first, index);
  // one_for_one restarts the child alone; the others, the group from `first`, in start order.
  const std::size_t last = flags_.strategy == strategy::one_for_one ? index + 1 : children_.size();
  for (std::size_t k = flags_.strategy == strategy::one_for_one ? index : first; k < last; ++k) {
    child& c = children_[k];
    expected<started, term> r = start_static(c.spec);
    if (!r) {
      // Tried again through the mailbox, so that calls are served meanwhile; the rest of the
      // group stays stopped until then, and that retry restarts from this child on.
      report(name_, atom("start_error"), r.error(), offender(atoms::undefined, c.spec));
      c.pid = tags::restarting();
      gen_server::cast(self(), tuple(tags::try_again_restart(), c.spec.id));
      return;
    }
    c.pid = *r ? term(**r) : term(atoms::undefined);
  }
}

bool supervisor_server::on_dynamic_exit(const pid& p, const term& reason) {
  auto it = dynamic_.find(p);
  if (it == dynamic_.end()) return true;
  const term args = std::move(it->second);
  dynamic_.erase(it);
  const child_spec& spec = *template_;
  const bool normal_end = is_normal_end(reason);
  if (spec.restart == restart::permanent || !normal_end)
    report(name_, atom("child_terminated"), reason, offender(term(p), spec));
  if (spec.restart == restart::temporary || (spec.restart == restart::transient && normal_end))
    return !ends_supervisor(spec.significant);
  if (!may_restart(offender(term(p), spec))) return false;
  restart_dynamic(tuple(tags::restarting(), p), args);
  return true;
}

void supervisor_server::restart_dynamic(const term& key, const term& args) {
  expected<started, term> r = start_child_process(*template_, args);
  if (!r) {
    report(name_, atom("start_error"), r.error(), offender(atoms::undefined, *template_));
    dynamic_restarting_.emplace_back(key, args);
    gen_server::cast(self(), tuple(tags::try_again_restart(), key));
    return;
  }
  if (*r) dynamic_.emplace(**r, args);  // ignore: the child is gone for good
}

// ---- messages -----------------------------------------------------------------------------------------

supervisor_server::info_result supervisor_server::handle_info(const term& message, term state) {
  if (message.is_tuple(3) && message[0].is_atom(atoms::EXIT) && message[1].is_pid()) {
    if (!on_exit(message[1].as_pid(), message[2])) return stop(atoms::shutdown, std::move(state));
    return noreply(std::move(state));
  }
  logger::error("Supervisor " + to_string(name_) + " received unexpected message: " + to_string(message),
                tuple(atom("unexpected_message"), message));
  return noreply(std::move(state));
}

supervisor_server::cast_result supervisor_server::handle_cast(const term& message, term state) {
  if (!(message.is_tuple(2) && message[0].is_atom(tags::try_again_restart()))) {
    logger::error("Supervisor " + to_string(name_) + " received unexpected cast: " + to_string(message),
                  tuple(atom("unexpected_cast"), message));
    return noreply(std::move(state));
  }
  const term& key = message[1];
  if (simple()) {
    const std::optional<term> args = take_dynamic_restarting(key);
    if (!args) return noreply(std::move(state));
    if (!may_restart(offender(atoms::undefined, *template_))) return stop(atoms::shutdown, std::move(state));
    restart_dynamic(key, *args);
    return noreply(std::move(state));
  }
  // Only a child still waiting for its retry: terminate_child or restart_child may have come first.
  const std::optional<std::size_t> i = find_id(key);
  if (!i || !children_[*i].pid.is_atom(tags::restarting())) return noreply(std::move(state));
  if (!may_restart(offender(atoms::undefined, children_[*i].spec))) {
    children_[*i].pid = atoms::undefined;
    return stop(atoms::shutdown, std::move(state));
  }
  restart(*i);
  return noreply(std::move(state));
}

supervisor_server::call_result supervisor_server::handle_call(const term& request, const from& caller,
                                                              term state) {
  if (request.is_atom(tags::which_children())) return reply(do_which_children(), std::move(state));
  if (request.is_atom(tags::count_children())) return reply(do_count_children(), std::move(state));
  if (request.is_tuple(2) && request[0].is_atom()) {
    const atom tag = request[0].as_atom();
    const term& arg = request[1];
    if (tag == tags::start_child())
      return reply(simple() ? do_start_dynamic_child(arg) : do_start_child(arg), std::move(state));
    if (tag == tags::terminate_child()) return reply(do_terminate_child(arg), std::move(state));
    if (tag == tags::restart_child()) return reply(do_restart_child(arg), std::move(state));
    if (tag == tags::delete_child()) return reply(do_delete_child(arg), std::move(state));
    if (tag == tags::get_childspec()) {
      // The start function is a C++ object: it cannot travel to another node.
      return reply(do_get_childspec(arg, caller.caller.node == self().node), std::move(state));
    }
  }
  // Erlang's supervisor crashes on a request it does not know; its children are worth more.
  return reply(error(tuple(atom("bad_call"), request)), std::move(state));
}

term supervisor_server::format_status(const term&) {
  return list(tuple(atom("supervisor"), name_), tuple(atom("children"), do_which_children()));
}

// ---- requests -----------------------------------------------------------------------------------------

std::optional<std::size_t> supervisor_server::find_id(const term& id) const {
  for (std::size_t i = 0; i < children_.size(); ++i)
    if (children_[i].spec.id == id) return i;
  return std::nullopt;
}

std::optional<std::size_t> supervisor_server::find_pid(const pid& p) const {
  for (std::size_t i = 0; i < children_.size(); ++i)
    if (children_[i].pid.is_pid() && children_[i].pid.as_pid() == p) return i;
  return std::nullopt;
}

term supervisor_server::do_start_child(const term& request) {
  const child_spec* spec = request.opaque_get<child_spec>();
  if (spec == nullptr) return error(tuple(atom("invalid_child_spec"), request));
  if (std::optional<term> bad = check_child(*spec, flags_.auto_shutdown)) return error(*bad);
  if (std::optional<std::size_t> i = find_id(spec->id)) {
    const term& running = children_[*i].pid;
    return error(running.is_pid() ? tuple(atom("already_started"), running) : term(atom("already_present")));
  }
  expected<started, term> r = start_static(*spec);
  if (r && (*r || spec->restart != restart::temporary))
    children_.push_back({*spec, *r ? term(**r) : term(atoms::undefined)});
  return reply_started(r);
}

term supervisor_server::do_start_dynamic_child(const term& args) {
  if (args.opaque_get<child_spec>() != nullptr) return error(atom("simple_one_for_one"));
  expected<started, term> r = start_child_process(*template_, args);
  if (r && *r) dynamic_.emplace(**r, args);
  return reply_started(r);
}

term supervisor_server::do_terminate_child(const term& id_or_pid) {
  if (simple()) {
    if (!id_or_pid.is_pid()) return error(atom("simple_one_for_one"));
    const pid p = id_or_pid.as_pid();
    auto it = dynamic_.find(p);
    if (it == dynamic_.end()) {
      if (!take_dynamic_restarting(tuple(tags::restarting(), p))) return error(atom("not_found"));
      return atoms::ok;
    }
    dynamic_.erase(it);
    if (std::optional<term> unexpected_end = shutdown_child(p, *template_))
      report(name_, atom("shutdown_error"), *unexpected_end, offender(term(p), *template_));
    return atoms::ok;
  }
  std::optional<std::size_t> i = find_id(id_or_pid);
  if (!i && id_or_pid.is_pid()) i = find_pid(id_or_pid.as_pid());
  if (!i) return error(atom("not_found"));
  stop_one(*i);
  if (children_[*i].spec.restart == restart::temporary)
    children_.erase(children_.begin() + std::ptrdiff_t(*i));
  return atoms::ok;
}

term supervisor_server::do_restart_child(const term& id) {
  if (simple()) return error(atom("simple_one_for_one"));
  const std::optional<std::size_t> i = find_id(id);
  if (!i) return error(atom("not_found"));
  child& c = children_[*i];
  if (c.pid.is_pid()) return error(atom("running"));
  if (c.pid.is_atom(tags::restarting())) return error(atom("restarting"));
  expected<started, term> r = start_static(c.spec);
  if (r) c.pid = *r ? term(**r) : term(atoms::undefined);
  return reply_started(r);
}

term supervisor_server::do_delete_child(const term& id) {
  if (simple()) return error(atom("simple_one_for_one"));
  const std::optional<std::size_t> i = find_id(id);
  if (!i) return error(atom("not_found"));
  const term& running = children_[*i].pid;
  if (running.is_pid()) return error(atom("running"));
  if (running.is_atom(tags::restarting())) return error(atom("restarting"));
  children_.erase(children_.begin() + std::ptrdiff_t(*i));
  return atoms::ok;
}

term supervisor_server::do_which_children() const {
  std::vector<term> out;
  if (simple()) {
    const term type = to_term(template_->type);
    for (const auto& [p, args] : dynamic_) out.push_back(tuple(atoms::undefined, p, type, term()));
    for (std::size_t n = 0; n < dynamic_restarting_.size(); ++n)
      out.push_back(tuple(atoms::undefined, tags::restarting(), type, term()));
    return make_list(out);
  }
  for (std::size_t i = children_.size(); i-- > 0;) {
    const child& c = children_[i];
    out.push_back(tuple(c.spec.id, c.pid, to_term(c.spec.type), term()));
  }
  return make_list(out);
}

term supervisor_server::do_count_children() const {
  std::size_t specs = 0, active = 0, supervisors = 0, workers = 0;
  if (simple()) {
    specs = 1;
    active = dynamic_.size();
    (template_->type == child_type::worker ? workers : supervisors) =
        dynamic_.size() + dynamic_restarting_.size();
  } else {
    specs = children_.size();
    for (const child& c : children_) {
      if (c.pid.is_pid() && is_process_alive(c.pid.as_pid())) ++active;
      ++(c.spec.type == child_type::worker ? workers : supervisors);
    }
  }
  return list(tuple(atom("specs"), int64_t(specs)), tuple(atom("active"), int64_t(active)),
              tuple(atom("supervisors"), int64_t(supervisors)), tuple(atom("workers"), int64_t(workers)));
}

term supervisor_server::do_get_childspec(const term& id_or_pid, bool with_start) const {
  const child_spec* spec = nullptr;
  if (simple()) {
    if (id_or_pid == template_->id || (id_or_pid.is_pid() && dynamic_.count(id_or_pid.as_pid()) != 0))
      spec = &*template_;
  } else {
    std::optional<std::size_t> i = find_id(id_or_pid);
    if (!i && id_or_pid.is_pid()) i = find_pid(id_or_pid.as_pid());
    if (i) spec = &children_[*i].spec;
  }
  if (spec == nullptr) return error(atom("not_found"));
  return tuple(
      atoms::ok,
      map({{atom("id"), spec->id},
           {atom("start"), with_start ? make_opaque<start_function>(spec->start) : term(atoms::undefined)},
           {atom("restart"), to_term(spec->restart)},
           {atom("significant"), term(spec->significant)},
           {atom("shutdown"), spec->shutdown_or_default().to_term()},
           {atom("type"), to_term(spec->type)},
           {atom("modules"), term()}}));
}

}  // namespace otp::supervisor::detail
