// Classification of terms and the typed accessors (element, head, bytes, map_find, ...).

#include <algorithm>
#include <cmath>

#include "term/bignum.hpp"
#include "term/nodes.hpp"
#include "term/utf8.hpp"

namespace otp {
namespace {

// The throws are out of line and cold, so that the accessors stay small enough to inline (the
// message and gen_server paths call them for every message).
[[noreturn, gnu::noinline, gnu::cold]] void wrong_type(const char* wanted, const term& t) {
  throw bad_term_access(std::string("expected ") + wanted + ", got " + to_string(t));
}

[[noreturn, gnu::noinline, gnu::cold]] void index_out_of_range(std::size_t index) {
  throw bad_term_access("tuple index " + std::to_string(index) + " out of range");
}

}  // namespace

// ---- construction of boxed scalars -------------------------------------------------------------------

term::term(double value) : w_(nil_word) {
  if (!std::isfinite(value)) throw std::domain_error("NaN and infinity are not Erlang floats");
  *this = adopt(new detail::float_node(value));
}
term::term(const pid& p) : w_(nil_word) {
  if (p.serial < (uint32_t(1) << local_pid_serial_bits) && detail::is_set_local_node(p.node, p.creation)) {
    w_ = (uint64_t(p.serial) << 32 | p.id) << 3 | local_pid_tag;
    return;
  }
  *this = adopt(new detail::pid_node(p));
}
term::term(const ref& r) : w_(nil_word) { *this = adopt(new detail::ref_node(r)); }
term::term(const port& p) : w_(nil_word) { *this = adopt(new detail::port_node(p)); }

// ---- classification ----------------------------------------------------------------------------------

term_type term::type() const noexcept {
  if (is_small()) return term_type::integer;
  if (is_atom()) return term_type::atom;
  if (is_nil()) return term_type::nil;
  if ((w_ & 7) == local_pid_tag) return term_type::pid;
  switch (node()->kind) {
    case detail::node_kind::bignum:
      return term_type::integer;
    case detail::node_kind::float_:
      return term_type::float_;
    case detail::node_kind::binary:
    case detail::node_kind::sub_binary:
      return term_type::bitstring;
    case detail::node_kind::tuple:
      return term_type::tuple;
    case detail::node_kind::cons:
      return term_type::list;
    case detail::node_kind::map:
      return term_type::map;
    case detail::node_kind::pid:
      return term_type::pid;
    case detail::node_kind::port:
      return term_type::port;
    case detail::node_kind::ref:
    case detail::node_kind::opaque:
      return term_type::reference;  // opaques behave like NIF resources
    case detail::node_kind::export_fun:
    case detail::node_kind::closure:
      return term_type::fun;
  }
  return term_type::reference;
}

bool term::is_binary() const noexcept { return is_bitstring() && node()->small == 0; }

// ---- numbers and identifiers -------------------------------------------------------------------------

double term::as_float() const {
  if (!is_float()) wrong_type("a float", *this);
  return detail::node_as<detail::float_node>(*this)->value;
}

double term::as_number() const {
  if (is_float()) return detail::node_as<detail::float_node>(*this)->value;
  if (is_integer()) return detail::integer_to_double(*this);
  wrong_type("a number", *this);
}

atom term::as_atom() const {
  if (!is_atom()) wrong_type("an atom", *this);
  return atom::from_index(uint32_t(w_ >> 3));
}

pid term::as_pid() const {
  if ((w_ & 7) == local_pid_tag) {
    const local_node_info here = local_node();
    const uint64_t number = w_ >> 3;
    return pid{here.name, uint32_t(number), uint32_t(number >> 32), here.creation};
  }
  if (!is_pid()) wrong_type("a pid", *this);
  return detail::node_as<detail::pid_node>(*this)->value;
}
ref term::as_ref() const {
  if (!is_ref()) wrong_type("a reference", *this);
  return detail::node_as<detail::ref_node>(*this)->value;
}
port term::as_port() const {
  if (!is_port()) wrong_type("a port", *this);
  return detail::node_as<detail::port_node>(*this)->value;
}

// ---- tuples and lists --------------------------------------------------------------------------------

void detail::throw_not_a_tuple(const term& t) { wrong_type("a tuple", t); }

void detail::throw_tuple_index(std::size_t index) { index_out_of_range(index); }

std::span<const term> term::tuple_elements() const {
  const std::size_t n = tuple_size();
  return {detail::node_as<detail::tuple_node>(*this)->elements(), n};
}

const term& term::head() const {
  if (!is_cons()) wrong_type("a non-empty list", *this);
  return detail::node_as<detail::cons_node>(*this)->head;
}
const term& term::tail() const {
  if (!is_cons()) wrong_type("a non-empty list", *this);
  return detail::node_as<detail::cons_node>(*this)->tail;
}

std::optional<std::size_t> term::list_length() const noexcept {
  std::size_t n = 0;
  const term* t = this;
  while (t->is_cons()) {
    ++n;
    t = &detail::node_as<detail::cons_node>(*t)->tail;
  }
  if (!t->is_nil()) return std::nullopt;
  return n;
}

std::vector<term> term::list_elements() const {
  const auto n = list_length();
  if (!n) wrong_type("a proper list", *this);
  std::vector<term> out;
  out.reserve(*n);
  for (const term* t = this; t->is_cons(); t = &detail::node_as<detail::cons_node>(*t)->tail)
    out.push_back(detail::node_as<detail::cons_node>(*t)->head);
  return out;
}

// ---- bitstrings --------------------------------------------------------------------------------------

std::string_view term::bytes() const {
  if (is_node(detail::node_kind::binary)) {
    const auto* b = detail::node_as<detail::binary_node>(*this);
    return {b->data(), b->size};
  }
  if (is_node(detail::node_kind::sub_binary)) {
    const auto* s = detail::node_as<detail::sub_binary_node>(*this);
    return {s->data(), s->size};
  }
  wrong_type("a bitstring", *this);
}

std::size_t term::bit_size() const { return bytes().size() * 8 - node()->small; }

// ---- maps --------------------------------------------------------------------------------------------

std::size_t term::map_size() const { return map_entries().size(); }

std::span<const std::pair<term, term>> term::map_entries() const {
  if (!is_map()) wrong_type("a map", *this);
  return detail::node_as<detail::map_node>(*this)->entries;
}

const term* term::map_find(const term& key) const {
  const auto entries = map_entries();
  auto it = std::lower_bound(
      entries.begin(), entries.end(), key,
      [](const std::pair<term, term>& e, const term& k) { return detail::compare_map_keys(e.first, k) < 0; });
  if (it == entries.end() || !(it->first == key)) return nullptr;
  return &it->second;
}

// ---- text --------------------------------------------------------------------------------------------

std::optional<std::string> term::to_text() const {
  if (is_binary()) return std::string(bytes());
  if (!is_list()) return std::nullopt;
  std::string out;
  const term* t = this;
  for (; t->is_cons(); t = &detail::node_as<detail::cons_node>(*t)->tail) {
    const term& h = detail::node_as<detail::cons_node>(*t)->head;
    if (!h.is_small() || h.small_value() < 0 || h.small_value() > 0x10FFFF ||
        !detail::is_scalar(uint32_t(h.small_value())))
      return std::nullopt;
    detail::append_utf8(out, uint32_t(h.small_value()));
  }
  if (!t->is_nil()) return std::nullopt;
  return out;
}

// ---- opaque objects ----------------------------------------------------------------------------------

void* term::opaque_ptr(const std::type_info& type) const noexcept {
  if (!is_opaque()) return nullptr;
  const auto* o = detail::node_as<detail::opaque_node>(*this);
  return *o->type == type ? o->object.get() : nullptr;
}

}  // namespace otp
