#pragma once
// otp::expected<T, E> — a value or an error, for outcomes a caller is expected to handle
// (a parse error, a call timeout). GCC 12 has no std::expected; this is the subset OTP++ needs,
// with the same names so that moving to std::expected later is a search-and-replace.

#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

namespace otp {

template <class E>
class unexpected {
 public:
  explicit unexpected(E e) : error_(std::move(e)) {}
  const E& error() const& noexcept { return error_; }
  E&& error() && noexcept { return std::move(error_); }

 private:
  E error_;
};
template <class E>
unexpected(E) -> unexpected<E>;

class bad_expected_access : public std::logic_error {
 public:
  bad_expected_access() : std::logic_error("otp::expected holds an error, not a value") {}
};

template <class T, class E>
class expected {
 public:
  template <class U = T>
  requires std::is_constructible_v<T, U&&> expected(U&& value)
      : v_(std::in_place_index<0>, std::forward<U>(value)) {}
  template <class G>
  expected(unexpected<G> e) : v_(std::in_place_index<1>, std::move(e).error()) {}

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { return check(), std::get<0>(v_); }
  const T& value() const& { return check(), std::get<0>(v_); }
  T&& value() && { return check(), std::get<0>(std::move(v_)); }
  T& operator*() & noexcept { return *std::get_if<0>(&v_); }
  const T& operator*() const& noexcept { return *std::get_if<0>(&v_); }
  T* operator->() noexcept { return std::get_if<0>(&v_); }
  const T* operator->() const noexcept { return std::get_if<0>(&v_); }
  template <class U>
  T value_or(U&& other) const& {
    return has_value() ? std::get<0>(v_) : T(std::forward<U>(other));
  }

  const E& error() const& noexcept { return *std::get_if<1>(&v_); }
  E& error() & noexcept { return *std::get_if<1>(&v_); }

 private:
  void check() const {
    if (!has_value()) throw bad_expected_access();
  }
  std::variant<T, E> v_;
};

}  // namespace otp
