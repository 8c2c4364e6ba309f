#pragma once
// otp::patterns — Erlang-style pattern matching on terms, for receive clauses and handle_call.
// (The namespace is not called `match` so that `using namespace otp;` together with
// `using namespace otp::patterns;` leaves the function name match() unambiguous.)
//
//   using namespace otp::patterns;
//   int64_t n; otp::pid from; otp::term rest;
//   if (match(msg, tuple_of("add"_a, bind(n), _))) ...            // {add, N, _}
//   if (match(msg, tuple_of(atoms::EXIT, bind(from), bind(rest)))) // {'EXIT', From, Rest}
//   if (match(msg, list_of(1, 2, tail(bind(rest))))) ...           // [1, 2 | Rest]
//   if (match(msg, map_with("name"_a, bind(text)))) ...            // #{name := Text}
//   auto is_reply = pattern(tuple_of("reply"_a, is<otp::ref>, _)); // a predicate: is_reply(msg)
//
// Patterns:
//  * a literal: any value convertible to otp::term (an atom, an integer, a term, a pid, ...),
//    compared exactly (=:=, so 1 does not match 1.0). A `const char*` is rejected at compile time,
//    because it could mean an atom, a string or a binary: write "x"_a, otp::string("x") or
//    otp::binary("x").
//  * `_` matches anything.
//  * bind(x) matches a term that fits x's type and stores it in x:
//      otp::term (anything), any integer type (an integer in its range), double (a float or an
//      integer, by value), bool (true/false), otp::atom, otp::pid, otp::ref, otp::port,
//      std::string (a binary, or a list of code points, as UTF-8), std::vector<otp::term> (a
//      proper list).
//    bind(x, p) stores the term in x only if it also matches pattern p (Erlang's X = P).
//  * is<T> matches what bind would accept for a T, without storing it.
//  * tuple_of(p...) matches a tuple of exactly that size; list_of(p...) a proper list of exactly
//    those elements, or, when the last pattern is tail(p), at least the others followed by a rest
//    that matches p; map_with(key, p) a map holding `key` with a value matching p; all_of(p...)
//    a term matching every p.
//
// Bindings are written only when the whole pattern matches: match() first checks, then binds.
// If one variable is bound twice in a pattern, the last binding wins (no equality check, unlike
// Erlang). Patterns hold references to bound variables: keep them alive while the pattern is used.
//
// Thread safety: a pattern is immutable; matching writes only the bound variables.

#include <concepts>
#include <cstdint>
#include <limits>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <otp/term/term.hpp>

