#pragma once
// zlib for the compressed external form (tag 80): `131, 80, UncompressedSize:32, zlib stream`.

#include <cstddef>
#include <string>
#include <string_view>

namespace otp::etf::detail {

/// The zlib stream of `body` at `level` (1..9), or false when it would not save at least 5 bytes:
/// term_to_binary gives deflate an output buffer 5 bytes smaller than the body and keeps the plain
/// form when it does not fit, so the compressed form (6 bytes of header) is never longer than the plain
/// one (1 byte of header).
bool deflate_body(std::string_view body, int level, std::string& stream);

// too_short/too_long: the inflated data is shorter/longer than declared; truncated: the stream ends early.
enum class inflate_status { ok, corrupt, truncated, too_short, too_long };
struct inflate_result {
  inflate_status status = inflate_status::corrupt;
  std::size_t consumed = 0;  // bytes of `stream` the zlib data took (only for ok)
};

/// Inflates the zlib stream at the front of `stream` into `out`, which must come to exactly
/// `declared_size` bytes. Memory grows with the data actually produced, never beyond
/// `declared_size`, so a false size costs nothing and a zip bomb is cut off at the declared size.
inflate_result inflate_exact(std::string_view stream, std::size_t declared_size, std::string& out);

}  // namespace otp::etf::detail
