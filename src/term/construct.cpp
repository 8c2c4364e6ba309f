// Constructors of compound terms: tuples, lists, maps, binaries, strings, funs and opaques.

#include <algorithm>
#include <cstring>

#include "term/nodes.hpp"
#include "term/utf8.hpp"

namespace otp {

term make_tuple(std::span<const term> elements) {
  auto* t = detail::new_tuple_node(elements.size());
  for (std::size_t i = 0; i < elements.size(); ++i) t->elements()[i] = elements[i];
  return term::adopt(t);
}

term detail::make_tuple_moving(std::span<term> elements) {
  auto* t = detail::new_unfilled_tuple_node(elements.size());
  // A move takes the word and leaves []: no reference count changes hands.
  for (std::size_t i = 0; i < elements.size(); ++i) ::new (t->elements() + i) term(std::move(elements[i]));
  return term::adopt(t);
}

term cons(term head, term tail) {
  return term::adopt(new detail::cons_node(std::move(head), std::move(tail)));
}

term make_list(std::span<const term> elements, term tail) {
  term out = std::move(tail);
  for (std::size_t i = elements.size(); i-- > 0;) out = cons(elements[i], std::move(out));
  return out;
}

term make_map(std::vector<std::pair<term, term>> entries) {
  // Keys go in map key order (integers before floats), the order Erlang prints and encodes them in.
  // A stable sort keeps repeated keys in input order, so keeping the last of each run makes the
  // last value win, as maps:from_list/1 does.
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return detail::compare_map_keys(a.first, b.first) < 0;
  });
  auto* m = new detail::map_node();
  term owner = term::adopt(m);  // frees the node if an allocation below throws
  m->entries.reserve(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (i + 1 < entries.size() && entries[i].first == entries[i + 1].first) continue;
    m->entries.push_back(std::move(entries[i]));
  }
  return owner;
}

term binary(std::string_view bytes) { return bitstring(bytes, bytes.size() * 8); }

term binary(std::span<const std::byte> bytes) {
  return binary(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

term bitstring(std::string_view bytes, std::size_t bit_count) {
  if (bit_count > bytes.size() * 8) throw std::out_of_range("bitstring: more bits than bytes hold");
  const std::size_t n = (bit_count + 7) / 8;
  const auto unused = uint8_t(n * 8 - bit_count);
  auto* b = detail::new_binary_node(n, unused);
  if (n) std::memcpy(b->data(), bytes.data(), n);
  // Clear the unused low bits so that equal bitstrings have equal bytes.
  if (unused) b->data()[n - 1] = char(uint8_t(b->data()[n - 1]) & uint8_t(0xFF << unused));
  return term::adopt(b);
}

term sub_binary(const term& bin, std::size_t byte_offset, std::size_t byte_length) {
  if (!bin.is_binary()) throw bad_term_access("sub_binary: not a binary");
  const std::string_view all = bin.bytes();
  if (byte_offset > all.size() || byte_length > all.size() - byte_offset)
    throw std::out_of_range("sub_binary: slice out of range");
  detail::binary_node* root;
  std::size_t base = 0;
  if (bin.node()->kind == detail::node_kind::sub_binary) {
    const auto* s = detail::node_as<detail::sub_binary_node>(bin);
    root = s->parent;
    base = s->offset;
  } else {
    root = static_cast<detail::binary_node*>(bin.node());
  }
  root->refs.fetch_add(1, std::memory_order_relaxed);
  return term::adopt(new detail::sub_binary_node(root, base + byte_offset, byte_length));
}

term string(std::string_view text) {
  std::vector<term> chars;
  chars.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto cp = detail::next_code_point(text, pos);
    // Invalid UTF-8 bytes are taken as Latin-1 characters rather than rejected.
    if (!cp) cp = uint8_t(text[pos++]);
    chars.emplace_back(int64_t(*cp));
  }
  return make_list(chars);
}

term export_fun(atom module, atom function, uint8_t arity) {
  return term::adopt(new detail::export_fun_node(module, function, arity));
}

term closure(atom module, uint8_t arity, std::string_view encoded_body) {
  return term::adopt(new detail::closure_node(module, arity, std::string(encoded_body)));
}

fun_info fun_of(const term& f) {
  if (!f.is_fun()) throw bad_term_access("fun_of: not a fun");
  fun_info info;
  if (f.node()->kind == detail::node_kind::export_fun) {
    const auto* e = detail::node_as<detail::export_fun_node>(f);
    info.is_export = true;
    info.module = e->module;
    info.function = e->function;
    info.arity = e->arity;
  } else {
    const auto* c = detail::node_as<detail::closure_node>(f);
    info.module = c->module;
    info.arity = c->arity;
    info.encoded_body = c->body;
  }
  return info;
}

namespace detail {
term make_opaque_term(std::shared_ptr<void> object, const std::type_info& type) {
  return term::adopt(new opaque_node(std::move(object), type));
}
}  // namespace detail

}  // namespace otp
