#pragma once
// otp::term — any Erlang term: the value every message, reason and state in OTP++ is made of.
//
// A term is one machine word. Small integers (63-bit), atoms and [] are stored in the word itself;
// everything else (big integers, floats, binaries, tuples, list cells, maps, pids, refs, ports, funs
// and opaque C++ objects) lives in an immutable heap node shared by an atomic reference count.
// Copying a term never copies its contents, so sending a term to a local process is one increment.
//
// Erlang semantics carried over:
//  * Term order: number < atom < reference < fun < port < pid < tuple < map < [] < list < bitstring.
//    `operator<=>` is the total order of `=:=` (exact: 1 and 1.0 differ, the integer first);
//    `otp::equal_numeric`/`otp::compare_numeric` are Erlang's `==`/`<` where 1 == 1.0.
//  * Map key order: a map keeps its keys (map_entries) in Erlang's map key order, where any integer
//    sorts before any float at every depth (#{1.0 => a, 2 => b} holds 2 first), and maps compare
//    their keys in that order. Elsewhere numbers stay ordered by value (1 < 1.5 < 2), since
//    Erlang's `<` is arithmetic; so `operator<=>` keeps value order outside map keys.
//  * Strings are lists of code points (otp::string); Elixir strings are binaries (otp::binary).
//  * Opaque C++ objects (otp::make_opaque) behave like NIF resources: ordered as references,
//    local to this node; encoding one to ETF fails with a clear error.
//
// Thread safety: a term is immutable; distinct term objects sharing contents may be used from
// different threads concurrently. A single term object follows the usual rules (no concurrent
// writes).

#include <atomic>
#include <compare>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <typeinfo>
#include <utility>
#include <vector>

#include <otp/expected.hpp>
#include <otp/term/atom.hpp>
#include <otp/term/identifiers.hpp>

namespace otp {

/// The kind of a term, listed in Erlang's term order.
enum class term_type : uint8_t {
  integer,
  float_,
  atom,
  reference,
  fun,
  port,
  pid,
  tuple,
  map,
  nil,
  list,
  bitstring
};

/// Thrown by accessors used on a term of the wrong type (a C++ program error, like Erlang's badarg).
class bad_term_access : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

class term;

namespace detail {
/// What kind of heap node a boxed term points to (finer than term_type).
enum class node_kind : uint8_t {
  bignum,
  float_,
  binary,
  sub_binary,
  tuple,
  cons,
  map,
  pid,
  port,
  ref,
  export_fun,
  closure,
  opaque
};
/// Common header of every heap node. Nodes are created and destroyed in src/term only.
struct heap_node {
  std::atomic<uint32_t> refs{1};
  node_kind kind;
  uint8_t small = 0;  // per-kind use (e.g. unused bits in the last byte of a bitstring)
  uint16_t pad = 0;
  explicit heap_node(node_kind k) noexcept : kind(k) {}

