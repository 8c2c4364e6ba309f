// Erlang's term order and equality.
//
//   number < atom < reference < fun < port < pid < tuple < map < [] < list < bitstring
//
// Tuples compare by size, then element by element; maps by size, then keys in map key order, then
// values in key order; lists element by element (a shorter proper prefix first); bitstrings by
// their bits, then the shorter first. Numbers compare by value; in the exact order (=:=) an integer
// comes before an equal float, while the arithmetic order (==) treats them as equal.
//
// Map key order is erts' "exact" comparison: any integer sorts before any float whatever their
// values (#{1.0 => a, 2 => b} holds 2 first), and that holds everywhere inside a key, down through
// tuples, lists and maps. Map keys are stored in this order, and two maps compare their keys in it
// (so #{1.0 => a, 2 => b} < #{1 => a, 2.0 => b} is false, as in erl). It ties only on exactly
// equal terms, so it agrees with == and term::hash.
//
// The walk uses an explicit stack, so comparing long or deeply nested terms cannot overflow a
// small fiber stack.

#include <cstring>

#include "term/bignum.hpp"
#include "term/nodes.hpp"
#include "term/small_stack.hpp"

namespace otp {
namespace {

using detail::node_as;
using detail::node_kind;

// exact: operator<=>; arithmetic: Erlang's ==/<; map_key: map keys, where integers precede floats.
// A mode holds for the whole subtree below the pair it was pushed with, except that map keys are
// always compared in map_key mode (as erts raises its `exact` counter for the keys of a map).
enum class mode : uint8_t { exact, arithmetic, map_key };

int sign(int v) noexcept { return v < 0 ? -1 : v > 0; }

template <class T>
int three_way(const T& a, const T& b) noexcept {
  const auto c = a <=> b;
  return c < 0 ? -1 : c > 0;
}

// Rank in the term order; integers and floats share the number rank.
int rank(const term& t) noexcept {
  const term_type ty = t.type();
  return ty == term_type::float_ ? int(term_type::integer) : int(ty);
}

int compare_numbers(const term& a, const term& b, mode m) noexcept {
  const bool af = a.is_float(), bf = b.is_float();
  if (!af && !bf) return detail::compare_integers(a, b);
  if (af != bf && m == mode::map_key) return af ? 1 : -1;
  if (af && bf) {
    const double x = node_as<detail::float_node>(a)->value, y = node_as<detail::float_node>(b)->value;
    return x < y ? -1 : x > y;
  }
  const int c = af ? -detail::compare_integer_float(b, node_as<detail::float_node>(a)->value)
                   : detail::compare_integer_float(a, node_as<detail::float_node>(b)->value);
  if (c != 0 || m == mode::arithmetic) return c;
  return af ? 1 : -1;  // exact order: the integer first
}

int compare_bits(const term& a, const term& b) noexcept {
  const std::string_view x = a.bytes(), y = b.bytes();
  const std::size_t n = std::min(x.size(), y.size());
  // Unused trailing bits are kept zero, so comparing bytes and then bit sizes is the bit order.
  if (n) {
    const int c = std::memcmp(x.data(), y.data(), n);
    if (c != 0) return sign(c);
  }
  const std::size_t bx = a.bit_size(), by = b.bit_size();
  return bx < by ? -1 : bx > by;
}

int compare_funs(const term& a, const term& b) noexcept {
  const fun_info x = fun_of(a), y = fun_of(b);
  if (x.is_export != y.is_export) return x.is_export ? 1 : -1;  // local funs before exports
  if (int c = three_way(x.module, y.module)) return c;
  if (x.is_export) {
    if (int c = three_way(x.function, y.function)) return c;
    return three_way(x.arity, y.arity);
  }
  if (int c = three_way(x.arity, y.arity)) return c;
  return sign(x.encoded_body.compare(y.encoded_body));
}

// References and opaque objects share the reference rank; opaques sort after real refs.
int compare_refs(const term& a, const term& b) noexcept {
  const bool ao = a.is_opaque(), bo = b.is_opaque();
  if (ao != bo) return ao ? 1 : -1;
  if (!ao) return three_way(node_as<detail::ref_node>(a)->value, node_as<detail::ref_node>(b)->value);
  const void* x = node_as<detail::opaque_node>(a)->object.get();
  const void* y = node_as<detail::opaque_node>(b)->object.get();
  if (x != y) return std::less<const void*>()(x, y) ? -1 : 1;
  const std::type_info* tx = node_as<detail::opaque_node>(a)->type;
  const std::type_info* ty = node_as<detail::opaque_node>(b)->type;
  return tx == ty ? 0 : (tx->before(*ty) ? -1 : 1);
}

struct pending {
  const term* a;
  const term* b;
  mode m;
};
using pending_stack = detail::small_stack<pending, 16>;

// Compares the top-level of a and b; when they agree so far, pushes the children still to compare
// (in reverse, so the first child is compared first) and returns 0.
int compare_shallow(const pending& p, pending_stack& stack) {
  const term& a = *p.a;
  const term& b = *p.b;
  if (a.raw_word() == b.raw_word()) return 0;
  const int ra = rank(a), rb = rank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  switch (term_type(ra)) {
    case term_type::integer:
    case term_type::float_:
      return compare_numbers(a, b, p.m);
    case term_type::atom:
      return three_way(a.as_atom(), b.as_atom());
    case term_type::reference:
      return compare_refs(a, b);
    case term_type::fun:
      return compare_funs(a, b);
    case term_type::port:
      return three_way(node_as<detail::port_node>(a)->value, node_as<detail::port_node>(b)->value);
    case term_type::pid:
      return three_way(a.as_pid(), b.as_pid());  // either may be a local one held in its word
    case term_type::nil:
      return 0;
    case term_type::bitstring:
      return compare_bits(a, b);
    case term_type::tuple: {
      const auto* x = node_as<detail::tuple_node>(a);
      const auto* y = node_as<detail::tuple_node>(b);
      if (x->arity != y->arity) return x->arity < y->arity ? -1 : 1;
      for (std::size_t i = x->arity; i-- > 0;) stack.push({&x->elements()[i], &y->elements()[i], p.m});
      return 0;
    }
    case term_type::list: {
      const auto* x = node_as<detail::cons_node>(a);
      const auto* y = node_as<detail::cons_node>(b);
      stack.push({&x->tail, &y->tail, p.m});
      stack.push({&x->head, &y->head, p.m});
      return 0;
    }
    case term_type::map: {
      const auto& x = node_as<detail::map_node>(a)->entries;
      const auto& y = node_as<detail::map_node>(b)->entries;
      if (x.size() != y.size()) return x.size() < y.size() ? -1 : 1;
      for (std::size_t i = x.size(); i-- > 0;) stack.push({&x[i].second, &y[i].second, p.m});
      // Entries are stored in map key order, so pairing them by index walks both in that order.
      for (std::size_t i = x.size(); i-- > 0;) stack.push({&x[i].first, &y[i].first, mode::map_key});
      return 0;
    }
  }
  return 0;
}

int compare_terms(const term& a, const term& b, mode m) noexcept {
  pending_stack stack;
  stack.push({&a, &b, m});
  while (!stack.empty()) {
    if (int c = compare_shallow(stack.pop(), stack)) return c;
  }
  return 0;
}

}  // namespace

bool term::equal_slow(const term& a, const term& b) noexcept { return compare_terms(a, b, mode::exact) == 0; }

std::strong_ordering operator<=>(const term& a, const term& b) noexcept {
  if (a.raw_word() == b.raw_word()) return std::strong_ordering::equal;
  // Two immediates of the same kind compare without the general walk.
  if (a.is_small() && b.is_small())
    return a.small_value() < b.small_value() ? std::strong_ordering::less : std::strong_ordering::greater;
  const int c = compare_terms(a, b, mode::exact);
  return c < 0   ? std::strong_ordering::less
         : c > 0 ? std::strong_ordering::greater
                 : std::strong_ordering::equal;
}

bool equal_numeric(const term& a, const term& b) noexcept {
  return a.raw_word() == b.raw_word() || compare_terms(a, b, mode::arithmetic) == 0;
}

int compare_numeric(const term& a, const term& b) noexcept {
  if (a.raw_word() == b.raw_word()) return 0;
  return compare_terms(a, b, mode::arithmetic);
}

namespace detail {

int compare_map_keys(const term& a, const term& b) noexcept {
  if (a.raw_word() == b.raw_word()) return 0;
  if (a.is_small() && b.is_small()) return a.small_value() < b.small_value() ? -1 : 1;
  return compare_terms(a, b, mode::map_key);
}

}  // namespace detail

}  // namespace otp
