#pragma once
// The lexical half of parse_term: a cursor over Erlang term text that reads one scalar at a time
// (numbers, $c characters, atoms, strings, binaries, pids, refs, ports, external funs). The
// structural half (tuples, lists, maps) lives in parse.cpp.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <otp/term/term.hpp>

namespace otp::detail {

class parse_cursor {
 public:
  explicit parse_cursor(std::string_view text) : text_(text) {}

  /// Skips spaces, tabs, newlines and % comments.
  void skip_space() noexcept;
  bool at_end() const noexcept { return pos_ >= text_.size(); }
  char peek(std::size_t ahead = 0) const noexcept {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  /// Consumes `token` if the text continues with it.
  bool eat(std::string_view token) noexcept;
  std::size_t offset() const noexcept { return pos_; }

  /// Reads a scalar term at the cursor, or records an error and returns nullopt.
  std::optional<term> scalar();

  /// Records an error at the cursor (the first one recorded wins).
  void fail(std::string message) noexcept;
  /// Records an error at `offset` (the first one recorded wins).
  void fail_at(std::size_t offset, std::string message) noexcept;
  bool failed() const noexcept { return error_.has_value(); }
  parse_error error() const { return *error_; }

 private:
  std::optional<term> number();
  std::optional<term> char_literal();
  std::optional<term> bare_atom();
  std::optional<term> quoted_atom();
  std::optional<term> strings();
  std::optional<term> binary_literal();
  std::optional<term> pid_literal();
  std::optional<term> hash_literal();  // #Ref<...>, #Port<...>
  std::optional<term> fun_literal();
  std::optional<std::u32string> quoted(char quote);
  std::optional<uint32_t> escape();
  std::optional<uint32_t> code_point();
  std::optional<uint64_t> unsigned_number();
  std::optional<term> atom_from(const std::u32string& name, std::size_t start);

  std::string_view text_;
  std::size_t pos_ = 0;
  std::optional<parse_error> error_;
};

}  // namespace otp::detail
