// gen_server's client functions: each a thin layer over otp::gen, as gen_server.erl is over gen.erl.

#include <chrono>

#include <otp/behaviours/gen_server.hpp>
#include <otp/runtime/process.hpp>

namespace otp::gen_server {

term call(const server_ref& server, term request, timeout t) {
  return gen::call(server, std::move(request), t);
}

expected<term, call_error> try_call(const server_ref& server, term request, timeout t) {
  return gen::try_call(server, std::move(request), t);
}

void cast(const server_ref& server, term message) { gen::cast(server, std::move(message)); }

void reply(const from& caller, term reply) { gen::reply(caller, std::move(reply)); }

void stop(const server_ref& server, term reason, timeout t) { gen::stop(server, std::move(reason), t); }

void abcast(const std::vector<atom>& nodes, atom name, term message) {
  for (const atom& node : nodes) gen::cast(server_ref::remote(name, node), message);
}

void abcast(atom name, term message) { abcast({self().node}, name, std::move(message)); }

multi_call_result multi_call(const std::vector<atom>& nodes, atom name, term request, timeout t) {
  // One call after the other, all within one deadline: no helper process, so a reply that comes
  // too late cannot be left behind in the caller's mailbox by a helper (gen's try_call drops its
  // own late replies).
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + std::chrono::milliseconds(t.is_infinite() ? 0 : t.milliseconds());
  multi_call_result result;
  for (const atom& node : nodes) {
    timeout left = infinity;
    if (!t.is_infinite()) left = std::max(clock::duration::zero(), deadline - clock::now());
    auto answer = gen::try_call(server_ref::remote(name, node), request, left);
    if (answer) {
      result.replies.emplace_back(node, std::move(*answer));
    } else {
      result.bad_nodes.push_back(node);
    }
  }
  return result;
}

multi_call_result multi_call(atom name, term request, timeout t) {
  return multi_call({self().node}, name, std::move(request), t);
}

}  // namespace otp::gen_server
