#include "term/etf_map_order.hpp"

#include <utility>
#include <vector>

namespace otp::etf::detail {

int compare_map_keys(const term& a, const term& b) {
  // Pairs still to compare, the next one at the back. Tuples and lists are taken apart here so that
  // the integer-before-float rule applies to their elements; everything else is compared by term
  // order, where it agrees with erts' exact order.
  std::vector<std::pair<const term*, const term*>> todo{{&a, &b}};
  while (!todo.empty()) {
    auto [x, y] = todo.back();
    todo.pop_back();
    if (x->is_number() && y->is_number() && x->is_float() != y->is_float()) return x->is_float() ? 1 : -1;
    if (x->is_tuple() && y->is_tuple()) {
      const auto xs = x->tuple_elements();
      const auto ys = y->tuple_elements();
      if (xs.size() != ys.size()) return xs.size() < ys.size() ? -1 : 1;
      for (std::size_t i = xs.size(); i-- > 0;) todo.emplace_back(&xs[i], &ys[i]);
      continue;
    }
    if (x->is_cons() && y->is_cons()) {
      todo.emplace_back(&x->tail(), &y->tail());
      todo.emplace_back(&x->head(), &y->head());
      continue;
    }
    const auto order = *x <=> *y;
    if (order != 0) return order < 0 ? -1 : 1;
  }
  return 0;
}

}  // namespace otp::etf::detail
