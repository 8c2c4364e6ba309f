#pragma once
// otp::atom — an interned name, Erlang's atom.
//
// Atoms live in one global table shared by the whole program. Like the BEAM's, the table is bounded
// (otp::atom_table_limit(), 1,048,576 by default) and never shrinks; interning a new name once it is
// full throws otp::atom_table_full instead of growing without bound, so a peer that sends endless new
// atoms gets a clear error rather than exhausting memory.
//
// Thread safety: every function here may be called from any thread. Reading an atom's name is
// lock-free; interning a new name takes a lock.

#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace otp {

/// Thrown when a new atom would exceed the atom table's limit.
class atom_table_full : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Thrown for an atom name longer than Erlang allows (255 characters).
class atom_too_long : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

class atom {
 public:
  /// The empty atom ''.
  constexpr atom() noexcept = default;
  /// Interns `name` (UTF-8, at most 255 characters). Throws atom_table_full or atom_too_long.
  explicit atom(std::string_view name);

  /// The atom named `name` if it already exists; never interns (Erlang's binary_to_existing_atom).
  static std::optional<atom> existing(std::string_view name) noexcept;
  /// The atom at `index` in the table; the caller guarantees it exists.
  static constexpr atom from_index(uint32_t index) noexcept { return atom(index, 0); }

  std::string_view name() const noexcept;
  constexpr uint32_t index() const noexcept { return index_; }

  friend constexpr bool operator==(atom a, atom b) noexcept { return a.index_ == b.index_; }
  /// Erlang orders atoms by their text, not by when they were interned.
  friend std::strong_ordering operator<=>(atom a, atom b) noexcept;

 private:
  constexpr atom(uint32_t index, int) noexcept : index_(index) {}
  uint32_t index_ = 0;
};

/// Number of atoms interned so far, and the table's capacity.
std::size_t atom_count() noexcept;
std::size_t atom_table_limit() noexcept;
/// Sets the capacity; only before the first atom beyond the predefined ones is interned
/// (Erlang's +t flag). Returns false if it is too late or `limit` is below the predefined count.
bool set_atom_table_limit(std::size_t limit) noexcept;

// ---- predefined atoms -------------------------------------------------------------------------
// Interned at start-up in exactly this order, so each has a compile-time index and using one costs
// no lookup. Keep detail::predefined_atom_names in sync (src/term/atom_table.cpp checks it).
namespace atoms {
inline constexpr atom empty = atom::from_index(0);  // ''
inline constexpr atom true_ = atom::from_index(1);
inline constexpr atom false_ = atom::from_index(2);
inline constexpr atom ok = atom::from_index(3);
inline constexpr atom error = atom::from_index(4);
inline constexpr atom undefined = atom::from_index(5);
inline constexpr atom normal = atom::from_index(6);
inline constexpr atom kill = atom::from_index(7);
inline constexpr atom killed = atom::from_index(8);
inline constexpr atom noproc = atom::from_index(9);
inline constexpr atom noconnection = atom::from_index(10);
inline constexpr atom EXIT = atom::from_index(11);
inline constexpr atom DOWN = atom::from_index(12);
inline constexpr atom process = atom::from_index(13);
inline constexpr atom timeout = atom::from_index(14);
inline constexpr atom infinity = atom::from_index(15);
inline constexpr atom nonode_nohost = atom::from_index(16);  // 'nonode@nohost'
inline constexpr atom shutdown = atom::from_index(17);
inline constexpr atom badarg = atom::from_index(18);
inline constexpr atom exception = atom::from_index(19);
inline constexpr atom nil = atom::from_index(20);
inline constexpr atom low = atom::from_index(21);
inline constexpr atom high = atom::from_index(22);
inline constexpr atom max = atom::from_index(23);
inline constexpr atom running = atom::from_index(24);
inline constexpr atom runnable = atom::from_index(25);
inline constexpr atom waiting = atom::from_index(26);
inline constexpr atom exiting = atom::from_index(27);
inline constexpr atom port = atom::from_index(28);
inline constexpr atom timeout_value = atom::from_index(29);  // 'timeout_value'
inline constexpr atom system_limit = atom::from_index(30);
inline constexpr atom trap_exit = atom::from_index(31);
inline constexpr atom priority = atom::from_index(32);
inline constexpr atom gen_call = atom::from_index(33);  // '$gen_call'
inline constexpr atom gen_cast = atom::from_index(34);  // '$gen_cast'
inline constexpr atom alias = atom::from_index(35);
inline constexpr atom badarith = atom::from_index(36);
inline constexpr atom function_clause = atom::from_index(37);
inline constexpr atom nocatch = atom::from_index(38);
inline constexpr atom throw_ = atom::from_index(39);
inline constexpr atom system = atom::from_index(40);  // the tag of sys's system messages
// proc_lib's and gen's, used on every start.
inline constexpr atom ancestors_key = atom::from_index(41);       // '$ancestors'
inline constexpr atom initial_call_key = atom::from_index(42);    // '$initial_call'
inline constexpr atom proc_lib_start_key = atom::from_index(43);  // '$proc_lib_start'
inline constexpr atom ignore = atom::from_index(44);
inline constexpr atom gen = atom::from_index(45);
inline constexpr atom init_it = atom::from_index(46);
inline constexpr atom ack = atom::from_index(47);
}  // namespace atoms

namespace detail {
inline constexpr std::string_view predefined_atom_names[] = {"",
                                                             "true",
                                                             "false",
                                                             "ok",
                                                             "error",
                                                             "undefined",
                                                             "normal",
                                                             "kill",
                                                             "killed",
                                                             "noproc",
                                                             "noconnection",
                                                             "EXIT",
                                                             "DOWN",
                                                             "process",
                                                             "timeout",
                                                             "infinity",
                                                             "nonode@nohost",
                                                             "shutdown",
                                                             "badarg",
                                                             "exception",
                                                             "nil",
                                                             "low",
                                                             "high",
                                                             "max",
                                                             "running",
                                                             "runnable",
                                                             "waiting",
                                                             "exiting",
                                                             "port",
                                                             "timeout_value",
                                                             "system_limit",
                                                             "trap_exit",
                                                             "priority",
                                                             "$gen_call",
                                                             "$gen_cast",
                                                             "alias",
                                                             "badarith",
                                                             "function_clause",
                                                             "nocatch",
                                                             "throw",
                                                             "system",
                                                             "$ancestors",
                                                             "$initial_call",
                                                             "$proc_lib_start",
                                                             "ignore",
                                                             "gen",
                                                             "init_it",
                                                             "ack"};
}  // namespace detail

inline namespace literals {
/// "ok"_a interns (or finds) the atom ok.
inline atom operator""_a(const char* s, std::size_t n) { return atom(std::string_view(s, n)); }
}  // namespace literals

}  // namespace otp

template <>
struct std::hash<otp::atom> {
  std::size_t operator()(otp::atom a) const noexcept { return std::hash<uint32_t>{}(a.index()); }
};
