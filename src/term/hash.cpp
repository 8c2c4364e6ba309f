// term::hash — consistent with == (exact equality): equal terms feed the same sequence of words
// into the mixer. Words that are equal for equal terms but may differ in representation (a
// sub-binary and a binary with the same bytes, -0.0 and 0.0) are hashed by value.

#include <bit>
#include <cstring>

#include "term/nodes.hpp"
#include "term/small_stack.hpp"

namespace otp {
namespace {

using detail::node_as;
using detail::node_kind;

struct hasher {
  uint64_t h = 0x243F6A8885A308D3ull;
  void mix(uint64_t v) noexcept {
    h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 32;
  }
  void mix_bytes(std::string_view s) noexcept {
    mix(s.size());
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
      uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      mix(w);
    }
    uint64_t w = 0;
    for (std::size_t k = 0; i < s.size(); ++i, ++k) w |= uint64_t(uint8_t(s[i])) << (8 * k);
    mix(w);
  }
};

}  // namespace

namespace {

// A pid hashes by its value, held in the word (a local one) or in a node alike: the same pid is
// boxed on the nodes it is remote to, and must hash the same there.
void mix_pid(hasher& hs, const pid& p) {
  hs.mix(uint64_t(term_type::pid) << 56 | uint64_t(node_kind::pid));
  hs.mix(std::hash<pid>{}(p));
}

}  // namespace

std::size_t term::hash() const noexcept {
  hasher hs;
  if (!is_boxed() && !is_pid()) {
    hs.mix(w_);
    return std::size_t(hs.h);
  }
  detail::small_stack<const term*, 32> stack;
  stack.push(this);
  while (!stack.empty()) {
    const term& t = *stack.pop();
    if (t.is_pid()) {
      mix_pid(hs, t.as_pid());
      continue;
    }
    if (!t.is_boxed()) {
      hs.mix(t.raw_word());  // small integers, atoms and [] are canonical words
      continue;
    }
    const detail::heap_node* n = t.node();
    hs.mix(uint64_t(t.type()) << 56 |
           uint64_t(n->kind == node_kind::sub_binary ? node_kind::binary : n->kind));
    switch (n->kind) {
      case node_kind::bignum: {
        const auto* b = node_as<detail::bignum_node>(t);
        hs.mix(b->negative);
        for (uint32_t l : b->limbs) hs.mix(l);
        break;
      }
      case node_kind::float_: {
        const double v = node_as<detail::float_node>(t)->value;
        hs.mix(v == 0 ? 0 : std::bit_cast<uint64_t>(v));
        break;
      }
      case node_kind::binary:
      case node_kind::sub_binary:
        hs.mix(t.bit_size());
        hs.mix_bytes(t.bytes());
        break;
      case node_kind::tuple: {
        const auto* x = node_as<detail::tuple_node>(t);
        hs.mix(x->arity);
        for (std::size_t i = x->arity; i-- > 0;) stack.push(&x->elements()[i]);
        break;
      }
      case node_kind::cons: {
        const auto* c = node_as<detail::cons_node>(t);
        stack.push(&c->tail);
        stack.push(&c->head);
        break;
      }
      case node_kind::map: {
        const auto& e = node_as<detail::map_node>(t)->entries;
        hs.mix(e.size());
        for (std::size_t i = e.size(); i-- > 0;) {
          stack.push(&e[i].second);
          stack.push(&e[i].first);
        }
        break;
      }
      case node_kind::pid:  // hashed above, in either form
        break;
      case node_kind::ref:
        hs.mix(std::hash<ref>{}(node_as<detail::ref_node>(t)->value));
        break;
      case node_kind::port: {
        const auto& p = node_as<detail::port_node>(t)->value;
        hs.mix(p.id);
        hs.mix(uint64_t(p.node.index()) << 32 | p.creation);
        break;
      }
      case node_kind::export_fun: {
        const auto* f = node_as<detail::export_fun_node>(t);
        hs.mix(uint64_t(f->module.index()) << 32 | f->function.index());
        hs.mix(f->arity);
        break;
      }
      case node_kind::closure: {
        const auto* f = node_as<detail::closure_node>(t);
        hs.mix(uint64_t(f->module.index()) << 8 | f->arity);
        hs.mix_bytes(f->body);
        break;
      }
      case node_kind::opaque:
        hs.mix(reinterpret_cast<uintptr_t>(node_as<detail::opaque_node>(t)->object.get()));
        break;
    }
  }
  return std::size_t(hs.h);
}

}  // namespace otp