namespace otp::patterns {

namespace detail {
/// Base of every pattern type, so that a value can be told apart from a pattern.
struct pattern_base {};
template <class P>
concept pattern_type = std::is_base_of_v<pattern_base, std::remove_cvref_t<P>>;

// ---- what a binding to T accepts ----------------------------------------------------------------------
template <class T>
struct binder;  // specialised below: static bool fits(const term&); static void store(const term&, T&)

template <>
struct binder<term> {
  static bool fits(const term&) noexcept { return true; }
  static void store(const term& t, term& out) { out = t; }
};
template <std::integral I>
requires(!std::same_as<I, bool>) struct binder<I> {
  static bool fits(const term& t) noexcept {
    const auto v = t.to_int64();
    if (!v) {
      // Only uint64_t can hold an integer that int64_t cannot.
      if constexpr (std::same_as<I, uint64_t> || std::same_as<I, unsigned long long> ||
                    std::same_as<I, unsigned long>)
        return t.is_integer() && !(t < term(0)) && !(term(std::numeric_limits<I>::max()) < t);
      return false;
    }
    if constexpr (std::is_signed_v<I>) {
      return *v >= int64_t(std::numeric_limits<I>::min()) && *v <= int64_t(std::numeric_limits<I>::max());
    } else {
      return *v >= 0 && uint64_t(*v) <= uint64_t(std::numeric_limits<I>::max());
    }
  }
  static void store(const term& t, I& out) {
    if (const auto v = t.to_int64()) {
      out = I(*v);
    } else {
      // An unsigned value above INT64_MAX: rebuild it from its magnitude bytes.
      uint64_t m = 0;
      const auto bytes = integer_magnitude(t, nullptr);
      for (std::size_t k = bytes.size(); k-- > 0;) m = m << 8 | bytes[k];
      out = I(m);
    }
  }
};
template <>
struct binder<bool> {
  static bool fits(const term& t) noexcept { return t.is_boolean(); }
  static void store(const term& t, bool& out) { out = t.is_atom(atoms::true_); }
};
template <>
struct binder<double> {
  static bool fits(const term& t) noexcept { return t.is_number(); }
  static void store(const term& t, double& out) { out = t.as_number(); }
};
template <>
struct binder<atom> {
  static bool fits(const term& t) noexcept { return t.is_atom(); }
  static void store(const term& t, atom& out) { out = t.as_atom(); }
};
template <>
struct binder<pid> {
  static bool fits(const term& t) noexcept { return t.is_pid(); }
  static void store(const term& t, pid& out) { out = t.as_pid(); }
};
template <>
struct binder<ref> {
  static bool fits(const term& t) noexcept { return t.is_ref(); }
  static void store(const term& t, ref& out) { out = t.as_ref(); }
};
template <>
struct binder<port> {
  static bool fits(const term& t) noexcept { return t.is_port(); }
  static void store(const term& t, port& out) { out = t.as_port(); }
};
template <>
struct binder<std::string> {
  static bool fits(const term& t) noexcept {
    return t.is_binary() || (t.is_list() && t.to_text().has_value());
  }
  static void store(const term& t, std::string& out) { out = *t.to_text(); }
};
template <>
struct binder<std::vector<term>> {
  static bool fits(const term& t) noexcept { return t.list_length().has_value(); }
  static void store(const term& t, std::vector<term>& out) { out = t.list_elements(); }
};
template <class T>
concept bindable = requires(const term& t, T& out) {
  { binder<T>::fits(t) } -> std::same_as<bool>;
  binder<T>::store(t, out);
};

// ---- pattern kinds ---------------------------------------------------------------------------------
// Each pattern has test(t) (no side effects) and bind(t) (called only after test(t) succeeded).

struct wildcard : pattern_base {
  bool test(const term&) const noexcept { return true; }
  void bind(const term&) const noexcept {}
};

struct literal : pattern_base {
  term value;
  bool test(const term& t) const noexcept { return t == value; }
  void bind(const term&) const noexcept {}
};

template <class T>
struct type_test : pattern_base {
  bool test(const term& t) const noexcept { return binder<T>::fits(t); }
  void bind(const term&) const noexcept {}
};

template <class T, class P = wildcard>
struct binding : pattern_base {
  T* target;
  P inner;
  bool test(const term& t) const { return binder<T>::fits(t) && inner.test(t); }
  void bind(const term& t) const {
    inner.bind(t);
    binder<T>::store(t, *target);
  }
};

template <class P>
struct tail_pattern : pattern_base {
  P inner;
  bool test(const term& t) const { return inner.test(t); }
  void bind(const term& t) const { inner.bind(t); }
};
template <class P>
inline constexpr bool is_tail = false;
template <class P>
inline constexpr bool is_tail<tail_pattern<P>> = true;

template <class... Ps>
struct tuple_pattern : pattern_base {
  std::tuple<Ps...> parts;
  bool test(const term& t) const {
    if (!t.is_tuple(sizeof...(Ps))) return false;
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return (std::get<I>(parts).test(t.element(I)) && ...);
    }
    (std::index_sequence_for<Ps...>{});
  }
  void bind(const term& t) const {
    [&]<std::size_t... I>(std::index_sequence<I...>) { (std::get<I>(parts).bind(t.element(I)), ...); }
    (std::index_sequence_for<Ps...>{});
  }
};

template <class... Ps>
struct list_pattern : pattern_base {
  std::tuple<Ps...> parts;
  static constexpr std::size_t count = sizeof...(Ps);
  static constexpr bool has_tail = [] {
    if constexpr (count == 0) {
      return false;
    } else {
      return is_tail<std::tuple_element_t<count - 1, std::tuple<Ps...>>>;
    }
  }();

