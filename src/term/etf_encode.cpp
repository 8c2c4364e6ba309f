// ETF encoder: term → bytes, in the exact form term_to_binary(T, [{minor_version, 2}]) produces.

#include <algorithm>
#include <bit>
#include <cstdint>
#include <string>
#include <vector>

#include <otp/term/etf.hpp>

#include "term/etf_bytes.hpp"
#include "term/etf_tags.hpp"
#include "term/etf_zlib.hpp"

namespace otp::etf {
namespace {

// Where encoded bytes go: appended to a string, or only counted (encoded_body_size).
class string_sink {
 public:
  explicit string_sink(std::string& out) : out_(out) {}
  void u8(uint8_t v) { out_.push_back(char(v)); }
  void u16(uint16_t v) { detail::store_u16(out_, v); }
  void u32(uint32_t v) { detail::store_u32(out_, v); }
  void u64(uint64_t v) { detail::store_u64(out_, v); }
  void raw(std::string_view bytes) { out_.append(bytes); }

 private:
  std::string& out_;
};

class count_sink {
 public:
  void u8(uint8_t) { size_ += 1; }
  void u16(uint16_t) { size_ += 2; }
  void u32(uint32_t) { size_ += 4; }
  void u64(uint64_t) { size_ += 8; }
  void raw(std::string_view bytes) { size_ += bytes.size(); }
  std::size_t size() const { return size_; }

 private:
  std::size_t size_ = 0;
};

uint32_t length32(std::size_t n, const char* what) {
  if (n > UINT32_MAX) {
    throw encode_error(std::string("etf: ") + what + " has " + std::to_string(n) +
                       " elements; the external format's lengths are 32-bit");
  }
  return uint32_t(n);
}

bool is_byte(const term& t) { return t.is_small() && t.small_value() >= 0 && t.small_value() <= 255; }

// STRING_EXT carries at most this many elements (a 16-bit length).
constexpr std::size_t string_ext_max = 65535;

// Ports with numbers beyond 28 bits need V4_PORT_EXT's 64-bit field (erts' ERTS_MAX_V3_PORT_NUMBER).
constexpr uint64_t v3_port_max = (uint64_t(1) << 28) - 1;

// Walks the term with an explicit stack, so a term nested a million levels deep costs heap, not
// stack. Every pointer on the stack points into a node owned by the root term, which outlives the walk.
template <class Sink>
class encoder {
 public:
  explicit encoder(Sink& sink, atom_cache_refs* refs = nullptr) : sink_(sink), refs_(refs) {}

  void run(const term& root) {
    todo_.push_back(&root);
    while (!todo_.empty()) {
      const term* t = todo_.back();
      todo_.pop_back();
      one(*t);
    }
  }

 private:
  void one(const term& t) {
    if (t.is_opaque()) {
      throw encode_error(
          "etf: an opaque C++ object (otp::make_opaque) cannot be encoded: it exists only on this node");
    }
    switch (t.type()) {
      case term_type::integer:
        integer(t);
        break;
      case term_type::float_:
        sink_.u8(tag::new_float);
        sink_.u64(std::bit_cast<uint64_t>(t.as_float()));
        break;
      case term_type::atom:
        atom_(t.as_atom());
        break;
      case term_type::reference:
        reference(t.as_ref());
        break;
      case term_type::fun:
        fun(t);
        break;
      case term_type::port:
        port(t.as_port());
        break;
      case term_type::pid:
        pid(t.as_pid());
        break;
      case term_type::tuple:
        tuple(t);
        break;
      case term_type::map:
        map(t);
        break;
      case term_type::nil:
        sink_.u8(tag::nil);
        break;
      case term_type::list:
        list(t);
        break;
      case term_type::bitstring:
        bitstring(t);
        break;
    }
  }

