// Integers of any size: construction, conversion to and from text and ETF magnitudes, and exact
// comparison with each other and with floats.
//
// A big integer is a sign and little-endian base-2^32 limbs. Only what a term layer needs is here
// (no arithmetic beyond the multiply/divide by small numbers that decimal conversion uses).

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "term/bignum.hpp"
#include "term/nodes.hpp"

namespace otp {
namespace detail {
namespace {

using limbs_t = std::vector<uint32_t>;

void strip(limbs_t& l) {
  while (!l.empty() && l.back() == 0) l.pop_back();
}

limbs_t limbs_of(uint64_t m) {
  limbs_t l{uint32_t(m), uint32_t(m >> 32)};
  strip(l);
  return l;
}

int compare_magnitudes(std::span<const uint32_t> a, std::span<const uint32_t> b) noexcept {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  for (std::size_t i = a.size(); i-- > 0;)
    if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

}  // namespace

void limbs_mul_add(limbs_t& l, uint32_t mul, uint32_t add) {
  uint64_t carry = add;
  for (uint32_t& limb : l) {
    const uint64_t v = uint64_t(limb) * mul + carry;
    limb = uint32_t(v);
    carry = v >> 32;
  }
  if (carry) l.push_back(uint32_t(carry));
}

namespace {

// l = l / div, in place; returns the remainder.
uint32_t div_small(limbs_t& l, uint32_t div) {
  uint64_t rem = 0;
  for (std::size_t i = l.size(); i-- > 0;) {
    const uint64_t cur = rem << 32 | l[i];
    l[i] = uint32_t(cur / div);
    rem = cur % div;
  }
  strip(l);
  return uint32_t(rem);
}

}  // namespace

term make_integer(bool negative, std::vector<uint32_t> limbs) {
  strip(limbs);
  if (limbs.size() <= 2) {
    const uint64_t m =
        limbs.empty() ? 0 : (limbs.size() == 1 ? limbs[0] : uint64_t(limbs[1]) << 32 | limbs[0]);
    if (!negative && m <= uint64_t(term::small_max)) return term::small_int(int64_t(m));
    if (negative && m <= uint64_t(1) << 62) return term::small_int(int64_t(0 - m));
  }
  auto* n = new bignum_node();
  n->negative = negative;
  n->limbs = std::move(limbs);
  return term::adopt(n);
}

void view_integer(const term& t, int_view& v) noexcept {
  if (t.is_small()) {
    const int64_t x = t.small_value();
    const uint64_t m = x < 0 ? 0 - uint64_t(x) : uint64_t(x);
    v.negative = x < 0;
    v.small_limbs[0] = uint32_t(m);
    v.small_limbs[1] = uint32_t(m >> 32);
    v.limbs = {v.small_limbs, std::size_t(m == 0 ? 0 : (m >> 32) ? 2 : 1)};
  } else {
    const auto* b = node_as<bignum_node>(t);
    v.negative = b->negative;
    v.limbs = b->limbs;
  }
}

int compare_integers(const term& a, const term& b) noexcept {
  if (a.is_small() && b.is_small()) {
    const int64_t x = a.small_value(), y = b.small_value();
    return x < y ? -1 : x > y;
  }
  int_view x, y;
  view_integer(a, x);
  view_integer(b, y);
  if (x.negative != y.negative) return x.negative ? -1 : 1;
  const int m = compare_magnitudes(x.limbs, y.limbs);
  return x.negative ? -m : m;
}

int compare_integer_float(const term& i, double f) noexcept {
  int_view v;
  view_integer(i, v);
  const int si = v.limbs.empty() ? 0 : (v.negative ? -1 : 1);
  const int sf = f > 0 ? 1 : (f < 0 ? -1 : 0);
  if (si != sf || si == 0) return si < sf ? -1 : si > sf;

  // Same sign: compare |i| with |f| = mant * 2^exp exactly, split into integer part and fraction.
  int exp = 0;
  const double frac_mant = std::frexp(std::fabs(f), &exp);
  const uint64_t mant = uint64_t(std::ldexp(frac_mant, 53));
  exp -= 53;
  limbs_t whole;
  bool has_fraction = false;
  if (exp >= 0) {
    const int word = exp / 32, bits = exp % 32;
    const uint64_t lo = mant << bits;
    const uint64_t hi = bits ? mant >> (64 - bits) : 0;
    whole.assign(std::size_t(word), 0);
    whole.push_back(uint32_t(lo));
    whole.push_back(uint32_t(lo >> 32));
    whole.push_back(uint32_t(hi));
    strip(whole);
  } else if (-exp < 64) {
    whole = limbs_of(mant >> -exp);
    has_fraction = (mant & ((uint64_t(1) << -exp) - 1)) != 0;
  } else {
    has_fraction = mant != 0;
  }
  int c = compare_magnitudes(v.limbs, whole);
  if (c == 0 && has_fraction) c = -1;
  return si * c;
}

double integer_to_double(const term& i) noexcept {
  if (i.is_small()) return double(i.small_value());
  int_view v;
  view_integer(i, v);
  // The top three limbs hold more than 53 significant bits; the rest only scale the result.
  double d = 0;
  const std::size_t n = v.limbs.size();
  const std::size_t low = n > 3 ? n - 3 : 0;
  for (std::size_t k = n; k-- > low;) d = d * 4294967296.0 + v.limbs[k];
  d = std::ldexp(d, int(low * 32));
  return v.negative ? -d : d;
}

}  // namespace detail

// ---- public API --------------------------------------------------------------------------------------

term term::from_int64_big(int64_t v) {
  const uint64_t m = v < 0 ? 0 - uint64_t(v) : uint64_t(v);
  return detail::make_integer(v < 0, detail::limbs_of(m));
}

term term::from_uint64_big(uint64_t v) { return detail::make_integer(false, detail::limbs_of(v)); }

std::optional<int64_t> term::to_int64() const noexcept {
  if (is_small()) return small_value();
  if (!is_node(detail::node_kind::bignum)) return std::nullopt;
  const auto* b = detail::node_as<detail::bignum_node>(*this);
  if (b->limbs.size() > 2) return std::nullopt;
  const uint64_t m = b->limbs.size() == 1 ? b->limbs[0] : uint64_t(b->limbs[1]) << 32 | b->limbs[0];
  if (!b->negative && m <= uint64_t(std::numeric_limits<int64_t>::max())) return int64_t(m);
  if (b->negative && m <= uint64_t(1) << 63) return int64_t(0 - m);
  return std::nullopt;
}

int64_t term::as_int() const {
  if (!is_integer()) throw bad_term_access("not an integer: " + to_string(*this));
  if (auto v = to_int64()) return *v;
  throw bad_term_access("integer does not fit in int64_t: " + to_string(*this));
}

term integer_from_string(std::string_view text) {
  std::string_view digits = text;
  bool negative = false;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  if (digits.empty()) throw std::invalid_argument("not an integer: '" + std::string(text) + "'");
  std::vector<uint32_t> limbs;
  // Nine decimal digits at a time fit a 32-bit limb step.
  while (!digits.empty()) {
    const std::size_t n = std::min<std::size_t>(9, digits.size());
    uint32_t chunk = 0, scale = 1;
    for (std::size_t k = 0; k < n; ++k) {
      const char c = digits[k];
      if (c < '0' || c > '9') throw std::invalid_argument("not an integer: '" + std::string(text) + "'");
      chunk = chunk * 10 + uint32_t(c - '0');
      scale *= 10;
    }
    detail::limbs_mul_add(limbs, scale, chunk);
    digits.remove_prefix(n);
  }
  return detail::make_integer(negative, std::move(limbs));
}

std::string integer_to_string(const term& integer) {
  if (integer.is_small()) return std::to_string(integer.small_value());
  if (!integer.is_integer()) throw bad_term_access("integer_to_string: not an integer");
  const auto* b = detail::node_as<detail::bignum_node>(integer);
  std::vector<uint32_t> limbs = b->limbs;
  std::vector<uint32_t> groups;  // base 10^9 digits, least significant first
  while (!limbs.empty()) groups.push_back(detail::div_small(limbs, 1000000000u));
  std::string out = b->negative ? "-" : "";
  out += std::to_string(groups.back());
  for (std::size_t k = groups.size() - 1; k-- > 0;) {
    const std::string g = std::to_string(groups[k]);
    out.append(9 - g.size(), '0');
    out += g;
  }
  return out;
}

term integer_from_magnitude(bool negative, std::span<const uint8_t> magnitude_le) {
  std::vector<uint32_t> limbs((magnitude_le.size() + 3) / 4, 0);
  for (std::size_t k = 0; k < magnitude_le.size(); ++k)
    limbs[k / 4] |= uint32_t(magnitude_le[k]) << (8 * (k % 4));
  return detail::make_integer(negative, std::move(limbs));
}

std::vector<uint8_t> integer_magnitude(const term& integer, bool* negative) {
  if (!integer.is_integer()) throw bad_term_access("integer_magnitude: not an integer");
  detail::int_view v;
  detail::view_integer(integer, v);
  if (negative) *negative = v.negative;
  std::vector<uint8_t> out;
  out.reserve(v.limbs.size() * 4);
  for (uint32_t limb : v.limbs)
    for (int k = 0; k < 4; ++k) out.push_back(uint8_t(limb >> (8 * k)));
  while (!out.empty() && out.back() == 0) out.pop_back();
  return out;
}

}  // namespace otp
