// Allocation and destruction of heap nodes.
//
// Destruction never recurses: a list of ten million cells, or a deeply nested tuple, must be
// freeable from a 64 KiB fiber stack. A node's children are released by hand; those whose count
// drops to zero go on a worklist that the loop drains.

#include "term/nodes.hpp"

#include <new>

#include "term/small_alloc.hpp"
#include "term/small_stack.hpp"

namespace otp::detail {

void* heap_node::operator new(std::size_t size) { return small_allocate(size); }

void heap_node::operator delete(void* p, std::size_t size) noexcept { small_deallocate(p, size); }

namespace {

using worklist = small_stack<heap_node*, 32>;

// Gives up the reference `child` holds; `child` itself is left as it is, so the node holding it
// must then be freed without running ~term on it (which would give the reference up again).
[[gnu::always_inline]] inline void drop(const term& child, worklist& work) noexcept {
  if (child.is_boxed() && drop_reference(child.node())) work.push(child.node());
}

// The same for a term whose destructor will run: it is left as [].
void drop_and_clear(term& child, worklist& work) noexcept {
  drop(child, work);
  alignas(term) unsigned char sink[sizeof(term)];
  ::new (sink) term(std::move(child));
}

void drop_node(heap_node* n, worklist& work) noexcept {
  if (drop_reference(n)) work.push(n);
}

// Frees one node; children that die are appended to `work`. Inlined into destroy_node's loop: a
// message is several nodes freed in a row, and a call per node was a fifth of freeing them.
[[gnu::always_inline]] inline void free_one(heap_node* n, worklist& work) noexcept {
  switch (n->kind) {
    case node_kind::tuple: {
      auto* t = static_cast<tuple_node*>(n);
      for (std::size_t i = 0; i < t->arity; ++i) drop(t->elements()[i], work);
      // The elements' references are given up: their destructors must not run.
      const std::size_t bytes = sizeof(tuple_node) + t->arity * sizeof(term);
      t->~tuple_node();
      heap_node::operator delete(t, bytes);
      return;
    }
    case node_kind::binary: {
      auto* b = static_cast<binary_node*>(n);
      const std::size_t bytes = sizeof(binary_node) + b->size;
      b->~binary_node();
      heap_node::operator delete(b, bytes);
      return;
    }
    case node_kind::cons: {
      auto* c = static_cast<cons_node*>(n);
      drop(c->head, work);
      drop(c->tail, work);
      // As for a tuple: head and tail gave up their references, so no destructor runs.
      heap_node::operator delete(c, sizeof(cons_node));
      return;
    }
    case node_kind::map: {
      auto* m = static_cast<map_node*>(n);
      for (auto& [k, v] : m->entries) {
        drop_and_clear(k, work);
        drop_and_clear(v, work);
      }
      delete m;
      return;
    }
    case node_kind::sub_binary: {
      auto* s = static_cast<sub_binary_node*>(n);
      drop_node(s->parent, work);
      delete s;
      return;
    }
    case node_kind::bignum:
      delete static_cast<bignum_node*>(n);
      return;
    case node_kind::float_:
      delete static_cast<float_node*>(n);
      return;
    case node_kind::pid:
      delete static_cast<pid_node*>(n);
      return;
    case node_kind::port:
      delete static_cast<port_node*>(n);
      return;
    case node_kind::ref:
      delete static_cast<ref_node*>(n);
      return;
    case node_kind::export_fun:
      delete static_cast<export_fun_node*>(n);
      return;
    case node_kind::closure:
      delete static_cast<closure_node*>(n);
      return;
    case node_kind::opaque:
      delete static_cast<opaque_node*>(n);
      return;
  }
}

}  // namespace

void destroy_node(heap_node* node) noexcept {
  worklist work;
  for (;;) {
    free_one(node, work);
    if (work.empty()) return;
    node = work.pop();
  }
}

tuple_node* new_tuple_node(std::size_t arity) {
  auto* t = new_unfilled_tuple_node(arity);
  for (std::size_t i = 0; i < arity; ++i) ::new (t->elements() + i) term();
  return t;
}

binary_node* new_binary_node(std::size_t size, uint8_t unused_bits) {
  void* mem = heap_node::operator new(sizeof(binary_node) + size);
  auto* b = ::new (mem) binary_node(size);
  b->small = size == 0 ? 0 : uint8_t(unused_bits & 7);
  return b;
}

}  // namespace otp::detail
