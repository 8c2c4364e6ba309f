// Printing terms as Erlang's io_lib ~p does, without line breaks.
//
// Lists of printable characters print as "strings" and printable binaries as <<"text">> (or
// <<"text"/utf8>> for non-ASCII UTF-8, as ~tp does); everything else as ~w would. The printer
// walks an explicit stack so that long lists and deep nesting cannot overflow a fiber stack.

#include <ostream>
#include <variant>
#include <vector>

#include "term/bignum.hpp"
#include "term/nodes.hpp"
#include "term/text.hpp"
#include "term/utf8.hpp"

namespace otp {
namespace {

using detail::node_as;
using detail::node_kind;

// A unit of pending output: a term to print, literal text, or the rest of a list after ','.
struct list_rest {
  const term* rest;
};
using item = std::variant<const term*, std::string_view, list_rest>;

bool is_printable_list(const term& t) {
  if (!t.is_cons()) return false;
  const term* p = &t;
  for (; p->is_cons(); p = &node_as<detail::cons_node>(*p)->tail) {
    const term& h = node_as<detail::cons_node>(*p)->head;
    if (!h.is_small() || !detail::is_printable_char(h.small_value())) return false;
  }
  return p->is_nil();
}

void append_string(std::string& out, const term& list) {
  out += '"';
  for (const term* p = &list; p->is_cons(); p = &node_as<detail::cons_node>(*p)->tail)
    detail::append_quoted_char(out, uint32_t(node_as<detail::cons_node>(*p)->head.small_value()), '"');
  out += '"';
}

// How a binary's bytes are shown: as ASCII/Latin-1 text, as UTF-8 text, or as numbers.
enum class bin_style { latin1, utf8, bytes };

bin_style binary_style(std::string_view b) {
  bool ascii = true, latin1 = true;
  for (unsigned char c : b) {
    ascii = ascii && c < 128 && detail::is_printable_char(c);
    latin1 = latin1 && detail::is_printable_char(c);
  }
  if (ascii) return bin_style::latin1;
  std::size_t pos = 0;
  bool utf8 = true;
  while (utf8 && pos < b.size()) {
    const auto cp = detail::next_code_point(b, pos);
    utf8 = cp && (*cp >= 128 ? *cp >= 160 : detail::is_printable_char(*cp));
  }
  if (utf8) return bin_style::utf8;
  return latin1 ? bin_style::latin1 : bin_style::bytes;
}

void append_bitstring(std::string& out, const term& t) {
  const std::string_view b = t.bytes();
  const unsigned unused = t.node()->small;
  out += "<<";
  if (unused == 0 && !b.empty()) {
    const bin_style style = binary_style(b);
    if (style != bin_style::bytes) {
      out += '"';
      std::size_t pos = 0;
      while (pos < b.size()) {
        uint32_t cp = uint8_t(b[pos]);
        if (style == bin_style::utf8) {
          cp = detail::next_code_point(b, pos).value_or(cp);
        } else {
          ++pos;
        }
        detail::append_quoted_char(out, cp, '"');
      }
      out += style == bin_style::utf8 ? "\"/utf8>>" : "\">>";
      return;
    }
  }
  const std::size_t whole = unused ? b.size() - 1 : b.size();
  for (std::size_t i = 0; i < whole; ++i) {
    if (i) out += ',';
    out += std::to_string(unsigned(uint8_t(b[i])));
  }
  if (unused) {
    if (whole) out += ',';
    out += std::to_string(unsigned(uint8_t(b.back())) >> unused) + ":" + std::to_string(8 - unused);
  }
  out += ">>";
}

void append_node_number(std::string& out, atom node) {
  out += std::to_string(detail::node_print_index(node));
}

void append_pid(std::string& out, const pid& p) {
  out += '<';
  append_node_number(out, p.node);
  out += '.' + std::to_string(p.id) + '.' + std::to_string(p.serial) + '>';
}

void append_ref(std::string& out, const ref& r) {
  out += "#Ref<";
  append_node_number(out, r.node);
  for (int i = std::min<int>(r.len, ref::max_words) - 1; i >= 0; --i) out += '.' + std::to_string(r.ids[i]);
  out += '>';
}

void append_fun(std::string& out, const term& t) {
  const fun_info f = fun_of(t);
  if (f.is_export) {
    out += "fun ";
    detail::append_atom(out, f.module.name());
    out += ':';
    detail::append_atom(out, f.function.name());
    out += '/' + std::to_string(f.arity);
    return;
  }
  // A closure from another node: show its module and arity (its code lives on that node).
  out += "#Fun<";
  detail::append_atom(out, f.module.name());
  out += '.' + std::to_string(f.arity) + '>';
}

// Prints one term; compound terms push their parts onto `stack` instead of recursing.
void print_one(std::string& out, const term& t, std::vector<item>& stack) {
  switch (t.type()) {
    case term_type::integer:
      out += integer_to_string(t);
      return;
    case term_type::float_:
      out += detail::format_float(t.as_float());
      return;
    case term_type::atom:
      detail::append_atom(out, t.as_atom().name());
      return;
    case term_type::nil:
      out += "[]";
      return;
    case term_type::pid:
      append_pid(out, t.as_pid());
      return;
    case term_type::port: {
      const port p = t.as_port();
      out += "#Port<";
      append_node_number(out, p.node);
      out += '.' + std::to_string(p.id) + '>';
      return;
    }
    case term_type::reference:
      if (t.is_opaque()) {
        out += "#Opaque<";
        out += node_as<detail::opaque_node>(t)->type->name();
        out += '>';
      } else {
        append_ref(out, t.as_ref());
      }
      return;
    case term_type::fun:
      append_fun(out, t);
      return;
    case term_type::bitstring:
      append_bitstring(out, t);
      return;
    case term_type::tuple: {
      const auto elems = t.tuple_elements();
      out += '{';
      stack.emplace_back(std::string_view("}"));
      for (std::size_t i = elems.size(); i-- > 0;) {
        stack.emplace_back(&elems[i]);
        if (i) stack.emplace_back(std::string_view(","));
      }
      return;
    }
    case term_type::map: {
      const auto entries = t.map_entries();
      out += "#{";
      stack.emplace_back(std::string_view("}"));
      for (std::size_t i = entries.size(); i-- > 0;) {
        stack.emplace_back(&entries[i].second);
        stack.emplace_back(std::string_view(" => "));
        stack.emplace_back(&entries[i].first);
        if (i) stack.emplace_back(std::string_view(","));
      }
      return;
    }
    case term_type::list: {
      if (is_printable_list(t)) {
        append_string(out, t);
        return;
      }
      out += '[';
      stack.emplace_back(list_rest{&t.tail()});
      stack.emplace_back(&t.head());
      return;
    }
  }
}

void print_rest(std::string& out, const term& rest, std::vector<item>& stack) {
  if (rest.is_nil()) {
    out += ']';
  } else if (rest.is_cons()) {
    out += ',';
    stack.emplace_back(list_rest{&rest.tail()});
    stack.emplace_back(&rest.head());
  } else {
    out += '|';
    stack.emplace_back(std::string_view("]"));
    stack.emplace_back(&rest);
  }
}

}  // namespace

std::string to_string(const term& t) {
  std::string out;
  std::vector<item> stack{&t};
  while (!stack.empty()) {
    const item it = stack.back();
    stack.pop_back();
    if (const auto* tp = std::get_if<const term*>(&it)) {
      print_one(out, **tp, stack);
    } else if (const auto* text = std::get_if<std::string_view>(&it)) {
      out += *text;
    } else {
      print_rest(out, *std::get<list_rest>(it).rest, stack);
    }
  }
  return out;
}

std::ostream& operator<<(std::ostream& os, const term& t) { return os << to_string(t); }

}  // namespace otp
