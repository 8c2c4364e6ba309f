#include "runtime/name_registry.hpp"

namespace otp::detail {

bool name_registry::remove(atom name) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return false;
  by_pid_.erase(it->second);
  by_name_.erase(it);
  return true;
}

void name_registry::remove_pid(const pid& p) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = by_pid_.find(p);
  if (it == by_pid_.end()) return;
  by_name_.erase(it->second);
  by_pid_.erase(it);
}

std::optional<pid> name_registry::find(atom name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

std::optional<atom> name_registry::name_of(const pid& p) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = by_pid_.find(p);
  if (it == by_pid_.end()) return std::nullopt;
  return it->second;
}

std::vector<atom> name_registry::names() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<atom> out;
  out.reserve(by_name_.size());
  for (const auto& [name, p] : by_name_) out.push_back(name);
  return out;
}

}  // namespace otp::detail
