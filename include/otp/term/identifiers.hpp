#pragma once
// otp::pid, otp::ref, otp::port — the identifiers Erlang gives processes, references and ports.
//
// They are plain values (node atom, numbers, creation) compared structurally, as Erlang compares
// them: by node, then creation-independent ids, exactly as the term order of erts defines it.
// `creation` tells incarnations of a node apart; a pid of an older incarnation is a different pid.
//
// The local node's name and creation are a process-wide setting of the term layer (erts keeps the
// same in `erts_this_node`): the runtime sets them when a node starts, and printing uses them to
// write local pids as <0.ID.Serial>.

#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <functional>
#include <type_traits>

#include <otp/term/atom.hpp>

namespace otp {

struct pid {
  atom node = atoms::nonode_nohost;
  uint32_t id = 0;
  uint32_t serial = 0;
  uint32_t creation = 0;

  friend bool operator==(const pid&, const pid&) = default;
  /// Erlang's order for pids: node, then serial, then id (creation breaks ties).
  friend std::strong_ordering operator<=>(const pid& a, const pid& b) noexcept;
};

struct port {
  atom node = atoms::nonode_nohost;
  uint64_t id = 0;
  uint32_t creation = 0;

  friend bool operator==(const port&, const port&) = default;
  friend std::strong_ordering operator<=>(const port& a, const port& b) noexcept;
};

struct ref {
  static constexpr std::size_t max_words = 5;
  atom node = atoms::nonode_nohost;
  uint32_t creation = 0;
  uint32_t len = 0;  // number of used words in ids (1..5); a whole word, so the struct has no padding
  // ids[0] is the least significant word, as on the wire. Words past `len` stay zero (== compares
  // all five).
  std::array<uint32_t, max_words> ids{};

  // Inline, and the whole struct at once as four words (no padding, unused words zero): monitors
  // and aliases are looked up by reference several times in every gen_server call.
  // (GCC expands a fixed-size memcmp for equality into word compares; copying the words out by
  // hand made it spill vector registers to the stack.)
  friend bool operator==(const ref& a, const ref& b) noexcept {
    return std::memcmp(&a, &b, sizeof(ref)) == 0;
  }
  /// Erlang's order for refs: node, then the id words from the most significant.
  friend std::strong_ordering operator<=>(const ref& a, const ref& b) noexcept;
};

static_assert(sizeof(ref) == 32 && std::has_unique_object_representations_v<ref>,
              "ref has no padding: == compares it as four words");

/// The local node as the term layer sees it (default 'nonode@nohost', creation 0).
struct local_node_info {
  atom name = atoms::nonode_nohost;
  uint32_t creation = 0;
};
local_node_info local_node() noexcept;
/// Set once, when the first node of the OS process starts. From then on the pids of that node are
/// stored in the term word itself, as the BEAM stores its local pids: setting it again later would
/// re-label them, so only a test that restores it afterwards may.
void set_local_node(atom name, uint32_t creation) noexcept;
namespace detail {
/// Whether (name, creation) is the local node, once one has been set.
bool is_set_local_node(atom name, uint32_t creation) noexcept;
}  // namespace detail

}  // namespace otp

template <>
struct std::hash<otp::pid> {
  std::size_t operator()(const otp::pid& p) const noexcept {
    uint64_t h = (uint64_t(p.id) << 32 | p.serial) * 0x9E3779B97F4A7C15ull;
    return std::size_t(h ^ (uint64_t(p.node.index()) << 7) ^ p.creation);
  }
};
template <>
struct std::hash<otp::ref> {
  std::size_t operator()(const otp::ref& r) const noexcept {
    uint64_t h = r.node.index();
    for (uint8_t i = 0; i < r.len; ++i) h = (h ^ r.ids[i]) * 0x100000001B3ull;
    return std::size_t(h ^ r.creation);
  }
};
