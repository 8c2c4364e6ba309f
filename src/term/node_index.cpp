// Numbers that stand for remote nodes in printed pids (<N.ID.Serial>), as erts numbers the nodes
// it has seen. Kept so that text printed by this program parses back to the same pid.

#include <mutex>
#include <unordered_map>
#include <vector>

#include <otp/term/identifiers.hpp>

#include "term/text.hpp"

namespace otp::detail {
namespace {

struct node_numbers {
  std::mutex mutex;
  std::unordered_map<atom, uint32_t> index;
  std::vector<atom> nodes;  // nodes[i] has number i + 1
};

node_numbers& numbers() {
  static node_numbers* n = new node_numbers();  // used from static destructors' printing, too
  return *n;
}

}  // namespace

uint32_t node_print_index(atom node) {
  if (node == local_node().name) return 0;
  auto& n = numbers();
  std::lock_guard lock(n.mutex);
  auto [it, inserted] = n.index.try_emplace(node, uint32_t(n.nodes.size() + 1));
  if (inserted) n.nodes.push_back(node);
  return it->second;
}

std::optional<atom> node_from_print_index(uint32_t index) {
  if (index == 0) return local_node().name;
  auto& n = numbers();
  std::lock_guard lock(n.mutex);
  if (index > n.nodes.size()) return std::nullopt;
  return n.nodes[index - 1];
}

}  // namespace otp::detail