  // Calls f(part, subterm) for each part in order, stopping at the first false; false if the list
  // shape does not fit.
  template <class F>
  bool walk(const term& t, F&& f) const {
    const term* cur = &t;
    bool ok = true;
    [&]<std::size_t... I>(std::index_sequence<I...>) { ((ok = ok && step<I>(cur, f)), ...); }
    (std::index_sequence_for<Ps...>{});
    return ok && (has_tail || cur->is_nil());
  }
  template <std::size_t I, class F>
  bool step(const term*& cur, F& f) const {
    const auto& part = std::get<I>(parts);
    static_assert(!is_tail<std::tuple_element_t<I, std::tuple<Ps...>>> || I == count - 1,
                  "tail(...) must be the last argument of list_of");
    if constexpr (has_tail && I == count - 1) {
      return f(part, *cur);
    } else {
      if (!cur->is_cons()) return false;
      if (!f(part, cur->head())) return false;
      cur = &cur->tail();
      return true;
    }
  }
  bool test(const term& t) const {
    return walk(t, [](const auto& p, const term& sub) { return p.test(sub); });
  }
  void bind(const term& t) const {
    walk(t, [](const auto& p, const term& sub) {
      p.bind(sub);
      return true;
    });
  }
};

template <class P>
struct map_pattern : pattern_base {
  term key;
  P inner;
  bool test(const term& t) const {
    if (!t.is_map()) return false;
    const term* v = t.map_find(key);
    return v && inner.test(*v);
  }
  void bind(const term& t) const { inner.bind(*t.map_find(key)); }
};

template <class... Ps>
struct all_pattern : pattern_base {
  std::tuple<Ps...> parts;
  bool test(const term& t) const {
    return std::apply([&](const auto&... p) { return (p.test(t) && ...); }, parts);
  }
  void bind(const term& t) const {
    std::apply([&](const auto&... p) { (p.bind(t), ...); }, parts);
  }
};

/// A pattern from a pattern or a literal value.
template <class X>
auto to_pattern(X&& x) {
  using D = std::remove_cvref_t<X>;
  if constexpr (pattern_type<D>) {
    return D(std::forward<X>(x));
  } else {
    static_assert(!std::is_same_v<std::decay_t<X>, const char*> && !std::is_same_v<std::decay_t<X>, char*>,
                  "a string literal is ambiguous in a pattern: write \"x\"_a, otp::string(\"x\") or "
                  "otp::binary(\"x\")");
    static_assert(std::is_constructible_v<term, X&&>, "a pattern element must be a pattern or a term value");
    return literal{{}, term(std::forward<X>(x))};
  }
}
template <class X>
using pattern_of = decltype(to_pattern(std::declval<X>()));

}  // namespace detail

// ---- the vocabulary ----------------------------------------------------------------------------------

/// Matches anything (Erlang's _).
inline constexpr detail::wildcard _{};

/// Matches a term that fits T (see the header comment) without binding it: is<otp::atom>.
template <class T>
requires detail::bindable<T>
inline constexpr detail::type_test<T> is{};

/// Binds `target` to the matched term (which must fit its type).
template <class T>
requires detail::bindable<T> detail::binding<T> bind(T& target) { return {{}, &target, {}}; }
/// Binds `target` to the matched term if it also matches `inner` (Erlang's Target = Inner).
template <class T, class P>
requires detail::bindable<T> detail::binding<T, detail::pattern_of<P>> bind(T& target, P&& inner) {
  return {{}, &target, detail::to_pattern(std::forward<P>(inner))};
}

/// A tuple of exactly these elements.
template <class... Ps>
detail::tuple_pattern<detail::pattern_of<Ps>...> tuple_of(Ps&&... parts) {
  return {{}, {detail::to_pattern(std::forward<Ps>(parts))...}};
}

/// The rest of a list, for the last argument of list_of (Erlang's | Tail).
template <class P>
detail::tail_pattern<detail::pattern_of<P>> tail(P&& rest) {
  return {{}, detail::to_pattern(std::forward<P>(rest))};
}

/// A proper list of exactly these elements, or with tail(p) last, these elements then a rest.
template <class... Ps>
detail::list_pattern<detail::pattern_of<Ps>...> list_of(Ps&&... parts) {
  return {{}, {detail::to_pattern(std::forward<Ps>(parts))...}};
}

/// A map holding `key` (compared exactly) with a value that matches `value`.
template <class K, class P>
detail::map_pattern<detail::pattern_of<P>> map_with(K&& key, P&& value) {
  return {{}, term(std::forward<K>(key)), detail::to_pattern(std::forward<P>(value))};
}

/// A term that matches every one of `parts` (e.g. two map_with on one map).
template <class... Ps>
detail::all_pattern<detail::pattern_of<Ps>...> all_of(Ps&&... parts) {
  return {{}, {detail::to_pattern(std::forward<Ps>(parts))...}};
}

/// Matches `t` against pattern `p`; on success writes its bindings and returns true, otherwise
/// returns false and leaves every bound variable untouched.
template <class P>
bool match(const term& t, const P& p) {
  if constexpr (detail::pattern_type<P>) {
    if (!p.test(t)) return false;
    p.bind(t);
    return true;
  } else {
    return match(t, detail::to_pattern(p));
  }
}

/// A predicate for selective receive: pattern(p)(msg) is match(msg, p).
template <class P>
class predicate {
 public:
  explicit predicate(P p) : p_(std::move(p)) {}
  bool operator()(const term& t) const { return match(t, p_); }

 private:
  P p_;
};
template <class P>
predicate<detail::pattern_of<P>> pattern(P&& p) {
  return predicate<detail::pattern_of<P>>(detail::to_pattern(std::forward<P>(p)));
}

}  // namespace otp::patterns