  // Nodes come from per-thread caches of small blocks (src/term/nodes.cpp); the size is that of
  // the whole node, trailing elements or bytes included.
  static void* operator new(std::size_t size);
  static void operator delete(void* p, std::size_t size) noexcept;
};
/// A tuple; its elements are stored right after the struct. Here rather than with the other
/// layouts (src/term/nodes.hpp) because element access is inline: every receive pattern and
/// every gen_server message tests a tuple's size and elements.
struct tuple_node : heap_node {
  std::size_t arity;
  explicit tuple_node(std::size_t n) noexcept : heap_node(node_kind::tuple), arity(n) {}
  term* elements() noexcept { return reinterpret_cast<term*>(this + 1); }
  const term* elements() const noexcept { return reinterpret_cast<const term*>(this + 1); }
};
static_assert(sizeof(tuple_node) % alignof(uint64_t) == 0);
[[noreturn]] void throw_not_a_tuple(const term& t);
[[noreturn]] void throw_tuple_index(std::size_t index);
void destroy_node(heap_node* node) noexcept;  // frees a node whose count reached zero (iteratively)
/// Gives up one counted reference; true if it was the last. The sole owner (count 1) needs no
/// read-modify-write: nobody else can be copying or dropping the node at the same time.
inline bool drop_reference(heap_node* n) noexcept {
  return n->refs.load(std::memory_order_acquire) == 1 || n->refs.fetch_sub(1, std::memory_order_acq_rel) == 1;
}
}  // namespace detail

class term {
 public:
  // ---- construction ------------------------------------------------------------------------------
  /// [] (the empty list): a term always holds a valid value.
  constexpr term() noexcept : w_(nil_word) {}
  template <std::integral I>
  requires(!std::same_as<I, bool>) term(I value) : term(from_int(value)) {}
  /// true/false atoms.
  template <std::same_as<bool> B>
  term(B value) noexcept : term(value ? atoms::true_ : atoms::false_) {}
  term(double value);  // throws std::domain_error for NaN or infinity (not Erlang floats)
  constexpr term(atom a) noexcept : w_((uint64_t(a.index()) << 3) | atom_tag) {}
  term(const pid& p);
  term(const ref& r);
  term(const port& p);

  term(const term& o) noexcept : w_(o.w_) { retain(); }
  term(term&& o) noexcept : w_(std::exchange(o.w_, nil_word)) {}
  term& operator=(const term& o) noexcept {
    term(o).swap(*this);
    return *this;
  }
  term& operator=(term&& o) noexcept {
    term(std::move(o)).swap(*this);
    return *this;
  }
  [[gnu::always_inline]] ~term() { release(); }
  void swap(term& o) noexcept { std::swap(w_, o.w_); }

  // ---- classification ----------------------------------------------------------------------------
  term_type type() const noexcept;
  bool is_integer() const noexcept { return is_small() || is_node(detail::node_kind::bignum); }
  bool is_small() const noexcept { return (w_ & 1) == 1; }  // fits the 63-bit immediate
  bool is_float() const noexcept { return is_node(detail::node_kind::float_); }
  bool is_number() const noexcept { return is_integer() || is_float(); }
  bool is_atom() const noexcept { return (w_ & 7) == atom_tag; }
  bool is_atom(atom a) const noexcept { return w_ == term(a).w_; }
  bool is_boolean() const noexcept { return is_atom(atoms::true_) || is_atom(atoms::false_); }
  bool is_nil() const noexcept { return w_ == nil_word; }
  bool is_cons() const noexcept { return is_node(detail::node_kind::cons); }
  bool is_list() const noexcept { return is_nil() || is_cons(); }  // proper or not, like is_list/1
  bool is_tuple() const noexcept { return is_node(detail::node_kind::tuple); }
  bool is_tuple(std::size_t arity) const noexcept { return is_tuple() && tuple_size() == arity; }
  bool is_map() const noexcept { return is_node(detail::node_kind::map); }
  bool is_bitstring() const noexcept {
    return is_node(detail::node_kind::binary) || is_node(detail::node_kind::sub_binary);
  }
  bool is_binary() const noexcept;  // a bitstring with a whole number of bytes
  bool is_pid() const noexcept { return (w_ & 7) == local_pid_tag || is_node(detail::node_kind::pid); }
  bool is_ref() const noexcept { return is_node(detail::node_kind::ref); }
  bool is_port() const noexcept { return is_node(detail::node_kind::port); }
  bool is_fun() const noexcept {
    return is_node(detail::node_kind::export_fun) || is_node(detail::node_kind::closure);
  }
  bool is_opaque() const noexcept { return is_node(detail::node_kind::opaque); }

