#pragma once
// otp::etf — the External Term Format: Erlang's term_to_binary/1 and binary_to_term/1.
//
// encode() writes what term_to_binary(T, [{minor_version, 2}]) writes (the default from OTP 26 on;
// OTP 25's default minor_version 1 differs only in writing atoms as Latin-1 ATOM_EXT): canonical
// integers, NEW_FLOAT_EXT, UTF-8 atoms, STRING_EXT for proper lists of at most 65535 bytes, NEW_PID_EXT,
// NEW_PORT_EXT/V4_PORT_EXT, NEWER_REFERENCE_EXT, EXPORT_EXT and received closures (NEW_FUN_EXT) echoed
// byte for byte. Map keys are written in otp::term's map key order (term order, with every integer
// before every float), which is the order OTP 25 keeps small maps (at most 32 keys) in, so their
// bytes match OTP 25; larger maps (a hash trie in the BEAM, in hash order) differ in key order only,
// and any decoder reads them back as an equal map. (OTP 26+ orders atom keys of small maps by atom-table
// index, an order no other node can reproduce; byte identity of maps with atom keys holds for OTP 25 only.)
//
// decode() reads every tag a current Erlang node can produce in term_to_binary/1 output, including the
// legacy ones (ATOM_EXT, FLOAT_EXT, PID_EXT, PORT_EXT, REFERENCE_EXT, NEW_REFERENCE_EXT) and the
// compressed form (tag 80). It is meant for hostile input: it never recurses (nesting depth costs
// heap, not stack), never reserves memory a length field claims before checking that the input can
// hold it, bounds inflated data, and reports every failure as a decode_error value.
//
// The *_body variants omit (encode) or expect no (decode) leading version byte 131: the form terms
// take after a distribution header. ATOM_CACHE_REF (82) refers to the atom cache of such a header:
// encode_body_to with an atom_cache_refs writes it and lists the atoms for the header; decoding, the
// distribution layer passes the atoms it read in the header in decode_limits::atom_cache (without
// them the tag is refused).
//
// Thread safety: all functions are reentrant; they may be called concurrently on distinct or shared
// (immutable) terms.

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include <otp/expected.hpp>
#include <otp/term/term.hpp>

namespace otp::etf {

/// The version byte that starts every full external term.
inline constexpr uint8_t version_magic = 131;

// ---- encoding ---------------------------------------------------------------------------------------

/// Thrown by encode for a term that has no external form: an opaque C++ object (otp::make_opaque),
/// or a value beyond the format's 32-bit lengths.
class encode_error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct encode_options {
  /// zlib level 0..9. 0 (the default) writes no compression; 1..9 behave as
  /// term_to_binary(T, [{compressed, Level}]) ([compressed] is level 6): the compressed form (tag 80)
  /// is used only when it is smaller, as the BEAM does.
  int compression_level = 0;
};

/// The external form of `t`, starting with the version byte 131. Throws encode_error.
std::string encode(const term& t, const encode_options& options = {});
/// Appends the external form of `t` (with version byte) to `out`. Throws encode_error; on a throw,
/// `out` keeps its previous contents.
void encode_to(std::string& out, const term& t, const encode_options& options = {});

/// The external form without the version byte (never compressed), as terms appear after a
/// distribution header.
std::string encode_body(const term& t);
void encode_body_to(std::string& out, const term& t);

/// The atoms the terms after one distribution header refer to by ATOM_CACHE_REF (tag 82, an index
/// into this list): at most 255, each listed once, in the order first met. The distribution layer
/// writes the header that tells the peer which atom each index stands for.
class atom_cache_refs {
 public:
  static constexpr std::size_t capacity = 255;

  /// The index of `a`, listing it if it is not listed yet; nullopt once all 255 are taken.
  std::optional<uint8_t> index_of(atom a) noexcept;
  std::span<const atom> atoms() const noexcept { return {atoms_.data(), size_}; }
  /// Empties the list (for the next frame).
  void clear() noexcept;

 private:
  // Open addressing over atom indices: each slot holds a position in atoms_ plus one (0: empty).
  // Twice the capacity keeps probes short.
  static constexpr std::size_t slots = 512;
  std::size_t slot_of(atom a) const noexcept;

