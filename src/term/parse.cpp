// parse_term: the structure of Erlang term text (tuples, lists with | tails, maps).
//
// Open containers are kept on an explicit stack rather than the C++ call stack, so that nesting
// is bounded by max_depth and deep input gives an error, never a stack overflow (parsing may run
// on a small fiber stack).

#include <stdexcept>
#include <vector>

#include "term/parse_cursor.hpp"

namespace otp {
namespace {

constexpr std::size_t max_depth = 10000;

enum class container : uint8_t { tuple, list, map };

struct frame {
  container kind;
  std::size_t start;
  std::vector<term> items;
  std::vector<std::pair<term, term>> entries;
  term key;
  bool have_key = false;
  bool in_tail = false;  // after '|' in a list
  term tail;
};

char closer(container k) { return k == container::tuple ? '}' : k == container::list ? ']' : '}'; }

term build(frame& f) {
  switch (f.kind) {
    case container::tuple:
      return otp::make_tuple(f.items);
    case container::list:
      return make_list(f.items, std::move(f.tail));
    case container::map:
      return make_map(std::move(f.entries));
  }
  return term();
}

}  // namespace

expected<term, parse_error> parse_term(std::string_view text) {
  detail::parse_cursor in(text);
  std::vector<frame> stack;
  auto error = [&] { return unexpected(in.error()); };
  auto eat_closer = [&](container k) {
    const char c = closer(k);
    return in.eat(std::string_view(&c, 1));
  };

  while (true) {
    // 1. Read a value, or open a container (and continue with its first element).
    in.skip_space();
    std::optional<term> value;
    const std::size_t start = in.offset();
    std::optional<container> opened;
    if (in.eat("{")) {
      opened = container::tuple;
    } else if (in.eat("[")) {
      opened = container::list;
    } else if (in.eat("#{")) {
      opened = container::map;
    }
    if (opened) {
      if (stack.size() >= max_depth) {
        in.fail_at(start, "terms nested deeper than " + std::to_string(max_depth));
        return error();
      }
      stack.push_back(frame{*opened, start, {}, {}, term(), false, false, term()});
      in.skip_space();
      if (!eat_closer(*opened)) continue;
      value = build(stack.back());
      stack.pop_back();
    } else {
      value = in.scalar();
      if (!value) return error();
    }

    // 2. Hand the value to the innermost open container, closing containers as they end.
    while (true) {
      if (stack.empty()) {
        in.skip_space();
        in.eat(".");
        in.skip_space();
        if (!in.at_end()) {
          in.fail("unexpected text after the term");
          return error();
        }
        return std::move(*value);
      }
      frame& f = stack.back();
      in.skip_space();
      if (f.kind == container::map && !f.have_key) {
        f.key = std::move(*value);
        f.have_key = true;
        if (!in.eat("=>")) {
          in.fail("expected '=>' in map");
          return error();
        }
        break;  // read the value
      }
      if (f.in_tail) {
        f.tail = std::move(*value);
        if (!in.eat("]")) {
          in.fail("expected ']' after list tail");
          return error();
        }
        value = build(f);
        stack.pop_back();
        continue;
      }
      if (f.kind == container::map) {
        f.entries.emplace_back(std::move(f.key), std::move(*value));
        f.have_key = false;
      } else {
        f.items.push_back(std::move(*value));
      }
      if (in.eat(",")) break;
      if (f.kind == container::list && in.eat("|")) {
        f.in_tail = true;
        break;
      }
      if (eat_closer(f.kind)) {
        value = build(f);
        stack.pop_back();
        continue;
      }
      in.fail(std::string("expected ',' or '") + closer(f.kind) + "'");
      return error();
    }
  }
}

inline namespace literals {
term operator""_term(const char* s, std::size_t n) {
  auto r = parse_term(std::string_view(s, n));
  if (!r) {
    throw std::invalid_argument("bad term literal at offset " + std::to_string(r.error().offset) + ": " +
                                r.error().message);
  }
  return std::move(*r);
}
}  // namespace literals

}  // namespace otp
