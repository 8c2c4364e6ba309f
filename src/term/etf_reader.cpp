// term_reader's driver: the explicit stack of compound terms (tuples, lists, maps, closures).

#include "term/etf_reader.hpp"

#include <algorithm>
#include <exception>
#include <new>
#include <span>
#include <utility>

#include "term/etf_bytes.hpp"
#include "term/etf_tags.hpp"

namespace otp::etf::detail {
namespace {

// NEW_FUN_EXT's fixed part after the tag: Size:32 Arity:8 Uniq:16x8 Index:32 NumFree:32.
constexpr std::size_t fun_fixed_size = 4 + 1 + 16 + 4 + 4;

}  // namespace

uint16_t term_reader::u16() noexcept {
  const uint16_t v = load_u16(here());
  pos_ += 2;
  return v;
}
uint32_t term_reader::u32() noexcept {
  const uint32_t v = load_u32(here());
  pos_ += 4;
  return v;
}
uint64_t term_reader::u64() noexcept {
  const uint64_t v = load_u64(here());
  pos_ += 8;
  return v;
}

bool term_reader::fail(decode_errc code, std::size_t offset, std::string what) {
  error_.code = code;
  error_.offset = offset;
  error_.message = std::string(errc_name(code)) + " at byte " + std::to_string(offset) + ": " + what;
  return false;
}

bool term_reader::need(std::size_t n, const char* what) {
  if (left() >= n) return true;
  return fail(decode_errc::truncated, pos_,
              std::string(what) + " needs " + std::to_string(n) + " more bytes, " + std::to_string(left()) +
                  " remain");
}

bool term_reader::count_terms(std::size_t n) {
  terms_ += n;  // cannot wrap: n is bounded by the input size each time
  if (terms_ <= limits_.max_terms) return true;
  return fail(decode_errc::too_large, pos_,
              "more than decode_limits::max_terms (" + std::to_string(limits_.max_terms) + ") terms");
}

bool term_reader::read(term& out) noexcept {
  try {
    return read_all(out);
  } catch (const std::bad_alloc&) {
    return fail(decode_errc::too_large, pos_, "out of memory");
  } catch (const std::exception& e) {
    // The term layer refused a value the checks above let through; report it rather than crash.
    return fail(decode_errc::bad_value, pos_, e.what());
  }
}

bool term_reader::read_all(term& out) {
  term value;
  for (;;) {
    switch (item(value)) {
      case step::failed:
        return false;
      case step::pushed:
        if (!merge_list_tails()) return false;
        continue;
      case step::value:
        break;
    }
    // Hand the value to the frame waiting for it; each frame it completes yields the next value.
    for (;;) {
      if (stack_.empty()) {
        out = std::move(value);
        return true;
      }
      frame& f = stack_.back();
      if (f.kind != frame_kind::fun) items_.push_back(std::move(value));
      if (--f.remaining > 0) break;
      if (!finish(f, value)) return false;
      items_.resize(f.base);
      stack_.pop_back();
    }
    if (!merge_list_tails()) return false;
  }
}

term_reader::step term_reader::item(term& value) {
  if (!need(1, "a term")) return step::failed;
  const std::size_t start = pos_;
  const uint8_t t = u8();
  if (!count_terms(1)) return step::failed;
  switch (t) {
    case tag::small_tuple:
      if (!need(1, "SMALL_TUPLE_EXT")) return step::failed;
      return open(frame_kind::tuple, u8(), start, value);
    case tag::large_tuple:
      if (!need(4, "LARGE_TUPLE_EXT")) return step::failed;
      return open(frame_kind::tuple, u32(), start, value);
    case tag::map:
      if (!need(4, "MAP_EXT")) return step::failed;
      return open(frame_kind::map, uint64_t(u32()) * 2, start, value);
    case tag::list:
      if (!need(4, "LIST_EXT")) return step::failed;
      return open(frame_kind::list, uint64_t(u32()) + 1, start, value);
    case tag::new_fun:
      return open_fun(start, value);
    default:
      return leaf(t, start, value) ? step::value : step::failed;
  }
}

term_reader::step term_reader::open(frame_kind kind, uint64_t count, std::size_t start, term& value) {
  if (count == 0) {
    value = kind == frame_kind::map ? otp::make_map({}) : otp::make_tuple({});
    return step::value;
  }
  // Every item takes at least one byte: refuse a count the input cannot hold before reserving.
  if (count > left()) {
    fail(decode_errc::truncated, start,
         "a compound term claims " + std::to_string(count) + " items but only " + std::to_string(left()) +
             " bytes remain");
    return step::failed;
  }
  if (stack_.size() >= limits_.max_depth) {
    fail(decode_errc::too_deep, start,
         "nesting deeper than decode_limits::max_depth (" + std::to_string(limits_.max_depth) + ")");
    return step::failed;
  }
  stack_.push_back(frame{kind, count, start, items_.size()});
  return step::pushed;
}

// NEW_FUN_EXT: Size:32 Arity:8 Uniq:16x8 Index:32 NumFree:32 Module OldIndex OldUniq Pid FreeVars...
// Size counts itself and everything after it. The fun is kept as those bytes (otp::closure); its
// parts are still decoded so that a malformed fun is refused here rather than by the node we echo
// it to, and the free variables go through the frame stack like any nested term.
term_reader::step term_reader::open_fun(std::size_t start, term& value) {
  if (!need(fun_fixed_size, "NEW_FUN_EXT")) return step::failed;
  const uint32_t size = load_u32(here());
  if (size < fun_fixed_size) {
    fail(decode_errc::bad_value, start, "NEW_FUN_EXT size " + std::to_string(size) + " is too small");
    return step::failed;
  }
  if (size > left()) {
    fail(decode_errc::truncated, start,
         "NEW_FUN_EXT claims " + std::to_string(size) + " bytes, " + std::to_string(left()) + " remain");
    return step::failed;
  }
  const std::size_t end = pos_ + size;
  const uint8_t arity = here()[4];
  pos_ += 4 + 1 + 16 + 4;
  const uint32_t free_count = u32();
  atom module;
  if (!node_atom(module) || !small_int_field("NEW_FUN_EXT OldIndex") ||
      !small_int_field("NEW_FUN_EXT OldUniq")) {
    return step::failed;
  }
  if (!need(1, "NEW_FUN_EXT Pid")) return step::failed;
  const uint8_t pid_tag = u8();
  if (pid_tag != tag::new_pid && pid_tag != tag::pid) {
    fail(decode_errc::bad_tag, pos_ - 1, "NEW_FUN_EXT Pid has tag " + std::to_string(pid_tag));
    return step::failed;
  }
  term pid;
  if (!pid_value(pid_tag, pid)) return step::failed;
  frame f{frame_kind::fun, free_count, start, items_.size()};
  f.fun_end = end;
  f.fun_module = module;
  f.fun_arity = arity;
  if (free_count == 0) return finish(f, value) ? step::value : step::failed;
  if (free_count > left()) {
    fail(decode_errc::truncated, start,
         "NEW_FUN_EXT claims " + std::to_string(free_count) + " free variables, " + std::to_string(left()) +
             " bytes remain");
    return step::failed;
  }
  if (stack_.size() >= limits_.max_depth) {
    fail(decode_errc::too_deep, start, "nesting deeper than decode_limits::max_depth");
    return step::failed;
  }
  stack_.push_back(std::move(f));
  return step::pushed;
}

bool term_reader::small_int_field(const char* what) {
  if (!need(1, what)) return false;
  const uint8_t t = u8();
  if (t == tag::small_integer) return need(1, what) && (pos_ += 1, true);
  if (t == tag::integer) return need(4, what) && (pos_ += 4, true);
  return fail(decode_errc::bad_tag, pos_ - 1,
              std::string(what) + " must be SMALL_INTEGER_EXT or INTEGER_EXT");
}

// Builds the compound term of a complete frame from its items (the caller then drops them).
bool term_reader::finish(const frame& f, term& value) {
  const std::span<term> items = std::span(items_).subspan(f.base);
  switch (f.kind) {
    case frame_kind::tuple:
      value = otp::make_tuple(items);
      return true;
    case frame_kind::list: {
      term tail = std::move(items.back());
      value = items.size() == 1 ? std::move(tail) : make_list(items.first(items.size() - 1), std::move(tail));
      return true;
    }
    case frame_kind::map: {
      std::vector<std::pair<term, term>> entries;
      entries.reserve(items.size() / 2);
      for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
        entries.emplace_back(std::move(items[i]), std::move(items[i + 1]));
      }
      const std::size_t arity = entries.size();
      value = make_map(std::move(entries));
      if (value.map_size() == arity) return true;
      return fail(decode_errc::duplicate_key, f.start, "MAP_EXT holds the same key twice");
    }
    case frame_kind::fun:
      if (pos_ != f.fun_end) {
        return fail(decode_errc::bad_value, f.start,
                    "NEW_FUN_EXT size says it ends at byte " + std::to_string(f.fun_end) +
                        ", its contents end at byte " + std::to_string(pos_));
      }
      value = closure(f.fun_module, f.fun_arity, in_.substr(f.start + 1, f.fun_end - f.start - 1));
      return true;
  }
  return false;
}

// A list whose tail is itself a LIST_EXT ([1 | [2 | [3]]] written cell by cell) would otherwise nest
// one frame per cell; this folds such tails into the waiting frame, as they denote one longer list.
bool term_reader::merge_list_tails() {
  while (!stack_.empty()) {
    frame& f = stack_.back();
    if (f.kind != frame_kind::list || f.remaining != 1 || left() == 0 || *here() != tag::list) return true;
    const std::size_t start = pos_;
    if (!need(5, "LIST_EXT") || !count_terms(1)) return false;
    ++pos_;
    const uint32_t count = u32();
    if (count > left()) {
      return fail(decode_errc::truncated, start,
                  "LIST_EXT claims " + std::to_string(count) + " elements but only " +
                      std::to_string(left()) + " bytes remain");
    }
    f.remaining += count;
  }
  return true;
}

}  // namespace otp::etf::detail