  std::array<atom, capacity> atoms_{};
  std::array<uint8_t, slots> positions_{};
  std::size_t size_ = 0;
};

/// encode_body_to, writing each atom as ATOM_CACHE_REF into `refs` (listing the new ones) while
/// `refs` has room, and spelling out the rest.
void encode_body_to(std::string& out, const term& t, atom_cache_refs& refs);

/// Exactly encode_body(t).size() (+1 for the version byte in encode(t) without compression), computed
/// without writing anything. Throws encode_error like encode.
std::size_t encoded_body_size(const term& t);

// ---- decoding ---------------------------------------------------------------------------------------

enum class decode_errc : uint8_t {
  truncated,        // the input ends inside the term, or a length claims more bytes than remain
  bad_version,      // the first byte is not 131
  bad_tag,          // a byte that is no term tag (or the wrong tag where a specific one is required)
  unsupported_tag,  // a real tag refused: LOCAL_EXT, FUN_EXT, nested compression, ATOM_CACHE_REF
                    // without (or beyond) decode_limits::atom_cache
  too_deep,         // nesting beyond decode_limits::max_depth
  too_large,        // beyond max_terms, max_bytes or max_uncompressed_size
  bad_atom,         // an atom longer than 255 characters
  bad_utf8,         // an atom name that is not valid UTF-8
  unknown_atom,     // a new atom while atom_policy::existing_only is in force
  atom_table_full,  // the atom table has reached otp::atom_table_limit()
  atom_allowance,   // a new atom beyond decode_limits::allowance
  bad_float,        // NaN, infinity, or an unreadable FLOAT_EXT text
  bad_value,        // a malformed field: bitstring bit count, reference length, fun size, ...
  duplicate_key,    // a map with the same key twice
  trailing_bytes,   // decode/decode_body: bytes left after the term
  zlib,             // tag 80: corrupt data, or inflated size differing from the declared size
};

/// A short name for `code` ("truncated", "bad_tag", ...).
std::string_view errc_name(decode_errc code) noexcept;

struct decode_error {
  decode_errc code = decode_errc::truncated;
  /// Offset of the offending byte in the input (for an error inside compressed data: in the inflated
  /// data, which the message says).
  std::size_t offset = 0;
  std::string message;  // human-readable, includes the code's name and offset
};

/// What decode does with atoms it has not seen before (the atom table never shrinks).
enum class atom_policy : uint8_t {
  create,         // intern them, as binary_to_term/1 does
  existing_only,  // fail with decode_errc::unknown_atom, as binary_to_term(B, [safe]) does
};

/// How many atoms a series of decodes may add to the table: those of one distribution peer, say.
/// The table never shrinks, so a source that keeps sending new atoms would otherwise fill it for
/// good, and every later atom the node itself needs would fail.
struct atom_allowance {
  /// New atoms this series may still create; each takes one.
  std::size_t new_atoms_left = 0;
  /// New atoms only while the table keeps at least this many entries free (for the node's own).
  std::size_t keep_free = 0;
};

struct decode_limits {
  /// Maximum nesting of tuples, lists, maps and funs. The decoder itself uses heap, not stack, per
  /// level; the cap protects code that later walks the term.
  std::size_t max_depth = 100'000;
  /// Maximum number of terms (every integer, atom, cons cell, ... counts one).
  std::size_t max_terms = std::numeric_limits<std::size_t>::max();
  /// Maximum input size, counting inflated bytes of a compressed term.
  std::size_t max_bytes = std::numeric_limits<std::size_t>::max();
  /// Maximum declared uncompressed size of a compressed term (tag 80).
  std::size_t max_uncompressed_size = std::size_t(64) << 20;
  atom_policy atoms = atom_policy::create;
  /// With atom_policy::create: when set, the atoms a decode interns are charged to it, and one
  /// beyond it fails with decode_errc::atom_allowance (atoms that exist decode as always). Not
  /// owned; decode updates it, so one allowance serves a whole series of decodes.
  atom_allowance* allowance = nullptr;
  /// The atom cache of the distribution header this term follows: ATOM_CACHE_REF i (tag 82) decodes
  /// as atom_cache[i]. Empty outside distribution, where the tag is refused. Not owned.
  std::span<const atom> atom_cache{};
};

/// One term read from the front of a buffer and the number of bytes it took.
struct decoded {
  term value;
  std::size_t consumed = 0;
};

/// binary_to_term: exactly one full external term (version byte, then a term or a compressed term).
expected<term, decode_error> decode(std::string_view bytes, const decode_limits& limits = {});
/// One full external term from the front of `bytes`; the rest is left for the caller.
expected<decoded, decode_error> decode_prefix(std::string_view bytes, const decode_limits& limits = {});
/// A term without version byte (and never compressed), filling all of `bytes`.
expected<term, decode_error> decode_body(std::string_view bytes, const decode_limits& limits = {});
/// A term without version byte from the front of `bytes`.
expected<decoded, decode_error> decode_body_prefix(std::string_view bytes, const decode_limits& limits = {});

}  // namespace otp::etf
