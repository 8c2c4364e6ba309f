#pragma once
// MD5 (RFC 1321), only for the distribution handshake's cookie digest: the protocol fixes the
// algorithm, so its weakness is the protocol's, not a choice of ours.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace otp::dist::detail {

using md5_digest = std::array<uint8_t, 16>;

md5_digest md5(std::string_view data);

/// The handshake's digest: MD5 of the cookie followed by the challenge as an unsigned decimal.
inline md5_digest challenge_digest(std::string_view cookie, uint32_t challenge) {
  return md5(std::string(cookie) + std::to_string(challenge));
}

}  // namespace otp::dist::detail