  // Canonical form, as the BEAM writes it: the smallest of SMALL_INTEGER_EXT (0..255), INTEGER_EXT
  // (int32) and SMALL/LARGE_BIG_EXT (sign byte + little-endian magnitude without leading zeros).
  void integer(const term& t) {
    if (const auto v = t.to_int64()) {
      if (*v >= 0 && *v <= 255) {
        sink_.u8(tag::small_integer);
        sink_.u8(uint8_t(*v));
      } else if (*v >= INT32_MIN && *v <= INT32_MAX) {
        sink_.u8(tag::integer);
        sink_.u32(uint32_t(int32_t(*v)));
      } else {
        const bool negative = *v < 0;
        uint64_t magnitude = negative ? 0 - uint64_t(*v) : uint64_t(*v);
        const auto bytes = uint8_t((std::bit_width(magnitude) + 7) / 8);
        sink_.u8(tag::small_big);
        sink_.u8(bytes);
        sink_.u8(negative ? 1 : 0);
        for (uint8_t i = 0; i < bytes; ++i, magnitude >>= 8) sink_.u8(uint8_t(magnitude));
      }
      return;
    }
    bool negative = false;
    const std::vector<uint8_t> magnitude = integer_magnitude(t, &negative);
    if (magnitude.size() <= 255) {
      sink_.u8(tag::small_big);
      sink_.u8(uint8_t(magnitude.size()));
    } else {
      sink_.u8(tag::large_big);
      sink_.u32(length32(magnitude.size(), "an integer's magnitude"));
    }
    sink_.u8(negative ? 1 : 0);
    sink_.raw({reinterpret_cast<const char*>(magnitude.data()), magnitude.size()});
  }

  void atom_(atom a) {
    if (refs_ != nullptr) {
      if (const auto index = refs_->index_of(a)) {
        sink_.u8(tag::atom_cache_ref);
        sink_.u8(*index);
        return;
      }
    }
    const std::string_view name = a.name();  // at most 255 characters, so at most 1020 bytes
    if (name.size() <= 255) {
      sink_.u8(tag::small_atom_utf8);
      sink_.u8(uint8_t(name.size()));
    } else {
      sink_.u8(tag::atom_utf8);
      sink_.u16(uint16_t(name.size()));
    }
    sink_.raw(name);
  }

  void pid(const otp::pid& p) {
    sink_.u8(tag::new_pid);
    atom_(p.node);
    sink_.u32(p.id);
    sink_.u32(p.serial);
    sink_.u32(p.creation);
  }

  void port(const otp::port& p) {
    if (p.id > v3_port_max) {
      sink_.u8(tag::v4_port);
      atom_(p.node);
      sink_.u64(p.id);
    } else {
      sink_.u8(tag::new_port);
      atom_(p.node);
      sink_.u32(uint32_t(p.id));
    }
    sink_.u32(p.creation);
  }

  void reference(const otp::ref& r) {
    if (r.len == 0 || r.len > otp::ref::max_words) {
      throw encode_error("etf: a reference must have 1 to 5 id words, not " + std::to_string(r.len));
    }
    sink_.u8(tag::newer_reference);
    sink_.u16(uint16_t(r.len));
    atom_(r.node);
    sink_.u32(r.creation);
    for (uint8_t i = 0; i < r.len; ++i) sink_.u32(r.ids[i]);
  }

  void fun(const term& t) {
    const fun_info f = fun_of(t);
    if (f.is_export) {
      sink_.u8(tag::export_);
      atom_(f.module);
      atom_(f.function);
      sink_.u8(tag::small_integer);
      sink_.u8(f.arity);
    } else {
      // A closure came from another node as NEW_FUN_EXT; it goes back byte for byte.
      sink_.u8(tag::new_fun);
      sink_.raw(f.encoded_body);
    }
  }

  void tuple(const term& t) {
    const auto elements = t.tuple_elements();
    if (elements.size() <= 255) {
      sink_.u8(tag::small_tuple);
      sink_.u8(uint8_t(elements.size()));
    } else {
      sink_.u8(tag::large_tuple);
      sink_.u32(length32(elements.size(), "a tuple"));
    }
    for (std::size_t i = elements.size(); i-- > 0;) todo_.push_back(&elements[i]);
  }

  void list(const term& t) {
    // term_to_binary writes a proper list of at most 65535 integers 0..255 as STRING_EXT, anything
    // else as LIST_EXT: count of cons cells, their heads, then the tail ([] or not).
    std::size_t cells = 0;
    bool bytes_only = true;
    const term* p = &t;
    for (; p->is_cons(); p = &p->tail(), ++cells) bytes_only = bytes_only && is_byte(p->head());
    if (bytes_only && p->is_nil() && cells <= string_ext_max) {
      sink_.u8(tag::string);
      sink_.u16(uint16_t(cells));
      for (p = &t; p->is_cons(); p = &p->tail()) sink_.u8(uint8_t(p->head().small_value()));
      return;
    }
    sink_.u8(tag::list);
    sink_.u32(length32(cells, "a list"));
    todo_.push_back(p);  // the tail, written last
    const std::size_t first = todo_.size();
    for (p = &t; p->is_cons(); p = &p->tail()) todo_.push_back(&p->head());
    std::reverse(todo_.begin() + std::ptrdiff_t(first), todo_.end());
  }

