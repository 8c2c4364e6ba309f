#pragma once
// Locally registered names (register/2, whereis/1): one map each way under one lock.

#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include <otp/term/term.hpp>

namespace otp::detail {

class name_registry {
 public:
  /// Registers `name` for `p` if the name is free, `p` has no name, and `alive()` holds (checked
  /// under the registry's lock, so a process that exits concurrently cannot keep a stale name).
  template <class AliveFn>
  bool add(atom name, const pid& p, AliveFn&& alive) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (by_name_.contains(name) || by_pid_.contains(p) || !alive()) return false;
    by_name_.emplace(name, p);
    by_pid_.emplace(p, name);
    return true;
  }
  bool remove(atom name);
  /// Drops the name of an exiting process, if it had one.
  void remove_pid(const pid& p);
  std::optional<pid> find(atom name) const;
  std::optional<atom> name_of(const pid& p) const;
  std::vector<atom> names() const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<atom, pid> by_name_;
  std::unordered_map<pid, atom> by_pid_;
};

}  // namespace otp::detail
