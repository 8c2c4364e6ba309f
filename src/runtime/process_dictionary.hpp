#pragma once
// The process dictionary (put/get/erase): a few entries in most processes (proc_lib's
// '$ancestors' and '$initial_call'), so a small_table, indexed only when it grows.

#include <optional>
#include <utility>
#include <vector>

#include <otp/term/term.hpp>

#include "runtime/small_table.hpp"

namespace otp::detail {

class process_dictionary {
 public:
  // Room for proc_lib's three keys ('$ancestors', '$initial_call', '$proc_lib_start') from the
  // start: every proc_lib start puts them, and growing one entry at a time was three allocations.
  process_dictionary() { entries_.reserve(3); }
  static void* operator new(std::size_t size) { return small_allocate(size); }
  static void operator delete(void* p, std::size_t size) noexcept { small_deallocate(p, size); }

  /// The value stored under `key`, or nullptr.
  const term* find(const term& key) const noexcept {
    auto it = entries_.find(key);
    return it == entries_.end() ? nullptr : &it->second;
  }
  /// Stores `value` under `key`; returns the previous value, if there was one.
  std::optional<term> put(term key, term value) {
    auto it = entries_.find(key);
    if (it != entries_.end()) return std::exchange(it->second, std::move(value));
    entries_.emplace(std::move(key), std::move(value));
    return std::nullopt;
  }
  /// Removes `key`; returns its value, if it had one.
  std::optional<term> erase(const term& key) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    term old = std::move(it->second);
    entries_.erase(it);
    return old;
  }
  std::vector<std::pair<term, term>> items() const { return {entries_.begin(), entries_.end()}; }
  bool empty() const noexcept { return entries_.empty(); }

 private:
  small_map<term, term> entries_;
};

}  // namespace otp::detail
