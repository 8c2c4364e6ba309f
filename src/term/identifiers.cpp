// Ordering of pids, ports and refs, and the process-wide local node setting.
//
// erts compares two pids of the same node by serial, then number; pids of different nodes by node
// name. Refs compare by node, then by their id words from the most significant one. Creation is
// only a tie-breaker here, so that the order stays total and agrees with ==.

#include <algorithm>
#include <atomic>

#include <otp/term/identifiers.hpp>

namespace otp {
namespace {

// Name index and creation packed into one word so that readers never see a torn pair; the top bit
// says whether it has been set (before that, no pid is the local node's in the term layer's eyes).
constexpr uint64_t set_bit = uint64_t(1) << 63;
std::atomic<uint64_t> local_node_word{uint64_t(atoms::nonode_nohost.index()) << 32};

uint64_t node_word(atom name, uint32_t creation) noexcept {
  return set_bit | uint64_t(name.index()) << 32 | creation;
}

template <class T>
std::strong_ordering cmp(const T& a, const T& b) noexcept {
  return a <=> b;
}

}  // namespace

local_node_info local_node() noexcept {
  const uint64_t w = local_node_word.load(std::memory_order_acquire) & ~set_bit;
  return {atom::from_index(uint32_t(w >> 32)), uint32_t(w)};
}

void set_local_node(atom name, uint32_t creation) noexcept {
  local_node_word.store(node_word(name, creation), std::memory_order_release);
}

bool detail::is_set_local_node(atom name, uint32_t creation) noexcept {
  return local_node_word.load(std::memory_order_acquire) == node_word(name, creation);
}

std::strong_ordering operator<=>(const pid& a, const pid& b) noexcept {
  if (a.node != b.node) return cmp(a.node, b.node);
  if (a.serial != b.serial) return cmp(a.serial, b.serial);
  if (a.id != b.id) return cmp(a.id, b.id);
  return cmp(a.creation, b.creation);
}

std::strong_ordering operator<=>(const port& a, const port& b) noexcept {
  if (a.node != b.node) return cmp(a.node, b.node);
  if (a.id != b.id) return cmp(a.id, b.id);
  return cmp(a.creation, b.creation);
}

std::strong_ordering operator<=>(const ref& a, const ref& b) noexcept {
  if (a.node != b.node) return cmp(a.node, b.node);
  // A shorter ref has implicit zero high words, as when erts compares refs of different lengths.
  const uint32_t n = std::max(a.len, b.len);
  for (uint32_t i = std::min<uint32_t>(n, ref::max_words); i-- > 0;) {
    const uint32_t x = i < a.len ? a.ids[i] : 0;
    const uint32_t y = i < b.len ? b.ids[i] : 0;
    if (x != y) return cmp(x, y);
  }
  if (a.len != b.len) return cmp(a.len, b.len);
  return cmp(a.creation, b.creation);
}

}  // namespace otp
