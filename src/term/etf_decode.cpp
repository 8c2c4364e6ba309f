// ETF decoding entry points: version byte, compressed terms (tag 80), trailing bytes, error values.

#include <otp/term/etf.hpp>

#include "term/etf_bytes.hpp"
#include "term/etf_reader.hpp"
#include "term/etf_tags.hpp"
#include "term/etf_zlib.hpp"

namespace otp::etf {
namespace {

decode_error make_error(decode_errc code, std::size_t offset, const std::string& what) {
  return {code, offset, std::string(errc_name(code)) + " at byte " + std::to_string(offset) + ": " + what};
}

unexpected<decode_error> failure(decode_errc code, std::size_t offset, const std::string& what) {
  return unexpected(make_error(code, offset, what));
}

expected<decoded, decode_error> read_body(std::string_view bytes, std::size_t pos,
                                          const decode_limits& limits) {
  if (bytes.size() > limits.max_bytes) {
    return failure(decode_errc::too_large, 0,
                   "input of " + std::to_string(bytes.size()) + " bytes exceeds decode_limits::max_bytes");
  }
  detail::term_reader reader(bytes, limits, pos);
  term value;
  if (!reader.read(value)) return unexpected(std::move(reader.error()));
  return decoded{std::move(value), reader.pos()};
}

// `131, 80, UncompressedSize:32, zlib stream`: the stream inflates to exactly UncompressedSize bytes,
// which hold one term without version byte.
expected<decoded, decode_error> read_compressed(std::string_view bytes, const decode_limits& limits) {
  constexpr std::size_t header = 6;
  if (bytes.size() < header) return failure(decode_errc::truncated, bytes.size(), "compressed term header");
  const uint32_t declared = detail::load_u32(reinterpret_cast<const unsigned char*>(bytes.data()) + 2);
  if (declared > limits.max_uncompressed_size || declared > limits.max_bytes) {
    return failure(decode_errc::too_large, 2,
                   "compressed term declares " + std::to_string(declared) +
                       " uncompressed bytes, beyond decode_limits::max_uncompressed_size/max_bytes");
  }
  std::string inflated;
  const auto z = detail::inflate_exact(bytes.substr(header), declared, inflated);
  switch (z.status) {
    case detail::inflate_status::ok:
      break;
    case detail::inflate_status::corrupt:
      return failure(decode_errc::zlib, header, "corrupt zlib data");
    case detail::inflate_status::truncated:
      return failure(decode_errc::zlib, bytes.size(), "the zlib data ends early");
    case detail::inflate_status::too_short:
      return failure(decode_errc::zlib, header,
                     "zlib data inflates to fewer than the declared " + std::to_string(declared) + " bytes");
    case detail::inflate_status::too_long:
      return failure(decode_errc::zlib, header,
                     "zlib data inflates to more than the declared " + std::to_string(declared) + " bytes");
  }
  auto inner = read_body(inflated, 0, limits);
  if (inner && inner->consumed != inflated.size()) {
    inner = failure(decode_errc::trailing_bytes, inner->consumed, "bytes after the term");
  }
  if (!inner) {
    decode_error e = std::move(inner.error());
    e.message += " (offset in the inflated data of the compressed term)";
    return unexpected(std::move(e));
  }
  inner->consumed = header + z.consumed;
  return inner;
}

expected<term, decode_error> whole(expected<decoded, decode_error> result, std::size_t size) {
  if (!result) return unexpected(std::move(result.error()));
  if (result->consumed != size) {
    return failure(decode_errc::trailing_bytes, result->consumed,
                   std::to_string(size - result->consumed) + " bytes after the term");
  }
  return std::move(result->value);
}

}  // namespace

std::string_view errc_name(decode_errc code) noexcept {
  switch (code) {
    case decode_errc::truncated:
      return "truncated";
    case decode_errc::bad_version:
      return "bad_version";
    case decode_errc::bad_tag:
      return "bad_tag";
    case decode_errc::unsupported_tag:
      return "unsupported_tag";
    case decode_errc::too_deep:
      return "too_deep";
    case decode_errc::too_large:
      return "too_large";
    case decode_errc::bad_atom:
      return "bad_atom";
    case decode_errc::bad_utf8:
      return "bad_utf8";
    case decode_errc::unknown_atom:
      return "unknown_atom";
    case decode_errc::atom_table_full:
      return "atom_table_full";
    case decode_errc::atom_allowance:
      return "atom_allowance";
    case decode_errc::bad_float:
      return "bad_float";
    case decode_errc::bad_value:
      return "bad_value";
    case decode_errc::duplicate_key:
      return "duplicate_key";
    case decode_errc::trailing_bytes:
      return "trailing_bytes";
    case decode_errc::zlib:
      return "zlib";
  }
  return "unknown";
}

expected<decoded, decode_error> decode_prefix(std::string_view bytes, const decode_limits& limits) {
  if (bytes.empty()) return failure(decode_errc::truncated, 0, "empty input");
  if (uint8_t(bytes[0]) != version_magic) {
    return failure(decode_errc::bad_version, 0,
                   "an external term starts with 131, not " + std::to_string(uint8_t(bytes[0])));
  }
  if (bytes.size() >= 2 && uint8_t(bytes[1]) == tag::compressed) return read_compressed(bytes, limits);
  return read_body(bytes, 1, limits);
}

expected<term, decode_error> decode(std::string_view bytes, const decode_limits& limits) {
  return whole(decode_prefix(bytes, limits), bytes.size());
}

expected<decoded, decode_error> decode_body_prefix(std::string_view bytes, const decode_limits& limits) {
  return read_body(bytes, 0, limits);
}

expected<term, decode_error> decode_body(std::string_view bytes, const decode_limits& limits) {
  return whole(decode_body_prefix(bytes, limits), bytes.size());
}

}  // namespace otp::etf