  // ---- access (each throws bad_term_access on the wrong type) -------------------------------------
  /// The integer value if it fits int64_t (small or big), else nullopt / throws.
  std::optional<int64_t> to_int64() const noexcept;
  int64_t as_int() const;
  double as_float() const;
  /// Numeric value as a double (integer or float).
  double as_number() const;
  atom as_atom() const;
  pid as_pid() const;
  ref as_ref() const;
  port as_port() const;

  std::size_t tuple_size() const {
    if (!is_tuple()) [[unlikely]]
      detail::throw_not_a_tuple(*this);
    return static_cast<const detail::tuple_node*>(node())->arity;
  }
  const term& element(std::size_t index) const {  // 0-based (Erlang's element/2 is 1-based)
    if (index >= tuple_size()) [[unlikely]]
      detail::throw_tuple_index(index);
    return static_cast<const detail::tuple_node*>(node())->elements()[index];
  }
  const term& operator[](std::size_t index) const { return element(index); }
  std::span<const term> tuple_elements() const;

  const term& head() const;  // of a cons cell
  const term& tail() const;
  /// Number of elements of a proper list; nullopt for an improper list or a non-list.
  std::optional<std::size_t> list_length() const noexcept;
  /// Elements of a proper list (throws bad_term_access for anything else).
  std::vector<term> list_elements() const;

  /// The bytes of a bitstring (for a non-binary bitstring, the last byte holds the trailing bits
  /// in its high-order bits, as on the wire).
  std::string_view bytes() const;
  std::size_t bit_size() const;

  std::size_t map_size() const;
  /// The value stored under `key` (exact match, as map keys compare), or nullptr.
  const term* map_find(const term& key) const;
  /// Entries in map key order (Erlang's: term order, but every integer before every float).
  std::span<const std::pair<term, term>> map_entries() const;

  /// For a list of code points or a binary: its UTF-8 text; nullopt otherwise.
  std::optional<std::string> to_text() const;

  // ---- opaque C++ objects --------------------------------------------------------------------------
  /// The object if this term is an opaque holding exactly a T, else nullptr.
  template <class T>
  T* opaque_get() const noexcept {
    return static_cast<T*>(opaque_ptr(typeid(T)));
  }

  // ---- comparison and hashing ----------------------------------------------------------------------
  /// Exact equality (=:=).
  friend bool operator==(const term& a, const term& b) noexcept {
    return a.w_ == b.w_ || (a.is_boxed() && b.is_boxed() && equal_slow(a, b));
  }
  /// Erlang's term order, total and consistent with ==.
  friend std::strong_ordering operator<=>(const term& a, const term& b) noexcept;
  /// A hash consistent with == (equal terms hash equal, on every node of this build).
  std::size_t hash() const noexcept;

  // ---- low-level (codec and runtime internals) ------------------------------------------------------
  bool is_boxed() const noexcept { return (w_ & 7) == 0; }
  detail::heap_node* node() const noexcept { return reinterpret_cast<detail::heap_node*>(w_); }
  /// Adopts a node with one reference already counted for this term.
  static term adopt(detail::heap_node* n) noexcept {
    term t;
    t.w_ = reinterpret_cast<uint64_t>(n);
    return t;
  }
  static term small_int(int64_t v) noexcept { return raw(uint64_t(v) << 1 | 1); }
  static constexpr int64_t small_min = -(int64_t(1) << 62);
  static constexpr int64_t small_max = (int64_t(1) << 62) - 1;
  int64_t small_value() const noexcept { return int64_t(w_) >> 1; }
  uint64_t raw_word() const noexcept { return w_; }

 private:
  static constexpr uint64_t atom_tag = 2;
  static constexpr uint64_t nil_word = 4;
  // A pid of the local node (set_local_node) whose serial fits 29 bits is immediate, id and serial
  // in the word, as the BEAM keeps its local pids: no node per self() put in a message, and pids
  // compare as words. Every other pid is boxed; a pid's form follows from its value alone, so
  // equal pids have equal words.
  static constexpr uint64_t local_pid_tag = 6;
  static constexpr unsigned local_pid_serial_bits = 29;

