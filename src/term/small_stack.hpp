#pragma once
// A LIFO worklist that lives on the C++ stack while it is small and spills to the heap when it
// grows. Destroying, comparing and hashing terms walk with one of these instead of recursing; most
// terms are shallow, so the common case allocates nothing.

#include <cstddef>
#include <vector>

namespace otp::detail {

template <class T, std::size_t N>
class small_stack {
 public:
  small_stack() = default;
  small_stack(const small_stack&) = delete;
  small_stack& operator=(const small_stack&) = delete;
  // The heap part is made only when the stack first outgrows N: an empty std::vector member
  // cost every short walk (every message freed) its construction and destruction.
  ~small_stack() { delete spill_; }

  [[gnu::always_inline]] void push(const T& v) {
    // Once spilled, keep pushing to the heap part so that pop order stays last-in first-out.
    if (spill_ == nullptr && size_ < N) {
      local_[size_++] = v;
    } else {
      if (spill_ == nullptr) spill_ = new std::vector<T>();
      spill_->push_back(v);
    }
  }
  T pop() noexcept {
    if (spill_ != nullptr && !spill_->empty()) {
      T v = spill_->back();
      spill_->pop_back();
      return v;
    }
    return local_[--size_];
  }
  bool empty() const noexcept { return size_ == 0 && (spill_ == nullptr || spill_->empty()); }

 private:
  T local_[N];
  std::size_t size_ = 0;
  std::vector<T>* spill_ = nullptr;
};

}  // namespace otp::detail
