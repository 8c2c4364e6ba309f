#pragma once
// otp::detail::function_ref — a non-owning reference to a callable (C++26's std::function_ref,
// reduced to what the runtime needs): two pointers, no allocation. For a callback that runs
// before the call taking it returns; std::function would copy a capture of more than 16 bytes
// to the heap, once per call on paths like gen's call.

#include <memory>
#include <type_traits>
#include <utility>

namespace otp::detail {

template <class Signature>
class function_ref;

template <class R, class... Args>
class function_ref<R(Args...)> {
 public:
  template <class F>
  requires(!std::is_same_v<std::remove_cvref_t<F>, function_ref> && std::is_invocable_r_v<R, F&, Args...>)
      function_ref(F&& f)
  noexcept  // NOLINT(google-explicit-constructor): stands for the callable
      : object_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* object, Args... args) -> R {
          return (*static_cast<std::remove_reference_t<F>*>(object))(std::forward<Args>(args)...);
        }) {}

  R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

 private:
  void* object_;
  R (*call_)(void*, Args...);
};

}  // namespace otp::detail