  static term raw(uint64_t w) noexcept {
    term t;
    t.w_ = w;
    return t;
  }
  template <std::integral I>
  static term from_int(I v) {
    if constexpr (std::is_signed_v<I>) {
      if (int64_t(v) >= small_min && int64_t(v) <= small_max) return small_int(int64_t(v));
      return from_int64_big(int64_t(v));
    } else {
      if (uint64_t(v) <= uint64_t(small_max)) return small_int(int64_t(v));
      return from_uint64_big(uint64_t(v));
    }
  }
  static term from_int64_big(int64_t v);
  static term from_uint64_big(uint64_t v);
  bool is_node(detail::node_kind k) const noexcept { return is_boxed() && node()->kind == k; }
  // Always inlined: left to itself GCC made release() a call, which every immediate term's
  // destructor then paid (9% of a counting run); only a boxed term needs more than the tag test.
  [[gnu::always_inline]] void retain() const noexcept {
    if (is_boxed()) node()->refs.fetch_add(1, std::memory_order_relaxed);
  }
  [[gnu::always_inline]] void release() noexcept {
    if (is_boxed()) release_boxed(node());
  }
  static void release_boxed(detail::heap_node* n) noexcept {
    if (detail::drop_reference(n)) detail::destroy_node(n);
  }
  static bool equal_slow(const term& a, const term& b) noexcept;
  void* opaque_ptr(const std::type_info& type) const noexcept;

