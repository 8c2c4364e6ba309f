#pragma once
// The process dictionary (put/get/erase): a few entries in most processes (proc_lib's
// '$ancestors' and '$initial_call'), so a flat vector searched in order; past `indexed_from`
// entries a hash index keeps get and put constant-time for processes that use it as a store.

#include <cstddef>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include <otp/term/term.hpp>

namespace otp::detail {

class process_dictionary {
 public:
  using entry = std::pair<term, term>;

  /// The value stored under `key`, or nullptr.
  const term* find(const term& key) const noexcept {
    const std::size_t i = position(key);
    return i == npos ? nullptr : &entries_[i].second;
  }
  /// Stores `value` under `key`; returns the previous value, if there was one.
  std::optional<term> put(term key, term value);
  /// Removes `key`; returns its value, if it had one.
  std::optional<term> erase(const term& key);
  const std::vector<entry>& entries() const noexcept { return entries_; }
  bool empty() const noexcept { return entries_.empty(); }

 private:
  static constexpr std::size_t npos = ~std::size_t(0);
  static constexpr std::size_t indexed_from = 16;
  std::size_t position(const term& key) const noexcept;

  std::vector<entry> entries_;
  std::unique_ptr<std::unordered_map<term, std::size_t>> index_;  // key -> position, when large
};

}  // namespace otp::detail
