#pragma once
// otp::unique_function<R()> and otp::process_body (= unique_function<void()>), the code a
// process runs: any callable taking no arguments, moved in.
//
// Like std::function<R()>, but move-only (a body may own what it captures: a unique_ptr, a
// socket) and with room for 24 bytes of captures in place, where std::function has 16: a lambda
// capturing a pid (16 bytes) and an atom went to malloc and back once per spawn. Larger captures
// take a block from the runtime's per-thread caches rather than malloc. The same size as
// std::function, so a process control block is no larger for it.

#include <cstddef>
#include <functional>
#include <new>
#include <type_traits>
#include <utility>

namespace otp {

namespace detail {
/// Memory for a body too large to be held in place (the runtime's small-block caches).
void* allocate_body(std::size_t size);
void deallocate_body(void* p, std::size_t size) noexcept;
}  // namespace detail

template <class Signature>
class unique_function;

template <class R>
class unique_function<R()> {
 public:
  unique_function() noexcept = default;
  unique_function(std::nullptr_t) noexcept {}  // NOLINT(google-explicit-constructor): as std::function

  /// Takes `f` (moved or copied in). An empty std::function gives an empty body.
  template <class F>
  requires(!std::is_same_v<std::remove_cvref_t<F>, unique_function> &&
           std::is_invocable_r_v<R, std::decay_t<F>&>)
      unique_function(F&& f) {  // NOLINT(google-explicit-constructor): stands for the callable
    using T = std::decay_t<F>;
    if constexpr (std::is_same_v<T, std::function<R()>>) {
      if (!f) return;
    }
    if constexpr (fits_in_place<T>) {
      ::new (static_cast<void*>(storage_)) T(std::forward<F>(f));
      ops_ = &in_place_ops<T>;
    } else {
      void* mem = detail::allocate_body(sizeof(T));
      try {
        ::new (mem) T(std::forward<F>(f));
      } catch (...) {
        detail::deallocate_body(mem, sizeof(T));
        throw;
      }
      ::new (static_cast<void*>(storage_)) void*(mem);
      ops_ = &out_of_place_ops<T>;
    }
  }

  unique_function(unique_function&& other) noexcept { take(other); }
  unique_function& operator=(unique_function&& other) noexcept {
    if (this != &other) {
      reset();
      take(other);
    }
    return *this;
  }
  unique_function& operator=(std::nullptr_t) noexcept {
    reset();
    return *this;
  }
  unique_function(const unique_function&) = delete;
  unique_function& operator=(const unique_function&) = delete;
  ~unique_function() { reset(); }

  explicit operator bool() const noexcept { return ops_ != nullptr; }
  /// Runs the body; throws std::bad_function_call if it is empty. Const as std::function's is: a
  /// body is called through const lambdas' captures.
  R operator()() const {
    if (ops_ == nullptr) throw std::bad_function_call();
    return ops_->invoke(storage_);
  }

 private:
  static constexpr std::size_t in_place_size = 24;

  struct operations {
    R (*invoke)(void* storage);
    void (*move)(void* to, void* from) noexcept;  // leaves `from` destroyed
    void (*destroy)(void* storage) noexcept;
  };

  template <class T>
  static constexpr bool fits_in_place =
      sizeof(T) <= in_place_size && alignof(T) <= alignof(void*) && std::is_nothrow_move_constructible_v<T>;

  template <class T>
  static T& in_place(void* storage) noexcept {
    return *std::launder(static_cast<T*>(storage));
  }
  template <class T>
  static T& out_of_place(void* storage) noexcept {
    return *static_cast<T*>(*std::launder(static_cast<void**>(storage)));
  }

  template <class T>
  static constexpr operations in_place_ops{
      [](void* s) -> R { return static_cast<R>(in_place<T>(s)()); },
      [](void* to, void* from) noexcept {
        ::new (to) T(std::move(in_place<T>(from)));
        in_place<T>(from).~T();
      },
      [](void* s) noexcept { in_place<T>(s).~T(); },
  };
  template <class T>
  static constexpr operations out_of_place_ops{
      [](void* s) -> R { return static_cast<R>(out_of_place<T>(s)()); },
      [](void* to, void* from) noexcept { ::new (to) void*(*static_cast<void**>(from)); },
      [](void* s) noexcept {
        T* object = &out_of_place<T>(s);
        object->~T();
        detail::deallocate_body(object, sizeof(T));
      },
  };

  void take(unique_function& other) noexcept {
    if (other.ops_ == nullptr) return;
    other.ops_->move(storage_, other.storage_);
    ops_ = std::exchange(other.ops_, nullptr);
  }
  void reset() noexcept {
    if (ops_ != nullptr) std::exchange(ops_, nullptr)->destroy(storage_);
  }

  alignas(void*) mutable unsigned char storage_[in_place_size];
  const operations* ops_ = nullptr;
};

using process_body = unique_function<void()>;

}  // namespace otp
