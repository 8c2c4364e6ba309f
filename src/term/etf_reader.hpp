#pragma once
// term_reader: decodes one external term (without version byte) from a buffer, for hostile input.
//
// Compound terms (tuples, lists, maps, closures' free variables) are collected on an explicit stack
// of frames rather than by recursion, their items on one shared vector, so nesting depth is bounded
// by decode_limits::max_depth and costs heap only. Every length field is checked against the bytes that
// remain (each element takes at least one byte) before anything is reserved, so a forged length fails at
// once.
//
// The driver lives in etf_reader.cpp, the leaf terms (numbers, atoms, binaries, identifiers, exports)
// in etf_reader_leaf.cpp.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <otp/term/etf.hpp>

namespace otp::etf::detail {

class term_reader {
 public:
  /// Reads from `input` starting at `pos`; `limits` must outlive the reader.
  term_reader(std::string_view input, const decode_limits& limits, std::size_t pos)
      : in_(input), limits_(limits), pos_(pos) {}

  /// Decodes one term into `out`; false with error() set on failure. Never throws.
  bool read(term& out) noexcept;
  /// Offset just past the term read (valid after read() returned true).
  std::size_t pos() const noexcept { return pos_; }
  decode_error& error() noexcept { return error_; }

 private:
  enum class frame_kind : uint8_t { tuple, list, map, fun };
  struct frame {
    frame_kind kind;
    uint64_t remaining;       // items still to come; a list's tail counts as its last item
    std::size_t start;        // offset of the tag
    std::size_t base;         // where its items begin in items_ (a closure's are dropped, not kept)
    std::size_t fun_end = 0;  // offset just past a NEW_FUN_EXT
    atom fun_module{};
    uint8_t fun_arity = 0;
  };
  enum class step { value, pushed, failed };

  bool read_all(term& out);
  step item(term& value);
  step open(frame_kind kind, uint64_t count, std::size_t start, term& value);
  step open_fun(std::size_t start, term& value);
  bool finish(const frame& f, term& value);
  bool merge_list_tails();

  // Leaves (etf_reader_leaf.cpp). Each starts just past its tag, which is at `start`.
  bool leaf(uint8_t tag, std::size_t start, term& value);
  bool big(std::size_t digits, term& value);
  bool old_float(std::size_t start, term& value);
  bool string_ext(term& value);
  bool bit_binary(std::size_t start, term& value);
  bool atom_value(uint8_t tag, std::size_t start, atom& value);
  bool node_atom(atom& value);  // an atom with its tag: the node of a pid/port/ref, module, function
  bool cached_atom(std::size_t start, atom& value);  // ATOM_CACHE_REF, after its tag
  bool pid_value(uint8_t tag, term& value);
  bool port_value(uint8_t tag, term& value);
  bool ref_value(uint8_t tag, std::size_t start, term& value);
  bool export_value(std::size_t start, term& value);
  bool small_int_field(const char* what);  // OldIndex/OldUniq of NEW_FUN_EXT

  // Input access. need() checks that `n` more bytes exist and reports truncation otherwise.
  bool need(std::size_t n, const char* what);
  std::size_t left() const noexcept { return in_.size() - pos_; }
  const unsigned char* here() const noexcept {
    return reinterpret_cast<const unsigned char*>(in_.data()) + pos_;
  }
  // Read a big-endian field and step past it; the caller has checked need().
  uint8_t u8() noexcept {
    const uint8_t v = *here();
    ++pos_;
    return v;
  }
  uint16_t u16() noexcept;
  uint32_t u32() noexcept;
  uint64_t u64() noexcept;
  bool count_terms(std::size_t n);
  bool fail(decode_errc code, std::size_t offset, std::string what);

  std::string_view in_;
  const decode_limits& limits_;
  std::size_t pos_;
  std::size_t terms_ = 0;
  std::vector<frame> stack_;
  std::vector<term> items_;  // items of all open frames, innermost last: one allocation for all levels
  decode_error error_;
};

}  // namespace otp::etf::detail
