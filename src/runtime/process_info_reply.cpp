#include "runtime/process_info_reply.hpp"

#include "runtime/fiber.hpp"
#include "runtime/node_state.hpp"

namespace otp::detail {

process_info_t describe_process(process& p) {
  process_info_t info;
  info.status = atoms::running;  // the process describing itself is, by definition, running
  info.message_queue_len = p.mq.size();
  info.trap_exit = p.trap_exit;
  info.priority = p.prio;
  info.memory = sizeof(process) + p.mq.size() * sizeof(signal);
  // A plain process always has a stack; a reactor only while inside a callback. The process is
  // running (it describes itself), so that stack is the one under it now.
  if (!p.reactor_body || p.in_callback) {
    if (scheduler* s = current_scheduler(); s != nullptr && s->running != nullptr) {
      info.memory += fiber_resident_bytes(*s->running);
    }
  }
  if (p.relations != nullptr) {
    const auto& rel = *p.relations;
    info.links.assign(rel.links.begin(), rel.links.end());
    for (const auto& [r, target] : rel.monitors) info.monitors.push_back(target.target);
    for (const auto& [r, watcher] : rel.monitored_by) info.monitored_by.push_back(watcher.from);
    info.memory +=
        sizeof(process_relations) + (rel.links.size() + rel.monitors.size() + rel.monitored_by.size()) * 48;
  }
  info.registered_name = p.node->names.name_of(p.self_pid());
  return info;
}

void reply_process_info(process& p, const pid& to, const term& reply_ref) {
  process_info_t info = describe_process(p);
  term reply = tuple(reply_ref, make_opaque<process_info_t>(std::move(info)));
  deliver_signal(*p.node, to, new signal(signal_kind::message, p.self_pid(), std::move(reply)));
}

}  // namespace otp::detail