  uint64_t w_;
};

inline namespace literals {
/// Parses an Erlang term literal: "{ok,[1,2]}"_term. Throws std::invalid_argument on a syntax error.
term operator""_term(const char* s, std::size_t n);
}  // namespace literals

// ---- constructors for compound terms ----------------------------------------------------------------
term make_tuple(std::span<const term> elements);
/// make_tuple(vec) for a std::vector<term>: without this overload, argument-dependent lookup would
/// pick std::make_tuple for an unqualified call.
template <class V>
requires std::same_as<std::remove_cvref_t<V>, std::vector<term>> term make_tuple(V&& elements) {
  return make_tuple(std::span<const term>(elements));
}
inline term tuple(std::initializer_list<term> elements) {
  return make_tuple({elements.begin(), elements.size()});
}
namespace detail {
/// A tuple of `elements`, moved into it (each is left as []).
term make_tuple_moving(std::span<term> elements);
/// A tuple node of `arity` (count 1) whose elements are not constructed yet: the caller
/// constructs each one before the node is used, destroyed or seen by anyone else.
inline tuple_node* new_unfilled_tuple_node(std::size_t arity) {
  return ::new (heap_node::operator new(sizeof(tuple_node) + arity * sizeof(term))) tuple_node(arity);
}
}  // namespace detail
/// tuple(a, b, c): the Erlang tuple {a, b, c}. Each element is made once and moved into the
/// tuple, not copied: no reference count taken and dropped again per boxed element. Inline, with
/// the elements moved straight into the new node: every message and every call reply is one.
template <class... Ts>
term tuple(Ts&&... elements) {
  if constexpr (sizeof...(Ts) == 0) {
    return detail::make_tuple_moving({});
  } else {
    // The elements are made first: making one may throw (a NaN, a failed bignum), the moves
    // into the node below do not.
    term items[] = {term(std::forward<Ts>(elements))...};
    detail::tuple_node* t = detail::new_unfilled_tuple_node(sizeof...(Ts));
    for (std::size_t i = 0; i < sizeof...(Ts); ++i) ::new (t->elements() + i) term(std::move(items[i]));
    return term::adopt(t);
  }
}

term cons(term head, term tail);
/// A proper list of `elements`, or an improper one ending in `tail`.
term make_list(std::span<const term> elements, term tail = term());
inline term list(std::initializer_list<term> elements) {
  return make_list({elements.begin(), elements.size()});
}
template <class... Ts>
term list(Ts&&... elements) {
  const term items[] = {term(std::forward<Ts>(elements))..., term()};
  return make_list({items, sizeof...(Ts)});
}

/// A map; when a key repeats, the last value wins (as in Erlang's maps:from_list/1).
term make_map(std::vector<std::pair<term, term>> entries);
inline term map(std::initializer_list<std::pair<term, term>> entries) { return make_map(entries); }

/// A binary holding a copy of `bytes`.
term binary(std::string_view bytes);
term binary(std::span<const std::byte> bytes);
/// A bitstring of `bit_count` bits taken from the high-order end of `bytes`.
term bitstring(std::string_view bytes, std::size_t bit_count);
/// A sub-binary sharing `bin`'s storage (no copy). Throws std::out_of_range if it does not fit.
term sub_binary(const term& bin, std::size_t byte_offset, std::size_t byte_length);

/// An Erlang string: the list of code points of UTF-8 `text`.
term string(std::string_view text);

/// An integer of any size from its decimal text (optional leading '-'); throws std::invalid_argument.
term integer_from_string(std::string_view decimal);
/// An integer from sign and little-endian magnitude bytes (the ETF big-integer layout).
term integer_from_magnitude(bool negative, std::span<const uint8_t> magnitude_le);
/// Decimal text of an integer term.
std::string integer_to_string(const term& integer);
/// Sign and little-endian magnitude bytes of an integer term (no trailing zero bytes; zero has none).
std::vector<uint8_t> integer_magnitude(const term& integer, bool* negative);

/// fun Module:Function/Arity.
term export_fun(atom module, atom function, uint8_t arity);

/// A fun (closure) received from another node: kept as its encoded bytes (NEW_FUN_EXT body, after
/// the tag) so that it can be sent back unchanged; `module` and `arity` are kept for printing.
term closure(atom module, uint8_t arity, std::string_view encoded_body);

/// What a fun term holds.
struct fun_info {
  bool is_export = false;  // fun M:F/A
  atom module;
  atom function;  // exports only
  uint8_t arity = 0;
  std::string_view encoded_body;  // closures only: NEW_FUN_EXT bytes after the tag
};
/// Throws bad_term_access if `f` is not a fun.
fun_info fun_of(const term& f);

// ---- opaque C++ objects --------------------------------------------------------------------------
namespace detail {
term make_opaque_term(std::shared_ptr<void> object, const std::type_info& type);
}
/// A term that carries a C++ object to local processes (never across nodes).
template <class T, class... Args>
term make_opaque(Args&&... args) {
  return detail::make_opaque_term(std::make_shared<T>(std::forward<Args>(args)...), typeid(T));
}

// ---- Erlang's arithmetic comparison ---------------------------------------------------------------
/// Erlang's == (1 == 1.0 is true).
bool equal_numeric(const term& a, const term& b) noexcept;
/// Erlang's term order with arithmetic comparison of numbers: <0, 0 or >0.
int compare_numeric(const term& a, const term& b) noexcept;

// ---- text ------------------------------------------------------------------------------------------
/// Erlang's printed form (io:format "~p"-like without line breaks): {ok,[1,2]}, <<"abc">>, "abc".
std::string to_string(const term& t);
std::ostream& operator<<(std::ostream& os, const term& t);

/// Error of parse_term: what is wrong and the byte offset where it was found.
struct parse_error {
  std::string message;
  std::size_t offset = 0;
};
/// Parses one Erlang term literal (numbers, atoms, quoted atoms, strings, binaries <<...>>,
/// tuples, lists with `|` tails, maps #{...}, pids <0.1.2>, optionally a trailing '.').
expected<term, parse_error> parse_term(std::string_view text);

}  // namespace otp

template <>
struct std::hash<otp::term> {
  std::size_t operator()(const otp::term& t) const noexcept { return t.hash(); }
};
