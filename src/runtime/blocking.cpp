// otp::run_blocking: work off the schedulers while the calling process waits.

#include <otp/runtime/node.hpp>

#include "runtime/node_state.hpp"
#include "runtime/process.hpp"

namespace otp {

void run_blocking(std::function<void()> work) {
  detail::process& p = detail::current_process();
  struct job_state {
    std::atomic<bool> done{false};
    std::exception_ptr error;
  };
  auto job = std::make_shared<job_state>();
  detail::node_state* node = p.node;
  const pid me = p.self_pid();
  node->blocking.post([job, node, me, &work] {
    try {
      work();
    } catch (...) {
      job->error = std::current_exception();
    }
    job->done.store(true, std::memory_order_release);
    detail::deliver_signal(*node, me, new detail::signal(detail::signal_kind::wake, me));
  });
  // `work` lives on this stack: the process must not unwind before the job is done, so exit
  // signals that arrive meanwhile are held back and applied afterwards.
  p.in_blocking = true;
  while (!job->done.load(std::memory_order_acquire)) {
    detail::drain_signals(p);
    if (job->done.load(std::memory_order_acquire)) break;
    detail::wait_for_signal(p);
  }
  p.in_blocking = false;
  detail::drain_signals(p);  // an exit held back meanwhile takes effect now (take_signals)
  if (job->error) std::rethrow_exception(job->error);
}

}  // namespace otp
