#pragma once
// Small keyed tables for per-process bookkeeping (links, monitors, aliases, the dictionary).
//
// Most processes hold a handful of entries, so they live in a flat vector searched in order: no
// allocation per entry, no buckets, and an empty table costs one pointer-sized vector. A table
// that grows past `indexed_from` entries (a supervisor with thousands of links, a dictionary used
// as a store) gets a hash index from key to position, keeping every operation constant-time.
// Erasing moves the last entry into the freed place, so order is not kept and an erase
// invalidates iterators to the last entry.

#include <cstddef>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "term/small_alloc.hpp"

namespace otp::detail {

template <class Entry, class Key, const Key& (*KeyOf)(const Entry&)>
class small_table {
 public:
  using value_type = Entry;
  // Entry storage from the small-block caches: a table of a few entries is allocated and freed
  // on every gen_server call (the monitor and its alias).
  using storage = std::vector<Entry, small_allocator<Entry>>;
  using iterator = typename storage::iterator;
  using const_iterator = typename storage::const_iterator;

  iterator begin() noexcept { return entries_.begin(); }
  iterator end() noexcept { return entries_.end(); }
  const_iterator begin() const noexcept { return entries_.begin(); }
  const_iterator end() const noexcept { return entries_.end(); }
  std::size_t size() const noexcept { return entries_.size(); }
  bool empty() const noexcept { return entries_.empty(); }
  void reserve(std::size_t n) { entries_.reserve(n); }
  /// Entries it has room for without allocating; an index counts as unbounded.
  std::size_t capacity() const noexcept { return index_ != nullptr ? ~std::size_t(0) : entries_.capacity(); }

  iterator find(const Key& key) noexcept {
    const std::size_t i = position(key);
    return i == npos ? end() : begin() + std::ptrdiff_t(i);
  }
  const_iterator find(const Key& key) const noexcept {
    const std::size_t i = position(key);
    return i == npos ? end() : begin() + std::ptrdiff_t(i);
  }
  bool contains(const Key& key) const noexcept { return position(key) != npos; }

  /// Adds `entry` unless its key is present; returns where the key's entry is and whether added.
  std::pair<iterator, bool> add(Entry entry) {
    const std::size_t i = position(KeyOf(entry));
    if (i != npos) return {begin() + std::ptrdiff_t(i), false};
    if (index_ != nullptr) {
      index_->emplace(KeyOf(entry), entries_.size());
    } else if (entries_.size() + 1 > indexed_from) {
      index_ = std::make_unique<std::unordered_map<Key, std::size_t>>();
      for (std::size_t j = 0; j < entries_.size(); ++j) index_->emplace(KeyOf(entries_[j]), j);
      index_->emplace(KeyOf(entry), entries_.size());
    }
    entries_.push_back(std::move(entry));
    return {end() - 1, true};
  }

  /// Removes the entry at `it`; the last entry takes its place (so `it` then points at that one).
  iterator erase(iterator it) {
    const std::size_t i = std::size_t(it - begin());
    if (index_ != nullptr) index_->erase(KeyOf(*it));
    if (i + 1 != entries_.size()) {
      *it = std::move(entries_.back());
      if (index_ != nullptr) (*index_)[KeyOf(*it)] = i;
    }
    entries_.pop_back();
    return begin() + std::ptrdiff_t(i);
  }
  std::size_t erase(const Key& key) {
    auto it = find(key);
    if (it == end()) return 0;
    erase(it);
    return 1;
  }

 private:
  static constexpr std::size_t npos = ~std::size_t(0);
  static constexpr std::size_t indexed_from = 16;

  std::size_t position(const Key& key) const noexcept {
    if (index_ != nullptr) {
      auto it = index_->find(key);
      return it == index_->end() ? npos : it->second;
    }
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      if (KeyOf(entries_[i]) == key) return i;
    }
    return npos;
  }

  storage entries_;
  std::unique_ptr<std::unordered_map<Key, std::size_t>> index_;
};

template <class K, class V>
const K& first_of(const std::pair<K, V>& e) noexcept {
  return e.first;
}
template <class K>
const K& itself(const K& k) noexcept {
  return k;
}

/// Key -> value; entries are std::pair<Key, Value> (`it->second`, structured bindings).
template <class K, class V>
class small_map : public small_table<std::pair<K, V>, K, &first_of<K, V>> {
 public:
  std::pair<typename small_map::iterator, bool> emplace(K key, V value) {
    return this->add(std::pair<K, V>(std::move(key), std::move(value)));
  }
};

/// A set of keys.
template <class K>
class small_set : public small_table<K, K, &itself<K>> {
 public:
  std::pair<typename small_set::iterator, bool> insert(K key) { return this->add(std::move(key)); }
};

}  // namespace otp::detail
