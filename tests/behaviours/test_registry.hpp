#pragma once
// A {via, test_registry, Name} name service for tests: a map under a mutex (any name_service may
// be called from several processes at once). It forgets names whose process has died when they
// are looked up; a real registry (global, Elixir's Registry) monitors its processes instead.

#include <map>
#include <mutex>
#include <optional>

#include <otp/gen.hpp>
#include <otp/runtime.hpp>

namespace otp::test {

/// A {via, test_registry, Name} registry: a map under a mutex.
class test_registry : public gen::name_service {
 public:
  bool register_name(const term& name, const pid& p) override {
    std::lock_guard<std::mutex> lock(mutex_);
    return names_.emplace(name, p).second;
  }
  void unregister_name(const term& name) override {
    std::lock_guard<std::mutex> lock(mutex_);
    names_.erase(name);
  }
  std::optional<pid> whereis_name(const term& name) override {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = names_.find(name);
    if (it == names_.end() || !is_process_alive(it->second)) return std::nullopt;
    return it->second;
  }
  atom module_name() const override { return atom("test_registry"); }

 private:
  std::mutex mutex_;
  std::map<term, pid> names_;
};

}  // namespace otp::test
