#include "term/etf_zlib.hpp"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <cstdint>

namespace otp::etf::detail {

bool deflate_body(std::string_view body, int level, std::string& stream) {
  if (body.size() <= 5 || body.size() > UINT32_MAX) return false;
  uLongf capacity = uLongf(body.size() - 5);
  stream.resize(capacity);
  const int rc = compress2(reinterpret_cast<Bytef*>(stream.data()), &capacity,
                           reinterpret_cast<const Bytef*>(body.data()), uLong(body.size()), level);
  if (rc != Z_OK) return false;  // Z_BUF_ERROR: compressing does not pay
  stream.resize(capacity);
  return true;
}

namespace {

// zlib counts in uInt; feed it at most this much at a time so that huge buffers work too.
constexpr std::size_t chunk_limit = UINT_MAX;

// Releases the inflate state on every path out of inflate_exact.
struct inflater {
  z_stream z{};
  bool ready = false;
  inflater() { ready = inflateInit(&z) == Z_OK; }
  ~inflater() {
    if (ready) inflateEnd(&z);
  }
  inflater(const inflater&) = delete;
  inflater& operator=(const inflater&) = delete;
};

}  // namespace

inflate_result inflate_exact(std::string_view stream, std::size_t declared_size, std::string& out) {
  inflater inf;
  if (!inf.ready) return {inflate_status::corrupt};
  // Start small and double: the declared size is the sender's word, the output is the truth.
  out.assign(std::min<std::size_t>(declared_size, 64 * 1024 + 4 * stream.size()), '\0');
  std::size_t in_used = 0;
  std::size_t produced = 0;
  unsigned char probe = 0;  // room for one byte past the declared size, to notice a longer stream
  for (;;) {
    const bool full = produced == declared_size;
    if (!full && produced == out.size()) out.resize(std::min(declared_size, out.size() * 2));
    const std::size_t in_avail = std::min(stream.size() - in_used, chunk_limit);
    const std::size_t out_avail = full ? 1 : std::min(out.size() - produced, chunk_limit);
    inf.z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(stream.data() + in_used));
    inf.z.avail_in = uInt(in_avail);
    inf.z.next_out = full ? &probe : reinterpret_cast<Bytef*>(out.data() + produced);
    inf.z.avail_out = uInt(out_avail);
    const int rc = inflate(&inf.z, Z_NO_FLUSH);
    in_used += in_avail - inf.z.avail_in;
    const std::size_t made = out_avail - inf.z.avail_out;
    if (full && made > 0) return {inflate_status::too_long};
    produced += made;
    if (rc == Z_STREAM_END) {
      if (produced != declared_size) return {inflate_status::too_short};
      out.resize(produced);
      return {inflate_status::ok, in_used};
    }
    if (rc == Z_BUF_ERROR && in_used == stream.size()) return {inflate_status::truncated};
    if (rc != Z_OK) return {inflate_status::corrupt};
  }
}

}  // namespace otp::etf::detail
