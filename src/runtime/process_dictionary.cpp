#include "runtime/process_dictionary.hpp"

namespace otp::detail {

std::size_t process_dictionary::position(const term& key) const noexcept {
  if (index_ != nullptr) {
    auto it = index_->find(key);
    return it == index_->end() ? npos : it->second;
  }
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].first == key) return i;
  }
  return npos;
}

std::optional<term> process_dictionary::put(term key, term value) {
  const std::size_t i = position(key);
  if (i != npos) return std::exchange(entries_[i].second, std::move(value));
  if (index_ != nullptr) {
    index_->emplace(key, entries_.size());
  } else if (entries_.size() + 1 > indexed_from) {
    index_ = std::make_unique<std::unordered_map<term, std::size_t>>();
    for (std::size_t j = 0; j < entries_.size(); ++j) index_->emplace(entries_[j].first, j);
    index_->emplace(key, entries_.size());
  }
  entries_.emplace_back(std::move(key), std::move(value));
  return std::nullopt;
}

std::optional<term> process_dictionary::erase(const term& key) {
  const std::size_t i = position(key);
  if (i == npos) return std::nullopt;
  term old = std::move(entries_[i].second);
  // Swap-remove: the last entry takes the freed place (order is not part of the contract).
  if (index_ != nullptr) index_->erase(key);
  if (i + 1 != entries_.size()) {
    entries_[i] = std::move(entries_.back());
    if (index_ != nullptr) (*index_)[entries_[i].first] = i;
  }
  entries_.pop_back();
  return old;
}

}  // namespace otp::detail
