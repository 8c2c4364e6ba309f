#pragma once
// Heap node layouts of otp::term (private to the term layer and its ETF codec).
//
// Every boxed term points at one of these structs; all start with detail::heap_node (count, kind,
// `small`). Nodes are immutable once published in a term. The codec may build a node with the
// new_*_node factories, fill it in, and wrap it with term::adopt() (the factories return a node
// whose count is already 1).
//
// Variable-size nodes (tuple, binary) keep their payload right after the struct, so a tuple or a
// binary is one allocation. They must be created by the factories below and are freed only by
// detail::destroy_node.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

#include <otp/term/term.hpp>

namespace otp::detail {

/// An integer outside the 63-bit immediate range. Invariant (kept by make_integer): the limbs
/// are little-endian, the top limb is nonzero, and the value does not fit a small integer.
struct bignum_node : heap_node {
  bool negative = false;
  std::vector<uint32_t> limbs;
  bignum_node() noexcept : heap_node(node_kind::bignum) {}
};

struct float_node : heap_node {
  double value;
  explicit float_node(double v) noexcept : heap_node(node_kind::float_), value(v) {}
};

/// A bitstring owning its bytes, stored right after the struct. `small` holds the number of
/// unused low-order bits of the last byte (0 for a binary), so bit size = size * 8 - small.
struct binary_node : heap_node {
  std::size_t size;  // bytes, including a partial last byte
  explicit binary_node(std::size_t n) noexcept : heap_node(node_kind::binary), size(n) {}
  char* data() noexcept { return reinterpret_cast<char*>(this + 1); }
  const char* data() const noexcept { return reinterpret_cast<const char*>(this + 1); }
};

/// A slice of a binary_node sharing its storage. `parent` is always a binary_node (a slice of a
/// slice points at the root), and holds one counted reference. `small` as in binary_node.
struct sub_binary_node : heap_node {
  binary_node* parent;
  std::size_t offset;  // bytes into parent
  std::size_t size;    // bytes, including a partial last byte
  sub_binary_node(binary_node* p, std::size_t off, std::size_t n) noexcept
      : heap_node(node_kind::sub_binary), parent(p), offset(off), size(n) {}
  const char* data() const noexcept { return parent->data() + offset; }
};

// tuple_node is in <otp/term/term.hpp>: element access is inline.

struct cons_node : heap_node {
  term head;
  term tail;
  cons_node(term h, term t) noexcept : heap_node(node_kind::cons), head(std::move(h)), tail(std::move(t)) {}
};

/// Entries sorted by key in map key order (compare_map_keys), keys unique.
struct map_node : heap_node {
  std::vector<std::pair<term, term>> entries;
  map_node() noexcept : heap_node(node_kind::map) {}
};

struct pid_node : heap_node {
  otp::pid value;
  explicit pid_node(const otp::pid& p) noexcept : heap_node(node_kind::pid), value(p) {}
};
struct port_node : heap_node {
  otp::port value;
  explicit port_node(const otp::port& p) noexcept : heap_node(node_kind::port), value(p) {}
};
struct ref_node : heap_node {
  otp::ref value;
  explicit ref_node(const otp::ref& r) noexcept : heap_node(node_kind::ref), value(r) {}
};

struct export_fun_node : heap_node {
  atom module;
  atom function;
  uint8_t arity;
  export_fun_node(atom m, atom f, uint8_t a) noexcept
      : heap_node(node_kind::export_fun), module(m), function(f), arity(a) {}
};

/// A closure from another node, kept as its NEW_FUN_EXT body (after the tag byte).
struct closure_node : heap_node {
  atom module;
  uint8_t arity;
  std::string body;
  closure_node(atom m, uint8_t a, std::string b)
      : heap_node(node_kind::closure), module(m), arity(a), body(std::move(b)) {}
};

struct opaque_node : heap_node {
  std::shared_ptr<void> object;
  const std::type_info* type;
  opaque_node(std::shared_ptr<void> o, const std::type_info& t) noexcept
      : heap_node(node_kind::opaque), object(std::move(o)), type(&t) {}
};

// ---- factories -------------------------------------------------------------------------------------
/// A tuple node of `arity` elements, each [] until the caller assigns it. Count is 1.
tuple_node* new_tuple_node(std::size_t arity);
/// A binary node of `size` bytes, uninitialised, with `unused_bits` (0..7) in the last byte.
binary_node* new_binary_node(std::size_t size, uint8_t unused_bits = 0);
/// An integer term from sign and little-endian 32-bit limbs: strips zero limbs and returns a
/// small integer when the value fits one.
term make_integer(bool negative, std::vector<uint32_t> limbs);

// ---- map key order ---------------------------------------------------------------------------------
/// <0, 0 or >0 as `a` sorts before, equal to, or after `b` as a map key: Erlang's exact order in
/// which any integer precedes any float, at every depth (the order erts keeps small maps in). It
/// is 0 exactly when a == b.
int compare_map_keys(const term& a, const term& b) noexcept;

// ---- access ---------------------------------------------------------------------------------------
/// The node of `t` as N; the caller has checked the kind.
template <class N>
const N* node_as(const term& t) noexcept {
  return static_cast<const N*>(t.node());
}

}  // namespace otp::detail