  void map(const term& t) {
    const auto entries = t.map_entries();
    sink_.u8(tag::map);
    sink_.u32(length32(entries.size(), "a map"));
    // otp::term keeps keys in map key order, which is the order OTP 25 keeps a small map (at most 32
    // keys) in and so writes it (byte identity). A larger map is a hash trie in the BEAM, whose
    // order we cannot reproduce; it is written in the same key order, which any decoder accepts.
    for (std::size_t i = entries.size(); i-- > 0;) {
      todo_.push_back(&entries[i].second);
      todo_.push_back(&entries[i].first);
    }
  }

  void bitstring(const term& t) {
    const std::string_view bytes = t.bytes();
    const std::size_t bits = t.bit_size();
    const auto tail_bits = uint8_t(bits % 8);
    if (tail_bits == 0) {
      sink_.u8(tag::binary);
      sink_.u32(length32(bytes.size(), "a binary"));
      sink_.raw(bytes);
      return;
    }
    // The last byte holds `tail_bits` bits at its high end; the BEAM writes the unused bits as zero.
    sink_.u8(tag::bit_binary);
    sink_.u32(length32(bytes.size(), "a bitstring"));
    sink_.u8(tail_bits);
    sink_.raw(bytes.substr(0, bytes.size() - 1));
    sink_.u8(uint8_t(uint8_t(bytes.back()) & uint8_t(0xFF << (8 - tail_bits))));
  }

  Sink& sink_;
  atom_cache_refs* refs_;  // null: atoms spelled out
  std::vector<const term*> todo_;
};

void check_level(int level) {
  if (level < 0 || level > 9) {
    throw encode_error("etf: compression level must be 0..9, not " + std::to_string(level));
  }
}

}  // namespace

void encode_body_to(std::string& out, const term& t) {
  const std::size_t start = out.size();
  try {
    string_sink sink(out);
    encoder<string_sink>(sink).run(t);
  } catch (...) {
    out.resize(start);
    throw;
  }
}

void encode_body_to(std::string& out, const term& t, atom_cache_refs& refs) {
  const std::size_t start = out.size();
  try {
    string_sink sink(out);
    encoder<string_sink>(sink, &refs).run(t);
  } catch (...) {
    out.resize(start);
    throw;
  }
}

std::size_t atom_cache_refs::slot_of(atom a) const noexcept {
  // Fibonacci hashing: consecutive atom indices land far apart.
  return std::size_t((uint64_t(a.index()) * 0x9E3779B97F4A7C15ull) >> 55) % slots;
}

std::optional<uint8_t> atom_cache_refs::index_of(atom a) noexcept {
  for (std::size_t slot = slot_of(a);; slot = (slot + 1) % slots) {
    const uint8_t position = positions_[slot];
    if (position == 0) {
      if (size_ == capacity) return std::nullopt;
      atoms_[size_] = a;
      positions_[slot] = uint8_t(++size_);
      return uint8_t(size_ - 1);
    }
    if (atoms_[position - 1u] == a) return uint8_t(position - 1u);
  }
}

void atom_cache_refs::clear() noexcept {
  if (size_ != 0) positions_.fill(0);  // 512 bytes: cheaper than finding the slots in use
  size_ = 0;
}

std::string encode_body(const term& t) {
  std::string out;
  encode_body_to(out, t);
  return out;
}

std::size_t encoded_body_size(const term& t) {
  count_sink sink;
  encoder<count_sink>(sink).run(t);
  return sink.size();
}

void encode_to(std::string& out, const term& t, const encode_options& options) {
  check_level(options.compression_level);
  const std::size_t start = out.size();
  out.push_back(char(version_magic));
  try {
    encode_body_to(out, t);
  } catch (...) {
    out.resize(start);
    throw;
  }
  if (options.compression_level == 0) return;
  std::string stream;
  const std::string_view body = std::string_view(out).substr(start + 1);
  if (!detail::deflate_body(body, options.compression_level, stream)) return;
  const auto body_size = uint32_t(body.size());  // deflate_body refuses bodies beyond 32 bits
  out.resize(start + 1);
  out.push_back(char(tag::compressed));
  detail::store_u32(out, body_size);
  out.append(stream);
}

std::string encode(const term& t, const encode_options& options) {
  std::string out;
  encode_to(out, t, options);
  return out;
}

}  // namespace otp::etf
