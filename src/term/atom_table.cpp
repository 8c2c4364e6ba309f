// The global atom table.
//
// Names are stored once and never freed, so a string_view into the table stays valid forever.
// Reading a name must be lock-free (printing and comparing atoms is hot), so the entries live in
// fixed-size chunks whose addresses are published through atomics: a chunk, once published, never
// moves. Interning takes a mutex and looks the name up in a hash map.

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <otp/term/atom.hpp>

namespace otp {
namespace {

constexpr std::size_t chunk_bits = 12;
constexpr std::size_t chunk_size = std::size_t(1) << chunk_bits;
constexpr std::size_t max_chunks = 16384;  // caps the table at 64 Mi atoms
constexpr std::size_t hard_limit = chunk_size * max_chunks;
constexpr std::size_t default_limit = 1048576;
constexpr std::size_t max_chars = 255;
constexpr std::size_t max_bytes = 4 * max_chars;
constexpr std::size_t predefined_count = std::size(detail::predefined_atom_names);

// The predefined constants in atom.hpp are plain indices; make sure the name list matches them.
static_assert(predefined_count == atoms::ack.index() + 1, "predefined_atom_names and atoms:: differ");
static_assert(detail::predefined_atom_names[atoms::ancestors_key.index()] == "$ancestors");
static_assert(detail::predefined_atom_names[atoms::ack.index()] == "ack");
static_assert(detail::predefined_atom_names[atoms::throw_.index()] == "throw");
static_assert(detail::predefined_atom_names[atoms::system.index()] == "system");
static_assert(detail::predefined_atom_names[atoms::gen_call.index()] == "$gen_call");
static_assert(detail::predefined_atom_names[atoms::nonode_nohost.index()] == "nonode@nohost");
static_assert(detail::predefined_atom_names[atoms::EXIT.index()] == "EXIT");

struct chunk {
  std::array<std::string_view, chunk_size> names;
};

class atom_table {
 public:
  atom_table() {
    for (std::string_view n : detail::predefined_atom_names) insert_locked(n);
  }

  std::string_view name(uint32_t index) const noexcept {
    const chunk* c = chunks_[index >> chunk_bits].load(std::memory_order_acquire);
    return c ? c->names[index & (chunk_size - 1)] : std::string_view();
  }

  atom intern(std::string_view text) {
    check_length(text);
    std::lock_guard lock(mutex_);
    if (auto it = index_.find(text); it != index_.end()) return atom::from_index(it->second);
    if (count_.load(std::memory_order_relaxed) >= limit_.load(std::memory_order_relaxed))
      throw atom_table_full("atom table full (" + std::to_string(limit_.load()) + " atoms)");
    return insert_locked(text);
  }

  std::optional<atom> find(std::string_view text) const noexcept {
    std::lock_guard lock(mutex_);
    if (auto it = index_.find(text); it != index_.end()) return atom::from_index(it->second);
    return std::nullopt;
  }

  std::size_t count() const noexcept { return count_.load(std::memory_order_acquire); }
  std::size_t limit() const noexcept { return limit_.load(std::memory_order_relaxed); }

  bool set_limit(std::size_t limit) noexcept {
    std::lock_guard lock(mutex_);
    if (count_.load(std::memory_order_relaxed) != predefined_count) return false;
    if (limit < predefined_count || limit > hard_limit) return false;
    limit_.store(limit, std::memory_order_relaxed);
    return true;
  }

 private:
  // Erlang limits atoms to 255 characters (code points), whatever their UTF-8 length.
  static void check_length(std::string_view text) {
    std::size_t chars = 0;
    for (unsigned char c : text) chars += (c & 0xC0) != 0x80;
    if (chars > max_chars || text.size() > max_bytes)
      throw atom_too_long("atom name longer than 255 characters");
  }

  atom insert_locked(std::string_view text) {
    const std::size_t index = count_.load(std::memory_order_relaxed);
    chunk* c = chunks_[index >> chunk_bits].load(std::memory_order_relaxed);
    if (!c) {
      owned_chunks_.push_back(std::make_unique<chunk>());
      c = owned_chunks_.back().get();
      chunks_[index >> chunk_bits].store(c, std::memory_order_release);
    }
    std::string_view stored = storage_.emplace_back(text);
    // Published before the count and before the atom escapes this call; readers of an atom they
    // were given are ordered after this store by whatever handed them the atom.
    c->names[index & (chunk_size - 1)] = stored;
    index_.emplace(stored, uint32_t(index));
    count_.store(index + 1, std::memory_order_release);
    return atom::from_index(uint32_t(index));
  }

  mutable std::mutex mutex_;
  std::array<std::atomic<chunk*>, max_chunks> chunks_{};
  std::deque<std::unique_ptr<chunk>> owned_chunks_;
  std::deque<std::string> storage_;  // deque: growing never moves existing names
  std::unordered_map<std::string_view, uint32_t> index_;
  std::atomic<std::size_t> count_{0};
  std::atomic<std::size_t> limit_{default_limit};
};

// Built on first use so that atoms work during other translation units' static initialisation.
atom_table& table() {
  static atom_table* t = new atom_table();  // never destroyed: atoms outlive static destructors
  return *t;
}

// Interns the predefined atoms at start-up even if nothing touches an atom before main().
[[maybe_unused]] const bool predefined_ready = (table(), true);

}  // namespace

namespace {

/// The table's intern, behind a small per-thread cache keyed by the text's address and length:
/// code names the same literal over and over (proc_lib's '$ancestors' and ack on every start),
/// and the table's lock and hash cost more than the call around them, and contend across cores.
/// A hit is checked against the text itself, since an address may hold another text later.
atom cached_intern(std::string_view name) {
  struct entry {
    const char* text;
    std::size_t size;
    uint32_t index;
  };
  constexpr std::size_t slots = 64;
  static thread_local entry cache[slots];
  entry& e = cache[((reinterpret_cast<uintptr_t>(name.data()) >> 3) ^ name.size()) % slots];
  if (e.text != nullptr && e.text == name.data() && e.size == name.size() && table().name(e.index) == name) {
    return atom::from_index(e.index);
  }
  const atom a = table().intern(name);
  e = entry{name.data(), name.size(), a.index()};
  return a;
}

}  // namespace

atom::atom(std::string_view name) : atom(cached_intern(name)) {}

std::optional<atom> atom::existing(std::string_view name) noexcept { return table().find(name); }

std::string_view atom::name() const noexcept { return table().name(index_); }

std::strong_ordering operator<=>(atom a, atom b) noexcept {
  if (a.index() == b.index()) return std::strong_ordering::equal;
  // char_traits<char>::compare orders bytes as unsigned char, and byte order of UTF-8 is code
  // point order, which is how Erlang orders atoms.
  const int c = a.name().compare(b.name());
  return c < 0 ? std::strong_ordering::less : std::strong_ordering::greater;
}

std::size_t atom_count() noexcept { return table().count(); }
std::size_t atom_table_limit() noexcept { return table().limit(); }
bool set_atom_table_limit(std::size_t limit) noexcept { return table().set_limit(limit); }

}  // namespace otp
